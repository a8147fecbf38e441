import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { partArgs } from '../electron/core/plugins/host/recorder/ffmpegArgs';
import { startServe, waitFor } from '../electron/testing/fixtures';
import { startStaticServer } from '../electron/testing/staticServer';
import { median, round, type BenchResult } from './stats';
import { timed } from './timed';

const TICKS = 100;

/** A 10 s 720p H.264/AAC clip (about 3 Mbit/s), cached in bench/.work. */
function clip(workDir: string): string {
  const file = path.join(workDir, 'live-720p.mp4');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(workDir, { recursive: true });
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '10', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '3M', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '128k', file]);
  return file;
}

/** CPU seconds a process and the children it has reaped have used (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14–17 (1-based), 12–15 after the name.
  return fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0) / TICKS;
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU of `haven serve` and its plugin hosts (their ffmpeg counts once it is reaped). */
function treeCpu(pid: number): number {
  return cpuSeconds(pid) + childrenOf(pid).reduce((sum, child) => sum + cpuSeconds(child), 0);
}

/** ffmpeg alone, with the recorder's own arguments: CPU seconds from GNU time. */
function rawRecord(input: string, dir: string, seconds: number): Promise<number> {
  const args = partArgs({ input, inputArgs: [], dir, part: 1, segmentSeconds: 10, seconds, ioTimeoutMicros: 30_000_000, liveEdge: false });
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'cpu %U %S', 'ffmpeg', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('close', (code) => {
      const match = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !match) reject(new Error(`ffmpeg failed: ${stderr}`));
      else resolve(Number(match[1]) + Number(match[2]));
    });
  });
}

/**
 * The same live HLS stream (a 720p clip looped by ffmpeg on 127.0.0.1, copied, not encoded)
 * recorded by ffmpeg alone and by Haven (`haven archive URL --duration`, handed to a running
 * app), in turns: CPU seconds per recorded minute. Haven's figure is everything the app used
 * meanwhile: Core, the plugin host and its ffmpeg.
 */
export async function recorderBenchmark(options: { seconds: number; rounds: number; repo: string }): Promise<BenchResult> {
  const workDir = path.join(options.repo, 'bench', '.work');
  const source = clip(workDir);
  const liveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-live-'));
  const encoder = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', source, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_flags', 'delete_segments', 'live.m3u8'], { cwd: liveDir, stdio: 'ignore' });
  const server = await startStaticServer(liveDir);
  const playlist = `${server.url}/live.m3u8`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-rec-'));
  const builtin = path.join(options.repo, 'plugins');
  const serve = await startServe({ home, env: { HAVEN_BUILTIN_PLUGINS: builtin } });
  const cli = path.join(options.repo, 'electron', 'cli', 'haven.mjs');
  const env = { ...process.env, HAVEN_HOME: home, HAVEN_BUILTIN_PLUGINS: builtin };
  const raw: number[] = [];
  const haven: number[] = [];
  const idle: number[] = [];
  const idleSeconds = Math.min(20, options.seconds);
  try {
    await waitFor(() => (fs.existsSync(path.join(liveDir, 'live.m3u8')) && (fs.readFileSync(path.join(liveDir, 'live.m3u8'), 'utf8').match(/\.ts/g)?.length ?? 0) >= 3 ? true : undefined), 30_000, 'the live source');
    await timed(process.execPath, [cli, 'plugins', 'configure', 'LiveStreamPlugin', '--set', 'segment_duration=10', '--set', 'remux_on_finish=false'], env);
    // A first short recording starts the plugin, as a running app has it.
    await timed(process.execPath, [cli, 'archive', playlist, '--duration', '3'], env);
    for (let round = 0; round < options.rounds; round++) {
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-rawrec-'));
      raw.push(await rawRecord(playlist, scratch, options.seconds));
      fs.rmSync(scratch, { recursive: true, force: true });
      // What the app uses doing nothing (Core and five plugin hosts), over the same length.
      const resting = treeCpu(serve.child.pid!);
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
      idle.push(((treeCpu(serve.child.pid!) - resting) / idleSeconds) * options.seconds);
      const before = treeCpu(serve.child.pid!);
      await timed(process.execPath, [cli, 'archive', playlist, '--duration', String(options.seconds)], env);
      haven.push(treeCpu(serve.child.pid!) - before);
    }
  } finally {
    await serve.stop();
    encoder.kill('SIGKILL');
    await server.close();
    fs.rmSync(liveDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
  const perMinute = (cpu: number) => (cpu / options.seconds) * 60;
  const rawMinute = perMinute(median(raw));
  const havenMinute = perMinute(median(haven));
  const idleMinute = perMinute(median(idle));
  const netMinute = perMinute(median(haven.map((value, i) => value - (idle[i] ?? 0))));
  const ratio = netMinute / rawMinute;
  return {
    name: 'recorder_cpu',
    description: `A live HLS stream on 127.0.0.1 (720p H.264 + AAC, about 3 Mbit/s, 2 s segments) recorded for ${options.seconds} s by ffmpeg alone and by Haven (\`haven archive URL --duration ${options.seconds}\` handed to a running app; Core, plugin host and ffmpeg counted), ${options.rounds} rounds each, medians; both copy without re-encoding into 10 s MPEG-TS segments.`,
    metrics: {
      ffmpeg_alone: { value: round(rawMinute, 3), unit: 'CPU s per recorded minute' },
      haven_total: { value: round(havenMinute, 3), unit: 'CPU s per recorded minute', note: 'everything the app used meanwhile' },
      haven_idle: { value: round(idleMinute, 3), unit: 'CPU s per minute', note: 'the same app doing nothing: Core and five plugin hosts' },
      haven_recording: { value: round(netMinute, 3), unit: 'CPU s per recorded minute', note: 'total less idle: what recording costs' },
      ratio: { value: round(ratio, 3), unit: '×', target: '≤ 1.15', ok: ratio <= 1.15, note: 'recording cost vs ffmpeg alone' },
      ratio_total: { value: round(havenMinute / rawMinute, 3), unit: '×', note: 'with the idle app counted' },
    },
    notes: [`Each round (CPU s for ${options.seconds} s): ffmpeg ${raw.map((v) => round(v, 2)).join(', ')}; Haven ${haven.map((v) => round(v, 2)).join(', ')}; idle app over the same time ${idle.map((v) => round(v, 2)).join(', ')}.`],
  };
}
