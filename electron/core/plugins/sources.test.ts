import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginManifest } from '@shared/sdk/manifest';
import { sourceForPlugin, sourceFromUrl } from './sources';

const youtube = PluginManifest.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../../../plugins/youtube/plugin.json'), 'utf8')));

describe('sourceFromUrl', () => {
  it('names a URL by a hash of it and refuses what is not a URL or not a scheme Haven knows', () => {
    const source = sourceFromUrl('http://127.0.0.1:8080/media/clip%20one.mp4?x=1');
    expect(source).toMatchObject({ sourceId: expect.stringMatching(/^url:[0-9a-f]{16}$/), title: 'clip one.mp4', mediaType: 'url' });
    expect(sourceFromUrl('http://127.0.0.1:8080/media/clip%20one.mp4?x=2').sourceId).not.toBe(source.sourceId);
    expect(() => sourceFromUrl('not a url')).toThrow(/not a URL/);
    expect(() => sourceFromUrl('ftp://127.0.0.1/a')).toThrow(/unsupported URL scheme ftp:/);
  });
});

describe('sourceForPlugin with the YouTube manifest', () => {
  const idOf = (url: string) => sourceForPlugin(sourceFromUrl(url), youtube.sourceIds).sourceId;

  it('gives every form of a video address the id discovery gives the video', () => {
    for (const url of [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42',
      'https://m.youtube.com/watch?v=dQw4w9WgXcQ',
      'https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RDAMVM',
      'https://www.youtube.com/shorts/dQw4w9WgXcQ',
      'https://www.youtube.com/live/dQw4w9WgXcQ?si=abc',
      'https://youtu.be/dQw4w9WgXcQ?t=1',
      // The first v= wins, as it does for yt-dlp.
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=AAAAAAAAAAA',
      'https://www.youtube.com/watch?xv=1&v=dQw4w9WgXcQ&v=AAAAAAAAAAA',
    ]) {
      expect(idOf(url), url).toBe('dQw4w9WgXcQ');
    }
  });

  it('leaves other addresses with their URL id, and keeps the rest of the source', () => {
    expect(idOf('https://www.youtube.com/watch?v=dQw4w9WgXcQextra')).toMatch(/^url:/);
    expect(idOf('https://www.youtube.com/@somechannel')).toMatch(/^url:/);
    expect(idOf('https://example.com/watch?v=dQw4w9WgXcQ')).toMatch(/^url:/);
    const source = sourceForPlugin(sourceFromUrl('https://youtu.be/dQw4w9WgXcQ'), youtube.sourceIds);
    expect(source).toMatchObject({ uri: 'https://youtu.be/dQw4w9WgXcQ', mediaType: 'url', title: 'dQw4w9WgXcQ' });
  });
});
