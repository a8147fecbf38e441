import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ImportReport } from '@shared/domain/library';
import { HavenError } from '@shared/ipc/errors';
import type { ArchiveIndex } from './archiveIndex';
import { SIDECAR_SUFFIX, mediaTypeOf, mimeFor, sha256File } from './files';

const MAX_FILES = 200_000;
const MAX_DEPTH = 12;
const MEDIA = /\.(mp4|m4v|mkv|webm|mov|avi|ts|flv|mp3|m4a|aac|ogg|opus|flac|wav)$/i;
/** yt-dlp's default file names end in ` [VIDEO_ID].ext`. */
const YOUTUBE_ID_IN_NAME = /\[([A-Za-z0-9_-]{11})\]\.[A-Za-z0-9]+$/;

const HavenSidecar = z.object({
  haven: z.literal(1),
  plugin: z.string().min(1),
  source: z.object({ sourceId: z.string().min(1), uri: z.string(), title: z.string().optional(), mediaType: z.string() }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number(),
  archivedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

const YtDlpInfo = z
  .object({
    id: z.string().min(1),
    title: z.string().optional(),
    extractor_key: z.string().optional(),
    extractor: z.string().optional(),
    webpage_url: z.string().optional(),
    uploader: z.string().optional(),
    channel: z.string().optional(),
    description: z.string().optional(),
    upload_date: z.string().optional(),
    duration: z.number().optional(),
    tags: z.array(z.string()).optional(),
  })
  .passthrough();

/** Lists files without blocking Core: asynchronous reads, one folder at a time. */
async function* walk(dir: string, signal?: AbortSignal, depth = 0): AsyncGenerator<string> {
  if (signal?.aborted) throw new HavenError('CANCELLED', 'import cancelled');
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.') && depth < MAX_DEPTH) yield* walk(full, signal, depth + 1);
    else if (entry.isFile()) yield full;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The media file a yt-dlp `X.info.json` describes: `X.<ext>` beside it. */
function mediaBeside(infoFile: string, files: Set<string>): string | undefined {
  const base = infoFile.slice(0, -'.info.json'.length);
  for (const candidate of files) if (candidate.startsWith(`${base}.`) && MEDIA.test(candidate) && path.dirname(candidate) === path.dirname(infoFile)) return candidate;
  return undefined;
}

/**
 * Imports files already on disk so they are never downloaded again: Haven's own sidecars
 * (`.haven.json`), yt-dlp `.info.json` files, and file names carrying a YouTube `[id]`.
 * Every file it passes over is listed with the reason.
 */
export async function importFolder(
  index: ArchiveIndex,
  dir: string,
  options: { signal?: AbortSignal; onProgress?: (message: string) => void } = {},
): Promise<ImportReport> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new HavenError('NOT_FOUND', `${dir} is not a folder`);
  const files = new Set<string>();
  for await (const file of walk(root, options.signal)) {
    files.add(file);
    if (files.size > MAX_FILES) throw new HavenError('TOO_LARGE', `${dir} holds more than ${MAX_FILES} files; import its sub-folders one by one`);
  }
  const report: ImportReport = { scanned: 0, imported: 0, alreadyKnown: 0, skipped: [] };
  const claimed = new Set<string>();
  const add = async (plugin: string, sourceId: string, media: string, fields: { title: string; uri: string; metadata: Record<string, unknown>; tags?: string[]; duration?: number; sha256?: string }): Promise<void> => {
    claimed.add(media);
    if (options.signal?.aborted) throw new HavenError('CANCELLED', 'import cancelled');
    options.onProgress?.(`${report.imported + report.alreadyKnown} of about ${files.size} files`);
    if (index.findBySource(plugin, sourceId)) {
      report.alreadyKnown++;
      return;
    }
    const { sha256, size } = fields.sha256 ? { sha256: fields.sha256, size: fs.statSync(media).size } : await sha256File(media);
    const mime = mimeFor(media);
    index.upsert({
      plugin,
      sourceId,
      mediaType: mediaTypeOf(mime, 'file'),
      title: fields.title,
      uri: fields.uri,
      outputPath: media,
      size,
      sha256,
      ...(mime ? { mime } : {}),
      ...(fields.duration !== undefined ? { duration: fields.duration } : {}),
      metadata: { ...fields.metadata, imported_from: root },
      tags: fields.tags ?? [],
    });
    report.imported++;
  };

  for (const file of files) {
    if (!file.endsWith(SIDECAR_SUFFIX)) continue;
    report.scanned++;
    const parsed = HavenSidecar.safeParse(readJson(file));
    const media = file.slice(0, -SIDECAR_SUFFIX.length);
    if (!parsed.success) report.skipped.push({ path: file, reason: 'not a valid Haven sidecar' });
    else if (!files.has(media)) report.skipped.push({ path: file, reason: 'its media file is missing' });
    else {
      const { plugin, source, sha256, metadata } = parsed.data;
      await add(plugin, source.sourceId, media, { title: source.title ?? path.basename(media), uri: source.uri, metadata, sha256 });
    }
  }
  for (const file of files) {
    if (!file.endsWith('.info.json')) continue;
    report.scanned++;
    const parsed = YtDlpInfo.safeParse(readJson(file));
    const media = mediaBeside(file, files);
    if (!parsed.success) report.skipped.push({ path: file, reason: 'not a yt-dlp info.json' });
    else if (!media) report.skipped.push({ path: file, reason: 'no media file beside it' });
    else if (!claimed.has(media)) {
      const info = parsed.data;
      const youtube = (info.extractor_key ?? info.extractor ?? '').toLowerCase() === 'youtube';
      await add(youtube ? 'YouTubePlugin' : 'import', youtube ? info.id : `${info.extractor_key ?? 'web'}:${info.id}`, media, {
        title: info.title ?? path.basename(media),
        uri: info.webpage_url ?? `https://www.youtube.com/watch?v=${info.id}`,
        metadata: {
          ...(info.description ? { description: info.description } : {}),
          ...(info.uploader || info.channel ? { channel: info.channel ?? info.uploader } : {}),
          ...(info.upload_date ? { upload_date: info.upload_date } : {}),
        },
        ...(info.tags ? { tags: info.tags } : {}),
        ...(info.duration !== undefined ? { duration: info.duration } : {}),
      });
    }
  }
  for (const file of files) {
    if (!MEDIA.test(file) || claimed.has(file)) continue;
    report.scanned++;
    const id = YOUTUBE_ID_IN_NAME.exec(path.basename(file))?.[1];
    if (!id) {
      report.skipped.push({ path: file, reason: 'no sidecar, no .info.json and no [id] in the name: Haven cannot tell its source' });
      continue;
    }
    const title = path.basename(file).replace(YOUTUBE_ID_IN_NAME, '').trim() || id;
    await add('YouTubePlugin', id, file, { title, uri: `https://www.youtube.com/watch?v=${id}`, metadata: {} });
  }
  return report;
}
