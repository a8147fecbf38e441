import { describe, expect, it } from 'vitest';
import { decideOnClose, quitQuestion, type CloseContext } from './closeToTray';

const base: CloseContext = { quitting: false, closeToTray: true, noticeShown: false, trayAvailable: true, platform: 'linux' };

describe('closing the window', () => {
  it('hides to the tray by default, with the notice the first time only', () => {
    expect(decideOnClose(base)).toEqual({ action: 'hide', notice: true });
    expect(decideOnClose({ ...base, noticeShown: true })).toEqual({ action: 'hide', notice: false });
  });
  it('closes when Haven is quitting, whatever the setting', () => {
    expect(decideOnClose({ ...base, quitting: true })).toEqual({ action: 'close' });
    expect(decideOnClose({ ...base, quitting: true, closeToTray: false })).toEqual({ action: 'close' });
  });
  it('quits when the user turned close-to-tray off (Windows, Linux)', () => {
    expect(decideOnClose({ ...base, closeToTray: false })).toEqual({ action: 'quit' });
    expect(decideOnClose({ ...base, closeToTray: false, platform: 'win32' })).toEqual({ action: 'quit' });
  });
  it('quits when there is no tray to come back from, instead of leaving an invisible app', () => {
    expect(decideOnClose({ ...base, trayAvailable: false })).toEqual({ action: 'quit' });
  });
  it('on macOS without close-to-tray the window closes and the app stays in the Dock', () => {
    expect(decideOnClose({ ...base, closeToTray: false, platform: 'darwin' })).toEqual({ action: 'close' });
    expect(decideOnClose({ ...base, platform: 'darwin' })).toEqual({ action: 'hide', notice: true });
  });
});

describe('quitting', () => {
  it('asks only when recordings are running, and cancelling is the default', () => {
    expect(quitQuestion(0)).toBeUndefined();
    const one = quitQuestion(1)!;
    expect(one.message).toBe('A recording is running. Quit Haven anyway?');
    expect(one.buttons[one.defaultId]).toBe('Keep running');
    expect(one.cancelId).toBe(one.defaultId);
    expect(quitQuestion(3)!.message).toBe('3 recordings are running. Quit Haven anyway?');
  });
});
