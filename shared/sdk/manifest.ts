import semver from 'semver';
import { z } from 'zod';
import { Capability } from './capabilities';
import { ProcessesDeclaration } from './processing';

/** Plugin names are identifiers (`YouTubePlugin`); the short id is derived from them. */
export const PluginName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{1,63}$/, 'must start with a letter and use only letters, digits, "-" or "_" (2-64)');

export const SemverVersion = z
  .string()
  .refine((value) => semver.valid(value) !== null, { message: 'must be a semantic version such as 1.2.3' });

export const SemverRange = z
  .string()
  .refine((value) => semver.validRange(value) !== null, { message: 'must be a semver range such as ^1.0.0' });

/** A path inside the plugin package: relative, no `..`, no drive letters. */
export const PackagePath = z
  .string()
  .min(1)
  .max(256)
  .refine((value) => !/^([a-zA-Z]:|[\\/])/.test(value) && !value.split(/[\\/]/).includes('..'), {
    message: 'must be a relative path inside the plugin folder',
  });

const Hostname = z
  .string()
  .regex(/^(\*\.)?[a-zA-Z0-9.-]+(:\d{1,5})?$|^\*$/, 'must be a host name such as example.com, *.example.com or 127.0.0.1:8080');

/** Programs that run whatever they are told (`python3.12` and `bash.exe` count as `python` and `bash`). */
const RUNS_ANY_CODE = new Set([
  'sh', 'bash', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox', 'cmd', 'powershell', 'pwsh',
  'node', 'nodejs', 'deno', 'bun', 'python', 'pypy', 'perl', 'ruby', 'php', 'lua', 'luajit', 'tclsh', 'wish', 'osascript',
  'env', 'sudo', 'su', 'doas', 'pkexec', 'xargs', 'nohup', 'nice', 'timeout', 'setsid', 'script', 'expect', 'awk', 'gawk', 'mawk', 'nawk',
  'find', 'sed', 'ssh', 'wine', 'java', 'dotnet', 'mono', 'cscript', 'wscript', 'mshta', 'rundll', 'regsvr',
]);

export const PluginPermissions = z.strictObject({
  /** Hosts `ctx.http` may reach; `*` means any host. */
  network: z.array(Hostname).max(64).default([]),
  /** Folders beyond the plugin's data and output folders; `~` and `$HAVEN_HOME` are expanded. */
  filesystem: z.array(z.string().min(1).max(1024)).max(32).default([]),
  /**
   * Executables the plugin may start, by name (`yt-dlp`, `ffmpeg`). They run outside the sandbox
   * with the arguments the plugin gives them; shells, interpreters and launchers would make that
   * any code at all, so they are refused.
   */
  binaries: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a program name')
        .refine((name) => !RUNS_ANY_CODE.has(name.toLowerCase().replace(/\.(exe|cmd|bat)$/, '').replace(/[0-9.]+$/, '')), {
          message: 'must not be a shell, an interpreter or a launcher (it would run any code outside the sandbox)',
        }),
    )
    .max(16)
    .default([]),
  /**
   * Settings that name a program file the user chose (`${config.ytdlp_path}`): the plugin may run
   * exactly that file, whatever its name or folder.
   */
  programFiles: z.array(z.string().regex(/^\$\{config\.[A-Za-z0-9_]+\}$/, 'must be a setting such as ${config.tool_path}')).max(8).default([]),
  /**
   * May have Haven make hard and symbolic links to files it can read (`ctx.linkFile`). A link
   * shares the file, so the plugin can change what it links to: shown at install.
   */
  links: z.boolean().default(false),
  /** Loads native addons (`.node` files): code the sandbox cannot contain, so it is shown at install. */
  addons: z.boolean().default(false),
});
export type PluginPermissions = z.infer<typeof PluginPermissions>;

/**
 * The name of an event a plugin emits: its short id, a dot, then a name of its own
 * (`hello.greeted`, `rss.feed.updated`), so two plugins never emit the same event by accident.
 */
export const PluginEventName = z
  .string()
  .max(128)
  .regex(/^[a-z0-9][a-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/, 'must be "<plugin id>.<name>", such as hello.greeted');

/** Events the plugin may emit on Haven's bus with `ctx.events.emit`; any plugin may listen to them. */
export const PluginEvents = z.strictObject({
  emits: z.array(PluginEventName).max(64).default([]),
});
export type PluginEvents = z.infer<typeof PluginEvents>;

export const PluginManifest = z.strictObject({
  name: PluginName,
  version: SemverVersion,
  description: z.string().max(500).default(''),
  author: z.string().max(200).optional(),
  homepage: z.url({ protocol: /^https?$/ }).optional(),
  license: z.string().max(64).optional(),
  icon: PackagePath.optional(),
  category: z.string().max(64).default('other'),
  tags: z.array(z.string().max(32)).max(20).default([]),
  engines: z.strictObject({ haven: SemverRange }),
  capabilities: z.array(Capability).max(5).default([]),
  dependencies: z.record(PluginName, SemverRange).default({}),
  permissions: PluginPermissions.default({ network: [], filesystem: [], binaries: [], programFiles: [], links: false, addons: false }),
  /** Regular expressions (JavaScript syntax) for URLs this plugin archives. */
  urlPatterns: z
    .array(
      z
        .string()
        .max(512)
        .refine(isValidRegExp, { message: 'must be a valid regular expression' }),
    )
    .max(32)
    .default([]),
  /**
   * Regular expressions with a capture group: a URL they match stands for the source whose id
   * is the first group (the id discovery gives the same item), so archiving a video by its URL
   * and finding it again in a channel is one item, not two.
   */
  sourceIds: z
    .array(
      z
        .string()
        .max(512)
        .refine(isValidRegExp, { message: 'must be a valid regular expression' })
        .refine(hasCaptureGroup, { message: 'must have a capture group: the source id' }),
    )
    .max(32)
    .default([]),
  /** Entry file, relative to the manifest. */
  main: PackagePath.default('index.js'),
  /** Heap limit of the plugin's host process in MiB. */
  maxMemoryMb: z.number().int().min(64).max(16384).optional(),
  /** PROCESS plugins: what they act on and what they make (required with that capability). */
  processes: ProcessesDeclaration.optional(),
  /** Its own bus events (`<plugin id>.<name>`); emitting any other name is refused. */
  events: PluginEvents.optional(),
}).refine((manifest) => !manifest.capabilities.includes('PROCESS') || manifest.processes !== undefined, {
  message: 'a plugin with the PROCESS capability must declare "processes" (what it accepts and produces)',
  path: ['processes'],
}).superRefine((manifest, ctx) => {
  const prefix = `${pluginShortId(manifest.name)}.`;
  (manifest.events?.emits ?? []).forEach((name, index) => {
    if (!name.startsWith(prefix)) {
      ctx.addIssue({ code: 'custom', path: ['events', 'emits', index], message: `"${name}" must start with "${prefix}" (the plugin's id)` });
    }
  });
});
export type PluginManifest = z.infer<typeof PluginManifest>;
export type PluginManifestInput = z.input<typeof PluginManifest>;

function hasCaptureGroup(source: string): boolean {
  try {
    // An alternative that matches the empty string shows how many groups the pattern has.
    return (new RegExp(`${source}|`).exec('')?.length ?? 1) > 1;
  } catch {
    return false;
  }
}

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** The short, case-insensitive id used by the CLI: `YouTubePlugin` → `youtube`. */
export function pluginShortId(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('plugin') && lower.length > 'plugin'.length ? lower.slice(0, -'plugin'.length) : lower;
}
