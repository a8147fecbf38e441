import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { IpcClient } from '@shared/ipc/client';
import { HavenError, describeAccessDenied } from '@shared/ipc/errors';
import { DisposableStore, Emitter } from '@shared/lifecycle';
import { isPluginDefinition, type PluginDefinition } from '@shared/sdk/definePlugin';
import type { PluginManifest } from '@shared/sdk/manifest';
import type { MessageHandler } from '@shared/sdk/messaging';
import { unloadingReason } from './unloading';
import { ActionInfo, HOOK_NAMES, VIEW_MAX_ROWS, ViewInfo, ViewRow, type HookName, type JobHandle, type PluginHooks, type PluginView, type ProgressUpdate } from '@shared/sdk/types';
import { StreamCoalescer } from '@shared/ipc/coalesce';
import type { CallHandlers, EventHandlers } from '../../ipc/router';
import { createLogger, createPluginContext } from './context';
import type { ConfigIssue, CoreContract, HostContract, HostDescription } from './contracts';
import type { HostLoadInput } from './contracts';

import { TaskScheduler } from './scheduler';
import { configJsonSchema } from './configJsonSchema';
import { installChildProcessGuard } from './childProcessGuard';

type HookFn = (...args: unknown[]) => unknown;

/**
 * Everything that happens inside a plugin's process: importing its module, building its ctx,
 * running its hooks. Core reaches it only through the host contract.
 */
export class PluginHost {
  private definition?: PluginDefinition;
  private manifest?: PluginManifest;
  private load?: z.output<typeof HostLoadInput>;
  private hooks?: PluginHooks;
  private config: Record<string, unknown> = {};
  private readonly configChanged = new Emitter<{ config: Record<string, unknown>; previous: Record<string, unknown> }>();
  private readonly store = new DisposableStore();
  private readonly unload = new AbortController();
  private readonly jobs = new Map<string, AbortController>();
  private readonly state: Record<string, unknown> = {};
  private readonly messageHandlers = new Set<MessageHandler>();
  private readonly startedAt = Date.now();
  private readonly scheduler: TaskScheduler;
  /** A plugin may report progress as often as it likes; Core hears at most ~10 updates a second per job. */
  private readonly progress = new StreamCoalescer<{ jobId: string; update: ProgressUpdate }>({
    minIntervalMs: 100,
    key: (event) => event.jobId,
    send: (event) => {
      this.core.call('core.progress', event).catch(() => undefined);
    },
  });

  constructor(private readonly core: IpcClient<CoreContract>) {
    const logger = createLogger(core);
    this.scheduler = this.store.add(
      new TaskScheduler((task, error) => logger.warn(`scheduled task ${task.name} failed`, { error: errorMessage(error) })),
    );
  }

  handlers(): { calls: CallHandlers<HostContract>; events: EventHandlers<HostContract> } {
    return {
      calls: {
        'host.load': (input) => this.loadPlugin(input),
        'host.ping': () => ({ uptimeMs: Date.now() - this.startedAt, rssBytes: process.memoryUsage.rss() }),
        'host.validateConfig': ({ config }) => this.validate(config),
        'host.start': (input) => this.start(input.config, input.state),
        'host.configChanged': ({ config }) => {
          const previous = this.config;
          this.config = config;
          this.configChanged.fire({ config, previous });
          return null;
        },
        'host.invoke': (input) => this.invoke(input.hook, input.args, input.jobId),
        'host.cancel': ({ jobId }) => {
          const job = this.jobs.get(jobId);
          job?.abort(new HavenError('CANCELLED', 'cancelled'));
          return { found: job !== undefined };
        },
        'host.callApi': (input) => this.callApi(input.method, input.args),
        'host.message': (input) => this.receive(input.from, input.message),
        'host.runAction': (input) => this.runAction(input.action, input.input),
        'host.viewRows': ({ view }) => this.viewRows(view),
        'host.viewAction': (input) => this.viewAction(input.view, input.action, input.row),
        'host.snapshotState': () => ({ state: this.snapshot() }),
        'host.shutdown': () => this.shutdown(),
      },
      events: {},
    };
  }

  private async loadPlugin(input: z.output<typeof HostLoadInput>): Promise<HostDescription> {
    if (this.definition) throw new HavenError('CONFLICT', 'the plugin is already loaded');
    const entry = path.resolve(input.pluginDir, input.entry);
    if (!entry.startsWith(path.resolve(input.pluginDir) + path.sep)) {
      throw new HavenError('FORBIDDEN', `entry ${input.entry} is outside the plugin folder`);
    }
    // Sandboxed (Core started this process under the permission model): only declared programs.
    if ('permission' in process) {
      installChildProcessGuard({
        plugin: input.manifest.name,
        binaries: input.manifest.permissions.binaries,
        programFiles: input.programFiles,
        trustedDirs: [...input.binDirs, ...(process.env.PATH ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir))],
      });
    }
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(entry).href)) as { default?: unknown };
    } catch (error) {
      throw new HavenError('INVALID_INPUT', `cannot import ${input.entry}: ${errorMessage(error)}`);
    }
    if (!isPluginDefinition(module.default)) {
      throw new HavenError(
        'INVALID_INPUT',
        `${input.entry} must export default definePlugin({...}) from '@haven/sdk'`,
      );
    }
    const definition = module.default;
    if (definition.manifest) {
      const { name, version } = definition.manifest;
      if (name !== input.manifest.name || version !== input.manifest.version) {
        throw new HavenError(
          'CONFLICT',
          `the code says ${name} ${version} but plugin.json says ${input.manifest.name} ${input.manifest.version}`,
        );
      }
    }
    this.definition = definition;
    this.manifest = input.manifest;
    this.load = input;
    return {
      configSchema: configJsonSchema(definition.configSchema),
      preserveOnReload: [...definition.preserveOnReload],
    };
  }

  private validate(config: unknown): { ok: true; config: Record<string, unknown> } | { ok: false; issues: ConfigIssue[] } {
    const definition = this.requireDefinition();
    const result = definition.configSchema.safeParse(config ?? {});
    if (result.success) return { ok: true, config: result.data as Record<string, unknown> };
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    };
  }

  private async start(config: Record<string, unknown>, state: Record<string, unknown>): Promise<{ api: string[]; hooks: HookName[]; actions: ActionInfo[]; views: ViewInfo[] }> {
    const definition = this.requireDefinition();
    if (this.hooks) throw new HavenError('CONFLICT', 'the plugin is already started');
    const checked = definition.configSchema.safeParse(config);
    if (!checked.success) throw new HavenError('INVALID_INPUT', `config: ${checked.error.issues.map(describeIssue).join('; ')}`);
    this.config = checked.data as Record<string, unknown>;
    for (const key of definition.preserveOnReload) if (key in state) this.state[key] = state[key];
    const load = this.load!;
    const ctx = createPluginContext({
      manifest: this.manifest!,
      dataDir: load.dataDir,
      outputDir: load.outputDir,
      havenVersion: load.havenVersion,
      binDirs: load.binDirs,
      core: this.core,
      scheduler: this.scheduler,
      store: this.store,
      signal: this.unload.signal,
      state: this.state,
      config: () => this.config,
      configChanged: this.configChanged,
      messageHandlers: this.messageHandlers,
    });
    const hooks = await definition.setup(ctx);
    if (typeof hooks !== 'object' || hooks === null) throw new HavenError('INVALID_OUTPUT', 'setup(ctx) must return an object of hooks');
    this.hooks = hooks;
    await hooks.initialize?.();
    return {
      api: Object.keys(hooks.api ?? {}).filter((name) => typeof hooks.api?.[name] === 'function'),
      hooks: HOOK_NAMES.filter((name) => typeof hooks[name] === 'function'),
      actions: describeActions(hooks.actions),
      views: describeViews(hooks.views),
    };
  }

  private async invoke(hook: HookName, args: unknown[], jobId?: string): Promise<{ result: unknown }> {
    const hooks = this.requireHooks();
    const fn = hooks[hook] as HookFn | undefined;
    if (typeof fn !== 'function') {
      throw new HavenError('NOT_IMPLEMENTED', `${this.manifest?.name} does not implement ${hook}`);
    }
    if (!jobId) return { result: await fn.apply(hooks, args) };
    if (this.jobs.has(jobId)) throw new HavenError('CONFLICT', `job ${jobId} is already running`);
    const controller = new AbortController();
    const onUnload = (): void => controller.abort(unloadingReason());
    this.unload.signal.addEventListener('abort', onUnload, { once: true });
    this.jobs.set(jobId, controller);
    const job: JobHandle = {
      id: jobId,
      signal: controller.signal,
      progress: (update) => this.progress.push({ jobId, update }),
    };
    try {
      return { result: await fn.apply(hooks, [...args, job]) };
    } finally {
      // The last update leaves before the result does.
      this.progress.forget(jobId);
      this.jobs.delete(jobId);
      this.unload.signal.removeEventListener('abort', onUnload);
    }
  }

  private async callApi(method: string, args: unknown[]): Promise<{ result: unknown }> {
    const api = this.requireHooks().api ?? {};
    const fn = Object.hasOwn(api, method) ? (api[method] as HookFn | undefined) : undefined;
    if (typeof fn !== 'function') throw new HavenError('NOT_FOUND', `${this.manifest?.name} has no api function ${method}`);
    return { result: await fn.apply(api, args) };
  }

  /** A message from another plugin: every ctx.onMessage handler, one after the other. */
  private readonly receiving = new Map<string, Promise<unknown>>();

  private async receive(from: string, message: unknown): Promise<null> {
    this.requireHooks();
    if (this.messageHandlers.size === 0) throw new HavenError('NOT_FOUND', `${this.manifest?.name} does not take messages (it has no ctx.onMessage handler)`);
    // One message per sender at a time, even when Core gave up waiting for the one before (a
    // handler over the time limit): the next waits here, so handlers never overlap.
    const previous = this.receiving.get(from) ?? Promise.resolve();
    const handled = previous.then(async () => {
      for (const handler of [...this.messageHandlers]) await handler(message, from);
    });
    const settled = handled.catch(() => undefined);
    this.receiving.set(from, settled);
    void settled.then(() => {
      if (this.receiving.get(from) === settled) this.receiving.delete(from);
    });
    await handled;
    return null;
  }

  private async runAction(id: string, input: string | undefined): Promise<{ message: string }> {
    const actions = this.requireHooks().actions ?? {};
    const action = Object.hasOwn(actions, id) ? actions[id] : undefined;
    if (!action || typeof action.run !== 'function') throw new HavenError('NOT_FOUND', `${this.manifest?.name} has no action ${id}`);
    if (action.input?.required && !input?.trim()) throw new HavenError('INVALID_INPUT', `${action.label} needs ${action.input.label}`);
    const result = await action.run(input?.trim() || undefined);
    return { message: typeof result === 'string' && result ? result.slice(0, 20_000) : `${action.label}: done` };
  }

  private view(id: string): PluginView {
    const views = this.requireHooks().views ?? {};
    const view = Object.hasOwn(views, id) ? views[id] : undefined;
    if (!view || typeof view.rows !== 'function') throw new HavenError('NOT_FOUND', `${this.manifest?.name} has no view ${id}`);
    return view;
  }

  private async viewRows(id: string): Promise<{ rows: ViewRow[] }> {
    const rows = await this.view(id).rows();
    if (!Array.isArray(rows)) throw new HavenError('INVALID_OUTPUT', `view ${id}: rows() must return an array`);
    const checked = ViewRow.array().max(VIEW_MAX_ROWS).safeParse(rows);
    if (!checked.success) throw new HavenError('INVALID_OUTPUT', `view ${id}: ${checked.error.issues.slice(0, 3).map(describeIssue).join('; ')}`);
    return { rows: checked.data };
  }

  private async viewAction(id: string, actionId: string, row: string): Promise<{ message: string }> {
    const view = this.view(id);
    const actions = view.rowActions ?? {};
    const action = Object.hasOwn(actions, actionId) ? actions[actionId] : undefined;
    if (!action || typeof action.run !== 'function') throw new HavenError('NOT_FOUND', `view ${id} has no action ${actionId}`);
    // Only a row the view shows now, and an action that row offers.
    const { rows } = await this.viewRows(id);
    const target = rows.find((r) => r.id === row);
    if (!target) throw new HavenError('NOT_FOUND', `view ${id} shows no row ${row.slice(0, 80)}`);
    if (!target.actions.includes(actionId)) throw new HavenError('CONFLICT', `${action.label} does not apply to ${row.slice(0, 80)} now`);
    const result = await action.run(row);
    return { message: typeof result === 'string' && result ? result.slice(0, 20_000) : `${action.label}: done` };
  }

  private snapshot(): Record<string, unknown> {
    const keys = this.definition?.preserveOnReload ?? [];
    return Object.fromEntries(keys.filter((key) => key in this.state).map((key) => [key, this.state[key]]));
  }

  private async shutdown(): Promise<null> {
    try {
      await this.hooks?.shutdown?.();
    } finally {
      this.unload.abort();
      this.store.dispose();
    }
    return null;
  }

  private requireDefinition(): PluginDefinition {
    if (!this.definition) throw new HavenError('CONFLICT', 'the plugin is not loaded yet');
    return this.definition;
  }

  private requireHooks(): PluginHooks {
    if (!this.hooks) throw new HavenError('CONFLICT', 'the plugin is not started');
    return this.hooks;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}

export function errorMessage(error: unknown): string {
  return describeAccessDenied(error) ?? (error instanceof Error ? error.message : String(error));
}

/** The actions a plugin offers, as Core and the UI see them; malformed ones are left out. */
function describeActions(actions: PluginHooks['actions']): ActionInfo[] {
  if (typeof actions !== 'object' || actions === null) return [];
  return Object.entries(actions)
    .filter(([, action]) => typeof action?.run === 'function')
    .slice(0, 32)
    .flatMap(([id, action]) => {
      const parsed = ActionInfo.safeParse({ id, label: action.label, description: action.description, input: action.input });
      return parsed.success ? [parsed.data] : [];
    });
}

/** The views a plugin offers, as Core and the UI see them; malformed ones are left out. */
function describeViews(views: PluginHooks['views']): ViewInfo[] {
  if (typeof views !== 'object' || views === null) return [];
  return Object.entries(views)
    .filter(([, view]) => typeof view?.rows === 'function')
    .slice(0, 8)
    .flatMap(([id, view]) => {
      const rowActions = Object.entries(view.rowActions ?? {}).map(([actionId, action]) => ({ id: actionId, label: action.label, confirm: action.confirm, danger: action.danger }));
      const parsed = ViewInfo.safeParse({ id, title: view.title, description: view.description, empty: view.empty, columns: view.columns, rowActions });
      return parsed.success ? [parsed.data] : [];
    });
}
