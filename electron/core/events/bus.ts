import { toDisposable, type Disposable } from '@shared/lifecycle';

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
  return name.startsWith('plugin.') || name.startsWith('archive.') || name.startsWith('core.') || name.startsWith('job.');
}
