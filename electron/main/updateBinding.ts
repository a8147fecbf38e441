import electronUpdater from 'electron-updater';
import type { AppSettings } from '@shared/domain/settings';
import { updatePlan } from './updates';

export interface UpdateHooks {
  notify(title: string, body: string, onClick: () => void): void;
  /** The same question as any quit (recordings running); false: not now. */
  confirmQuit(): Promise<boolean>;
  /** Called before the app quits to install, so closing the window does not hide it in the tray. */
  beforeInstall(): void;
  warn(message: string): void;
}

/**
 * electron-updater bound to the settings: checks the configured feed at start and every few
 * hours, downloads in the background, and installs on quit or when the notification is clicked.
 */
export function startUpdates(hooks: UpdateHooks): { apply(settings: AppSettings, packaged: boolean): void } {
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = null;
  let feed: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let announced: string | undefined;

  const check = (): void => {
    autoUpdater.checkForUpdates().catch((error: unknown) => {
      hooks.warn(`desktop: update check failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  // Download failures arrive here, not as a rejected check.
  autoUpdater.on('error', (error: Error) => hooks.warn(`desktop: update failed: ${error.message}`));
  autoUpdater.on('update-downloaded', (info) => {
    // Every later check finds the same download again: tell the user once.
    if (announced === info.version) return;
    announced = info.version;
    hooks.notify(`Haven ${info.version} is ready`, 'Click to restart Haven and install it, or it installs when you quit.', () => {
      void hooks.confirmQuit().then((go) => {
        if (!go) return;
        hooks.beforeInstall();
        autoUpdater.quitAndInstall();
      });
    });
  });

  return {
    apply(settings, packaged) {
      const plan = updatePlan(settings, packaged);
      if (plan.feed?.url === feed) return;
      feed = plan.feed?.url;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (!plan.feed) return;
      autoUpdater.setFeedURL(plan.feed);
      check();
      timer = setInterval(check, plan.intervalHours * 3600_000);
      timer.unref();
    },
  };
}
