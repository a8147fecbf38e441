import { describe, expect, it } from 'vitest';
import { isBinaryPermitted, isHostPermitted } from './permissions';

describe('isHostPermitted', () => {
  const check = (url: string, rules: string[]) => isHostPermitted(new URL(url), rules);
  it('matches hosts, ports and wildcards', () => {
    expect(check('https://www.youtube.com/feeds', ['www.youtube.com'])).toBe(true);
    expect(check('https://evil.com/', ['www.youtube.com'])).toBe(false);
    expect(check('http://127.0.0.1:8080/x', ['127.0.0.1'])).toBe(true);
    expect(check('http://127.0.0.1:8080/x', ['127.0.0.1:8080'])).toBe(true);
    expect(check('http://127.0.0.1:9090/x', ['127.0.0.1:8080'])).toBe(false);
    expect(check('https://a.b.example.com/', ['*.example.com'])).toBe(true);
    expect(check('https://example.com/', ['*.example.com'])).toBe(false);
    expect(check('https://badexample.com/', ['*.example.com'])).toBe(false);
    expect(check('https://anything.org/', ['*'])).toBe(true);
    expect(check('https://example.com:443/', ['example.com:443'])).toBe(true);
    expect(check('https://example.com/', [])).toBe(false);
  });
});

describe('isBinaryPermitted', () => {
  it('allows only declared program names', () => {
    expect(isBinaryPermitted('yt-dlp', ['yt-dlp', 'ffmpeg'])).toBe(true);
    expect(isBinaryPermitted('sh', ['yt-dlp'])).toBe(false);
    expect(isBinaryPermitted('../yt-dlp', ['../yt-dlp'])).toBe(false);
    expect(isBinaryPermitted('/bin/sh', ['/bin/sh'])).toBe(false);
  });
});
