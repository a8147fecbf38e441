/**
 * Loaded into Core by the `memory` benchmark only (`NODE_OPTIONS=--import …/memory-probe.js`), never
 * by Haven itself: it answers the benchmark's questions about Core's heap from inside the process.
 *
 * The benchmark writes a request to `$HAVEN_BENCH_PROBE_DIR/request.json` and sends SIGUSR2; the
 * probe answers in `response-<seq>.json`: `process.memoryUsage()` and V8's heap statistics, after
 * a full garbage collection when asked (`gc`), and a heap snapshot when asked (`snapshot`: a path).
 * Without the variable it does nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface ProbeRequest {
  seq: number;
  gc?: boolean;
  snapshot?: string;
}

export interface ProbeResponse {
  seq: number;
  /** Bytes, from `process.memoryUsage()`. */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Bytes V8 itself has malloc'ed (outside the JS heap), and the peak. */
  mallocedMemory: number;
  peakMallocedMemory: number;
  /** Used bytes per V8 heap space (old_space, new_space, code_space, large_object_space, …). */
  spaces: Record<string, number>;
  snapshot?: string;
  error?: string;
}

const dir = process.env.HAVEN_BENCH_PROBE_DIR;
if (dir) {
  // Nothing Core starts (plugin hosts get a clean environment anyway) should load the probe too.
  delete process.env.HAVEN_BENCH_PROBE_DIR;
  delete process.env.NODE_OPTIONS;
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  process.on('SIGUSR2', () => {
    let request: ProbeRequest = { seq: -1 };
    try {
      request = JSON.parse(fs.readFileSync(path.join(dir, 'request.json'), 'utf8')) as ProbeRequest;
      if (request.gc) gc();
      const snapshot = request.snapshot ? v8.writeHeapSnapshot(request.snapshot) : undefined;
      const usage = process.memoryUsage();
      const heap = v8.getHeapStatistics();
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
      const response: ProbeResponse = {
        seq: request.seq,
        rss: usage.rss,
        heapTotal: usage.heapTotal,
        heapUsed: usage.heapUsed,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
        mallocedMemory: heap.malloced_memory,
        peakMallocedMemory: heap.peak_malloced_memory,
        spaces,
        ...(snapshot ? { snapshot } : {}),
      };
      fs.writeFileSync(path.join(dir, `response-${request.seq}.json`), JSON.stringify(response));
    } catch (error) {
      fs.writeFileSync(path.join(dir, `response-${request.seq}.json`), JSON.stringify({ seq: request.seq, error: String(error) }));
    }
  });
}
