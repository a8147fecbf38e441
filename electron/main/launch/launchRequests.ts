import fs from 'node:fs/promises';
import path from 'node:path';
import { MAX_DROPPED_FILE_BYTES } from '@shared/domain/jobs';
import type { IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { HavenError } from '@shared/ipc/errors';
import type { LaunchRequest } from './launchArgs';

export interface LaunchOutcome {
  ok: boolean;
  /** One sentence for a notification: what was done, or why not and what to do. */
  message: string;
}

export interface LaunchTarget {
  client: IpcClient<HavenContract>;
  /** Shows the window's install dialog on a package. */
  openPackage(file: string): void;
}

function reason(error: unknown): string {
  return error instanceof HavenError || error instanceof Error ? error.message : String(error);
}

/** Carries out one launch request through the contract, as the window would. */
export async function carryOut(request: LaunchRequest, target: LaunchTarget): Promise<LaunchOutcome> {
  try {
    switch (request.kind) {
      case 'archive-url': {
        const job = await target.client.call('jobs.archive', { url: request.url });
        return { ok: true, message: `Queued: ${job.title}` };
      }
      case 'archive-file': {
        const stat = await fs.stat(request.path);
        if (!stat.isFile()) return { ok: false, message: `${request.path} is not a file.` };
        if (stat.size > MAX_DROPPED_FILE_BYTES) {
          return { ok: false, message: `${path.basename(request.path)} is ${stat.size} bytes; Haven opens files of at most ${MAX_DROPPED_FILE_BYTES} bytes. Put it in BitTorrentPlugin's watch folder instead.` };
        }
        const data = (await fs.readFile(request.path)).toString('base64');
        const job = await target.client.call('jobs.archiveFile', { fileName: path.basename(request.path), data });
        return { ok: true, message: `Queued: ${job.title}` };
      }
      case 'install-package':
        await fs.access(request.path);
        target.openPackage(request.path);
        return { ok: true, message: `Opened ${path.basename(request.path)} for installing.` };
    }
  } catch (error) {
    const what = request.kind === 'archive-url' ? request.url : path.basename(request.path);
    return { ok: false, message: `Haven could not open ${what.slice(0, 200)}: ${reason(error)}` };
  }
}
