import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { HavenError } from '@shared/ipc/errors';
import { PACKAGE_LIMITS, unsafePathReason } from './limits';

export interface ZipEntryInfo {
  name: string;
  directory: boolean;
  size: number;
  compressedSize: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function reject(reason: string): HavenError {
  return new HavenError('INVALID_INPUT', `the package is not safe to install: ${reason}`);
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject_) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false, decodeStrings: true }, (error, zip) => {
      if (error || !zip) reject_(new HavenError('INVALID_INPUT', `not a zip file (${error?.message ?? 'unreadable'})`));
      else resolve(zip);
    });
  });
}

/**
 * Reads a package's directory and checks every entry before anything is written: safe names,
 * no symlinks, no encryption, within the size, count and expansion limits.
 */
export async function readZipEntries(file: string): Promise<{ entries: ZipEntryInfo[]; zip: yauzl.ZipFile; raw: Map<string, yauzl.Entry> }> {
  const size = fs.statSync(file).size;
  if (size > PACKAGE_LIMITS.maxPackageBytes) throw reject(`it is ${size} bytes; the limit is ${PACKAGE_LIMITS.maxPackageBytes}`);
  const zip = await openZip(file);
  // Folders are not counted as files below, but a directory of millions of them is a flood too.
  if (zip.entryCount > PACKAGE_LIMITS.maxFiles * 2) {
    zip.close();
    throw reject(`it has ${zip.entryCount} entries; the limit is ${PACKAGE_LIMITS.maxFiles} files`);
  }
  const entries: ZipEntryInfo[] = [];
  const raw = new Map<string, yauzl.Entry>();
  const seen = new Set<string>();
  const files = new Set<string>();
  const folders = new Set<string>();
  let total = 0;
  try {
    await new Promise<void>((resolve, fail) => {
      zip.on('error', (error: Error) => fail(reject(error.message)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          const name = entry.fileName;
          const why = unsafePathReason(name);
          if (why) throw reject(`${JSON.stringify(name)} ${why}`);
          const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
          if ((mode & S_IFMT) === S_IFLNK) throw reject(`${name} is a symbolic link`);
          if (entry.generalPurposeBitFlag & 0x1) throw reject(`${name} is encrypted`);
          const directory = name.endsWith('/');
          if (!directory) {
            if (entries.length >= PACKAGE_LIMITS.maxFiles) throw reject(`more than ${PACKAGE_LIMITS.maxFiles} files`);
            if (entry.uncompressedSize > PACKAGE_LIMITS.maxFileBytes) throw reject(`${name} is larger than ${PACKAGE_LIMITS.maxFileBytes} bytes`);
            if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > entry.compressedSize * PACKAGE_LIMITS.maxRatio) {
              throw reject(`${name} expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times (a zip bomb?)`);
            }
            total += entry.uncompressedSize;
            if (total > PACKAGE_LIMITS.maxUnpackedBytes) throw reject(`it unpacks to more than ${PACKAGE_LIMITS.maxUnpackedBytes} bytes`);
          }
          const normalized = name.replace(/\/+$/, '');
          // Case-insensitive file systems (Windows, macOS) would write both names to one file, so
          // the one shown in the install dialog need not be the one that lands.
          const folded = normalized.normalize('NFC').toLowerCase();
          if (seen.has(folded)) throw reject(`${name} appears twice (names differing only in case count as the same)`);
          seen.add(folded);
          // A file `a` and an entry `a/b`: `a` would have to be a file and a folder (in either order).
          const parents = folded.split('/').slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join('/'));
          const clash = parents.find((parent) => files.has(parent)) ?? (!directory && folders.has(folded) ? folded : undefined);
          if (clash !== undefined) throw reject(`${clash} is a file and a folder in this package`);
          if (!directory) files.add(folded);
          for (const parent of parents) folders.add(parent);
          raw.set(normalized, entry);
          entries.push({ name: normalized, directory, size: entry.uncompressedSize, compressedSize: entry.compressedSize });
          zip.readEntry();
        } catch (error) {
          fail(error);
        }
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  return { entries, zip, raw };
}

/** Reads one small entry (a manifest, a README) into memory. */
export function readEntryText(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes = 256 * 1024): Promise<string> {
  return new Promise((resolve, fail) => {
    if (entry.uncompressedSize > maxBytes) {
      fail(reject(`${entry.fileName} is larger than ${maxBytes} bytes`));
      return;
    }
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        fail(reject(`${entry.fileName} cannot be read (${error?.message})`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (e: Error) => fail(reject(e.message)));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

/**
 * Extracts checked entries under `target`, counting bytes as they come (a lying size header
 * cannot get past the limits), each path re-checked to resolve inside `target`.
 */
export async function extractEntries(zip: yauzl.ZipFile, raw: Map<string, yauzl.Entry>, target: string, stripPrefix: string): Promise<void> {
  const root = path.resolve(target);
  let written = 0;
  for (const [name, entry] of raw) {
    if (stripPrefix && !name.startsWith(stripPrefix) && name !== stripPrefix.replace(/\/$/, '')) continue;
    const relative = stripPrefix ? name.slice(stripPrefix.length) : name;
    if (!relative) continue;
    const destination = path.resolve(root, relative);
    if (!destination.startsWith(root + path.sep)) throw reject(`${name} would be written outside the plugin folder`);
    if (entry.fileName.endsWith('/')) {
      await fs.promises.mkdir(destination, { recursive: true });
      continue;
    }
    await fs.promises.mkdir(path.dirname(destination), { recursive: true });
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, fail) =>
      zip.openReadStream(entry, (error, s) => (error || !s ? fail(reject(`${name}: ${error?.message}`)) : resolve(s))),
    );
    let entryBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        entryBytes += chunk.length;
        written += chunk.length;
        if (entryBytes > PACKAGE_LIMITS.maxFileBytes || written > PACKAGE_LIMITS.maxUnpackedBytes) done(reject(`${name} unpacks beyond the limits`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(stream, counter, fs.createWriteStream(destination, { flags: 'wx', mode: 0o644 }));
    } catch (error) {
      // File system errors (a full disk) stay what they are; anything else is the package's data.
      if (error instanceof HavenError || (error as NodeJS.ErrnoException).syscall !== undefined) throw error;
      throw reject(`${name} is damaged (${(error as Error).message})`);
    }
  }
}
