import { z } from 'zod';
import { DerivedFileInfo } from '../sdk/processing';

export const LibraryItem = z.object({
  id: z.number().int(),
  plugin: z.string(),
  sourceId: z.string(),
  mediaType: z.string(),
  title: z.string(),
  uri: z.string(),
  outputPath: z.string().optional(),
  size: z.number().optional(),
  duration: z.number().optional(),
  mime: z.string().optional(),
  sha256: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  createdAt: z.string(),
  /** Another item with the same content (sha256), if any. */
  duplicateOf: z.number().int().optional(),
  /** A short excerpt around the search match. */
  snippet: z.string().optional(),
  /** The item's thumbnail (a derived file id, served at `/derived/<id>`), if a processor made one. */
  thumbnailId: z.number().int().optional(),
  /** What processors made from it (only from `library.get`). */
  derived: z.array(DerivedFileInfo).optional(),
});
export type LibraryItem = z.infer<typeof LibraryItem>;

export const LibraryQuery = z.strictObject({
  text: z.string().max(500).optional(),
  plugin: z.string().max(128).optional(),
  mediaType: z.string().max(64).optional(),
  /** ISO dates: archived on or after / before. */
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
});
export type LibraryQuery = z.input<typeof LibraryQuery>;

export const ImportReport = z.object({
  scanned: z.number().int(),
  imported: z.number().int(),
  alreadyKnown: z.number().int(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const VerifyReport = z.object({
  checked: z.number().int(),
  ok: z.number().int(),
  missing: z.array(z.object({ id: z.number().int(), path: z.string() })),
  changed: z.array(z.object({ id: z.number().int(), path: z.string(), expected: z.string(), actual: z.string() })),
});
export type VerifyReport = z.infer<typeof VerifyReport>;
