// A minimal SIP user agent over UDP: INVITE with an SDP offer to receive audio, digest
// authentication, ACK, BYE (sent or received), RTP received on a local port. Every request and
// response is noted with its time (the call's ladder, saved with the recording).
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { HavenError, type RtpStream } from '@haven/sdk';

export interface SipMessage {
  /** `INVITE`, `BYE`, … for a request; undefined for a response. */
  method?: string;
  status?: number;
  reason?: string;
  uri?: string;
  headers: Map<string, string[]>;
  body: string;
}

export interface LadderEntry {
  at: string;
  direction: 'sent' | 'received';
  summary: string;
}

const RETRANSMIT_MS = [500, 1000, 2000, 4000, 4000, 4000];
const HEADER_ALIASES: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };

/** One SIP message from a datagram; undefined when it is not one. */
export function parseSipMessage(text: string): SipMessage | undefined {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 4) : '';
  const [start, ...lines] = head.split('\r\n');
  if (!start) return undefined;
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    // Own keys only: a header named `constructor` or `__proto__` is just a header.
    const name = Object.hasOwn(HEADER_ALIASES, raw) ? HEADER_ALIASES[raw]! : raw;
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (response) return { status: Number(response[1]), reason: response[2] ?? '', headers, body };
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) return { method: request[1]!, uri: request[2]!, headers, body };
  return undefined;
}

/**
 * The audio an SDP answer offers to send: its address, port and codec. Undefined when there is
 * none Haven can use: a port beyond 65535, a payload type beyond RTP's 7 bits (127), or a
 * connection address that is not an IPv4 address (RTP is taken only from that address). A
 * multicast address's `/ttl` is not part of it.
 */
export function audioFromSdp(sdp: string): { address: string; port: number; stream: RtpStream } | undefined {
  const lines = sdp.split(/\r?\n/);
  const media = lines.find((line) => line.startsWith('m=audio '));
  if (!media) return undefined;
  const [, portText = '', , ...formats] = media.split(' ');
  if (!/^\d{1,5}$/.test(portText) || !/^\d{1,3}$/.test(formats[0] ?? '')) return undefined;
  const payloadType = Number(formats[0]);
  const port = Number(portText);
  if (port > 65535 || payloadType > 127) return undefined;
  const address = /^c=IN IP4 ([^\s/]+)/m.exec(sdp)?.[1] ?? '';
  if (address && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(address)) return undefined;
  const rtpmap = new RegExp(`^a=rtpmap:${payloadType} ([^/\\s]+)/(\\d{1,9})(?:/(\\d{1,3}))?(?=\\s|$)`, 'm').exec(sdp);
  const known: Record<number, [string, number]> = { 0: ['PCMU', 8000], 8: ['PCMA', 8000], 9: ['G722', 8000] };
  const [codec, clockRate] = rtpmap ? [rtpmap[1]!, Number(rtpmap[2])] : (known[payloadType] ?? []);
  if (!codec || !clockRate) return undefined;
  const channels = Number(rtpmap?.[3] ?? 0);
  return { address, port, stream: { kind: 'audio', codec, payloadType, clockRate, ...(channels > 0 ? { channels } : {}) } };
}

/** The Authorization header for a digest challenge (RFC 2617, MD5, with qop=auth when offered). */
export function digestAuthorization(challenge: string, method: string, uri: string, username: string, password: string, cnonce = crypto.randomBytes(8).toString('hex')): string {
  const field = (name: string): string | undefined => new RegExp(`${name}="?([^",]+)"?`, 'i').exec(challenge)?.[1];
  const realm = field('realm') ?? '';
  const nonce = field('nonce') ?? '';
  const qop = field('qop')?.split(/\s*,\s*/).includes('auth') ? 'auth' : undefined;
  const md5 = (text: string): string => crypto.createHash('md5').update(text).digest('hex');
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const nc = '00000001';
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const opaque = field('opaque');
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5${qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : ''}${opaque ? `, opaque="${opaque}"` : ''}`;
}

/** A failed call attempt, classified by its final response. */
export function callRefusal(status: number, reason: string, target: string): HavenError {
  const why = `${target} answered ${status} ${reason}`.trim();
  if (status === 486 || status === 600 || status === 480) return new HavenError('UNAVAILABLE', `${why}: busy or not available now`);
  if (status === 408) return new HavenError('UNAVAILABLE', `${why}: the request timed out there`);
  if (status === 401 || status === 407 || status === 403) return new HavenError('FORBIDDEN', `${why}: check the credentials for this endpoint`);
  if (status === 404 || status === 604) return new HavenError('NOT_FOUND', `${why}: no such user`);
  if (status >= 500) return new HavenError('UNAVAILABLE', why);
  return new HavenError('INVALID_INPUT', why);
}

export interface SipCall {
  stream: RtpStream;
  /** Settles when the far end hangs up (BYE) or the call fails. */
  ended: Promise<string>;
  /** Hangs up (BYE) if the call is up, and closes the sockets. */
  hangUp(): Promise<void>;
}

/** The local address the far end can reach us on (the one the route to it leaves from). */
async function localAddressFor(host: string): Promise<string> {
  if (/^(127\.|localhost$)/i.test(host)) return '127.0.0.1';
  const probe = dgram.createSocket('udp4');
  try {
    return await new Promise<string>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(9, host, () => resolve(probe.address().address));
    });
  } catch (error) {
    throw new HavenError('UNAVAILABLE', `cannot reach ${host}: ${(error as Error).message}`);
  } finally {
    probe.close();
  }
}

const newBranch = (): string => `z9hG4bK${crypto.randomBytes(6).toString('hex')}`;

/**
 * Calls `target` (`sip:user@host[:port]`) and receives its audio: each RTP packet goes to
 * `onPacket`. Resolves once the call is answered and acknowledged. Every message is noted in
 * `ladder` (first lines only: no credentials), also when the call fails.
 */
export async function placeCall(target: string, options: { username?: string; password?: string; signal: AbortSignal; ladder: LadderEntry[] }, onPacket: (packet: Buffer) => void): Promise<SipCall> {
  const uri = /^sip:([^@:\s]+)@([^:;\s]+)(?::(\d+))?/i.exec(target);
  if (/^sip:[^@\s]*:[^@\s]*@/i.test(target)) throw new HavenError('INVALID_INPUT', 'a SIP address carries no password: put it in credentials');
  if (!uri) throw new HavenError('INVALID_INPUT', `${target} is not a SIP address (sip:user@host[:port])`);
  const [, user, host, portText] = uri;
  const remotePort = Number(portText ?? 5060);
  const local = await localAddressFor(host!);
  const sip = dgram.createSocket('udp4');
  const rtp = dgram.createSocket('udp4');
  const { ladder } = options;
  const note = (direction: LadderEntry['direction'], text: string): void => {
    if (ladder.length < 10_000) ladder.push({ at: new Date().toISOString(), direction, summary: text.split('\r\n')[0] ?? '' });
  };
  const close = (): void => {
    for (const socket of [sip, rtp]) {
      try {
        socket.close();
      } catch {
        // Closed already.
      }
    }
  };
  try {
    for (const socket of [sip, rtp]) {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, '0.0.0.0', () => resolve());
      });
    }
  } catch (error) {
    close();
    throw new HavenError('UNAVAILABLE', `cannot open local UDP ports for the call: ${(error as Error).message}`);
  }
  // A datagram to a closed port comes back as an error on the socket: the retransmits and timeouts deal with it.
  sip.on('error', () => undefined);
  rtp.on('error', () => undefined);
  /** Where the answer said its audio comes from; until then, nothing is taken. */
  let mediaFrom: string | undefined;
  rtp.on('message', (packet, from) => {
    if (mediaFrom !== undefined && (mediaFrom === '0.0.0.0' || from.address === mediaFrom)) onPacket(packet);
  });
  const sipPort = sip.address().port;
  const rtpPort = rtp.address().port;
  const callId = `${crypto.randomBytes(8).toString('hex')}@haven`;
  const fromTag = crypto.randomBytes(4).toString('hex');
  const requestUri = `sip:${user}@${host}:${remotePort}`;
  const offer = ['v=0', `o=haven ${Date.now()} 1 IN IP4 ${local}`, 's=Haven capture', `c=IN IP4 ${local}`, 't=0 0', `m=audio ${rtpPort} RTP/AVP 0 8`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=recvonly', ''].join('\r\n');
  let cseq = 0;
  const sendTo = (text: string, port: number, address: string): Promise<void> => {
    note('sent', text);
    // Resolves once the datagram left, so closing the socket right after does not drop it.
    return new Promise((resolve) => sip.send(Buffer.from(text), port, address, () => resolve()));
  };
  const send = (text: string): Promise<void> => sendTo(text, remotePort, host!);
  const request = (method: string, requestTarget: string, extra: string[], body: string, branch: string, toTag: string | undefined, seq: number): string =>
    [
      `${method} ${requestTarget} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local}:${sipPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:haven@${local}>;tag=${fromTag}`,
      `To: <sip:${user}@${host}>${toTag ? `;tag=${toTag}` : ''}`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ${method}`,
      `Contact: <sip:haven@${local}:${sipPort}>`,
      'User-Agent: Haven',
      ...extra,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  /** A response to a request the far end sent (to where it came from: its Via and rport). */
  const respond = (message: SipMessage, status: string, from: dgram.RemoteInfo, body = ''): Promise<void> =>
    sendTo(
      [
        `SIP/2.0 ${status}`,
        ...(message.headers.get('via') ?? []).map((v) => `Via: ${v}`),
        `From: ${message.headers.get('from')?.[0] ?? ''}`,
        `To: ${message.headers.get('to')?.[0] ?? ''}`,
        `Call-ID: ${message.headers.get('call-id')?.[0] ?? ''}`,
        `CSeq: ${message.headers.get('cseq')?.[0] ?? ''}`,
        `Contact: <sip:haven@${local}:${sipPort}>`,
        ...(body ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
      from.port,
      from.address,
    );

  const incoming: SipMessage[] = [];
  let wake: (() => void) | undefined;
  let hungUpBy: ((reason: string) => void) | undefined;
  const ended = new Promise<string>((resolve) => (hungUpBy = resolve));
  /** Once the call is up: the ACK sent for its 2xx (sent again if the 2xx is). */
  let established: { ack: string; inviteSeq: number } | undefined;
  sip.on('message', (data, from) => {
    const text = data.toString('utf8');
    const message = parseSipMessage(text);
    if (!message) return;
    note('received', text);
    const ours = message.headers.get('call-id')?.[0] === callId;
    if (message.method) {
      if (message.method === 'ACK') return;
      if (!ours) return void respond(message, '481 Call/Transaction Does Not Exist', from);
      if (message.method === 'BYE') {
        // The far end hangs up: answer it, the call is over.
        void respond(message, '200 OK', from);
        hungUpBy?.('the far end hung up (BYE)');
      } else if (message.method === 'OPTIONS' || message.method === 'UPDATE') void respond(message, '200 OK', from);
      else if (message.method === 'INVITE') void respond(message, '200 OK', from, offer);
      else void respond(message, '501 Not Implemented', from);
      return;
    }
    if (!ours) return;
    // A 2xx sent again means our ACK was lost: it is sent again.
    if (established && (message.status ?? 0) < 300 && message.headers.get('cseq')?.[0] === `${established.inviteSeq} INVITE`) {
      void send(established.ack);
      return;
    }
    incoming.push(message);
    if (incoming.length > 100) incoming.shift();
    wake?.();
  });

  /** The final response to this INVITE (matched by CSeq and branch), retransmitting it until something answers. */
  const finalResponse = async (text: string, seq: number, branch: string, onRinging: () => void): Promise<SipMessage> => {
    const mine = (message: SipMessage): boolean => message.headers.get('cseq')?.[0] === `${seq} INVITE` && (message.headers.get('via')?.[0] ?? '').includes(`branch=${branch}`);
    await send(text);
    let ringing = false;
    for (let i = 0; ; i++) {
      // What already arrived is looked at first.
      for (let message = incoming.shift(); message; message = incoming.shift()) {
        if (!message.status || !mine(message)) continue;
        if (message.status >= 200) return message;
        if (!ringing) onRinging();
        ringing = true;
      }
      const got = await new Promise<boolean>((resolve) => {
        const onAbort = (): void => finish(false);
        const timer = setTimeout(() => finish(false), ringing ? 120_000 : (RETRANSMIT_MS[i] ?? 4000));
        function finish(value: boolean): void {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', onAbort);
          resolve(value);
        }
        wake = () => finish(true);
        options.signal.addEventListener('abort', onAbort, { once: true });
      });
      if (options.signal.aborted) throw new HavenError('CANCELLED', 'cancelled while calling');
      if (got) continue;
      if (ringing) throw new HavenError('TIMEOUT', `${target} rang for 2 minutes but did not answer`);
      if (i >= RETRANSMIT_MS.length) throw new HavenError('UNAVAILABLE', `${target} does not answer (no SIP response to the INVITE)`);
      await send(text);
    }
  };
  const toTagOf = (response: SipMessage): string | undefined => /;tag=([^;>\s]+)/.exec(response.headers.get('to')?.[0] ?? '')?.[1];
  const contactOf = (response: SipMessage): string => /<([^>]+)>/.exec(response.headers.get('contact')?.[0] ?? '')?.[1] ?? requestUri;
  /** A failure is acknowledged on the INVITE's own branch; a 2xx to its Contact, with a new one. */
  const ackFor = (response: SipMessage, branch: string, seq: number): string =>
    (response.status ?? 0) < 300 ? request('ACK', contactOf(response), [], '', newBranch(), toTagOf(response), seq) : request('ACK', requestUri, [], '', branch, toTagOf(response), seq);

  let branch = newBranch();
  let seq = ++cseq;
  let ringing = false;
  try {
    let response = await finalResponse(request('INVITE', requestUri, [], offer, branch, undefined, seq), seq, branch, () => (ringing = true));
    if ((response.status === 401 || response.status === 407) && options.username !== undefined) {
      await send(ackFor(response, branch, seq));
      const challenge = response.headers.get(response.status === 401 ? 'www-authenticate' : 'proxy-authenticate')?.[0] ?? '';
      const header = `${response.status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${digestAuthorization(challenge, 'INVITE', requestUri, options.username, options.password ?? '')}`;
      branch = newBranch();
      seq = ++cseq;
      ringing = false;
      response = await finalResponse(request('INVITE', requestUri, [header], offer, branch, undefined, seq), seq, branch, () => (ringing = true));
    }
    if ((response.status ?? 0) >= 300) {
      await send(ackFor(response, branch, seq));
      throw callRefusal(response.status ?? 0, response.reason ?? '', target);
    }
    const ack = ackFor(response, branch, seq);
    await send(ack);
    established = { ack, inviteSeq: seq };
    const toTag = toTagOf(response);
    const contact = contactOf(response);
    const bye = async (): Promise<void> => {
      await send(request('BYE', contact, [], '', newBranch(), toTag, ++cseq));
      // A moment for its 200 OK to arrive (it goes into the ladder).
      await new Promise((resolve) => setTimeout(resolve, 300));
    };
    const answer = audioFromSdp(response.body);
    if (!answer) {
      // The call is up at the far end: it is ended before giving up.
      await bye();
      throw new HavenError('INVALID_INPUT', `${target} answered without an audio SDP that Haven can read`);
    }
    mediaFrom = answer.address || '0.0.0.0';
    let up = true;
    void ended.then(() => (up = false));
    return {
      stream: answer.stream,
      ended,
      async hangUp() {
        if (up) {
          up = false;
          await bye();
          hungUpBy?.('Haven hung up (BYE)');
        }
        close();
      },
    };
  } catch (error) {
    // Still ringing: the call is cancelled, so the far end stops ringing.
    if (ringing && !established) await send(request('CANCEL', requestUri, [], '', branch, undefined, seq));
    close();
    throw error;
  }
}
