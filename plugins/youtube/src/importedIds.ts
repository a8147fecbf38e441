import fs from 'node:fs';
import path from 'node:path';

/**
 * Video ids from imported yt-dlp download archives, one per line in the plugin's data folder: a
 * file, not `ctx.storage`, because a long archive (hundreds of thousands of ids) outgrows a
 * storage value. Written as `.part` and renamed, so a crash leaves the old list or the new one.
 */
export class ImportedIds {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'imported-download-archive.txt');
  }

  read(): Set<string> {
    try {
      return new Set(fs.readFileSync(this.file, 'utf8').split('\n').filter(Boolean));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw error;
    }
  }

  /** Adds ids; returns how many were new and how many there are now. */
  add(ids: readonly string[]): { added: number; total: number } {
    const known = this.read();
    const before = known.size;
    for (const id of ids) known.add(id);
    if (known.size !== before) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const part = `${this.file}.part`;
      fs.writeFileSync(part, `${[...known].join('\n')}\n`);
      fs.renameSync(part, this.file);
    }
    return { added: known.size - before, total: known.size };
  }
}
