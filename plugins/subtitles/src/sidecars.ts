import path from 'node:path';

// Subtitle files beside an original (`<base>.en.vtt`, `<base>.srt`, `<base>.de.ass`, as yt-dlp
// writes them), and language codes: their canonical form, their name, whether a filter wants them.
// Pure, so the tests can check them without files.

export const SIDECAR_FORMATS = ['srt', 'vtt', 'ass', 'ssa'] as const;
export type SidecarFormat = (typeof SIDECAR_FORMATS)[number];

export interface Sidecar {
  /** The file's name (in the original's folder). */
  name: string;
  format: SidecarFormat;
  /** Canonical language tag (`en`, `pt-BR`), or undefined when the name gives none. */
  language?: string;
  /** What follows the language in the name (`forced`, `sdh`). */
  flags: string[];
}

const LANGUAGE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/;
const FLAGS = new Set(['forced', 'sdh', 'cc', 'hi', 'default', 'auto']);

/** A language code in its canonical BCP 47 form (`eng` → `en`, `pt_br` → `pt-BR`), or undefined for none, `und` or a code that is not one. */
export function canonicalLanguage(code: string | undefined): string | undefined {
  if (!code || !LANGUAGE.test(code)) return undefined;
  try {
    const [canonical] = Intl.getCanonicalLocales(code.replace(/_/g, '-'));
    return canonical && canonical !== 'und' ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** A language's English name (`de` → `German`, `pt-BR` → `Brazilian Portuguese`); the code itself when unknown. */
export function languageName(language: string | undefined): string {
  if (!language) return 'Unknown language';
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' }).of(language);
    return name && name !== 'root' ? name : language;
  } catch {
    return language;
  }
}

/** Whether a language passes the filter: empty keeps all; `en` keeps `en`, `en-US` and `eng`; unknown languages always pass. */
export function wantedLanguage(language: string | undefined, wanted: readonly string[]): boolean {
  if (wanted.length === 0 || !language) return true;
  const tag = language.toLowerCase();
  return wanted.some((want) => {
    const canonical = (canonicalLanguage(want) ?? want).toLowerCase();
    return tag === canonical || tag.startsWith(`${canonical}-`);
  });
}

/**
 * The sidecar subtitles of `original` among the names in its folder: `<base>.<ext>` or
 * `<base>.<lang>[.<flag>…].<ext>`, where `<base>` is the original's name without its extension.
 * A name whose middle part is not a language code (`<base>.part2.srt`, another video's
 * `<base>.cut.en.srt`) is not taken.
 */
export function findSidecars(original: string, names: readonly string[]): Sidecar[] {
  const base = path.basename(original).replace(/\.[^.]*$/, '');
  if (!base) return [];
  const found: Sidecar[] = [];
  for (const name of names) {
    if (name.length <= base.length + 1 || name.slice(0, base.length).toLowerCase() !== base.toLowerCase() || name[base.length] !== '.') continue;
    const parts = name.slice(base.length + 1).split('.');
    const format = parts.pop()!.toLowerCase() as SidecarFormat;
    if (!SIDECAR_FORMATS.includes(format)) continue;
    if (parts.length === 0) {
      found.push({ name, format, flags: [] });
      continue;
    }
    const [code, ...flags] = parts;
    if (!code || !LANGUAGE.test(code) || !flags.every((flag) => FLAGS.has(flag.toLowerCase()))) continue;
    const language = canonicalLanguage(code);
    found.push({ name, format, ...(language ? { language } : {}), flags: flags.map((flag) => flag.toLowerCase()) });
  }
  return found.sort((a, b) => (a.language ?? '').localeCompare(b.language ?? '') || a.name.localeCompare(b.name));
}
