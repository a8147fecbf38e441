import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartDesktopEntry, autostartPlan, desktopExecQuote } from './autostart';

describe('launch at login', () => {
  it('uses the login-item API on macOS and Windows, started hidden', () => {
    expect(autostartPlan(true, 'darwin', '/Applications/Haven.app/Contents/MacOS/Haven', {}, '/Users/me')).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: true, openAsHidden: true, args: ['--hidden'] },
    });
    expect(autostartPlan(false, 'win32', 'C:\\Haven\\Haven.exe', {}, 'C:\\Users\\me')).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: false, openAsHidden: false, args: [] },
    });
  });

  it('writes an XDG autostart entry on Linux, removed when turned off', () => {
    const on = autostartPlan(true, 'linux', '/opt/Haven/haven', {}, '/home/me');
    expect(on).toEqual({ kind: 'desktop-file', file: path.join('/home/me', '.config', 'autostart', 'haven.desktop'), contents: autostartDesktopEntry('/opt/Haven/haven') });
    expect(on.kind === 'desktop-file' && on.contents).toContain('Exec=/opt/Haven/haven --hidden\n');
    expect(autostartPlan(false, 'linux', '/opt/Haven/haven', {}, '/home/me')).toMatchObject({ contents: undefined });
  });

  it('honours XDG_CONFIG_HOME and starts an AppImage through its file', () => {
    const plan = autostartPlan(true, 'linux', '/tmp/.mount_Haven/haven', { XDG_CONFIG_HOME: '/cfg', APPIMAGE: '/home/me/Apps/Haven.AppImage' }, '/home/me');
    expect(plan).toMatchObject({ file: path.join('/cfg', 'autostart', 'haven.desktop') });
    expect(plan.kind === 'desktop-file' && plan.contents).toContain('Exec=/home/me/Apps/Haven.AppImage --hidden');
    // A relative XDG_CONFIG_HOME is invalid by the spec and ignored.
    expect(autostartPlan(true, 'linux', '/x', { XDG_CONFIG_HOME: 'cfg' }, '/home/me')).toMatchObject({ file: path.join('/home/me', '.config', 'autostart', 'haven.desktop') });
  });

  it('quotes Exec paths with spaces and special characters', () => {
    expect(desktopExecQuote('/opt/My Apps/Haven')).toBe('"/opt/My Apps/Haven"');
    expect(desktopExecQuote('/opt/a"b$c`d\\e%f')).toBe('"/opt/a\\"b\\$c\\`d\\\\e%%f"');
  });
});
