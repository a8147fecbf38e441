import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatViewCell } from './units';

describe('formatViewCell', () => {
  it('formats numbers in the column unit', () => {
    expect(formatViewCell(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatViewCell(2 * 1024 * 1024, 'speed')).toBe('2.0 MiB/s');
    expect(formatViewCell(1.005, 'ratio')).toBe('1.00');
    expect(formatViewCell(3725, 'duration')).toBe('1:02:05');
    expect(formatViewCell(Date.UTC(2026, 10, 29, 6, 5), 'time')).toBe('2026-11-29 06:05');
    expect(formatViewCell(7, 'number')).toBe('7');
    expect(formatViewCell(1e18, 'time')).toBe('1000000000000000000');
  });

  it('shows text as it is and empty or non-finite cells as a dash', () => {
    expect(formatViewCell('seeding', 'ratio')).toBe('seeding');
    expect(formatViewCell(null, 'bytes')).toBe('–');
    expect(formatViewCell('', 'text')).toBe('–');
    expect(formatViewCell(Number.NaN, 'ratio')).toBe('–');
  });

  it('keeps the unit helpers it shares with the CLI and UI', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatDuration(65)).toBe('1:05');
  });
});
