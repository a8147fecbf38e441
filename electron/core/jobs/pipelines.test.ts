import { describe, expect, it } from 'vitest';
import { mimeMatches, processorDeclines } from '@shared/sdk/processing';
import { PluginManifest } from '@shared/sdk/manifest';
import { dryRunPipeline, pipelineFor, positionOf, processSource } from './pipelines';

describe('processor declarations', () => {
  it('match MIME patterns with wildcards and parameters', () => {
    expect(mimeMatches('video/*', 'video/mp4')).toBe(true);
    expect(mimeMatches('video/*', 'audio/mpeg')).toBe(false);
    expect(mimeMatches('audio/mpeg', 'Audio/MPEG; charset=binary')).toBe(true);
    expect(mimeMatches('*', undefined)).toBe(true);
    expect(mimeMatches('video/*', undefined)).toBe(false);
  });
  it('say why a processor declines an item', () => {
    const thumbnails = { accepts: ['video/*'], sources: [], produces: ['thumbnail' as const] };
    expect(processorDeclines(thumbnails, { plugin: 'RssPlugin', mime: 'video/mp4' })).toBeUndefined();
    expect(processorDeclines(thumbnails, { plugin: 'RssPlugin', mime: 'audio/mpeg' })).toBe('it takes video/*, and this item is audio/mpeg');
    expect(processorDeclines({ ...thumbnails, sources: ['YouTubePlugin'] }, { plugin: 'RssPlugin', mime: 'video/mp4' })).toBe('it takes items of YouTubePlugin, not RssPlugin');
    expect(processorDeclines(undefined, { plugin: 'RssPlugin' })).toMatch(/declares no "processes"/);
  });
  it('are required of PROCESS plugins by the manifest schema', () => {
    const base = { name: 'Thumbs', version: '1.0.0', engines: { haven: '>=0.1.0' }, capabilities: ['PROCESS'] };
    expect(PluginManifest.safeParse(base).error?.issues[0]?.message).toMatch(/must declare "processes"/);
    expect(PluginManifest.safeParse({ ...base, processes: { accepts: ['video/*'], produces: ['thumbnail'] } }).success).toBe(true);
    expect(PluginManifest.safeParse({ ...base, processes: { accepts: ['not a mime'], produces: ['thumbnail'] } }).success).toBe(false);
    expect(PluginManifest.safeParse({ ...base, processes: { accepts: [], produces: [] } }).success).toBe(false);
  });
});

describe('pipelines', () => {
  const settings = { pipelines: { RssPlugin: [{ plugin: 'A', enabled: true }, { plugin: 'B', enabled: false }, { plugin: 'C', enabled: true }] } };
  it('take the enabled steps of the source, by name without case', () => {
    expect(pipelineFor(settings, 'rssplugin').map((step) => step.plugin)).toEqual(['A', 'C']);
    expect(pipelineFor(settings, 'YouTubePlugin')).toEqual([]);
  });
  it('name a process job by its item and keep its place in the pipeline', () => {
    const source = processSource({ id: 7, title: 'Clip' }, { itemId: 7, pipeline: 'RssPlugin', step: 1 });
    expect(source).toMatchObject({ sourceId: 'item:7', title: 'Clip' });
    expect(positionOf(source)).toEqual({ itemId: 7, pipeline: 'RssPlugin', step: 1 });
    expect(() => positionOf({ ...source, metadata: {} })).toThrow(/names no item/);
  });
  it('dry-run each step against an item without running anything', () => {
    const processors: Record<string, { processes?: { accepts: string[]; sources: string[]; produces: ('thumbnail' | 'audio')[] }; enabled: boolean }> = {
      Thumbs: { processes: { accepts: ['video/*'], sources: [], produces: ['thumbnail'] }, enabled: true },
      Loud: { processes: { accepts: ['audio/*', 'video/*'], sources: [], produces: ['audio'] }, enabled: false },
      Plain: { enabled: true },
    };
    const steps = ['Thumbs', 'Loud', 'Plain', 'Gone'].map((plugin) => ({ plugin, enabled: true }));
    const plan = dryRunPipeline(steps, { plugin: 'RssPlugin', mime: 'audio/mpeg' }, (name) => processors[name]);
    expect(plan.map((step) => [step.plugin, step.runs, step.reason])).toEqual([
      ['Thumbs', false, 'Thumbs would skip it: it takes video/*, and this item is audio/mpeg'],
      ['Loud', false, 'Loud is disabled'],
      ['Plain', false, 'Plain is not a processor (no PROCESS capability)'],
      ['Gone', false, 'Gone is not installed'],
    ]);
    expect(dryRunPipeline([{ plugin: 'Thumbs', enabled: true }], undefined, (name) => processors[name])).toEqual([{ plugin: 'Thumbs', runs: true, reason: 'would make thumbnail', produces: ['thumbnail'] }]);
  });
});
