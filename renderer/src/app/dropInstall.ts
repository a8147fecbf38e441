import { zipSync } from 'fflate';
import { MAX_PACKAGE_BYTES } from '@shared/domain/packageLimits';
import { beginInstall, stagePackage } from '../bridge';
import { useInstallStore } from '../stores/catalogStore';

const PACKAGE = /\.(havenplugin|zip)$/i;
const MAX_FILES = 2000;

interface FileSystemEntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(success: (file: File) => void, failure: (error: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: FileSystemEntryLike[]) => void, failure: (error: unknown) => void): void };
}

/** Reads a dropped folder into memory, path by path, for packing in the browser. */
async function readFolder(root: FileSystemEntryLike): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  let count = 0;
  let total = 0;
  const walk = async (entry: FileSystemEntryLike, prefix: string): Promise<void> => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') return;
    if (entry.isFile && entry.file) {
      if (++count > MAX_FILES) throw new Error(`the folder holds more than ${MAX_FILES} files`);
      const file = await new Promise<File>((resolve, reject) => entry.file!(resolve, reject));
      total += file.size;
      // Unpacked, a package may hold four times its packed limit (Core checks the rest).
      if (total > MAX_PACKAGE_BYTES * 4) throw new Error(`the folder holds more than ${MAX_PACKAGE_BYTES * 4} bytes`);
      files[`${prefix}${entry.name}`] = new Uint8Array(await file.arrayBuffer());
    } else if (entry.isDirectory && entry.createReader) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  const reader = root.createReader!();
  for (;;) {
    const batch = await new Promise<FileSystemEntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, '');
  }
  return files;
}

/** Whether a drag carries files (not text or a link), so the window offers to install. */
export function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

/**
 * Installs what was dropped: a `.havenplugin`/`.zip` file, or a plugin folder. The desktop app
 * hands Core the path; the web UI uploads the file (a folder is zipped in the browser first).
 */
export async function installFromDrop(transfer: DataTransfer): Promise<void> {
  const file = transfer.files[0];
  const item = Array.from(transfer.items).find((i) => i.kind === 'file');
  const entry = (item as { webkitGetAsEntry?: () => FileSystemEntryLike | null } | undefined)?.webkitGetAsEntry?.() ?? null;
  if (!file) return;
  // One install at a time: a drop while a package is checked or installed is ignored.
  const { phase } = useInstallStore.getState();
  if (phase === 'staging' || phase === 'installing') return;
  const apply = beginInstall(file.name);
  const fail = (message: string): void => void apply((store) => store.installFailed(message));
  const desktop = window.havenDesktop?.pathForFile;
  if (desktop) {
    await stagePackage(apply, { path: desktop(file) });
    return;
  }
  if (entry?.isDirectory) {
    try {
      const bytes = zipSync(await readFolder(entry), { level: 6 });
      if (bytes.length > MAX_PACKAGE_BYTES) throw new Error(`the folder packs to ${bytes.length} bytes; a package may be at most ${MAX_PACKAGE_BYTES}`);
      await stagePackage(apply, { bytes });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    return;
  }
  if (!PACKAGE.test(file.name)) {
    fail(`${file.name} is not a plugin package: drop a .havenplugin or .zip file, or a plugin folder`);
    return;
  }
  if (file.size > MAX_PACKAGE_BYTES) {
    fail(`${file.name} is ${file.size} bytes; a package may be at most ${MAX_PACKAGE_BYTES}`);
    return;
  }
  await stagePackage(apply, { bytes: new Uint8Array(await file.arrayBuffer()) });
}
