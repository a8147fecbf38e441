import fs from 'node:fs';
import path from 'node:path';

export type YtDlpSource = 'configured' | 'managed' | 'system';

export interface YtDlpBinary {
  path: string;
  source: YtDlpSource;
}

export const EXECUTABLE = process.platform === 'win32' ? 'yt-dlp.exe' : 'yt-dlp';

/** Where "Install / update yt-dlp" puts the copy Haven manages. */
export function managedPath(toolsDir: string): string {
  return path.join(toolsDir, EXECUTABLE);
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Which yt-dlp to run: `ytdlp_path` if set, else the copy Haven manages (its tools folder, `plugin-data/youtube/bin`), else
 * the one on PATH. A configured path that does not run is an error, not a silent fallback.
 */
export function resolveYtDlp(configured: string | undefined, toolsDir: string, onPath: string | undefined): YtDlpBinary | { error: string } | undefined {
  if (configured) return executable(configured) ? { path: configured, source: 'configured' } : { error: `ytdlp_path ${configured} is not an executable file` };
  const managed = managedPath(toolsDir);
  if (executable(managed)) return { path: managed, source: 'managed' };
  return onPath ? { path: onPath, source: 'system' } : undefined;
}

/** yt-dlp's version (`2025.10.22`, nightlies `2025.10.22.233000`) as a date, and its age in days. */
export function versionAge(version: string, now = new Date()): number | undefined {
  const match = /^(\d{4})\.(\d{2})\.(\d{2})/.exec(version.trim());
  if (!match) return undefined;
  const released = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Math.max(0, Math.floor((now.getTime() - released) / 86_400_000));
}

/** From 2025.11.12 yt-dlp needs a JavaScript runtime for YouTube; older ones have no such option. */
export function needsJsRuntime(version: string): boolean {
  const match = /^(\d{4})\.(\d{2})\.(\d{2})/.exec(version.trim());
  if (!match) return false;
  return `${match[1]}${match[2]}${match[3]}` >= '20251112';
}

/** The official release for this system: a standalone binary where one exists, else the zipapp. */
export function officialReleaseUrl(platform = process.platform, arch = process.arch): string {
  const base = 'https://github.com/yt-dlp/yt-dlp/releases/latest/download/';
  if (platform === 'win32') return `${base}yt-dlp.exe`;
  if (platform === 'darwin') return `${base}yt-dlp_macos`;
  if (platform === 'linux' && arch === 'x64') return `${base}yt-dlp_linux`;
  if (platform === 'linux' && arch === 'arm64') return `${base}yt-dlp_linux_aarch64`;
  return `${base}yt-dlp`;
}
