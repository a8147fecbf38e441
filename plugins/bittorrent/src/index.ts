import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HavenError, definePlugin, type DiscoveredSource, type JobHandle, type MediaSource } from '@haven/sdk';
import WebTorrent, { type Torrent } from 'webtorrent';
import { ClientHolder } from './client';
import { configSchema } from './config';
import { parseTorrentFeed, type FeedItem } from './feed';
import { moveIntoPlace } from './move';
import { decide, ruleKey, type RuleMatch } from './rules';
import { Seeder } from './seeding';
import { Slots } from './slots';
import { readTorrentInput, unsafePath, type TorrentInput } from './torrentInput';

export { configSchema };

const RULE_MATCHES = 'rule-matches';
const MAX_FEED_CHARS = 8 * 1024 * 1024;
/** A copied file arrives in several writes; discovery waits until they settle. */
const WATCH_SETTLE_MS = 1000;
const METADATA_TIMEOUT_MS = 10 * 60_000;
const PROGRESS_MS = 500;

export default definePlugin({
  configSchema,
  setup(ctx) {
    const clients = new ClientHolder((error) => ctx.logger.error('the WebTorrent client failed; a new one starts with the next torrent', { error: error.message }));
    const slots = new Slots(() => ctx.config.max_torrents);
    const inflight = new Map<string, ReturnType<typeof download>>();
    const seeder = new Seeder({ dataDir: ctx.dataDir, storage: ctx.storage, logger: ctx.logger, client: () => clients.get(ctx.config), config: () => ctx.config });
    // A .torrent dropped into watch_folder starts a discovery, which queues it (once: by info hash).
    let watcher: fs.FSWatcher | undefined;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const watch = (folder: string | undefined): void => {
      watcher?.close();
      watcher = undefined;
      if (!folder) return;
      try {
        watcher = fs.watch(folder, (_event, name) => {
          if (!name?.toLowerCase().endsWith('.torrent')) return;
          clearTimeout(settle);
          settle = setTimeout(() => {
            ctx.discover('a .torrent appeared in the watch folder').catch((error: unknown) => ctx.logger.warn('watch folder discovery failed', { error: String(error) }));
          }, WATCH_SETTLE_MS);
        });
        // A folder deleted or unmounted while watched: stop watching, say so, keep running.
        watcher.on('error', (error) => {
          ctx.logger.warn('stopped watching watch_folder', { folder, error: String(error) });
          watcher?.close();
          watcher = undefined;
        });
      } catch (error) {
        ctx.logger.warn('cannot watch watch_folder', { folder, error: String(error) });
      }
    };
    watch(ctx.config.watch_folder);
    ctx.onDispose({
      dispose: () => {
        clearTimeout(settle);
        watcher?.close();
      },
    });
    ctx.onConfigChange((config, previous) => {
      clients.configure(config);
      if (config.watch_folder !== previous.watch_folder) watch(config.watch_folder);
    });
    ctx.onDispose({
      dispose: () => {
        seeder.dispose();
        void clients.destroy();
      },
    });

    /** The torrent in the client, added to download into `staging`. */
    async function addTorrent(client: WebTorrent, input: TorrentInput, staging: string): Promise<Torrent> {
      const existing = await client.get(input.infoHash);
      if (existing && existing.path === staging && !existing.destroyed) return existing;
      if (existing) throw new HavenError('UNAVAILABLE', `the torrent ${input.infoHash} is busy in this client (seeding from elsewhere); try again later`);
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
        // A magnet whose metadata never comes holds its slot only this long (a retryable failure).
        const metadataTimer = torrent.ready ? undefined : setTimeout(() => finish(new HavenError('UNAVAILABLE', `network error: no peer sent the torrent's metadata within ${METADATA_TIMEOUT_MS / 60_000} minutes`)), METADATA_TIMEOUT_MS);
        const finish = (error?: Error): void => {
          clearInterval(timer);
          clearTimeout(metadataTimer);
          torrent.removeListener('done', onDone);
          torrent.removeListener('error', onError);
          torrent.removeListener('metadata', onMetadata);
          torrent.removeListener('close', onClose);
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
        const onClose = (): void => finish(new HavenError('UNAVAILABLE', 'network error: the torrent was closed before it finished'));
        torrent.on('done', onDone);
        torrent.on('error', onError);
        torrent.on('metadata', onMetadata);
        torrent.on('close', onClose);
        if (job.signal.aborted) return onAbort();
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

    /** The .torrent files in the watch folder, as sources named by their info hash. */
    async function watchFolderSources(folder: string): Promise<{ sources: MediaSource[]; skipped: { source: MediaSource; reason: string }[] }> {
      const result: { sources: DiscoveredSource[]; skipped: { source: MediaSource; reason: string }[] } = { sources: [], skipped: [] };
      let names: string[];
      try {
        names = fs.readdirSync(folder).filter((name) => name.toLowerCase().endsWith('.torrent'));
      } catch (error) {
        throw new HavenError('NOT_FOUND', `watch_folder ${folder} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      for (const name of names.sort()) {
        const file = path.join(folder, name);
        try {
          const input = await readTorrentInput(file, (url, init) => ctx.http(url, init));
          result.sources.push({ sourceId: input.infoHash, mediaType: 'torrent', uri: pathToFileURL(file).href, title: input.kind === 'file' ? input.name : name, metadata: { infoHash: input.infoHash, watchFolder: folder } });
        } catch (error) {
          result.skipped.push({ source: { sourceId: `file:${name}`, mediaType: 'torrent', uri: pathToFileURL(file).href, title: name, metadata: {} }, reason: (error as Error).message });
        }
      }
      return result;
    }

    /** Every feed's torrents, each taken or skipped by the feed rules, with the reason. */
    async function discover(dryRun: boolean, signal?: AbortSignal): Promise<{ sources: DiscoveredSource[]; skipped: { source: MediaSource; reason: string }[] }> {
      const config = ctx.config;
      const lastMatch = ((await ctx.storage.get(RULE_MATCHES)) as Record<string, RuleMatch> | undefined) ?? {};
      const result: { sources: DiscoveredSource[]; skipped: { source: MediaSource; reason: string }[] } = { sources: [], skipped: [] };
      for (const feed of config.rss_feeds) {
        let items: FeedItem[];
        try {
          items = await readFeed(feed, signal);
        } catch (error) {
          // One broken feed must not hide the others (or the watch folder).
          if (signal?.aborted) throw error;
          result.skipped.push({ source: { sourceId: `feed:${feed}`, mediaType: 'feed', uri: feed, title: feed, metadata: {} }, reason: `the feed cannot be read: ${(error as Error).message}` });
          continue;
        }
        for (const item of items) {
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
          const rule = decision.rule === undefined ? undefined : config.feed_rules[decision.rule];
          result.sources.push(rule?.add_paused ? { ...source, addPaused: true } : source);
          if (rule && lastMatch[ruleKey(rule)]?.key !== key) lastMatch[ruleKey(rule)] = { at: Date.now(), key };
        }
      }
      if (!dryRun) await ctx.storage.set(RULE_MATCHES, lastMatch);
      if (config.watch_folder) {
        const dropped = await watchFolderSources(config.watch_folder);
        result.sources.push(...dropped.sources);
        result.skipped.push(...dropped.skipped);
      }
      return result;
    }

    function remove(torrent: Torrent): Promise<void> {
      // WebTorrent never calls back for a torrent destroyed already.
      if (torrent.destroyed) return Promise.resolve();
      // The downloaded pieces stay in staging, so a retry verifies them instead of fetching again.
      return new Promise<void>((resolve) => torrent.destroy({ destroyStore: false }, () => resolve()));
    }

    async function archive(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      job.progress({ phase: 'starting', message: 'reading the torrent' });
      const input = await readTorrentInput(source.uri, (url, init) => ctx.http(url, init), job.signal);
      // Another job downloads the same torrent: its result is this one's too.
      const running = inflight.get(input.infoHash);
      if (running) {
        job.progress({ phase: 'waiting', message: 'the same torrent is downloading in another job' });
        return running;
      }
      if (slots.active >= config.max_torrents) job.progress({ phase: 'waiting', message: `${slots.active} torrents are downloading (max_torrents ${config.max_torrents})` });
      try {
        await slots.acquire(job.signal);
      } catch {
        throw new HavenError('CANCELLED', 'cancelled while waiting for a free torrent slot');
      }
      try {
        // Complete and being shared already (checked after the wait: it may have finished meanwhile).
        const seeding = seeder.locationOf(input.infoHash);
        if (seeding) return { success: true, outputPath: seeding, metadata: { infoHash: input.infoHash, seeding: true } };
        const result = download(input, job);
        inflight.set(input.infoHash, result);
        return await result;
      } finally {
        inflight.delete(input.infoHash);
        slots.release();
      }
    }

    async function download(input: TorrentInput, job: JobHandle) {
      const config = ctx.config;
      const staging = path.join(ctx.dataDir, 'staging', input.infoHash);
      fs.mkdirSync(staging, { recursive: true });
      const torrent = await addTorrent(clients.get(config), input, staging);
      let done: { name: string; files: number; bytes: number; downloadedThisRun: number };
      let torrentFile: Uint8Array;
      let uploaded: number;
      try {
        await whenDone(torrent, job);
        // Read before destroy() empties them.
        done = { name: torrent.name, files: torrent.files.length, bytes: torrent.length, downloadedThisRun: torrent.received };
        torrentFile = torrent.torrentFile;
        uploaded = torrent.uploaded;
      } finally {
        await remove(torrent);
      }
      const outputDir = config.output_dir ?? ctx.outputDir;
      // The store may have changed the name (it drops characters like ":" and "?"): move what is there.
      const entries = fs.readdirSync(staging);
      if (entries.length !== 1) throw new HavenError('INTERNAL', `expected the torrent's one file or folder in ${staging}, found ${entries.length}`);
      const stored = entries[0]!;
      const saved = moveIntoPlace(path.join(staging, stored), outputDir, stored, input.infoHash);
      fs.rmSync(staging, { recursive: true, force: true });
      ctx.logger.info('torrent saved', { infoHash: input.infoHash, files: done.files, path: saved });
      // Shared from where it now lives; a name changed to avoid a clash no longer matches the torrent.
      if (ctx.config.seed_after_download && path.basename(saved) === done.name) {
        // The archive is complete either way; a seeding problem is only logged.
        await seeder.start(torrentFile, { infoHash: input.infoHash, name: done.name, dir: outputDir, uploadedBefore: uploaded, downloaded: done.bytes }).catch((error: unknown) => ctx.logger.warn('cannot seed the finished torrent', { name: done.name, error: String(error) }));
      }
      const { downloadedThisRun, ...kept } = done;
      return { success: true, outputPath: saved, fileSize: done.bytes, metadata: { infoHash: input.infoHash, ...kept, downloadedThisRun } };
    }

    return {
      healthCheck: () => {
        const config = ctx.config;
        const network = [`DHT ${config.dht ? 'on' : 'off'}`, `local discovery ${config.local_peer_discovery ? 'on' : 'off'}`, `port ${config.port || 'random'}`].join(', ');
        const seeding = seeder.infoHashes().length;
        return { status: 'pass', componentId: 'webtorrent', version: WebTorrent.VERSION, output: `WebTorrent ${WebTorrent.VERSION} archives magnet links, .torrent files and RSS feeds (${network}); ${inflight.size} downloading, ${seeding} seeding.` };
      },
      discoverSources: (options, job) => discover(options.dryRun, job?.signal),
      archive,
      initialize: () => seeder.resume(),
      shutdown: async () => {
        seeder.dispose();
        await clients.destroy();
      },
      views: {
        seeding: {
          title: 'Seeding',
          description: 'Finished torrents Haven shares from your library until their ratio or time limit (seed_ratio_limit, seed_time_limit).',
          empty: 'Nothing is seeding. Torrents appear here once they finish downloading, while seed_after_download is on.',
          columns: [
            { id: 'name', label: 'Name' },
            { id: 'state', label: 'State' },
            { id: 'ratio', label: 'Ratio', format: 'ratio' },
            { id: 'uploaded', label: 'Uploaded', format: 'bytes' },
            { id: 'speed', label: 'Upload', format: 'speed' },
            { id: 'peers', label: 'Peers', format: 'number' },
            { id: 'time', label: 'Seeded for', format: 'duration' },
            { id: 'note', label: 'Limit' },
          ],
          rows: async () =>
            (await seeder.status()).slice(0, 1000).map((row) => ({
              id: row.infoHash,
              cells: { name: row.name, state: row.state, ratio: row.ratio, uploaded: row.uploaded, speed: row.uploadSpeed, peers: row.peers, time: row.seconds, note: row.note },
              actions: row.state === 'seeding' ? ['stop', 'remove'] : ['resume', 'remove'],
            })),
          rowActions: {
            stop: {
              label: 'Stop',
              run: async (infoHash) => ((await seeder.stop(infoHash, 'stopped by you')) ? 'Stopped seeding; the files stay in your library.' : 'It was not seeding.'),
            },
            resume: { label: 'Seed again', run: (infoHash) => seeder.seedAgain(infoHash) },
            remove: {
              label: 'Remove',
              confirm: 'Stop sharing this torrent and take it off the list? Its files stay in your library.',
              danger: true,
              run: async (infoHash) => ((await seeder.remove(infoHash)) ? 'Removed from the Seeding list; the files stay in your library.' : 'It was not on the list.'),
            },
          },
        },
      },
    };
  },
});
