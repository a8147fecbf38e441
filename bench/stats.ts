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

/** Times of one download by the raw tool and by Haven (warm: the app runs; cold: the CLI starts it). */
export interface Runs {
  raw: number[];
  warm: number[];
  cold: number[];
}

/** The medians of a raw tool's runs and Haven's, their ratios, and Haven's overhead (target < 10 %). */
export function versusRaw(rawName: string, runs: Runs, mebibytes: number): Record<string, Metric> {
  const [raw, warm, cold] = [median(runs.raw), median(runs.warm), median(runs.cold)];
  const overhead = (seconds: number) => round(((seconds - raw) / raw) * 100, 1);
  const speed = (seconds: number) => `${round(mebibytes / seconds, 1)} MiB/s`;
  return {
    [`raw_${rawName}`]: { value: round(raw, 2), unit: 's', note: speed(raw) },
    haven_warm: { value: round(warm, 2), unit: 's', note: speed(warm) },
    haven_cold: { value: round(cold, 2), unit: 's', note: speed(cold) },
    ratio_warm: { value: round(warm / raw, 3), unit: '×' },
    ratio_cold: { value: round(cold / raw, 3), unit: '×' },
    overhead_warm: { value: overhead(warm), unit: '%', target: '< 10', ok: overhead(warm) < 10 },
    overhead_cold: { value: overhead(cold), unit: '%' },
  };
}

/** Every round's times, for the report. */
export function roundsNote(runs: Runs): string {
  const list = (values: number[]) => values.map((s) => round(s, 2)).join(', ');
  return `Each round: raw ${list(runs.raw)} s; warm ${list(runs.warm)} s; cold ${list(runs.cold)} s`;
}
