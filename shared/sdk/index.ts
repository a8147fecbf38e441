/**
 * The public plugin SDK. Plugins import only from here (`@haven/sdk`).
 */
export { Capability, Capabilities, hasCapability } from './capabilities';
export {
  PluginManifest,
  PluginPermissions,
  PluginName,
  SemverRange,
  SemverVersion,
  pluginShortId,
  type PluginManifestInput,
} from './manifest';
