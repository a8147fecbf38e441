import fs from 'node:fs';
import path from 'node:path';

const ICON_TYPES: Record<string, string> = { '.png': 'image/png', '.svg': 'image/svg+xml', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };
const MAX_ICON_BYTES = 128 * 1024;
const MAX_README_BYTES = 256 * 1024;

function inside(dir: string, relative: string): string | undefined {
  const root = path.resolve(dir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return undefined;
  try {
    // A symlink may not lead out of the plugin folder.
    const real = fs.realpathSync(file);
    return real.startsWith(fs.realpathSync(root) + path.sep) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The plugin's README.md, if it has one (any case), up to 256 KiB. */
export function readReadme(dir: string): string | null {
  let name: string | undefined;
  try {
    name = fs.readdirSync(dir).find((entry) => entry.toLowerCase() === 'readme.md');
  } catch {
    return null;
  }
  const file = name ? inside(dir, name) : undefined;
  if (!file) return null;
  const stat = fs.statSync(file);
  if (!stat.isFile()) return null;
  // Only the first MAX_README_BYTES are read, however large the file is.
  const buffer = Buffer.alloc(Math.min(stat.size, MAX_README_BYTES));
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const text = buffer.toString('utf8');
  return stat.size > MAX_README_BYTES ? `${text}\n\n…` : text;
}

/** The manifest's icon as a data: URL, if it is a small image inside the plugin folder. */
export function readIcon(dir: string, icon: string | undefined): string | null {
  if (!icon) return null;
  const type = ICON_TYPES[path.extname(icon).toLowerCase()];
  const file = inside(dir, icon);
  if (!type || !file) return null;
  const stat = fs.statSync(file);
  if (!stat.isFile() || stat.size > MAX_ICON_BYTES) return null;
  return `data:${type};base64,${fs.readFileSync(file).toString('base64')}`;
}
