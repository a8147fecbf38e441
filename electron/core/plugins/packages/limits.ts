import { MAX_PACKAGE_BYTES } from '@shared/domain/packageLimits';

/** Limits a plugin package must stay within (zip bombs, floods of files). */
export const PACKAGE_LIMITS = {
  maxPackageBytes: MAX_PACKAGE_BYTES,
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxFileBytes: 100 * 1024 * 1024,
  maxFiles: 2000,
  /** An entry may not expand more than this many times its compressed size (above 1 MiB). */
  maxRatio: 200,
};

/**
 * Names Windows opens as devices, with any extension: also COM¹-COM³ and LPT¹-LPT³ (superscript
 * digits), CONIN$ and CONOUT$, and with spaces before the extension (`nul .txt`).
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$) *(\..*)?$/i;

/**
 * Why a path inside a package is unsafe, or undefined when it is fine: absolute paths, drive
 * letters, `..`, backslashes, NUL, Windows device names and names Windows cannot hold.
 */
export function unsafePathReason(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('\\')) return 'uses backslashes';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  const segments = name.split('/').filter((segment, i, all) => segment !== '' || i === all.length - 1);
  for (const segment of segments) {
    if (segment === '..') return 'leaves the plugin folder (..)';
    if (segment === '.') return 'has a "." segment';
    if (WINDOWS_DEVICE.test(segment)) return `uses the Windows device name ${segment}`;
    // eslint-disable-next-line no-control-regex -- control characters are what must be refused
    if (/[<>:"|?*\x00-\x1f]/.test(segment)) return 'has characters that are not allowed in file names';
    if (/[. ]$/.test(segment) && segment !== '') return 'ends with a dot or a space';
  }
  return undefined;
}
