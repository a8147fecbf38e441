/**
 * The public plugin SDK: `import { definePlugin, z } from '@haven/sdk'`. Plugins import nothing
 * else from Haven. At run time the plugin host resolves `@haven/sdk` to its own copy, so a
 * plugin needs no bundler and shares the host's zod.
 */
export { z } from 'zod';
export { Capability, Capabilities, hasCapability } from './capabilities';
export {
  PluginManifest,
  PluginPermissions,
  PluginName,
  SemverRange,
  SemverVersion,
  PluginEventName,
  PluginEvents,
  pluginShortId,
  type PluginManifestInput,
} from './manifest';
export { MESSAGE_MAX_BYTES, MESSAGE_QUEUE_LIMIT, MESSAGE_QUEUE_MAX_BYTES, type MessageHandler } from './messaging';
export { definePlugin, isPluginDefinition, secret, type ConfigSchema, type PluginDefinition } from './definePlugin';
export {
  ArchiveResult,
  DiscoveryResult,
  HealthCheckResult,
  HealthStatus,
  MediaItem,
  MediaSource,
  DiscoveredSource,
  ProgressUpdate,
  ActionInfo,
  ViewInfo,
  ViewRow,
  ViewColumnFormat,
  HOOK_NAMES,
  type DiscoverOptions,
  type DiscoveryResultInput,
  type EventBusApi,
  type HookName,
  type HttpInit,
  type HttpResponse,
  type JobHandle,
  type MediaSourceInput,
  type PluginAction,
  type PluginView,
  type PluginContext,
  type PluginHooks,
  type PluginLogger,
  type ScheduledTask,
  type SpawnOptions,
  type SpawnedProcess,
  type StorageApi,
} from './types';
export type { Disposable } from '../lifecycle';
/** Throw one of these from a hook to report a classified error: `new HavenError('NOT_FOUND', '…')`. */
export { HavenError, type ErrorCode } from '../ipc/errors';
export {
  RecordingManifest,
  RecordingProgress,
  RecordingEnd,
  recordingArchiveResult,
  type ChatMessage,
  type FrameRecording,
  type FrameRecordOptions,
  type Recording,
  type RecordingResult,
  type RtpRecording,
  type RtpRecordOptions,
  type RtpStream,
  type RecordOptions,
  type RecorderApi,
} from './recording';
export {
  DerivedKind,
  DerivedFileInfo,
  DerivedFileResult,
  MimePattern,
  ProcessResult,
  ProcessesDeclaration,
  mimeMatches,
  processorDeclines,
  type ProcessResultInput,
} from './processing';
export {
  STDERR_TAIL,
  checkTools,
  fileArg,
  lastErrorLine,
  parseProbe,
  percentOf,
  probe,
  probeArgs,
  progressSeconds,
  runTool,
  type FfmpegNeeds,
  type ProbeInfo,
  type ProbedStream,
  type RunToolOptions,
  type RunToolResult,
} from './mediaTools';
