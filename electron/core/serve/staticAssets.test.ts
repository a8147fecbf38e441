import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, resolveAsset } from './staticAssets';

const root = path.resolve('/srv/ui');

describe('resolveAsset', () => {
  it('maps paths inside the root, / to index.html', () => {
    expect(resolveAsset(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveAsset(root, '/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
  });
  it.each(['/../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/etc/passwd', '/..%2fetc', '/a%00b', '/%E0%A4%A', '/a\\..\\b'])(
    'refuses %s',
    (urlPath) => {
      expect(resolveAsset(root, urlPath)).toBeUndefined();
    },
  );
});

describe('contentSecurityPolicy', () => {
  it('allows no inline or evaluated script and no framing', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });
});
