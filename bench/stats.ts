/** Small statistics for benchmark reports. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface Metric {
  value: number;
  unit: string;
  /** The goal, as text ("< 50"), when the issue sets one. */
  target?: string;
  /** Whether the value meets the target. */
  ok?: boolean;
  note?: string;
}

export interface BenchResult {
  name: string;
  description: string;
  metrics: Record<string, Metric>;
  notes?: string[];
}
