/**
 * yt-dlp options a user may add, and whether each takes a value. Only options that cannot run
 * commands, write outside output_dir or add URLs are here.
 */
export const ALLOWED_EXTRA_ARGS: Readonly<Record<string, 'flag' | 'value'>> = {
  '--no-playlist': 'flag',
  '--yes-playlist': 'flag',
  '--geo-bypass': 'flag',
  '--no-check-certificates': 'flag',
  '--prefer-free-formats': 'flag',
  '--write-description': 'flag',
  '--write-comments': 'flag',
  '--write-auto-subs': 'flag',
  '--no-mtime': 'flag',
  '--force-ipv4': 'flag',
  '--force-ipv6': 'flag',
  '--concurrent-fragments': 'value',
  '--throttled-rate': 'value',
  '--retries': 'value',
  '--fragment-retries': 'value',
  '--socket-timeout': 'value',
  '--match-filter': 'value',
};

/** Why a list of extra options is refused, or undefined when every item is allowed where it stands. */
export function extraArgsProblem(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const kind = ALLOWED_EXTRA_ARGS[name];
    if (!kind) {
      return arg.startsWith('-')
        ? `${name} is not allowed; allowed: ${Object.keys(ALLOWED_EXTRA_ARGS).join(' ')}`
        : `"${arg}" is not an option (a value must follow the option that takes it)`;
    }
    if (kind === 'flag' && inline !== undefined) return `${name} takes no value`;
    if (kind === 'value' && inline === undefined) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) return `${name} needs a value`;
      i++;
    }
  }
  return undefined;
}
