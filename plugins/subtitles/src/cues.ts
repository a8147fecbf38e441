// The plain text of SRT and WebVTT subtitles: the cues' words, without numbers, timing, markup or
// repeated lines. Pure, so the tests can check it without files.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', lrm: '', rlm: '' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** One line of cue text without markup: HTML-like tags (`<i>`, `<c.red>`, `<v Ann>`, `<00:01.000>`), ASS overrides (`{\an8}`), entities. */
export function plainLine(line: string): string {
  return decodeEntities(
    line
      .replace(/<[^>]*>/g, '')
      .replace(/\{\\[^}]*\}/g, '')
      .replace(/\\[Nn]/g, ' ')
      .replace(/\\h/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text lines of every cue of an SRT or WebVTT file, in order (repeats kept). */
export function cueLines(content: string): string[] {
  const blocks = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/);
  const lines: string[] = [];
  for (const block of blocks) {
    const rows = block.split('\n');
    const timing = rows.findIndex((row) => row.includes('-->'));
    // No timing line: the WEBVTT header, NOTE, STYLE or REGION blocks, or stray text. What
    // comes before the timing line is the cue's number (SRT) or identifier (WebVTT).
    if (timing < 0) continue;
    for (const row of rows.slice(timing + 1)) {
      const text = plainLine(row);
      if (text) lines.push(text);
    }
  }
  return lines;
}

/** Default cap of the searchable text: about 1 MB. */
export const TEXT_MAX_BYTES = 1_000_000;

/**
 * The searchable text of several tracks: their lines, each line once (auto-captions repeat
 * every line as it scrolls), joined by newlines, cut at `maxBytes` of UTF-8 at a line's end.
 */
export function searchText(tracks: readonly (readonly string[])[], maxBytes = TEXT_MAX_BYTES): { text: string; lines: number; truncated: boolean } {
  const seen = new Set<string>();
  const kept: string[] = [];
  let bytes = 0;
  for (const track of tracks) {
    for (const line of track) {
      const key = line.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const size = Buffer.byteLength(line, 'utf8') + (kept.length ? 1 : 0);
      if (bytes + size > maxBytes) return { text: kept.join('\n'), lines: kept.length, truncated: true };
      bytes += size;
      kept.push(line);
    }
  }
  return { text: kept.join('\n'), lines: kept.length, truncated: false };
}
