/**
 * Issue 20: "a 100-tree depth-10 forest must load in < 200 ms". Fits a RandomForestRegressor of
 * 100 trees, max_depth 10, on bench/train/tree-data.ts's rows, saves its estimator state as the
 * model directory holds it (JSON, node arrays in base64), then times loading it from the file:
 * read + JSON.parse + fromJSON (which checks every node), BENCH_REPEATS times. The baseline in
 * the same run: scikit-learn 1.2's RandomForestRegressor with the same trees' size, pickled and
 * loaded back with pickle.load (what MLflow's sklearn flavour does), the same number of times.
 * One JSON line:
 *
 *   {bench:'forest-load', trees, max_depth, rows, nodes, state_bytes, load_ms: [..], load_cpu_ms: [..],
 *    load_ms_median, sklearn_nodes, sklearn_pickle_bytes, sklearn_load_ms: [..], load_avg_1m}
 *
 *   npx tsx bench/train/forest-load.ts
 *   BENCH_ROWS=50000 BENCH_REPEATS=7 npx tsx bench/train/forest-load.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadEstimator } from '../../src/ml/estimators.js';
import { RandomForestRegressor } from '../../src/ml/forest.js';
import type { EstimatorState } from '../../src/ml/types.js';
import { makeData, N_FEATURES, writeColumns } from './tree-data.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const WITH_SKLEARN = process.env.BENCH_SKLEARN !== '0';

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const round = (v: number) => Math.round(v * 10) / 10;

function main(): void {
  const data = makeData(ROWS, 20_251_123);
  const model = new RandomForestRegressor({ n_estimators: 100, max_depth: 10, random_state: 0, n_jobs: -1 });
  model.fit(data.X, data.yReg);
  const dir = mkdtempSync(join(tmpdir(), 'bench-forest-load-'));
  try {
    const file = join(dir, 'estimator.json');
    writeFileSync(file, JSON.stringify(model.toJSON()));
    const loadMs: number[] = [];
    const loadCpuMs: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const loaded = loadEstimator(JSON.parse(readFileSync(file, 'utf8')) as EstimatorState);
      loadMs.push(round(performance.now() - t0));
      const c = process.cpuUsage(c0);
      loadCpuMs.push(round((c.user + c.system) / 1000));
      if (loaded.kind !== 'regressor') throw new Error('loaded the wrong estimator');
    }
    type SklearnFigures = { nodes: number; pickle_bytes: number; load_ms: number[] };
    let sklearn = null as SklearnFigures | null;
    if (WITH_SKLEARN) {
      writeColumns(join(dir, 'X.f64'), data.X.columns);
      writeFileSync(join(dir, 'y.f64'), new Uint8Array(data.yReg.buffer));
      const script = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_forest_load.py');
      const out = execFileSync(PYTHON, [script, dir, String(ROWS), String(N_FEATURES), String(REPEATS)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      sklearn = JSON.parse(out) as SklearnFigures;
    }
    const forest = model.forest;
    console.log(
      JSON.stringify({
        bench: 'forest-load',
        trees: 100,
        max_depth: 10,
        rows: ROWS,
        nodes: forest.feature.length,
        state_bytes: readFileSync(file).byteLength,
        load_ms: loadMs,
        load_cpu_ms: loadCpuMs,
        load_ms_median: median(loadMs),
        sklearn_nodes: sklearn?.nodes ?? null,
        sklearn_pickle_bytes: sklearn?.pickle_bytes ?? null,
        sklearn_load_ms: sklearn?.load_ms ?? null,
        sklearn_load_ms_median: sklearn ? median(sklearn.load_ms) : null,
        load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
