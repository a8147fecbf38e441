import { toDisposable, type Disposable } from '@shared/lifecycle';
import type { PluginManifest } from '@shared/sdk/manifest';

export interface BusEvent {
  name: string;
  payload: unknown;
  /** `core`, or the plugin that emitted it. */
  source: string;
}

type Handler = (event: BusEvent) => void;

/**
 * Core's event bus: lifecycle events (`plugin.loaded`, …), media events (`archive.completed`,
 * `stream.started`) and plugins' own. Subscribers get events in publish order; a subscription
 * matches a name exactly or a prefix ending in `.*`. A throwing subscriber does not stop others.
 */
export class EventBus {
  private readonly subscribers = new Set<{ pattern: string; handler: Handler }>();

  constructor(private readonly onHandlerError: (error: unknown, event: BusEvent) => void = () => undefined) {}

  subscribe(pattern: string, handler: Handler): Disposable {
    const entry = { pattern, handler };
    this.subscribers.add(entry);
    return toDisposable(() => this.subscribers.delete(entry));
  }

  publish(name: string, payload: unknown, source = 'core'): void {
    const event: BusEvent = { name, payload, source };
    for (const entry of [...this.subscribers]) {
      if (!matches(entry.pattern, name)) continue;
      try {
        entry.handler(event);
      } catch (error) {
        this.onHandlerError(error, event);
      }
    }
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}

export function matches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** Names only Core may emit; plugins emit their own and the media events. */
export function isReservedEventName(name: string): boolean {
  return ['plugin.', 'archive.', 'core.', 'job.', 'process.', 'pipeline.'].some((prefix) => name.startsWith(prefix));
}

/** Haven's media events that a STREAM plugin's recorder emits (`ctx.recorder`), undeclared. */
export const STREAM_EVENTS: readonly string[] = ['stream.started', 'stream.ended'];

/**
 * Why a plugin may not emit `name` on the bus, or undefined when it may: Haven's own names are
 * refused, `stream.started`/`stream.ended` need the STREAM capability, and anything else must be
 * declared in the manifest's `events.emits`. Checked in the host (the plugin gets the error at
 * once) and again in Core (which does not trust the host).
 */
export function emitRefusal(manifest: Pick<PluginManifest, 'name' | 'capabilities' | 'events'>, name: string): string | undefined {
  if (isReservedEventName(name)) return `only Haven may emit ${name}`;
  if (STREAM_EVENTS.includes(name)) return manifest.capabilities.includes('STREAM') ? undefined : `only plugins with the STREAM capability may emit ${name}`;
  if (name.startsWith('stream.')) return `only Haven may emit ${name}`;
  if (manifest.events?.emits.includes(name)) return undefined;
  return `${manifest.name} may emit only the events its plugin.json declares in events.emits, and "${name}" is not one of them`;
}
