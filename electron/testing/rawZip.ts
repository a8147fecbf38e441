import zlib from 'node:zlib';

export interface RawEntry {
  name: string;
  data?: Buffer | string;
  /** Unix mode for the external attributes (0o120777 makes a symlink). */
  mode?: number;
  /** Set the "encrypted" flag. */
  encrypted?: boolean;
  /** Deflate the data (for zip bombs); stored otherwise. */
  deflate?: boolean;
  /** Claim this uncompressed size in the headers instead of the real one. */
  claimedSize?: number;
}

/**
 * Writes a zip by hand, so tests can build packages no honest tool would: `../` names, absolute
 * paths, symlinks, encrypted flags, lying sizes.
 */
export function rawZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? '', 'utf8');
    const packed = entry.deflate ? zlib.deflateRawSync(data) : data;
    // An encrypted entry carries a 12-byte encryption header before its data.
    const body = entry.encrypted ? Buffer.concat([Buffer.alloc(12), packed]) : packed;
    const crc = zlib.crc32(data);
    const size = entry.claimedSize ?? data.length;
    const flags = 0x0800 | (entry.encrypted ? 0x1 : 0);
    const method = entry.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? (entry.name.endsWith('/') ? 0o40755 : 0o100644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const HELLO_MANIFEST = {
  name: 'ZipPlugin',
  version: '1.0.0',
  description: 'A plugin in a package',
  engines: { haven: '>=0.1.0' },
  capabilities: [],
  permissions: { network: ['api.example.com'], binaries: ['ffmpeg'] },
  main: 'index.js',
};

export const HELLO_ENTRY = "import { definePlugin } from '@haven/sdk';\nexport default definePlugin({ setup: () => ({ healthCheck: () => ({ status: 'pass', componentId: 'zip', output: 'packed and well' }) }) });\n";
