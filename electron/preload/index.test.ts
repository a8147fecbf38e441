import { beforeAll, describe, expect, it, vi } from 'vitest';

// The preload runs against a stand-in for Electron's modules: what it exposes and what it accepts
// from main are checked here, since no Electron binary runs in CI.
const exposed: Record<string, unknown> = {};
const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
const sent: unknown[][] = [];

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => listeners.set(channel, listener),
    send: (...args: unknown[]) => sent.push(args),
    invoke: (...args: unknown[]) => Promise.resolve(args),
  },
  webUtils: { getPathForFile: () => '/dropped/file' },
}));

const fakeWindow = { location: { hash: '#/plugins', origin: 'haven://app' }, postMessage: vi.fn() };

beforeAll(async () => {
  vi.stubGlobal('window', fakeWindow);
  await import('./index');
});

describe('preload', () => {
  it('exposes only the typed desktop API, nothing generic', () => {
    expect(Object.keys(exposed)).toEqual(['havenDesktop']);
    const api = exposed.havenDesktop as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['onOpenPackage', 'pathForFile', 'pickPath', 'requestPort']);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    (api.requestPort as () => void)();
    expect(sent).toEqual([['haven:connect']]);
  });

  it('navigates only to the app routes main may send', () => {
    const navigate = listeners.get('haven:navigate')!;
    navigate({}, '#/library/42');
    expect(fakeWindow.location.hash).toBe('#/library/42');
    for (const bad of ['javascript:alert(1)', '#/evil', 'https://example.com', '#/jobs/<script>', 42, undefined]) {
      navigate({}, bad);
      expect(fakeWindow.location.hash).toBe('#/library/42');
    }
  });

  it('hands opened packages to the page, also those that arrived before it listened', () => {
    const open = listeners.get('haven:open-package')!;
    open({}, '/tmp/early.havenplugin');
    open({}, { not: 'a path' });
    const got: string[] = [];
    (exposed.havenDesktop as { onOpenPackage(listener: (path: string) => void): void }).onOpenPackage((path) => got.push(path));
    open({}, '/tmp/late.havenplugin');
    expect(got).toEqual(['/tmp/early.havenplugin', '/tmp/late.havenplugin']);
  });
});
