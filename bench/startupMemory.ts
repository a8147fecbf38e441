/** `startup` and `memory`: how fast Haven answers after a start, and what it holds in memory, idle and under a soak of jobs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createClient, type IpcClient } from '../shared/ipc/client';
import type { HavenContract } from '../shared/ipc/contract';
import { fromWebSocket, type WebSocketLike } from '../shared/ipc/transports/websocket';
import { startServe, writePluginFolder, type ServeProcess } from '../electron/testing/fixtures';
import { startStaticServer } from '../electron/testing/staticServer';
import type { ProbeRequest, ProbeResponse } from './memoryProbe';
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

/** One point of the memory curve (MiB, except `t` in seconds since the first job and `jobs`). */
export interface MemorySample {
  t: number;
  phase: 'warmup' | 'soak';
  /** Jobs completed so far. */
  jobs: number;
  core: number;
  /** Core's RSS split by the kernel: anonymous (heaps, malloc) and file-backed (code, mapped files). */
  coreAnon: number;
  coreFile: number;
  /** From inside Core (the probe): V8's heap, memory outside it that JS objects hold, and V8's own malloc. */
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
  arrayBuffers?: number;
  v8Malloced?: number;
  host: number;
  /** haven.db and its write-ahead log on disk. */
  db: number;
  wal: number;
}

/** RSS, RssAnon and RssFile of a process in MiB (Linux /proc). */
function rssParts(pid: number): { rss: number; anon: number; file: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

const MiB = 1024 * 1024;

function fileMiB(file: string): number {
  try {
    return fs.statSync(file).size / MiB;
  } catch {
    return 0;
  }
}

/**
 * Asks the probe loaded into Core (bench/memoryProbe.ts) for its heap figures; undefined when it
 * does not answer within 5 s (the curve then has RSS only).
 */
class CoreProbe {
  private seq = 0;
  constructor(
    readonly dir: string,
    private readonly pid: number,
  ) {}

  async ask(options: { gc?: boolean; snapshot?: string } = {}): Promise<ProbeResponse | undefined> {
    const request: ProbeRequest = { seq: ++this.seq, ...options };
    fs.writeFileSync(path.join(this.dir, 'request.json'), JSON.stringify(request));
    process.kill(this.pid, 'SIGUSR2');
    const file = path.join(this.dir, `response-${request.seq}.json`);
    const deadline = Date.now() + (options.snapshot ? 120_000 : 5000);
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (!fs.existsSync(file)) continue;
      try {
        const response = JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeResponse;
        fs.rmSync(file);
        return response.error ? undefined : response;
      } catch {
        // Read while being written: try again.
      }
    }
    return undefined;
  }
}

/** Growth in % of the median of the last `fraction` of the values against the first. */
function growthOf(values: readonly number[], fraction: number): number {
  const n = Math.max(1, Math.floor(values.length * fraction));
  const first = median(values.slice(0, n));
  const last = median(values.slice(-n));
  return ((last - first) / first) * 100;
}

/** The curve in a few points: the value at 0 %, 25 %, 50 %, 75 % and 100 % of the samples. */
function atQuarters(samples: readonly MemorySample[], pick: (s: MemorySample) => number | undefined, digits = 1): string {
  if (samples.length === 0) return 'no samples';
  return [0, 0.25, 0.5, 0.75, 1]
    .map((q) => samples[Math.min(samples.length - 1, Math.round(q * (samples.length - 1)))]!)
    .map((s) => `${round(s.t, 0)} s: ${pick(s) === undefined ? '?' : round(pick(s)!, digits)}`)
    .join(', ');
}

export interface MemoryOptions {
  soakSeconds: number;
  repo: string;
  /** Where the curve goes (memory-curve.json), and heap snapshots when asked for. */
  workDir: string;
  /**
   * Heap snapshots of Core (after a full GC) when the soak begins and when it ends, for a diff by
   * constructor. Writing one costs Core some 50 MB of native memory that the allocator keeps, so
   * RSS jumps at the first: a run with snapshots is for finding what the heap holds, not for its
   * growth figure.
   */
  heapSnapshots?: boolean;
}

/**
 * Idle RSS of Core (`haven serve`) and of one plugin host, then a soak: archive jobs back to back
 * (the RSS example downloading small files from 127.0.0.1) for `soakSeconds` after a warm-up,
 * sampling both processes' RSS and, through a probe loaded into Core for the benchmark only,
 * Core's V8 heap. The whole curve (warm-up included) goes to `workDir/memory-curve.json`. Growth
 * compares the last quarter of the soak's samples with the first.
 */
export async function memoryBenchmark(options: MemoryOptions): Promise<BenchResult> {
  const site = tempDir('haven-bench-soak-site-');
  const episode = Buffer.alloc(256 * 1024, 7);
  // Every job a new episode with a name of its own (`/episode-<n>.mp3`), as a feed has them: the
  // RSS plugin never writes over another source's file of the same name.
  const server = await startStaticServer(site, [
    (req, res) => {
      if (!/^\/episode-\d+\.mp3$/.test(req.url ?? '')) return false;
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': episode.length }).end(episode);
      return true;
    },
  ]);
  const probeDir = tempDir('haven-bench-probe-');
  const probeEntry = path.join(options.repo, 'out', 'bench', 'memory-probe.js');
  const serve = await startServe({
    env: {
      HAVEN_BUILTIN_PLUGINS: path.join(options.repo, 'plugins', 'examples'),
      HAVEN_BENCH_PROBE_DIR: probeDir,
      NODE_OPTIONS: `--import=${pathToFileURL(probeEntry).href}`,
    },
  });
  const { client, socket } = await connect(serve);
  try {
    const rss = await until(async () => {
      const { plugins } = await client.call('plugins.list', {});
      return plugins.find((plugin) => plugin.name === 'RssPlugin' && plugin.state === 'running' && plugin.pid);
    }, 30_000, 'RssPlugin to run');
    const hostPid = rss.pid!;
    const corePid = serve.child.pid!;
    const probe = new CoreProbe(probeDir, corePid);
    const dbFile = path.join(serve.home, 'haven.db');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idleCore = rssMiB(corePid);
    const idleHost = rssMiB(hostPid);
    const idleHeap = await probe.ask();

    // Jobs run through a warm-up first (code compiled, caches and heaps at their working size);
    // the samples that count start after it. The curve records the warm-up too.
    const warmupMs = Math.max(10_000, options.soakSeconds * 100);
    const intervalMs = Math.min(10_000, Math.max(1000, (options.soakSeconds * 1000) / 30));
    const curve: MemorySample[] = [];
    const begun = Date.now();
    let finished = 0;
    let failed = 0;
    let sampling: Promise<void> = Promise.resolve();
    const sample = async (): Promise<void> => {
      const phase = Date.now() - begun < warmupMs ? 'warmup' : 'soak';
      const inside = await probe.ask();
      const core = rssParts(corePid);
      curve.push({
        t: (Date.now() - begun) / 1000,
        phase,
        jobs: finished,
        core: core.rss,
        coreAnon: core.anon,
        coreFile: core.file,
        ...(inside
          ? {
              heapUsed: inside.heapUsed / MiB,
              heapTotal: inside.heapTotal / MiB,
              external: inside.external / MiB,
              arrayBuffers: inside.arrayBuffers / MiB,
              v8Malloced: inside.mallocedMemory / MiB,
            }
          : {}),
        host: rssMiB(hostPid),
        db: fileMiB(dbFile),
        wal: fileMiB(`${dbFile}-wal`),
      });
    };
    const sampler = setInterval(() => (sampling = sampling.then(sample)), intervalMs);
    let snapshotStart: string | undefined;
    const snapshotAt = options.heapSnapshots
      ? setTimeout(() => {
          // GC first, so the snapshot holds what is retained, not what waits to be collected.
          const file = path.join(options.workDir, 'core-soak-start.heapsnapshot');
          sampling = sampling.then(async () => void (snapshotStart = (await probe.ask({ gc: true, snapshot: file }))?.snapshot));
        }, warmupMs)
      : undefined;
    const deadline = begun + warmupMs + options.soakSeconds * 1000;
    let queued = 0;
    while (Date.now() < deadline) {
      // Three in flight at a time; each a new source and file, so each is archived.
      const counts = await client.call('jobs.counts', {});
      if (counts.queued + counts.running < 3) {
        await client.call('jobs.archive', { url: `${server.url}/episode-${queued++}.mp3`, plugin: 'RssPlugin' });
      } else {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      finished = counts.completed;
      failed = counts.failed;
    }
    clearInterval(sampler);
    clearTimeout(snapshotAt);
    await sampling;
    await sample();
    // After a full GC: what the soak left retained, for the notes (not part of the growth figure).
    const endSnapshot = options.heapSnapshots ? path.join(options.workDir, 'core-soak-end.heapsnapshot') : undefined;
    const settled = await probe.ask({ gc: true, ...(endSnapshot ? { snapshot: endSnapshot } : {}) });
    const settledRss = rssMiB(corePid);

    const soak = curve.filter((s) => s.phase === 'soak');
    const coreGrowth = growthOf(soak.map((s) => s.core), 1 / 4);
    const hostGrowth = growthOf(soak.map((s) => s.host), 1 / 4);
    const thirds = (pick: (s: MemorySample) => number | undefined): string => {
      const values = soak.map(pick).filter((v): v is number => v !== undefined);
      const n = Math.floor(values.length / 3);
      if (n < 1) return '?';
      const [a, b, c] = [median(values.slice(0, n)), median(values.slice(n, 2 * n)), median(values.slice(-n))];
      return `${round(a, 1)} → ${round(b, 1)} → ${round(c, 1)} MiB (${round(((b - a) / a) * 100, 1)} %, then ${round(((c - b) / b) * 100, 1)} %)`;
    };
    const mib = (bytes: number | undefined): string => (bytes === undefined ? '?' : `${round(bytes / MiB, 1)}`);
    fs.mkdirSync(options.workDir, { recursive: true });
    const curveFile = path.join(options.workDir, 'memory-curve.json');
    fs.writeFileSync(
      curveFile,
      JSON.stringify(
        {
          soakSeconds: options.soakSeconds,
          warmupSeconds: warmupMs / 1000,
          intervalSeconds: intervalMs / 1000,
          idle: { core: idleCore, host: idleHost, ...(idleHeap ? { heapUsed: idleHeap.heapUsed / MiB, external: idleHeap.external / MiB } : {}) },
          afterGc: settled ? { core: settledRss, heapUsed: settled.heapUsed / MiB, heapTotal: settled.heapTotal / MiB, external: settled.external / MiB, spaces: settled.spaces } : undefined,
          snapshots: options.heapSnapshots ? { start: snapshotStart, end: settled?.snapshot } : undefined,
          samples: curve.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? round(v, 2) : v]))),
        },
        null,
        2,
      ) + '\n',
    );
    return {
      name: 'memory',
      description: `Resident memory (VmRSS) of \`haven serve\` (Core) and of one plugin host (RssPlugin), idle for 5 s after start, then during a ${options.soakSeconds} s soak of archive jobs back to back (three at a time, 256 KiB files from 127.0.0.1), after a warm-up of ${warmupMs / 1000} s of the same jobs. Growth: the median of the last quarter of ${soak.length} samples (every ${intervalMs / 1000} s) against the first quarter. The curve (RSS, and Core's V8 heap through a probe the benchmark loads into Core) is in bench/.work/memory-curve.json.`,
      metrics: {
        core_idle: { value: round(idleCore, 1), unit: 'MiB' },
        host_idle: { value: round(idleHost, 1), unit: 'MiB' },
        jobs_in_soak: { value: finished, unit: 'jobs' },
        // A soak whose jobs fail measures an idle Core, not a busy one.
        jobs_failed: { value: failed, unit: 'jobs', target: '0', ok: failed === 0 },
        core_growth: { value: round(coreGrowth, 1), unit: '%', target: '≤ 10', ok: coreGrowth <= 10 },
        host_growth: { value: round(hostGrowth, 1), unit: '%', target: '≤ 10', ok: hostGrowth <= 10 },
      },
      notes: [
        ...(options.heapSnapshots ? ['Heap snapshots were taken (bench/.work/core-soak-*.heapsnapshot): writing one raises RSS by tens of MB for good, so this run\'s growth figures do not count.'] : []),
        `Core RSS (MiB) at points of the curve, warm-up included: ${atQuarters(curve, (s) => s.core)}; heap used: ${atQuarters(curve, (s) => s.heapUsed)}; external: ${atQuarters(curve, (s) => s.external)}.`,
        `Soak in thirds (medians): Core RSS ${thirds((s) => s.core)}; anonymous ${thirds((s) => s.coreAnon)}; heap used ${thirds((s) => s.heapUsed)}; heap total ${thirds((s) => s.heapTotal)}; host RSS ${thirds((s) => s.host)}.`,
        `After the soak and a forced full GC: Core RSS ${round(settledRss, 1)} MiB, heap used ${mib(settled?.heapUsed)} MiB of ${mib(settled?.heapTotal)}, external ${mib(settled?.external)} MiB (idle before the jobs: heap used ${mib(idleHeap?.heapUsed)} MiB). Database ${round(soak.at(-1)?.db ?? 0, 1)} MiB, WAL ${round(soak.at(-1)?.wal ?? 0, 1)} MiB.`,
      ],
    };
  } finally {
    socket.close();
    await serve.stop();
    await server.close();
    // A full soak leaves a 20 MB database behind.
    for (const dir of [probeDir, site, serve.home]) fs.rmSync(dir, { recursive: true, force: true });
  }
}
