import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planLaunch, userArguments } from './launchArgs';

const cwd = path.resolve('/home/user/Downloads');
const magnet = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Debian';

describe('the arguments a launch brings', () => {
  it('drops the executable, and the app path when Electron runs the unpackaged app', () => {
    expect(userArguments(['/opt/Haven/haven', 'a.torrent'], true)).toEqual(['a.torrent']);
    expect(userArguments(['/usr/bin/electron', '.', 'a.torrent'], false)).toEqual(['a.torrent']);
    // Chromium may put its switches before the app's path in a second instance's argv.
    expect(userArguments(['/usr/bin/electron', '--allow-file-access-from-files', 'out/main/index.js', magnet], false)).toEqual(['--allow-file-access-from-files', magnet]);
  });
});

describe('second-instance routing', () => {
  it('archives magnet links and web addresses', () => {
    expect(planLaunch([magnet, 'https://www.youtube.com/watch?v=abc'], cwd).requests).toEqual([
      { kind: 'archive-url', url: magnet },
      { kind: 'archive-url', url: 'https://www.youtube.com/watch?v=abc' },
    ]);
  });

  it('archives .torrent files and opens .havenplugin packages, relative to the launch folder', () => {
    expect(planLaunch(['debian.torrent', '/tmp/Tools.HAVENPLUGIN'], cwd).requests).toEqual([
      { kind: 'archive-file', path: path.join(cwd, 'debian.torrent') },
      { kind: 'install-package', path: path.resolve('/tmp/Tools.HAVENPLUGIN') },
    ]);
  });

  it('understands file: URLs (some file managers pass them)', () => {
    const file = path.resolve('/tmp/my file.torrent');
    expect(planLaunch([pathToFileURL(file).toString()], cwd).requests).toEqual([{ kind: 'archive-file', path: file }]);
  });

  it('skips switches, notes --hidden, and lists what it did not understand', () => {
    const plan = planLaunch(['--hidden', '--no-sandbox', 'notes.txt', 'javascript:alert(1)', 'haven://app/x', 'smb://host/share.torrent'], cwd);
    expect(plan.hidden).toBe(true);
    expect(plan.requests).toEqual([]);
    expect(plan.ignored).toEqual(['notes.txt', 'javascript:alert(1)', 'haven://app/x', 'smb://host/share.torrent']);
  });

  it('treats a Windows drive path as a path, not a scheme', () => {
    const plan = planLaunch(['C:\\Users\\me\\a.torrent'], cwd);
    expect(plan.requests).toHaveLength(1);
    expect(plan.requests[0]!.kind).toBe('archive-file');
  });

  it('drops duplicates, oversized and malformed arguments, and caps the count', () => {
    expect(planLaunch([magnet, magnet], cwd).requests).toHaveLength(1);
    expect(planLaunch([`https://example.com/${'a'.repeat(9000)}`], cwd).requests).toEqual([]);
    expect(planLaunch(['https://exa mple.com:99999/'], cwd).requests).toEqual([]);
    const many = Array.from({ length: 50 }, (_, i) => `https://example.com/${i}`);
    expect(planLaunch(many, cwd).requests).toHaveLength(20);
  });

  it('never starts hidden unless asked', () => {
    expect(planLaunch([], cwd)).toEqual({ requests: [], hidden: false, ignored: [] });
  });
});
