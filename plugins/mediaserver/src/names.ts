/** Longest file or folder name written, in bytes of UTF-8 (most filesystems allow 255). */
export const MAX_COMPONENT_BYTES = 120;

// Characters Windows (and SMB shares, which media servers often sit on) refuse in names, control
// characters (C0, DEL, C1) and bidirectional overrides (which make a name read other than it is).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** Names Windows reserves for devices, with or without an extension (`CON`, `nul.txt`, `COM1`, `LPT¹`). */
const DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|(com|lpt)[0-9¹²³])(\..*)?$/i;

const utf8 = new TextEncoder();

export function byteLength(text: string): number {
  return utf8.encode(text).length;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` of at most `maxBytes` bytes of UTF-8, never splitting a character (or an emoji sequence). */
export function truncateBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = byteLength(segment);
    if (bytes + size > maxBytes) break;
    out += segment;
    bytes += size;
  }
  return out;
}

function trimEnds(text: string): string {
  // Leading dots would hide the file (and make `.` / `..`); trailing dots and spaces Windows drops.
  return text.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
}

/**
 * One safe path component from any text: forbidden and control characters stripped, white space
 * collapsed, no leading dots, no trailing dots or spaces, not a Windows device name, at most
 * `maxBytes` bytes of UTF-8. `fallback` (itself made safe) when nothing is left.
 */
export function safeName(text: string | undefined, fallback = 'Untitled', maxBytes = MAX_COMPONENT_BYTES): string {
  let name = trimEnds((text ?? '').normalize('NFC').replace(/[\t\n\r\v\f]/g, ' ').replace(FORBIDDEN, '').replace(/\s+/g, ' '));
  name = trimEnds(truncateBytes(name, maxBytes));
  if (DEVICE.test(name)) name = truncateBytes(name.replace(/^[^.]*/, (stem) => `${stem}_`), maxBytes);
  if (!name) return fallback === '' ? '' : safeName(fallback, '', maxBytes) || 'Untitled';
  return name;
}

/** A file extension (with its dot) that is safe and short, or '' when there is none worth keeping. */
export function safeExtension(ext: string): string {
  const bare = ext.replace(/^\./, '').replace(/[^A-Za-z0-9]/g, '').slice(0, 10);
  return bare ? `.${bare.toLowerCase()}` : '';
}
