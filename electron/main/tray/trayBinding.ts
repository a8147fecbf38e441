import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { Disposable } from '@shared/lifecycle';
import { trayModel, type TrayCommand, type TrayIcon, type TrayModel } from './trayModel';
import type { TrayState } from './trayState';

/** How often the tray may change: icon and tooltip at most this often, and only when different. */
const REFRESH_MS = 1000;
/**
 * A menu whose items stay the same but whose labels move (percent, speed) is rebuilt at most this
 * often: replacing the menu closes it on Linux indicators while the user has it open.
 */
const LABEL_REFRESH_MS = 5000;

/**
 * The thin Electron side of the tray: it renders the pure model (`trayModel.ts`) and runs the
 * commands its menu gives. Returns undefined where the desktop has no tray.
 */
export function bindTray(state: TrayState, iconDir: string, run: (command: TrayCommand) => void): Disposable | undefined {
  const iconFile = (icon: TrayIcon): string => path.join(iconDir, process.platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`);
  let tray: Tray;
  try {
    tray = new Tray(nativeImage.createFromPath(iconFile('idle')));
  } catch {
    return undefined;
  }
  let shown: TrayModel | undefined;
  let menuShown: TrayModel['menu'] | undefined;
  let menuAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const structure = (menu: TrayModel['menu']): string => JSON.stringify(menu.map((item) => (item.type === 'item' ? [item.id, item.enabled] : '-')));

  const render = (): void => {
    timer = undefined;
    const model = trayModel(state.input());
    if (model.icon !== shown?.icon) tray.setImage(nativeImage.createFromPath(iconFile(model.icon)));
    if (model.tooltip !== shown?.tooltip) tray.setToolTip(model.tooltip);
    shown = model;
    if (JSON.stringify(model.menu) === JSON.stringify(menuShown)) return;
    const labelsOnly = menuShown !== undefined && structure(model.menu) === structure(menuShown);
    const wait = menuAt + LABEL_REFRESH_MS - Date.now();
    if (labelsOnly && wait > 0) {
      timer ??= setTimeout(render, wait);
      return;
    }
    const template: MenuItemConstructorOptions[] = model.menu.map((item) =>
      item.type === 'separator' ? { type: 'separator' } : { id: item.id, label: item.label, enabled: item.enabled, click: () => run(item.command) },
    );
    tray.setContextMenu(Menu.buildFromTemplate(template));
    menuShown = model.menu;
    menuAt = Date.now();
  };
  render();
  const listener = state.onDidChange(() => {
    timer ??= setTimeout(render, REFRESH_MS);
  });
  // Windows and most Linux panels: a click opens the window; the menu is on right-click.
  if (process.platform !== 'darwin') tray.on('click', () => run({ kind: 'open' }));

  return {
    dispose() {
      listener.dispose();
      if (timer) clearTimeout(timer);
      tray.destroy();
    },
  };
}
