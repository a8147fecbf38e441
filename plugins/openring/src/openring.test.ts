import { describe, expect, it } from 'vitest';
import { whepRefusal } from './whep';
import { activeWindow } from './windows';
import { audioFromSdp, callRefusal, digestAuthorization, parseSipMessage } from './sip';

describe('whepRefusal', () => {
  it('classifies what a WHEP server answers instead of an SDP', () => {
    expect(whepRefusal(401, 'https://cam/whep', 'token expired')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('HTTP 401 (token expired): check the credentials') });
    expect(whepRefusal(404, 'https://cam/whep', '')).toMatchObject({ code: 'NOT_FOUND' });
    expect(whepRefusal(503, 'https://cam/whep', 'busy')).toMatchObject({ code: 'UNAVAILABLE' });
    expect(whepRefusal(429, 'https://cam/whep', '')).toMatchObject({ code: 'UNAVAILABLE' });
    expect(whepRefusal(400, 'https://cam/whep', 'bad offer')).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('activeWindow', () => {
  const local = (text: string) => new Date(text);
  it('finds the window now is in, with its start and end', () => {
    const windows = [{ days: ['mon', 'tue'] as const, start: '09:00', end: '17:30' }];
    // 2026-11-30 is a Monday.
    expect(activeWindow(windows, local('2026-11-30T10:15:00'))).toEqual({ start: local('2026-11-30T09:00:00'), end: local('2026-11-30T17:30:00') });
    expect(activeWindow(windows, local('2026-11-30T17:30:00'))).toBeUndefined();
    expect(activeWindow(windows, local('2026-11-29T10:15:00'))).toBeUndefined();
  });

  it('follows a window past midnight into the next day', () => {
    const windows = [{ days: ['sun'] as const, start: '22:00', end: '06:00' }];
    expect(activeWindow(windows, local('2026-11-30T03:00:00'))).toEqual({ start: local('2026-11-29T22:00:00'), end: local('2026-11-30T06:00:00') });
    expect(activeWindow(windows, local('2026-11-30T07:00:00'))).toBeUndefined();
  });
});

describe('SIP pieces', () => {
  it('reads responses and requests, with compact header names', () => {
    const message = parseSipMessage('SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nTo: <sip:door@h>;tag=abc\r\nCSeq: 1 INVITE\r\n\r\nv=0\r\n');
    expect(message).toMatchObject({ status: 200, reason: 'OK', body: 'v=0\r\n' });
    expect(message?.headers.get('via')).toEqual(['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx']);
    expect(parseSipMessage('BYE sip:haven@127.0.0.1:5070 SIP/2.0\r\nCSeq: 2 BYE\r\n\r\n')).toMatchObject({ method: 'BYE', uri: 'sip:haven@127.0.0.1:5070' });
    expect(parseSipMessage('hello')).toBeUndefined();
  });

  it('takes the answered audio codec and where it comes from', () => {
    expect(audioFromSdp('v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n')).toEqual({ address: '10.0.0.5', port: 4000, stream: { kind: 'audio', codec: 'PCMA', payloadType: 8, clockRate: 8000 } });
    expect(audioFromSdp('v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 0\r\n')).toMatchObject({ stream: { codec: 'PCMU', payloadType: 0 } });
    expect(audioFromSdp('v=0\r\nm=video 4000 RTP/AVP 96\r\n')).toBeUndefined();
  });

  it('answers a digest challenge as RFC 2617 says', () => {
    // The example of RFC 2617 3.5 (qop=auth), with its cnonce.
    const header = digestAuthorization('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"', 'GET', '/dir/index.html', 'Mufasa', 'Circle Of Life', '0a4f113b');
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('qop=auth, nc=00000001, cnonce="0a4f113b"');
  });

  it('classifies failed calls', () => {
    expect(callRefusal(486, 'Busy Here', 'sip:door@h')).toMatchObject({ code: 'UNAVAILABLE' });
    expect(callRefusal(403, 'Forbidden', 'sip:door@h')).toMatchObject({ code: 'FORBIDDEN' });
    expect(callRefusal(404, 'Not Found', 'sip:door@h')).toMatchObject({ code: 'NOT_FOUND' });
    expect(callRefusal(488, 'Not Acceptable Here', 'sip:door@h')).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
