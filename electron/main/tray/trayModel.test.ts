import { describe, expect, it } from 'vitest';
import { TRAY_TOOLTIP_MAX, trayModel, type ActiveJob, type TrayInput, type TrayMenuItem } from './trayModel';

const idle: TrayInput = {
  counts: { queued: 0, running: 0, paused: 0, completed: 12, failed: 3, cancelled: 0, skipped: 0 },
  active: [],
  unseenFailures: 0,
  brokenPlugins: [],
  discoverers: 2,
  streamMonitors: 1,
  connected: true,
};
const download: ActiveJob = { id: 'j1', title: 'Big Buck Bunny', kind: 'archive', percent: 42.7, speedBps: 3 * 1024 * 1024 };
const recording: ActiveJob = { id: 'r1', title: 'Night stream', kind: 'record', recordedSeconds: 754 };

function items(menu: TrayMenuItem[]) {
  return menu.filter((item) => item.type === 'item');
}
function item(menu: TrayMenuItem[], id: string) {
  const found = items(menu).find((entry) => entry.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

describe('tray model', () => {
  it('idle: the plain icon, "idle", nothing to pause or resume', () => {
    const model = trayModel(idle);
    expect(model.icon).toBe('idle');
    expect(model.tooltip).toBe('Haven: idle');
    expect(item(model.menu, 'no-jobs')).toMatchObject({ label: 'No active jobs', enabled: false });
    expect(item(model.menu, 'pause-all').enabled).toBe(false);
    expect(item(model.menu, 'resume-all').enabled).toBe(false);
    expect(item(model.menu, 'check-now').enabled).toBe(true);
    expect(item(model.menu, 'record-monitored').enabled).toBe(true);
    expect(items(model.menu).map((entry) => entry.id)).toEqual(['open', 'no-jobs', 'pause-all', 'resume-all', 'record-monitored', 'check-now', 'settings', 'quit']);
  });

  it('queued only: active icon, and the queue can be paused', () => {
    const model = trayModel({ ...idle, counts: { ...idle.counts, queued: 4 } });
    expect(model.icon).toBe('active');
    expect(model.tooltip).toBe('Haven: 4 queued');
    expect(item(model.menu, 'no-jobs').label).toBe('4 queued, none running');
    expect(item(model.menu, 'pause-all').enabled).toBe(true);
  });

  it('downloading: active icon, the job with percent and speed, the total speed in the tooltip', () => {
    const model = trayModel({ ...idle, counts: { ...idle.counts, running: 1, queued: 2, paused: 1 }, active: [download] });
    expect(model.icon).toBe('active');
    expect(model.tooltip).toBe('Haven: 1 job running at 3.0 MiB/s, 2 queued, 1 paused');
    expect(item(model.menu, 'job:j1')).toMatchObject({ label: '↓ Big Buck Bunny: 42%, 3.0 MiB/s', command: { kind: 'open', page: 'jobs', param: 'j1' } });
    expect(item(model.menu, 'resume-all').enabled).toBe(true);
  });

  it('recording: the recording icon wins over downloads, and recordings are listed first', () => {
    const model = trayModel({ ...idle, counts: { ...idle.counts, running: 2 }, active: [download, recording] });
    expect(model.icon).toBe('recording');
    expect(model.tooltip).toBe('Haven: 1 recording, 1 job running at 3.0 MiB/s');
    const jobs = items(model.menu).filter((entry) => entry.id.startsWith('job:'));
    expect(jobs.map((entry) => entry.label)).toEqual(['● Night stream: recording 12:34', '↓ Big Buck Bunny: 42%, 3.0 MiB/s']);
  });

  it('a record job or a job reporting recording progress counts as recording', () => {
    const live: ActiveJob = { id: 'x', title: 'x', kind: 'archive', recordedSeconds: 5 };
    expect(trayModel({ ...idle, counts: { ...idle.counts, running: 1 }, active: [live] }).icon).toBe('recording');
  });

  it('error: failures since the window was opened, or a broken plugin, win over everything', () => {
    const failed = trayModel({ ...idle, counts: { ...idle.counts, running: 1 }, active: [recording], unseenFailures: 2 });
    expect(failed.icon).toBe('error');
    expect(failed.tooltip).toBe('Haven: 1 recording, 2 jobs failed');
    expect(item(failed.menu, 'failures')).toMatchObject({ label: '2 jobs failed: show', command: { kind: 'open', page: 'jobs' } });
    const broken = trayModel({ ...idle, brokenPlugins: ['OpenRing'] });
    expect(broken.icon).toBe('error');
    expect(broken.tooltip).toBe('Haven: OpenRing stopped working');
    expect(item(broken.menu, 'plugin:OpenRing').command).toEqual({ kind: 'open', page: 'plugins' });
  });

  it('not connected to Core yet: error icon, and no command that needs Core', () => {
    const model = trayModel({ ...idle, connected: false, counts: { ...idle.counts, queued: 3, paused: 1 } });
    expect(model.icon).toBe('error');
    expect(model.tooltip).toBe('Haven: starting…');
    for (const id of ['pause-all', 'resume-all', 'record-monitored', 'check-now']) expect(item(model.menu, id).enabled).toBe(false);
    expect(item(model.menu, 'open').enabled).toBe(true);
    expect(item(model.menu, 'quit').enabled).toBe(true);
  });

  it('no discovering or monitoring plugin running: those commands are disabled', () => {
    const model = trayModel({ ...idle, discoverers: 0, streamMonitors: 0 });
    expect(item(model.menu, 'check-now').enabled).toBe(false);
    expect(item(model.menu, 'record-monitored').enabled).toBe(false);
  });

  it('shows the top three jobs and how many more, with long titles cut', () => {
    const many = Array.from({ length: 7 }, (_, i): ActiveJob => ({ id: `j${i}`, title: `${'Very long title '.repeat(5)}${i}`, kind: 'archive' }));
    const model = trayModel({ ...idle, counts: { ...idle.counts, running: 7 }, active: many });
    const jobs = items(model.menu).filter((entry) => entry.id.startsWith('job:'));
    expect(jobs).toHaveLength(3);
    for (const job of jobs) expect(job.label.length).toBeLessThanOrEqual(2 + 48);
    expect(item(model.menu, 'more-jobs').label).toBe('4 more running…');
  });

  it('keeps the tooltip within what Windows shows', () => {
    const model = trayModel({ ...idle, brokenPlugins: Array.from({ length: 20 }, (_, i) => `Plugin number ${i}`) });
    expect(model.tooltip.length).toBe(TRAY_TOOLTIP_MAX);
    expect(model.tooltip.endsWith('…')).toBe(true);
  });

  it('quit and open are always there and always enabled', () => {
    for (const input of [idle, { ...idle, connected: false }, { ...idle, unseenFailures: 1 }]) {
      const model = trayModel(input);
      expect(item(model.menu, 'open')).toMatchObject({ enabled: true, command: { kind: 'open' } });
      expect(item(model.menu, 'quit')).toMatchObject({ enabled: true, command: { kind: 'quit' } });
      expect(item(model.menu, 'settings').command).toEqual({ kind: 'open', page: 'settings' });
    }
  });
});
