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

/**
 * Records one pump.fun stream: checks it is live, gets a viewer token, joins the LiveKit room as
 * a hidden viewer, and pushes the decoded frames into the recorder (which encodes them into the
 * usual segments), with the chat beside them. A dropped room is joined again while the stream is
 * live; the recorder marks the gap.
 */
export async function recordPumpStream(deps: StreamRecordDeps, options: StreamRecordOptions): Promise<RecordingResult> {
  const { api, joiner, mint } = { ...deps, mint: options.mint };
  const state = await api.stream(mint, options.job.signal);
  if (state.isLive === false) throw new HavenError('UNAVAILABLE', `the pump.fun stream of ${mint} is not live now`);
  /** Set once the formats are known; the room's handlers push into it from then on. */
  const live: { recording?: FrameRecording } = {};
  let video: { width: number; height: number } | undefined;
  let audio: { sampleRate: number; channels: number } | undefined;
  let skipped = 0;
  let formatsKnown: () => void = () => undefined;
  const formats = new Promise<void>((resolve) => (formatsKnown = resolve));
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  const noteFormat = (): void => {
    if (video && audio) formatsKnown();
    // One kind known: the other gets a moment to show up (a stream may be sound only).
    else settleTimer ??= setTimeout(formatsKnown, 3000);
  };
  let room: JoinedRoom | undefined;
  let leaving = false;
  const handlers = {
    video(frame: VideoFrameIn) {
      video ??= { width: frame.width, height: frame.height };
      noteFormat();
      if (!live.recording) return;
      // The recording keeps the first picture size; frames of another size are left out.
      if (frame.width !== video.width || frame.height !== video.height) {
        if (skipped++ === 0) deps.logger.warn('pump.fun: the picture size changed; frames of the new size are not recorded', { from: `${video.width}x${video.height}`, to: `${frame.width}x${frame.height}` });
        return;
      }
      live.recording.pushVideo(frame.i420);
    },
    audio(frame: AudioFrameIn) {
      audio ??= { sampleRate: frame.sampleRate, channels: frame.channels };
      noteFormat();
      if (live.recording && frame.sampleRate === audio.sampleRate && frame.channels === audio.channels) live.recording.pushAudio(frame.samples);
    },
    ended(reason: string) {
      room = undefined;
      if (leaving) return;
      deps.logger.warn('pump.fun: the stream room ended', { mint, reason });
      void rejoin();
    },
  };
  const join = async (): Promise<void> => {
    const joined = await api.join(mint, options.job.signal);
    room = await joiner.join(joined.livekitUrl ?? joined.url ?? options.livekitUrl, joined.token, handlers);
  };
  const rejoinUntil = (): number => Date.now() + (options.rejoinWindowSeconds ?? 120) * 1000;
  let deadline = rejoinUntil();
  const rejoin = async (): Promise<void> => {
    while (!leaving && !options.job.signal.aborted && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REJOIN_DELAY_MS));
      if (leaving) return;
      try {
        const now = await api.stream(mint, options.job.signal);
        if (now.isLive === false) {
          live.recording?.stop('stream-ended');
          return;
        }
        await join();
        deadline = rejoinUntil();
        return;
      } catch (error) {
        deps.logger.warn('pump.fun: joining the stream again failed; trying again', { mint, error: String(error) });
      }
    }
    live.recording?.stop('stream-ended');
  };

  await join();
  const firstFrames = setTimeout(formatsKnown, options.firstFramesMs ?? 20_000);
  await formats;
  clearTimeout(firstFrames);
  clearTimeout(settleTimer);
  if (!video && !audio) {
    leaving = true;
    await room?.leave();
    throw new HavenError('UNAVAILABLE', `no picture or sound arrived from the pump.fun stream of ${mint} within ${Math.round((options.firstFramesMs ?? 20_000) / 1000)} s`);
  }
  const recording = deps.recorder.startFrames({
    label: `pump.fun ${mint}`,
    dir: options.dir,
    segmentSeconds: options.segmentSeconds,
    maxSeconds: options.maxSeconds,
    watchdogSeconds: 10,
    reconnectWindowSeconds: options.rejoinWindowSeconds ?? 120,
    remux: false,
    job: options.job,
    ...(video ? { video: { ...video, fps: options.fps ?? 30 } } : {}),
    ...(audio ? { audio } : {}),
  });
  live.recording = recording;
  const stopChat = deps.chat?.(mint, (message) => recording.chat(message));
  try {
    return await recording.done;
  } finally {
    leaving = true;
    stopChat?.();
    await room?.leave().catch(() => undefined);
  }
}
