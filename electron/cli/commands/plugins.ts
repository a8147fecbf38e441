import type { PluginConfigView, PluginSummary } from '@shared/domain/plugins';
import { HavenError } from '@shared/ipc/errors';
import { parseAssignments, describeType } from '../configAssignments';
import type { CoreSession } from '../coreSession';
import { formatBytes, formatValue, formatViewCell, printJson, printLine, printTable } from '../output';

const LOADABLE = new Set<PluginSummary['state']>(['stopped', 'starting', 'running', 'crashed', 'needs-config']);

function listEntry(plugin: PluginSummary) {
  return {
    name: plugin.name,
    id: plugin.id,
    version: plugin.version,
    enabled: plugin.enabled,
    state: plugin.state,
    ...(plugin.stateReason ? { stateReason: plugin.stateReason } : {}),
    capabilities: plugin.capabilities,
    health: plugin.health ? { status: plugin.health.status, output: plugin.health.output ?? null, checkedAt: plugin.health.checkedAt } : null,
    origin: plugin.origin,
    description: plugin.description,
    path: plugin.path,
  };
}

export async function pluginsList(session: CoreSession, flags: { all?: boolean; json?: boolean }): Promise<void> {
  const { plugins } = await session.client.call('plugins.list', {});
  const enabled = plugins.filter((p) => p.enabled && LOADABLE.has(p.state));
  // Health is part of the listing: check the enabled plugins now, all at once.
  if (enabled.length > 0) await session.client.call('plugins.health', { names: enabled.map((p) => p.name) }, { timeoutMs: 120_000 });
  const fresh = (await session.client.call('plugins.list', {})).plugins;
  const shown = flags.all ? fresh : fresh.filter((p) => p.enabled);
  if (flags.json) {
    printJson(shown.map(listEntry));
    return;
  }
  if (shown.length === 0) {
    printLine(flags.all ? 'No plugins found.' : 'No enabled plugins. `haven plugins list --all` shows every plugin.');
    return;
  }
  printTable(
    ['NAME', 'VERSION', 'STATE', 'HEALTH', 'CAPABILITIES'],
    shown.map((p) => [p.name, p.version || '-', p.enabled ? p.state : 'disabled', p.health?.status ?? '-', p.capabilities.join(',') || '-']),
  );
  const problems = shown.filter((p) => p.stateReason || p.health?.status === 'fail' || p.health?.status === 'warn');
  if (problems.length > 0) {
    printLine();
    for (const p of problems) printLine(`${p.name}: ${p.stateReason ?? p.health?.output ?? ''}`);
  }
}

export async function pluginsEnable(session: CoreSession, name: string, enable: boolean): Promise<void> {
  const summary = await session.client.call(enable ? 'plugins.enable' : 'plugins.disable', { name });
  const extra = enable && summary.stateReason ? ` (${summary.state}: ${summary.stateReason})` : '';
  printLine(`${summary.name} ${enable ? 'enabled' : 'disabled'}${extra}`);
}

/** `haven plugins action NAME [ACTION] [INPUT]`: lists a plugin's actions, or runs one. */
export async function pluginsAction(session: CoreSession, name: string, action: string | undefined, input: string | undefined): Promise<void> {
  if (!action) {
    const { actions } = await session.client.call('plugins.actions', { name }, { timeoutMs: 60_000 });
    if (actions.length === 0) {
      printLine(`${name} offers no actions.`);
      return;
    }
    printTable(
      ['ACTION', 'WHAT IT DOES', 'INPUT'],
      actions.map((a) => [a.id, a.description ? `${a.label}: ${a.description}` : a.label, a.input ? `${a.input.label}${a.input.required ? '' : ' (optional)'}` : '-']),
    );
    return;
  }
  const { message } = await session.client.call('plugins.action', { name, action, ...(input !== undefined ? { input } : {}) }, { timeoutMs: 15 * 60_000 + 5_000 });
  printLine(message);
}

/**
 * `haven plugins view NAME [VIEW] [ACTION ROW]`: lists a plugin's views, prints one as a table, or
 * runs a row action (a row is named by its id or the start of it, as with git hashes).
 */
export async function pluginsView(session: CoreSession, name: string, view: string | undefined, action: string | undefined, row: string | undefined, flags: { json?: boolean }): Promise<void> {
  let info = await session.client.call('plugins.info', { name });
  if (info.state !== 'running') {
    // Views are known once the plugin runs; asking for its actions starts it.
    await session.client.call('plugins.actions', { name }, { timeoutMs: 60_000 });
    info = await session.client.call('plugins.info', { name });
  }
  const views = info.views;
  if (!view) {
    if (flags.json) printJson(views);
    else if (views.length === 0) printLine(`${info.name} shows no views.`);
    else printTable(['VIEW', 'WHAT IT SHOWS', 'ROW ACTIONS'], views.map((v) => [v.id, v.description ? `${v.title}: ${v.description}` : v.title, v.rowActions.map((a) => a.id).join(', ') || '-']));
    return;
  }
  const shown = views.find((v) => v.id === view);
  if (!shown) throw new HavenError('NOT_FOUND', `${info.name} has no view ${view}${views.length ? ` (it shows: ${views.map((v) => v.id).join(', ')})` : ''}`);
  const { rows } = await session.client.call('plugins.view', { name: info.name, view });
  if (action) {
    if (!row) throw new HavenError('INVALID_INPUT', `name the row to ${action}: its id (the first column of \`haven plugins view ${info.name} ${view}\`)`);
    const exact = rows.filter((r) => r.id === row);
    const matches = exact.length ? exact : rows.filter((r) => r.id.startsWith(row));
    if (matches.length !== 1) throw new HavenError('NOT_FOUND', matches.length ? `"${row}" matches ${matches.length} rows; give more of the id` : `no row of ${view} has an id starting with "${row}"`);
    const { message } = await session.client.call('plugins.viewAction', { name: info.name, view, action, row: matches[0]!.id }, { timeoutMs: 5 * 60_000 + 5_000 });
    if (flags.json) printJson({ row: matches[0]!.id, action, message });
    else printLine(message);
    return;
  }
  if (flags.json) {
    printJson(rows);
    return;
  }
  if (rows.length === 0) {
    printLine(shown.empty ?? `${shown.title}: nothing to show.`);
    return;
  }
  printTable(
    ['ID', ...shown.columns.map((c) => c.label.toUpperCase())],
    rows.map((r) => [r.id.length > 12 ? r.id.slice(0, 12) : r.id, ...shown.columns.map((c) => formatViewCell(r.cells[c.id], c.format))]),
  );
}

export async function pluginsInfo(session: CoreSession, name: string, flags: { json?: boolean }): Promise<void> {
  const info = await session.client.call('plugins.info', { name });
  const config = await session.client.call('plugins.config.get', { name: info.name });
  if (flags.json) {
    printJson({ ...info, config: { values: config.values, secrets: config.secrets, issues: config.issues } });
    return;
  }
  printLine(`${info.name} ${info.version}  (${info.id})`);
  if (info.description) printLine(info.description);
  printLine();
  const rows: [string, string][] = [
    ['State', `${info.enabled ? info.state : 'disabled'}${info.stateReason ? `: ${info.stateReason}` : ''}`],
    ['Author', info.author ?? '-'],
    ['License', info.license ?? '-'],
    ['Category', info.category],
    ['Capabilities', info.capabilities.join(', ') || '-'],
    ['Location', `${info.path} (${info.origin})`],
    ['Dependencies', info.dependencies.map((d) => `${d.name} ${d.range}`).join(', ') || '-'],
    ['Needed by', info.dependents.join(', ') || '-'],
    ['Network', info.permissions.network.join(', ') || '-'],
    ['Folders', info.permissions.filesystem.join(', ') || '-'],
    ['Programs', info.permissions.binaries.join(', ') || '-'],
    ['Native code', info.permissions.addons ? 'yes (outside the sandbox)' : 'no'],
    ['URLs', info.urlPatterns.join('  ') || '-'],
    ['Health', info.health ? `${info.health.status}${info.health.output ? `: ${info.health.output}` : ''} (${info.health.checkedAt})` : 'not checked yet'],
  ];
  for (const [label, value] of rows) printLine(`${label.padEnd(13)} ${value}`);
  printLine();
  printConfig(info.name, config);
}

function printConfig(name: string, config: PluginConfigView): void {
  const properties = (config.schema?.properties as Record<string, Record<string, unknown>> | undefined) ?? {};
  const keys = Object.keys(properties);
  if (keys.length === 0) {
    printLine(`${name} has no settings.`);
    return;
  }
  printTable(
    ['SETTING', 'VALUE', 'EXPECTS'],
    keys.map((key) => {
      const value = key in config.secrets ? (config.secrets[key] ? '(set)' : '(not set)') : formatValue(config.values[key]);
      return [key, value, describeType(properties[key]!)];
    }),
  );
  for (const issue of config.issues) printLine(`needs attention: ${issue.path || '(config)'}: ${issue.message}`);
}

export async function pluginsConfigure(
  session: CoreSession,
  name: string,
  flags: { show?: boolean; set?: string[]; json?: boolean },
): Promise<void> {
  const assignments = flags.set ?? [];
  if (!flags.show && assignments.length === 0) {
    throw new HavenError('INVALID_INPUT', 'configure needs --show or at least one --set key=value');
  }
  const current = await session.client.call('plugins.config.get', { name });
  const { name: canonical } = await session.client.call('plugins.info', { name });
  if (assignments.length > 0) {
    if (!current.schema) throw new HavenError('UNAVAILABLE', `${canonical} could not be loaded to read its settings`);
    const values = parseAssignments(canonical, current.schema, assignments);
    const result = await session.client.call('plugins.config.set', { name: canonical, values });
    if (!result.ok) {
      const issue = result.issues[0]!;
      throw new HavenError('INVALID_INPUT', `${canonical}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    }
    if (flags.json) printJson({ values: result.config.values, secrets: result.config.secrets, issues: result.config.issues });
    else printLine(`${canonical}: saved ${Object.keys(values).join(', ')}`);
    if (!flags.show) return;
  }
  const config = assignments.length > 0 ? await session.client.call('plugins.config.get', { name: canonical }) : current;
  if (flags.json) {
    if (assignments.length === 0) printJson({ values: config.values, secrets: config.secrets, issues: config.issues, schema: config.schema });
    return;
  }
  printConfig(canonical, config);
}

export async function pluginsTest(
  session: CoreSession,
  name: string,
  flags: { discover?: boolean; archive?: string; json?: boolean },
): Promise<void> {
  const report = await session.client.call(
    'plugins.test',
    { name, discover: flags.discover ?? false, ...(flags.archive ? { archiveUrl: flags.archive } : {}) },
    { timeoutMs: 24 * 3600_000 },
  );
  if (flags.json) printJson(report);
  else {
    const { result } = report.health;
    printLine(`health: ${result.status}${result.output ? ` (${result.output})` : ''}${result.version ? ` version ${result.version}` : ''}`);
    if (report.discovery) {
      const { sources, skipped } = report.discovery;
      printLine(`discover (dry run): ${sources.length} to archive, ${skipped.length} skipped`);
      for (const source of sources.slice(0, 50)) printLine(`  + ${source.title ?? source.sourceId}  ${source.uri}`);
      if (sources.length > 50) printLine(`  … and ${sources.length - 50} more`);
      for (const item of skipped.slice(0, 50)) printLine(`  - ${item.source.title ?? item.source.sourceId}: ${item.reason}`);
    }
    if (report.archive) {
      const size = report.archive.fileSize !== undefined ? ` (${formatBytes(report.archive.fileSize)})` : '';
      printLine(`archive: saved ${report.archive.outputPath ?? '(no file)'}${size}`);
    }
  }
  if (report.health.result.status === 'fail') {
    process.exitCode = 1;
    if (!flags.json) process.stderr.write(`haven: ${report.name} is unhealthy: ${report.health.result.output ?? 'no details'}\n`);
  }
}
