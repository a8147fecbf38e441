import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HavenError, definePlugin, z, type JobHandle, type MediaSource } from '@haven/sdk';
import { parseFeed } from './feed';

export const configSchema = z.object({
  feed_urls: z.array(z.url({ protocol: /^https?$/ })).default([]).describe('Feeds to watch.'),
  output_dir: z.string().optional().describe('Where files go; default: the downloads folder in HAVEN_HOME.'),
  max_items: z.number().int().min(1).max(10_000).default(20).describe('Newest items to take from each feed.'),
  media_types: z.array(z.string()).default(['audio/', 'video/']).describe('Enclosure types to take (prefixes).'),
  check_interval_minutes: z.number().int().min(0).default(0).describe('Check the feeds on a schedule; 0 means only when asked.'),
  stall_timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe('Give up on a download (and let Haven retry it) when the server sends nothing for this long.'),
});

/** The start of an HTML page: what a login wall, an error page or a link to a page sends instead of a media file. */
const HTML_START = /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i;

/** `Name (2).mp3` for `Name.mp3`. */
function numbered(file: string, n: number): string {
  const ext = path.extname(file);
  return n === 1 ? file : `${file.slice(0, file.length - ext.length)} (${n})${ext}`;
}

/** The source Haven's sidecar beside `file` names, if there is one. */
async function sidecarSourceOf(file: string): Promise<string | undefined> {
  try {
    const sidecar = JSON.parse(await fs.promises.readFile(`${file}.haven.json`, 'utf8')) as { source?: { sourceId?: unknown } };
    return typeof sidecar.source?.sourceId === 'string' ? sidecar.source.sourceId : undefined;
  } catch {
    return undefined;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Whether two files hold the same bytes (sizes first, so most differing files are never read). */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.promises.stat(a), fs.promises.stat(b).catch(() => undefined)]);
  if (!sb?.isFile() || sa.size !== sb.size) return false;
  const [ha, hb] = await Promise.all([sha256Of(a), sha256Of(b)]);
  return ha === hb;
}

/**
 * Where this plugin last placed each source's file, written before the file is placed: Haven
 * writes the sidecar only after the plugin reports the file, so a file Haven stopped too early to
 * index has none, and this record is what says the file is this source's.
 */
class Placements {
  constructor(private readonly dir: string) {}

  private fileOf(sourceId: string): string {
    return path.join(this.dir, `${crypto.createHash('sha256').update(sourceId).digest('hex').slice(0, 40)}.json`);
  }

  async claim(sourceId: string, file: string): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    await fs.promises.writeFile(this.fileOf(sourceId), JSON.stringify({ sourceId, file }));
  }

  async claimed(sourceId: string): Promise<string | undefined> {
    try {
      const record = JSON.parse(await fs.promises.readFile(this.fileOf(sourceId), 'utf8')) as { sourceId?: unknown; file?: unknown };
      return record.sourceId === sourceId && typeof record.file === 'string' ? record.file : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Moves a finished download to its name, never over another source's file: an episode of
 * another feed with the same title becomes `Title (2).mp3`. The same source replaces its own file:
 * Haven's sidecar beside it names the source, or (no sidecar yet: Haven stopped before writing
 * it) this plugin's placement record names the file and the bytes are the same.
 */
async function placeFinished(part: string, wanted: string, sourceId: string, placements: Placements): Promise<string> {
  for (let n = 1; n <= 99; n += 1) {
    const candidate = numbered(wanted, n);
    if (await fs.promises.lstat(candidate).catch(() => undefined)) {
      const owner = await sidecarSourceOf(candidate);
      const ours = owner === sourceId || (owner === undefined && (await placements.claimed(sourceId)) === candidate && (await sameBytes(part, candidate)));
      if (!ours) continue;
      await fs.promises.rename(part, candidate);
      return candidate;
    }
    await placements.claim(sourceId, candidate);
    try {
      // A link fails if the name was taken meanwhile (another job finishing at the same moment).
      await fs.promises.link(part, candidate);
      await fs.promises.rm(part, { force: true });
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
    }
    try {
      // A filesystem without hard links: a copy that also fails if the name was taken meanwhile.
      await fs.promises.copyFile(part, candidate, fs.constants.COPYFILE_EXCL);
      await fs.promises.rm(part, { force: true });
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
  }
  throw new HavenError('CONFLICT', `${path.basename(wanted)} and 98 numbered variants are taken by other files in ${path.dirname(wanted)}`);
}

/** A file name from the item: its title, made safe, with the URL's extension. */
function fileNameFor(source: MediaSource): string {
  const ext = path.extname(new URL(source.uri).pathname).slice(0, 8) || '.bin';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what file names must not hold
  const base = (source.title ?? source.sourceId).replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').replace(/\s+/g, ' ').trim().slice(0, 150) || 'item';
  // A title that is already a file name (`15.mp3`, from a bare URL) keeps its one extension.
  return base.toLowerCase().endsWith(ext.toLowerCase()) ? base : `${base}${ext}`;
}

export default definePlugin({
  configSchema,
  setup(ctx) {
    const outputDir = (): string => ctx.config.output_dir ?? ctx.outputDir;
    const placements = new Placements(path.join(ctx.dataDir, 'placed'));

    async function discover(): Promise<{ sources: MediaSource[]; skipped: { source: MediaSource; reason: string }[] }> {
      const sources: MediaSource[] = [];
      const skipped: { source: MediaSource; reason: string }[] = [];
      for (const feedUrl of ctx.config.feed_urls) {
        const response = await ctx.http(feedUrl);
        if (!response.ok) throw new HavenError(response.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', `${feedUrl}: HTTP ${response.status}`);
        let items;
        try {
          items = parseFeed(await response.text());
        } catch (error) {
          throw new HavenError('INVALID_INPUT', `${feedUrl}: ${(error as Error).message}`);
        }
        items.forEach((item, index) => {
          const source: MediaSource = {
            sourceId: item.id,
            mediaType: item.type.split('/')[0] || 'file',
            uri: item.url,
            title: item.title,
            metadata: { feed: feedUrl, type: item.type, ...(item.published ? { published: item.published } : {}), ...(item.description ? { description: item.description } : {}) },
          };
          if (!ctx.config.media_types.some((prefix) => item.type.startsWith(prefix))) skipped.push({ source, reason: `type ${item.type || 'unknown'} is not wanted` });
          else if (index >= ctx.config.max_items) skipped.push({ source, reason: `beyond max_items (${ctx.config.max_items})` });
          else sources.push(source);
        });
      }
      return { sources, skipped };
    }

    if (ctx.config.check_interval_minutes > 0) {
      ctx.schedule({
        name: 'check feeds',
        intervalMs: ctx.config.check_interval_minutes * 60_000,
        jitterMs: 30_000,
        skipInitialRun: true,
        // A discovery job, like the Jobs page's "check now": new items become archive jobs.
        run: () => ctx.discover(`every ${ctx.config.check_interval_minutes} minutes`),
      });
    }

    return {
      healthCheck: () => ({
        status: ctx.config.feed_urls.length > 0 ? 'pass' : 'warn',
        componentId: ctx.name,
        output: ctx.config.feed_urls.length > 0 ? `${ctx.config.feed_urls.length} feed(s)` : 'no feeds configured: set feed_urls',
      }),

      discoverSources: () => discover(),

      actions: {
        'check-now': {
          label: 'Check the feeds now',
          description: 'Runs discovery as a job: new items are queued for archiving.',
          async run() {
            const job = await ctx.discover('asked from the plugin page');
            return `Checked the feeds (job ${job.jobId}: ${job.state}).`;
          },
        },
      },

      /**
       * Downloads to `<name>.<job>.part`, then moves it to its name (numbered when another source's
       * file has it): a half-written file never looks complete. A
       * failed download removes its `.part` (a retry starts again from the first byte, so it is of
       * no use, and on a full disk it is what fills it). A server that sends nothing for
       * `stall_timeout_seconds` (before or during the body) fails the attempt as a network error, so
       * the job is retried instead of waiting for ever; a web page instead of the file fails it as
       * invalid input.
       */
      async archive(source: MediaSource, job: JobHandle) {
        const dir = outputDir();
        await fs.promises.mkdir(dir, { recursive: true });
        const wantedPath = path.join(dir, fileNameFor(source));
        // One .part per job: two sources with the same name never write into each other.
        const partPath = `${wantedPath}.${job.id.replace(/[^A-Za-z0-9_-]/g, '')}.part`;
        const stallMs = ctx.config.stall_timeout_seconds * 1000;
        const stalled = new AbortController();
        let stallTimer: ReturnType<typeof setTimeout> | undefined;
        const armStallTimer = (): void => {
          clearTimeout(stallTimer);
          stallTimer = setTimeout(() => stalled.abort(), stallMs);
        };
        const signal = AbortSignal.any([job.signal, stalled.signal]);
        let answered = false;
        let done = 0;
        let head = Buffer.alloc(0);
        let contentType = '';
        const notMedia = (): HavenError =>
          new HavenError(
            'INVALID_INPUT',
            `${source.uri}: the server answered with a web page${contentType ? ` (${contentType})` : ''}, not a media file: the address may need a browser login, or lead to a page rather than the file`,
          );
        try {
          armStallTimer();
          const response = await ctx.http(source.uri, { signal });
          answered = true;
          if (!response.ok || !response.body) {
            throw new HavenError(response.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', `${source.uri}: HTTP ${response.status}`);
          }
          contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
          const total = Number(response.headers.get('content-length')) || undefined;
          let lastReport = 0;
          const started = Date.now();
          const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
          body.on('data', (chunk: Buffer) => {
            armStallTimer();
            done += chunk.length;
            if (head.length < 64) {
              head = Buffer.concat([head, chunk.subarray(0, 64)]);
              if (HTML_START.test(head.toString('latin1'))) {
                body.destroy(notMedia());
                return;
              }
            }
            const now = Date.now();
            if (now - lastReport < 100) return;
            lastReport = now;
            const speed = done / Math.max(0.001, (now - started) / 1000);
            job.progress({
              phase: 'downloading',
              bytesDone: done,
              ...(total ? { bytesTotal: total, etaSeconds: Math.max(0, (total - done) / speed) } : {}),
              speedBps: speed,
            });
          });
          await pipeline(body, fs.createWriteStream(partPath), { signal });
          if (HTML_START.test(head.toString('latin1'))) throw notMedia();
          if (total !== undefined && done !== total) {
            throw new HavenError('UNAVAILABLE', `${source.uri}: the server sent ${done} of ${total} bytes`);
          }
        } catch (error) {
          await fs.promises.rm(partPath, { force: true }).catch(() => undefined);
          if (stalled.signal.aborted && !job.signal.aborted) {
            throw new HavenError(
              'UNAVAILABLE',
              `${source.uri}: the server stopped sending (nothing for ${ctx.config.stall_timeout_seconds} s ${answered ? `after ${done} bytes` : 'and no answer to the request'})`,
            );
          }
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
            throw new HavenError('UNAVAILABLE', `disk full: no space left in ${dir} after ${done} bytes of ${source.uri} (ENOSPC)`);
          }
          throw error;
        } finally {
          clearTimeout(stallTimer);
        }
        let finalPath: string;
        try {
          finalPath = await placeFinished(partPath, wantedPath, source.sourceId, placements);
        } catch (error) {
          // Nothing half-placed stays: the download is fetched again by the retry.
          await fs.promises.rm(partPath, { force: true }).catch(() => undefined);
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
            throw new HavenError('UNAVAILABLE', `disk full: no space left to place ${path.basename(wantedPath)} in ${dir} (ENOSPC)`);
          }
          throw error;
        }
        job.progress({ phase: 'done', bytesDone: done, bytesTotal: done });
        return { success: true, outputPath: finalPath, fileSize: done, metadata: source.metadata };
      },
    };
  },
});
