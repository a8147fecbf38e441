import { describe, expect, it } from 'vitest';
import { externalUrlToOpen, isAllowedNavigation, mainWindowOptions, secureWebPreferences } from './security';

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
    });
    expect(mainWindowOptions('/app/preload.cjs', true).webPreferences).toEqual(prefs);
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
  it('opens only web links externally', () => {
    expect(externalUrlToOpen('https://example.com/a')).toBe('https://example.com/a');
    expect(externalUrlToOpen('file:///etc/passwd')).toBeUndefined();
    expect(externalUrlToOpen('javascript:alert(1)')).toBeUndefined();
    expect(externalUrlToOpen('smb://host/share')).toBeUndefined();
  });
});
