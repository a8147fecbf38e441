import fs from 'node:fs';
import path from 'node:path';
import { HavenError, checkTools, definePlugin, percentOf, probe, runTool, type DerivedFileResult, type JobHandle, type MediaItem, type ProcessResultInput } from '@haven/sdk';
import { convertArgs, isTextSubtitle, sidecarCharset, uniqueSlug, type Conversion } from './args';
import { configSchema } from './config';
import { cueLines, searchText } from './cues';
import { canonicalLanguage, findSidecars, languageName, wantedLanguage } from './sidecars';

export { configSchema };

/** Tracks per item: each makes two files, and a result holds at most 64. */
const MAX_TRACKS = 32;
/** A sidecar bigger than this is not subtitles. */
const SIDECAR_MAX_BYTES = 20 * 1024 * 1024;

interface Track {
  language?: string;
  /** How the label says where it came from: `embedded`, `embedded, forced, "SDH"`, `sidecar .en.vtt`. */
  source: string;
  /** For the metadata: `embedded stream 2 (mov_text)`, `sidecar video.en.vtt`. */
  origin: string;
  slug: string;
  conversion: Conversion;
}

export default definePlugin({
  configSchema,
  setup(ctx) {
    async function process(item: MediaItem, job: JobHandle): Promise<ProcessResultInput> {
      const config = ctx.config;
      if (!fs.existsSync(item.path)) throw new HavenError('NOT_FOUND', `the archived file is missing: ${item.path}`);
      if (fs.statSync(item.path).isDirectory()) return { derived: [], skipped: 'the item is a folder, not one media file' };
      for (const tool of ['ffmpeg', 'ffprobe'] as const) {
        if (!(await ctx.which(tool))) throw new HavenError('NOT_FOUND', `${tool} is not installed: install ffmpeg (it brings ffprobe) to convert subtitles`);
      }
      fs.mkdirSync(item.derivedDir, { recursive: true });
      const cwd = item.derivedDir;
      const notes: string[] = [];
      const taken = new Set<string>();
      const part = (slug: string, extension: string): string => path.join(item.derivedDir, `${slug}.${extension}.part`);

      job.progress({ phase: 'probing', percent: 0 });
      const info = await probe(ctx, item.path, { signal: job.signal, cwd });
      const subtitleStreams = info.streams.filter((stream) => stream.type === 'subtitle');
      const pictures = subtitleStreams.filter((stream) => !isTextSubtitle(stream));
      for (const stream of pictures) notes.push(`embedded stream ${stream.index} (${stream.codec}): picture subtitles need OCR, not converted`);

      const embedded: Track[] = [];
      for (const stream of subtitleStreams.filter(isTextSubtitle)) {
        const language = canonicalLanguage(stream.language);
        if (!wantedLanguage(language, config.languages)) {
          notes.push(`embedded stream ${stream.index}: ${languageName(language)} is not among the languages wanted`);
          continue;
        }
        const slug = uniqueSlug(language, taken);
        const details = ['embedded', ...(stream.forced ? ['forced'] : []), ...(stream.title ? [`"${stream.title.slice(0, 60)}"`] : [])];
        embedded.push({ ...(language ? { language } : {}), source: details.join(', '), origin: `embedded stream ${stream.index} (${stream.codec})`, slug, conversion: { map: `0:${stream.index}`, srt: part(slug, 'srt'), vtt: part(slug, 'vtt') } });
      }

      const sidecars: (Track & { file: string })[] = [];
      if (config.sidecars) {
        const folder = path.dirname(item.path);
        let names: string[] = [];
        try {
          names = fs.readdirSync(folder);
        } catch (error) {
          notes.push(`could not read the original's folder for sidecar files: ${(error as Error).message}`);
        }
        const base = path.basename(item.path).replace(/\.[^.]*$/, '');
        for (const sidecar of findSidecars(item.path, names)) {
          const file = path.join(folder, sidecar.name);
          const stat = fs.statSync(file, { throwIfNoEntry: false });
          if (!stat?.isFile()) continue;
          if (stat.size > SIDECAR_MAX_BYTES) {
            notes.push(`sidecar ${sidecar.name}: ${stat.size} bytes is too big for subtitles, not taken`);
            continue;
          }
          if (!wantedLanguage(sidecar.language, config.languages)) {
            notes.push(`sidecar ${sidecar.name}: ${languageName(sidecar.language)} is not among the languages wanted`);
            continue;
          }
          const slug = uniqueSlug(sidecar.language, taken);
          const suffix = sidecar.name.slice(base.length);
          sidecars.push({ ...(sidecar.language ? { language: sidecar.language } : {}), source: `sidecar ${suffix}`, origin: `sidecar ${sidecar.name}`, slug, file, conversion: { map: '0:s:0', srt: part(slug, 'srt'), vtt: part(slug, 'vtt') } });
        }
      }

      if (embedded.length + sidecars.length === 0) {
        const why = pictures.length
          ? `only picture subtitles (${[...new Set(pictures.map((stream) => stream.codec))].join(', ')}), which need OCR to become text`
          : subtitleStreams.length || notes.length
            ? `no subtitles in the languages wanted (${config.languages.join(', ')})`
            : `no subtitles: the file has no subtitle stream${config.sidecars ? ' and there is no subtitle file beside it (NAME.srt, NAME.LANG.vtt, NAME.LANG.ass)' : ''}`;
        return { derived: [], skipped: why, ...(notes.length ? { metadata: { notes } } : {}) };
      }
      if (embedded.length + sidecars.length > MAX_TRACKS) {
        const over = [...embedded, ...sidecars].slice(MAX_TRACKS);
        for (const track of over) notes.push(`${track.origin}: more than ${MAX_TRACKS} tracks, not converted`);
        embedded.splice(MAX_TRACKS);
        sidecars.splice(Math.max(0, MAX_TRACKS - embedded.length));
      }

      const converted: Track[] = [];
      const removeParts = (tracks: readonly Track[]): void => {
        for (const track of tracks) for (const file of [track.conversion.srt, track.conversion.vtt]) fs.rmSync(file, { force: true });
      };
      try {
        if (embedded.length) {
          job.progress({ phase: 'extracting', percent: 1, message: `${embedded.length} embedded track${embedded.length > 1 ? 's' : ''}` });
          const duration = item.duration && item.duration > 0 ? item.duration : info.duration;
          const share = sidecars.length ? 80 : 95;
          await runTool(
            ctx,
            'ffmpeg',
            convertArgs(
              item.path,
              embedded.map((track) => track.conversion),
            ),
            {
              signal: job.signal,
              cwd,
              onSeconds: (seconds) => {
                const percent = percentOf(seconds, duration);
                if (percent !== undefined) job.progress({ phase: 'extracting', percent: Math.max(1, (percent * share) / 100) });
              },
            },
          );
          converted.push(...embedded);
        }
        for (const [i, sidecar] of sidecars.entries()) {
          job.progress({ phase: 'converting', percent: (embedded.length ? 80 : 0) + (i / sidecars.length) * (embedded.length ? 15 : 95), message: sidecar.origin });
          const charenc = sidecarCharset(fs.readFileSync(sidecar.file));
          try {
            await runTool(ctx, 'ffmpeg', convertArgs(sidecar.file, [sidecar.conversion], charenc ? { charenc } : {}), { signal: job.signal, cwd });
            converted.push(sidecar);
          } catch (error) {
            if (job.signal.aborted) throw error;
            removeParts([sidecar]);
            notes.push(`${sidecar.origin}: ffmpeg could not read it (${(error as Error).message})`);
            ctx.logger.warn('a sidecar subtitle file could not be converted', { item: item.id, file: sidecar.file, error: (error as Error).message });
          }
        }

        // Keep the tracks that have cues, each content once; the first SRT carries the text.
        const derived: DerivedFileResult[] = [];
        const texts: string[][] = [];
        const seen = new Map<string, Track>();
        const tracks: Record<string, unknown>[] = [];
        for (const track of converted) {
          const srt = fs.existsSync(track.conversion.srt) ? fs.readFileSync(track.conversion.srt, 'utf8') : '';
          const lines = cueLines(srt);
          const key = lines.join('\n');
          const same = seen.get(key);
          if (lines.length === 0 || same || !fs.existsSync(track.conversion.vtt)) {
            notes.push(`${track.origin}: ${lines.length === 0 ? 'no cues with text' : same ? `the same text as ${same.origin}` : 'ffmpeg wrote no WebVTT'}, left out`);
            removeParts([track]);
            continue;
          }
          seen.set(key, track);
          texts.push(lines);
          const name = languageName(track.language);
          for (const [extension, file, mime, format] of [
            ['srt', track.conversion.srt, 'application/x-subrip', 'SRT'],
            ['vtt', track.conversion.vtt, 'text/vtt', 'WebVTT'],
          ] as const) {
            const final = path.join(item.derivedDir, `${track.slug}.${extension}`);
            fs.renameSync(file, final);
            derived.push({ path: final, kind: 'subtitle', mime, label: `${name} (${track.source}) — ${format}`.slice(0, 200) });
          }
          tracks.push({ language: track.language ?? 'und', name, from: track.origin, files: [`${track.slug}.srt`, `${track.slug}.vtt`], lines: lines.length });
        }
        if (derived.length === 0) return { derived: [], skipped: 'the subtitles found have no cues with text', metadata: { notes } };

        const search = searchText(texts);
        derived[0]!.text = search.text;
        job.progress({ phase: 'done', percent: 100 });
        return {
          derived,
          metadata: { tracks, text_lines: search.lines, ...(search.truncated ? { text_truncated: true } : {}), ...(notes.length ? { notes } : {}) },
        };
      } finally {
        removeParts([...embedded, ...sidecars]);
      }
    }

    return {
      healthCheck: () => checkTools(ctx, { encoders: ['srt', 'webvtt'] }, 'subtitles', `converts subtitles to SRT and WebVTT${ctx.config.languages.length ? ` (${ctx.config.languages.join(', ')})` : ''}`),
      process,
    };
  },
});
