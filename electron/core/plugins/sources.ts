import crypto from 'node:crypto';
import { HavenError } from '@shared/ipc/errors';
import type { MediaSource } from '@shared/sdk/types';

/** A MediaSource for a URL given by hand (`haven archive URL`, `plugins test --archive URL`). */
export function sourceFromUrl(input: string): MediaSource {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new HavenError('INVALID_INPUT', `not a URL: ${input}`);
  }
  const allowed = ['http:', 'https:', 'magnet:', 'rtmp:', 'rtmps:', 'rtsp:', 'rtsps:', 'srt:', 'rtp:', 'sip:', 'whep:', 'file:'];
  if (!allowed.includes(url.protocol)) throw new HavenError('INVALID_INPUT', `unsupported URL scheme ${url.protocol} in ${input}`);
  const id = crypto.createHash('sha256').update(url.href).digest('hex').slice(0, 16);
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).at(-1) ?? url.hostname);
  return { sourceId: `url:${id}`, mediaType: 'url', uri: url.href, title: last, metadata: {} };
}

/**
 * The source a plugin says a URL stands for: the first of its manifest's `sourceIds` patterns
 * that matches gives the id (its first group), so the item is the one discovery would name.
 */
export function sourceForPlugin(source: MediaSource, sourceIds: readonly string[]): MediaSource {
  for (const pattern of sourceIds) {
    const id = new RegExp(pattern, 'i').exec(source.uri)?.[1];
    if (id) return { ...source, sourceId: id };
  }
  return source;
}
