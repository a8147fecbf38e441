/**
 * What a manifest's permissions allow. Enforced in the host for ctx.http, ctx.which and
 * ctx.spawn (a plugin that uses Node's own modules directly is not stopped here; see
 * docs/security.md).
 */

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : protocol === 'http:' ? '80' : '';
}

/** `example.com` (any port), `example.com:8080`, `*.example.com`, or `*`. */
export function isHostPermitted(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || defaultPort(url.protocol);
  return allowed.some((rule) => {
    if (rule === '*') return true;
    const [ruleHost = '', rulePort] = splitHostPort(rule.toLowerCase());
    if (rulePort !== undefined && rulePort !== port) return false;
    if (ruleHost.startsWith('*.')) return host.endsWith(ruleHost.slice(1)) && host.length > ruleHost.length - 1;
    return host === ruleHost;
  });
}

function splitHostPort(rule: string): [string, string | undefined] {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(rule);
  return [match?.[1] ?? rule, match?.[2]];
}

export function isBinaryPermitted(binary: string, allowed: readonly string[]): boolean {
  return /^[A-Za-z0-9._-]+$/.test(binary) && allowed.includes(binary);
}
