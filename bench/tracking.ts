/**
 * Tracking-store throughput: metrics/s through logBatch into one run (100k metrics in batches of
 * 1000), and searchRuns latency (median) with a filter + order_by over 10k runs × 10 params × 10
 * metrics. SQLite (a fresh temp file) always; PostgreSQL when RECIPE_TEST_POSTGRES_URL is set
 * (new experiments are created there and left behind, so point it at a scratch database).
 *
 *   npx tsx bench/tracking.ts            # prints one JSON line
 *   BENCH_RUNS=2000 npx tsx bench/tracking.ts   # smaller, for a quick look
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Metric, openTrackingStore, type TrackingStore } from '../src/tracking/index.js';

const METRICS_TOTAL = Number(process.env.BENCH_METRICS ?? 100_000);
const BATCH = 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const PARAMS_PER_RUN = 10;
const METRICS_PER_RUN = 10;
const SEARCH_REPEATS = 7;
const FILTER = "metrics.m0 < 0.5 and params.p1 = 'v3'";
const ORDER_BY = ['metrics.m1 DESC'];

interface StoreFigures {
  log_batch_metrics_per_s: number;
  log_batch_seconds: number;
  populate_runs_per_s: number;
  search_runs_median_ms: number;
  search_runs_min_ms: number;
  search_runs_matches: number;
  search_runs_runs: number;
}

/** A deterministic pseudo-random stream, so every backend gets the same data. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function benchStore(store: TrackingStore): Promise<StoreFigures> {
  const experimentId = await store.createExperiment(`bench-${Date.now()}`);

  // 1. logBatch throughput into a single run.
  const run = await store.createRun({ experimentId, runName: 'log-batch' });
  const now = Date.now();
  const batches: Metric[][] = [];
  for (let b = 0; b < METRICS_TOTAL / BATCH; b++) {
    batches.push(
      Array.from({ length: BATCH }, (_, i) => ({
        key: `k${i % 10}`,
        value: b * BATCH + i,
        step: b * 100 + Math.floor(i / 10),
        timestamp: now,
      })),
    );
  }
  const t0 = performance.now();
  for (const metrics of batches) await store.logBatch(run.info.run_id, { metrics });
  const logSeconds = (performance.now() - t0) / 1000;

  // 2. searchRuns over RUNS runs with 10 params and 10 metrics each.
  const searchExperiment = await store.createExperiment(`bench-search-${Date.now()}`);
  const random = lcg(42);
  const t1 = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const created = await store.createRun({
      experimentId: searchExperiment,
      runName: `r${r}`,
      startTime: now + r,
    });
    await store.logBatch(created.info.run_id, {
      params: Array.from({ length: PARAMS_PER_RUN }, (_, p) => ({
        key: `p${p}`,
        value: `v${Math.floor(random() * 10)}`,
      })),
      metrics: Array.from({ length: METRICS_PER_RUN }, (_, m) => ({
        key: `m${m}`,
        value: random(),
        step: 0,
        timestamp: now,
      })),
    });
  }
  const populateSeconds = (performance.now() - t1) / 1000;

  const times: number[] = [];
  let matches = 0;
  for (let i = 0; i < SEARCH_REPEATS; i++) {
    const t = performance.now();
    const result = await store.searchRuns({
      experimentIds: [searchExperiment],
      filter: FILTER,
      orderBy: ORDER_BY,
      maxResults: 100,
    });
    times.push(performance.now() - t);
    matches = result.runs.length;
  }
  return {
    log_batch_metrics_per_s: Math.round(METRICS_TOTAL / logSeconds),
    log_batch_seconds: round(logSeconds, 2),
    populate_runs_per_s: Math.round(RUNS / populateSeconds),
    search_runs_median_ms: round(median(times)),
    search_runs_min_ms: round(Math.min(...times)),
    search_runs_matches: matches,
    search_runs_runs: RUNS,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mlrecipe-bench-tracking-'));
  const figures: Record<string, unknown> = {
    bench: 'tracking',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    // The machine may be shared; a high load average explains slow, noisy figures.
    load_avg_1m_at_start: round(loadavg()[0] ?? 0, 2),
    metrics_total: METRICS_TOTAL,
    batch_size: BATCH,
    filter: FILTER,
    order_by: ORDER_BY,
    max_results: 100,
  };
  try {
    const sqlite = await openTrackingStore(`sqlite:///${join(dir, 'tracking.db')}`, {
      defaultArtifactRoot: join(dir, 'artifacts'),
    });
    try {
      figures.sqlite = await benchStore(sqlite);
    } finally {
      await sqlite.close();
    }
    const pgUrl = process.env.RECIPE_TEST_POSTGRES_URL;
    if (pgUrl) {
      const pg = await openTrackingStore(pgUrl, { defaultArtifactRoot: join(dir, 'artifacts') });
      try {
        figures.postgresql = await benchStore(pg);
      } finally {
        await pg.close();
      }
    } else {
      figures.postgresql = null;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await main();
