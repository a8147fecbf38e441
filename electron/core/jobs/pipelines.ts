import type { AppSettings, PipelineStep } from '@shared/domain/settings';
import type { LibraryItem } from '@shared/domain/library';
import { processorDeclines, type DerivedKind, type ProcessesDeclaration } from '@shared/sdk/processing';
import type { MediaSource } from '@shared/sdk/types';

import fs from 'node:fs';
import path from 'node:path';

/** Where a process job stands in its pipeline, kept in the job's source metadata. */
export interface PipelinePosition {
  itemId: number;
  /** The item's sha256 when the pipeline started: an id reused by another item is not processed. */
  sha256?: string;
  /** The source plugin whose pipeline this is (absent: a processor run by hand on one item). */
  pipeline?: string;
  /** The pipeline's processors as they were when it started. */
  steps?: string[];
  step: number;
}

/** The enabled steps of a source plugin's pipeline (names compared without case). */
export function pipelineFor(settings: Pick<AppSettings, 'pipelines'>, source: string): PipelineStep[] {
  const key = Object.keys(settings.pipelines).find((name) => name.toLowerCase() === source.toLowerCase());
  return (key ? settings.pipelines[key]! : []).filter((step) => step.enabled);
}

/** The job source of a process job: the item, named so one job row serves one (processor, item). */
export function processSource(item: Pick<LibraryItem, 'id' | 'title'>, position: PipelinePosition): MediaSource {
  return {
    sourceId: `item:${item.id}`,
    mediaType: 'item',
    uri: `haven:item/${item.id}`,
    title: item.title,
    metadata: {
      itemId: position.itemId,
      step: position.step,
      ...(position.pipeline ? { pipeline: position.pipeline } : {}),
      ...(position.steps ? { steps: position.steps } : {}),
      ...(position.sha256 ? { sha256: position.sha256 } : {}),
    },
  };
}

export function positionOf(source: MediaSource): PipelinePosition {
  const meta = source.metadata;
  const itemId = Number(meta.itemId);
  if (!Number.isSafeInteger(itemId)) throw new Error(`a process job names no item (${source.sourceId})`);
  const steps = Array.isArray(meta.steps) ? meta.steps.filter((step): step is string => typeof step === 'string') : undefined;
  return {
    itemId,
    step: Number(meta.step ?? 0),
    ...(typeof meta.pipeline === 'string' ? { pipeline: meta.pipeline } : {}),
    ...(steps ? { steps } : {}),
    ...(typeof meta.sha256 === 'string' ? { sha256: meta.sha256 } : {}),
  };
}

export interface DryRunStep {
  plugin: string;
  /** Would run on the item. */
  runs: boolean;
  /** Why not (not installed, not running, declines the item), or what it would make. */
  reason: string;
  produces: DerivedKind[];
}

/**
 * What a pipeline would do with an item, without running anything: each step, and whether its
 * processor exists, is enabled and takes the item.
 */
export function dryRunPipeline(
  steps: readonly PipelineStep[],
  item: Pick<LibraryItem, 'plugin' | 'mime'> | undefined,
  processorOf: (name: string) => { processes?: ProcessesDeclaration; enabled: boolean } | undefined,
): DryRunStep[] {
  return steps.map((step): DryRunStep => {
    const processor = processorOf(step.plugin);
    const produces = processor?.processes?.produces ?? [];
    if (!step.enabled) return { plugin: step.plugin, runs: false, reason: 'this step is turned off', produces };
    if (!processor) return { plugin: step.plugin, runs: false, reason: `${step.plugin} is not installed`, produces };
    if (!processor.processes) return { plugin: step.plugin, runs: false, reason: `${step.plugin} is not a processor (no PROCESS capability)`, produces };
    if (!processor.enabled) return { plugin: step.plugin, runs: false, reason: `${step.plugin} is disabled`, produces };
    if (!item) return { plugin: step.plugin, runs: true, reason: `would make ${produces.join(', ')}`, produces };
    const declined = processorDeclines(processor.processes, item);
    return declined ? { plugin: step.plugin, runs: false, reason: `${step.plugin} would skip it: ${declined}`, produces } : { plugin: step.plugin, runs: true, reason: `would make ${produces.join(', ')}`, produces };
  });
}

/**
 * What a processor must not change: a file's size and mtime, or for a folder item (a recording)
 * every file's relative path, size and mtime (at most 20,000 entries). Undefined when missing.
 */
export async function fingerprint(target: string): Promise<string | undefined> {
  const stat = await fs.promises.stat(target).catch(() => undefined);
  if (!stat) return undefined;
  if (!stat.isDirectory()) return `${stat.size}:${stat.mtimeMs}`;
  const parts: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
      if (parts.length >= 20_000) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const info = await fs.promises.lstat(full).catch(() => undefined);
        parts.push(`${path.relative(target, full)}:${info?.size}:${info?.mtimeMs}`);
      }
    }
  };
  await walk(target);
  return parts.sort().join('\n');
}
