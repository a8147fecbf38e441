import { describe, expect, it } from 'vitest';
import { convertArgs, isTextSubtitle, sidecarCharset, uniqueSlug } from './args';
import { configSchema } from './config';
import { cueLines, plainLine, searchText } from './cues';
import { canonicalLanguage, findSidecars, languageName, wantedLanguage } from './sidecars';

describe('findSidecars', () => {
  const original = '/media/Some Talk [dQw4w9WgXcQ].mp4';
  const names = [
    'Some Talk [dQw4w9WgXcQ].mp4',
    'Some Talk [dQw4w9WgXcQ].en.vtt',
    'Some Talk [dQw4w9WgXcQ].srt',
    'Some Talk [dQw4w9WgXcQ].de.ass',
    'Some Talk [dQw4w9WgXcQ].pt-BR.srt',
    'Some Talk [dQw4w9WgXcQ].en.forced.SRT',
    'Some Talk [dQw4w9WgXcQ].eng.ssa',
    'Some Talk [dQw4w9WgXcQ].live_chat.json',
    'Some Talk [dQw4w9WgXcQ].info.json',
    'Some Talk [dQw4w9WgXcQ].en.vtt.part',
    'Some Talk [dQw4w9WgXcQ].cut.en.srt',
    'Some Talk [dQw4w9WgXcQ] 2.en.srt',
    'Some Talk.en.srt',
    'Other [xyz].en.vtt',
  ];

  it('finds <base>.srt and <base>.<lang>[.<flag>].<ext>, with canonical languages', () => {
    expect(findSidecars(original, names)).toEqual([
      { name: 'Some Talk [dQw4w9WgXcQ].srt', format: 'srt', flags: [] },
      { name: 'Some Talk [dQw4w9WgXcQ].de.ass', format: 'ass', language: 'de', flags: [] },
      { name: 'Some Talk [dQw4w9WgXcQ].en.forced.SRT', format: 'srt', language: 'en', flags: ['forced'] },
      { name: 'Some Talk [dQw4w9WgXcQ].en.vtt', format: 'vtt', language: 'en', flags: [] },
      { name: 'Some Talk [dQw4w9WgXcQ].eng.ssa', format: 'ssa', language: 'en', flags: [] },
      { name: 'Some Talk [dQw4w9WgXcQ].pt-BR.srt', format: 'srt', language: 'pt-BR', flags: [] },
    ]);
  });

  it('takes nothing of a name that only starts like the original', () => {
    expect(findSidecars('/m/a.mp4', ['a.b.en.srt', 'ab.en.srt', 'a.mp4', 'a.en.txt', 'a.'])).toEqual([]);
    expect(findSidecars('/m/a.mp4', ['A.EN.VTT'])).toEqual([{ name: 'A.EN.VTT', format: 'vtt', language: 'en', flags: [] }]);
  });

  it('handles originals with dots in their names', () => {
    expect(findSidecars('/m/v1.2 final.mkv', ['v1.2 final.fr.srt', 'v1.2.fr.srt']).map((s) => s.name)).toEqual(['v1.2 final.fr.srt']);
  });
});

describe('languages', () => {
  it('canonicalises codes', () => {
    expect(['eng', 'ger', 'deu', 'fre', 'pt_br', 'en-us', 'und', 'xx_1_2_3_4_5', '', undefined].map(canonicalLanguage)).toEqual(['en', 'de', 'de', 'fr', 'pt-BR', 'en-US', undefined, undefined, undefined, undefined]);
  });

  it('names them in English', () => {
    expect(languageName('en')).toBe('English');
    expect(languageName('de')).toBe('German');
    expect(languageName('pt-BR')).toBe('Brazilian Portuguese');
    expect(languageName(undefined)).toBe('Unknown language');
  });

  it('filters: en keeps en, en-US and eng; unknown always passes; empty keeps all', () => {
    expect(wantedLanguage('en-US', ['en'])).toBe(true);
    expect(wantedLanguage('en', ['eng'])).toBe(true);
    expect(wantedLanguage('de', ['en', 'fr'])).toBe(false);
    expect(wantedLanguage('pt', ['pt-BR'])).toBe(false);
    expect(wantedLanguage(undefined, ['en'])).toBe(true);
    expect(wantedLanguage('ja', [])).toBe(true);
  });
});

describe('cueLines', () => {
  it('reads SRT: no numbers, no timing, no markup', () => {
    const srt = '\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>Hello</i>, <font color="#fff">world</font>\r\n\r\n2\r\n00:00:02,500 --> 00:00:03,000 X1:0\r\n{\\an8}Top line\r\nsecond &amp; last\r\n\r\n';
    expect(cueLines(srt)).toEqual(['Hello, world', 'Top line', 'second & last']);
  });

  it('reads WebVTT: header, NOTE, STYLE, REGION and identifiers left out; voice, class and timestamp tags removed', () => {
    const vtt = [
      'WEBVTT - a title',
      'Kind: captions',
      'Language: en',
      '',
      'STYLE',
      '::cue { color: yellow }',
      '',
      'REGION',
      'id:fred width:40%',
      '',
      'NOTE this is',
      'a comment',
      '',
      'cue-1',
      '00:00.000 --> 00:01.000 align:start position:0%',
      '<v Roger Bingham>We are in New York City',
      '',
      '00:00:01.000 --> 00:00:02.000',
      'we<00:00:01.200><c> are</c><00:00:01.400><c.yellow> here</c>',
      '',
      '00:00:02.000 --> 00:00:03.000',
      '   ',
      '',
    ].join('\n');
    expect(cueLines(vtt)).toEqual(['We are in New York City', 'we are here']);
  });

  it('gives nothing for an empty file or a header only', () => {
    expect(cueLines('')).toEqual([]);
    expect(cueLines('WEBVTT\n\n')).toEqual([]);
  });

  it('strips ASS line breaks and decodes entities', () => {
    expect(plainLine('one\\Ntwo\\hthree &lt;tag&gt; &#233;t&#xE9; &nbsp;')).toBe('one two three <tag> été');
  });
});

describe('searchText', () => {
  it('keeps each line once, across tracks, in order (rolling auto-captions repeat lines)', () => {
    expect(searchText([['a b', 'c', 'a b', 'C'], ['c', 'd']])).toEqual({ text: 'a b\nc\nd', lines: 3, truncated: false });
  });

  it('stops at the byte cap at the end of a line', () => {
    const result = searchText([['ééé', 'xx', 'yy']], 9);
    expect(result).toEqual({ text: 'ééé\nxx', lines: 2, truncated: true });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(9);
  });

  it('caps at about 1 MB by default', () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const result = searchText([lines]);
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(1_000_000);
    expect(Buffer.byteLength(result.text)).toBeGreaterThan(990_000);
  });
});

describe('convertArgs', () => {
  it('writes each track as SRT and WebVTT in one run, with explicit muxers for the .part files', () => {
    expect(convertArgs('/m/a:b.mp4', [{ map: '0:2', srt: '/d/en.srt.part', vtt: '/d/en.vtt.part' }, { map: '0:3', srt: '/d/de.srt.part', vtt: '/d/de.vtt.part' }])).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-y', '-v', 'error', '-progress', 'pipe:1',
      '-i', 'file:/m/a:b.mp4',
      '-map', '0:2', '-c:s', 'srt', '-f', 'srt', 'file:/d/en.srt.part',
      '-map', '0:2', '-c:s', 'webvtt', '-f', 'webvtt', 'file:/d/en.vtt.part',
      '-map', '0:3', '-c:s', 'srt', '-f', 'srt', 'file:/d/de.srt.part',
      '-map', '0:3', '-c:s', 'webvtt', '-f', 'webvtt', 'file:/d/de.vtt.part',
    ]);
  });

  it('names the character set of a sidecar that is not UTF-8', () => {
    const args = convertArgs('/m/a.srt', [{ map: '0:s:0', srt: '/d/a', vtt: '/d/b' }], { charenc: 'CP1252' });
    expect(args.slice(args.indexOf('-sub_charenc'), args.indexOf('-i'))).toEqual(['-sub_charenc', 'CP1252']);
    expect(() => convertArgs('/m/a.srt', [])).toThrow();
  });

  it('tells UTF-8 (and UTF-16 with a BOM) from legacy text', () => {
    expect(sidecarCharset(Buffer.from('héllo', 'utf8'))).toBeUndefined();
    expect(sidecarCharset(Buffer.from([0xff, 0xfe, 0x68, 0x00]))).toBeUndefined();
    expect(sidecarCharset(Buffer.from([0x68, 0xe9, 0x6c]))).toBe('CP1252');
  });

  it('tells text subtitles from pictures', () => {
    const streams = [
      { index: 0, type: 'subtitle', codec: 'mov_text', cover: false, language: 'eng', title: 'SDH', forced: true },
      { index: 1, type: 'subtitle', codec: 'hdmv_pgs_subtitle', cover: false },
      { index: 2, type: 'subtitle', codec: 'ass', cover: false },
    ];
    expect(streams.map(isTextSubtitle)).toEqual([true, false, true]);
  });

  it('makes unique file names per language', () => {
    const taken = new Set<string>();
    expect([uniqueSlug('en', taken), uniqueSlug('EN', taken), uniqueSlug(undefined, taken), uniqueSlug('pt-BR', taken), uniqueSlug('en', taken)]).toEqual(['en', 'EN-2', 'und', 'pt-BR', 'en-3']);
  });

  it('defaults to every language and sidecars on', () => {
    expect(configSchema.parse({})).toEqual({ languages: [], sidecars: true });
    expect(configSchema.safeParse({ languages: ['en', 'pt-BR', 'eng'] }).success).toBe(true);
    expect(configSchema.safeParse({ languages: ['../x'] }).success).toBe(false);
  });
});
