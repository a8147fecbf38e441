import { zipSync } from 'fflate';
import { MAX_DROPPED_FILE_BYTES } from '@shared/domain/jobs';
import { MAX_PACKAGE_BYTES } from '@shared/domain/packageLimits';
import { archiveDroppedFile, beginInstall, stagePackage } from '../bridge';
import { useToastStore } from '../stores/toastStore';
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
 * Handles what was dropped on the window: a `.havenplugin`/`.zip` file or a plugin folder is
 * installed; any other file (a `.torrent`) is archived by the plugin that claims it.
 */
export async function handleDrop(transfer: DataTransfer): Promise<void> {
  const file = transfer.files[0];
  const item = Array.from(transfer.items).find((i) => i.kind === 'file');
  const entry = (item as { webkitGetAsEntry?: () => FileSystemEntryLike | null } | undefined)?.webkitGetAsEntry?.() ?? null;
  if (!file) return;
  if (!entry?.isDirectory && !PACKAGE.test(file.name)) {
    await archiveDropped(Array.from(transfer.files));
    return;
  }
  await installFromDrop(file, entry);
}

/** Archives dropped files (several .torrent files at once), each reported on its own. */
async function archiveDropped(files: File[]): Promise<void> {
  for (const file of files.slice(0, 50)) {
    if (file.size > MAX_DROPPED_FILE_BYTES) {
      useToastStore.getState().toastAdded({ title: `${file.name} cannot be archived`, body: `It is ${file.size} bytes; a dropped file may be at most ${MAX_DROPPED_FILE_BYTES}. Put it in BitTorrentPlugin's watch folder, or run \`haven archive\` with its path.`, tone: 'fail' });
      continue;
    }
    await archiveDroppedFile(file.name, new Uint8Array(await file.arrayBuffer()));
  }
}

/** One install at a time: a package arriving while another is checked or installed is ignored. */
function installBusy(): boolean {
  const { phase } = useInstallStore.getState();
  return phase === 'staging' || phase === 'installing';
}

/** Opens the install dialog on a package the desktop app was asked to open (file manager, second launch). */
export async function installFromPath(path: string): Promise<void> {
  if (installBusy()) return;
  const name = path.split(/[\\/]/).pop() ?? path;
  await stagePackage(beginInstall(name), { path });
}

/**
 * Installs a `.havenplugin`/`.zip` file or a plugin folder. The desktop app hands Core the path;
 * the web UI uploads the file (a folder is zipped in the browser first).
 */
async function installFromDrop(file: File, entry: FileSystemEntryLike | null): Promise<void> {
  const desktop = window.havenDesktop?.pathForFile;
  if (desktop) {
    await installFromPath(desktop(file));
    return;
  }
  if (installBusy()) return;
  const apply = beginInstall(file.name);
  const fail = (message: string): void => void apply((store) => store.installFailed(message));
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
  if (file.size > MAX_PACKAGE_BYTES) {
    fail(`${file.name} is ${file.size} bytes; a package may be at most ${MAX_PACKAGE_BYTES}`);
    return;
  }
  await stagePackage(apply, { bytes: new Uint8Array(await file.arrayBuffer()) });
}
