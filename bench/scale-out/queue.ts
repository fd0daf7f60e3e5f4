/**
 * bench/scale-out (issue 21): sweep trials through the PostgreSQL queue (graphile-worker) against
 * the same trials in-process, in the same run.
 *
 *   {bench:'scale-out', case:'overhead', jobs, wait, queue_ms_per_job, inprocess_ms_per_job, overhead_ms_per_job}
 *   {bench:'scale-out', case:'workers', workers, trials, wall_seconds, speedup, ideal, efficiency,
 *    cpu_seconds, cores_used, jobs_per_worker}
 *
 * overhead: BENCH_JOBS (default 100) trials of a tiny ridge fit (200 rows: the fit itself costs
 * well under a millisecond), one after another, through queueTrialExecutor and one worker
 * (concurrency 1) in this process, each finishing its own child run in a SQLite store as a real
 * worker does; against the same fits scored and recorded in-process (fit + builtin metrics + the
 * child run's finishRun on the same store). The difference per job is what the queue adds:
 * add_job, the worker's LISTEN/NOTIFY wake-up, get_job, the result row, complete_job and the
 * enqueuer's wait for the result: measured twice in the same run, polling only (every
 * BENCH_POLL_MS, default 50 ms: the previous version's way, the baseline) and LISTEN/NOTIFY (the
 * default).
 *
 * workers: BENCH_TRIALS (default 12) trials of fixed cost (a 30-tree random forest, depth 10, on
 * 20k rows x 10 features, only the seed differing)
 * queued at once, served by 1, 2 and 3 workers (each its own runner and worker thread, in this
 * process); speed-up against 1 worker, and the ideal (min(workers, cores)).
 *
 *   RECIPE_TEST_POSTGRES_URL=postgresql://… npx tsx bench/scale-out/queue.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { queueTrialExecutor, type QueueWorker, startQueueWorker } from '../../src/queue/index.js';
import {
  builtinTrialMetrics,
  fitTrainTrial,
  type TrainTrialInputs,
  trialRunMetrics,
} from '../../src/sweeps/index.js';
import { openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';

const URL_BASE = process.env.BENCH_POSTGRES_URL ?? process.env.RECIPE_TEST_POSTGRES_URL;
const JOBS = Number(process.env.BENCH_JOBS ?? 100);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 12);
/** The enqueuer's result poll (the CLI's default is 200 ms). */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 50);

function inputs(
  rows: number,
  features: number,
  estimator: TrainTrialInputs['payload']['cfg']['estimator'] = { name: 'ridge', params: { alpha: 1 } },
): TrainTrialInputs {
  const columns = Array.from({ length: features }, (_, f) =>
    Float64Array.from({ length: rows }, (_, i) => ((i * (f + 3)) % 97) / 97),
  );
  const y = Float64Array.from({ length: rows }, (_, i) =>
    columns.reduce((s, c, f) => s + (f + 1) * (c[i] as number), 0),
  );
  const val = Math.max(50, Math.floor(rows / 10));
  const vcols = Array.from({ length: features }, (_, f) =>
    Float64Array.from({ length: val }, (_, i) => ((i * (f + 5)) % 89) / 89),
  );
  const truth = Float64Array.from({ length: val }, (_, i) =>
    vcols.reduce((s, c, f) => s + (f + 1) * (c[i] as number), 0),
  );
  return {
    payload: {
      recipeDir: process.cwd(),
      cfg: { estimator },
      kind: 'regressor',
      problemType: 'regression',
      X: { nRows: rows, columns },
      y,
      nClasses: 0,
      Xval: { nRows: val, columns: vcols },
    },
    truth: { number: truth },
    positiveClass: 1,
    primary: 'root_mean_squared_error',
    greater: false,
  };
}

async function withDatabase<T>(body: (url: string) => Promise<T>): Promise<T> {
  if (!URL_BASE)
    throw new Error('set RECIPE_TEST_POSTGRES_URL (or BENCH_POSTGRES_URL) to a PostgreSQL database');
  const name = `mlrecipe_bench_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL_BASE });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(URL_BASE);
  url.pathname = `/${name}`;
  try {
    return await body(url.toString());
  } finally {
    const drop = new pg.Client({ connectionString: URL_BASE });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await drop.end();
  }
}

const fp = (prefix: string, i: number) => `${prefix}${i.toString(16).padStart(8, '0')}`.padEnd(64, '0');

async function overhead(dir: string, listen: boolean): Promise<void> {
  const data = inputs(200, 2);
  const trackingUri = `sqlite:///${join(dir, `overhead-${listen ? 'listen' : 'poll'}.db`)}`;
  const store: TrackingStore = await openTrackingStore(trackingUri, {
    defaultArtifactRoot: join(dir, 'artifacts'),
  });
  const experimentId = await store.createExperiment('overhead');
  const parent = await store.createRun({ experimentId, runName: 'sweep' });
  const children = async (n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => store.createRun({ experimentId, runName: `t${i}` })));
  // In-process: fit, score, record the child run (what a local sweep does per trial).
  const local = await children(JOBS);
  const t0 = performance.now();
  for (let i = 0; i < JOBS; i++) {
    const result = await fitTrainTrial(data.payload, { params: { alpha: 1 + i / JOBS } });
    const metrics = builtinTrialMetrics({ kind: 'regressor', truth: data.truth, result, nClasses: 0 });
    await store.finishRun(local[i]?.info.run_id as string, {
      status: 'FINISHED',
      metrics: trialRunMetrics({
        status: 'ok',
        metrics,
        loss: metrics.root_mean_squared_error ?? 0,
        fitSeconds: 0,
      }),
      tags: [],
    });
  }
  const inprocessMs = (performance.now() - t0) / JOBS;
  const queued = await children(JOBS);
  const outcome = await withDatabase(async (url) => {
    const worker = await startQueueWorker({
      connectionString: url,
      concurrency: 1,
      trackingUri,
      pollIntervalMs: 1000,
      log: () => undefined,
    });
    // listen: the default (LISTEN/NOTIFY, polling every second as the fallback); else polling only.
    const session = await queueTrialExecutor(
      listen ? { connectionString: url } : { connectionString: url, pollIntervalMs: POLL_MS, listen: false },
    ).open({
      inputs: data,
      parentRunId: parent.info.run_id,
      store,
      trackingUri,
      log: () => undefined,
    });
    try {
      // One warm-up job: the worker loads the inputs and starts its fit thread once per sweep.
      await session.run({ index: 0, fingerprint: fp('a', 0), params: { alpha: 0.5 } });
      const t1 = performance.now();
      for (let i = 0; i < JOBS; i++) {
        await session.run({
          index: i + 1,
          fingerprint: fp('b', i),
          params: { alpha: 1 + i / JOBS },
          runId: queued[i]?.info.run_id as string,
        });
      }
      return (performance.now() - t1) / JOBS;
    } finally {
      await session.close();
      await worker.stop(1000);
    }
  });
  await store.close();
  console.log(
    JSON.stringify({
      bench: 'scale-out',
      case: 'overhead',
      jobs: JOBS,
      wait: listen ? 'listen' : `poll ${POLL_MS} ms`,
      queue_ms_per_job: Number(outcome.toFixed(2)),
      inprocess_ms_per_job: Number(inprocessMs.toFixed(2)),
      overhead_ms_per_job: Number((outcome - inprocessMs).toFixed(2)),
      loadavg: loadavg()[0],
    }),
  );
}

async function workers(dir: string): Promise<void> {
  // Fixed cost: the same forest each trial, only its seed differs.
  const data = inputs(20_000, 10, {
    name: 'random_forest_regressor',
    params: { n_estimators: 30, max_depth: 10, n_jobs: 1 },
  });
  let base = 0;
  for (const count of [1, 2, 3]) {
    const wall = await withDatabase(async (url) => {
      const started: QueueWorker[] = [];
      for (let w = 0; w < count; w++)
        started.push(
          await startQueueWorker({
            connectionString: url,
            concurrency: 1,
            pollIntervalMs: 200,
            log: () => undefined,
          }),
        );
      const trackingUri = `sqlite:///${join(dir, `workers-${count}.db`)}`;
      const store = await openTrackingStore(trackingUri, { defaultArtifactRoot: join(dir, 'artifacts') });
      const experimentId = await store.createExperiment('workers');
      const parent = await store.createRun({ experimentId, runName: 'sweep' });
      const session = await queueTrialExecutor({ connectionString: url, pollIntervalMs: POLL_MS }).open({
        inputs: data,
        parentRunId: parent.info.run_id,
        store,
        trackingUri,
        log: () => undefined,
      });
      try {
        // Each worker loads the inputs once: warm every worker with one job first.
        await Promise.all(
          started.map((_, w) =>
            session.run({ index: w, fingerprint: fp(`c${count}`, w), params: { random_state: 100 + w } }),
          ),
        );
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        await Promise.all(
          Array.from({ length: TRIALS }, (_, i) =>
            session.run({ index: i + 10, fingerprint: fp(`d${count}`, i), params: { random_state: i } }),
          ),
        );
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        // Which worker ran how many (warm-up included): a worker that never got a job would explain no speed-up.
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const done = await client.query<{ jobs_done: number }>(
          'SELECT jobs_done FROM mlrecipe_queue_workers ORDER BY started_at',
        );
        await client.end();
        return {
          seconds,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          perWorker: done.rows.map((r) => r.jobs_done),
        };
      } finally {
        await session.close();
        for (const w of started) await w.stop(1000);
        await store.close();
      }
    });
    if (count === 1) base = wall.seconds;
    const ideal = Math.min(count, availableParallelism());
    console.log(
      JSON.stringify({
        bench: 'scale-out',
        case: 'workers',
        workers: count,
        trials: TRIALS,
        wall_seconds: Number(wall.seconds.toFixed(2)),
        speedup: Number((base / wall.seconds).toFixed(2)),
        ideal,
        efficiency: Number((base / wall.seconds / ideal).toFixed(2)),
        // CPU this process got (all its threads) per second of wall time: the cores it actually had.
        cpu_seconds: Number(wall.cpuSeconds.toFixed(2)),
        cores_used: Number((wall.cpuSeconds / wall.seconds).toFixed(2)),
        jobs_per_worker: wall.perWorker,
        cores: availableParallelism(),
        loadavg: loadavg()[0],
      }),
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-scale-'));
try {
  const cases = (process.env.BENCH_CASES ?? 'overhead,workers').split(',');
  if (cases.includes('overhead')) {
    await overhead(dir, false);
    await overhead(dir, true);
  }
  if (cases.includes('workers')) await workers(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
