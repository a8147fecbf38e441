import { HavenError, definePlugin, recordingArchiveResult, secret, z, type JobHandle, type MediaSource, type RtpRecording } from '@haven/sdk';
import { openWhep, type WhepSession } from './whep';

const endpoint = z
  .string()
  .regex(/^(https?|whep|rtsp|rtsps|rtp|sip):\/?\/?\S+$/i, 'must be a whep://, https://…/whep, sip:, rtp:// or rtsp:// address');

const window = z.object({
  days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
  end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
});

export const configSchema = z
  .object({
    endpoints: z.array(endpoint).default([]).describe('Sources to capture.'),
    record_audio: z.boolean().default(true),
    record_video: z.boolean().default(true),
    output_dir: z.string().optional(),
    credentials: secret(z.record(z.string(), z.object({ username: z.string(), password: z.string() })).default({})).describe(
      'User name and password per endpoint address.',
    ),
    segment_duration: z.number().int().min(2).max(24 * 3600).default(600),
    watchdog_timeout: z.number().int().min(3).max(3600).default(30).describe('Seconds without new media before reconnecting.'),
    reconnect_window: z.number().int().min(5).max(24 * 3600).default(300).describe('Seconds a dropped source is tried again (or, listening, waited for) before the capture ends.'),
    max_duration: z.number().int().min(0).default(0).describe('Stop a capture after this many seconds; 0 means until the source ends.'),
    schedule: z.array(window).default([]).describe('Record only inside these windows; always when empty (not applied yet).'),
  })
  .refine((config) => config.record_audio || config.record_video, { message: 'record_audio and record_video cannot both be off', path: ['record_video'] });

const NOT_YET = 'SIP and plain RTP capture are not implemented yet; RTSP and WebRTC (WHEP) work';

/** A folder name from the address (without credentials) and the time. */
function folderName(address: URL, now = new Date()): string {
  const label = `${address.hostname}${address.port ? `-${address.port}` : ''}${address.pathname.replace(/[^A-Za-z0-9._-]+/g, ' ')}`.replace(/\s+/g, ' ').trim().slice(0, 80) || 'capture';
  return `${label} ${now.toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '-')}`;
}

export default definePlugin({
  configSchema,
  setup(ctx) {
    /**
     * RTSP through ffmpeg: a camera's address is pulled (over TCP); an address ending in `#listen`
     * waits for a camera or encoder to push to it (ffmpeg's `-rtsp_flags listen`). Video is kept as
     * sent; sound becomes AAC (cameras send G.711, which MPEG-TS cannot hold).
     */
    async function recordRtsp(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      const address = new URL(source.uri);
      const listen = address.hash === '#listen';
      address.hash = '';
      const login = config.credentials[source.uri] ?? config.credentials[address.href];
      if (login && !listen) {
        address.username = encodeURIComponent(login.username);
        address.password = encodeURIComponent(login.password);
      }
      const key = `unfinished:${job.id}`;
      const shown = new URL(address.href);
      shown.username = '';
      shown.password = '';
      const dir = ((await ctx.storage.get(key)) as string | undefined) ?? ctx.recorder.newFolder(config.output_dir ?? ctx.outputDir, folderName(shown));
      await ctx.storage.set(key, dir);
      const duration = typeof source.metadata.durationSeconds === 'number' ? source.metadata.durationSeconds : config.max_duration;
      const recording = ctx.recorder.start({
        input: address.href,
        inputArgs: listen ? ['-rtsp_flags', 'listen', '-listen_timeout', String(config.reconnect_window)] : ['-rtsp_transport', 'tcp'],
        dir,
        segmentSeconds: config.segment_duration,
        watchdogSeconds: config.watchdog_timeout,
        reconnectWindowSeconds: config.reconnect_window,
        maxSeconds: duration,
        remux: false,
        tracks: { video: config.record_video, audio: config.record_audio, all: true },
        audioCodec: 'aac',
        job,
      });
      const result = await recording.done;
      await ctx.storage.delete(key);
      return recordingArchiveResult(result, { endpoint: shown.href, transport: listen ? 'rtsp (listening)' : 'rtsp' });
    }

    /** The WHEP address to POST to: `whep://` is HTTPS (HTTP on this machine). */
    function whepUrl(uri: string): URL {
      const url = new URL(uri.replace(/^whep:/i, 'https:'));
      if (/^whep:/i.test(uri) && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) url.protocol = 'http:';
      return url;
    }

    /**
     * WebRTC through WHEP: receive-only audio and video, the RTP copied as it is (VP8/VP9/Opus into
     * WebM segments, H.264 into Matroska), a keyframe asked for at each part and after loss. A
     * dropped session is opened again while the recording runs.
     */
    async function recordWhep(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      const url = whepUrl(source.uri);
      const login = config.credentials[source.uri] ?? config.credentials[url.href];
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      const open = (onPacket: (index: number, packet: Buffer) => void): Promise<WhepSession> =>
        openWhep(url.href, { video: config.record_video, audio: config.record_audio, ...(login ? { token: login.password } : {}), loopback, signal: job.signal, http: (address, init) => ctx.http(address, init) }, onPacket);
      const key = `unfinished:${job.id}`;
      const dir = ((await ctx.storage.get(key)) as string | undefined) ?? ctx.recorder.newFolder(config.output_dir ?? ctx.outputDir, folderName(url));
      await ctx.storage.set(key, dir);
      const live: { recording?: RtpRecording } = {};
      const forward = (index: number, packet: Buffer): void => live.recording?.pushRtp(index, packet);
      let session = await open(forward);
      const first = JSON.stringify(session.streams);
      const duration = typeof source.metadata.durationSeconds === 'number' ? source.metadata.durationSeconds : config.max_duration;
      const recording = ctx.recorder.startRtp({
        label: url.href,
        dir,
        streams: session.streams,
        segmentSeconds: config.segment_duration,
        watchdogSeconds: config.watchdog_timeout,
        reconnectWindowSeconds: config.reconnect_window,
        maxSeconds: duration,
        remux: false,
        job,
        onKeyframeNeeded: () => session.requestKeyframe(),
      });
      live.recording = recording;
      let finished = false;
      // A dropped session is opened again (with the same codecs, so the recording goes on as a new part).
      const follow = async (): Promise<void> => {
        while (!finished) {
          const reason = await session.ended;
          if (finished) return;
          ctx.logger.warn('WHEP: the session ended; opening it again', { url: url.href, reason });
          await session.close();
          for (let attempt = 0; !finished; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1000 * 2 ** attempt)));
            if (finished) return;
            try {
              const next = await open(forward);
              if (JSON.stringify(next.streams) !== first) {
                await next.close();
                ctx.logger.warn('WHEP: the new session negotiated other codecs; the recording ends', { url: url.href });
                recording.stop('unreachable');
                return;
              }
              session = next;
              session.requestKeyframe();
              break;
            } catch (error) {
              ctx.logger.warn('WHEP: opening the session again failed', { url: url.href, error: String(error) });
            }
          }
        }
      };
      void follow();
      try {
        const result = await recording.done;
        await ctx.storage.delete(key);
        return recordingArchiveResult(result, { endpoint: url.href, transport: 'webrtc (whep)', streams: session.streams });
      } finally {
        finished = true;
        await session.close();
      }
    }

    return {
      async healthCheck() {
        const ffmpeg = await ctx.which('ffmpeg');
        if (!ffmpeg) return { status: 'fail', componentId: 'openring', output: 'ffmpeg is missing: install it to capture' };
        return { status: 'warn', componentId: 'openring', output: `RTSP and WHEP capture work (ffmpeg ${ffmpeg}). ${NOT_YET}.` };
      },
      async record(source, job) {
        if (!(await ctx.which('ffmpeg'))) throw new HavenError('NOT_FOUND', 'ffmpeg is not installed: install ffmpeg (it records the capture)');
        if (/^rtsps?:\/\//i.test(source.uri)) return recordRtsp(source, job);
        if (/^whep:\/\//i.test(source.uri) || /^https?:\/\/.+\/whep(\?.*)?$/i.test(source.uri)) return recordWhep(source, job);
        if (/^https?:/i.test(source.uri)) throw new HavenError('INVALID_INPUT', `${source.uri.slice(0, 200)} is not a WHEP address (https://…/whep or whep://…)`);
        throw new HavenError('NOT_IMPLEMENTED', `${source.uri.split(':')[0]}: ${NOT_YET}`);
      },
    };
  },
});
