/**
 * bench/sweep's search-quality part: our TPE (its default, hyperopt's `tpe.suggest` settings, and
 * the `tuning.tpe: mlrecipe` preset), hyperopt's own TPE, Optuna's TPESampler and our random search
 * on the same objectives in the same run, one JSON line per (problem, algorithm):
 *
 *   {bench:'sweep', case:'quality', problem, algorithm, seeds, best_16, best_32, best_64, ...}
 *
 * best_k is the median over seeds of the best value after k trials (lower is better; the known
 * optimum is in `optimum`). Problems: Branin (2-D), Hartmann-6 (6-D), and a real tuning problem:
 * scikit-learn-style SGDRegressor (ours) on the regression template's data (vega-datasets'
 * cars.json), validation RMSE over alpha, eta0, power_t and learning_rate, with scikit-learn's
 * stopping rule (sgd_cars) and with all 200 epochs (sgd_cars_all_epochs, tol: null). Every objective is
 * evaluated here in Node; Optuna 3.1 (Debian's python3-optuna) proposes through ask/tell over a
 * pipe (bench/sweep/optuna_ask_tell.py), with its default TPESampler and the seed, and hyperopt's
 * fmin(algo=tpe.suggest, rstate=default_rng(seed)) the same way (bench/sweep/hyperopt_fmin.py,
 * hyperopt from the source checkout in HYPEROPT_SRC).
 *
 * Ours run through runSweep at parallelism 1, as a recipe sweep does (TPE's trial i sees trials
 * 0 .. i-2: src/sweeps/samplers.ts TPE_IN_FLIGHT).
 *
 *   BENCH_SEEDS=10 BENCH_PROBLEMS=branin,hartmann6,sgd_cars npx tsx bench/sweep/quality.ts
 *   BENCH_ALGORITHMS=ours_tpe,optuna_tpe ...   (a subset of the columns)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SGDRegressor } from '../../src/ml/index.js';
import type { FeatureMatrix } from '../../src/ml/types.js';
import {
  type AlgorithmName,
  createSampler,
  MLRECIPE_TPE,
  type ParamValue,
  parseSearchSpace,
  runSweep,
  type TpeOptions,
} from '../../src/sweeps/index.js';
// The same test functions the sampler tests use (minimum values from the literature).
import { branin, hartmann6 } from '../../test/sweeps/objectives.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 10);
const TRIALS = 64;
const CHECKPOINTS = [16, 32, 64];
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
/** hyperopt is not a Debian package: a source checkout on PYTHONPATH (the session exports one here). */
const HYPEROPT_SRC = process.env.HYPEROPT_SRC ?? '/work/hyperopt-src';

type Params = Record<string, ParamValue>;
interface Problem {
  name: string;
  optimum: number | null;
  /** The space in tuning.parameters form. */
  space: Record<string, Record<string, unknown>>;
  objective(p: Params): number;
}

/**
 * cars.json → standardised numeric features; every 4th car is validation. `tol` is SGD's stopping
 * rule: scikit-learn's default 1e-3 stops after 5 epochs without progress, which makes the RMSE a
 * step function of eta0 (the epoch it stops at jumps); null runs all 200 epochs, a smooth landscape.
 */
function carsProblem(name: string, tol: number | null): Problem {
  // vega-datasets' exports map hides data/: find it next to the package's entry (as recipe init does).
  const dataDir = join(dirname(fileURLToPath(import.meta.resolve('vega-datasets'))), '..', 'data');
  const rows = (
    JSON.parse(readFileSync(join(dataDir, 'cars.json'), 'utf8')) as Array<Record<string, unknown>>
  )
    .map((r) => ({
      y: r.Miles_per_Gallon as number | null,
      x: [
        r.Cylinders,
        r.Displacement,
        r.Horsepower,
        r.Weight_in_lbs,
        r.Acceleration,
        Number(String(r.Year).slice(0, 4)),
      ] as Array<number | null>,
    }))
    .filter((r) => typeof r.y === 'number' && r.x.every((v) => typeof v === 'number'));
  const train = rows.filter((_, i) => i % 4 !== 0);
  const val = rows.filter((_, i) => i % 4 === 0);
  const nFeatures = 6;
  const mean = Array.from(
    { length: nFeatures },
    (_, j) => train.reduce((s, r) => s + (r.x[j] as number), 0) / train.length,
  );
  const sd = Array.from({ length: nFeatures }, (_, j) =>
    Math.sqrt(train.reduce((s, r) => s + ((r.x[j] as number) - (mean[j] as number)) ** 2, 0) / train.length),
  );
  const matrix = (set: typeof rows): FeatureMatrix => ({
    nRows: set.length,
    columns: Array.from({ length: nFeatures }, (_, j) =>
      Float64Array.from(set, (r) => ((r.x[j] as number) - (mean[j] as number)) / (sd[j] as number)),
    ),
  });
  const Xtrain = matrix(train);
  const ytrain = Float64Array.from(train, (r) => r.y as number);
  const Xval = matrix(val);
  const yval = Float64Array.from(val, (r) => r.y as number);
  return {
    name,
    optimum: null,
    space: {
      alpha: { distribution: 'loguniform', low: -12, high: 2 },
      eta0: { distribution: 'loguniform', low: -9, high: 0 },
      power_t: { distribution: 'uniform', low: 0.05, high: 0.95 },
      learning_rate: { values: ['constant', 'invscaling', 'adaptive'] },
    },
    objective(p) {
      const model = new SGDRegressor({
        alpha: p.alpha as number,
        eta0: p.eta0 as number,
        power_t: p.power_t as number,
        learning_rate: p.learning_rate as 'constant' | 'invscaling' | 'adaptive',
        random_state: 0,
        max_iter: 200,
        tol,
      });
      model.fit(Xtrain, ytrain);
      const pred = model.predict(Xval);
      let sse = 0;
      for (let i = 0; i < pred.length; i++) sse += ((pred[i] as number) - (yval[i] as number)) ** 2;
      return Math.sqrt(sse / pred.length);
    },
  };
}

export const PROBLEMS: Record<string, () => Problem> = {
  branin: () => ({
    name: 'branin',
    optimum: 0.397887,
    space: {
      x1: { distribution: 'uniform', low: -5, high: 10 },
      x2: { distribution: 'uniform', low: 0, high: 15 },
    },
    objective: (p) => branin(p.x1 as number, p.x2 as number),
  }),
  hartmann6: () => ({
    name: 'hartmann6',
    optimum: -3.32237,
    space: Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`x${i + 1}`, { distribution: 'uniform', low: 0, high: 1 }]),
    ),
    objective: (p) => hartmann6(Array.from({ length: 6 }, (_, i) => p[`x${i + 1}`] as number)),
  }),
  sgd_cars: () => carsProblem('sgd_cars', 1e-3),
  sgd_cars_all_epochs: () => carsProblem('sgd_cars_all_epochs', null),
};

/** A non-finite objective is a failed trial for every sampler. */
function safeLoss(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/** Best-so-far after each trial (Infinity until a trial succeeds). */
function bestCurve(losses: Array<number | undefined>): number[] {
  let best = Number.POSITIVE_INFINITY;
  return losses.map((l) => {
    if (l !== undefined && l < best) best = l;
    return best;
  });
}

export async function oursCurve(
  problem: Problem,
  algorithm: AlgorithmName,
  seed: number,
  tpe?: TpeOptions,
): Promise<number[]> {
  const { space, issues } = parseSearchSpace(problem.space);
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  const sweep = await runSweep({
    space,
    sampler: createSampler({ algorithm, space, seed, ...(tpe ? { tpe } : {}) }),
    maxTrials: TRIALS,
    parallelism: 1,
    runTrial: async (spec) => {
      const loss = safeLoss(problem.objective(spec.params));
      return loss === undefined ? { status: 'failed' } : { status: 'ok', loss };
    },
  });
  return bestCurve(sweep.trials.map((t) => (t.result.status === 'ok' ? t.result.loss : undefined)));
}

function optunaSpace(problem: Problem): unknown[] {
  return Object.entries(problem.space).map(([name, spec]) =>
    'values' in spec
      ? { name, kind: 'choice', options: spec.values }
      : { name, kind: spec.distribution, low: spec.low, high: spec.high },
  );
}

/**
 * A Python sampler driven over a pipe (optuna_ask_tell.py, hyperopt_fmin.py): it proposes, Node
 * evaluates, so every column sees exactly the same objective.
 */
async function pythonCurve(
  script: string,
  problem: Problem,
  seed: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number[]> {
  const child = spawn(PYTHON, [join(dirname(fileURLToPath(import.meta.url)), script)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env,
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  child.stdin.write(`${JSON.stringify({ seed, trials: TRIALS, space: optunaSpace(problem) })}\n`);
  const losses: Array<number | undefined> = [];
  for (let i = 0; i < TRIALS; i++) {
    const next = await lines.next();
    if (next.done) throw new Error(`${script} ended early`);
    const params = JSON.parse(next.value as string) as Params;
    const loss = safeLoss(problem.objective(params));
    losses.push(loss);
    child.stdin.write(`${JSON.stringify(loss ?? null)}\n`);
  }
  child.stdin.end();
  await new Promise((done) => child.on('close', done));
  return bestCurve(losses);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

export async function qualityLines(options: {
  problems?: string[];
  seeds?: number;
  /** The columns to run (all by default). */
  algorithms?: string[];
  /** Extra TPE variants to compare, by label. */
  variants?: Record<string, TpeOptions>;
}): Promise<Array<Record<string, unknown>>> {
  const names = options.problems ?? Object.keys(PROBLEMS);
  const seeds = Array.from({ length: options.seeds ?? SEEDS }, (_, i) => i + 1);
  const out: Array<Record<string, unknown>> = [];
  for (const name of names) {
    const make = PROBLEMS[name];
    if (!make) throw new Error(`unknown problem ${name}; choose from ${Object.keys(PROBLEMS).join(', ')}`);
    const problem = make();
    const all: Array<[string, (seed: number) => Promise<number[]>]> = [
      ['ours_tpe', (s) => oursCurve(problem, 'tpe', s)],
      ['ours_tpe_mlrecipe', (s) => oursCurve(problem, 'tpe', s, MLRECIPE_TPE)],
      ['ours_random', (s) => oursCurve(problem, 'random', s)],
      [
        'hyperopt_tpe',
        (s) => pythonCurve('hyperopt_fmin.py', problem, s, { ...process.env, PYTHONPATH: HYPEROPT_SRC }),
      ],
      ['optuna_tpe', (s) => pythonCurve('optuna_ask_tell.py', problem, s)],
      ...Object.entries(options.variants ?? {}).map(
        ([label, tpe]) =>
          [label, (s: number) => oursCurve(problem, 'tpe', s, tpe)] as [
            string,
            (seed: number) => Promise<number[]>,
          ],
      ),
    ];
    const algorithms = options.algorithms ? all.filter(([name]) => options.algorithms?.includes(name)) : all;
    for (const [algorithm, curve] of algorithms) {
      const curves: number[][] = [];
      const t0 = performance.now();
      for (const seed of seeds) curves.push(await curve(seed));
      const line: Record<string, unknown> = {
        bench: 'sweep',
        case: 'quality',
        problem: name,
        algorithm,
        seeds: seeds.length,
        optimum: problem.optimum,
      };
      for (const k of CHECKPOINTS) line[`best_${k}`] = round(median(curves.map((c) => c[k - 1] as number)));
      line.seconds = round((performance.now() - t0) / 1000);
      out.push(line);
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await qualityLines({
    ...(process.env.BENCH_PROBLEMS ? { problems: process.env.BENCH_PROBLEMS.split(',') } : {}),
    ...(process.env.BENCH_ALGORITHMS ? { algorithms: process.env.BENCH_ALGORITHMS.split(',') } : {}),
  });
}
