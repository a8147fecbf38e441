import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import type { ProgressEvent } from '../../electron/core/plugins/runtime';
import { ffmpeg, ffprobe, homeFiles, processorHarness, sha256, snapshot } from '../../electron/testing/processorHarness';

// SubtitlesPlugin in one real Core, on files ffmpeg makes here: an MP4 with an embedded
// mov_text track, sidecar files beside it as yt-dlp names them (and some it must not take),
// and an MP4 without subtitles.

const harness = processorHarness('subtitles', { itemPlugin: 'YouTubePlugin' });
const { itemFor } = harness;

let media: string;
let talk: string;
let plain: string;
let core: Core;
let home: string;
const progress: ProgressEvent[] = [];

const EMBEDDED_SRT = '1\n00:00:00,200 --> 00:00:01,000\nHello from Haven\n\n2\n00:00:01,100 --> 00:00:02,400\n<i>Second</i> cue\n';
const SIDECAR_VTT = [
  'WEBVTT',
  'Kind: captions',
  'Language: en',
  '',
  'NOTE a comment that is not a cue',
  '',
  'intro',
  '00:00:00.000 --> 00:00:00.900 align:start position:0%',
  'Hello from Haven',
  '',
  '00:00:01.000 --> 00:00:01.900',
  '<v Ann>Sidecar <b>bold</b> words &amp; more',
  '',
].join('\n');
const GERMAN_SRT = '1\n00:00:00,500 --> 00:00:01,500\nGuten Tag\n\n2\n00:00:01,600 --> 00:00:02,000\n{\\an8}Oben steht es\n';

beforeAll(async () => {
  media = harness.tempDir('haven-subtitles-media-');
  talk = path.join(media, 'talk [abc123].mp4');
  plain = path.join(media, 'plain.mp4');
  const srt = path.join(media, 'make.srt');
  fs.writeFileSync(srt, EMBEDDED_SRT);
  const av = ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2.5', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2.5'];
  ffmpeg(...av, '-i', srt, '-map', '0', '-map', '1', '-map', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng', talk);
  ffmpeg(...av, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', plain);
  fs.writeFileSync(srt, GERMAN_SRT);
  ffmpeg('-i', srt, path.join(media, 'talk [abc123].de.ass'));
  fs.rmSync(srt);
  fs.writeFileSync(path.join(media, 'talk [abc123].en.vtt'), SIDECAR_VTT);
  // Not this item's: another video's, and a name whose middle is not a language.
  fs.writeFileSync(path.join(media, 'talk [abc123].cut.en.srt'), '1\n00:00:00,000 --> 00:00:01,000\nNot mine\n');
  fs.writeFileSync(path.join(media, 'other.en.srt'), '1\n00:00:00,000 --> 00:00:01,000\nNot mine either\n');
  ({ core, home } = await harness.start());
  core.plugins.onProgress((event) => progress.push(event));
});

afterAll(() => harness.cleanup());
/** The container, the codec and where the last cue ends, as ffprobe reads a subtitle file. */
function probeSubtitle(file: string): { format: string; codec: string; end: number } {
  const out = ffprobe<{
    format: { format_name: string };
    streams: { codec_name: string }[];
    packets: { pts_time: string; duration_time: string }[];
  }>(file, '-show_format', '-show_packets');
  const end = Math.max(...out.packets.map((packet) => Number(packet.pts_time) + Number(packet.duration_time)));
  return { format: out.format.format_name, codec: out.streams[0]!.codec_name, end };
}

async function subtitles(file: string, config: Record<string, unknown> = { languages: [], sidecars: true }) {
  const set = await core.plugins.setConfig('subtitles', config, false);
  expect(set.ok, JSON.stringify(set)).toBe(true);
  const item = itemFor(file, 'video/mp4');
  const before = { original: sha256(file), media: snapshot(media), home: homeFiles(home) };
  const jobId = `job-subs-${item.id}`;
  const result = await core.plugins.process('subtitles', item, jobId);
  expect(sha256(file)).toBe(before.original);
  expect(snapshot(media)).toEqual(before.media);
  expect(homeFiles(home)).toEqual(before.home);
  expect(fs.readdirSync(item.derivedDir).sort()).toEqual(result.derived.map((d) => path.basename(d.path)).sort());
  for (const derived of result.derived) expect(path.dirname(derived.path)).toBe(item.derivedDir);
  return { item, result, jobId };
}

describe('SubtitlesPlugin', () => {
  it('passes its health check (ffmpeg and ffprobe found)', async () => {
    const [report] = await core.plugins.health(['subtitles']);
    expect(report!.result.status, report!.result.output).toBe('pass');
    expect(report!.result.output).toMatch(/ffmpeg/);
  });

  it('converts the embedded track and the sidecars to SRT and WebVTT, labelled by language, and returns their text', async () => {
    const { item, result, jobId } = await subtitles(talk);
    expect(result.skipped).toBeUndefined();
    expect(result.derived.map((d) => [path.basename(d.path), d.kind, d.mime, d.label])).toEqual([
      ['en.srt', 'subtitle', 'application/x-subrip', 'English (embedded) — SRT'],
      ['en.vtt', 'subtitle', 'text/vtt', 'English (embedded) — WebVTT'],
      ['de.srt', 'subtitle', 'application/x-subrip', 'German (sidecar .de.ass) — SRT'],
      ['de.vtt', 'subtitle', 'text/vtt', 'German (sidecar .de.ass) — WebVTT'],
      ['en-2.srt', 'subtitle', 'application/x-subrip', 'English (sidecar .en.vtt) — SRT'],
      ['en-2.vtt', 'subtitle', 'text/vtt', 'English (sidecar .en.vtt) — WebVTT'],
    ]);

    // One file carries the text: every cue's words once, no timing, no markup.
    const text = result.derived[0]!.text!;
    expect(result.derived.slice(1).every((d) => d.text === undefined)).toBe(true);
    expect(text.split('\n')).toEqual(['Hello from Haven', 'Second cue', 'Guten Tag', 'Oben steht es', 'Sidecar bold words & more']);
    expect(result.metadata).toMatchObject({ text_lines: 5 });

    for (const slug of ['en', 'de', 'en-2']) {
      const srt = probeSubtitle(path.join(item.derivedDir, `${slug}.srt`));
      const vtt = probeSubtitle(path.join(item.derivedDir, `${slug}.vtt`));
      expect([srt.format, srt.codec, vtt.format, vtt.codec]).toEqual(['srt', 'subrip', 'webvtt', 'webvtt']);
      expect(Math.abs(vtt.end - srt.end)).toBeLessThanOrEqual(0.5);
    }
    expect(Math.abs(probeSubtitle(path.join(item.derivedDir, 'en.srt')).end - 2.4)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(probeSubtitle(path.join(item.derivedDir, 'de.vtt')).end - 2.0)).toBeLessThanOrEqual(0.5);
    expect(fs.readFileSync(path.join(item.derivedDir, 'en.vtt'), 'utf8')).toMatch(/^WEBVTT/);
    expect(fs.readFileSync(path.join(item.derivedDir, 'de.srt'), 'utf8')).toContain('Guten Tag');

    const phases = progress.filter((event) => event.jobId === jobId).map((event) => event.update.phase);
    expect(phases).toContain('done');
  });

  it('keeps only the languages asked for, and can leave sidecars alone', async () => {
    const german = (await subtitles(talk, { languages: ['de'], sidecars: true })).result;
    expect(german.derived.map((d) => path.basename(d.path))).toEqual(['de.srt', 'de.vtt']);
    expect(german.derived[0]!.text).toBe('Guten Tag\nOben steht es');

    const embeddedOnly = (await subtitles(talk, { languages: ['eng'], sidecars: false })).result;
    expect(embeddedOnly.derived.map((d) => d.label)).toEqual(['English (embedded) — SRT', 'English (embedded) — WebVTT']);
  });

  it('skips an item without subtitles, with the reason, writing nothing', async () => {
    const { item, result } = await subtitles(plain);
    expect(result.derived).toEqual([]);
    expect(result.skipped).toMatch(/no subtitles/);
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
  });
});
