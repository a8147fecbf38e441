// The Core side of the ipc_fanout benchmark: a real Core whose `jobs.progress` stream is fed by
// synthetic jobs (N jobs × H updates a second), served over WebSocket (child process) or a
// MessagePort (worker thread). Everything between the producer and the wire is Core's own code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MessageChannel, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { JobProgressEvent } from '@shared/domain/jobs';
import { havenContract } from '@shared/ipc/contract';
import { fromDomMessagePort, type DomMessagePortLike } from '@shared/ipc/transports/messagePort';
import { Emitter } from '@shared/lifecycle';
import { startCore } from '../electron/core/core';
import { createHandlers } from '../electron/core/ipc/handlers';
import { IpcRouter } from '../electron/core/ipc/router';
import { startHttpServer } from '../electron/core/serve/httpServer';

export interface FanoutConfig {
  mode: 'websocket' | 'messageport';
  jobs: number;
  hz: number;
}

export interface FanoutServerReport {
  produced: number;
  seconds: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

async function main(config: FanoutConfig, send: (message: unknown, transfer?: unknown[]) => void, onMessage: (fn: (message: unknown) => void) => void): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-fanout-'));
  const core = await startCore({ home, host: 'test', builtinPluginRoots: [], pluginHostEntry: 'none', stderrLogLevel: 'off', watchPlugins: false, autoStartPlugins: false, runJobs: false });
  const source = new Emitter<JobProgressEvent>();
  const handlers = createHandlers({ info: core.info, catalog: core.catalog, plugins: core.plugins, settings: core.settings, jobs: core.jobs, library: core.library, derived: core.derived, packages: core.packages, pluginLogs: core.pluginLogs, droppedDir: path.join(home, 'dropped') });
  handlers.events['jobs.progress'] = ({ jobId }, sink) => source.event((event) => (!jobId || event.jobId === jobId) && sink.next(event));
  const router = new IpcRouter(havenContract, handlers);

  if (config.mode === 'websocket') {
    const ui = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-ui-'));
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
    const token = 'bench-token-0123456789abcdef';
    const server = await startHttpServer({ host: '127.0.0.1', port: 0, token, rendererDir: ui, connect: (p, t) => router.connect(p, t), logger: core.logger });
    send({ ready: true, url: `ws://127.0.0.1:${server.port}/ws?token=${token}` });
  } else {
    const { port1, port2 } = new MessageChannel();
    router.connect(fromDomMessagePort(port1 as unknown as DomMessagePortLike), 'messageport');
    send({ ready: true, port: port2 }, [port2]);
  }

  onMessage((message) => {
    const { start, seconds } = message as { start?: boolean; seconds: number };
    if (!start) return;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const bytes = new Array<number>(config.jobs).fill(0);
    let produced = 0;
    const began = performance.now();
    const tick = setInterval(() => {
      const now = performance.timeOrigin + performance.now();
      for (let j = 0; j < config.jobs; j++) {
        bytes[j]! += 65_536;
        source.fire({ jobId: `job-${j}`, plugin: 'Bench', progress: { bytesDone: bytes[j]!, bytesTotal: 1e12, speedBps: 3_276_800, phase: 'downloading', message: String(now) } });
        produced++;
      }
    }, 1000 / config.hz);
    setTimeout(() => {
      clearInterval(tick);
      lag.disable();
      const report: FanoutServerReport = {
        produced,
        seconds: (performance.now() - began) / 1000,
        lagP50Ms: lag.percentile(50) / 1e6,
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
      };
      send({ report });
      setTimeout(() => {
        void core.dispose().finally(() => process.exit(0));
      }, 500);
    }, seconds * 1000);
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void main(workerData as FanoutConfig, (message, transfer) => port.postMessage(message, transfer as never), (fn) => port.on('message', fn));
} else if (process.send) {
  const config = JSON.parse(process.argv[2] ?? '{}') as FanoutConfig;
  void main(config, (message) => process.send!(message), (fn) => process.on('message', fn));
}
