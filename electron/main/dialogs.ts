import type { OpenDialogOptions } from 'electron';
import { z } from 'zod';

/** What the page may ask the "Browse…" picker for. */
export const PickPathKind = z.enum(['file', 'folder']);

/** The open dialog for a settings field's "Browse…" button; anything else the page sends is refused. */
export function pickPathDialogOptions(kind: unknown): OpenDialogOptions {
  const parsed = PickPathKind.safeParse(kind);
  if (!parsed.success) throw new Error(`haven:pick-path: kind must be "file" or "folder", not ${JSON.stringify(kind)}`);
  return parsed.data === 'file'
    ? { title: 'Choose a file', properties: ['openFile', 'showHiddenFiles'] }
    : { title: 'Choose a folder', properties: ['openDirectory', 'createDirectory', 'showHiddenFiles'] };
}

/** The chosen path, or undefined when the user cancelled. */
export function pickedPath(result: { canceled: boolean; filePaths: string[] }): string | undefined {
  return result.canceled ? undefined : result.filePaths[0];
}
