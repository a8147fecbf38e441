import fs from 'node:fs';
import path from 'node:path';
import type { PluginLogger, StorageApi } from '@haven/sdk';
import type WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import type { BitTorrentConfig } from './config';

/** A finished torrent Haven shares until its limit, kept across restarts. */
export interface SeedRecord {
  infoHash: string;
  name: string;
  /** The folder that holds the torrent's file or folder (output_dir). */
  dir: string;
  /** Bytes uploaded and downloaded before the current session, for the ratio. */
  uploadedBefore: number;
  downloaded: number;
  startedAt: number;
}

const RECORDS = 'seeding';
const CHECK_MS = 2000;
const PERSIST_BYTES = 1024 * 1024;

/** Why seeding should stop now, or undefined. Limits of 0 do not apply. */
export function seedLimitReached(config: Pick<BitTorrentConfig, 'seed_ratio_limit' | 'seed_time_limit'>, ratio: number, minutes: number): string | undefined {
  if (config.seed_ratio_limit > 0 && ratio >= config.seed_ratio_limit) return `ratio ${ratio.toFixed(2)} reached the limit of ${config.seed_ratio_limit}`;
  if (config.seed_time_limit > 0 && minutes >= config.seed_time_limit) return `seeded for ${Math.floor(minutes)} minutes, the limit`;
  return undefined;
}

export interface SeederDeps {
  dataDir: string;
  storage: StorageApi;
  logger: PluginLogger;
  client: () => WebTorrent;
  config: () => BitTorrentConfig;
}

/**
 * Shares finished torrents from where they were saved, and stops each at the ratio or time limit.
 * The records (and each .torrent, in the data folder) survive restarts: `resume()` adds them
 * again, and WebTorrent verifies the files instead of downloading.
 */
export class Seeder {
  private readonly active = new Map<string, { torrent: Torrent; record: SeedRecord; persisted: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: SeederDeps) {}

  private torrentPath(infoHash: string): string {
    return path.join(this.deps.dataDir, 'seeding', `${infoHash}.torrent`);
  }

  private async records(): Promise<Record<string, SeedRecord>> {
    return ((await this.deps.storage.get(RECORDS)) as Record<string, SeedRecord> | undefined) ?? {};
  }

  private async put(record: SeedRecord): Promise<void> {
    await this.deps.storage.set(RECORDS, { ...(await this.records()), [record.infoHash]: record });
  }

  private async forget(infoHash: string): Promise<void> {
    const kept = Object.entries(await this.records()).filter(([hash]) => hash !== infoHash);
    await this.deps.storage.set(RECORDS, Object.fromEntries(kept));
  }

  /** Starts sharing a torrent that was just saved as `dir/name`. */
  async start(torrentFile: Uint8Array, record: Omit<SeedRecord, 'startedAt'>): Promise<void> {
    fs.mkdirSync(path.dirname(this.torrentPath(record.infoHash)), { recursive: true });
    fs.writeFileSync(this.torrentPath(record.infoHash), torrentFile);
    const full = { ...record, startedAt: Date.now() };
    await this.put(full);
    this.add(full);
  }

  /** Adds the torrents that were seeding when the plugin last stopped. */
  async resume(): Promise<void> {
    for (const record of Object.values(await this.records())) {
      if (!fs.existsSync(path.join(record.dir, record.name)) || !fs.existsSync(this.torrentPath(record.infoHash))) {
        this.deps.logger.warn('a seeding torrent is gone from disk; no longer seeding it', { infoHash: record.infoHash, name: record.name });
        await this.forget(record.infoHash);
        continue;
      }
      this.add(record);
    }
  }

  private add(record: SeedRecord): void {
    if (this.active.has(record.infoHash)) return;
    // deselect: only verify and share what is on disk; nothing is ever downloaded into output_dir.
    const torrent = this.deps.client().add(fs.readFileSync(this.torrentPath(record.infoHash)), { path: record.dir, deselect: true });
    torrent.on('error', (error: Error | string) => void this.stop(record.infoHash, `it failed: ${String(error)}`));
    torrent.on('ready', () =>
      setImmediate(() => {
        if (!torrent.done && !torrent.destroyed) void this.stop(record.infoHash, 'the saved files changed since they were downloaded');
      }),
    );
    this.active.set(record.infoHash, { torrent, record, persisted: torrent.uploaded });
    this.timer ??= setInterval(() => void this.check(), CHECK_MS);
  }

  ratioOf(torrent: Torrent, record: SeedRecord): number {
    return (record.uploadedBefore + torrent.uploaded) / Math.max(1, record.downloaded);
  }

  private async check(): Promise<void> {
    const config = this.deps.config();
    for (const [infoHash, entry] of this.active) {
      const { torrent, record } = entry;
      const reason = seedLimitReached(config, this.ratioOf(torrent, record), (Date.now() - record.startedAt) / 60_000);
      if (reason) {
        await this.stop(infoHash, reason);
        continue;
      }
      // What was uploaded is kept (each MiB), so a restart does not reset the ratio.
      if (torrent.uploaded - entry.persisted >= PERSIST_BYTES) {
        entry.persisted = torrent.uploaded;
        await this.put({ ...record, uploadedBefore: record.uploadedBefore + torrent.uploaded });
      }
    }
  }

  /** Stops sharing one torrent; its files stay where they are. */
  async stop(infoHash: string, reason: string): Promise<boolean> {
    const entry = this.active.get(infoHash);
    const records = await this.records();
    if (!entry && !records[infoHash]) return false;
    this.active.delete(infoHash);
    if (entry && !entry.torrent.destroyed) await new Promise<void>((resolve) => entry.torrent.destroy({ destroyStore: false }, () => resolve()));
    await this.forget(infoHash);
    fs.rmSync(this.torrentPath(infoHash), { force: true });
    this.deps.logger.info(`stopped seeding: ${reason}`, { infoHash, name: entry?.record.name ?? records[infoHash]?.name });
    if (this.active.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return true;
  }

  /** Where a torrent that is seeding now lives. */
  locationOf(infoHash: string): string | undefined {
    const entry = this.active.get(infoHash);
    return entry ? path.join(entry.record.dir, entry.record.name) : undefined;
  }

  infoHashes(): string[] {
    return [...this.active.keys()];
  }

  /** What is seeding now, one line each. */
  list(): string[] {
    return [...this.active.values()].map(({ torrent, record }) => {
      const minutes = Math.floor((Date.now() - record.startedAt) / 60_000);
      return `${record.name} (${record.infoHash.slice(0, 8)}): ratio ${this.ratioOf(torrent, record).toFixed(2)}, ${torrent.numPeers} peers, ↑ ${Math.round(torrent.uploadSpeed / 1024)} KiB/s, for ${minutes} min`;
    });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.active.clear();
  }
}
