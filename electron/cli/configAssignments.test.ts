import { describe, expect, it } from 'vitest';
import { describeType, parseAssignments } from './configAssignments';

const schema = {
  type: 'object',
  properties: {
    max_videos: { type: 'integer', minimum: 0 },
    ratio: { type: 'number' },
    download_subtitles: { type: 'boolean' },
    quality: { type: 'string', enum: ['best', '1080p', '720p'] },
    channel_ids: { type: 'array', items: { type: 'string' } },
    ports: { type: 'array', items: { type: 'integer' } },
    output_dir: { type: 'string' },
    credentials: { type: 'object' },
  },
};

describe('parseAssignments', () => {
  it('parses values by the schema', () => {
    expect(
      parseAssignments('P', schema, [
        'max_videos=10',
        'ratio=1.5',
        'download_subtitles=yes',
        'quality=720p',
        'channel_ids=UCa, UCb,,UCc',
        'ports=1,2',
        'output_dir=/tmp/a=b',
        'credentials={"cam":{"username":"u","password":"p"}}',
      ]),
    ).toEqual({
      max_videos: 10,
      ratio: 1.5,
      download_subtitles: true,
      quality: '720p',
      channel_ids: ['UCa', 'UCb', 'UCc'],
      ports: [1, 2],
      output_dir: '/tmp/a=b',
      credentials: { cam: { username: 'u', password: 'p' } },
    });
  });

  it('an empty value is an empty list for lists', () => {
    expect(parseAssignments('P', schema, ['channel_ids='])).toEqual({ channel_ids: [] });
  });

  it.each([
    ['max_videos=ten', 'P: max_videos: expected an integer, got "ten"'],
    ['max_videos=1.5', 'P: max_videos: expected an integer, got "1.5"'],
    ['download_subtitles=maybe', 'P: download_subtitles: expected true or false, got "maybe"'],
    ['quality=4k', 'P: quality: expected one of best, 1080p, 720p, got "4k"'],
    ['ports=1,x', 'P: ports: expected an integer, got "x"'],
    ['nope=1', 'P has no setting "nope" (settings: max_videos, ratio, download_subtitles, quality, channel_ids, ports, output_dir, credentials)'],
    ['novalue', '--set needs key=value, not "novalue"'],
    ['__proto__=1', 'P has no setting "__proto__"'],
  ])('rejects %s in one line naming the key', (assignment, message) => {
    expect(() => parseAssignments('P', schema, [assignment])).toThrow(message);
  });

  it('describes types for help and errors', () => {
    expect(describeType({ type: 'array', items: { type: 'string' } })).toBe('a comma-separated list');
    expect(describeType({ type: 'array', items: { type: 'integer' } })).toBe('a comma-separated list of integers');
    expect(describeType({ type: 'string', format: 'uri' })).toBe('a URL');
  });
});
