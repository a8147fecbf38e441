import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { isProcessAlive, readLock } from '../core/storage/lockfile';
import { CLI, REPO_ROOT, runHaven, tempHome, waitFor } from '../testing/fixtures';

// `haven serve --daemon` and `haven stop`: the background mode for servers without systemd.
const homes: string[] = [];
afterEach(() => {
  // A failed test must not leave a server behind.
  for (const home of homes.splice(0)) {
    const lock = readLock(path.join(home, 'core.lock'));
    if (lock && isProcessAlive(lock.pid)) process.kill(lock.pid, 'SIGKILL');
  }
});

describe('haven serve --daemon', () => {
  it('starts in the background with a token from a file, refuses a second start, and stops cleanly', async () => {
    const home = tempHome();
    homes.push(home);
    const tokenFile = path.join(home, 'token');
    fs.writeFileSync(tokenFile, 'a-token-from-a-file-0123456789abcdef\n', { mode: 0o600 });
    const env = { HAVEN_HOME: home, HAVEN_BUILTIN_PLUGINS: '' };

    const started = await runHaven(['serve', '--daemon', '--port', '0', '--token-file', tokenFile], env);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const url = /^Haven UI: (\S+)$/m.exec(started.stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=a-token-from-a-file-0123456789abcdef$/);
    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
    expect(readLock(path.join(home, 'core.lock'))).toMatchObject({ pid, host: 'serve' });
    // The token is not on the server's command line.
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('a-token-from-a-file');

    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');

    const again = await runHaven(['serve', '--daemon', '--port', '0'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`Haven already runs for ${home} (pid ${pid}, serve)`);

    const stopped = await runHaven(['stop'], env);
    expect(stopped).toMatchObject({ code: 0, stdout: `Stopped Haven (pid ${pid}).\n` });
    await waitFor(() => (!fs.existsSync(path.join(home, 'core.lock')) || readLock(path.join(home, 'core.lock'))?.pid !== pid ? true : undefined), 5000, 'the lock to be released');
    expect(fs.readFileSync(path.join(home, 'logs', 'serve.log'), 'utf8')).toContain('Haven UI: http://127.0.0.1:');

    expect(await runHaven(['stop'], env)).toMatchObject({ code: 0, stdout: `Haven is not running for ${home}.\n` });
  });

  it('says why a token file cannot be used', async () => {
    const home = tempHome();
    homes.push(home);
    const missing = await runHaven(['serve', '--daemon', '--port', '0', '--token-file', path.join(home, 'nope')], { HAVEN_HOME: home });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--token-file: cannot read');
    expect(missing.stderr).toContain('ENOENT');
    const both = await runHaven(['serve', '--port', '0', '--token', 'x'.repeat(40), '--token-file', path.join(home, 'nope')], { HAVEN_HOME: home });
    expect(both.stderr).toContain('give --token or --token-file, not both');
  });
});

describe('docs/haven.service', () => {
  it("runs its ExecStart as written (the token from the credential) and stops within TimeoutStopSec on SIGTERM", async () => {
    const unit = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'haven.service'), 'utf8');
    const execStart = /^ExecStart=(.+)$/m.exec(unit)![1]!.split(/\s+/);
    const stopTimeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)![1]);
    expect(/^KillSignal=(\w+)$/m.exec(unit)?.[1]).toBe('SIGTERM');
    const home = tempHome();
    homes.push(home);
    const credentials = path.join(home, 'credentials');
    fs.mkdirSync(credentials);
    fs.writeFileSync(path.join(credentials, 'token'), 'a-credential-token-0123456789\n', { mode: 0o600 });
    // The unit's command line with this checkout for /opt/haven and a free port for 8787.
    const args = execStart.slice(1).map((arg) =>
      arg === '/opt/haven/electron/cli/haven.mjs' ? CLI : arg === '8787' ? '0' : arg.replace('${CREDENTIALS_DIRECTORY}', credentials),
    );
    expect(execStart[0]).toBe('/usr/bin/node');
    const child = spawn(process.execPath, args, { env: { ...process.env, HAVEN_HOME: home, HAVEN_BUILTIN_PLUGINS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const url = await waitFor(() => /Haven UI: (\S+)/.exec(out)?.[1], 20_000, 'the server to start');
    expect(url).toMatch(/token=a-credential-token-0123456789$/);
    expect((await fetch(url)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const asked = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - asked).toBeLessThan(stopTimeout * 1000);
  });
});
