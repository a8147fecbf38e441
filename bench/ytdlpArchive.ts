import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe } from '../electron/testing/fixtures';
import { startStaticServer, throttledFile } from '../electron/testing/staticServer';
import { configSchema } from '../plugins/youtube/src/config';
import { archiveArgs } from '../plugins/youtube/src/ytdlp/args';
import { median, round, roundsNote, versusRaw, type BenchResult } from './stats';
import { timed } from './timed';

const PACED_BYTES_PER_SECOND = 20 * 1024 * 1024;

/** A valid H.264/AAC mp4 of about `megabytes` MB (a lossless 10 s clip, repeated), cached in bench/.work. */
function media(workDir: string, megabytes: number): string {
  const file = path.join(workDir, `clip-${megabytes}mb.mp4`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(workDir, { recursive: true });
  const segment = path.join(workDir, 'segment.mp4');
  if (!fs.existsSync(segment)) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=duration=10', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-c:a', 'aac', segment]);
  }
  const loops = Math.max(0, Math.round((megabytes * 1024 * 1024) / fs.statSync(segment).size) - 1);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(loops), '-i', segment, '-c', 'copy', file]);
  return file;
}

/**
 * The same local file downloaded by raw yt-dlp and by `haven archive --plugin YouTubePlugin`, in
 * turns, with the very arguments Haven gives yt-dlp, so the difference is Haven's own cost:
 * starting Core and the plugin process, progress over IPC, hashing and indexing the file.
 */
export async function ytdlpBenchmark(options: { megabytes: number; rounds: number; repo: string }): Promise<BenchResult> {
  const workDir = path.join(options.repo, 'bench', '.work');
  const file = media(workDir, options.megabytes);
  const bytes = fs.statSync(file).size;
  // The same file at a broadband speed too, where the transfer, not the tools, sets the pace.
  const server = await startStaticServer(path.dirname(file), [throttledFile(`/paced/${path.basename(file)}`, file, PACED_BYTES_PER_SECOND)]);
  const cli = path.join(options.repo, 'electron', 'cli', 'haven.mjs');
  const ytdlp = execFileSync('sh', ['-c', 'command -v yt-dlp']).toString().trim();
  const ffmpeg = execFileSync('sh', ['-c', 'command -v ffmpeg']).toString().trim();
  const raw: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const rawPaced: number[] = [];
  const warmPaced: number[] = [];
  const builtin = path.join(options.repo, 'plugins');
  // The app as it usually runs (in the tray, or `haven serve`): `haven archive` hands the job to it.
  const warmHome = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-warm-'));
  const serve = await startServe({ home: warmHome, env: { HAVEN_BUILTIN_PLUGINS: builtin } });
  const havenEnv = (home: string) => ({ ...process.env, HAVEN_HOME: home, HAVEN_BUILTIN_PLUGINS: builtin });
  try {
    // One warm-up archive, so the served app has started its YouTube plugin as it would have.
    await timed(process.execPath, [cli, 'archive', `${server.url}/${path.basename(file)}?warmup`, '--plugin', 'YouTubePlugin'], havenEnv(warmHome));
    for (let round = 0; round < options.rounds; round++) {
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-ytdlp-'));
      const url = (variant: string) => `${server.url}/${path.basename(file)}?round=${round}&${variant}`;
      const rawOut = path.join(scratch, 'raw');
      const args = archiveArgs({ config: configSchema.parse({}), url: url('raw'), outputDir: rawOut, cacheDir: path.join(scratch, 'cache'), ffmpeg });
      raw.push(await timed(ytdlp, args, process.env));
      cold.push(await timed(process.execPath, [cli, 'archive', url('cold'), '--plugin', 'YouTubePlugin'], havenEnv(path.join(scratch, 'home'))));
      warm.push(await timed(process.execPath, [cli, 'archive', url('warm'), '--plugin', 'YouTubePlugin'], havenEnv(warmHome)));
      const paced = (variant: string) => `${server.url}/paced/${path.basename(file)}?round=${round}&${variant}`;
      const pacedArgs = archiveArgs({ config: configSchema.parse({}), url: paced('raw'), outputDir: path.join(scratch, 'raw-paced'), cacheDir: path.join(scratch, 'cache'), ffmpeg });
      rawPaced.push(await timed(ytdlp, pacedArgs, process.env));
      warmPaced.push(await timed(process.execPath, [cli, 'archive', paced('warm'), '--plugin', 'YouTubePlugin'], havenEnv(warmHome)));
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  } finally {
    await serve.stop();
    fs.rmSync(warmHome, { recursive: true, force: true });
    await server.close();
  }
  const rawPacedSeconds = median(rawPaced);
  const warmPacedSeconds = median(warmPaced);
  const mb = bytes / 1024 / 1024;
  const speed = (seconds: number) => `${round(mb / seconds, 1)} MiB/s`;
  return {
    name: 'ytdlp_archive',
    description: `A ${round(mb, 0)} MB mp4 from a server on 127.0.0.1: raw yt-dlp vs \`haven archive --plugin YouTubePlugin\` with the same yt-dlp arguments, ${options.rounds} rounds each, medians. Warm: the app (haven serve) is running and the CLI hands it the job; cold: the CLI starts Core and the plugin itself. Paced: the server sends ${PACED_BYTES_PER_SECOND / 1024 / 1024} MiB/s, a fast home connection.`,
    metrics: {
      file_size: { value: round(mb, 1), unit: 'MiB' },
      ...versusRaw('ytdlp', { raw, warm, cold }, mb),
      raw_ytdlp_paced: { value: round(rawPacedSeconds, 2), unit: 's', note: speed(rawPacedSeconds) },
      haven_warm_paced: { value: round(warmPacedSeconds, 2), unit: 's', note: speed(warmPacedSeconds) },
      overhead_warm_paced: { value: round(((warmPacedSeconds - rawPacedSeconds) / rawPacedSeconds) * 100, 1), unit: '%' },
    },
    notes: [`${roundsNote({ raw, warm, cold })}; paced raw ${rawPaced.map((s) => round(s, 2)).join(', ')} s, warm ${warmPaced.map((s) => round(s, 2)).join(', ')} s.`],
  };
}
