import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import { resolveHavenHome } from '../../core/home';
import { MIN_TOKEN_LENGTH, feedTokenFor, generateToken, isLoopbackHost } from '../../core/serve/access';
import type { AppLayout } from '../appRoot';
import { feedItems } from '../../core/serve/podcastFeed';

export interface ServeFlags {
  host?: string;
  port: string;
  token?: string;
  tokenFile?: string;
  daemon?: boolean;
}

/** The token from `--token-file` (systemd's LoadCredential, a 0600 file): not on the command line, where `ps` shows it. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new HavenError('INVALID_INPUT', `--token-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return text.trim();
}

export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new HavenError('INVALID_INPUT', `--port must be a number from 0 to 65535, not "${value}"`);
  }
  return Number(value);
}

/** `haven serve`: Core in plain Node, the UI over HTTP, the contract over WebSocket. */
export async function serveCommand(flags: ServeFlags, layout: AppLayout): Promise<void> {
  const port = parsePort(flags.port);
  const host = flags.host ?? '127.0.0.1';
  if (flags.token && flags.tokenFile) throw new HavenError('INVALID_INPUT', 'give --token or --token-file, not both');
  const token = flags.tokenFile ? readTokenFile(flags.tokenFile) : (flags.token ?? generateToken());
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new HavenError('INVALID_INPUT', `--token must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
  }
  if (!fs.existsSync(path.join(layout.rendererDir, 'index.html'))) {
    throw new HavenError('UNAVAILABLE', `the UI is not built (${layout.rendererDir} is missing): run \`npm run build\``);
  }
  if (flags.daemon) {
    // The background server gets the same flags; without a token it makes its own, and its
    // address (token included) is read back from the lock, which only the user can read.
    const { startDaemon } = await import('./daemon');
    // A token given on the command line goes to the server in a file, not in its `ps` line.
    let tokenArgs: string[] = [];
    if (flags.tokenFile) tokenArgs = ['--token-file', path.resolve(flags.tokenFile)];
    else if (flags.token) {
      const file = path.join(resolveHavenHome(), 'serve.token');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, token, { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      tokenArgs = ['--token-file', file];
    }
    await startDaemon(['--host', host, '--port', String(port), ...tokenArgs], layout);
    return;
  }
  if (!isLoopbackHost(host)) {
    process.stderr.write(`haven: listening on ${host}: anyone who can reach this address and has the token can use Haven\n`);
  }

  const [{ startCore }, { startHttpServer }] = await Promise.all([import('../../core/core'), import('../../core/serve/httpServer')]);
  const core = await startCore({
    home: resolveHavenHome(),
    host: 'serve',
    builtinPluginRoots: layout.builtinPluginRoots,
    pluginHostEntry: layout.pluginHostEntry,
    builtinCatalog: layout.builtinCatalog,
    feedToken: feedTokenFor(token),
  });
  let server;
  try {
    server = await startHttpServer({
      host,
      port,
      token,
      rendererDir: layout.rendererDir,
      connect: (protocol, transport) => core.router.connect(protocol, transport),
      playableCacheDir: path.join(core.paths.home, 'cache', 'playable'),
      fileForItem: (id) => {
        try {
          return core.library.get(id).outputPath;
        } catch {
          return undefined;
        }
      },
      feedFor: (name) => feedItems(core, name),
      fileForDerived: (id) => core.derived.servable(id),
      logger: core.logger.child('serve'),
    });
  } catch (error) {
    await core.dispose();
    throw error;
  }
  core.lock.update({ url: server.url });
  core.logger.info('serve: listening', { host, port: server.port });
  process.stdout.write(`Haven UI: ${server.url}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write(`haven: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    const deadline = setTimeout(() => {
      process.stderr.write('haven: shutdown took too long, exiting\n');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    void (async () => {
      await server.close();
      await core.dispose();
      process.exit(0);
    })();
  };
  // Core owns shutdown. conf's atomic writer (when-exit) also hooks these signals and re-raises
  // them, which would read here as a second signal; Core finishes its writes itself.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => stop(signal));
  }
}
