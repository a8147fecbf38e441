import { HavenError, definePlugin, recordingArchiveResult, secret, z, type Disposable, type JobHandle, type MediaSource, type RtpRecording } from '@haven/sdk';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { placeCall, type LadderEntry, type SipCall } from './sip';
import { openWhep, type WhepSession } from './whep';
import { activeWindow } from './windows';

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
    schedule: z.array(window).default([]).describe('Record the endpoints by themselves inside these windows (local time); none: only when asked.'),
  })
  .refine((config) => config.record_audio || config.record_video, { message: 'record_audio and record_video cannot both be off', path: ['record_video'] });


/** A folder name from the address (without credentials) and the time. */
function folderName(address: URL, now = new Date()): string {
  const label = `${address.hostname}${address.port ? `-${address.port}` : ''}${address.pathname.replace(/[^A-Za-z0-9._-]+/g, ' ')}`.replace(/\s+/g, ' ').trim().slice(0, 80) || 'capture';
  return `${label} ${now.toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '-')}`;
}

export default definePlugin({
  configSchema,
  setup(ctx) {
    /** The capture's folder: the one a retry of this job already uses, or a new one named `name`. */
    async function captureFolder(job: JobHandle, name: string): Promise<{ dir: string; done(): Promise<void> }> {
      const key = `unfinished:${job.id}`;
      const dir = ((await ctx.storage.get(key)) as string | undefined) ?? ctx.recorder.newFolder(ctx.config.output_dir ?? ctx.outputDir, name);
      await ctx.storage.set(key, dir);
      return { dir, done: () => ctx.storage.delete(key) };
    }

    const stamp = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '-');
    /** A window's capture lasts until the window ends (from now: time spent waiting or retrying counts). */
    const durationOf = (source: MediaSource): number => {
      if (typeof source.metadata.until === 'string') return Math.max(1, Math.floor((Date.parse(source.metadata.until) - Date.now()) / 1000));
      return typeof source.metadata.durationSeconds === 'number' ? source.metadata.durationSeconds : ctx.config.max_duration;
    };
    /** Stops a window's capture when the window ends, however much was recorded (gaps count). */
    const stopAtWindowEnd = (source: MediaSource, recording: { stop(): void }): (() => void) => {
      if (typeof source.metadata.until !== 'string') return () => undefined;
      const timer = setTimeout(() => recording.stop(), Math.max(0, Date.parse(source.metadata.until) - Date.now()));
      return () => clearTimeout(timer);
    };
    /** The recorder's timing for a capture, from the settings. */
    const timing = (source: MediaSource) => ({
      segmentSeconds: ctx.config.segment_duration,
      watchdogSeconds: ctx.config.watchdog_timeout,
      reconnectWindowSeconds: ctx.config.reconnect_window,
      maxSeconds: durationOf(source),
      remux: false,
    });

    /** A source ffmpeg reads itself (RTSP, RTP), every kept track copied, recorded as one capture. */
    async function recordThroughFfmpeg(source: MediaSource, job: JobHandle, how: { input: string; inputArgs: string[]; folder: string; audioCodec?: 'aac'; container?: 'matroska'; metadata: { endpoint: string } & Record<string, unknown> }) {
      const config = ctx.config;
      const folder = await captureFolder(job, how.folder);
      const recording = ctx.recorder.start({
        input: how.input,
        inputArgs: how.inputArgs,
        dir: folder.dir,
        ...timing(source),
        tracks: { video: config.record_video, audio: config.record_audio, all: true },
        ...(how.audioCodec ? { audioCodec: how.audioCodec } : {}),
        ...(how.container ? { container: how.container } : {}),
        label: how.metadata.endpoint as string,
        job,
      });
      const cancelStop = stopAtWindowEnd(source, recording);
      try {
        const result = await recording.done;
        await folder.done();
        return recordingArchiveResult(result, how.metadata);
      } finally {
        cancelStop();
      }
    }

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
      const shown = new URL(address.href);
      shown.username = '';
      shown.password = '';
      return recordThroughFfmpeg(source, job, {
        input: address.href,
        inputArgs: listen ? ['-rtsp_flags', 'listen', '-listen_timeout', String(config.reconnect_window)] : ['-rtsp_transport', 'tcp'],
        folder: folderName(shown),
        audioCodec: 'aac',
        metadata: { endpoint: shown.href, transport: listen ? 'rtsp (listening)' : 'rtsp' },
      });
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
      // Shown and saved without any user:password the address may carry.
      const shown = new URL(url.href);
      shown.username = '';
      shown.password = '';
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      const open = (onPacket: (index: number, packet: Buffer) => void): Promise<WhepSession> =>
        openWhep(url.href, { video: config.record_video, audio: config.record_audio, ...(login ? { token: login.password } : {}), loopback, signal: job.signal, http: (address, init) => ctx.http(address, init) }, onPacket);
      const { dir, done: folderDone } = await captureFolder(job, folderName(shown));
      const live: { recording?: RtpRecording } = {};
      const forward = (index: number, packet: Buffer): void => live.recording?.pushRtp(index, packet);
      let session = await open(forward);
      const first = JSON.stringify(session.streams);
      let recording: RtpRecording;
      try {
        recording = ctx.recorder.startRtp({
          label: shown.href,
          dir,
          streams: session.streams,
          ...timing(source),
          job,
          onKeyframeNeeded: () => session.requestKeyframe(),
        });
      } catch (error) {
        await session.close();
        throw error;
      }
      live.recording = recording;
      const cancelStop = stopAtWindowEnd(source, recording);
      let finished = false;
      // A dropped session is opened again (with the same codecs, so the recording goes on as a new part).
      const follow = async (): Promise<void> => {
        while (!finished) {
          const reason = await session.ended;
          if (finished) return;
          ctx.logger.warn('WHEP: the session ended; opening it again', { url: shown.href, reason });
          await session.close();
          for (let attempt = 0; !finished; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1000 * 2 ** attempt)));
            if (finished) return;
            try {
              const next = await open(forward);
              // The recording ended while the session opened: nobody else will close it.
              if (finished) {
                await next.close();
                return;
              }
              if (JSON.stringify(next.streams) !== first) {
                await next.close();
                ctx.logger.warn('WHEP: the new session negotiated other codecs; the recording ends', { url: shown.href });
                recording.stop('unreachable');
                return;
              }
              session = next;
              // New SSRC, sequence numbers and timestamps: a new part, the gap recorded.
              recording.sourceChanged();
              session.requestKeyframe();
              break;
            } catch (error) {
              ctx.logger.warn('WHEP: opening the session again failed', { url: shown.href, error: String(error) });
            }
          }
        }
      };
      void follow();
      try {
        const result = await recording.done;
        await folderDone();
        return recordingArchiveResult(result, { endpoint: shown.href, transport: 'webrtc (whep)', streams: session.streams });
      } finally {
        finished = true;
        cancelStop();
        await session.close();
      }
    }

    /**
     * A SIP call: INVITE with an offer to receive audio (G.711), digest authentication with the
     * endpoint's credentials, ACK; the RTP copied into Matroska segments; BYE when the recording
     * ends (or the far end's BYE ends it). The call's ladder is saved beside the recording.
     */
    async function recordSip(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      const login = config.credentials[source.uri];
      // Shown and saved without any password the address may carry (the call refuses one anyway).
      const address = (/^sip:([^@\s]+@[^;?\s]+)/i.exec(source.uri)?.[1] ?? 'call').replace(/^([^:@]+):[^@]*@/, '$1@');
      const { dir, done: folderDone } = await captureFolder(job, `${address.replace(/[^A-Za-z0-9@._-]+/g, ' ').trim().slice(0, 80)} ${stamp()}`);
      const live: { recording?: RtpRecording } = {};
      const ladder: LadderEntry[] = [];
      // The call's ladder is kept beside the recording, also when the call fails (where it tells most).
      const saveLadder = (codec?: unknown): void => {
        try {
          fs.writeFileSync(path.join(dir, 'sip-ladder.json'), `${JSON.stringify({ target: `sip:${address}`, ...(codec ? { codec } : {}), ladder }, null, 2)}\n`);
        } catch (error) {
          ctx.logger.warn('SIP: the call ladder could not be saved', { error: String(error) });
        }
      };
      let call: SipCall;
      try {
        call = await placeCall(source.uri, { ...(login ? { username: login.username, password: login.password } : {}), signal: job.signal, ladder }, (packet) => live.recording?.pushRtp(0, packet));
      } catch (error) {
        saveLadder();
        throw error;
      }
      let recording: RtpRecording;
      try {
        recording = ctx.recorder.startRtp({
          label: `sip:${address}`,
          dir,
          streams: [call.stream],
          ...timing(source),
          job,
        });
      } catch (error) {
        await call.hangUp();
        saveLadder(call.stream);
        throw error;
      }
      live.recording = recording;
      const cancelStop = stopAtWindowEnd(source, recording);
      void call.ended.then((reason) => {
        if (reason.startsWith('the far end')) recording.stop('stream-ended');
      });
      try {
        const result = await recording.done;
        await call.hangUp();
        saveLadder(call.stream);
        await folderDone();
        return recordingArchiveResult(result, { endpoint: `sip:${address}`, transport: 'sip', codec: call.stream.codec, ladder: 'sip-ladder.json' });
      } finally {
        cancelStop();
        await call.hangUp();
        saveLadder(call.stream);
      }
    }

    /**
     * Plain RTP: `rtp://host:port` (a stream ffmpeg can read without a description, such as G.711
     * or MPEG-TS over RTP) or an SDP file (`file:///…/stream.sdp`) naming the streams and ports.
     * Copied as sent into Matroska segments, which hold any codec.
     */
    async function recordRtp(source: MediaSource, job: JobHandle) {
      const sdpFile = /^file:/i.test(source.uri) ? fileURLToPath(source.uri) : undefined;
      if (sdpFile && !fs.existsSync(sdpFile)) throw new HavenError('NOT_FOUND', `${sdpFile} does not exist`);
      if (sdpFile && !fs.readFileSync(sdpFile, 'utf8').startsWith('v=0')) throw new HavenError('INVALID_INPUT', `${sdpFile} is not an SDP file (it does not begin with v=0)`);
      const label = sdpFile ? path.basename(sdpFile, '.sdp') : new URL(source.uri).host;
      return recordThroughFfmpeg(source, job, {
        input: sdpFile ?? source.uri,
        inputArgs: ['-protocol_whitelist', 'file,udp,rtp', ...(sdpFile ? ['-f', 'sdp'] : [])],
        folder: `rtp ${label.replace(/[^A-Za-z0-9._-]+/g, ' ').trim()} ${stamp()}`,
        container: 'matroska',
        metadata: { endpoint: source.uri, transport: sdpFile ? 'rtp (sdp file)' : 'rtp' },
      });
    }

    /** Inside a record window: each endpoint, to be recorded until the window ends (one recording per endpoint and window). */
    function discover() {
      const config = ctx.config;
      const now = new Date();
      const window = activeWindow(config.schedule, now);
      const sources: MediaSource[] = [];
      const skipped: { source: MediaSource; reason: string }[] = [];
      for (const endpoint of config.endpoints) {
        const source = (session: string, seconds?: number): MediaSource => ({
          sourceId: `${endpoint}@${session}`,
          mediaType: 'video',
          uri: endpoint,
          title: `${endpoint.replace(/(\/\/|sip:)[^@\s/]*:[^@\s/]*@/gi, '$1')} (record window)`,
          metadata: seconds && window ? { durationSeconds: seconds, until: window.end.toISOString() } : {},
        });
        const seconds = window ? Math.floor((window.end.getTime() - now.getTime()) / 1000) : 0;
        if (!window || seconds < 5) skipped.push({ source: source('outside'), reason: config.schedule.length ? 'outside the record windows' : 'no record windows: recorded only when asked' });
        else sources.push(source(window.start.toISOString(), seconds));
      }
      return { sources, skipped };
    }

    let windows: Disposable | undefined;
    const scheduleWindows = (config: typeof ctx.config): void => {
      windows?.dispose();
      windows = undefined;
      if (config.schedule.length === 0 || config.endpoints.length === 0) return;
      // Checked every minute: a window that opens starts its recordings within a minute.
      windows = ctx.schedule({ name: 'record windows', intervalMs: 60_000, jitterMs: 2000, run: () => ctx.discover('a record window') });
    };
    scheduleWindows(ctx.config);
    ctx.onConfigChange((config) => scheduleWindows(config));

    return {
      discoverSources: () => discover(),
      async healthCheck() {
        const ffmpeg = await ctx.which('ffmpeg');
        if (!ffmpeg) return { status: 'fail', componentId: 'openring', output: 'ffmpeg is missing: install it to capture' };
        const config = ctx.config;
        return { status: 'pass', componentId: 'openring', output: `captures RTSP, WebRTC (WHEP), SIP and RTP with ffmpeg (${ffmpeg}); ${config.endpoints.length} endpoints, ${config.schedule.length ? `${config.schedule.length} record windows` : 'no record windows'}` };
      },
      async record(source, job) {
        if (!(await ctx.which('ffmpeg'))) throw new HavenError('NOT_FOUND', 'ffmpeg is not installed: install ffmpeg (it records the capture)');
        if (/^rtsps?:\/\//i.test(source.uri)) return recordRtsp(source, job);
        if (/^whep:\/\//i.test(source.uri) || /^https?:\/\/.+\/whep(\?.*)?$/i.test(source.uri)) return recordWhep(source, job);
        if (/^sip:/i.test(source.uri)) return recordSip(source, job);
        if (/^rtp:\/\//i.test(source.uri) || /^file:.+\.sdp$/i.test(source.uri)) return recordRtp(source, job);
        if (/^https?:/i.test(source.uri)) throw new HavenError('INVALID_INPUT', `${source.uri.slice(0, 200)} is not a WHEP address (https://…/whep or whep://…)`);
        throw new HavenError('INVALID_INPUT', `${source.uri.slice(0, 200)} is not an address OpenRing captures (rtsp://, whep://, https://…/whep, sip:, rtp:// or an .sdp file)`);
      },
    };
  },
});
