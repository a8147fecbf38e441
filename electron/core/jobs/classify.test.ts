import { describe, expect, it } from 'vitest';
import { retryDelay } from './backoff';
import { classifyError } from './classify';

describe('classifyError', () => {
  it.each([
    [undefined, 'write ENOSPC: no space left on device', 'disk_full', false],
    ['UNAVAILABLE', 'YouTubePlugin crashed while running archive: exited with code 1', 'plugin_crashed', true],
    ['UNAVAILABLE', 'HTTP Error 429: Too Many Requests', 'rate_limited', true],
    ['INTERNAL', 'Sign in to confirm you’re not a bot. Use --cookies', 'auth_required', false],
    ['NOT_FOUND', 'http://x/a.mp4: HTTP 404', 'not_found', false],
    ['UNAVAILABLE', 'geo-blocked: The uploader has not made this video available in your country', 'geo_blocked', false],
    ['UNAVAILABLE', 'getaddrinfo ENOTFOUND example.invalid', 'network', true],
    ['UNAVAILABLE', 'http://x: the server sent 10 of 20 bytes', 'network', true],
    ['NOT_FOUND', 'yt-dlp is not installed (looked in PATH)', 'tool_missing', false],
    ['NOT_IMPLEMENTED', 'YouTube archiving is not implemented yet', 'not_implemented', false],
    ['CANCELLED', 'cancelled', 'cancelled', false],
    ['FORBIDDEN', 'RssPlugin may not reach evil.example', 'forbidden', false],
    ['TIMEOUT', 'host.invoke: no answer from Core within 500 ms', 'timeout', true],
    ['INTERNAL', 'something odd', 'internal', true],
    ['INVALID_OUTPUT', 'RssPlugin reported a partial file as complete: x.part', 'plugin_error', false],
    // The plugin's verdict before the first colon outranks words quoted after it.
    ['UNAVAILABLE', 'ffmpeg is not installed: Postprocessing: ffprobe and ffmpeg not found', 'tool_missing', false],
    ['UNAVAILABLE', 'network error: unable to download https://x/Sign in to win.mp4', 'network', true],
    ['FORBIDDEN', 'cannot write the file (check output_dir and output_template): [Errno 36] File name too long', 'forbidden', false],
  ] as const)('%s %s → %s', (code, message, errorClass, retryable) => {
    expect(classifyError(code, message)).toMatchObject({ errorClass, retryable });
  });

  it('gives a hint where the user can do something', () => {
    expect(classifyError(undefined, 'ENOSPC').hint).toMatch(/free some space/);
  });

  it("fails a sandbox refusal as forbidden, not retried, pointing at the plugin's log", () => {
    const refused = classifyError('FORBIDDEN', "blocked by Haven's plugin sandbox: reading /home/ann/.ssh/id_rsa is not allowed by the plugin's manifest (permissions)");
    expect(refused).toMatchObject({ errorClass: 'forbidden', retryable: false, hint: expect.stringMatching(/its log lists each refusal/) });
  });
});

describe('retryDelay', () => {
  const policy = { baseMs: 1000, maxMs: 10_000, jitter: 0.2 };
  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, policy, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
  it('varies within the jitter', () => {
    expect(retryDelay(1, policy, () => 0)).toBe(800);
    expect(retryDelay(1, policy, () => 1)).toBe(1200);
  });
});
