/** `startup` and `memory`: how fast Haven answers after a start, and what it holds in memory, idle and under a soak of jobs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createClient, type IpcClient } from '../shared/ipc/client';
import type { HavenContract } from '../shared/ipc/contract';
import { fromWebSocket, type WebSocketLike } from '../shared/ipc/transports/websocket';
import { startServe, writePluginFolder, type ServeProcess } from '../electron/testing/fixtures';
import { startStaticServer } from '../electron/testing/staticServer';
import { median, round, type BenchResult } from './stats';

async function connect(serve: ServeProcess): Promise<{ client: IpcClient<HavenContract>; socket: WebSocket }> {
  const socket = new WebSocket(`ws://${new URL(serve.origin).host}/ws?token=${serve.token}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { client: createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike)), socket };
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resident memory of a process in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** 50 plugins that do nothing but start (each in its own host process). */
function fiftyPlugins(): string {
  const root = tempDir('haven-bench-plugins-');
  for (let i = 0; i < 50; i++) writePluginFolder(root, `p${i}`, { name: `BenchPlugin${i}`, capabilities: ['METADATA'] });
  return root;
}

export async function startupBenchmark(options: { rounds: number }): Promise<BenchResult> {
  const firstAnswer: number[] = [];
  const fifty: number[] = [];
  const root = fiftyPlugins();
  for (let round = 0; round < options.rounds; round++) {
    // `haven serve` (no plugins) from the process start to the first answered call.
    const started = performance.now();
    const serve = await startServe({ env: { HAVEN_BUILTIN_PLUGINS: '' } });
    const { client, socket } = await connect(serve);
    await client.call('app.info', {});
    firstAnswer.push((performance.now() - started) / 1000);
    socket.close();
    await serve.stop();

    // 50 plugins, each in its own process, started in parallel: serve start until all run.
    const begun = performance.now();
    const many = await startServe({ env: { HAVEN_BUILTIN_PLUGINS: root } });
    const session = await connect(many);
    await until(async () => {
      const { plugins } = await session.client.call('plugins.list', {});
      return plugins.length === 50 && plugins.every((plugin) => plugin.state === 'running') ? true : undefined;
    }, 120_000, '50 plugins to run');
    fifty.push((performance.now() - begun) / 1000);
    session.socket.close();
    await many.stop();
  }
  return {
    name: 'startup',
    description: `\`haven serve\` from the process start to its first answered call (no plugins), and to 50 plugins running (one host process each, started in parallel on ${os.cpus().length} cores). ${options.rounds} rounds, medians.`,
    metrics: {
      first_answer: { value: round(median(firstAnswer), 3), unit: 's', note: `rounds: ${firstAnswer.map((v) => round(v, 2)).join(', ')}` },
      fifty_plugins_running: { value: round(median(fifty), 2), unit: 's', note: `rounds: ${fifty.map((v) => round(v, 2)).join(', ')}` },
    },
  };
}

/**
 * Idle RSS of Core (`haven serve`) and of one plugin host, then a soak: archive jobs back to back
 * (the RSS example downloading small files from 127.0.0.1) for `soakSeconds`, sampling both
 * processes' RSS. Growth compares the last quarter of the samples with the first.
 */
export async function memoryBenchmark(options: { soakSeconds: number; repo: string }): Promise<BenchResult> {
  const site = tempDir('haven-bench-soak-site-');
  fs.writeFileSync(path.join(site, 'episode.mp3'), Buffer.alloc(256 * 1024, 7));
  const server = await startStaticServer(site);
  const serve = await startServe({ env: { HAVEN_BUILTIN_PLUGINS: path.join(options.repo, 'plugins', 'examples') } });
  const { client, socket } = await connect(serve);
  try {
    const rss = await until(async () => {
      const { plugins } = await client.call('plugins.list', {});
      return plugins.find((plugin) => plugin.name === 'RssPlugin' && plugin.state === 'running' && plugin.pid);
    }, 30_000, 'RssPlugin to run');
    const hostPid = rss.pid!;
    const corePid = serve.child.pid!;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idleCore = rssMiB(corePid);
    const idleHost = rssMiB(hostPid);

    // Jobs run through a warm-up first (code compiled, caches and heaps at their working size);
    // the samples that count start after it.
    const warmupMs = Math.max(10_000, options.soakSeconds * 100);
    const samples: { core: number; host: number }[] = [];
    let sampler: NodeJS.Timeout | undefined;
    const warm = setTimeout(() => {
      sampler = setInterval(() => samples.push({ core: rssMiB(corePid), host: rssMiB(hostPid) }), Math.max(1000, (options.soakSeconds * 1000) / 60));
    }, warmupMs);
    const deadline = Date.now() + warmupMs + options.soakSeconds * 1000;
    let queued = 0;
    let finished = 0;
    while (Date.now() < deadline) {
      // Three in flight at a time; each a new source (a new query string), so each is archived.
      const counts = await client.call('jobs.counts', {});
      if (counts.queued + counts.running < 3) {
        await client.call('jobs.archive', { url: `${server.url}/episode.mp3?n=${queued++}`, plugin: 'RssPlugin' });
      } else {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      finished = counts.completed;
    }
    clearTimeout(warm);
    clearInterval(sampler);
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const growth = (pick: (s: { core: number; host: number }) => number): number => {
      const first = median(samples.slice(0, quarter).map(pick));
      const last = median(samples.slice(-quarter).map(pick));
      return ((last - first) / first) * 100;
    };
    const coreGrowth = growth((s) => s.core);
    const hostGrowth = growth((s) => s.host);
    return {
      name: 'memory',
      description: `Resident memory (VmRSS) of \`haven serve\` (Core) and of one plugin host (RssPlugin), idle for 5 s after start, then during a ${options.soakSeconds} s soak of archive jobs back to back (three at a time, 256 KiB files from 127.0.0.1), after a warm-up of ${warmupMs / 1000} s of the same jobs. Growth: the median of the last quarter of ${samples.length} samples against the first quarter.`,
      metrics: {
        core_idle: { value: round(idleCore, 1), unit: 'MiB' },
        host_idle: { value: round(idleHost, 1), unit: 'MiB' },
        jobs_in_soak: { value: finished, unit: 'jobs' },
        core_growth: { value: round(coreGrowth, 1), unit: '%', target: '≤ 10', ok: coreGrowth <= 10 },
        host_growth: { value: round(hostGrowth, 1), unit: '%', target: '≤ 10', ok: hostGrowth <= 10 },
      },
    };
  } finally {
    socket.close();
    await serve.stop();
    await server.close();
  }
}
