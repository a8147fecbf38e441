import { describe, expect, it } from 'vitest';
import { PluginManifest } from './manifest';

const base = { name: 'HelloPlugin', version: '1.0.0', engines: { haven: '>=0.1.0' } };

describe('manifest events', () => {
  it('accepts events named after the plugin and leaves the field out when absent', () => {
    expect(PluginManifest.parse({ ...base, events: { emits: ['hello.greeted', 'hello.feed.updated'] } }).events).toEqual({ emits: ['hello.greeted', 'hello.feed.updated'] });
    expect(PluginManifest.parse(base).events).toBeUndefined();
  });

  it("refuses another plugin's prefix, malformed names and unknown keys", () => {
    const issues = (events: unknown) => PluginManifest.safeParse({ ...base, events }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ emits: ['other.greeted'] })).toEqual(['events.emits.0: "other.greeted" must start with "hello." (the plugin\'s id)']);
    expect(issues({ emits: ['hello'] })?.[0]).toMatch(/^events\.emits\.0: must be "<plugin id>\.<name>"/);
    expect(issues({ emits: ['Hello.x'] })?.[0]).toMatch(/^events\.emits\.0:/);
    expect(issues({ listens: [] })?.[0]).toMatch(/^events:/);
  });
});
