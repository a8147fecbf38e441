/** What closing the window and quitting do, decided without Electron so every case is unit-tested. */

export interface CloseContext {
  /** The user chose Quit (tray, menu, Cmd+Q) or the system is shutting down. */
  quitting: boolean;
  closeToTray: boolean;
  noticeShown: boolean;
  /** A tray icon exists (Linux desktops without a status area have none). */
  trayAvailable: boolean;
  platform: NodeJS.Platform;
}

export type CloseDecision =
  /** Hide the window; Haven keeps running in the tray. `notice`: tell the user once. */
  | { action: 'hide'; notice: boolean }
  /** Let the window close; the app stays (macOS keeps apps without windows in the Dock). */
  | { action: 'close' }
  /** Closing the last window quits Haven. */
  | { action: 'quit' };

export function decideOnClose(context: CloseContext): CloseDecision {
  if (context.quitting) return { action: 'close' };
  if (context.closeToTray && context.trayAvailable) return { action: 'hide', notice: !context.noticeShown };
  return context.platform === 'darwin' ? { action: 'close' } : { action: 'quit' };
}

export const CLOSE_TO_TRAY_NOTICE = {
  title: 'Haven is still running',
  body: 'Jobs, schedules and recordings go on in the background. Use the tray icon to open Haven or quit it; Settings can make closing the window quit instead.',
};

export interface QuitQuestion {
  message: string;
  detail: string;
  buttons: [string, string];
  defaultId: number;
  cancelId: number;
}

/**
 * Quitting while recordings run loses the rest of the broadcast, so it asks first. Downloads
 * need no question: they stop with their partial data and resume at the next start.
 */
export function quitQuestion(recordings: number): QuitQuestion | undefined {
  if (recordings <= 0) return undefined;
  return {
    message: recordings === 1 ? 'A recording is running. Quit Haven anyway?' : `${recordings} recordings are running. Quit Haven anyway?`,
    detail: 'What was recorded so far is kept, but the rest of the broadcast is not recorded. Downloads resume the next time Haven starts.',
    buttons: ['Quit and stop recording', 'Keep running'],
    defaultId: 1,
    cancelId: 1,
  };
}
