import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isHavenError } from '@shared/ipc/errors';
import { HAVEN_VERSION } from '../core/version';
import { appLayout } from './appRoot';
import { configImportCommand } from './commands/configImport';
import { createCommand, installCommand, packCommand, uninstallCommand } from './commands/packages';
import { archiveCommand, jobsList, jobsRetry, libraryImport, librarySearch, libraryVerify } from './commands/jobs';
import { pluginsAction, pluginsConfigure, pluginsEnable, pluginsInfo, pluginsList, pluginsTest, pluginsView } from './commands/plugins';
import { stopCommand } from './commands/daemon';
import { serveCommand, type ServeFlags } from './commands/serve';
import { openCoreSession, type CoreSession } from './coreSession';

// This file is the CLI's entry (out/main/cli.js once built), two folders below the app root.
const layout = appLayout(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));

function fail(error: unknown): never {
  const raw = isHavenError(error) ? error.message : error instanceof Error ? error.message : String(error);
  // Errors from Core name the call that failed (`plugins.enable: …`); the command line already says that.
  const message = raw.replace(/^[a-z]+(\.[a-zA-Z]+)+: /, '');
  process.stderr.write(`haven: ${message}\n`);
  process.exit(1);
}

/** Runs a command against Core (the running `haven serve`, or one in this process) and closes it. */
async function withCore(work: (session: CoreSession) => Promise<void>): Promise<void> {
  const session = await openCoreSession(layout);
  try {
    await work(session);
  } finally {
    await session.close();
  }
}

// `haven plugins list | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command()
  .name('haven')
  .description('Haven: archive and record media through plugins.')
  .version(HAVEN_VERSION, '-v, --version', 'print the version')
  .helpOption('-h, --help', 'show help')
  .showHelpAfterError('(run `haven --help` for usage)')
  .configureOutput({
    outputError: (text, write) => write(`haven: ${text.replace(/^error: /, '')}`),
  })
  .addHelpText(
    'after',
    '\nEnvironment:\n  HAVEN_HOME   data folder (database, settings, plugins, logs); default: the platform app-data folder',
  );

program
  .command('serve')
  .description('run Core headless and serve the UI to a browser')
  .option('--host <address>', 'address to listen on (non-loopback only when given explicitly)', '127.0.0.1')
  .option('--port <number>', 'port to listen on (0 picks a free one)', '8787')
  .option('--token <token>', 'access token (generated when not given)')
  .option('--token-file <file>', 'read the access token from this file (keeps it out of `ps`; systemd LoadCredential)')
  .option('--daemon', 'run in the background (log: HAVEN_HOME/logs/serve.log); stop with `haven stop`')
  .action(async (flags: ServeFlags) => {
    await serveCommand(flags, layout);
  });

program
  .command('stop')
  .description('stop the `haven serve` running for HAVEN_HOME (waits for it to finish its writes)')
  .action(async () => {
    await stopCommand();
  });

const plugins = program.command('plugins').description('list, enable, configure and test plugins');

plugins
  .command('list')
  .description('plugins with their state and health (enabled ones; --all for every plugin)')
  .option('--all', 'include disabled plugins and plugins that cannot load')
  .option('--json', 'print JSON')
  .action((flags: { all?: boolean; json?: boolean }) => withCore((session) => pluginsList(session, flags)));

plugins
  .command('enable <name>')
  .description('enable a plugin (name or short id, such as youtube)')
  .action((name: string) => withCore((session) => pluginsEnable(session, name, true)));

plugins
  .command('disable <name>')
  .description('disable a plugin')
  .action((name: string) => withCore((session) => pluginsEnable(session, name, false)));

plugins
  .command('info <name>')
  .description("a plugin's manifest, permissions, dependencies, health and settings")
  .option('--json', 'print JSON')
  .action((name: string, flags: { json?: boolean }) => withCore((session) => pluginsInfo(session, name, flags)));

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

plugins
  .command('configure <name>')
  .description('show or change settings: --show, --set key=value (repeatable; a,b,c makes a list)')
  .option('--show', 'show the settings')
  .option('--set <key=value>', 'change a setting', collect)
  .option('--json', 'print JSON')
  .action((name: string, flags: { show?: boolean; set?: string[]; json?: boolean }) =>
    withCore((session) => pluginsConfigure(session, name, flags)),
  );

plugins
  .command('action <name> [action] [input]')
  .description("run one of a plugin's actions (update its tool, import a file); without an action, list them")
  .action((name: string, action: string | undefined, input: string | undefined) => withCore((session) => pluginsAction(session, name, action, input)));

plugins
  .command('view <name> [view] [action] [row]')
  .description("show one of a plugin's views (BitTorrentPlugin's seeding); with an action and a row id, act on that row (stop, remove)")
  .option('--json', 'print JSON')
  .action((name: string, view: string | undefined, action: string | undefined, row: string | undefined, flags: { json?: boolean }) =>
    withCore((session) => pluginsView(session, name, view, action, row, flags)),
  );

plugins
  .command('test <name>')
  .description('health check; --discover for a discovery dry run; --archive URL for one real archive')
  .option('--discover', 'list what discovery would archive, without archiving')
  .option('--archive <url>', 'archive this URL now')
  .option('--json', 'print JSON')
  .action((name: string, flags: { discover?: boolean; archive?: string; json?: boolean }) =>
    withCore((session) => pluginsTest(session, name, flags)),
  );

program
  .command('archive <url>')
  .description('archive a URL or a local file (a .torrent) now, in the foreground (routed by the plugins\' urlPatterns)')
  .option('--plugin <name>', 'use this plugin instead of the one the URL routes to')
  .option('--force', 'archive again even if already archived')
  .option('--duration <seconds>', 'for a live stream: stop recording after this many seconds')
  .option('--json', 'JSON lines: the job, progress, state changes, the result')
  .action((url: string, flags: { plugin?: string; json?: boolean; force?: boolean; duration?: string }) => withCore((session) => archiveCommand(session, url, flags)));

const jobs = program
  .command('jobs')
  .description('list jobs (--state queued,running,paused,completed,failed,cancelled,skipped)')
  .option('--state <states>', 'only jobs in these states (comma-separated)')
  .option('--limit <n>', 'at most this many (default 200)')
  .option('--json', 'print JSON')
  .action((flags: { state?: string; json?: boolean; limit?: string }) => withCore((session) => jobsList(session, flags)));

jobs
  .command('retry [ids...]')
  .description('queue failed jobs again: by id, or --failed for all of them')
  .option('--failed', 'every failed job')
  .action((ids: string[], flags: { failed?: boolean }) => withCore((session) => jobsRetry(session, flags, ids)));

const library = program.command('library').description('search, import and verify the archive');

library
  .command('search <text>')
  .description('full-text search over titles, descriptions, channels, tags and subtitles')
  .option('--limit <n>', 'at most this many (default 50)')
  .option('--json', 'print JSON')
  .action((text: string, flags: { json?: boolean; limit?: string }) => withCore((session) => librarySearch(session, text, flags)));

library
  .command('import <dir>')
  .description('index files already on disk (sidecars, yt-dlp .info.json, [id] in names) so they are not downloaded again')
  .option('--json', 'print JSON')
  .action((dir: string, flags: { json?: boolean }) => withCore((session) => libraryImport(session, dir, flags)));

library
  .command('verify')
  .description('re-hash every archived file; exit 1 when files are missing or changed')
  .option('--json', 'print JSON lines')
  .action((flags: { json?: boolean }) => withCore((session) => libraryVerify(session, flags)));

const plugin = program.command('plugin').description('pack, install, uninstall and create plugin packages');

plugin
  .command('pack <dir>')
  .description('make a .havenplugin of a plugin folder (checks the manifest, leaves out dev files)')
  .option('-o, --output <file>', 'where to write it (default: NAME-VERSION.havenplugin)')
  .option('--json', 'print JSON')
  .action((dir: string, flags: { output?: string; json?: boolean }) => packCommand(dir, flags));

plugin
  .command('install <package>')
  .description('install a .havenplugin file, a plugin folder or an http(s) URL; shows what it may do first')
  .option('-y, --yes', 'install without asking')
  .option('--sha256 <hash>', 'refuse the package unless its sha256 is this')
  .option('--json', 'print JSON')
  .action((target: string, flags: { yes?: boolean; json?: boolean; sha256?: string }) => withCore((session) => installCommand(session, target, flags)));

plugin
  .command('uninstall <name>')
  .description('remove an installed plugin (built-in ones can only be disabled)')
  .option('--delete-data', 'also delete its settings, storage and data folder')
  .action((name: string, flags: { deleteData?: boolean }) => withCore((session) => uninstallCommand(session, name, flags)));

plugin
  .command('create <name>')
  .description('start a new plugin from the SDK template, with a test')
  .option('--dir <dir>', 'where (default: ./<short id>)')
  .action((name: string, flags: { dir?: string }) => createCommand(name, flags));

const config = program.command('config').description('import settings');

config
  .command('import <file>')
  .description('import a Haven CLI TOML config ([plugins] enabled/disabled/plugin_dirs and [plugins.settings.NAME])')
  .action((file: string) => withCore((session) => configImportCommand(session, file)));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  fail(error);
});
