import { HavenError, definePlugin, recordingArchiveResult, type Disposable, type JobHandle, type MediaSource } from '@haven/sdk';
import { PumpFunApi, mintOf, type LiveCoin } from './api';
import { followChat } from './chat';
import { MINT, configSchema, type PumpFunConfig } from './config';
import { liveKitJoiner } from './livekit';
import { recordPumpStream } from './record';

export { configSchema };

/** A recording's folder name: the coin's symbol (or mint) and the time. */
function folderName(mint: string, symbol: string | undefined, now = new Date()): string {
  const label = (symbol ?? '').replace(/[^A-Za-z0-9 ._-]+/g, '').trim().slice(0, 40);
  return `${label ? `${label} ` : ''}${mint.slice(0, 8)} ${now.toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '-')}`;
}

export default definePlugin({
  configSchema,
  setup(ctx) {
    const api = (config: PumpFunConfig = ctx.config) => new PumpFunApi((url, init) => ctx.http(url, init), { api: config.api_base_url, livestream: config.livestream_api_base_url });
    const joiner = liveKitJoiner();

    /**
     * The listed streams that are live now, as sources named by their live session (when it
     * started), so one live session is one recording however often it is found.
     */
    async function discover(signal?: AbortSignal) {
      const config = ctx.config;
      const sources: MediaSource[] = [];
      const skipped: { source: MediaSource; reason: string }[] = [];
      // Nothing listed: nothing to ask pump.fun.
      if (config.stream_ids.length === 0) return { sources, skipped };
      // Names and viewer counts for the listed coins that are on the first pages of what is live.
      const names = new Map((await api(config).live(100, signal).catch(() => [] as LiveCoin[])).map((coin) => [coin.mint, coin]));
      for (const mint of config.stream_ids) {
        const coin = names.get(mint);
        const source = (session: string): MediaSource => ({ sourceId: `${mint}@${session}`, mediaType: 'video', uri: `https://pump.fun/coin/${mint}`, title: coin ? `${coin.name || coin.symbol || mint} (pump.fun live)` : `${mint} (pump.fun live)`, metadata: { mint, ...(coin ? { symbol: coin.symbol, viewers: coin.num_participants } : {}) } });
        // Each listed stream is asked about directly: the live list has pages.
        const state = await api(config).stream(mint, signal);
        if (state.isLive === false || (state.isLive === undefined && !coin)) {
          skipped.push({ source: source('offline'), reason: 'not live now' });
          continue;
        }
        if (!state.streamStartTimestamp) {
          skipped.push({ source: source('unknown'), reason: 'live, but pump.fun did not say when it started; tried again next time' });
          continue;
        }
        sources.push(source(new Date(state.streamStartTimestamp).toISOString()));
      }
      return { sources, skipped };
    }

    async function record(source: MediaSource, job: JobHandle) {
      const config = ctx.config;
      const mint = typeof source.metadata.mint === 'string' ? source.metadata.mint : mintOf(source.uri, MINT);
      if (!mint || !MINT.test(mint)) throw new HavenError('INVALID_INPUT', `${source.uri.slice(0, 200)} names no coin mint (a pump.fun address looks like https://pump.fun/coin/<mint>)`);
      if (!(await ctx.which('ffmpeg'))) throw new HavenError('NOT_FOUND', 'ffmpeg is not installed: install ffmpeg (it encodes the stream)');
      const symbol = typeof source.metadata.symbol === 'string' ? source.metadata.symbol : undefined;
      // A retry of the same job (after a crash or a restart) goes on in the same folder.
      const key = `unfinished:${job.id}`;
      const dir = ((await ctx.storage.get(key)) as string | undefined) ?? ctx.recorder.newFolder(config.output_dir ?? ctx.outputDir, folderName(mint, symbol));
      await ctx.storage.set(key, dir);
      const duration = typeof source.metadata.durationSeconds === 'number' ? source.metadata.durationSeconds : config.max_duration;
      const result = await recordPumpStream(
        {
          api: api(config),
          joiner,
          recorder: ctx.recorder,
          logger: ctx.logger,
          ...(config.record_chat ? { chat: (coin: string, onMessage: Parameters<typeof followChat>[2]) => followChat(config.chat_url, coin, onMessage, (problem) => ctx.logger.warn('pump.fun chat: connection problem', { problem })) } : {}),
        },
        { mint, dir, segmentSeconds: config.segment_duration, maxSeconds: duration, livekitUrl: config.livekit_url, job },
      );
      await ctx.storage.delete(key);
      return recordingArchiveResult(result, { mint });
    }

    let monitor: Disposable | undefined;
    const schedule = (config: PumpFunConfig): void => {
      monitor?.dispose();
      monitor = undefined;
      if (!config.monitor || config.stream_ids.length === 0) return;
      monitor = ctx.schedule({ name: 'watch listed streams', intervalMs: config.poll_interval * 1000, jitterMs: Math.min(5000, config.poll_interval * 100), maxBackoffMs: 30 * 60_000, run: () => ctx.discover('monitoring listed streams') });
    };
    schedule(ctx.config);
    ctx.onConfigChange((config) => schedule(config));

    let lastLive: { at: number; coins: LiveCoin[] } | undefined;
    return {
      async healthCheck() {
        const ffmpeg = await ctx.which('ffmpeg');
        let livekit = 'loads';
        try {
          await import('@livekit/rtc-node');
        } catch (error) {
          livekit = `cannot load (${(error as Error).message.split('\n')[0]})`;
        }
        const problems = [!ffmpeg ? 'ffmpeg is missing: install it to record' : '', livekit !== 'loads' ? `LiveKit's SDK ${livekit}` : ''].filter(Boolean);
        return {
          status: !ffmpeg || livekit !== 'loads' ? 'fail' : 'pass',
          componentId: 'pump.fun',
          output: problems.length ? problems.join('; ') : `records pump.fun streams through LiveKit (its SDK loads) and ffmpeg (${ffmpeg}); ${ctx.config.stream_ids.length} listed, monitoring ${ctx.config.monitor ? `every ${ctx.config.poll_interval} s` : 'off'}`,
        };
      },
      discoverSources: (_options, job) => discover(job?.signal),
      record,
      views: {
        live: {
          title: "What's live",
          description: 'Streams live on pump.fun now (refreshed at most every 15 s). Listed ones are recorded when monitoring is on.',
          empty: 'No stream is live on pump.fun now (or pump.fun did not answer).',
          columns: [
            { id: 'name', label: 'Coin' },
            { id: 'symbol', label: 'Symbol' },
            { id: 'viewers', label: 'Viewers', format: 'number' },
            { id: 'listed', label: 'Listed' },
          ],
          rows: async () => {
            if (!lastLive || Date.now() - lastLive.at > 15_000) lastLive = { at: Date.now(), coins: await api().live(60) };
            const listed = new Set(ctx.config.stream_ids);
            return lastLive.coins.map((coin) => ({ id: coin.mint, cells: { name: coin.name || coin.mint, symbol: coin.symbol, viewers: coin.num_participants, listed: listed.has(coin.mint) ? 'yes' : '' } }));
          },
        },
      },
    };
  },
});
