import { HavenError, type ChatMessage, type FrameRecording, type JobHandle, type PluginLogger, type RecorderApi, type RecordingResult } from '@haven/sdk';
import type { PumpFunApi } from './api';
import type { AudioFrameIn, JoinedRoom, RoomJoiner, VideoFrameIn } from './livekit';

export interface StreamRecordDeps {
  api: PumpFunApi;
  joiner: RoomJoiner;
  recorder: RecorderApi;
  logger: PluginLogger;
  /** Follows the coin's chat until the returned function is called. */
  chat?: (mint: string, onMessage: (message: ChatMessage) => void) => () => void;
}

export interface StreamRecordOptions {
  mint: string;
  dir: string;
  segmentSeconds: number;
  maxSeconds: number;
  livekitUrl: string;
  job: JobHandle;
  /** How long to wait for the first frames, which tell the picture size and sound format. */
  firstFramesMs?: number;
  /** How long after a drop the room is joined again while pump.fun says the stream is live. */
  rejoinWindowSeconds?: number;
  fps?: number;
}

const REJOIN_DELAY_MS = 2000;
/** After the first kind of frame, how long the other gets to show up (a stream may be sound only). */
const OTHER_KIND_MS = 3000;

/**
 * Records one pump.fun stream: checks it is live, gets a viewer token, joins the LiveKit room as
 * a hidden viewer, and pushes the decoded frames into the recorder (which encodes them into the
 * usual segments), with the chat beside them. A dropped room is joined again while the stream is
 * live; the recorder marks the gap.
 */
export async function recordPumpStream(deps: StreamRecordDeps, options: StreamRecordOptions): Promise<RecordingResult> {
  const { api, joiner } = deps;
  const { mint, job } = options;
  const state = await api.stream(mint, job.signal);
  if (state.isLive === false) throw new HavenError('UNAVAILABLE', `the pump.fun stream of ${mint} is not live now`);

  /** Set once the formats are known, with the kinds it records; the room's handlers push into it from then on (a kind that shows up later is left out). */
  const live: { recording?: FrameRecording; video?: boolean; audio?: boolean } = {};
  let video: { width: number; height: number; track: string } | undefined;
  let audio: { sampleRate: number; channels: number; track: string } | undefined;
  let formatsKnown: () => void = () => undefined;
  const formats = new Promise<void>((resolve) => (formatsKnown = resolve));
  let otherKind: ReturnType<typeof setTimeout> | undefined;
  const noteFormat = (): void => {
    if (video && audio) formatsKnown();
    else otherKind ??= setTimeout(formatsKnown, OTHER_KIND_MS);
  };
  let room: JoinedRoom | undefined;
  let leaving = false;
  let rejoining = false;

  const handlers = {
    video(frame: VideoFrameIn) {
      // The first video track is the picture; a second (a screen share) is not mixed in.
      video ??= { width: frame.width, height: frame.height, track: frame.track };
      noteFormat();
      if (frame.track !== video.track && frame.track && video.track) return;
      // Another size (senders often start small) is scaled to the recording's.
      if (live.recording && live.video && frame.width % 2 === 0 && frame.height % 2 === 0) live.recording.pushVideo(frame.i420, { width: frame.width, height: frame.height });
    },
    audio(frame: AudioFrameIn) {
      audio ??= { sampleRate: frame.sampleRate, channels: frame.channels, track: frame.track };
      noteFormat();
      if (frame.track !== audio.track && frame.track && audio.track) return;
      if (live.recording && live.audio && frame.sampleRate === audio.sampleRate && frame.channels === audio.channels) live.recording.pushAudio(frame.samples);
    },
    ended(reason: string) {
      room = undefined;
      if (leaving) return;
      deps.logger.warn('pump.fun: the stream room ended', { mint, reason });
      void rejoin();
    },
  };

  const join = async (): Promise<void> => {
    const joined = await api.join(mint, job.signal);
    const entered = await joiner.join(joined.livekitUrl ?? joined.url ?? options.livekitUrl, joined.token, handlers);
    // The recording ended while this join was under way: nobody will leave this room later.
    if (leaving) await entered.leave().catch(() => undefined);
    else room = entered;
  };
  const rejoin = async (): Promise<void> => {
    if (rejoining) return;
    rejoining = true;
    const deadline = Date.now() + (options.rejoinWindowSeconds ?? 120) * 1000;
    try {
      while (!leaving && !job.signal.aborted) {
        if (Date.now() >= deadline) {
          live.recording?.stop('unreachable');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, REJOIN_DELAY_MS));
        if (leaving) return;
        try {
          if ((await api.stream(mint, job.signal)).isLive === false) {
            live.recording?.stop('stream-ended');
            return;
          }
          await join();
          return;
        } catch (error) {
          deps.logger.warn('pump.fun: joining the stream again failed; trying again', { mint, error: String(error) });
        }
      }
    } finally {
      rejoining = false;
    }
  };

  await join();
  let stopChat: (() => void) | undefined;
  let recording: FrameRecording | undefined;
  try {
    const firstFrames = setTimeout(formatsKnown, options.firstFramesMs ?? 20_000);
    const onAbort = (): void => formatsKnown();
    job.signal.addEventListener('abort', onAbort, { once: true });
    await formats;
    clearTimeout(firstFrames);
    clearTimeout(otherKind);
    job.signal.removeEventListener('abort', onAbort);
    if (job.signal.aborted) throw new HavenError('CANCELLED', 'stopped before the recording began');
    if (!video && !audio) throw new HavenError('UNAVAILABLE', `no picture or sound arrived from the pump.fun stream of ${mint} within ${Math.round((options.firstFramesMs ?? 20_000) / 1000)} s`);
    recording = deps.recorder.startFrames({
      label: `pump.fun ${mint}`,
      dir: options.dir,
      segmentSeconds: options.segmentSeconds,
      maxSeconds: options.maxSeconds,
      watchdogSeconds: 10,
      reconnectWindowSeconds: options.rejoinWindowSeconds ?? 120,
      remux: false,
      job,
      ...(video ? { video: { width: video.width - (video.width % 2), height: video.height - (video.height % 2), fps: options.fps ?? 30 } } : {}),
      ...(audio ? { audio: { sampleRate: audio.sampleRate, channels: audio.channels } } : {}),
    });
    Object.assign(live, { recording, video: !!video, audio: !!audio });
    stopChat = deps.chat?.(mint, (message) => recording?.chat(message));
    return await recording.done;
  } catch (error) {
    // Nothing may go on recording without an owner.
    if (recording) {
      recording.stop();
      await recording.done.catch(() => undefined);
    }
    throw error;
  } finally {
    leaving = true;
    clearTimeout(otherKind);
    stopChat?.();
    await room?.leave().catch(() => undefined);
  }
}
