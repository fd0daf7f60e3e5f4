/**
 * Decision-tree training speed and quality against scikit-learn, same data, same run.
 *
 * Synthetic data: 10 continuous features (uniform and normal; no missing values, which
 * scikit-learn 1.2's trees reject), a Friedman-style regression target with noise, and a
 * 3-class target cut from it. Trees of depth 10 on 100k and 800k training rows; predict is
 * timed on the same training rows (throughput, as bench/train/linear.ts), the metric is scored
 * on 100k held-out rows (R² / accuracy). Prints one JSON line per case:
 *
 *   {bench:'train', estimator, rows, fit_s, predict_s, sklearn_fit_s, sklearn_predict_s, metric, sklearn_metric}
 *
 * plus fit_cpu_s / sklearn_fit_cpu_s (process CPU seconds), fit_cpu_ratio / fit_wall_ratio (ours ÷
 * scikit-learn's) and the 1-minute load average: on a
 * shared machine wall time mostly measures the neighbours.
 *
 *   npx tsx bench/train/trees.ts
 *   BENCH_ROWS=100000 npx tsx bench/train/trees.ts     # fewer cases
 *   BENCH_SKLEARN=0 npx tsx bench/train/trees.ts       # ours only (sklearn_* are null)
 *   BENCH_MAX_DEPTH=none BENCH_ROWS=100000 npx tsx bench/train/trees.ts   # fully grown trees
 *
 * scikit-learn runs through Debian's /usr/bin/python3 (sklearn 1.2), fitting on float64
 * row-major arrays, on one core (its trees are single-threaded).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DecisionTreeClassifier, DecisionTreeRegressor } from '../../src/ml/decision-tree.js';
import type { FeatureMatrix } from '../../src/ml/types.js';
import { accuracy_score as accuracy } from '../../src/ml/metrics/classification.js';
import { r2_score as r2 } from '../../src/ml/metrics/regression.js';
import { type Dataset, makeData, N_FEATURES, writeColumns } from './tree-data.js';

const ROWS = (process.env.BENCH_ROWS ?? '100000,800000').split(',').map(Number);
const N_TEST = Number(process.env.BENCH_TEST_ROWS ?? 100_000);
/** BENCH_MAX_DEPTH=none grows full trees (scikit-learn's default). */
const MAX_DEPTH = process.env.BENCH_MAX_DEPTH === 'none' ? null : Number(process.env.BENCH_MAX_DEPTH ?? 10);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const WITH_SKLEARN = process.env.BENCH_SKLEARN !== '0';

function head(X: FeatureMatrix, n: number): FeatureMatrix {
  return { nRows: n, columns: X.columns.map((c) => c.subarray(0, n)) };
}

interface SklearnFigures {
  estimator: string;
  rows: number;
  fit_s: number;
  fit_cpu_s: number;
  predict_s: number;
  metric: number;
}

/** CPU seconds (user + system) of this process: steadier than wall time on a shared machine. */
function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

function runSklearn(train: Dataset, test: Dataset, nTrain: number): SklearnFigures[] {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trees-'));
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
    const script = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_trees.py');
    const out = execFileSync(PYTHON, [script, dir, String(MAX_DEPTH ?? 'none'), ...ROWS.map(String)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    return out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SklearnFigures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const nTrain = Math.max(...ROWS);
  const train = makeData(nTrain, 20_251_123);
  const test = makeData(N_TEST, 7);
  const sklearn = WITH_SKLEARN ? runSklearn(train, test, nTrain) : [];
  for (const rows of ROWS) {
    const X = head(train.X, rows);
    const cases = [
      {
        estimator: 'decision_tree_regressor',
        run: () => {
          const model = new DecisionTreeRegressor({ max_depth: MAX_DEPTH, random_state: 0 });
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          model.fit(X, train.yReg.subarray(0, rows));
          const t1 = performance.now();
          const cpu = cpuSeconds(process.cpuUsage(c0));
          model.predict(X);
          const t2 = performance.now();
          return {
            fit: t1 - t0,
            fitCpu: cpu,
            predict: t2 - t1,
            metric: r2(test.yReg, model.predict(test.X)),
          };
        },
      },
      {
        estimator: 'decision_tree_classifier',
        run: () => {
          const model = new DecisionTreeClassifier({ max_depth: MAX_DEPTH, random_state: 0 });
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          model.fit(X, train.yCls.subarray(0, rows), 3);
          const t1 = performance.now();
          const cpu = cpuSeconds(process.cpuUsage(c0));
          model.predict(X);
          const t2 = performance.now();
          return {
            fit: t1 - t0,
            fitCpu: cpu,
            predict: t2 - t1,
            metric: accuracy(test.yCls, model.predict(test.X)),
          };
        },
      },
    ];
    for (const c of cases) {
      const ours = c.run();
      const sk = sklearn.find((s) => s.estimator === c.estimator && s.rows === rows);
      const round = (v: number) => Math.round(v * 1e4) / 1e4;
      console.log(
        JSON.stringify({
          bench: 'train',
          estimator: c.estimator,
          rows,
          features: N_FEATURES,
          max_depth: MAX_DEPTH,
          predict_rows: rows,
          fit_s: round(ours.fit / 1000),
          fit_cpu_s: round(ours.fitCpu),
          predict_s: round(ours.predict / 1000),
          sklearn_fit_s: sk ? round(sk.fit_s) : null,
          sklearn_fit_cpu_s: sk ? round(sk.fit_cpu_s) : null,
          sklearn_predict_s: sk ? round(sk.predict_s) : null,
          metric: round(ours.metric),
          sklearn_metric: sk ? round(sk.metric) : null,
          metric_name: c.estimator.endsWith('regressor') ? 'r2' : 'accuracy',
          // ours ÷ scikit-learn's: below 1 means we are faster
          fit_cpu_ratio: sk ? Math.round((ours.fitCpu / sk.fit_cpu_s) * 1e3) / 1e3 : null,
          fit_wall_ratio: sk ? Math.round((ours.fit / 1000 / sk.fit_s) * 1e3) / 1e3 : null,
          load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
        }),
      );
    }
  }
}

main();
