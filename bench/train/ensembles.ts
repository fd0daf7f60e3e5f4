/**
 * Tree ensembles' training speed and quality against scikit-learn (and XGBoost for boosting),
 * same data, same run: issue 20's benchmark.
 *
 * The data is bench/train/trees.ts's (10 continuous features, a Friedman-style regression target
 * with noise and a 3-class target cut from it), 100k and 800k training rows, metrics on 100k
 * held-out rows. Cases:
 *
 *   - random forests and extra trees, `max_depth` 10 (BENCH_MAX_DEPTH), 100 trees at 100k and
 *     20 at 800k (BENCH_FOREST_TREES, one count per row count: scikit-learn's 100 fully grown
 *     800k-row trees take tens of minutes here); scikit-learn with n_jobs=-1 (both cores);
 *   - histogram gradient boosting, 100 iterations, scikit-learn's defaults otherwise but
 *     early_stopping off on both sides (so both grow the same number of trees); XGBoost `hist`,
 *     lossguide, 31 leaves, 255 bins, same rounds and learning rate, both cores.
 *
 * Ours run with `n_jobs` from BENCH_N_JOBS (a list: each case is fitted once per value, so
 * one thread and two are measured in the same run; default 1). For each case one JSON line:
 *
 *   {bench:'train', estimator, rows, n_jobs, trees, fit_s, fit_cpu_s, predict_s, load_s, metric,
 *    sklearn_fit_s, sklearn_fit_cpu_s, sklearn_predict_s, sklearn_metric,
 *    xgboost_fit_s, xgboost_predict_s, xgboost_metric, fit_wall_ratio, load_avg_1m}
 *
 * load_s is JSON.parse + fromJSON of the saved state (the model-load cost). Predict is timed on
 * the 100k test rows on every side.
 *
 *   npx tsx bench/train/ensembles.ts
 *   BENCH_ROWS=100000 BENCH_FOREST_TREES=100 npx tsx bench/train/ensembles.ts
 *   BENCH_ONLY=hist_gradient_boosting_regressor BENCH_SKLEARN=0 npx tsx bench/train/ensembles.ts
 *   npm run build && BENCH_DIST=1 BENCH_N_JOBS=1,2 npx tsx bench/train/ensembles.ts
 *
 * BENCH_DIST=1 trains with the built package (dist/ml), as an installed mlrecipe runs: worker
 * threads then load compiled JavaScript, where from the sources each one compiles the
 * TypeScript through tsx first (about half a second of CPU per fit on this machine).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as sourceEstimators from '../../src/ml/estimators.js';
import type { EstimatorState, FeatureMatrix } from '../../src/ml/types.js';
import { accuracy_score as accuracy } from '../../src/ml/metrics/classification.js';
import { r2_score as r2 } from '../../src/ml/metrics/regression.js';
import { type Dataset, makeData, N_FEATURES, writeColumns } from './tree-data.js';

const ROWS = (process.env.BENCH_ROWS ?? '100000,800000').split(',').map(Number);
const FOREST_TREES = (process.env.BENCH_FOREST_TREES ?? '100,20').split(',').map(Number);
const N_TEST = Number(process.env.BENCH_TEST_ROWS ?? 100_000);
const MAX_DEPTH = Number(process.env.BENCH_MAX_DEPTH ?? 10);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const WITH_SKLEARN = process.env.BENCH_SKLEARN !== '0';
const ONLY = process.env.BENCH_ONLY?.split(',');
const N_JOBS = (process.env.BENCH_N_JOBS ?? '1').split(',').map(Number);

const ESTIMATORS = [
  'random_forest_regressor',
  'random_forest_classifier',
  'extra_trees_regressor',
  'extra_trees_classifier',
  'hist_gradient_boosting_regressor',
  'hist_gradient_boosting_classifier',
].filter((name) => !ONLY || ONLY.includes(name));

function paramsFor(estimator: string, rowsIndex: number): Record<string, unknown> {
  if (estimator.startsWith('hist_')) return { max_iter: 100, early_stopping: false, random_state: 0 };
  return { n_estimators: FOREST_TREES[rowsIndex] ?? FOREST_TREES[0], max_depth: MAX_DEPTH, random_state: 0 };
}

interface ReferenceFigures {
  library: 'sklearn' | 'xgboost';
  estimator: string;
  rows: number;
  fit_s: number;
  fit_cpu_s: number;
  predict_s: number;
  metric: number;
}

function runReferences(train: Dataset, test: Dataset, nTrain: number): ReferenceFigures[] {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ensembles-'));
  try {
    writeColumns(join(dir, 'train_X.f64'), train.X.columns);
    writeColumns(join(dir, 'test_X.f64'), test.X.columns);
    writeFileSync(join(dir, 'train_y_reg.f64'), new Uint8Array(train.yReg.buffer));
    writeFileSync(join(dir, 'train_y_cls.i32'), new Uint8Array(train.yCls.buffer));
    writeFileSync(join(dir, 'test_y_reg.f64'), new Uint8Array(test.yReg.buffer));
    writeFileSync(join(dir, 'test_y_cls.i32'), new Uint8Array(test.yCls.buffer));
    writeFileSync(
      join(dir, 'meta.json'),
      JSON.stringify({ n_train: nTrain, n_test: test.X.nRows, n_features: N_FEATURES }),
    );
    const cases = ROWS.flatMap((rows, r) =>
      ESTIMATORS.map((estimator) => ({ estimator, rows, params: paramsFor(estimator, r) })),
    );
    const script = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_ensembles.py');
    const out = execFileSync(PYTHON, [script, dir, JSON.stringify(cases)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReferenceFigures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Estimators = Pick<typeof sourceEstimators, 'createEstimator' | 'loadEstimator'>;
const { createEstimator, loadEstimator }: Estimators = process.env.BENCH_DIST
  ? ((await import(new URL('../../dist/ml/index.js', import.meta.url).href)) as Estimators)
  : sourceEstimators;

function main(): void {
  const nTrain = Math.max(...ROWS);
  const train = makeData(nTrain, 20_251_123);
  const test = makeData(N_TEST, 7);
  const refs = WITH_SKLEARN ? runReferences(train, test, nTrain) : [];
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  ROWS.forEach((rows, r) => {
    const X: FeatureMatrix = { nRows: rows, columns: train.X.columns.map((c) => c.subarray(0, rows)) };
    for (const [estimator, nJobs] of ESTIMATORS.flatMap((e) => N_JOBS.map((j) => [e, j] as const))) {
      const params = { ...paramsFor(estimator, r), n_jobs: nJobs };
      const model = createEstimator(estimator, params);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (model.kind === 'regressor') model.fit(X, train.yReg.subarray(0, rows));
      else model.fit(X, train.yCls.subarray(0, rows), 3);
      const fitS = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      const t1 = performance.now();
      const metric =
        model.kind === 'regressor'
          ? r2(test.yReg, model.predict(test.X))
          : accuracy(test.yCls, model.predict(test.X));
      const predictS = (performance.now() - t1) / 1000;
      const text = JSON.stringify(model.toJSON());
      const c2 = process.cpuUsage();
      const t2 = performance.now();
      loadEstimator(JSON.parse(text) as EstimatorState);
      const loadS = (performance.now() - t2) / 1000;
      const loadCpu = process.cpuUsage(c2);
      const sk = refs.find((f) => f.library === 'sklearn' && f.estimator === estimator && f.rows === rows);
      const xgb = refs.find((f) => f.library === 'xgboost' && f.estimator === estimator && f.rows === rows);
      console.log(
        JSON.stringify({
          bench: 'train',
          estimator,
          rows,
          n_jobs: nJobs,
          features: N_FEATURES,
          params,
          fit_s: round(fitS),
          fit_cpu_s: round((cpu.user + cpu.system) / 1e6),
          predict_s: round(predictS),
          load_s: round(loadS),
          load_cpu_s: round((loadCpu.user + loadCpu.system) / 1e6),
          state_bytes: text.length,
          metric: round(metric),
          metric_name: model.kind === 'regressor' ? 'r2' : 'accuracy',
          sklearn_fit_s: sk ? round(sk.fit_s) : null,
          sklearn_fit_cpu_s: sk ? round(sk.fit_cpu_s) : null,
          sklearn_predict_s: sk ? round(sk.predict_s) : null,
          sklearn_metric: sk ? round(sk.metric) : null,
          xgboost_fit_s: xgb ? round(xgb.fit_s) : null,
          xgboost_predict_s: xgb ? round(xgb.predict_s) : null,
          xgboost_metric: xgb ? round(xgb.metric) : null,
          // ours ÷ theirs (wall): below 1 means we are faster
          fit_wall_ratio: sk ? Math.round((fitS / sk.fit_s) * 1e3) / 1e3 : null,
          fit_wall_ratio_xgboost: xgb ? Math.round((fitS / xgb.fit_s) * 1e3) / 1e3 : null,
          load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
        }),
      );
    }
  });
}

main();
