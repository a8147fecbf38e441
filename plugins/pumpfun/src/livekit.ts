// The one place that touches LiveKit. Everything else sees RoomJoiner, which the tests replace
// with synthetic frames (no LiveKit server can run where Haven is tested).

export interface VideoFrameIn {
  /** The track it came from: a room may carry several. */
  track: string;
  width: number;
  height: number;
  /** I420: the Y plane, then U, then V, without padding. */
  i420: Uint8Array;
}

export interface AudioFrameIn {
  track: string;
  sampleRate: number;
  channels: number;
  /** Interleaved signed 16-bit samples. */
  samples: Int16Array;
}

export interface RoomHandlers {
  video(frame: VideoFrameIn): void;
  audio(frame: AudioFrameIn): void;
  /** The room ended or dropped us (not called after `leave`). */
  ended(reason: string): void;
}

export interface JoinedRoom {
  leave(): Promise<void>;
}

/** Joins a room as a viewer and hands over the decoded frames of every subscribed track. */
export interface RoomJoiner {
  join(url: string, token: string, handlers: RoomHandlers): Promise<JoinedRoom>;
}

const AUDIO_RATE = 48_000;
const AUDIO_CHANNELS = 2;

/**
 * LiveKit's Node SDK (`@livekit/rtc-node`, native code shipped in npm packages), loaded only
 * when a room is joined, so the plugin runs (and says what is missing) where it cannot load.
 */
export function liveKitJoiner(): RoomJoiner {
  return {
    async join(url, token, handlers) {
      const lk = await import('@livekit/rtc-node');
      const room = new lk.Room();
      let left = false;
      const readers = new Set<ReadableStreamDefaultReader<unknown>>();
      const pump = async <T>(stream: ReadableStream<T>, each: (value: T) => void): Promise<void> => {
        const reader = stream.getReader();
        readers.add(reader as ReadableStreamDefaultReader<unknown>);
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done || left) return;
            each(value);
          }
        } catch {
          // The track ended, or a frame could not be used.
        } finally {
          readers.delete(reader as ReadableStreamDefaultReader<unknown>);
          // Cancelled, the stream stops taking frames from LiveKit (it does not wait to be read).
          await reader.cancel().catch(() => undefined);
        }
      };
      room.on(lk.RoomEvent.TrackSubscribed, (track) => {
        const sid = track.sid ?? '';
        if (track.kind === lk.TrackKind.KIND_VIDEO) {
          void pump(new lk.VideoStream(track) as unknown as ReadableStream<{ frame: InstanceType<typeof lk.VideoFrame> }>, ({ frame }) => {
            const i420 = frame.type === lk.VideoBufferType.I420 ? frame : frame.convert(lk.VideoBufferType.I420);
            handlers.video({ track: sid, width: i420.width, height: i420.height, i420: packedI420(i420) });
          });
        } else if (track.kind === lk.TrackKind.KIND_AUDIO) {
          void pump(new lk.AudioStream(track, { sampleRate: AUDIO_RATE, numChannels: AUDIO_CHANNELS }) as unknown as ReadableStream<InstanceType<typeof lk.AudioFrame>>, (frame) => {
            handlers.audio({ track: sid, sampleRate: frame.sampleRate, channels: frame.channels, samples: frame.data });
          });
        }
      });
      room.on(lk.RoomEvent.Disconnected, (reason) => {
        if (!left) handlers.ended(`LiveKit disconnected (${String(reason)})`);
      });
      await room.connect(url, token, { autoSubscribe: true, dynacast: false });
      return {
        async leave() {
          left = true;
          await Promise.all([...readers].map((reader) => reader.cancel().catch(() => undefined)));
          await room.disconnect();
        },
      };
    },
  };
}

/** The Y, U and V planes back to back (what ffmpeg's yuv420p expects). */
function packedI420(frame: { width: number; height: number; data: Uint8Array; getPlane(n: number): unknown }): Uint8Array {
  const size = frame.width * frame.height;
  const expected = size + 2 * ((frame.width >> 1) * (frame.height >> 1));
  if (frame.data.byteLength === expected) return frame.data;
  const planes = [0, 1, 2].map((n) => {
    const plane = frame.getPlane(n);
    return plane instanceof Uint8Array ? plane : new Uint8Array();
  });
  const out = new Uint8Array(expected);
  out.set(planes[0]!.subarray(0, size), 0);
  out.set(planes[1]!.subarray(0, size / 4), size);
  out.set(planes[2]!.subarray(0, size / 4), size + size / 4);
  return out;
}
