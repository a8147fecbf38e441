import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isHavenError } from '@shared/ipc/errors';
import { HAVEN_VERSION } from '../core/version';
import { appLayout } from './appRoot';
import { serveCommand } from './commands/serve';

// This file is the CLI's entry (out/main/cli.js once built), two folders below the app root.
const layout = appLayout(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));

function fail(error: unknown): never {
  const message = isHavenError(error) ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`haven: ${message}\n`);
  process.exit(1);
}

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
  .action(async (flags: { host?: string; port: string; token?: string }) => {
    await serveCommand(flags, layout);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  fail(error);
});
