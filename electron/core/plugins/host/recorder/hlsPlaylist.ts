/** What the recorder needs from an HLS playlist: variants (master) or the newest segment (media). */
export type HlsPlaylist = { kind: 'master'; variants: { uri: string; bandwidth: number }[] } | { kind: 'media'; lastSegment: string | undefined; ended: boolean };

export function parseHlsPlaylist(text: string): HlsPlaylist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (no #EXTM3U)');
  if (lines.some((line) => line.startsWith('#EXT-X-STREAM-INF'))) {
    const variants: { uri: string; bandwidth: number }[] = [];
    lines.forEach((line, i) => {
      if (!line.startsWith('#EXT-X-STREAM-INF')) return;
      const uri = lines.slice(i + 1).find((next) => next && !next.startsWith('#'));
      const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(line)?.[1] ?? 0);
      if (uri) variants.push({ uri, bandwidth });
    });
    return { kind: 'master', variants };
  }
  const segments = lines.filter((line) => line && !line.startsWith('#'));
  return { kind: 'media', lastSegment: segments.at(-1), ended: lines.includes('#EXT-X-ENDLIST') };
}
