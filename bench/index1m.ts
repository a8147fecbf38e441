import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ArchiveIndex, type NewItem } from '../electron/core/library/archiveIndex';
import { openDatabase } from '../electron/core/storage/database';
import { mean, percentile, round, type BenchResult } from './stats';

/** A deterministic pseudo-random generator, so every run indexes the same text. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ten', 'ra', 'vo', 'shi', 'den', 'por', 'ul', 'ex', 'ba', 'nor', 'qui', 'zel', 'fa', 'gri', 'mon', 'tas', 'ly'];

function vocabulary(size: number, random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

export async function indexBenchmark(count: number): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-index-'));
  const db = openDatabase(path.join(dir, 'haven.db'));
  const index = new ArchiveIndex(db);
  const random = rng(42);
  const words = vocabulary(20_000, random);
  // Zipf-like: common words are much more common, as in real titles.
  const word = () => words[Math.floor(words.length * random() ** 3)]!;
  const phrase = (min: number, max: number) => Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, word).join(' ');
  const channels = Array.from({ length: 2000 }, () => phrase(1, 3));
  const make = (i: number): NewItem => ({
    plugin: i % 3 === 0 ? 'BitTorrentPlugin' : 'YouTubePlugin',
    sourceId: `src-${i}`,
    mediaType: 'video',
    title: phrase(4, 9),
    uri: `https://example.invalid/watch?v=${i}`,
    outputPath: `/archive/${i}.mp4`,
    size: 1_000_000 + i,
    sha256: i.toString(16).padStart(64, '0'),
    metadata: { description: phrase(20, 45), channel: channels[i % channels.length] },
    tags: [word(), word(), word()],
    createdAt: Date.now() - i * 1000,
  });

  const batch = 10_000;
  const started = performance.now();
  for (let offset = 0; offset < count; offset += batch) {
    const items = Array.from({ length: Math.min(batch, count - offset) }, (_, k) => make(offset + k));
    index.insertBatch(items);
  }
  const fillSeconds = (performance.now() - started) / 1000;

  // The path one finished archive takes: one upsert, one transaction.
  const singles = 2000;
  const singleStarted = performance.now();
  for (let i = 0; i < singles; i++) index.upsert(make(count + i));
  const singleRate = singles / ((performance.now() - singleStarted) / 1000);

  const lookups: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const id = Math.floor(random() * count * 2); // half of them miss
    const t = performance.now();
    index.findBySource(id % 3 === 0 ? 'BitTorrentPlugin' : 'YouTubePlugin', `src-${id}`);
    lookups.push((performance.now() - t) * 1000);
  }

  const queries: number[] = [];
  const byKind: number[][] = [[], [], []];
  const hits: number[] = [];
  for (let i = 0; i < 300; i++) {
    const kind = i % 3;
    const text = kind === 0 ? word() : kind === 1 ? `${word()} ${word()}` : word().slice(0, 4);
    const t = performance.now();
    const { total } = index.search({ text, limit: 50, offset: 0 });
    const ms = performance.now() - t;
    queries.push(ms);
    byKind[kind]!.push(ms);
    hits.push(total);
  }

  db.close();
  const bytes = fs.readdirSync(dir).reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
  if (process.env.HAVEN_BENCH_KEEP) process.stdout.write(`  kept ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
  return {
    name: 'index_1m',
    description: `Archive index with ${count.toLocaleString('en')} items (SQLite WAL + FTS5 over title, description, channel, tags)`,
    metrics: {
      items: { value: count, unit: 'items' },
      insert_rate_batched: { value: Math.round(count / fillSeconds), unit: 'items/s', note: 'imports: 10,000 per transaction, with FTS' },
      insert_rate_single: { value: Math.round(singleRate), unit: 'items/s', note: 'one transaction per archived item' },
      duplicate_check_mean: { value: round(mean(lookups), 1), unit: 'µs' },
      duplicate_check_p99: { value: round(percentile(lookups, 99), 1), unit: 'µs' },
      fts_query_p50: { value: round(percentile(queries, 50), 2), unit: 'ms' },
      fts_query_p99: { value: round(percentile(queries, 99), 2), unit: 'ms' },
      fts_one_word_p99: { value: round(percentile(byKind[0]!, 99), 2), unit: 'ms', note: 'a word as typed (also a prefix)' },
      fts_two_words_p99: { value: round(percentile(byKind[1]!, 99), 2), unit: 'ms' },
      fts_short_prefix_p99: { value: round(percentile(byKind[2]!, 99), 2), unit: 'ms', note: 'the first 4 letters of a word' },
      fts_matches_mean: { value: Math.round(mean(hits)), unit: 'items', note: 'total matches counted per query (first page of 50 returned)' },
      database_size: { value: round(bytes / 1024 / 1024, 1), unit: 'MiB' },
    },
  };
}
