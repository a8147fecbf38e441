import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import { REPO_ROOT, startServe, tempHome, waitFor, type ServeProcess } from '../../testing/fixtures';
import { integrityCheck } from '../../testing/faults';
import { contentTypeOf, startStaticServer, type StaticServer } from '../../testing/staticServer';

// Fault suite (issue 12): kill -9 of `haven serve` while its database is busy: a client queues
// JOBS archive jobs as fast as Core takes them and changes a setting over and over, while the
// queue runs, completes and indexes earlier jobs (each download takes over 100 ms). After the
// kill, the database passes integrity_check, every job Core had acknowledged is there, the
// settings file reads, and the next start finishes every job with a byte-identical file and its
// sidecar, leaving no `.part` and no second copy behind. (jobs.int.test.ts kills Core mid-download; this kills it
// mid-write.)

const JOBS = 40;
const WRITE_MS = 1000;
const IN_FLIGHT = 8;
const env = { HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins', 'examples') };

const serves: ServeProcess[] = [];
const sockets: WebSocket[] = [];
let server: StaticServer | undefined;
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  for (const serve of serves) await serve.stop('SIGKILL');
  await server?.close();
});

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

async function connect(serve: ServeProcess): Promise<IpcClient<HavenContract>> {
  const socket = new WebSocket(`ws://${new URL(serve.origin).host}/ws?token=${serve.token}`);
  sockets.push(socket);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike));
}

describe('kill -9 of Core mid-write', () => {
  it('loses no acknowledged job, keeps the database sound, and finishes every job at the next start', async () => {
    const site = tempHome('haven-fault-crash-site-');
    const media = path.join(site, 'blip.mp3');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=2', '-b:a', '64k', media]);
    const bytes = fs.readFileSync(media);
    // Every /blip/N.mp3 is the same small file, so each job is a new source and a new library item.
    server = await startStaticServer(site, [
      (req, res) => {
        if (!/^\/blip\/\d+\.mp3$/.test(req.url ?? '')) return false;
        res.writeHead(200, { 'Content-Type': contentTypeOf(media), 'Content-Length': bytes.length });
        setTimeout(() => res.end(bytes), 100);
        return true;
      },
    ]);

    const first = await startServe({ env });
    serves.push(first);
    const client = await connect(first);
    await client.call('settings.update', { maxConcurrentJobs: 4, maxConcurrentJobsPerPlugin: 4 });

    // Queue JOBS jobs (IN_FLIGHT calls at a time), then flip a setting, until the kill.
    const acknowledged: string[] = [];
    let n = 0;
    let killed = false;
    const writer = async () => {
      while (!killed) {
        const i = n++;
        try {
          if (i % 10 === 9 || i >= JOBS) await client.call('settings.update', { theme: i % 2 ? 'dark' : 'light' });
          else acknowledged.push((await client.call('jobs.archive', { url: `${server!.url}/blip/${i}.mp3` })).id);
        } catch {
          return; // the connection died with Core
        }
      }
    };
    const writers = Array.from({ length: IN_FLIGHT }, writer);
    await waitFor(async () => ((await client.call('jobs.counts', {}).catch(() => undefined))?.completed ?? 0) >= 3 || undefined, 20_000, 'some jobs to complete');
    await new Promise((resolve) => setTimeout(resolve, WRITE_MS));
    killed = true;
    await first.stop('SIGKILL');
    await Promise.all(writers);
    const counts = { acknowledged: acknowledged.length, completedBeforeKill: fs.readdirSync(path.join(first.home, 'downloads', 'rss')).filter((f) => f.endsWith('.mp3')).length };
    console.log('before the kill:', JSON.stringify(counts));
    expect(counts.acknowledged).toBeGreaterThan(JOBS / 2);
    // The kill came while jobs were still to do.
    expect(counts.completedBeforeKill).toBeLessThan(counts.acknowledged);

    // The database as the kill left it (WAL included) is sound.
    expect(integrityCheck(path.join(first.home, 'haven.db'))).toBe('ok');

    const second = await startServe({ home: first.home, env });
    serves.push(second);
    const again = await connect(second);
    expect((await again.call('settings.get', {})).theme).toMatch(/^(system|light|dark)$/);
    // Every acknowledged job is there, and each completes (running ones are recovered).
    await waitFor(async () => {
      const counts = await again.call('jobs.counts', {});
      return counts.completed >= acknowledged.length || counts.failed > 0 || undefined;
    }, 40_000, 'every acknowledged job to finish');
    const done = await Promise.all(acknowledged.map((id) => again.call('jobs.get', { id })));
    expect(done.filter((job) => job.state !== 'completed').map((job) => `${job.id}: ${job.state} ${job.error ?? ''}`)).toEqual([]);
    for (const job of done) {
      expect(sha256(fs.readFileSync(job.outputPath!))).toBe(sha256(bytes));
      // Each file has its sidecar: a crash between writing it and indexing the file cannot lose it.
      expect(JSON.parse(fs.readFileSync(`${job.outputPath}.haven.json`, 'utf8'))).toMatchObject({ haven: 1, sha256: sha256(bytes) });
    }
    expect(new Set(done.map((job) => job.itemId)).size).toBe(acknowledged.length);
    const downloads = fs.readdirSync(path.join(first.home, 'downloads', 'rss'));
    expect(downloads.filter((f) => f.endsWith('.part'))).toEqual([]);
    // No second copy under another name: a job Haven was indexing when killed keeps its file.
    expect(downloads.filter((f) => !f.endsWith('.haven.json')).sort()).toEqual(done.map((job) => path.basename(job.outputPath!)).sort());
    expect(done.some((job) => job.trace.some((e) => e.kind === 'recovered'))).toBe(true);
    await second.stop();
    expect(integrityCheck(path.join(first.home, 'haven.db'))).toBe('ok');
  });
});
