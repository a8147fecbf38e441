// A WHEP client (WebRTC-HTTP Egress Protocol) on werift, a WebRTC stack in TypeScript: it offers
// to receive audio and video, hands the RTP packets over as they arrive, and asks for keyframes.
import { HavenError, type HttpResponse, type RtpStream } from '@haven/sdk';
import { RTCPeerConnection, RTCRtpCodecParameters, type MediaStreamTrack, type RTCRtpTransceiver } from 'werift';

export interface WhepOptions {
  video: boolean;
  audio: boolean;
  /** A bearer token, when the server asks for one. */
  token?: string;
  /** Loopback-only ICE (tests, and sources on the same machine). */
  loopback: boolean;
  signal: AbortSignal;
  http(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<HttpResponse>;
}

export interface WhepSession {
  /** The negotiated streams, in the order their packets are numbered. */
  streams: RtpStream[];
  /** Asks the sender for a keyframe on every video stream (a PLI). */
  requestKeyframe(): void;
  /** Settles with a reason when the connection ends or fails. */
  ended: Promise<string>;
  close(): Promise<void>;
}

const TRACKS_MS = 10_000;

function codecs() {
  return {
    video: [
      new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }),
      new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' }),
    ],
    audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
  };
}

/** The HTTP status of a refused offer, as a classified error. */
export function whepRefusal(status: number, url: string, body: string): HavenError {
  const detail = body.trim().slice(0, 200);
  const why = `the WHEP server at ${url} answered HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 401 || status === 403) return new HavenError('FORBIDDEN', `${why}: check the credentials for this endpoint`);
  if (status === 404) return new HavenError('NOT_FOUND', `${why}: no such stream`);
  if (status === 429 || status >= 500) return new HavenError('UNAVAILABLE', why);
  return new HavenError('INVALID_INPUT', why);
}

/** Opens a WHEP session and passes each RTP packet to `onPacket(streamIndex, packet)`. */
export async function openWhep(url: string, options: WhepOptions, onPacket: (index: number, packet: Buffer) => void): Promise<WhepSession> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    ...(options.loopback ? { iceAdditionalHostAddresses: ['127.0.0.1'] } : {}),
    codecs: codecs(),
  });
  let location: string | undefined;
  const close = async (): Promise<void> => {
    if (location) await options.http(location, { method: 'DELETE', headers: authHeaders(options) }).catch(() => undefined);
    location = undefined;
    await pc.close().catch(() => undefined);
  };
  try {
    if (options.video) pc.addTransceiver('video', { direction: 'recvonly' });
    if (options.audio) pc.addTransceiver('audio', { direction: 'recvonly' });
    const expected = pc.getTransceivers().length;
    const tracks: { track: MediaStreamTrack; transceiver: RTCRtpTransceiver }[] = [];
    const allTracks = new Promise<void>((resolve) => {
      for (const transceiver of pc.getTransceivers()) {
        transceiver.onTrack.subscribe((track) => {
          tracks.push({ track, transceiver });
          if (tracks.length === expected) resolve();
        });
      }
    });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const response = await options.http(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Accept: 'application/sdp', ...authHeaders(options) },
      body: pc.localDescription!.sdp,
      signal: options.signal,
    });
    const answer = await response.text();
    if (response.status !== 201 && response.status !== 200) throw whepRefusal(response.status, url, answer);
    const where = response.headers.get('location');
    if (where) location = new URL(where, url).href;
    if (!answer.startsWith('v=0')) throw new HavenError('INVALID_INPUT', `the WHEP server at ${url} answered with something that is not SDP`);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    // A source may send only one kind (a camera without a microphone): after the wait, what came is enough.
    let waited: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([allTracks, new Promise<void>((resolve) => (waited = setTimeout(resolve, TRACKS_MS)))]);
    clearTimeout(waited);
    if (tracks.length === 0) throw new HavenError('UNAVAILABLE', `no media tracks from ${url} within ${TRACKS_MS / 1000} s (the answer must send at least one, with a=ssrc)`);
    const ordered = [...tracks].sort((a, b) => (a.track.kind === b.track.kind ? 0 : a.track.kind === 'video' ? -1 : 1));
    const describe = (codec: { mimeType: string; payloadType: number; clockRate: number; channels?: number; parameters?: string }) => ({
      codec: codec.mimeType.split('/')[1] ?? codec.mimeType,
      payloadType: codec.payloadType,
      clockRate: codec.clockRate,
      ...(codec.channels ? { channels: codec.channels } : {}),
      ...(codec.parameters ? { fmtp: codec.parameters } : {}),
    });
    const streams: RtpStream[] = ordered.map(({ track, transceiver }) => {
      const codec = track.codec;
      if (!codec) throw new HavenError('INVALID_INPUT', `the WHEP server at ${url} negotiated no codec for ${track.kind}`);
      // The answer may allow several codecs on a stream; the one whose payload type arrives is recorded.
      const alternatives = transceiver.codecs.filter((c) => c.payloadType !== codec.payloadType && !/rtx|red|ulpfec/i.test(c.mimeType)).map(describe);
      return { kind: track.kind === 'video' ? 'video' : 'audio', ...describe(codec), ...(alternatives.length ? { alternatives } : {}) };
    });
    const requestKeyframe = (): void => {
      for (const { track, transceiver } of ordered) if (track.kind === 'video' && track.ssrc !== undefined) void transceiver.receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
    };
    ordered.forEach(({ track }, index) => {
      let lastSeq: number | undefined;
      let lastPli = 0;
      track.onReceiveRtp.subscribe((rtp) => {
        // A gap in the sequence is loss: ask for a keyframe (at most once a second) so the picture recovers.
        const seq = rtp.header.sequenceNumber;
        if (track.kind === 'video' && lastSeq !== undefined && ((seq - lastSeq + 65536) % 65536) > 1 && Date.now() - lastPli > 1000) {
          lastPli = Date.now();
          requestKeyframe();
        }
        lastSeq = seq;
        onPacket(index, rtp.serialize());
      });
    });
    const ended = new Promise<string>((resolve) => {
      const onAbort = (): void => resolve('stopped');
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'failed' || state === 'closed' || state === 'disconnected') {
          options.signal.removeEventListener('abort', onAbort);
          resolve(`the WebRTC connection is ${state}`);
        }
      });
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
    return { streams, requestKeyframe, ended, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function authHeaders(options: WhepOptions): Record<string, string> {
  return options.token ? { Authorization: `Bearer ${options.token}` } : {};
}

/** Waits until ICE has gathered its candidates (WHEP sends the offer once, complete), at most 5 s. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
