import fs from 'node:fs';
import path from 'node:path';
import { HavenError, type PluginLogger, type StorageApi } from '@haven/sdk';
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
  /** Stopped torrents stay listed (with their ratio) until removed, and can seed again. */
  state?: 'seeding' | 'stopped';
  stoppedReason?: string;
  stoppedAt?: number;
}

/** One torrent as the Seeding view shows it. */
export interface SeedStatus {
  infoHash: string;
  name: string;
  state: 'seeding' | 'stopped';
  ratio: number;
  uploaded: number;
  uploadSpeed: number;
  peers: number;
  /** Seconds seeded in the current (or last) run. */
  seconds: number;
  note: string;
  stoppedAt: number;
}

const RECORDS = 'seeding';
const CHECK_MS = 2000;
const PERSIST_BYTES = 1024 * 1024;
const MAX_STOPPED = 200;
const INFO_HASH = /^[0-9a-f]{40}$/;

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
  private checking = false;
  /** Every change to the stored records runs in turn: each is a read-modify-write of one key. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SeederDeps) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private torrentPath(infoHash: string): string {
    return path.join(this.deps.dataDir, 'seeding', `${infoHash}.torrent`);
  }

  private async records(): Promise<Record<string, SeedRecord>> {
    const stored = (await this.deps.storage.get(RECORDS)) as Record<string, SeedRecord> | undefined;
    // Only well-formed entries under their own info hash count (never inherited keys).
    return Object.fromEntries(Object.entries(stored ?? {}).filter(([hash, record]) => INFO_HASH.test(hash) && record?.infoHash === hash && typeof record.name === 'string' && typeof record.dir === 'string'));
  }

  private async record(infoHash: string): Promise<SeedRecord | undefined> {
    const records = await this.records();
    return Object.hasOwn(records, infoHash) ? records[infoHash] : undefined;
  }

  private async put(record: SeedRecord): Promise<void> {
    const records = { ...(await this.records()), [record.infoHash]: record };
    // Stopped torrents stay listed, but not without end: the oldest stopped ones go first.
    const dropped = new Set(
      Object.values(records)
        .filter((r) => r.state === 'stopped')
        .sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))
        .slice(MAX_STOPPED)
        .map((r) => r.infoHash),
    );
    for (const hash of dropped) fs.rmSync(this.torrentPath(hash), { force: true });
    await this.deps.storage.set(RECORDS, Object.fromEntries(Object.entries(records).filter(([hash]) => !dropped.has(hash))));
  }

  private async forget(infoHash: string): Promise<void> {
    const kept = Object.entries(await this.records()).filter(([hash]) => hash !== infoHash);
    await this.deps.storage.set(RECORDS, Object.fromEntries(kept));
  }

  /** Starts sharing a torrent that was just saved as `dir/name`. */
  start(torrentFile: Uint8Array, record: Omit<SeedRecord, 'startedAt'>): Promise<void> {
    return this.serial(async () => {
      fs.mkdirSync(path.dirname(this.torrentPath(record.infoHash)), { recursive: true });
      fs.writeFileSync(this.torrentPath(record.infoHash), torrentFile);
      const full: SeedRecord = { ...record, state: 'seeding', startedAt: Date.now() };
      await this.put(full);
      this.add(full);
    });
  }

  /** Adds the torrents that were seeding when the plugin last stopped. */
  resume(): Promise<void> {
    return this.serial(async () => {
      for (const record of Object.values(await this.records())) {
        if (!fs.existsSync(path.join(record.dir, record.name)) || !fs.existsSync(this.torrentPath(record.infoHash))) {
          this.deps.logger.warn('a seeding torrent is gone from disk; no longer listing it', { infoHash: record.infoHash, name: record.name });
          await this.forget(record.infoHash);
          continue;
        }
        if (record.state !== 'stopped') this.add(record);
      }
    });
  }

  /** Seeds a stopped torrent again (the time limit counts from now); refused while its ratio is at the limit. */
  seedAgain(infoHash: string): Promise<string> {
    return this.serial(async () => {
      const record = await this.record(infoHash);
      if (!record) throw new HavenError('NOT_FOUND', `nothing with info hash ${infoHash.slice(0, 64)} is in the Seeding list`);
      if (this.active.has(infoHash)) return `${record.name} is already seeding.`;
      if (!fs.existsSync(path.join(record.dir, record.name)) || !fs.existsSync(this.torrentPath(infoHash))) {
        await this.forget(infoHash);
        throw new HavenError('NOT_FOUND', `${record.name} is no longer in ${record.dir}, so it cannot be shared; removed from the list`);
      }
      const ratio = record.uploadedBefore / Math.max(1, record.downloaded);
      const limit = this.deps.config().seed_ratio_limit;
      if (limit > 0 && ratio >= limit) throw new HavenError('CONFLICT', `${record.name} already has ratio ${ratio.toFixed(2)}, at seed_ratio_limit ${limit}: raise the limit in Settings to share it longer`);
      const { stoppedReason: _reason, stoppedAt: _at, ...rest } = record;
      const seeding: SeedRecord = { ...rest, state: 'seeding', startedAt: Date.now() };
      // Added first: if WebTorrent refuses it, the record stays as it was.
      this.add(seeding);
      await this.put(seeding);
      return `Seeding ${record.name} again.`;
    });
  }

  private add(record: SeedRecord): void {
    if (this.active.has(record.infoHash)) return;
    // deselect: only verify and share what is on disk; nothing is ever downloaded into output_dir.
    const torrent = this.deps.client().add(fs.readFileSync(this.torrentPath(record.infoHash)), { path: record.dir, deselect: true });
    const mine = (): boolean => this.active.get(record.infoHash)?.torrent === torrent;
    torrent.on('error', (error: Error | string) => {
      if (mine()) void this.stop(record.infoHash, `it failed: ${String(error)}`);
    });
    torrent.on('ready', () =>
      setImmediate(() => {
        if (mine() && !torrent.done && !torrent.destroyed) void this.stop(record.infoHash, 'the saved files changed since they were downloaded');
      }),
    );
    this.active.set(record.infoHash, { torrent, record, persisted: torrent.uploaded });
    this.timer ??= setInterval(() => void this.check(), CHECK_MS);
  }

  ratioOf(torrent: Torrent, record: SeedRecord): number {
    return (record.uploadedBefore + torrent.uploaded) / Math.max(1, record.downloaded);
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const config = this.deps.config();
      for (const [infoHash, entry] of [...this.active]) {
        const { torrent, record } = entry;
        const reason = seedLimitReached(config, this.ratioOf(torrent, record), (Date.now() - record.startedAt) / 60_000);
        if (reason) {
          await this.stop(infoHash, reason);
          continue;
        }
        // What was uploaded is kept (each MiB), so a restart does not reset the ratio.
        if (torrent.uploaded - entry.persisted >= PERSIST_BYTES) {
          entry.persisted = torrent.uploaded;
          await this.serial(async () => {
            // Stopped or removed meanwhile: nothing to save.
            if (this.active.get(infoHash) !== entry) return;
            await this.put({ ...record, uploadedBefore: record.uploadedBefore + torrent.uploaded });
          });
        }
      }
    } catch (error) {
      this.deps.logger.warn('seeding: could not check the limits', { error: String(error) });
    } finally {
      this.checking = false;
    }
  }

  /** Stops sharing one torrent; it stays listed as stopped with its ratio, and its files stay where they are. */
  stop(infoHash: string, reason: string): Promise<boolean> {
    return this.serial(async () => {
      const entry = this.active.get(infoHash);
      if (!entry) return false;
      // Recorded as stopped, with its reason, before it leaves the active list: the Seeding view
      // read in between must not show it stopped without one.
      const stoppedAt = Date.now();
      await this.put({ ...entry.record, uploadedBefore: entry.record.uploadedBefore + entry.torrent.uploaded, state: 'stopped', stoppedReason: reason, stoppedAt });
      const record = await this.halt(infoHash);
      if (!record) return false;
      await this.put({ ...record, state: 'stopped', stoppedReason: reason, stoppedAt });
      this.deps.logger.info(`stopped seeding: ${reason}`, { infoHash, name: record.name });
      return true;
    });
  }

  /** Stops sharing one torrent and takes it off the list; its files stay in the library. */
  remove(infoHash: string): Promise<boolean> {
    return this.serial(async () => {
      const record = await this.halt(infoHash);
      if (!record) return false;
      await this.forget(infoHash);
      fs.rmSync(this.torrentPath(infoHash), { force: true });
      this.deps.logger.info('removed from the Seeding list', { infoHash, name: record.name });
      return true;
    });
  }

  /** Takes a torrent out of the swarm; the record, with what it uploaded, as it now stands. */
  private async halt(infoHash: string): Promise<SeedRecord | undefined> {
    const entry = this.active.get(infoHash);
    const stored = await this.record(infoHash);
    if (!entry && !stored) return undefined;
    this.active.delete(infoHash);
    if (this.active.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (!entry) return stored;
    const uploaded = entry.torrent.uploaded;
    if (!entry.torrent.destroyed) await new Promise<void>((resolve) => entry.torrent.destroy({ destroyStore: false }, () => resolve()));
    return { ...entry.record, uploadedBefore: entry.record.uploadedBefore + uploaded };
  }

  /** Where a torrent that is seeding now lives. */
  locationOf(infoHash: string): string | undefined {
    const entry = this.active.get(infoHash);
    return entry ? path.join(entry.record.dir, entry.record.name) : undefined;
  }

  infoHashes(): string[] {
    return [...this.active.keys()];
  }

  /** Everything on the Seeding list: what is shared now first, then what stopped, most recently stopped first. */
  async status(): Promise<SeedStatus[]> {
    const config = this.deps.config();
    const now = Date.now();
    const limits = [config.seed_ratio_limit > 0 ? `ratio ${config.seed_ratio_limit}` : '', config.seed_time_limit > 0 ? `${config.seed_time_limit} min` : ''].filter(Boolean).join(' or ');
    const rows = Object.values(await this.records()).map((stored): SeedStatus => {
      const entry = this.active.get(stored.infoHash);
      const live = entry && !entry.torrent.destroyed ? entry : undefined;
      // A seeding torrent's own record holds what was uploaded before this session.
      const record = entry?.record ?? stored;
      const uploaded = record.uploadedBefore + (live?.torrent.uploaded ?? 0);
      return {
        infoHash: record.infoHash,
        name: record.name,
        state: live ? 'seeding' : 'stopped',
        ratio: uploaded / Math.max(1, record.downloaded),
        uploaded,
        uploadSpeed: live?.torrent.uploadSpeed ?? 0,
        peers: live?.torrent.numPeers ?? 0,
        seconds: Math.max(0, Math.round(((live ? now : (stored.stoppedAt ?? now)) - record.startedAt) / 1000)),
        note: live ? (limits ? `until ${limits}` : 'no limit') : `stopped: ${stored.stoppedReason ?? (entry ? 'the torrent client failed' : 'stopped')}`,
        stoppedAt: stored.stoppedAt ?? 0,
      };
    });
    return rows.sort((a, b) => (a.state === b.state ? b.stoppedAt - a.stoppedAt : a.state === 'seeding' ? -1 : 1));
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.active.clear();
  }
}
