import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { HavenError } from '@shared/ipc/errors';
import type { CoreSession } from '../coreSession';
import { printLine } from '../output';

/** The parts of a Haven CLI config file that Haven imports. */
const PluginsSection = z.object({
  enabled_plugins: z.array(z.string()).optional(),
  disabled_plugins: z.array(z.string()).optional(),
  plugin_dirs: z.array(z.string()).optional(),
  settings: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

const ImportFile = z.object({ plugins: z.record(z.string(), z.unknown()).optional() }).catchall(z.unknown());

export interface ImportReport {
  applied: string[];
  skipped: string[];
}

export function readTomlConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new HavenError('NOT_FOUND', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new HavenError('INVALID_INPUT', `${file}:${error.line}:${error.column}: ${error.message.split('\n')[0]}`);
    }
    throw new HavenError('INVALID_INPUT', `${file}: not TOML (${String(error)})`);
  }
}

/**
 * `haven config import FILE.toml`: plugin folders, per-plugin settings, then enabled/disabled
 * plugins. Each section is validated on its own; what cannot be applied is skipped and said.
 */
export async function importConfig(session: CoreSession, file: string): Promise<ImportReport> {
  const report: ImportReport = { applied: [], skipped: [] };
  const table = readTomlConfig(file);
  for (const key of Object.keys(table)) {
    if (key !== 'plugins') report.skipped.push(`[${key}]: Haven imports only the [plugins] section`);
  }
  // `plugins = 5` (or a string, or an array) is not a section: skipped and said, like any other mistake.
  const parsedFile = ImportFile.safeParse(table);
  if (!parsedFile.success) {
    report.skipped.push(`plugins: must be a [plugins] section, not ${Array.isArray(table.plugins) ? 'an array' : typeof table.plugins}`);
    return report;
  }
  const data = parsedFile.data;
  if (!data.plugins) {
    report.skipped.push('[plugins]: missing, nothing to import');
    return report;
  }
  const parsed = PluginsSection.safeParse(data.plugins);
  const known = new Set(Object.keys(PluginsSection.shape));
  for (const key of Object.keys(data.plugins)) if (!known.has(key)) report.skipped.push(`plugins.${key}: not a setting Haven knows`);
  if (!parsed.success) {
    // Keep the valid parts: check each key on its own.
    for (const issue of parsed.error.issues) report.skipped.push(`plugins.${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  const section = Object.fromEntries(
    Object.entries(data.plugins).filter(([key, value]) => known.has(key) && PluginsSection.shape[key as keyof typeof PluginsSection.shape].safeParse(value).success),
  ) as z.infer<typeof PluginsSection>;

  if (section.plugin_dirs?.length) {
    const base = path.dirname(path.resolve(file));
    const dirs = section.plugin_dirs.map((dir) => path.resolve(base, dir.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~')));
    const settings = await session.client.call('settings.get', {});
    const merged = [...new Set([...settings.pluginDirs, ...dirs])];
    try {
      await session.client.call('settings.update', { pluginDirs: merged });
      report.applied.push(`plugin_dirs: ${dirs.join(', ')}`);
    } catch (error) {
      report.skipped.push(`plugins.plugin_dirs: ${(error as Error).message}`);
    }
    await session.client.call('plugins.rescan', {});
  }

  for (const [pluginRef, values] of Object.entries(section.settings ?? {})) {
    const where = `[plugins.settings.${pluginRef}]`;
    let name: string;
    let schemaKeys: string[];
    try {
      name = (await session.client.call('plugins.info', { name: pluginRef })).name;
      const view = await session.client.call('plugins.config.get', { name });
      schemaKeys = Object.keys((view.schema?.properties as Record<string, unknown> | undefined) ?? {});
    } catch (error) {
      report.skipped.push(`${where}: ${(error as Error).message.replace(/^plugins\.\w+(\.\w+)?: /, '')}`);
      continue;
    }
    let accepted: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      if (schemaKeys.includes(key)) accepted[key] = value;
      else report.skipped.push(`${where} ${key}: ${name} has no such setting`);
    }
    let result = await session.client.call('plugins.config.set', { name, values: accepted });
    if (!result.ok) {
      const bad = new Set(result.issues.map((issue) => issue.path.split('.')[0]!));
      for (const issue of result.issues) report.skipped.push(`${where} ${issue.path}: ${issue.message}`);
      accepted = Object.fromEntries(Object.entries(accepted).filter(([key]) => !bad.has(key)));
      result = await session.client.call('plugins.config.set', { name, values: accepted });
      if (!result.ok) {
        for (const issue of result.issues) report.skipped.push(`${where} ${issue.path}: ${issue.message}`);
        continue;
      }
    }
    if (Object.keys(accepted).length > 0) report.applied.push(`${name}: ${Object.keys(accepted).join(', ')}`);
  }

  const toggle = async (names: readonly string[], enable: boolean): Promise<void> => {
    for (const ref of names) {
      try {
        const summary = await session.client.call(enable ? 'plugins.enable' : 'plugins.disable', { name: ref });
        report.applied.push(`${summary.name} ${enable ? 'enabled' : 'disabled'}`);
      } catch (error) {
        report.skipped.push(`${enable ? 'enabled_plugins' : 'disabled_plugins'} ${ref}: ${(error as Error).message.replace(/^plugins\.\w+: /, '')}`);
      }
    }
  };
  await toggle(section.enabled_plugins ?? [], true);
  await toggle(section.disabled_plugins ?? [], false);
  return report;
}

export async function configImportCommand(session: CoreSession, file: string): Promise<void> {
  const report = await importConfig(session, file);
  for (const line of report.applied) printLine(`imported  ${line}`);
  for (const line of report.skipped) printLine(`skipped   ${line}`);
  if (report.applied.length === 0 && report.skipped.length === 0) printLine('nothing to import');
  if (report.skipped.length > 0) {
    process.stderr.write(`haven: ${report.skipped.length} item(s) of ${file} were skipped (see above)\n`);
    process.exitCode = 1;
  }
}

