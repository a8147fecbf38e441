import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe } from '../electron/testing/fixtures';
import { LOOPBACK_CONFIG, startSwarm } from '../plugins/bittorrent/testing/swarm';
import { roundsNote, versusRaw, type BenchResult } from './stats';
import { timed } from './timed';

/** A file of random bytes, cached in bench/.work. */
function payload(workDir: string, megabytes: number): string {
  const dir = path.join(workDir, `torrent-${megabytes}mb`);
  const file = path.join(dir, 'payload.bin');
  if (fs.existsSync(file) && fs.statSync(file).size === megabytes * 1024 * 1024) return file;
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < megabytes; i++) fs.writeSync(fd, crypto.randomBytes(1024 * 1024));
  fs.closeSync(fd);
  return file;
}

/**
 * The same torrent, seeded on 127.0.0.1 (a bittorrent-tracker and a seeding WebTorrent client in
 * this process), downloaded by a bare WebTorrent script and by `haven archive FILE.torrent`, in
 * turns. Haven's extra cost: the CLI, the plugin process, progress over IPC, moving the files
 * from staging and hashing them for the index.
 */
export async function torrentBenchmark(options: { megabytes: number; rounds: number; repo: string; bareScript: string }): Promise<BenchResult> {
  const file = payload(path.join(options.repo, 'bench', '.work'), options.megabytes);
  const swarm = await startSwarm();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-torrent-'));
  const cli = path.join(options.repo, 'electron', 'cli', 'haven.mjs');
  const builtin = path.join(options.repo, 'plugins');
  const havenEnv = (home: string) => ({ ...process.env, HAVEN_HOME: home, HAVEN_BUILTIN_PLUGINS: builtin });
  const configure = (home: string) => timed(process.execPath, [cli, 'plugins', 'configure', 'bittorrent', ...Object.entries(LOOPBACK_CONFIG).flatMap(([k, v]) => ['--set', `${k}=${v}`])], havenEnv(home));
  const raw: number[] = [];
  const warm: number[] = [];
  const cold: number[] = [];
  const warmHome = path.join(scratch, 'warm-home');
  fs.mkdirSync(warmHome);
  await configure(warmHome);
  const serve = await startServe({ home: warmHome, env: { HAVEN_BUILTIN_PLUGINS: builtin } });
  try {
    const seeded = await swarm.seed(file);
    const torrentFile = path.join(scratch, 'payload.torrent');
    fs.writeFileSync(torrentFile, seeded.torrentFile);
    // Each Haven run must download again: --force, and the previous copy removed.
    const clearDownloads = (home: string) => fs.rmSync(path.join(home, 'downloads'), { recursive: true, force: true });
    await timed(process.execPath, [cli, 'archive', torrentFile], havenEnv(warmHome));
    for (let round = 0; round < options.rounds; round++) {
      const rawOut = path.join(scratch, `raw-${round}`);
      raw.push(await timed(process.execPath, [options.bareScript, torrentFile, rawOut], process.env));
      fs.rmSync(rawOut, { recursive: true, force: true });
      clearDownloads(warmHome);
      warm.push(await timed(process.execPath, [cli, 'archive', torrentFile, '--force'], havenEnv(warmHome)));
      // A run that found nothing to do would look fast: the file must be there again.
      if (!fs.existsSync(path.join(warmHome, 'downloads', 'bittorrent', 'payload.bin'))) throw new Error('the warm Haven run saved no file');
      const coldHome = path.join(scratch, `cold-${round}`);
      fs.mkdirSync(coldHome);
      await configure(coldHome);
      cold.push(await timed(process.execPath, [cli, 'archive', torrentFile], havenEnv(coldHome)));
      fs.rmSync(coldHome, { recursive: true, force: true });
    }
  } finally {
    await serve.stop();
    await swarm.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return {
    name: 'torrent_archive',
    description: `A ${options.megabytes} MiB single-file torrent seeded on 127.0.0.1 (local tracker, DHT/LSD/uTP off): a bare WebTorrent script vs \`haven archive FILE.torrent\`, ${options.rounds} rounds each, medians. Warm: the app (haven serve) runs and the CLI hands it the job; cold: the CLI starts Core and the plugin itself.`,
    metrics: versusRaw('webtorrent', { raw, warm, cold }, options.megabytes),
    notes: [`${roundsNote({ raw, warm, cold })}.`],
  };
}
