import { z } from 'zod';

/** What a PROCESS plugin makes from an archived item: the pipeline editor and the Library read this. */
export const DerivedKind = z.enum(['thumbnail', 'preview', 'audio', 'video', 'subtitle', 'metadata', 'feed', 'other']);
export type DerivedKind = z.infer<typeof DerivedKind>;

/** A MIME pattern a processor accepts: `video/*`, `audio/mpeg`, or `*` for anything. */
export const MimePattern = z.string().regex(/^(\*|[a-z0-9.+-]+\/(\*|[a-z0-9.+-]+))$/i, 'must be a MIME type such as video/mp4 or video/*');

/** A manifest's `processes`: what a PROCESS plugin acts on and what it produces. */
export const ProcessesDeclaration = z.strictObject({
  /** MIME patterns of the files it accepts; empty or `*`: any file. */
  accepts: z.array(MimePattern).max(32).default([]),
  /** Plugins whose items it accepts (by name); empty: any. */
  sources: z.array(z.string().max(64)).max(64).default([]),
  produces: z.array(DerivedKind).min(1).max(8),
});
export type ProcessesDeclaration = z.infer<typeof ProcessesDeclaration>;

/** A file a processor made; it must lie in the item's `derivedDir`. */
export const DerivedFileResult = z.object({
  path: z.string().min(1).max(4096),
  kind: DerivedKind,
  mime: z.string().max(128).optional(),
  label: z.string().max(200).optional(),
  /** Text Haven indexes for search with the item (subtitles, a transcript). */
  text: z.string().max(2_000_000).optional(),
});
export type DerivedFileResult = z.infer<typeof DerivedFileResult>;

/** What the `process` hook returns. */
export const ProcessResult = z.object({
  derived: z.array(DerivedFileResult).max(64).default([]),
  /** Why nothing was made (the item is not something this processor handles). */
  skipped: z.string().max(1000).optional(),
  /** Facts learned about the item (measured loudness), shown with the derived files. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ProcessResult = z.output<typeof ProcessResult>;
export type ProcessResultInput = z.input<typeof ProcessResult>;

/** A derived file as an item carries it (what earlier steps made). */
export const DerivedFileInfo = z.object({
  id: z.number().int(),
  plugin: z.string(),
  kind: DerivedKind,
  path: z.string(),
  mime: z.string().optional(),
  label: z.string().optional(),
  size: z.number().optional(),
  createdAt: z.string(),
});
export type DerivedFileInfo = z.infer<typeof DerivedFileInfo>;

/** Whether a MIME type matches a pattern (`video/*` matches `video/mp4`). */
export function mimeMatches(pattern: string, mime: string | undefined): boolean {
  if (pattern === '*') return true;
  if (!mime) return false;
  const [type, subtype] = pattern.toLowerCase().split('/');
  const [actualType, actualSubtype] = mime.toLowerCase().split(';')[0]!.trim().split('/');
  return type === actualType && (subtype === '*' || subtype === actualSubtype);
}

/** Why a processor does not take an item, or undefined when it does. */
export function processorDeclines(declaration: ProcessesDeclaration | undefined, item: { plugin: string; mime?: string | undefined }): string | undefined {
  if (!declaration) return 'it declares no "processes" in its manifest';
  if (declaration.sources.length > 0 && !declaration.sources.some((name) => name.toLowerCase() === item.plugin.toLowerCase())) {
    return `it takes items of ${declaration.sources.join(', ')}, not ${item.plugin}`;
  }
  if (declaration.accepts.length > 0 && !declaration.accepts.some((pattern) => mimeMatches(pattern, item.mime))) {
    return `it takes ${declaration.accepts.join(', ')}, and this item is ${item.mime ?? 'of an unknown type'}`;
  }
  return undefined;
}
