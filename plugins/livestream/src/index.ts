import path from 'node:path';
import { HavenError, definePlugin, type JobHandle, type MediaSource, type Recording } from '@haven/sdk';
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
      const connect = (): void => {
        if (closed || signal.aborted) return;
        socket = new WebSocket(url, { handshakeTimeout: 10_000, maxPayload: 1024 * 1024 });
        socket.on('message', (data, isBinary) => {
          if (isBinary) return;
          const message = chatMessageOf(String(data), Date.now());
          if (message) recording.chat(message);
        });
        socket.on('error', (error) => ctx.logger.warn('chat: connection problem', { url, error: String(error) }));
        socket.on('close', () => {
          if (!closed) retry = setTimeout(connect, 2000);
        });
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
      const unfinished = ((await ctx.storage.get(UNFINISHED)) as Record<string, string> | undefined) ?? {};
      const dir = unfinished[job.id] ?? path.join(config.output_dir ?? ctx.outputDir, recordingFolderName(source.uri, source.title));
      await ctx.storage.set(UNFINISHED, { ...unfinished, [job.id]: dir });
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
      const stopChat = chatUrl ? followChat(chatUrl, recording, job.signal) : undefined;
      try {
        const result = await recording.done;
        const { manifest } = result;
        return {
          success: true,
          outputPath: dir,
          fileSize: result.bytes,
          duration: result.seconds,
          metadata: {
            input,
            endedBy: manifest.endedBy,
            parts: manifest.parts.length,
            segments: result.segments,
            gaps: manifest.gaps,
            reconnects: manifest.reconnects,
            ...(manifest.chat ? { chatMessages: manifest.chat.messages } : {}),
            ...(manifest.remuxed ? { remuxed: manifest.remuxed } : {}),
          },
        };
      } finally {
        stopChat?.();
        const left = ((await ctx.storage.get(UNFINISHED)) as Record<string, string> | undefined) ?? {};
        await ctx.storage.set(UNFINISHED, Object.fromEntries(Object.entries(left).filter(([id]) => id !== job.id)));
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
