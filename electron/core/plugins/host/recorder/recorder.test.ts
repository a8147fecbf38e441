import { describe, expect, it } from 'vitest';
import { parseSegmentList, partArgs, segmentListName, trackArgs } from './ffmpegArgs';
import { FfmpegProgressParser, type FfmpegProgress } from './ffmpegProgress';
import { parseHlsPlaylist } from './hlsPlaylist';
import { frameArgs } from './frameInput';
import { scaleI420 } from './scaleI420';
import { containerFor, sessionSdp, streamForPayload } from './rtpInput';

describe('FfmpegProgressParser', () => {
  it('reports each -progress block, across chunks split anywhere', () => {
    const blocks: FfmpegProgress[] = [];
    const parser = new FfmpegProgressParser((block) => blocks.push(block));
    const text = 'frame=10\nbitrate= 512.3kbits/s\ntotal_size=4096\nout_time_us=2000000\nprogress=continue\nbitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nprogress=end\n';
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    expect(blocks).toEqual([
      { outSeconds: 2, totalBytes: 4096, bitrateKbps: 512.3, ended: false },
      { ended: true },
    ]);
  });

  it('drops a runaway line instead of growing without bound', () => {
    const blocks: FfmpegProgress[] = [];
    const parser = new FfmpegProgressParser((block) => blocks.push(block));
    parser.push('x'.repeat(10_000));
    parser.push('\nout_time_us=1000000\nprogress=continue\n');
    expect(blocks).toEqual([{ outSeconds: 1, ended: false }]);
  });
});

describe('partArgs', () => {
  const base = { input: 'http://127.0.0.1:8080/live.m3u8', inputArgs: [], dir: '/rec', part: 2, segmentSeconds: 10, ioTimeoutMicros: 30_000_000, liveEdge: false };

  it('copies into MPEG-TS segments named by part, with a CSV list and progress on stdout', () => {
    const args = partArgs(base);
    expect(args.slice(0, 6)).toEqual(['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1']);
    expect(args).toEqual(expect.arrayContaining(['-rw_timeout', '30000000', '-c:v', 'copy', '-c:a', 'copy', '-f', 'segment', '-segment_time', '10', '-segment_format', 'mpegts', '-reset_timestamps', '1', '-segment_list_type', 'csv']));
    expect(args).not.toContain('-map');
    expect(args[args.indexOf('-segment_list') + 1]).toBe(`/rec/${segmentListName(2)}`);
    expect(args.at(-1)).toBe('/rec/part002-%05d.ts');
    expect(args).not.toContain('-t');
    expect(args).not.toContain('-live_start_index');
  });

  it('limits the length, and starts a live HLS reconnect at its newest segment', () => {
    const args = partArgs({ ...base, seconds: 12.5, liveEdge: true });
    expect(args[args.indexOf('-t') + 1]).toBe('12.500');
    expect(args[args.indexOf('-live_start_index') + 1]).toBe('-1');
    expect(args.indexOf('-live_start_index')).toBeLessThan(args.indexOf('-i'));
    expect(partArgs({ ...base, input: 'rtmp://127.0.0.1/live/a', liveEdge: true })).not.toContain('-live_start_index');
  });
});

describe('trackArgs', () => {
  it("keeps ffmpeg's pick by default, every track with all, and leaves out a kind", () => {
    expect(trackArgs()).toEqual(['-c:v', 'copy', '-c:a', 'copy', '-dn', '-sn']);
    expect(trackArgs({ all: true }, 'aac')).toEqual(['-map', '0:v?', '-map', '0:a?', '-c:v', 'copy', '-c:a', 'aac', '-dn', '-sn']);
    expect(trackArgs({ all: true, video: false })).toEqual(['-map', '0:a?', '-vn', '-c:a', 'copy', '-dn', '-sn']);
    expect(trackArgs({ audio: false })).toEqual(['-an', '-c:v', 'copy', '-dn', '-sn']);
  });
});

describe('parseSegmentList', () => {
  it('reads name,start,end lines as lengths, skipping what is malformed', () => {
    expect(parseSegmentList('part001-00000.ts,0.000000,10.010000\npart001-00001.ts,10.010000,20.000000\nbroken\n,1,2\n')).toEqual([
      { file: 'part001-00000.ts', seconds: 10.01 },
      { file: 'part001-00001.ts', seconds: expect.closeTo(9.99, 5) },
    ]);
  });
});

describe('parseHlsPlaylist', () => {
  it('finds the newest segment of a media playlist and whether it ended', () => {
    expect(parseHlsPlaylist('#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:4\n#EXTINF:2,\nlive4.ts\n#EXTINF:2,\nlive5.ts\n')).toEqual({ kind: 'media', lastSegment: 'live5.ts', ended: false });
    expect(parseHlsPlaylist('#EXTM3U\n#EXTINF:2,\nlive5.ts\n#EXT-X-ENDLIST\n')).toMatchObject({ ended: true });
  });

  it('lists the variants of a master playlist, and refuses what is not a playlist', () => {
    expect(parseHlsPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2400000\nhigh.m3u8\n')).toEqual({
      kind: 'master',
      variants: [
        { uri: 'low.m3u8', bandwidth: 800000 },
        { uri: 'high.m3u8', bandwidth: 2400000 },
      ],
    });
    expect(() => parseHlsPlaylist('<html>')).toThrow('not an HLS playlist');
  });
});

describe('frameArgs', () => {
  it('reads I420 video on stdin and PCM on the fourth pipe, encoding with a keyframe at each cut', () => {
    const args = frameArgs({ video: { width: 640, height: 360, fps: 30 }, audio: { sampleRate: 48000, channels: 2 } }, '/rec', 1, 10, 60);
    const joined = args.join(' ');
    expect(joined).toContain('-thread_queue_size 512 -f rawvideo -pix_fmt yuv420p -video_size 640x360 -framerate 30 -i pipe:0');
    expect(joined).toContain('-thread_queue_size 512 -f s16le -ar 48000 -ac 2 -i pipe:3');
    expect(joined).toContain('-t 60.000 -map 0:v -map 1:a');
    expect(joined).toContain('-force_key_frames expr:gte(t,n_forced*10)');
    expect(args.at(-1)).toBe('/rec/part001-%05d.ts');
  });

  it('maps audio alone as the first input', () => {
    const joined = frameArgs({ audio: { sampleRate: 16000, channels: 1 } }, '/rec', 2, 5).join(' ');
    expect(joined).toContain('-i pipe:3 -map 0:a');
    expect(joined).not.toContain('rawvideo');
    expect(joined).not.toContain('libx264');
  });
});

describe('scaleI420', () => {
  it('scales each plane to the new size, nearest neighbour', () => {
    // 4x2: Y 0..7, U [100, 101], V [200, 201].
    const src = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 200, 201]);
    expect([...scaleI420(src, 4, 2, 2, 2)]).toEqual([0, 2, 4, 6, 100, 200]);
    const up = scaleI420(src, 4, 2, 8, 4);
    expect(up.byteLength).toBe(8 * 4 * 1.5);
    expect([...up.subarray(0, 8)]).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect([...up.subarray(32, 36)]).toEqual([100, 100, 101, 101]);
  });
});

describe('RTP sessions for ffmpeg', () => {
  const streams = [
    { kind: 'video' as const, codec: 'VP8', payloadType: 96, clockRate: 90000 },
    { kind: 'audio' as const, codec: 'opus', payloadType: 111, clockRate: 48000, channels: 2, fmtp: 'minptime=10;useinbandfec=1' },
  ];

  it('names each stream on its own local port in an SDP', () => {
    const sdp = sessionSdp(streams, [40000, 40002]);
    expect(sdp.split('\r\n')).toEqual(expect.arrayContaining(['c=IN IP4 127.0.0.1', 'm=video 40000 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'm=audio 40002 RTP/AVP 111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1']));
    expect(sdp.endsWith('\r\n')).toBe(true);
  });

  it('copies VP8 and Opus into WebM, anything else into Matroska', () => {
    expect(containerFor(streams)).toBe('webm');
    expect(containerFor([{ kind: 'video', codec: 'H264', payloadType: 102, clockRate: 90000 }, streams[1]!])).toBe('matroska');
    expect(containerFor([{ kind: 'audio', codec: 'PCMU', payloadType: 0, clockRate: 8000 }])).toBe('matroska');
  });
});

describe('streamForPayload', () => {
  const video = { kind: 'video' as const, codec: 'VP8', payloadType: 96, clockRate: 90000, alternatives: [{ codec: 'H264', payloadType: 102, clockRate: 90000, fmtp: 'packetization-mode=1' }] };
  it('records the codec whose payload type arrives', () => {
    expect(streamForPayload(video, undefined)).toBe(video);
    expect(streamForPayload(video, 96)).toBe(video);
    expect(streamForPayload(video, 102)).toEqual({ kind: 'video', codec: 'H264', payloadType: 102, clockRate: 90000, fmtp: 'packetization-mode=1' });
    expect(streamForPayload({ kind: 'audio', codec: 'PCMU', payloadType: 0, clockRate: 8000 }, 8)).toEqual({ kind: 'audio', codec: 'PCMA', payloadType: 8, clockRate: 8000 });
    expect(streamForPayload(video, 120)).toBe(video);
  });
});
