import type { ErrorClass } from '@shared/domain/jobs';
import type { ErrorCode } from '@shared/ipc/errors';

export interface Classified {
  errorClass: ErrorClass;
  /** Whether trying again later can help. */
  retryable: boolean;
  /** What the user can do, when there is something. */
  hint?: string;
}

const RULES: { test: RegExp; errorClass: ErrorClass }[] = [
  { test: /ENOSPC|no space left|disk (is )?full|quota exceeded/i, errorClass: 'disk_full' },
  { test: /crashed while running|stopped answering|plugin process (exited|killed)/i, errorClass: 'plugin_crashed' },
  { test: /\b429\b|too many requests|rate.?limit/i, errorClass: 'rate_limited' },
  { test: /geo.?(blocked|restrict)|not available in your country/i, errorClass: 'geo_blocked' },
  { test: /sign in|log ?in required|cookies|age.?restricted|confirm your age|not a bot|\b401\b|unauthori[sz]ed|members.only|private video/i, errorClass: 'auth_required' },
  { test: /\b404\b|\b410\b|not found|does not exist|unavailable video|has been removed|no longer available/i, errorClass: 'not_found' },
  { test: /is not installed|command not found|spawn .*ENOENT|ffmpeg (is )?(missing|not found)/i, errorClass: 'tool_missing' },
  { test: /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|fetch failed|network|sent \d+ of \d+ bytes|premature close|terminated/i, errorClass: 'network' },
  { test: /timed out|no answer .* within/i, errorClass: 'timeout' },
];

const BY_CODE: Partial<Record<ErrorCode, ErrorClass>> = {
  NOT_FOUND: 'not_found',
  FORBIDDEN: 'forbidden',
  INVALID_INPUT: 'invalid_input',
  NOT_IMPLEMENTED: 'not_implemented',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  INVALID_OUTPUT: 'plugin_error',
};

const RETRYABLE: ReadonlySet<ErrorClass> = new Set(['network', 'rate_limited', 'plugin_crashed', 'timeout', 'internal']);

const HINTS: Partial<Record<ErrorClass, string>> = {
  auth_required: 'the site wants you signed in: set a cookies file in the plugin settings',
  geo_blocked: 'the site does not offer this in your country: a proxy or VPN elsewhere may help',
  disk_full: 'free some space on the output drive, then retry',
  tool_missing: 'install the missing program, or set its path in the plugin settings',
  rate_limited: 'the site is limiting requests; Haven waits before trying again',
  not_implemented: 'this plugin cannot do that yet',
  plugin_error: 'the plugin reported something impossible; report it to its author',
};

const SANDBOX_HINT = "the plugin did something its manifest does not declare (its log lists each refusal): report it to the plugin's author";

/** Sorts a failure into a class, from its code and the words of its message. */
export function classifyError(code: ErrorCode | undefined, message: string): Classified {
  // The words before the first ": " are the plugin's verdict ("ffmpeg is not installed: …not
  // found…"); what follows may quote a tool, a title or an address, so it is read only when the
  // verdict says nothing.
  const verdict = message.split(': ')[0] ?? '';
  let errorClass: ErrorClass | undefined = RULES.find((rule) => verdict !== message && rule.test.test(verdict))?.errorClass;
  errorClass ??= RULES.find((rule) => rule.test.test(message))?.errorClass;
  // A code the plugin chose is more specific than words, except when the words tell a crash, a
  // full disk or a missing program (a NOT_FOUND program is not a missing video).
  const byCode = code ? BY_CODE[code] : undefined;
  const decisive: (ErrorClass | undefined)[] = ['plugin_crashed', 'disk_full', 'tool_missing'];
  if (byCode && !decisive.includes(errorClass)) errorClass = byCode;
  errorClass ??= code === 'UNAVAILABLE' ? 'network' : 'internal';
  const hint = /Haven's plugin sandbox/.test(message) ? SANDBOX_HINT : HINTS[errorClass];
  return { errorClass, retryable: RETRYABLE.has(errorClass), ...(hint ? { hint } : {}) };
}
