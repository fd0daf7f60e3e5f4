/**
 * bench/sweep's cached-trial recording part: a re-run of an unchanged sweep records every cached
 * trial as a child run again. One JSON line per way, on the same SQLite store in the same run:
 *
 *   per_trial: createRun + logBatch + updateRun per trial (three transactions each; before)
 *   batched:   one createFinishedRuns call for all of them (one transaction; src/sweeps/train-sweep.ts)
 *
 *   BENCH_TRIALS=24 BENCH_REPEATS=5 npx tsx bench/sweep/record-cached.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type FinishedRunOptions, openTrackingStore } from '../../src/tracking/index.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 24);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-cached-'));
const store = await openTrackingStore(`sqlite:///${join(dir, 'tracking.db')}`, {
  defaultArtifactRoot: join(dir, 'artifacts'),
});
try {
  const experimentId = await store.createExperiment('bench');
  const parent = await store.createRun({ experimentId, runName: 'parent' });
  const trial = (i: number): FinishedRunOptions => ({
    experimentId,
    runName: `parent-trial-${i}`,
    tags: [
      { key: 'mlflow.parentRunId', value: parent.info.run_id },
      { key: 'mlrecipe.trial.index', value: String(i) },
      { key: 'mlrecipe.trial.fingerprint', value: 'f'.repeat(64) },
      { key: 'mlrecipe.trial.reused_from', value: 'a'.repeat(32) },
    ],
    params: [
      { key: 'alpha', value: String(i / 100) },
      { key: 'fit_intercept', value: 'true' },
    ],
    metrics: [
      'val_root_mean_squared_error',
      'val_r2_score',
      'val_mean_absolute_error',
      'loss',
      'fit_seconds',
    ].map((key, k) => ({ key, value: i + k, timestamp: Date.now(), step: 0 })),
    status: 'FINISHED',
    startTime: Date.now(),
    endTime: Date.now(),
  });
  const times: Record<'per_trial' | 'batched', number[]> = { per_trial: [], batched: [] };
  for (let r = 0; r < REPEATS; r++) {
    let t0 = performance.now();
    for (let i = 0; i < TRIALS; i++) {
      const t = trial(i);
      const run = await store.createRun({ experimentId, runName: t.runName as string, tags: t.tags ?? [] });
      await store.logBatch(run.info.run_id, { params: t.params ?? [], metrics: t.metrics ?? [] });
      await store.updateRun(run.info.run_id, { status: t.status, endTime: t.endTime });
    }
    times.per_trial.push(performance.now() - t0);
    t0 = performance.now();
    await store.createFinishedRuns?.(Array.from({ length: TRIALS }, (_, i) => trial(i)));
    times.batched.push(performance.now() - t0);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  const perTrial = median(times.per_trial);
  for (const [way, list] of Object.entries(times)) {
    const ms = median(list);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'sweep',
        case: 'record_cached',
        way,
        trials: TRIALS,
        repeats: REPEATS,
        median_ms: Number(ms.toFixed(1)),
        ms_per_trial: Number((ms / TRIALS).toFixed(2)),
        speedup_vs_per_trial: Number((perTrial / ms).toFixed(1)),
        load_avg_1m: Number(loadavg()[0].toFixed(2)),
      })}\n`,
    );
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
