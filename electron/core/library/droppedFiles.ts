import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HavenError } from '@shared/ipc/errors';
import { MAX_DROPPED_FILE_BYTES } from '@shared/domain/jobs';

/** A dropped file's name, reduced to characters safe in any file system, with its extension kept. */
export function safeDroppedName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[^A-Za-z0-9._ -]+/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  const ext = path.extname(cleaned).slice(0, 16);
  const stem = cleaned.slice(0, cleaned.length - ext.length).slice(0, 100);
  return `${stem || 'dropped'}${ext}`;
}

/**
 * Keeps a copy of a file dropped on the window (`dir/<hash>-<name>`, written as .part and renamed)
 * and returns its file: URL. The same bytes dropped twice are the same file, so the same job.
 */
export function keepDroppedFile(dir: string, fileName: string, data: Buffer): string {
  if (data.length === 0) throw new HavenError('INVALID_INPUT', `${fileName} is empty`);
  if (data.length > MAX_DROPPED_FILE_BYTES) throw new HavenError('TOO_LARGE', `${fileName} is ${data.length} bytes; a dropped file may be at most ${MAX_DROPPED_FILE_BYTES}`);
  const hash = crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);
  const target = path.join(dir, `${hash}-${safeDroppedName(fileName)}`);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(dir, { recursive: true });
    const part = `${target}.part`;
    fs.writeFileSync(part, data);
    fs.renameSync(part, target);
  }
  return pathToFileURL(target).href;
}
