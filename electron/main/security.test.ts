import { EventEmitter } from 'node:events';
import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../core/serve/staticAssets';
import { externalUrlToOpen, guardSession, guardWebContents, isAllowedNavigation, mainWindowOptions, secureWebPreferences } from './security';

describe('renderer web preferences', () => {
  it('isolate, sandbox and keep Node out of the renderer', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    expect(mainWindowOptions('/app/preload.cjs', true).webPreferences).toEqual(prefs);
    // Nothing weakens them by being present at all.
    expect(Object.keys(prefs).sort()).toEqual(
      ['allowRunningInsecureContent', 'contextIsolation', 'experimentalFeatures', 'navigateOnDragDrop', 'nodeIntegration', 'nodeIntegrationInSubFrames', 'nodeIntegrationInWorker', 'preload', 'sandbox', 'spellcheck', 'webSecurity', 'webviewTag'].sort(),
    );
  });
});

describe('content security policy', () => {
  const directives = new Map(contentSecurityPolicy().split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name!, values] as const;
  }));
  it('has no eval, no inline script and no remote origin anywhere', () => {
    const all = [...directives.values()].flat();
    expect(all).not.toContain("'unsafe-eval'");
    expect(all).not.toContain("'unsafe-inline'");
    expect(all).not.toContain("'wasm-unsafe-eval'");
    for (const value of all) expect(value).toMatch(/^('self'|'none'|data:|blob:)$/);
  });
  it('locks scripts, objects, frames, forms and the base URL', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});

describe('navigation', () => {
  it('stays inside the app scheme', () => {
    expect(isAllowedNavigation('haven://app/index.html')).toBe(true);
    expect(isAllowedNavigation('https://example.com')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('haven://other/x')).toBe(false);
    expect(isAllowedNavigation('not a url')).toBe(false);
  });
  it('opens only web links externally, never with credentials', () => {
    expect(externalUrlToOpen('https://example.com/a')).toBe('https://example.com/a');
    expect(externalUrlToOpen('file:///etc/passwd')).toBeUndefined();
    expect(externalUrlToOpen('javascript:alert(1)')).toBeUndefined();
    expect(externalUrlToOpen('smb://host/share')).toBeUndefined();
    expect(externalUrlToOpen('https://user:pass@example.com/')).toBeUndefined();
  });
});

class FakeContents extends EventEmitter {
  openHandler?: (details: { url: string }) => { action: string };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  /** Emits an event the way Electron does; true when a guard prevented it. */
  attempt(name: string, url: string, extra: Record<string, unknown> = {}): boolean {
    let prevented = false;
    this.emit(name, { url, ...extra, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

describe('web contents guards', () => {
  function guarded() {
    const contents = new FakeContents();
    const opened: string[] = [];
    guardWebContents(contents as unknown as WebContents, (url) => opened.push(url));
    return { contents, opened };
  }
  it('window.open never opens a window; web links go to the system browser', () => {
    const { contents, opened } = guarded();
    expect(contents.openHandler!({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'haven://app/index.html' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/docs']);
  });
  it('navigation out of the app is stopped (web links open outside), within it allowed', () => {
    const { contents, opened } = guarded();
    expect(contents.attempt('will-navigate', 'haven://app/index.html#/jobs')).toBe(false);
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(opened).toEqual(['https://evil.example/']);
  });
  it('redirects, sub-frame navigation and webviews are refused', () => {
    const { contents, opened } = guarded();
    expect(contents.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'haven://app/index.html')).toBe(false);
    expect(contents.attempt('will-frame-navigate', 'https://evil.example/', { isMainFrame: false })).toBe(true);
    expect(contents.attempt('will-attach-webview', 'https://evil.example/')).toBe(true);
    expect(opened).toEqual([]);
  });
});

describe('session guards', () => {
  it('refuse every permission request and check, devices and screen capture', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const fake = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
      setDisplayMediaRequestHandler: (h: never) => (handlers.display = h),
    };
    guardSession(fake as unknown as Session);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'hid', 'serial', 'usb']) {
      let granted: boolean | undefined;
      (handlers.request as unknown as (c: unknown, p: string, cb: (ok: boolean) => void) => void)({}, permission, (ok) => (granted = ok));
      expect(granted, permission).toBe(false);
      expect((handlers.check as unknown as (c: unknown, p: string) => boolean)({}, permission), permission).toBe(false);
    }
    expect((handlers.device as unknown as () => boolean)()).toBe(false);
    let streams: unknown;
    (handlers.display as unknown as (r: unknown, cb: (s: unknown) => void) => void)({}, (s) => (streams = s));
    expect(streams).toEqual({});
  });
});
