import type { BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';

export const APP_SCHEME = 'haven';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The renderer's web preferences: isolated, sandboxed, no Node, web security on. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export function mainWindowOptions(preloadPath: string, darkBackground: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Haven',
    backgroundColor: darkBackground ? '#16181d' : '#f7f7f9',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** May the window navigate here? Only within the app's own scheme. */
export function isAllowedNavigation(url: string): boolean {
  try {
    // Compare parts: Node gives custom schemes an opaque ('null') origin, Electron does not.
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The only schemes the system browser is asked to open (links in READMEs, plugin homepages). */
export const EXTERNAL_PROTOCOLS: readonly string[] = ['https:', 'http:'];

/**
 * Links the user clicks open in the system browser, never inside Haven: only web links, and
 * none carrying credentials (`https://user:pass@host` is a classic phishing shape).
 */
export function externalUrlToOpen(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (!EXTERNAL_PROTOCOLS.includes(parsed.protocol) || parsed.username || parsed.password) return undefined;
    return parsed.toString();
  } catch {
    return undefined;
  }
}

/**
 * Installs the guards every web contents gets (`app.on('web-contents-created')`): `window.open`
 * and target=_blank never open a window (web links go to the system browser), navigation and
 * redirects leave the app's scheme for nowhere, and `<webview>` is never attached.
 */
export function guardWebContents(contents: Pick<WebContents, 'setWindowOpenHandler' | 'on'>, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url);
    if (external) openExternal(external);
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string): void => {
    if (isAllowedNavigation(url)) return;
    event.preventDefault();
    const external = externalUrlToOpen(url);
    if (external) openExternal(external);
  };
  contents.on('will-navigate', (event, url) => stayInApp(event, url));
  // Frames inside the page (there are none; CSP forbids them) never navigate out either.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * The session refuses every permission (camera, microphone, notifications, geolocation, HID,
 * USB, serial, screen capture…): Haven's renderer needs none, and main shows notifications.
 */
export function guardSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'setDisplayMediaRequestHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}
