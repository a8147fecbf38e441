import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MediaItem } from '../../shared/sdk/types';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, tempHome } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';

// MediaServerPlugin in a real Core: a 2 s video ffmpeg makes here, with channel metadata and a
// JPEG thumbnail an earlier step "made", exported into a library folder in each layout.

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')]);
afterEach(() => cores.disposeAll());

let media: string;
let video: string;
let thumbnail: string;
const made: string[] = [];

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

beforeAll(() => {
  media = tempHome('haven-mediaserver-media-');
  video = path.join(media, 'Sea Films', '20240305 - Lighthouse [abc123].mp4');
  fs.mkdirSync(path.dirname(video));
  ffmpeg(
    '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25:duration=2',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', video,
  );
  thumbnail = path.join(media, 'derived', '1', 'thumbnails', 'thumbnail.jpg');
  fs.mkdirSync(path.dirname(thumbnail), { recursive: true });
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x180:duration=1', '-frames:v', '1', '-update', '1', thumbnail);
});
afterAll(() => {
  for (const dir of [media, ...made]) fs.rmSync(dir, { recursive: true, force: true });
});

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file under a folder, relative, with its inode, size and mtime: what changed shows. */
function snapshot(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => !entry.isDirectory())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = fs.lstatSync(file);
      return `${path.relative(dir, file)} ${stat.ino} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

function fresh(prefix: string): string {
  const dir = tempHome(prefix);
  made.push(dir);
  return dir;
}

function itemFor(extra: Partial<MediaItem> = {}): MediaItem {
  return {
    id: '7',
    plugin: 'YouTubePlugin',
    sourceId: 'abc123',
    title: 'Lighthouse & "Dawn" <live>',
    path: video,
    mime: 'video/mp4',
    duration: 2,
    metadata: { channel: 'Sea Films', uploader: 'seafilms', upload_date: '20240305', description: "Waves & <gulls> at 'dawn'." },
    derivedDir: derivedDirIn(currentHome),
    derived: [{ id: 1, plugin: 'ThumbnailsPlugin', kind: 'thumbnail', path: thumbnail, mime: 'image/jpeg', label: 'Thumbnail (320 px)', createdAt: new Date().toISOString() }],
    ...extra,
  };
}

/** A fresh derivedDir where Core makes them: in its home's derived folder (the sandbox allows only there). */
let currentHome = '';
let derivedSerial = 0;
function derivedDirIn(home: string): string {
  derivedSerial += 1;
  const dir = home ? path.join(home, 'derived', `run-${derivedSerial}`, 'mediaserver') : fresh('haven-derived-');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function start(config: Record<string, unknown>): Promise<Core> {
  currentHome = fresh('haven-home-');
  const core = await cores.start(currentHome);
  const set = await core.plugins.setConfig('mediaserver', config, false);
  expect(set.ok, JSON.stringify(set)).toBe(true);
  await core.plugins.start('mediaserver');
  return core;
}

function parse(file: string): Record<string, Record<string, unknown>> {
  const xml = fs.readFileSync(file, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false }).parse(xml) as Record<string, Record<string, unknown>>;
}

describe('MediaServerPlugin', () => {
  it('exports a show episode by hard link with its .nfo, thumbnail and posters, and a second run changes nothing', async () => {
    const library = fresh('haven-library-');
    const core = await start({ library_dir: library, layout: 'shows' });
    const [health] = await core.plugins.health(['mediaserver']);
    expect(health!.result.status, health!.result.output).toBe('pass');
    const before = sha256(video);
    const mtime = fs.statSync(video).mtimeMs;
    const item = itemFor();

    const result = await core.plugins.process('mediaserver', item, 'job-ms-1');

    const season = path.join(library, 'Sea Films', 'Season 2024');
    const base = 'Sea Films - S2024E030501 - Lighthouse & Dawn live';
    const exported = path.join(season, `${base}.mp4`);
    expect(result.derived).toEqual([{ path: path.join(item.derivedDir, `${base}.nfo`), kind: 'metadata', mime: 'application/xml', label: 'Jellyfin/Kodi .nfo' }]);
    expect(result.metadata).toMatchObject({ exportedTo: exported, linkMode: 'hardlink' });
    expect(fs.statSync(exported).ino).toBe(fs.statSync(video).ino);
    expect(fs.readdirSync(season).sort()).toEqual([`${base}-thumb.jpg`, `${base}.mp4`, `${base}.nfo`]);
    expect(fs.readdirSync(path.join(library, 'Sea Films')).sort()).toEqual(['Season 2024', 'folder.jpg', 'poster.jpg', 'tvshow.nfo']);
    for (const picture of [path.join(season, `${base}-thumb.jpg`), path.join(library, 'Sea Films', 'poster.jpg'), path.join(library, 'Sea Films', 'folder.jpg')]) {
      expect(sha256(picture)).toBe(sha256(thumbnail));
    }

    const episode = parse(path.join(season, `${base}.nfo`)).episodedetails!;
    expect(episode).toMatchObject({
      title: 'Lighthouse & "Dawn" <live>',
      showtitle: 'Sea Films',
      studio: 'Sea Films',
      season: '2024',
      episode: '30501',
      aired: '2024-03-05',
      plot: "Waves & <gulls> at 'dawn'.",
      runtime: '1',
      thumb: { '#text': `${base}-thumb.jpg`, '@aspect': 'thumb' },
    });
    expect(episode.uniqueid).toEqual([
      { '#text': '7', '@type': 'haven', '@default': 'true' },
      { '#text': 'abc123', '@type': 'youtube' },
    ]);
    expect(fs.readFileSync(result.derived[0]!.path, 'utf8')).toBe(fs.readFileSync(path.join(season, `${base}.nfo`), 'utf8'));
    expect(parse(path.join(library, 'Sea Films', 'tvshow.nfo')).tvshow).toMatchObject({ title: 'Sea Films' });

    // The original is untouched.
    expect(sha256(video)).toBe(before);
    expect(fs.statSync(video).mtimeMs).toBe(mtime);

    // Again (Haven gives each run an empty derivedDir): the same episode, nothing rewritten.
    const libraryBefore = snapshot(library);
    const again = await core.plugins.process('mediaserver', itemFor(), 'job-ms-2');
    expect(again.metadata).toMatchObject({ exportedTo: exported, alreadyExported: true });
    expect(again.derived[0]!.label).toBe('Jellyfin/Kodi .nfo (already in the library)');
    expect(snapshot(library)).toEqual(libraryBefore);

    // Another video of the same day becomes episode 02; the channel's posters stay.
    const other = path.join(media, 'other.mp4');
    fs.copyFileSync(video, other);
    fs.appendFileSync(other, 'different');
    const second = await core.plugins.process('mediaserver', itemFor({ id: '8', sourceId: 'def456', title: 'Second', path: other }), 'job-ms-3');
    expect(second.metadata!.exportedTo).toBe(path.join(season, 'Sea Films - S2024E030502 - Second.mp4'));
    expect(snapshot(library).filter((line) => line.startsWith(`Sea Films${path.sep}poster`))).toEqual(libraryBefore.filter((line) => line.startsWith(`Sea Films${path.sep}poster`)));
    expect(sha256(video)).toBe(before);
  });

  it('keeps hostile titles inside library_dir (by-source), and copies or symlinks when asked', async () => {
    const outer = fresh('haven-outer-');
    const library = path.join(outer, 'library');
    fs.mkdirSync(library);
    const core = await start({ library_dir: library });
    const before = sha256(video);

    const exported: string[] = [];
    for (const [index, title] of ['../../etc/passwd', 'CON', 'a/b\\c'].entries()) {
      const result = await core.plugins.process('mediaserver', itemFor({ id: String(20 + index), title, metadata: { channel: '../..' } }), `job-ms-h${index}`);
      exported.push(result.metadata!.exportedTo as string);
    }
    expect(exported).toEqual([
      path.join(library, 'Unknown', 'etcpasswd [abc123].mp4'),
      path.join(library, 'Unknown', 'CON_ [abc123].mp4'),
      path.join(library, 'Unknown', 'abc [abc123].mp4'),
    ]);
    for (const file of exported) expect(fs.realpathSync(file).startsWith(`${fs.realpathSync(library)}${path.sep}`)).toBe(true);
    expect(fs.readdirSync(outer)).toEqual(['library']);
    expect(fs.readdirSync(library)).toEqual(['Unknown']);

    // copy: an independent file; symlink: a link to the original.
    expect((await core.plugins.setConfig('mediaserver', { link_mode: 'copy', layout: 'movies' }, false)).ok).toBe(true);
    const copied = await core.plugins.process('mediaserver', itemFor(), 'job-ms-copy');
    const movie = path.join(library, 'Lighthouse & Dawn live (2024)', 'Lighthouse & Dawn live (2024).mp4');
    expect(copied.metadata).toMatchObject({ exportedTo: movie, linkMode: 'copy' });
    expect(fs.statSync(movie).ino).not.toBe(fs.statSync(video).ino);
    expect(sha256(movie)).toBe(before);
    expect(parse(path.join(path.dirname(movie), 'Lighthouse & Dawn live (2024).nfo')).movie).toMatchObject({ title: 'Lighthouse & "Dawn" <live>', year: '2024', premiered: '2024-03-05' });

    expect((await core.plugins.setConfig('mediaserver', { link_mode: 'symlink', layout: 'by-source' }, false)).ok).toBe(true);
    const linked = await core.plugins.process('mediaserver', itemFor(), 'job-ms-link');
    expect(linked.metadata).toMatchObject({ exportedTo: path.join(library, 'Sea Films', 'Lighthouse & Dawn live [abc123].mp4'), linkMode: 'symlink' });
    expect(fs.readlinkSync(linked.metadata!.exportedTo as string)).toBe(fs.realpathSync(video));
    expect(sha256(video)).toBe(before);
  });

  it('without library_dir writes only the .nfo into derivedDir and says nothing was exported; refuses a missing library', async () => {
    const core = await start({});
    const item = itemFor();
    const result = await core.plugins.process('mediaserver', item, 'job-ms-none');
    expect(result.derived).toEqual([
      { path: path.join(item.derivedDir, 'Lighthouse & Dawn live [abc123].nfo'), kind: 'metadata', mime: 'application/xml', label: 'Jellyfin/Kodi .nfo (nothing exported: library_dir is not set)' },
    ]);
    expect(result.metadata).toEqual({ linkMode: 'hardlink' });
    expect(fs.readdirSync(item.derivedDir)).toEqual(['Lighthouse & Dawn live [abc123].nfo']);
    expect(parse(result.derived[0]!.path).movie).toMatchObject({ thumb: { '#text': thumbnail, '@aspect': 'poster' } });

    const missing = path.join(fresh('haven-gone-'), 'not-mounted');
    expect((await core.plugins.setConfig('mediaserver', { library_dir: missing }, false)).ok).toBe(true);
    await expect(core.plugins.process('mediaserver', itemFor(), 'job-ms-missing')).rejects.toThrow(/does not exist/);
    expect(fs.existsSync(missing)).toBe(false);
  });
});
