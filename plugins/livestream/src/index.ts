import path from 'node:path';
import { HavenError, definePlugin, recordingArchiveResult, type JobHandle, type MediaSource, type Recording } from '@haven/sdk';
import WebSocket from 'ws';
import { chatMessageOf } from './chat';
import { configSchema } from './config';

export { configSchema };

const UNFINISHED = 'unfinished-recordings';

/** A folder name from the stream's address and the time: `127.0.0.1 live 2026-11-29 06-30-00`. */
export function recordingFolderName(uri: string, title: string | undefined, now = new Date()): string {
  let label = title ?? uri;
  try {
    const url = new URL(uri);
    label = title ?? `${url.hostname} ${path.posix.basename(url.pathname).replace(/\.(m3u8|mpd|flv|ts)$/i, '')}`;
  } catch {
    // Not a URL: the title or the text as given.
  }
  const safe = label.replace(/[^A-Za-z0-9 ._-]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80) || 'stream';
  const stamp = now.toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '-');
  return `${safe} ${stamp}`;
}

export default definePlugin({
  configSchema,
  setup(ctx) {
    /** Follows a chat WebSocket into the recording until it ends; reconnects while the recording runs. */
    function followChat(url: string, recording: Recording, signal: AbortSignal): () => void {
      let socket: WebSocket | undefined;
      let closed = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let failures = 0;
      const again = (): void => {
        // 2 s, doubling to a minute, so a dead chat server is not asked every moment.
        if (!closed) retry = setTimeout(connect, Math.min(60_000, 2000 * 2 ** Math.min(failures++, 5)));
      };
      const connect = (): void => {
        if (closed || signal.aborted) return;
        try {
          socket = new WebSocket(url, { handshakeTimeout: 10_000, maxPayload: 1024 * 1024 });
        } catch (error) {
          ctx.logger.warn('chat: cannot connect', { url, error: String(error) });
          again();
          return;
        }
        socket.on('open', () => (failures = 0));
        socket.on('message', (data, isBinary) => {
          if (isBinary) return;
          const message = chatMessageOf(String(data), Date.now());
          if (message) recording.chat(message);
        });
        socket.on('error', (error) => ctx.logger.warn('chat: connection problem', { url, error: String(error) }));
        socket.on('close', again);
      };
      connect();
      return () => {
        closed = true;
        clearTimeout(retry);
        socket?.close();
      };
    }

    async function record(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      if (!/^(https?|rtmps?|rtsp|srt):\/\//i.test(source.uri)) throw new HavenError('INVALID_INPUT', `${source.uri.slice(0, 200)} is not a stream address (http(s), rtmp(s), rtsp or srt)`);
      if (!(await ctx.which('ffmpeg'))) throw new HavenError('NOT_FOUND', 'ffmpeg is not installed: install ffmpeg (it records the stream)');
      const input = config.resolver === 'none' || /\.(m3u8|mpd)(\?|$)|^rtmps?:|^rtsp:|^srt:/i.test(source.uri) ? source.uri : await resolve(source.uri, config.resolver, job.signal);
      // A retry of the same job (after a crash) continues the same folder as a new part.
      const key = `${UNFINISHED}:${job.id}`;
      const dir = ((await ctx.storage.get(key)) as string | undefined) ?? ctx.recorder.newFolder(config.output_dir ?? ctx.outputDir, recordingFolderName(source.uri, source.title));
      await ctx.storage.set(key, dir);
      const duration = typeof source.metadata.durationSeconds === 'number' ? source.metadata.durationSeconds : config.max_duration;
      const recording = ctx.recorder.start({
        input,
        dir,
        segmentSeconds: config.segment_duration,
        watchdogSeconds: config.watchdog_timeout,
        reconnectWindowSeconds: config.reconnect_window,
        maxSeconds: duration,
        remux: config.remux_on_finish,
        job,
      });
      const chatUrl = typeof source.metadata.chatUrl === 'string' ? source.metadata.chatUrl : config.chat_url;
      let stopChat: (() => void) | undefined;
      try {
        stopChat = chatUrl ? followChat(chatUrl, recording, job.signal) : undefined;
        return recordingArchiveResult(await recording.done, { input });
      } catch (error) {
        // Nothing may keep recording without an owner.
        recording.stop();
        await recording.done.catch(() => undefined);
        throw error;
      } finally {
        stopChat?.();
        await ctx.storage.delete(key);
      }
    }

    /** A page URL to the stream's own address, through streamlink or yt-dlp. */
    async function resolve(uri: string, tool: 'streamlink' | 'yt-dlp', signal: AbortSignal): Promise<string> {
      if (!(await ctx.which(tool))) throw new HavenError('NOT_FOUND', `${tool} is not installed: install it, or set resolver to none and give the stream's own address`);
      const proc = ctx.spawn(tool, tool === 'streamlink' ? ['--stream-url', uri, 'best'] : ['--ignore-config', '-g', '-f', 'best', '--', uri], { signal });
      let out = '';
      let err = '';
      proc.onStdout((chunk) => (out += chunk));
      proc.onStderr((chunk) => (err = (err + chunk).slice(-2000)));
      const { code } = await proc.exited;
      const url = out.trim().split('\n')[0]?.trim();
      if (code !== 0 || !url) throw new HavenError('UNAVAILABLE', `${tool} found no stream at ${uri}: ${(err || out).trim().split('\n').at(-1) ?? 'no answer'}`);
      return url;
    }

    return {
      async healthCheck() {
        const [ffmpeg, ffprobe] = await Promise.all([ctx.which('ffmpeg'), ctx.which('ffprobe')]);
        const resolver = ctx.config.resolver === 'none' ? undefined : await ctx.which(ctx.config.resolver);
        const problems = [!ffmpeg ? 'ffmpeg is missing: install it to record' : '', !ffprobe ? 'ffprobe is missing: install ffmpeg (it brings ffprobe)' : '', ctx.config.resolver !== 'none' && !resolver ? `${ctx.config.resolver} (the resolver) is missing` : ''].filter(Boolean);
        return {
          status: !ffmpeg ? 'fail' : problems.length ? 'warn' : 'pass',
          componentId: 'recorder',
          output: problems.length ? problems.join('; ') : `records HLS, DASH, RTMP and HTTP streams with ffmpeg (${ffmpeg}) into ${ctx.config.segment_duration} s segments`,
        };
      },
      record,
    };
  },
});
