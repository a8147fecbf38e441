import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ, hostileText, mutatedText, timed } from '@shared/testing/fuzz';
import { audioFromSdp, parseSipMessage } from './sip';

type Answer = ReturnType<typeof audioFromSdp>;

/** What Haven does with an answer: records `stream` (RTP payload types are 7 bits) and takes RTP only from `address`. */
function expectUsable(answer: Answer): void {
  if (!answer) return;
  expect(Number.isInteger(answer.port) && answer.port >= 0 && answer.port <= 65535).toBe(true);
  expect(answer.address === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(answer.address), answer.address).toBe(true);
  const { stream } = answer;
  expect(stream.kind).toBe('audio');
  expect(Number.isInteger(stream.payloadType) && stream.payloadType >= 0 && stream.payloadType <= 127).toBe(true);
  expect(Number.isSafeInteger(stream.clockRate) && stream.clockRate > 0).toBe(true);
  expect(stream.codec).toMatch(/^[^\s/]+$/);
  if (stream.channels !== undefined) expect(Number.isInteger(stream.channels) && stream.channels > 0).toBe(true);
}

const VALID_SDP = 'v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n';

const number = fc.oneof(fc.nat({ max: 70_000 }).map(String), fc.constantFrom('', '-1', '1e2', '0x10', '128', '65536', '99999999999999999999', '4000/2', ' 8', 'NaN'));
const structuredSdp = fc
  .record({
    address: fc.oneof(fc.ipV4(), fc.constantFrom('224.2.1.1/127', 'host.example', '', '1.2.3', '::1', '10.0.0.5/'), hostileText(4)),
    port: number,
    formats: fc.array(number, { maxLength: 3 }),
    rtpmaps: fc.array(fc.tuple(number, fc.oneof(fc.constantFrom('PCMA', 'PCMU', 'opus', 'L16', ''), hostileText(4)), number, fc.option(number)), { maxLength: 3 }),
    newline: fc.constantFrom('\r\n', '\n', '\r'),
  })
  .map(({ address, port, formats, rtpmaps, newline }) =>
    ['v=0', `c=IN IP4 ${address}`, `m=audio ${port} RTP/AVP ${formats.join(' ')}`, ...rtpmaps.map(([pt, codec, rate, ch]) => `a=rtpmap:${pt} ${codec}/${rate}${ch === null ? '' : `/${ch}`}`), ''].join(newline),
  );

describe('audioFromSdp under hostile answers', () => {
  it('answers a usable stream or nothing for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), hostileText(40), fc.string().map((s) => `m=audio ${s}`)), (sdp) => {
        const { value, ms } = timed(() => audioFromSdp(sdp));
        expect(ms).toBeLessThan(200);
        expectUsable(value);
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });

  // Found by this suite: ports like "" (0), "-1" or "70000", payload types like "1e2" or 200,
  // channels "0", a multicast "224.2.1.1/127" taken as the address, and "99999999999999999999" as a clock rate were all answered.
  it('answers a usable stream or nothing for mutated and built answers', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedText(VALID_SDP), structuredSdp), (sdp) => {
        expectUsable(audioFromSdp(sdp));
      }),
      { ...FUZZ, numRuns: 500 },
    );
  });

  it('reads what a well-formed answer says', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 96, max: 127 }), fc.integer({ min: 1, max: 192_000 }), fc.integer({ min: 1, max: 8 }), (address, port, pt, rate, channels) => {
        const sdp = `v=0\r\nc=IN IP4 ${address}/32\r\nm=audio ${port} RTP/AVP ${pt} 0\r\na=rtpmap:${pt} opus/${rate}/${channels}\r\n`;
        expect(audioFromSdp(sdp)).toEqual({ address, port, stream: { kind: 'audio', codec: 'opus', payloadType: pt, clockRate: rate, channels } });
      }),
      { ...FUZZ, numRuns: 200 },
    );
    expect(audioFromSdp(VALID_SDP)).toEqual({ address: '10.0.0.5', port: 4000, stream: { kind: 'audio', codec: 'PCMA', payloadType: 8, clockRate: 8000 } });
  });
});

describe('parseSipMessage under hostile datagrams', () => {
  const VALID = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nTo: <sip:door@h>;tag=abc\r\nCall-ID: 1@haven\r\nCSeq: 1 INVITE\r\nContent-Length: 4\r\n\r\nv=0\r\n';

  const headerName = fc.oneof(fc.constantFrom('v', 'F', 'i', 'Via', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', ''), hostileText(3));
  const builtMessage = fc
    .tuple(fc.constantFrom('SIP/2.0 180 Ringing', 'INVITE sip:a@b SIP/2.0', 'SIP/2.0 99 x', 'junk'), fc.array(fc.tuple(headerName, hostileText(4)), { maxLength: 5 }))
    .map(([start, headers]) => [start, ...headers.map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n'));

  // Found by this suite: a header named "constructor", "toString" or "__proto__" was looked up in
  // the alias table's prototype and stored under a function or an object instead of its name.
  it('reads a message or nothing, with lower-case header names', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), hostileText(40), builtMessage, mutatedText(VALID), mutatedText('BYE sip:haven@127.0.0.1:5070 SIP/2.0\r\nCSeq: 2 BYE\r\n\r\n')), (text) => {
        const { value: message, ms } = timed(() => parseSipMessage(text));
        expect(ms).toBeLessThan(200);
        if (!message) return;
        expect(message.method === undefined).not.toBe(message.status === undefined);
        if (message.status !== undefined) expect(message.status >= 100 && message.status <= 999).toBe(true);
        if (message.method !== undefined) expect(message.method).toMatch(/^[A-Z]+$/);
        for (const [name, values] of message.headers) {
          expect(typeof name).toBe('string');
          expect(name).toBe(name.toLowerCase());
          expect(values.length).toBeGreaterThan(0);
        }
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });
});
