import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startStaticServer, type StaticServer } from './staticServer';
import { tempHome, waitFor } from './fixtures';

export interface LiveHls {
  /** The live playlist's address on 127.0.0.1. */
  playlist: string;
  /** Stops the source (the playlist stays as it was, with no new segments and no end marker). */
  stop(): Promise<void>;
  /** Starts it again (its playlist is rewritten from the start, as a restarted encoder does). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A live HLS stream made by ffmpeg on 127.0.0.1: a test pattern and a tone (H.264 + AAC, a
 * keyframe every 2 s), 2 s segments, a playlist of the newest 5, older segments deleted.
 */
export async function startLiveHls(): Promise<LiveHls> {
  const dir = tempHome('haven-live-hls-');
  const server: StaticServer = await startStaticServer(dir);
  let ffmpeg: ChildProcess | undefined;
  const playlistFile = path.join(dir, 'live.m3u8');
  const start = async (): Promise<void> => {
    fs.rmSync(playlistFile, { force: true });
    const child = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '5', '-hls_flags', 'delete_segments', 'live.m3u8'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    ffmpeg = child;
    // Three segments in the playlist: a recorder joining now finds a live stream.
    await waitFor(() => (fs.existsSync(playlistFile) && (fs.readFileSync(playlistFile, 'utf8').match(/\.ts/g)?.length ?? 0) >= 3 ? true : undefined), 30_000, 'the live HLS source to have 3 segments');
  };
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const child = ffmpeg;
      ffmpeg = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  await start();
  return {
    playlist: `${server.url}/live.m3u8`,
    stop,
    start,
    async close() {
      await stop();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
