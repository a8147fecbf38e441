import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingManifest } from '../../shared/sdk/recording';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, tempHome } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';

// OpenRingPlugin calling SIPp (Debian's sip-tester) on 127.0.0.1: SIPp answers and plays G.711
// audio from a pcap, or answers 486 Busy Here.

const SCENARIOS = path.join(import.meta.dirname, 'testing', 'sipp');
const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: true, retryPolicy: { baseMs: 100, maxMs: 300, jitter: 0 } });
const sipps: ChildProcess[] = [];
afterEach(async () => {
  for (const sipp of sipps.splice(0)) sipp.kill('SIGKILL');
  await cores.disposeAll();
});

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** SIPp running one call of `scenario`; resolves with its exit code. */
async function startSipp(scenario: string): Promise<{ port: number; exited: Promise<number | null> }> {
  const port = await freeUdpPort();
  const mediaPort = 2 * Math.floor((await freeUdpPort()) / 2);
  const sipp = spawn('sipp', ['-sf', path.join(SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-m', '1', '-nostdin', '-timeout', '60s', '-timeout_error'], { stdio: 'ignore', cwd: tempHome('haven-sipp-') });
  sipps.push(sipp);
  const exited = new Promise<number | null>((resolve) => sipp.once('exit', (code) => resolve(code)));
  // SIPp binds its port at once; a moment lets it start listening.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { port, exited };
}

async function start(): Promise<Core> {
  const core = await cores.start(tempHome());
  expect((await core.plugins.setConfig('openring', { segment_duration: 4, watchdog_timeout: 10, reconnect_window: 20 }, false)).ok).toBe(true);
  return core;
}

describe('OpenRingPlugin capturing a SIP call', () => {
  it('calls, records the G.711 sound, hangs up with BYE, and keeps the call ladder', { timeout: 60_000 }, async () => {
    const sipp = await startSipp('uas-play.xml');
    const core = await start();
    const job = core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: 'test:sip:play', mediaType: 'audio', uri: `sip:door@127.0.0.1:${sipp.port}`, metadata: { durationSeconds: 5 } }, { kind: 'record', reason: 'test' });
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    // SIPp saw the whole call: INVITE, ACK, our BYE, its 200 OK.
    expect(await sipp.exited).toBe(0);
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'recording.json'), 'utf8')));
    let seconds = 0;
    for (const segment of manifest.parts.flatMap((p) => p.segments)) {
      const file = path.join(done.outputPath!, segment.file);
      expect(file.endsWith('.mkv')).toBe(true);
      const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file]).toString()) as { streams: { codec_name: string }[]; format: { duration: string } };
      expect(probe.streams.map((s) => s.codec_name)).toEqual(['pcm_alaw']);
      seconds += Number(probe.format.duration);
      // It decodes (to nothing), start to end.
      execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
    }
    expect(seconds).toBeGreaterThan(4);
    expect(seconds).toBeLessThan(6);
    // The library item says what it holds: one G.711 track, and the call's codec.
    expect(core.library.get(done.itemId!).metadata).toMatchObject({ transport: 'sip', codec: 'PCMA', tracks: [{ kind: 'audio', codec: 'pcm_alaw', sampleRate: 8000, channels: 1 }] });
    const ladder = JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'sip-ladder.json'), 'utf8')) as { ladder: { direction: string; summary: string }[] };
    expect(ladder.ladder.map((l) => `${l.direction} ${l.summary.replace(/ sip:\S+/, '')}`)).toEqual(
      expect.arrayContaining(['sent INVITE SIP/2.0', 'received SIP/2.0 180 Ringing', 'received SIP/2.0 200 OK', 'sent ACK SIP/2.0', 'sent BYE SIP/2.0']),
    );
  });

  it('reports 486 Busy Here as a classified error on that capture', { timeout: 60_000 }, async () => {
    const sipp = await startSipp('uas-busy.xml');
    const core = await start();
    const job = core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: 'test:sip:busy', mediaType: 'audio', uri: `sip:door@127.0.0.1:${sipp.port}`, metadata: { durationSeconds: 5 } }, { kind: 'record', reason: 'test' });
    await expect.poll(() => core.jobs.get(job.id).error ?? '', { timeout: 20_000 }).toContain('answered 486 Busy Here: busy or not available now');
    expect(await sipp.exited).toBe(0);
  });
});
