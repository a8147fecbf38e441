// `npm run bench [-- --quick] [-- --only NAME]`: every benchmark in one run, results in
// bench/results.json and bench/RESULTS.md. The memory benchmark also takes `--soak-seconds N`
// (instead of 600, or 30 with --quick) and `--heap-snapshots` (Core's heap when the soak begins
// and ends, in bench/.work, to diff by constructor in Chrome's DevTools; they inflate Core's RSS,
// so such a run's growth figures do not count).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexBenchmark } from './index1m';
import { fanoutBenchmark } from './ipcFanout';
import { recorderBenchmark } from './recorderCpu';
import { memoryBenchmark, startupBenchmark } from './startupMemory';
import { torrentBenchmark } from './torrentArchive';
import { ytdlpBenchmark } from './ytdlpArchive';
import type { BenchResult } from './stats';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const soakArg = args.includes('--soak-seconds') ? Number(args[args.indexOf('--soak-seconds') + 1]) : undefined;
if (soakArg !== undefined && !(Number.isInteger(soakArg) && soakArg >= 10)) throw new Error('--soak-seconds needs a whole number of seconds, at least 10');
const soakSeconds = soakArg ?? (quick ? 30 : 600);
const workDir = path.join(repo, 'bench', '.work');

const benchmarks: { name: string; run: () => Promise<BenchResult> }[] = [
  { name: 'index_1m', run: () => indexBenchmark(quick ? 100_000 : 1_000_000) },
  { name: 'ipc_fanout', run: () => fanoutBenchmark({ jobs: 200, hz: 50, seconds: quick ? 4 : 15, serverEntry: path.join(here, 'fanout-server.js') }) },
  { name: 'ytdlp_archive', run: () => ytdlpBenchmark({ megabytes: quick ? 50 : 200, rounds: quick ? 2 : 3, repo }) },
  { name: 'recorder_cpu', run: () => recorderBenchmark({ seconds: quick ? 10 : 60, rounds: quick ? 1 : 2, repo }) },
  { name: 'torrent_archive', run: () => torrentBenchmark({ megabytes: quick ? 50 : 200, rounds: quick ? 2 : 3, repo, bareScript: path.join(here, 'bare-webtorrent.js') }) },
  { name: 'startup', run: () => startupBenchmark({ rounds: quick ? 1 : 3 }) },
  { name: 'memory', run: () => memoryBenchmark({ soakSeconds, repo, workDir, heapSnapshots: args.includes('--heap-snapshots') }) },
];

function markdown(results: BenchResult[], meta: Record<string, unknown>): string {
  const lines = ['# Benchmark results', '', `Run ${meta.date} on ${meta.cpus} × ${meta.cpu}, Node ${meta.node}${quick ? ' (quick run)' : ''}, in ${meta.totalSeconds} s (\`npm run bench${quick ? ' -- --quick' : ''}\`).`, ''];
  for (const result of results) {
    lines.push(`## ${result.name}`, '', result.description, '', '| metric | value | target |', '| --- | --- | --- |');
    for (const [key, metric] of Object.entries(result.metrics)) {
      const target = metric.target ? `${metric.target} ${metric.unit} ${metric.ok ? '✓' : '✗ missed'}` : '';
      lines.push(`| ${key} | ${metric.value.toLocaleString('en')} ${metric.unit}${metric.note ? ` (${metric.note})` : ''} | ${target} |`);
    }
    for (const note of result.notes ?? []) lines.push('', note);
    lines.push('');
  }
  return lines.join('\n');
}

const results: BenchResult[] = [];
const runStarted = Date.now();
const durations: Record<string, number> = {};
for (const bench of benchmarks) {
  if (only && bench.name !== only) continue;
  process.stdout.write(`running ${bench.name}…\n`);
  const started = Date.now();
  const result = await bench.run();
  results.push(result);
  durations[bench.name] = Math.round((Date.now() - started) / 100) / 10;
  process.stdout.write(`  done in ${durations[bench.name]} s\n`);
  for (const [key, metric] of Object.entries(result.metrics)) {
    process.stdout.write(`  ${key}: ${metric.value} ${metric.unit}${metric.target ? ` (target ${metric.target}: ${metric.ok ? 'met' : 'MISSED'})` : ''}\n`);
  }
  for (const note of result.notes ?? []) process.stdout.write(`  ${note}\n`);
}
const totalSeconds = Math.round((Date.now() - runStarted) / 1000);
const meta = { date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.versions.node, quick, totalSeconds, durations, ...(soakArg !== undefined ? { soakSeconds } : {}) };
process.stdout.write(`all benchmarks: ${totalSeconds} s\n`);
if (only) {
  // One benchmark alone must not replace the full set of results.
  const file = path.join(workDir, `only-${only}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...meta, results }, null, 2) + '\n');
  process.stdout.write(`wrote ${path.relative(repo, file)} (bench/RESULTS.md keeps the last full run)\n`);
} else {
  fs.writeFileSync(path.join(repo, 'bench', 'results.json'), JSON.stringify({ ...meta, results }, null, 2) + '\n');
  fs.writeFileSync(path.join(repo, 'bench', 'RESULTS.md'), markdown(results, meta));
  process.stdout.write(`wrote bench/results.json and bench/RESULTS.md\n`);
}
process.exit(0);
