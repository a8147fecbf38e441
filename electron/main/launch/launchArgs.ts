import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * What a launch asks of Haven: the command line of a second launch (handed to the running one),
 * a file or link opened from the file manager or a browser, or macOS's open-file/open-url.
 * Pure, so every case is unit-tested; the Electron binding only carries out the requests.
 */

export type LaunchRequest =
  /** A magnet link or a web address: archived by the plugin that claims it. */
  | { kind: 'archive-url'; url: string }
  /** A `.torrent` file: archived like a file dropped on the window. */
  | { kind: 'archive-file'; path: string }
  /** A `.havenplugin` package: the install dialog opens on it. */
  | { kind: 'install-package'; path: string };

export interface LaunchPlan {
  requests: LaunchRequest[];
  /** `--hidden`: started at login, so the window stays in the tray. */
  hidden: boolean;
  /** Arguments that were not understood, for the log. */
  ignored: string[];
}

const MAX_REQUESTS = 20;
const Url = z.string().max(8192);
const MAGNET = /^magnet:\?/i;
const WEB = /^https?:\/\//i;

/**
 * The arguments the user (or the file manager) gave: without the executable and, when Electron
 * runs the unpackaged app, without the app's path (the first argument that is not a switch;
 * Chromium's switches may come before it).
 */
export function userArguments(argv: readonly string[], packaged: boolean): string[] {
  const rest = argv.slice(1);
  if (packaged) return rest;
  const appPath = rest.findIndex((arg) => !arg.startsWith('-'));
  return appPath < 0 ? rest : [...rest.slice(0, appPath), ...rest.slice(appPath + 1)];
}

function fromFile(file: string): LaunchRequest | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.torrent')) return { kind: 'archive-file', path: file };
  if (lower.endsWith('.havenplugin')) return { kind: 'install-package', path: file };
  return undefined;
}

function routeOne(arg: string, cwd: string): LaunchRequest | undefined {
  if (!Url.safeParse(arg).success) return undefined;
  if (MAGNET.test(arg)) return { kind: 'archive-url', url: arg };
  if (WEB.test(arg)) {
    try {
      return { kind: 'archive-url', url: new URL(arg).toString() };
    } catch {
      return undefined;
    }
  }
  if (/^file:/i.test(arg)) {
    try {
      return fromFile(fileURLToPath(arg));
    } catch {
      return undefined;
    }
  }
  // Another scheme (javascript:, haven:, smb:) is never a file path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg)) return undefined;
  return fromFile(path.resolve(cwd, arg));
}

export function planLaunch(args: readonly string[], cwd: string): LaunchPlan {
  const plan: LaunchPlan = { requests: [], hidden: false, ignored: [] };
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === '--hidden') {
      plan.hidden = true;
      continue;
    }
    // Chromium's and Electron's own switches ride along in a second instance's argv.
    if (arg.startsWith('-')) continue;
    const request = plan.requests.length < MAX_REQUESTS ? routeOne(arg, cwd) : undefined;
    const key = request ? JSON.stringify(request) : '';
    if (!request) plan.ignored.push(arg.slice(0, 200));
    else if (!seen.has(key)) {
      seen.add(key);
      plan.requests.push(request);
    }
  }
  return plan;
}
