import { describe, expect, it } from 'vitest';
import { EventBus, emitRefusal } from './bus';

describe('EventBus', () => {
  it('delivers in publish order to exact and prefix subscribers, and not after dispose', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const sub = bus.subscribe('hello.*', (e) => seen.push(`${e.name}:${String(e.payload)}`));
    bus.subscribe('hello.greeted', (e) => seen.push(`exact:${String(e.payload)}`));
    bus.publish('hello.greeted', 1, 'HelloPlugin');
    bus.publish('other.greeted', 2);
    sub.dispose();
    bus.publish('hello.greeted', 3);
    expect(seen).toEqual(['hello.greeted:1', 'exact:1', 'exact:3']);
  });
});

describe('emitRefusal', () => {
  const manifest = { name: 'HelloPlugin', capabilities: ['ARCHIVE' as const], events: { emits: ['hello.greeted'] } };
  it("lets a plugin emit only what it declared, never Haven's events", () => {
    expect(emitRefusal(manifest, 'hello.greeted')).toBeUndefined();
    expect(emitRefusal(manifest, 'hello.other')).toMatch(/declares in events\.emits, and "hello\.other" is not one of them/);
    expect(emitRefusal({ ...manifest, events: undefined }, 'hello.greeted')).toMatch(/not one of them/);
    for (const name of ['plugin.loaded', 'archive.completed', 'job.done', 'core.x', 'stream.other']) expect(emitRefusal(manifest, name)).toMatch(/only Haven may emit/);
  });

  it('lets STREAM plugins (their recorder) emit stream.started and stream.ended', () => {
    expect(emitRefusal(manifest, 'stream.started')).toMatch(/STREAM capability/);
    expect(emitRefusal({ ...manifest, capabilities: ['STREAM'] }, 'stream.started')).toBeUndefined();
    expect(emitRefusal({ ...manifest, capabilities: ['STREAM'] }, 'stream.ended')).toBeUndefined();
  });
});
