import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import { RecordingManifest, type RecordingEnd, type RecordingPart } from '@shared/sdk/recording';
import { parseSegmentList, segmentListName, segmentPrefix } from './ffmpegArgs';

export const MANIFEST_FILE = 'recording.json';

/**
 * `recording.json`: the recording's parts, segments and gaps, rewritten (as .part, then renamed)
 * whenever they change, so a crash leaves it describing what is on disk.
 */
export class ManifestStore {
  private readonly sizes = new Map<string, number>();
  private readonly listSizes = new Map<number, number>();

  private constructor(
    readonly dir: string,
    private current: RecordingManifest,
  ) {}

  /** Opens the recording in `dir`, or starts one; a folder holding another kind of file is refused. */
  static open(dir: string, input: string): ManifestStore {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, MANIFEST_FILE);
    if (fs.existsSync(file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        raw = undefined;
      }
      const parsed = RecordingManifest.safeParse(raw);
      if (!parsed.success) throw new HavenError('CONFLICT', `${file} is not a recording Haven can continue: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      // Another stream's recording is never continued.
      if (parsed.data.input !== input) throw new HavenError('CONFLICT', `${dir} holds a recording of ${parsed.data.input}, not of ${input}`);
      return new ManifestStore(dir, parsed.data);
    }
    const store = new ManifestStore(dir, { version: 1, input, startedAt: new Date().toISOString(), state: 'recording', parts: [], gaps: [], reconnects: 0 });
    store.save();
    return store;
  }

  get manifest(): RecordingManifest {
    return this.current;
  }

  save(): void {
    const file = path.join(this.dir, MANIFEST_FILE);
    fs.writeFileSync(`${file}.part`, `${JSON.stringify(this.current, null, 2)}\n`);
    fs.renameSync(`${file}.part`, file);
  }

  seconds(): number {
    return this.current.parts.reduce((sum, part) => sum + part.segments.reduce((s, seg) => s + seg.seconds, 0), 0);
  }

  segmentCount(): number {
    return this.current.parts.reduce((sum, part) => sum + part.segments.length, 0);
  }

  files(): string[] {
    return this.current.parts.flatMap((part) => part.segments.map((seg) => seg.file));
  }

  /** Bytes of the finished segments (each measured once: a finished segment does not change). */
  bytes(): number {
    let total = 0;
    for (const file of this.files()) {
      let size = this.sizes.get(file);
      if (size === undefined) {
        try {
          size = fs.statSync(path.join(this.dir, file)).size;
          this.sizes.set(file, size);
        } catch {
          // A segment removed by hand (or joined into the MP4) counts as nothing.
          size = 0;
        }
      }
      total += size;
    }
    return total;
  }

  /** Whether a part's segment list changed since the last look (its size), so unchanged lists are not read again. */
  listChanged(part: number): boolean {
    let size = -1;
    try {
      size = fs.statSync(path.join(this.dir, segmentListName(part))).size;
    } catch {
      // No list yet.
    }
    if (this.listSizes.get(part) === size) return false;
    this.listSizes.set(part, size);
    return true;
  }

  nextPartNumber(): number {
    const onDisk = fs
      .readdirSync(this.dir)
      .map((name) => /^part(\d{3})-/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
    return Math.max(0, ...this.current.parts.map((p) => p.part), ...onDisk) + 1;
  }

  /** The finished segments of a part as ffmpeg listed them, and any it wrote but did not list (the last one after a kill). */
  segmentsOnDisk(part: number): { listed: { file: string; seconds: number }[]; unlisted: string[] } {
    const listFile = path.join(this.dir, segmentListName(part));
    const listed = fs.existsSync(listFile) ? parseSegmentList(fs.readFileSync(listFile, 'utf8')) : [];
    const names = new Set(listed.map((s) => s.file));
    const unlisted = fs
      .readdirSync(this.dir)
      .filter((name) => name.startsWith(segmentPrefix(part)) && /\.(ts|webm|mkv)$/.test(name) && !names.has(name))
      .sort();
    return { listed, unlisted };
  }

  /** Sets a part's segments (adding the part when it is new). */
  putPart(part: RecordingPart): void {
    const others = this.current.parts.filter((p) => p.part !== part.part);
    this.current = { ...this.current, parts: [...others, part].sort((a, b) => a.part - b.part) };
    this.save();
  }

  addGap(gap: RecordingManifest['gaps'][number]): void {
    this.current = { ...this.current, gaps: [...this.current.gaps, gap] };
    this.save();
  }

  reconnected(): void {
    this.current = { ...this.current, reconnects: this.current.reconnects + 1 };
    this.save();
  }

  chatCounted(file: string, messages: number): void {
    this.current = { ...this.current, chat: { file, messages } };
    this.save();
  }

  /** The recording is over and being finished (joined): a crash now must not record again. */
  finishing(endedBy: RecordingEnd): void {
    this.current = { ...this.current, state: 'finishing', endedBy };
    this.save();
  }

  finish(endedBy: RecordingEnd, remuxed?: string, tracks?: RecordingManifest['tracks']): void {
    this.current = { ...this.current, state: 'ended', endedBy, endedAt: new Date().toISOString(), ...(remuxed ? { remuxed } : {}), ...(tracks?.length ? { tracks } : {}) };
    this.save();
  }

  /** Drops the segment files (after a checked remux); the manifest keeps their names and lengths. */
  removeSegments(): void {
    for (const name of fs.readdirSync(this.dir)) {
      if (/^part\d{3}-/.test(name)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }
}
