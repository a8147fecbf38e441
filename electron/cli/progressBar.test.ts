import { describe, expect, it } from 'vitest';
import { formatDuration } from './output';
import { renderProgress } from './progressBar';

describe('renderProgress', () => {
  it('shows bar, percent, bytes, speed, ETA and phase', () => {
    expect(renderProgress({ bytesDone: 5 * 1024 * 1024, bytesTotal: 20 * 1024 * 1024, speedBps: 1024 * 1024, etaSeconds: 15, phase: 'downloading' }, 8)).toBe(
      '[##......]   25%  5.0 MiB / 20.0 MiB  1.0 MiB/s  ETA 0:15  downloading',
    );
  });
  it('leaves out what it does not know', () => {
    expect(renderProgress({ bytesDone: 2048 })).toBe('2.0 KiB');
    expect(renderProgress({ percent: 150 }, 4)).toBe('[####]  150%');
  });
  it('formats durations', () => {
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(59.6)).toBe('1:00');
  });
});
