/**
 * bench/python-sweep: a sweep of a scikit-learn estimator from steps/train.py (issue 19) through
 * `recipe run --step train` at `tuning.parallelism` 1 and 2 in the same run: one Python worker
 * fits every trial at parallelism 1, two worker processes at parallelism 2.
 *
 *   {bench:'python-sweep', case:'wall', parallelism, trials, rows, train_seconds, fit_seconds, ...}
 *   {bench:'python-sweep', case:'speedup', speedup, ...}
 *
 * The recipe: test/fixtures/mlflow-recipe (MLflow's layout: a `;`-separated CSV through
 * steps/ingest.py, a ColumnTransformer, GradientBoostingRegressor) on BENCH_ROWS synthetic trips
 * (default 20,000), BENCH_TRIALS random-search trials (default 8) over n_estimators 100-200.
 * Each parallelism gets its own copy of the recipe, warmed up to the transform step (so the timed
 * run is the train step alone: worker start-up, the trials, the final fit). train_seconds is the
 * timed process's wall time; fit_seconds the sum of the trials' own fit seconds. Parallelism 1 and 2
 * alternate BENCH_REPEATS times (default 2); medians are reported with the load average (the
 * machine is shared: a speed-up needs a free second core).
 *
 *   npx tsx bench/python-sweep.ts      # BENCH_PYTHON (default /usr/bin/python3)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 8);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const fixture = fileURLToPath(new URL('../test/fixtures/mlflow-recipe', import.meta.url));
const distCli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const srcCli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// The compiled CLI when built (as users run it), else the sources through tsx.
const cliArgs = existsSync(distCli) ? [distCli] : ['--import', 'tsx', srcCli];

const ZONES = ['Airport', 'Centre', 'Harbour', 'North', 'University'];

function tripsCsv(n: number): string {
  let s = 2024;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines = ['trip_id;distance_km;passengers;pickup_zone;hour;fare'];
  for (let i = 0; i < n; i++) {
    const distance = 0.5 + next() * 29;
    const passengers = 1 + Math.floor(next() * 4);
    const zone = Math.floor(next() * ZONES.length);
    const hour = Math.floor(next() * 24);
    const rush = hour >= 7 && hour <= 9 ? 4 : hour >= 17 && hour <= 19 ? 6 : 0;
    const fare = 3 + distance * 1.8 + zone * 2.5 + rush + passengers * 0.4 + (next() - 0.5) * 6;
    const comma = (v: number) => v.toFixed(2).replace('.', ',');
    lines.push(`${i};${comma(distance)};${passengers};${ZONES[zone]};${hour};${comma(fare)}`);
  }
  return `${lines.join('\n')}\n`;
}

function tuning(parallelism: number): string {
  return `    tuning:
      enabled: true
      algorithm: "hyperopt.rand.suggest"
      max_trials: ${TRIALS}
      parallelism: ${parallelism}
      seed: 7
      parameters:
        n_estimators:
          distribution: "uniformint"
          low: 100
          high: 200
        learning_rate:
          distribution: "uniform"
          low: 0.05
          high: 0.3
`;
}

const env: NodeJS.ProcessEnv = { ...process.env, RECIPE_PYTHON: python };
delete env.RECIPE_TRACKING_URI;
delete env.MLFLOW_TRACKING_URI;

function recipe(args: string[], cwd: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...cliArgs, ...args], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`recipe ${args.join(' ')} failed:\n${result.stderr}`);
  return (performance.now() - started) / 1000;
}

/** A copy of the fixture on the bench's data, cached up to transform. */
function prepared(parallelism: number, csv: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-python-sweep-'));
  cpSync(fixture, dir, { recursive: true });
  writeFileSync(join(dir, 'data', 'trips.csv'), csv);
  const path = join(dir, 'recipe.yaml');
  const text = readFileSync(path, 'utf8');
  const anchor = '    estimator_method: estimator_fn\n';
  const at = text.indexOf(anchor) + anchor.length;
  writeFileSync(path, `${text.slice(0, at)}${tuning(parallelism)}${text.slice(at)}`);
  recipe(['run', '--profile', 'local', '--step', 'transform'], dir);
  return dir;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const csv = tripsCsv(ROWS);
const loadBefore = loadavg()[0];
const seconds = new Map<number, number[]>([
  [1, []],
  [2, []],
]);
const fits = new Map<number, number[]>([
  [1, []],
  [2, []],
]);
for (let r = 0; r < REPEATS; r++) {
  for (const parallelism of [1, 2]) {
    const dir = prepared(parallelism, csv);
    try {
      seconds.get(parallelism)?.push(recipe(['run', '--profile', 'local', '--step', 'train'], dir));
      const found = spawnSync(
        process.execPath,
        [...cliArgs, 'get-artifact', '--step', 'train', '--name', 'trials'],
        { cwd: dir, env, encoding: 'utf8' },
      );
      const trials = JSON.parse(readFileSync(found.stdout.trim(), 'utf8')) as {
        trials: Array<{ fitSeconds: number }>;
      };
      fits.get(parallelism)?.push(trials.trials.reduce((sum, t) => sum + t.fitSeconds, 0));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const loadAfter = loadavg()[0];
const common = {
  rows: ROWS,
  trials: TRIALS,
  repeats: REPEATS,
  cores: cpus().length,
  load_avg_before: loadBefore,
  load_avg_after: loadAfter,
};
for (const parallelism of [1, 2]) {
  process.stdout.write(
    `${JSON.stringify({
      bench: 'python-sweep',
      case: 'wall',
      parallelism,
      train_seconds: median(seconds.get(parallelism) ?? []),
      fit_seconds: median(fits.get(parallelism) ?? []),
      runs: seconds.get(parallelism),
      ...common,
    })}\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({
    bench: 'python-sweep',
    case: 'speedup',
    speedup: median(seconds.get(1) ?? []) / median(seconds.get(2) ?? []),
    ...common,
  })}\n`,
);
