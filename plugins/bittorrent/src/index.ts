import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HavenError, definePlugin, type JobHandle, type MediaSource } from '@haven/sdk';
import WebTorrent, { type Torrent } from 'webtorrent';
import { ClientHolder } from './client';
import { configSchema } from './config';
import { parseTorrentFeed, type FeedItem } from './feed';
import { moveIntoPlace } from './move';
import { decide, type RuleMatch } from './rules';
import { readTorrentInput, unsafePath, type TorrentInput } from './torrentInput';

export { configSchema };

const NOT_YET = 'seeding limits, add_paused and the watch folder are not implemented yet';
const RULE_MATCHES = 'rule-matches';
const MAX_FEED_CHARS = 8 * 1024 * 1024;
const PROGRESS_MS = 500;

export default definePlugin({
  configSchema,
  setup(ctx) {
    const clients = new ClientHolder();
    ctx.onConfigChange((config) => clients.configure(config));
    ctx.onDispose({ dispose: () => void clients.destroy() });

    /** The torrent in the client, added to download into `staging` (or the one already there). */
    async function addTorrent(client: WebTorrent, input: TorrentInput, staging: string): Promise<Torrent> {
      const existing = await client.get(input.infoHash);
      if (existing) return existing;
      const announce = ctx.config.trackers;
      return client.add(input.kind === 'magnet' ? input.magnet : input.torrent, { path: staging, ...(announce.length ? { announce } : {}) });
    }

    /** Resolves when every piece is verified; reports progress; rejects on an error or a cancel. */
    function whenDone(torrent: Torrent, job: JobHandle): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const report = (): void => {
          if (!torrent.ready) {
            job.progress({ phase: 'fetching metadata', message: `${torrent.numPeers} peers` });
            return;
          }
          const total = torrent.length;
          const done = Math.min(total, Math.round(torrent.progress * total));
          const eta = torrent.timeRemaining / 1000;
          job.progress({
            phase: 'downloading',
            bytesDone: done,
            bytesTotal: total,
            percent: total ? (done / total) * 100 : 0,
            speedBps: torrent.downloadSpeed,
            ...(Number.isFinite(eta) && eta >= 0 ? { etaSeconds: eta } : {}),
            message: `${torrent.numPeers} peers · ↑ ${Math.round(torrent.uploadSpeed / 1024)} KiB/s · ratio ${torrent.ratio.toFixed(2)}`,
          });
        };
        const timer = setInterval(report, PROGRESS_MS);
        const finish = (error?: Error): void => {
          clearInterval(timer);
          torrent.removeListener('done', onDone);
          torrent.removeListener('error', onError);
          torrent.removeListener('metadata', onMetadata);
          job.signal.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else {
            report();
            resolve();
          }
        };
        const onDone = (): void => finish();
        const onError = (error: Error | string): void => finish(new HavenError('UNAVAILABLE', `network error: ${typeof error === 'string' ? error : error.message}`));
        const onMetadata = (): void => {
          const unsafe = unsafePath(torrent.info);
          if (unsafe) finish(new HavenError('FORBIDDEN', `the torrent names a file outside its own folder (${unsafe}); refused`));
        };
        const onAbort = (): void => finish(new HavenError('CANCELLED', 'cancelled'));
        torrent.on('done', onDone);
        torrent.on('error', onError);
        torrent.on('metadata', onMetadata);
        job.signal.addEventListener('abort', onAbort, { once: true });
        if (torrent.info) onMetadata();
        if (torrent.done) finish();
        report();
      });
    }

    async function readFeed(url: string, signal?: AbortSignal): Promise<FeedItem[]> {
      const response = await ctx.http(url, signal ? { signal } : {});
      if (response.status === 404) throw new HavenError('NOT_FOUND', `feed ${url}: HTTP 404`);
      if (!response.ok) throw new HavenError('UNAVAILABLE', `feed ${url}: HTTP ${response.status}`);
      const body = await response.text();
      if (body.length > MAX_FEED_CHARS) throw new HavenError('TOO_LARGE', `feed ${url} is larger than ${MAX_FEED_CHARS} characters`);
      try {
        return parseTorrentFeed(body);
      } catch (error) {
        throw new HavenError('INVALID_INPUT', `feed ${url} cannot be read: ${(error as Error).message}`);
      }
    }

    /** Every feed's torrents, each taken or skipped by the feed rules, with the reason. */
    async function discover(dryRun: boolean, signal?: AbortSignal): Promise<{ sources: MediaSource[]; skipped: { source: MediaSource; reason: string }[] }> {
      const config = ctx.config;
      const lastMatch = ((await ctx.storage.get(RULE_MATCHES)) as Record<number, RuleMatch> | undefined) ?? {};
      const result: { sources: MediaSource[]; skipped: { source: MediaSource; reason: string }[] } = { sources: [], skipped: [] };
      for (const feed of config.rss_feeds) {
        for (const item of await readFeed(feed, signal)) {
          const key = item.infoHash ?? item.uri;
          const source: MediaSource = {
            // The info hash when the feed tells it, so the same torrent from two feeds is one item.
            sourceId: item.infoHash ?? `url:${crypto.createHash('sha256').update(item.uri).digest('hex').slice(0, 16)}`,
            mediaType: 'torrent',
            uri: item.uri,
            title: item.title,
            metadata: { feed, ...(item.infoHash ? { infoHash: item.infoHash } : {}), ...(item.published ? { published: item.published } : {}), ...(item.size ? { size: item.size } : {}) },
          };
          const decision = decide(item, key, feed, config.feed_rules, lastMatch);
          if (!decision.take) {
            result.skipped.push({ source, reason: decision.reason });
            continue;
          }
          result.sources.push(source);
          if (decision.rule !== undefined && lastMatch[decision.rule]?.key !== key) lastMatch[decision.rule] = { at: Date.now(), key };
        }
      }
      if (!dryRun) await ctx.storage.set(RULE_MATCHES, lastMatch);
      return result;
    }

    function remove(torrent: Torrent): Promise<void> {
      // The downloaded pieces stay in staging, so a retry verifies them instead of fetching again.
      return new Promise<void>((resolve) => torrent.destroy({ destroyStore: false }, () => resolve()));
    }

    async function archive(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      job.progress({ phase: 'starting', message: 'reading the torrent' });
      const input = await readTorrentInput(source.uri, (url, init) => ctx.http(url, init), job.signal);
      const staging = path.join(ctx.dataDir, 'staging', input.infoHash);
      fs.mkdirSync(staging, { recursive: true });
      const torrent = await addTorrent(clients.get(config), input, staging);
      let done: { name: string; files: number; bytes: number; downloadedThisRun: number };
      try {
        await whenDone(torrent, job);
        // Read before destroy() empties them.
        done = { name: torrent.name, files: torrent.files.length, bytes: torrent.length, downloadedThisRun: torrent.received };
      } finally {
        await remove(torrent);
      }
      const outputDir = config.output_dir ?? ctx.outputDir;
      const saved = moveIntoPlace(path.join(staging, done.name), outputDir, done.name, input.infoHash);
      fs.rmSync(staging, { recursive: true, force: true });
      ctx.logger.info('torrent saved', { infoHash: input.infoHash, files: done.files, path: saved });
      const { downloadedThisRun, ...kept } = done;
      return { success: true, outputPath: saved, fileSize: done.bytes, metadata: { infoHash: input.infoHash, ...kept, downloadedThisRun } };
    }

    return {
      healthCheck: () => {
        const config = ctx.config;
        const network = [`DHT ${config.dht ? 'on' : 'off'}`, `local discovery ${config.local_peer_discovery ? 'on' : 'off'}`, `port ${config.port || 'random'}`].join(', ');
        return { status: 'warn', componentId: 'webtorrent', version: WebTorrent.VERSION, output: `WebTorrent ${WebTorrent.VERSION} archives magnet links, .torrent files and RSS feeds (${network}). ${NOT_YET}.` };
      },
      discoverSources: (options, job) => discover(options.dryRun, job?.signal),
      archive,
      shutdown: () => clients.destroy(),
    };
  },
});
