import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkAll, checkValue, fieldsOf, issueTarget, labelFor, parseNumber, type Field } from './schemaFields';

// The schema exactly as Core sends it: zod → z.toJSONSchema(draft-07, input).
const schema = z.toJSONSchema(
  z.object({
    channel_ids: z.array(z.string().min(1)).default([]).describe('Channels to archive.'),
    max_videos: z.number().int().min(0).default(50),
    ratio: z.number().min(0).max(10).optional(),
    quality: z.enum(['best', '1080p', '720p']).default('best'),
    download_subtitles: z.boolean().default(false),
    output_dir: z.string().optional(),
    feed_url: z.url().optional(),
    token: z.string().optional().meta({ secret: true }),
    name: z.string().min(2).max(20),
    code: z.string().regex(/^[A-Z]{3}$/).optional(),
    auth: z.object({ user: z.string().default(''), password: z.string().default('').meta({ secret: true }) }).default({ user: '', password: '' }),
    feed_rules: z.array(z.object({ must_contain: z.string().default(''), ignore_days: z.number().int().min(0).default(0) })).default([]),
    passwords: z.record(z.string(), z.string()).default({}),
    ports: z.array(z.number().int().min(1).max(65535)).default([]),
    share: z.number().gt(0).lt(1).optional(),
  }),
  { target: 'draft-07', io: 'input' },
) as Record<string, unknown>;

const fields = fieldsOf(schema);
const byKey = (key: string): Field => fields.find((f) => f.key === key)!;

describe('schema → form fields', () => {
  it('maps each kind of setting to its field', () => {
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ['channel_ids', 'list'],
      ['max_videos', 'integer'],
      ['ratio', 'number'],
      ['quality', 'select'],
      ['download_subtitles', 'boolean'],
      ['output_dir', 'path'],
      ['feed_url', 'url'],
      ['token', 'password'],
      ['name', 'text'],
      ['code', 'text'],
      ['auth', 'group'],
      ['feed_rules', 'groupList'],
      ['passwords', 'json'],
      ['ports', 'list'],
      ['share', 'number'],
    ]);
  });

  it('keeps labels, help, defaults, bounds, options and what is required', () => {
    expect(byKey('channel_ids')).toMatchObject({ label: 'Channel ids', help: 'Channels to archive.', default: [], required: false, item: { kind: 'text', minLength: 1 } });
    expect(byKey('max_videos')).toMatchObject({ minimum: 0, default: 50, required: false });
    expect(byKey('max_videos')).not.toHaveProperty('maximum');
    expect(byKey('ratio')).toMatchObject({ minimum: 0, maximum: 10, required: false });
    expect(byKey('quality')).toMatchObject({ options: ['best', '1080p', '720p'], default: 'best' });
    expect(byKey('name')).toMatchObject({ required: true, minLength: 2, maxLength: 20 });
    expect(byKey('token')).toMatchObject({ secret: true });
    const auth = byKey('auth');
    expect(auth.kind === 'group' && auth.fields.map((f) => [f.path, f.kind])).toEqual([
      ['auth.user', 'text'],
      ['auth.password', 'password'],
    ]);
    const rules = byKey('feed_rules');
    expect(rules.kind === 'groupList' && rules.fields.map((f) => f.kind)).toEqual(['text', 'integer']);
    const ports = byKey('ports');
    expect(ports.kind === 'list' && ports.item).toMatchObject({ kind: 'integer', minimum: 1, maximum: 65535 });
  });

  it('makes labels from keys', () => {
    expect(labelFor('max_videos')).toBe('Max videos');
    expect(labelFor('seedRatioLimit')).toBe('Seed ratio limit');
  });
});

describe('checking values as the user types', () => {
  it.each([
    ['max_videos', -1, 'At least 0.'],
    ['max_videos', 2.5, 'Must be a whole number.'],
    ['max_videos', 'ten', 'Must be a whole number.'],
    ['max_videos', 10, undefined],
    ['ratio', 11, 'At most 10.'],
    ['quality', '4k', 'Must be one of best, 1080p, 720p.'],
    ['name', '', 'Required.'],
    ['name', 'x', 'At least 2 characters.'],
    ['name', 'x'.repeat(21), 'At most 20 characters.'],
    ['code', 'abc', 'Does not have the expected form.'],
    ['code', 'ABC', undefined],
    ['feed_url', 'not a url', 'Must be a full address, such as https://example.com/feed.xml.'],
    ['feed_url', 'rtsp://camera.local/stream', undefined],
    ['share', 0, 'More than 0.'],
    ['share', 1, 'Less than 1.'],
    ['share', 0.5, undefined],
    ['feed_url', 'https://example.com/feed.xml', undefined],
    ['channel_ids', ['UCa', ''], '"": Required.'],
    ['ports', [80, 70000], '"70000": At most 65535.'],
    ['download_subtitles', true, undefined],
  ])('%s = %j → %s', (key, value, problem) => {
    expect(checkValue(byKey(key), value)).toBe(problem);
  });

  it('checks a whole form, nested groups and lists of groups included', () => {
    expect(
      checkAll(fields, { name: 'ok', max_videos: -5, auth: { user: 'u', password: '' }, feed_rules: [{ must_contain: '', ignore_days: -1 }] }),
    ).toEqual({ max_videos: 'At least 0.', 'feed_rules.0.ignore_days': 'At least 0.' });
    expect(checkAll(fields, { name: '' }, '', new Set(['name']))).toEqual({});
  });
});

describe('reading number inputs', () => {
  it.each([
    ['', undefined],
    ['12', 12],
    [' -3.5 ', -3.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['0x10', '0x10'],
    ['0b11', '0b11'],
    ['1e', '1e'],
    ['-', '-'],
    ['Infinity', 'Infinity'],
  ])('%j → %j', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });
});

describe("placing Core's issues on the form", () => {
  it.each([
    ['max_videos', 'max_videos'],
    ['auth.password', 'auth.password'],
    ['auth', 'auth'],
    ['feed_rules.0.ignore_days', 'feed_rules.0.ignore_days'],
    ['feed_rules.0', 'feed_rules'],
    ['channel_ids.2', 'channel_ids'],
    ['passwords.cam1', 'passwords'],
    ['no_such_field', undefined],
    ['', undefined],
  ])('%j shows at %j', (path, target) => {
    expect(issueTarget(fields, path)).toBe(target);
  });
});
