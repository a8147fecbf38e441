import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import type { RtpStream } from '@shared/sdk/recording';
import type { SpawnedProcess, SpawnOptions } from '@shared/sdk/types';
import { partArgs, type SegmentContainer } from './ffmpegArgs';
import type { PartInput } from './partInput';

/** Longer than this without a packet, the source counts as gone. */
const ACTIVE_MS = 1500;
export const SDP_FILE = 'session.sdp';

/** An SDP that tells ffmpeg which RTP streams arrive on which local ports. */
export function sessionSdp(streams: readonly RtpStream[], ports: readonly number[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=Haven capture', 'c=IN IP4 127.0.0.1', 't=0 0'];
  streams.forEach((stream, i) => {
    lines.push(`m=${stream.kind} ${ports[i]} RTP/AVP ${stream.payloadType}`);
    lines.push(`a=rtpmap:${stream.payloadType} ${stream.codec}/${stream.clockRate}${stream.channels && stream.channels > 1 ? `/${stream.channels}` : ''}`);
    if (stream.fmtp) lines.push(`a=fmtp:${stream.payloadType} ${stream.fmtp}`);
    lines.push('a=recvonly');
  });
  return `${lines.join('\r\n')}\r\n`;
}

/** The container RTP codecs can be copied into: WebM for VP8/VP9/AV1 with Opus, Matroska otherwise. */
export function containerFor(streams: readonly RtpStream[]): SegmentContainer {
  const webm = streams.every((s) => ['VP8', 'VP9', 'AV1', 'OPUS', 'VORBIS'].includes(s.codec.toUpperCase()));
  return webm ? 'webm' : 'matroska';
}

const STATIC_PAYLOADS: Record<number, { codec: string; clockRate: number }> = { 0: { codec: 'PCMU', clockRate: 8000 }, 8: { codec: 'PCMA', clockRate: 8000 }, 9: { codec: 'G722', clockRate: 8000 } };

/** The stream as its packets say: the negotiated codec, or the alternative (or static type) whose payload type arrives. */
export function streamForPayload(stream: RtpStream, payloadType: number | undefined): RtpStream {
  if (payloadType === undefined || payloadType === stream.payloadType) return stream;
  const alternative = stream.alternatives?.find((a) => a.payloadType === payloadType);
  if (alternative) return { kind: stream.kind, ...alternative };
  const known = STATIC_PAYLOADS[payloadType];
  return known ? { kind: stream.kind, payloadType, ...known } : stream;
}

/** Free UDP port pairs (RTP and RTCP) on 127.0.0.1, one per stream, below the ephemeral range. */
async function freePortPairs(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < 50; tries++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 5_000);
    if (ports.includes(base)) continue;
    if ((await canBind(base)) && (await canBind(base + 1))) ports.push(base);
  }
  if (ports.length < count) throw new HavenError('UNAVAILABLE', 'no free local UDP ports for the capture');
  return ports;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * RTP packets a plugin receives (WebRTC, SIP), copied by ffmpeg without re-encoding: each part
 * gets its own local ports and an SDP naming them; packets are forwarded there over loopback UDP.
 */
export class RtpInput implements PartInput {
  private socket: dgram.Socket | undefined;
  private ports: number[] = [];
  private lastPacketAt = 0;
  private partEndAt = 0;
  private forwarding = false;
  private proc: SpawnedProcess | undefined;
  /** The payload type last seen on each stream (the answer may have allowed several). */
  private readonly seen: (number | undefined)[] = [];
  private streams: RtpStream[];

  constructor(
    private readonly deps: { spawn(binary: string, args: readonly string[], options?: SpawnOptions): SpawnedProcess },
    private readonly options: { dir: string; segmentSeconds: number; streams: readonly RtpStream[]; label: string; ioTimeoutMicros: number; onPartStarted?: () => void },
  ) {
    if (options.streams.length === 0) throw new HavenError('INVALID_INPUT', 'an RTP recording needs at least one stream');
    this.streams = [...options.streams];
  }

  get label(): string {
    return this.options.label;
  }

  get container(): SegmentContainer {
    return containerFor(this.streams);
  }

  /** One packet of the stream at `index` (in the order given); dropped while no part is running. */
  push(index: number, packet: Uint8Array): void {
    if (index < 0 || index >= this.options.streams.length) throw new HavenError('INVALID_INPUT', `no RTP stream ${index}`);
    this.lastPacketAt = Date.now();
    if (packet.byteLength >= 2) this.seen[index] = packet[1]! & 0x7f;
    const port = this.ports[index];
    if (!this.forwarding || !this.socket || port === undefined) return;
    this.socket.send(packet, port, '127.0.0.1');
  }

  /** Ports are chosen (and the SDP written) before ffmpeg starts, so the spawn itself stays synchronous. */
  async prepare(): Promise<void> {
    // ffmpeg keeps only packets of the payload type its SDP names: the one that arrives.
    this.streams = this.options.streams.map((stream, i) => streamForPayload(stream, this.seen[i]));
    this.ports = await freePortPairs(this.streams.length);
    fs.writeFileSync(path.join(this.options.dir, SDP_FILE), sessionSdp(this.streams, this.ports));
    if (!this.socket) {
      this.socket = dgram.createSocket('udp4');
      // A send that fails (no buffer space) loses that packet, nothing more.
      this.socket.on('error', () => undefined);
    }
  }

  /** The source was replaced: the running part ends, and the next packets start a new one (on new ports). */
  restart(): void {
    this.forwarding = false;
    if (this.proc) this.quit(this.proc);
  }

  spawn(part: number, seconds: number | undefined): SpawnedProcess {
    const args = partArgs({
      input: path.join(this.options.dir, SDP_FILE),
      inputArgs: ['-protocol_whitelist', 'file,udp,rtp', '-reorder_queue_size', '500', '-f', 'sdp'],
      dir: this.options.dir,
      part,
      segmentSeconds: this.options.segmentSeconds,
      ...(seconds !== undefined ? { seconds } : {}),
      ioTimeoutMicros: this.options.ioTimeoutMicros,
      liveEdge: false,
      tracks: { all: true },
      container: this.container,
    });
    const proc = this.deps.spawn('ffmpeg', args, { cwd: this.options.dir });
    this.proc = proc;
    this.forwarding = true;
    // Its ports are freed when it exits: nothing more goes there (another capture may take them).
    void proc.exited.then(() => {
      if (this.proc === proc) {
        this.forwarding = false;
        this.proc = undefined;
      }
    });
    // ffmpeg can begin only at a keyframe: the source is asked for one (WebRTC: a PLI), and again in case the first came before ffmpeg listened.
    setTimeout(() => this.options.onPartStarted?.(), 300);
    setTimeout(() => this.options.onPartStarted?.(), 1500);
    return proc;
  }

  quit(proc: SpawnedProcess): void {
    proc.write('q');
  }

  async ready(_failures: number, signal: AbortSignal): Promise<'go' | 'wait' | 'ended'> {
    const until = Date.now() + 1000;
    while (!signal.aborted && Date.now() < until) {
      if (this.lastPacketAt > this.partEndAt && Date.now() - this.lastPacketAt < ACTIVE_MS) {
        await this.prepare();
        return 'go';
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return 'wait';
  }

  async partEnded(): Promise<void> {
    this.forwarding = false;
    this.partEndAt = Date.now();
  }

  async ended(): Promise<boolean> {
    return false;
  }

  close(): void {
    this.forwarding = false;
    this.socket?.close();
    this.socket = undefined;
  }
}
