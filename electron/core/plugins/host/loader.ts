// Module resolution hooks for the plugin host (registered with node:module `register`):
// `@haven/sdk` resolves to the host's SDK build, so plugins need no bundler and share its zod.
// The packages in APP_MODULES (native parts, too big to bundle) resolve from the app's own
// node_modules, wherever the plugin folder lives (built-in plugins sit outside app.asar).

/** Packages the app ships for its built-in plugins. */
export const APP_MODULES = ['webtorrent', 'parse-torrent', 'ws', '@livekit/rtc-node', 'werift'];

interface InitializeData {
  sdkUrl: string;
  /** A file of the app (the host entry); app modules resolve as if imported from it. */
  appUrl: string;
}

interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
  format?: string;
}

let sdkUrl = '';
let appUrl = '';

export function initialize(data: InitializeData): void {
  sdkUrl = data.sdkUrl;
  appUrl = data.appUrl;
}

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  if (specifier === '@haven/sdk') return { url: sdkUrl, shortCircuit: true, format: 'module' };
  // A package's name: `ws` of `ws/lib/x`, `@livekit/rtc-node` of `@livekit/rtc-node/y`.
  const parts = specifier.split('/');
  const name = (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
  if (APP_MODULES.includes(name) && appUrl) return nextResolve(specifier, { ...(context as object), parentURL: appUrl });
  return nextResolve(specifier, context);
}
