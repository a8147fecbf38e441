export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Each delay varies by up to this fraction, so many failed jobs do not retry at once. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 30_000, maxMs: 60 * 60_000, jitter: 0.2 };

/** Delay before retry number `attempt` (1 = the first retry): base × 2^(attempt-1), capped, with jitter. */
export function retryDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): number {
  const base = Math.min(policy.baseMs * 2 ** Math.max(0, attempt - 1), policy.maxMs);
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
