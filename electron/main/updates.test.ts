import { describe, expect, it } from 'vitest';
import { AppSettings } from '@shared/domain/settings';
import { updatePlan } from './updates';

describe('auto-update', () => {
  it('is off by default and in development', () => {
    expect(AppSettings.parse({}).updateFeedUrl).toBe('');
    expect(updatePlan({ updateFeedUrl: '' }, true).feed).toBeUndefined();
    expect(updatePlan({ updateFeedUrl: 'https://example.com/haven/' }, false).feed).toBeUndefined();
  });
  it('reads the configured generic feed in a packaged app', () => {
    expect(updatePlan({ updateFeedUrl: 'https://example.com/haven/' }, true).feed).toEqual({ provider: 'generic', url: 'https://example.com/haven/' });
  });
  it('accepts only https feeds in the settings: an update is code that runs', () => {
    expect(AppSettings.safeParse({ updateFeedUrl: 'file:///etc/passwd' }).success).toBe(false);
    expect(AppSettings.safeParse({ updateFeedUrl: 'javascript:alert(1)' }).success).toBe(false);
    expect(AppSettings.safeParse({ updateFeedUrl: 'http://example.com/feed' }).success).toBe(false);
    expect(AppSettings.safeParse({ updateFeedUrl: 'https://example.com/feed' }).success).toBe(true);
  });
});
