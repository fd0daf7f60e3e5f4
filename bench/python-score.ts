/**
 * bench/python-score: scoring rows with a scikit-learn model through the Python worker (issue 19's
 * figure: >= 50k rows/s for a linear model), as `recipe models predict`, `recipe models serve`
 * and the gate do (src/models/load.ts: `predictModel` on the unpickled model). One JSON line per
 * case on stdout.
 *
 *   npx tsx bench/python-score.ts      # BENCH_ROWS (default 200,000), BENCH_REPEATS (5), BENCH_PYTHON
 *
 * Cases: `numeric` (10 float64 columns) and `mixed` (the same + one string column of 20 levels).
 * The model: ColumnTransformer (StandardScaler, OneHotEncoder) + LinearRegression fitted in the
 * worker on 20,000 of the rows (bench/score/python_linear.py). `rows_per_s` times the whole call
 * from Node — the frame written to an exchange directory, read by pandas, `Pipeline.predict`,
 * the predictions written back and read by Node — median of BENCH_REPEATS. The same-run baseline
 * `sklearn_rows_per_s` is `Pipeline.predict` on the same DataFrame timed inside Python alone.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../src/ml/types.js';
import { predictModel, PythonWorker } from '../src/python/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const helper = fileURLToPath(new URL('./score/python_linear.py', import.meta.url));

function frame(n: number, withStrings: boolean): { X: Frame; y: Float64Array } {
  let s = 777;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const columns: Frame['columns'] = [];
  const y = new Float64Array(n);
  for (let j = 0; j < 10; j++) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = next() * 100 - 50;
      y[i] = (y[i] as number) + (j + 1) * (values[i] as number);
    }
    columns.push({ name: `x${j}`, type: 'number', values });
  }
  if (withStrings) {
    const values = Array.from({ length: n }, (_, i) => `city${(i * 7) % 20}`);
    values.forEach((v, i) => {
      y[i] = (y[i] as number) + Number(v.slice(4));
    });
    columns.push({ name: 'city', type: 'string', values });
  }
  return { X: { nRows: n, columns }, y };
}

function head(f: Frame, n: number): Frame {
  return {
    nRows: n,
    columns: f.columns.map((c) =>
      c.type === 'number'
        ? { name: c.name, type: 'number' as const, values: c.values.slice(0, n) }
        : { name: c.name, type: 'string' as const, values: c.values.slice(0, n) },
    ),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const worker = await PythonWorker.start({ interpreter: { command: python, source: 'RECIPE_PYTHON' } });
try {
  worker.requirePackages(['sklearn'], 'for the benchmark');
  for (const [name, withStrings] of [
    ['numeric', false],
    ['mixed', true],
  ] as const) {
    const loadBefore = loadavg()[0];
    const { X, y } = frame(ROWS, withStrings);
    const fitRows = Math.min(20_000, ROWS);
    const fitted = await worker.callFunction({
      module: helper,
      function: 'fit_linear',
      args: [
        { frame: head(X, fitRows) },
        { series: { name: 'y', kind: 'float', values: y.slice(0, fitRows) } },
      ],
      shownFile: 'bench/score/python_linear.py',
    });
    if (fitted.kind !== 'object') throw new Error('fit_linear returned no model');
    const model = fitted.object;
    await predictModel(worker, model, head(X, 1000)); // warm-up: imports, first-call costs
    const seconds: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const started = performance.now();
      const predictions = await predictModel(worker, model, X);
      seconds.push((performance.now() - started) / 1000);
      if (predictions.length !== ROWS) throw new Error(`${predictions.length} predictions for ${ROWS} rows`);
    }
    const inPython = await worker.callFunction({
      module: helper,
      function: 'time_predict',
      args: [{ object: model }, { frame: X }, { json: REPEATS }],
      shownFile: 'bench/score/python_linear.py',
    });
    const sklearnSeconds = inPython.kind === 'json' ? Number(inPython.value) : Number.NaN;
    const through = median(seconds);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'python-score',
        case: name,
        rows: ROWS,
        columns: X.columns.length,
        seconds: through,
        rows_per_s: Math.round(ROWS / through),
        sklearn_seconds: sklearnSeconds,
        sklearn_rows_per_s: Math.round(ROWS / sklearnSeconds),
        exchange_share: (through - sklearnSeconds) / through,
        target_rows_per_s: 50_000,
        runs: seconds,
        load_avg_before: loadBefore,
        load_avg_after: loadavg()[0],
      })}\n`,
    );
    await worker.release([model]);
  }
} finally {
  await worker.close();
}
