import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { clientOptions, rateLimit } from './client';
import { configSchema } from './config';
import { moveIntoPlace } from './move';
import { seedLimitReached } from './seeding';
import { magnetInfoHash, readTorrentInput, unsafePath } from './torrentInput';

const noHttp = () => Promise.reject(new Error('no network in this test'));
const enc = (text: string) => new TextEncoder().encode(text);

describe('magnet links', () => {
  it('reads the info hash in hex or base32, and nothing from a magnet without one', () => {
    expect(magnetInfoHash('magnet:?xt=urn:btih:C12FE1C06BBA254A9DC9F519B335AA7C1367A88A&dn=x')).toBe('c12fe1c06bba254a9dc9f519b335aa7c1367a88a');
    expect(magnetInfoHash('magnet:?dn=x&xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK')).toBe('c12fe1c06bba254a9dc9f519b335aa7c1367a88a');
    expect(magnetInfoHash('magnet:?xt=urn:btmh:1220abcd')).toBeUndefined();
    expect(magnetInfoHash('magnet:?xt=urn:btih:123')).toBeUndefined();
    expect(magnetInfoHash('https://example.com/?xt=urn:btih:C12FE1C06BBA254A9DC9F519B335AA7C1367A88A')).toBeUndefined();
  });
});

describe('torrent files', () => {
  it('finds a name or path that would leave the torrent folder', () => {
    expect(unsafePath({ name: enc('pack'), files: [{ path: [enc('a'), enc('b.txt')] }] })).toBeUndefined();
    expect(unsafePath({ name: enc('pack'), files: [{ path: [enc('..'), enc('x')] }] })).toBe('"../x"');
    expect(unsafePath({ name: enc('..') })).toBe('".."');
    expect(unsafePath({ name: enc('pack'), files: [{ path: [enc('a/b')] }] })).toBe('"a/b"');
    expect(unsafePath({ name: enc('C:evil') })).toBe('"C:evil"');
    expect(unsafePath({ name: enc('pack'), files: [{ path: [] }] })).toBe('""');
  });

  it('reads a local .torrent by path or file: URL, and refuses one that is missing or not bencoded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bt-unit-'));
    const file = path.join(dir, 'one.torrent');
    fs.writeFileSync(file, bencode.encode({ info: { name: 'one.bin', length: 5, 'piece length': 16384, pieces: new Uint8Array(20) } }));
    const input = await readTorrentInput(file, noHttp);
    expect(input).toMatchObject({ kind: 'file', name: 'one.bin', infoHash: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect((await readTorrentInput(`file://${file}`, noHttp)).infoHash).toBe(input.infoHash);
    await expect(readTorrentInput(path.join(dir, 'missing.torrent'), noHttp)).rejects.toThrow(/cannot read .*missing\.torrent \(ENOENT\)/);
    fs.writeFileSync(path.join(dir, 'bad.torrent'), 'd4:infoi3e');
    await expect(readTorrentInput(path.join(dir, 'bad.torrent'), noHttp)).rejects.toThrow(/is not a valid \.torrent file/);
  });
});

describe('the client settings', () => {
  it('maps KiB/s to bytes/s with 0 as no limit, and the network switches to WebTorrent options', () => {
    expect(rateLimit(0)).toBe(-1);
    expect(rateLimit(512)).toBe(524_288);
    expect(clientOptions(configSchema.parse({ dht: false, local_peer_discovery: false, port_forwarding: false, utp: false, port: 0, max_bandwidth_down: 512 }))).toEqual({
      dht: false,
      lsd: false,
      natUpnp: false,
      natPmp: false,
      utp: false,
      torrentPort: 0,
      maxConns: 55,
      downloadLimit: 524_288,
      uploadLimit: -1,
    });
  });
});

describe('moving a finished download into place', () => {
  it('renames into output_dir, and adds the info hash when the name is taken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bt-move-'));
    const out = path.join(dir, 'out');
    for (const n of [1, 2]) fs.mkdirSync(path.join(dir, `s${n}`, 'pack'), { recursive: true });
    fs.writeFileSync(path.join(dir, 's1', 'pack', 'a.txt'), 'one');
    fs.writeFileSync(path.join(dir, 's2', 'pack', 'a.txt'), 'two');
    expect(moveIntoPlace(path.join(dir, 's1', 'pack'), out, 'pack', 'abcdef0123456789')).toBe(path.join(out, 'pack'));
    expect(moveIntoPlace(path.join(dir, 's2', 'pack'), out, 'pack', 'abcdef0123456789')).toBe(path.join(out, 'pack (abcdef01)'));
    fs.writeFileSync(path.join(dir, 'song.mp3'), 'x');
    fs.writeFileSync(path.join(out, 'song.mp3'), 'y');
    expect(moveIntoPlace(path.join(dir, 'song.mp3'), out, 'song.mp3', 'abcdef0123456789')).toBe(path.join(out, 'song (abcdef01).mp3'));
    expect(fs.readFileSync(path.join(out, 'pack (abcdef01)', 'a.txt'), 'utf8')).toBe('two');
  });
});

describe('seeding limits', () => {
  it('stops at the ratio or the time limit, and 0 means that limit does not apply', () => {
    expect(seedLimitReached({ seed_ratio_limit: 1, seed_time_limit: 0 }, 0.99, 10_000)).toBeUndefined();
    expect(seedLimitReached({ seed_ratio_limit: 1, seed_time_limit: 0 }, 1.02, 1)).toBe('ratio 1.02 reached the limit of 1');
    expect(seedLimitReached({ seed_ratio_limit: 0, seed_time_limit: 60 }, 50, 59)).toBeUndefined();
    expect(seedLimitReached({ seed_ratio_limit: 0, seed_time_limit: 60 }, 0, 61.5)).toBe('seeded for 61 minutes, the limit');
  });
});
