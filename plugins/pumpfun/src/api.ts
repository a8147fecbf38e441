// Everything this plugin assumes about pump.fun's HTTP API is in this file; the shapes are
// written down in ../README.md. Answers are checked with zod, keeping only the fields used.
import { HavenError, z, type HttpResponse } from '@haven/sdk';

export const LiveCoin = z.object({
  mint: z.string(),
  name: z.string().default(''),
  symbol: z.string().default(''),
  is_currently_live: z.boolean().default(true),
  num_participants: z.number().default(0),
  thumbnail: z.string().nullish(),
  nsfw: z.boolean().default(false),
});
export type LiveCoin = z.output<typeof LiveCoin>;

export const LivestreamState = z.object({
  mintId: z.string().optional(),
  isLive: z.boolean().optional(),
  numParticipants: z.number().optional(),
  streamStartTimestamp: z.number().nullish(),
});
export type LivestreamState = z.output<typeof LivestreamState>;

export const JoinAnswer = z.object({
  token: z.string().min(10),
  /** Some answers name the LiveKit server; otherwise the configured one is used. */
  url: z.string().optional(),
  livekitUrl: z.string().optional(),
});
export type JoinAnswer = z.output<typeof JoinAnswer>;

type Http = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<HttpResponse>;

export class PumpFunApi {
  constructor(
    private readonly http: Http,
    private readonly bases: { api: string; livestream: string },
  ) {}

  /** The streams live now (one page, newest activity first). */
  async live(limit = 60, signal?: AbortSignal): Promise<LiveCoin[]> {
    const url = `${this.bases.api.replace(/\/$/, '')}/coins/currently-live?offset=0&limit=${limit}&includeNsfw=false`;
    const body = await this.json(url, 'the list of live streams', { ...(signal ? { signal } : {}) });
    const list = Array.isArray(body) ? body : (body as { coins?: unknown }).coins;
    if (!Array.isArray(list)) throw new HavenError('INVALID_INPUT', 'pump.fun answered the list of live streams with something that is not a list');
    return list.flatMap((entry) => {
      const parsed = LiveCoin.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** One stream's state, by its coin's mint. */
  async stream(mint: string, signal?: AbortSignal): Promise<LivestreamState> {
    const url = `${this.bases.livestream.replace(/\/$/, '')}/livestream?mintId=${encodeURIComponent(mint)}`;
    const parsed = LivestreamState.safeParse(await this.json(url, `the stream of ${mint}`, { ...(signal ? { signal } : {}) }));
    if (!parsed.success) throw new HavenError('INVALID_INPUT', `pump.fun's answer about ${mint} is not what Haven expects: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  /** A viewer token for the stream's LiveKit room, as a hidden viewer. */
  async join(mint: string, signal?: AbortSignal): Promise<JoinAnswer> {
    const url = `${this.bases.livestream.replace(/\/$/, '')}/livestream/join`;
    const body = await this.json(url, `a viewer token for ${mint}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mintId: mint, viewer: true, hidden: true }),
      ...(signal ? { signal } : {}),
    });
    const parsed = JoinAnswer.safeParse(body);
    if (!parsed.success) throw new HavenError('INVALID_INPUT', `pump.fun gave no viewer token for ${mint}`);
    return parsed.data;
  }

  private async json(url: string, what: string, init: Parameters<Http>[1]): Promise<unknown> {
    const response = await this.http(url, init);
    if (response.status === 404) throw new HavenError('NOT_FOUND', `pump.fun: ${what} is not found (HTTP 404)`);
    if (response.status === 401 || response.status === 403) throw new HavenError('FORBIDDEN', `pump.fun refused ${what} (HTTP ${response.status})`);
    if (response.status === 429) throw new HavenError('UNAVAILABLE', `pump.fun is rate-limiting (HTTP 429) ${what}`);
    if (!response.ok) throw new HavenError('UNAVAILABLE', `pump.fun answered ${what} with HTTP ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw new HavenError('INVALID_INPUT', `pump.fun answered ${what} with something that is not JSON`);
    }
  }
}

/** The coin mint in a pump.fun address (`https://pump.fun/coin/<mint>`) or a bare mint. */
export function mintOf(input: string, pattern: RegExp): string | undefined {
  if (pattern.test(input)) return input;
  try {
    const url = new URL(input);
    return url.pathname.split('/').find((part) => pattern.test(part));
  } catch {
    return undefined;
  }
}
