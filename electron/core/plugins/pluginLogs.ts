import fs from 'node:fs';
import path from 'node:path';
import { Emitter } from '@shared/lifecycle';
import { rotateLogFile } from '../log';

export interface PluginLogRecord {
  time: string;
  plugin: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

const KEEP_IN_MEMORY = 500;

/**
 * Each plugin's log: JSON lines in `logs/plugins/<name>.log` (rotated at 5 MiB, one previous
 * file kept) and the latest records in memory for a live tail.
 */
export class PluginLogBook {
  private readonly recent = new Map<string, PluginLogRecord[]>();
  private readonly appended = new Emitter<PluginLogRecord>();
  readonly onRecord = this.appended.event;

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  fileOf(plugin: string): string {
    return path.join(this.dir, `${plugin.replace(/[^A-Za-z0-9_-]/g, '_')}.log`);
  }

  write(record: PluginLogRecord): void {
    const list = this.recent.get(record.plugin) ?? [];
    list.push(record);
    if (list.length > KEEP_IN_MEMORY) list.splice(0, list.length - KEEP_IN_MEMORY);
    this.recent.set(record.plugin, list);
    const file = this.fileOf(record.plugin);
    try {
      rotateLogFile(file);
      fs.appendFileSync(file, JSON.stringify(record) + '\n');
    } catch {
      // A full disk must not take the plugin down with it; the record stays in memory.
    }
    this.appended.fire(record);
  }

  tail(plugin: string, limit = 200): PluginLogRecord[] {
    return (this.recent.get(plugin) ?? []).slice(-limit);
  }

  dispose(): void {
    this.appended.dispose();
  }
}
