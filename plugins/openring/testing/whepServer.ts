import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpTransceiver } from 'werift';

/**
 * A WHEP server for tests, on 127.0.0.1, built on the same WebRTC stack: it answers an offer with
 * VP8 video and Opus sound that ffmpeg makes (a test picture and a tone), sent as RTP. Paths:
 * `/whep` serves, `/whep-403` and `/whep-500` refuse, `/whep-garbage` answers with something that is not SDP.
 */
export interface WhepServer {
  url: string;
  sessions: number;
  close(): Promise<void>;
}

export async function startWhepServer(): Promise<WhepServer> {
  const video = dgram.createSocket('udp4');
  const audio = dgram.createSocket('udp4');
  await Promise.all([video, audio].map((socket) => new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))));
  const senders: { video: RTCRtpTransceiver[]; audio: RTCRtpTransceiver[] } = { video: [], audio: [] };
  video.on('message', (packet) => senders.video.forEach((t) => void t.sender.sendRtp(packet).catch(() => undefined)));
  audio.on('message', (packet) => senders.audio.forEach((t) => void t.sender.sendRtp(packet).catch(() => undefined)));
  const ffmpeg: ChildProcess = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000',
      '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '25', '-payload_type', '96', '-f', 'rtp', `rtp://127.0.0.1:${(video.address() as AddressInfo).port}?pkt_size=1200`,
      '-map', '1:a', '-c:a', 'libopus', '-b:a', '48k', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${(audio.address() as AddressInfo).port}?pkt_size=1200`],
    { stdio: 'ignore' },
  );
  const peers = new Map<string, RTCPeerConnection>();
  const server: WhepServer & { sessions: number } = { url: '', sessions: 0, close: async () => undefined };
  const httpServer = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'DELETE' && url.pathname.startsWith('/whep/session/')) {
        await peers.get(url.pathname)?.close();
        peers.delete(url.pathname);
        res.writeHead(200).end();
        return;
      }
      if (req.method !== 'POST') return void res.writeHead(405).end();
      if (url.pathname === '/whep-403') return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('not for you');
      if (url.pathname === '/whep-500') return void res.writeHead(500, { 'Content-Type': 'text/plain' }).end('the encoder crashed');
      if (url.pathname === '/whep-garbage') return void res.writeHead(201, { 'Content-Type': 'application/sdp' }).end('hello, this is not SDP');
      if (url.pathname !== '/whep') return void res.writeHead(404).end();
      let offer = '';
      for await (const chunk of req) offer += String(chunk);
      const pc = new RTCPeerConnection({
        iceServers: [],
        iceUseIpv6: false,
        iceAdditionalHostAddresses: ['127.0.0.1'],
        codecs: {
          video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] })],
          audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
        },
      });
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      for (const transceiver of pc.getTransceivers()) {
        transceiver.setDirection('sendonly');
        senders[transceiver.kind === 'video' ? 'video' : 'audio'].push(transceiver);
      }
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve());
      });
      const id = `/whep/session/${++server.sessions}`;
      peers.set(id, pc);
      res.writeHead(201, { 'Content-Type': 'application/sdp', Location: id }).end(pc.localDescription!.sdp);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end('test server failed');
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  server.close = async () => {
    ffmpeg.kill('SIGKILL');
    await Promise.all([...peers.values()].map((pc) => pc.close().catch(() => undefined)));
    video.close();
    audio.close();
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  return server;
}
