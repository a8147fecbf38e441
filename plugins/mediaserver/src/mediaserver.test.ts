import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { exportItem, episodeIndex } from './export';
import { ensureFolders, insidePath, isInside, placeMedia, sameFile } from './files';
import { itemDate, planExport, type ItemFacts } from './layout';
import { byteLength, MAX_COMPONENT_BYTES, safeName, truncateBytes } from './names';
import { buildNfo, escapeXml, uniqueIdIn, XmlWriter } from './nfo';

const day = { year: 2024, month: 3, day: 5 };

function facts(extra: Partial<ItemFacts> = {}): ItemFacts {
  return {
    id: '42',
    plugin: 'YouTubePlugin',
    sourceId: 'dQw4w9WgXcQ',
    title: 'Lighthouse at dawn',
    path: '/archive/YouTube/clip.mp4',
    duration: 125,
    metadata: { channel: 'Sea Films', upload_date: '20240305', description: 'Waves.' },
    ...extra,
  };
}

const temps: string[] = [];
function temp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-mediaserver-unit-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('safeName', () => {
  it('strips characters Windows and SMB refuse, and control characters', () => {
    expect(safeName('a/b\\c')).toBe('abc');
    expect(safeName('What? "Yes": <no> | *maybe*')).toBe('What Yes no maybe');
    expect(safeName('tab\there\nnew\u0000line\u007f\u0085')).toBe('tab here newline');
    expect(safeName('evil\u202egpj.exe')).toBe('evilgpj.exe');
  });

  it('leaves no way up: `..`, `.` and paths become plain names', () => {
    expect(safeName('..')).toBe('Untitled');
    expect(safeName('.')).toBe('Untitled');
    expect(safeName('../../etc/passwd')).toBe('etcpasswd');
    expect(safeName('.hidden')).toBe('hidden');
    expect(safeName('', 'fallback')).toBe('fallback');
    expect(safeName('///', '..')).toBe('Untitled');
  });

  it('drops trailing dots and spaces and collapses white space', () => {
    expect(safeName('  The End...  ')).toBe('The End');
    expect(safeName('a   b')).toBe('a b');
  });

  it('renames Windows device names, with or without an extension, in any case', () => {
    expect(safeName('CON')).toBe('CON_');
    expect(safeName('con')).toBe('con_');
    expect(safeName('NUL.txt')).toBe('NUL_.txt');
    expect(safeName('com1')).toBe('com1_');
    expect(safeName('LPT9')).toBe('LPT9_');
    expect(safeName('COM¹')).toBe('COM¹_');
    expect(safeName('AUX ')).toBe('AUX_');
    expect(safeName('CON.')).toBe('CON_');
    expect(safeName('CONSOLE')).toBe('CONSOLE');
    expect(safeName('COM10')).toBe('COM10');
    expect(safeName('icon')).toBe('icon');
  });

  it('keeps Unicode (normalised to NFC)', () => {
    expect(safeName('Ca\u0301fe\u0301 – 東京 🎬')).toBe('Cáfé – 東京 🎬');
  });

  it('caps names at 120 bytes of UTF-8 without splitting a character or an emoji', () => {
    const long = safeName('é'.repeat(500));
    expect(byteLength(long)).toBeLessThanOrEqual(MAX_COMPONENT_BYTES);
    expect(long).toBe('é'.repeat(60));
    const cjk = safeName('東'.repeat(100));
    expect(byteLength(cjk)).toBe(120);
    const family = '👨‍👩‍👧‍👦';
    const emoji = truncateBytes(family.repeat(10), 60);
    expect(emoji).toBe(family.repeat(2));
    expect(safeName(`${'a'.repeat(119)}. b`)).toBe('a'.repeat(119));
  });
});

describe('itemDate', () => {
  it('reads yt-dlp dates, ISO times and timestamps', () => {
    expect(itemDate({ upload_date: '20240305' })).toEqual(day);
    expect(itemDate({ published: '2024-03-05T23:10:00+00:00' })).toEqual(day);
    expect(itemDate({ timestamp: Date.UTC(2024, 2, 5, 12) / 1000 })).toEqual(day);
    expect(itemDate({ upload_date: '20241399', published: '2024-03-05' })).toEqual(day);
    expect(itemDate({ upload_date: 'soon' })).toBeUndefined();
    expect(itemDate({})).toBeUndefined();
  });
});

describe('planExport', () => {
  const join = (plan: { folders: string[]; base: string; ext: string }) => [...plan.folders, `${plan.base}${plan.ext}`].join('/');

  it('by-source: <channel>/<title> [<id>].ext', () => {
    const plan = planExport(facts(), 'by-source', { fallbackDate: day });
    expect(join(plan)).toBe('Sea Films/Lighthouse at dawn [dQw4w9WgXcQ].mp4');
    expect(plan.nfoRoot).toBe('movie');
    // Without a channel, the source plugin names the folder; colons of a source id go.
    const bare = planExport(facts({ metadata: {}, sourceId: 'url:ab12' }), 'by-source', { fallbackDate: day });
    expect(join(bare)).toBe('YouTube/Lighthouse at dawn [urlab12].mp4');
  });

  it('movies: <title> (<year>)/<title> (<year>).ext, no year when none is known', () => {
    expect(join(planExport(facts(), 'movies', { fallbackDate: day }))).toBe('Lighthouse at dawn (2024)/Lighthouse at dawn (2024).mp4');
    expect(join(planExport(facts({ metadata: {} }), 'movies', { fallbackDate: day }))).toBe('Lighthouse at dawn/Lighthouse at dawn.mp4');
  });

  it('shows: <channel>/Season <year>/<channel> - S<year>E<mmdd><nn> - <title>.ext', () => {
    const plan = planExport(facts(), 'shows', { fallbackDate: { year: 1999, month: 1, day: 1 } });
    expect(join(plan)).toBe('Sea Films/Season 2024/Sea Films - S2024E030501 - Lighthouse at dawn.mp4');
    expect(plan).toMatchObject({ nfoRoot: 'episodedetails', season: 2024, episode: 30501, collectionDepth: 1 });
    const second = planExport(facts(), 'shows', { fallbackDate: day, index: 2 });
    expect(second.base).toBe('Sea Films - S2024E030502 - Lighthouse at dawn');
    // No date in the metadata: the file's date.
    const undated = planExport(facts({ metadata: { uploader: 'Someone' } }), 'shows', { fallbackDate: { year: 2023, month: 12, day: 31 } });
    expect(join(undated)).toBe('Someone/Season 2023/Someone - S2023E123101 - Lighthouse at dawn.mp4');
  });

  it('makes hostile titles and channels plain names in every layout, every component at most 120 bytes', () => {
    for (const title of ['../../etc/passwd', 'CON', 'a/b\\c', '..', 'x'.repeat(400), '🎬'.repeat(100)]) {
      for (const layout of ['by-source', 'movies', 'shows'] as const) {
        const plan = planExport(facts({ title, metadata: { channel: '../..', upload_date: '20240305' }, path: '/a/b.MKV' }), layout, { fallbackDate: day });
        const components = [...plan.folders, `${plan.base} (99)-thumb.jpg.part`, `${plan.base} (99)${plan.ext}.part`];
        for (const component of components) {
          expect(component).not.toMatch(/[/\\:*?"<>|]/);
          expect(['.', '..', 'CON', 'con']).not.toContain(component);
          expect(byteLength(component), component).toBeLessThanOrEqual(MAX_COMPONENT_BYTES);
        }
        expect(plan.ext).toBe('.mkv');
      }
    }
  });
});

function parse(xml: string): Record<string, Record<string, unknown>> {
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false }).parse(xml) as Record<string, Record<string, unknown>>;
}

describe('.nfo', () => {
  it('escapes <&>"\' and drops characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
    expect(escapeXml('bell\u0007 and \ud800 lone')).toBe('bell and  lone');
    expect(escapeXml('😀 kept')).toBe('😀 kept');
  });

  it('refuses bad element names and unclosed elements', () => {
    expect(() => new XmlWriter().element('a b', 'x')).toThrow(/not an XML name/);
    expect(() => new XmlWriter().start('movie').toString()).toThrow(/unclosed/);
  });

  it('writes a well-formed <movie> that parses back to the same values', () => {
    const hostile = `<script>&"quotes"' ]]> </movie>`;
    const item = facts({ title: hostile, sourceId: `id&<>"'`, metadata: { channel: 'A & B <C>', upload_date: '20240305', description: `Line 1\nLine 2 & <b>bold</b> "q" 'a'` } });
    const plan = planExport(item, 'by-source', { fallbackDate: day });
    const xml = buildNfo(item, plan, { thumb: 'x & y-thumb.jpg' });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<movie>')).toBe(true);
    const movie = parse(xml).movie!;
    expect(movie.title).toBe(hostile);
    expect(movie.plot).toBe(`Line 1\nLine 2 & <b>bold</b> "q" 'a'`);
    expect(movie.studio).toBe('A & B <C>');
    expect(movie.premiered).toBe('2024-03-05');
    expect(movie.year).toBe('2024');
    expect(movie.runtime).toBe('2');
    expect(movie.uniqueid).toEqual([
      { '#text': '42', '@type': 'haven', '@default': 'true' },
      { '#text': `id&<>"'`, '@type': 'youtube' },
    ]);
    expect(movie.thumb).toEqual({ '#text': 'x & y-thumb.jpg', '@aspect': 'poster' });
    expect(uniqueIdIn(xml, 'youtube')).toBe(`id&<>"'`);
    expect(uniqueIdIn(xml, 'haven')).toBe('42');
  });

  it('writes <episodedetails> for shows: show title, season, episode, aired', () => {
    const item = facts();
    const plan = planExport(item, 'shows', { fallbackDate: day, index: 3 });
    const episode = parse(buildNfo(item, plan)).episodedetails!;
    expect(episode).toMatchObject({ title: 'Lighthouse at dawn', showtitle: 'Sea Films', season: '2024', episode: '30503', aired: '2024-03-05', premiered: '2024-03-05', plot: 'Waves.', studio: 'Sea Films', runtime: '2' });
    expect(episode.thumb).toBeUndefined();
  });

  it('leaves out what is not known', () => {
    const item = facts({ duration: undefined, metadata: {} });
    const movie = parse(buildNfo(item, planExport(item, 'movies', { fallbackDate: day }))).movie!;
    expect(Object.keys(movie).filter((key) => !key.startsWith('#')).sort()).toEqual(['studio', 'title', 'uniqueid']);
  });
});

describe('staying inside library_dir', () => {
  it('isInside and insidePath refuse anything that leaves the root', () => {
    expect(isInside('/lib', '/lib/a/b')).toBe(true);
    expect(isInside('/lib', '/lib')).toBe(true);
    expect(isInside('/lib', '/lib/../etc')).toBe(false);
    expect(isInside('/lib', '/library')).toBe(false);
    expect(isInside('/lib', '/lib/..a')).toBe(true);
    expect(insidePath('/lib', 'a', 'b.mp4')).toBe(path.resolve('/lib/a/b.mp4'));
    expect(() => insidePath('/lib', '..', 'etc', 'passwd')).toThrow(/not inside the library/);
    expect(() => insidePath('/lib', '/etc/passwd')).toThrow(/not inside the library/);
    expect(() => insidePath('/lib', '.')).toThrow(/not inside the library/);
  });

  it('ensureFolders refuses a folder that is a symlink out of the library, before making anything there', async () => {
    const root = temp();
    const outside = temp();
    fs.symlinkSync(outside, path.join(root, 'Sea Films'));
    await expect(ensureFolders(root, ['Sea Films', 'Season 2024'])).rejects.toThrow(/leads out of the library/);
    expect(fs.readdirSync(outside)).toEqual([]);
    // A symlink that stays inside is fine.
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    expect(await ensureFolders(root, ['alias', 'x'])).toBe(path.join(root, 'real', 'x'));
  });

  it('exportItem keeps hostile titles and channels inside library_dir', async () => {
    const root = temp();
    const archive = temp();
    const original = path.join(archive, 'clip.mp4');
    fs.writeFileSync(original, 'video bytes');
    for (const [index, title] of ['../../etc/passwd', 'CON', 'a/b\\c', '..'].entries()) {
      for (const layout of ['by-source', 'movies', 'shows'] as const) {
        const derivedDir = path.join(archive, `derived-${index}-${layout}`);
        const config = configSchema.parse({ library_dir: root, layout });
        const item = { ...facts({ title, path: original, metadata: { channel: '../../..', upload_date: '20240305' } }), derivedDir, derived: [] };
        const result = await exportItem(item, config);
        const exported = result.metadata!.exportedTo as string;
        expect(isInside(root, exported) && exported !== root, exported).toBe(true);
        expect(fs.statSync(exported).ino).toBe(fs.statSync(original).ino);
      }
    }
    // Nothing appeared beside the library or the archive.
    expect(fs.readdirSync(path.dirname(root)).filter((name) => name === 'etc' || name === 'passwd')).toEqual([]);
    const names = (fs.readdirSync(root, { recursive: true }) as string[]).map((name) => path.basename(name));
    expect(names).toEqual(expect.arrayContaining(['CON_ [dQw4w9WgXcQ].mp4', 'abc [dQw4w9WgXcQ].mp4', 'etcpasswd [dQw4w9WgXcQ].mp4', 'Untitled [dQw4w9WgXcQ].mp4']));
    expect(fs.readdirSync(root)).toEqual(expect.arrayContaining(['Unknown']));
  });
});

describe('existing files', () => {
  it('skips a file that already holds the original, numbers one that does not', async () => {
    const dir = temp();
    const source = path.join(temp(), 'a.mp4');
    fs.writeFileSync(source, 'same bytes');
    fs.writeFileSync(path.join(dir, 'A.mp4'), 'same bytes');
    expect(await sameFile(source, path.join(dir, 'A.mp4'))).toBe(true);
    expect(await placeMedia(source, dir, 'A', '.mp4', 'hardlink')).toMatchObject({ base: 'A', mode: 'existing' });

    fs.writeFileSync(path.join(dir, 'B.mp4'), 'different!');
    const placed = await placeMedia(source, dir, 'B', '.mp4', 'hardlink');
    expect(placed).toMatchObject({ base: 'B (2)', mode: 'hardlink', path: path.join(dir, 'B (2).mp4') });
    expect(fs.readFileSync(path.join(dir, 'B.mp4'), 'utf8')).toBe('different!');
    // Again: B (2) is the original now.
    expect(await placeMedia(source, dir, 'B', '.mp4', 'hardlink')).toMatchObject({ base: 'B (2)', mode: 'existing' });

    const linked = await placeMedia(source, dir, 'C', '.mp4', 'symlink');
    expect(fs.readlinkSync(linked.path)).toBe(fs.realpathSync(source));
    expect(await placeMedia(source, dir, 'C', '.mp4', 'symlink')).toMatchObject({ mode: 'existing' });

    const copied = await placeMedia(source, dir, 'D', '.mp4', 'copy');
    expect(fs.statSync(copied.path).ino).not.toBe(fs.statSync(source).ino);
    expect(fs.readFileSync(copied.path, 'utf8')).toBe('same bytes');
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  // /dev/shm is a filesystem of its own on Linux; elsewhere the test has nothing to cross.
  const otherFs = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(os.tmpdir()).dev;
  it.skipIf(!otherFs)('copies, and says so, when a hard link would cross filesystems', async () => {
    const dir = fs.mkdtempSync('/dev/shm/haven-mediaserver-unit-');
    temps.push(dir);
    const source = path.join(temp(), 'a.mp4');
    fs.writeFileSync(source, 'bytes');
    const placed = await placeMedia(source, dir, 'A', '.mp4', 'hardlink');
    expect(placed).toMatchObject({ mode: 'copy', note: 'copied: the library is on another filesystem than the archive' });
    expect(fs.readFileSync(placed.path, 'utf8')).toBe('bytes');
    expect(Math.abs(fs.statSync(placed.path).mtimeMs - fs.statSync(source).mtimeMs)).toBeLessThan(1);
    expect(await placeMedia(source, dir, 'A', '.mp4', 'hardlink')).toMatchObject({ mode: 'existing' });
  });

  it('gives a show episode the number its earlier export had, or the next free one of its day', async () => {
    const dir = temp();
    const item = facts();
    const plan = planExport(item, 'shows', { fallbackDate: day });
    expect(await episodeIndex(dir, item, plan)).toBe(1);
    const other = facts({ sourceId: 'other' });
    fs.writeFileSync(path.join(dir, 'Sea Films - S2024E030501 - Other.nfo'), buildNfo(other, plan));
    fs.writeFileSync(path.join(dir, 'Sea Films - S2024E030501 - Other.mp4'), '');
    expect(await episodeIndex(dir, item, plan)).toBe(2);
    const mine = planExport(item, 'shows', { fallbackDate: day, index: 3 });
    fs.writeFileSync(path.join(dir, `${mine.base}.nfo`), buildNfo(item, mine));
    expect(await episodeIndex(dir, item, plan)).toBe(3);
  });
});

describe('configSchema', () => {
  it('defaults to by-source and hard links, library_dir unset', () => {
    expect(configSchema.parse({})).toEqual({ layout: 'by-source', link_mode: 'hardlink' });
    expect(() => configSchema.parse({ layout: 'albums' })).toThrow();
  });
});
