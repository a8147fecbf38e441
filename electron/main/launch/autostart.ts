import path from 'node:path';

/**
 * "Launch at login". macOS and Windows use Electron's login-item API; Linux desktops read
 * `~/.config/autostart/*.desktop` (the XDG autostart spec). Haven starts there with `--hidden`,
 * in the tray. Pure, so it is unit-tested; the binding writes or removes the file.
 */

export const HIDDEN_ARG = '--hidden';

export type AutostartPlan =
  | { kind: 'login-item'; settings: { openAtLogin: boolean; openAsHidden: boolean; args: string[] } }
  | { kind: 'desktop-file'; file: string; contents: string | undefined };

/** The command to start: an AppImage must be started through its file, not the mounted binary. */
export function autostartCommand(execPath: string, env: NodeJS.ProcessEnv): string {
  return env.APPIMAGE && path.isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath;
}

/** Quotes an argument for a desktop file's Exec key (freedesktop Desktop Entry spec). */
export function desktopExecQuote(arg: string): string {
  if (/^[A-Za-z0-9_/.+,:=@-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

export function autostartDesktopEntry(command: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Haven',
    'Comment=Archive and record media',
    `Exec=${desktopExecQuote(command)} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartPlan(enabled: boolean, platform: NodeJS.Platform, execPath: string, env: NodeJS.ProcessEnv, home: string): AutostartPlan {
  if (platform === 'darwin' || platform === 'win32') {
    return { kind: 'login-item', settings: { openAtLogin: enabled, openAsHidden: enabled, args: enabled ? [HIDDEN_ARG] : [] } };
  }
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return { kind: 'desktop-file', file: path.join(configHome, 'autostart', 'haven.desktop'), contents: enabled ? autostartDesktopEntry(autostartCommand(execPath, env)) : undefined };
}
