import fs from 'node:fs';
import path from 'node:path';

/**
 * Moves a finished download (a file or a folder) from staging into `outputDir` under its
 * torrent's name, or `name (infohash…)` when that is taken, and returns where it went. A rename
 * where possible; across disks a copy that is renamed into place only once it is complete.
 */
export function moveIntoPlace(source: string, outputDir: string, name: string, infoHash: string): string {
  fs.mkdirSync(outputDir, { recursive: true });
  let target = path.join(outputDir, name);
  if (fs.existsSync(target)) {
    const ext = fs.statSync(source).isFile() ? path.extname(name) : '';
    target = path.join(outputDir, `${name.slice(0, name.length - ext.length)} (${infoHash.slice(0, 8)})${ext}`);
  }
  if (fs.existsSync(target)) throw new Error(`${target} already exists`);
  try {
    fs.renameSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const part = `${target}.part`;
    fs.cpSync(source, part, { recursive: true });
    fs.renameSync(part, target);
    fs.rmSync(source, { recursive: true, force: true });
  }
  return target;
}
