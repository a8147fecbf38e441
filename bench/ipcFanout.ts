import { fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, type MessagePort } from 'node:worker_threads';
import WebSocket from 'ws';
import { createClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { fromDomMessagePort, type DomMessagePortLike } from '@shared/ipc/transports/messagePort';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import type { FanoutConfig, FanoutServerReport } from './fanoutServer';
import { percentile, round, type BenchResult } from './stats';

interface Channel {
  protocol: MessagePassingProtocol;
  start(seconds: number): void;
  report: Promise<FanoutServerReport>;
  close(): void;
}

async function openWebSocket(config: FanoutConfig, serverEntry: string): Promise<Channel> {
  const child = fork(serverEntry, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let reportResolve: (r: FanoutServerReport) => void = () => undefined;
  const report = new Promise<FanoutServerReport>((resolve) => (reportResolve = resolve));
  const url = await new Promise<string>((resolve) =>
    child.on('message', (message: { ready?: boolean; url?: string; report?: FanoutServerReport }) => {
      if (message.ready && message.url) resolve(message.url);
      if (message.report) reportResolve(message.report);
    }),
  );
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    protocol: fromWebSocket(socket as unknown as WebSocketLike),
    start: (seconds) => child.send({ start: true, seconds }),
    report,
    close: () => {
      socket.terminate();
      child.kill();
    },
  };
}

async function openMessagePort(config: FanoutConfig, serverEntry: string): Promise<Channel> {
  const worker = new Worker(serverEntry, { workerData: config });
  let reportResolve: (r: FanoutServerReport) => void = () => undefined;
  const report = new Promise<FanoutServerReport>((resolve) => (reportResolve = resolve));
  const port = await new Promise<MessagePort>((resolve) =>
    worker.on('message', (message: { ready?: boolean; port?: MessagePort; report?: FanoutServerReport }) => {
      if (message.ready && message.port) resolve(message.port);
      if (message.report) reportResolve(message.report);
    }),
  );
  return {
    protocol: fromDomMessagePort(port as unknown as DomMessagePortLike),
    start: (seconds) => worker.postMessage({ start: true, seconds }),
    report,
    close: () => {
      port.close();
      void worker.terminate();
    },
  };
}

/** 200 jobs × 50 progress updates a second, through Core's router and coalescing, to one client. */
export async function fanoutBenchmark(options: { jobs: number; hz: number; seconds: number; serverEntry: string }): Promise<BenchResult> {
  const metrics: BenchResult['metrics'] = {};
  for (const mode of ['websocket', 'messageport'] as const) {
    const config: FanoutConfig = { mode, jobs: options.jobs, hz: options.hz };
    const channel = mode === 'websocket' ? await openWebSocket(config, options.serverEntry) : await openMessagePort(config, options.serverEntry);
    const client = createClient<HavenContract>(channel.protocol);
    const latencies: number[] = [];
    let received = 0;
    let measuring = false;
    client.subscribe('jobs.progress', {}, {
      onData: (event) => {
        if (!measuring) return;
        received++;
        latencies.push(performance.timeOrigin + performance.now() - Number(event.progress.message));
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    measuring = true;
    const began = performance.now();
    channel.start(options.seconds);
    const report = await channel.report;
    const elapsed = (performance.now() - began) / 1000;
    measuring = false;
    channel.close();
    const prefix = mode === 'websocket' ? 'ws' : 'port';
    const p99 = percentile(latencies, 99);
    metrics[`${prefix}_produced_per_s`] = { value: Math.round(report.produced / report.seconds), unit: 'updates/s' };
    metrics[`${prefix}_delivered_per_s`] = { value: Math.round(received / elapsed), unit: 'events/s', note: 'after coalescing (at most 10/s per job)' };
    metrics[`${prefix}_latency_p50`] = { value: round(percentile(latencies, 50), 2), unit: 'ms' };
    metrics[`${prefix}_latency_p99`] = { value: round(p99, 2), unit: 'ms', target: '< 50', ok: p99 < 50 };
    metrics[`${prefix}_core_loop_lag_p99`] = { value: round(report.lagP99Ms, 2), unit: 'ms', target: '< 20', ok: report.lagP99Ms < 20 };
  }
  return {
    name: 'ipc_fanout',
    description: `${options.jobs} jobs × ${options.hz} progress updates/s for ${options.seconds} s → one client, over each transport (Core and client in separate processes/threads)`,
    metrics,
  };
}

export const FANOUT_SERVER = path.join('fanout-server.js');
