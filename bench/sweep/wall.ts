/**
 * bench/sweep's wall-time part (issue 16): 64 trials of a small model through `recipe run` (the
 * regression template, a real child process per run, the repository's SQLite store), at
 * parallelism 1 and 2 in the same run, and the overhead per trial (everything but the fit).
 *
 *   {bench:'sweep', case:'wall', parallelism, trials, sweep_seconds, fit_seconds, overhead_ms_per_trial, ...}
 *   {bench:'sweep', case:'speedup', speedup, ...}
 *
 * The sweep's wall time runs from the first child run's start to the last child run's end (the
 * worker pool's start-up included; ingest, split and transform are not: they are cached from a
 * warm-up run). fit_seconds is the sum of the trials' own `fit_seconds` (measured around
 * `fit` on the worker thread). At parallelism 1 the overhead per trial is
 * (sweep seconds - fit seconds) / trials: proposing, handing the trial to the worker, predicting
 * and scoring the validation rows, the child run's tracking writes and the trial-cache file.
 *
 * The model: SGDRegressor on the template's cars data, a fixed number of epochs (tol: null) so
 * every trial costs about the same, tuned over alpha, eta0 and the learning-rate schedule by TPE.
 * Parallelism 1 and 2 alternate BENCH_REPEATS times (default 3); the median of each is reported,
 * with the load average before and after (the machine is shared), and the recipe process's own
 * wall and CPU seconds (GNU time): on a loaded machine CPU seconds say what the sweep costs, wall
 * seconds also how long it waited for a core.
 *
 *   npm run build && npx tsx bench/sweep/wall.ts
 *
 * A/B on a shared machine: BENCH_BASELINE_CLI=/path/to/other/dist/cli/main.js runs every case with
 * that build too, interleaved with this one (each in its own project directory), and reports both
 * (`cli: 'baseline'` lines beside `cli: 'this'`). BENCH_CASES=wall,overhead,schedule picks cases.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSampler, parseSearchSpace, runSweep } from '../../src/sweeps/index.js';
import { openTrackingStore } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 64);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const MAX_ITER = Number(process.env.BENCH_MAX_ITER ?? 5000);
/** Trials of the large overhead sweep (against 8): more trials average out start-up noise. */
const OVERHEAD_TRIALS = Number(process.env.BENCH_OVERHEAD_TRIALS ?? TRIALS);
/** The compiled CLI, as users run it (`npm run bench` builds dist/ first; so does `npm run build`). */
const cliMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npm run build first`);
const baselineCli = process.env.BENCH_BASELINE_CLI;
if (baselineCli && !existsSync(baselineCli))
  throw new Error(`BENCH_BASELINE_CLI ${baselineCli} does not exist`);
const CLIS: Array<{ name: string; main: string }> = [
  { name: 'this', main: cliMain },
  ...(baselineCli ? [{ name: 'baseline', main: baselineCli }] : []),
];
const CASES = new Set((process.env.BENCH_CASES ?? 'wall,overhead,schedule').split(','));
/** GNU time, for the recipe process's CPU seconds (user + system) next to its wall time. */
const GNU_TIME = '/usr/bin/time';

function train(parallelism: number, maxIter = MAX_ITER, trials = TRIALS): string {
  return `  train:
    estimator:
      name: sgd_regressor
      params: {max_iter: ${maxIter}, tol: null, random_state: 0}
    tuning:
      enabled: true
      max_trials: ${trials}
      algorithm: hyperopt.tpe.suggest
      parallelism: ${parallelism}
      seed: 42
      parameters:
        alpha: {distribution: loguniform, low: -12, high: 0}
        eta0: {distribution: loguniform, low: -9, high: -2}
        learning_rate: {values: [constant, invscaling, adaptive]}
`;
}

interface Finished {
  code: number;
  stderr: string;
  /** CPU seconds of the recipe process and its threads (GNU time), when /usr/bin/time exists. */
  cpuSeconds?: number;
}

function recipe(cwd: string, args: string[], env: NodeJS.ProcessEnv, main = cliMain): Promise<Finished> {
  const timed = existsSync(GNU_TIME);
  const command = timed ? GNU_TIME : process.execPath;
  const argv = timed ? ['-f', 'cpu %U %S', process.execPath, main, ...args] : [main, ...args];
  const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = /^cpu ([\d.]+) ([\d.]+)$/m.exec(stderr);
      resolve({
        code: code ?? 1,
        stderr,
        ...(cpu ? { cpuSeconds: Number(cpu[1]) + Number(cpu[2]) } : {}),
      });
    });
  });
}

function setTrain(dir: string, parallelism: number, maxIter = MAX_ITER, trials = TRIALS): void {
  const path = join(dir, 'recipe.yaml');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('  train:\n');
  const end = text.indexOf('  evaluate:\n');
  if (start < 0 || end < 0) throw new Error('the template has no train/evaluate section');
  writeFileSync(path, `${text.slice(0, start)}${train(parallelism, maxIter, trials)}${text.slice(end)}`);
}

interface Measured {
  sweepSeconds: number;
  fitSeconds: number;
  trials: number;
  /** The whole `recipe run --step train` process: wall and CPU seconds. */
  processSeconds?: number;
  cpuSeconds?: number;
}

/** The newest parent run's children: wall time and summed fit time. */
async function measure(dir: string): Promise<Measured> {
  const store = await openTrackingStore(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')), {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    const experiment = await store.getExperimentByName('cars-regression');
    if (!experiment) throw new Error('no experiment cars-regression');
    const runs = (await store.searchRuns({ experimentIds: [experiment.experiment_id], maxResults: 5000 }))
      .runs;
    const parent = runs
      .filter((r) => !r.data.tags.some((t) => t.key === 'mlflow.parentRunId'))
      .sort((a, b) => b.info.start_time - a.info.start_time)[0];
    if (!parent) throw new Error('no parent run');
    // The trials (the untuned configuration, index -1, is scored after the sweep: left out).
    const children = runs.filter(
      (r) =>
        r.data.tags.some((t) => t.key === 'mlflow.parentRunId' && t.value === parent.info.run_id) &&
        r.data.tags.some((t) => t.key === 'mlrecipe.trial.index' && t.value !== '-1'),
    );
    if (process.env.BENCH_VERBOSE) {
      for (const c of [...children].sort((a, b) => a.info.start_time - b.info.start_time)) {
        process.stderr.write(
          `${c.data.tags.find((t) => t.key === 'mlrecipe.trial.index')?.value} start ${c.info.start_time} ms ${(c.info.end_time ?? 0) - c.info.start_time} fit ${c.data.metrics.find((m) => m.key === 'fit_seconds')?.value}\n`,
        );
      }
    }
    if (children.some((c) => c.info.status !== 'FINISHED')) throw new Error('a trial did not finish');
    const start = Math.min(...children.map((c) => c.info.start_time));
    const end = Math.max(...children.map((c) => c.info.end_time ?? 0));
    const fit = children.reduce(
      (s, c) => s + (c.data.metrics.find((m) => m.key === 'fit_seconds')?.value ?? 0),
      0,
    );
    return { sweepSeconds: (end - start) / 1000, fitSeconds: fit, trials: children.length };
  } finally {
    await store.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round = (v: number, digits = 4) => Number(v.toPrecision(digits));
const load = () => loadavg().map((v) => round(v, 3));

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-sweep-'));
const env: NodeJS.ProcessEnv = { ...process.env, HOME: root, XDG_CONFIG_HOME: root, CI: 'true' };
for (const key of ['RECIPE_TRACKING_URI', 'MLFLOW_TRACKING_URI']) delete env[key];
try {
  const loadBefore = load();
  const lines: Array<Record<string, unknown>> = [];
  const projects = new Map<string, string>();
  for (const cli of CLIS) {
    const home = join(root, cli.name);
    mkdirSync(home);
    const init = await recipe(home, ['init', '--template', 'regression', 'cars'], env, cli.main);
    if (init.code !== 0) throw new Error(`recipe init failed: ${init.stderr}`);
    const dir = join(home, 'cars');
    // Warm-up: ingest, split and transform are cached from here on; its sweep is not counted.
    setTrain(dir, 1);
    const warm = await recipe(dir, ['run'], env, cli.main);
    if (warm.code !== 0) throw new Error(`recipe run failed: ${warm.stderr}`);
    projects.set(cli.name, dir);
  }
  /** A fresh sweep (no trial cache, no cached train step) through `recipe run --step train`. */
  const sweepOnce = async (
    cli: { name: string; main: string },
    parallelism: number,
    maxIter = MAX_ITER,
    trials = TRIALS,
  ): Promise<Measured> => {
    const dir = projects.get(cli.name) as string;
    rmSync(join(dir, '.recipe', 'trials'), { recursive: true, force: true });
    rmSync(join(dir, '.recipe', 'cache', 'train'), { recursive: true, force: true });
    setTrain(dir, parallelism, maxIter, trials);
    const t0 = performance.now();
    const run = await recipe(dir, ['run', '--step', 'train'], env, cli.main);
    const processSeconds = (performance.now() - t0) / 1000;
    if (run.code !== 0) throw new Error(`recipe run failed: ${run.stderr}`);
    return {
      ...(await measure(dir)),
      processSeconds,
      ...(run.cpuSeconds !== undefined ? { cpuSeconds: run.cpuSeconds } : {}),
    };
  };
  const results = new Map<string, Measured[]>();
  const key = (cli: string, parallelism: number) => `${cli}/${parallelism}`;
  if (CASES.has('wall')) {
    for (let r = 0; r < REPEATS; r++) {
      for (const parallelism of [1, 2]) {
        for (const cli of r % 2 === 0 ? CLIS : [...CLIS].reverse()) {
          const list = results.get(key(cli.name, parallelism)) ?? [];
          list.push(await sweepOnce(cli, parallelism));
          results.set(key(cli.name, parallelism), list);
        }
      }
    }
  }
  // Overhead: the same sweep with a fit that does almost nothing (max_iter 1), 8 trials against
  // 64 (BENCH_OVERHEAD_TRIALS) in the same run; the difference per extra trial is what a trial costs besides its fit,
  // in CPU (robust to waiting for a core on a shared machine) and in wall seconds.
  const small = 8;
  const overhead = new Map<string, Array<{ cpu: number; wall: number; fit: number }>>();
  if (CASES.has('overhead')) {
    for (let r = 0; r < REPEATS; r++) {
      // A B, then B A: a load that drifts during the run weighs on both builds alike.
      for (const cli of r % 2 === 0 ? CLIS : [...CLIS].reverse()) {
        const a = await sweepOnce(cli, 1, 1, small);
        const b = await sweepOnce(cli, 1, 1, OVERHEAD_TRIALS);
        const list = overhead.get(cli.name) ?? [];
        const extra = OVERHEAD_TRIALS - small;
        list.push({
          cpu: ((b.cpuSeconds ?? Number.NaN) - (a.cpuSeconds ?? Number.NaN)) / extra,
          wall: (b.sweepSeconds - a.sweepSeconds - (b.fitSeconds - a.fitSeconds)) / extra,
          fit: (b.fitSeconds - a.fitSeconds) / extra,
        });
        overhead.set(cli.name, list);
      }
    }
  }
  if (CASES.has('schedule')) {
    // The scheduler alone: trials that wait 50 ms without using a core (the TPE proposals are
    // real), so the speed-up from parallelism 2 shows what runSweep's ordering allows on any load.
    const { space } = parseSearchSpace({
      alpha: { distribution: 'loguniform', low: -12, high: 0 },
      eta0: { distribution: 'loguniform', low: -9, high: -2 },
      learning_rate: { values: ['constant', 'invscaling', 'adaptive'] },
    });
    const scheduled: Record<number, number> = {};
    for (const parallelism of [1, 2]) {
      const t0 = performance.now();
      await runSweep({
        space,
        sampler: createSampler({ algorithm: 'tpe', space, seed: 42 }),
        maxTrials: TRIALS,
        parallelism,
        runTrial: async (spec) => {
          await new Promise((done) => setTimeout(done, 50));
          return { status: 'ok', loss: Math.abs(Math.log(spec.params.alpha as number) + 5) };
        },
      });
      scheduled[parallelism] = (performance.now() - t0) / 1000;
    }
    lines.push({
      bench: 'sweep',
      case: 'schedule_50ms_trials',
      trials: TRIALS,
      seconds_p1: round(scheduled[1] as number),
      seconds_p2: round(scheduled[2] as number),
      speedup: round((scheduled[1] as number) / (scheduled[2] as number), 3),
    });
  }
  const loadAfter = load();
  for (const cli of CLIS) {
    const sweeps: Record<number, number> = {};
    for (const parallelism of [1, 2]) {
      const ms = results.get(key(cli.name, parallelism));
      if (!ms) continue;
      const sweep = median(ms.map((m) => m.sweepSeconds));
      const fit = median(ms.map((m) => m.fitSeconds));
      sweeps[parallelism] = sweep;
      lines.push({
        bench: 'sweep',
        case: 'wall',
        cli: cli.name,
        parallelism,
        trials: ms[0]?.trials,
        repeats: ms.length,
        sweep_seconds: round(sweep),
        sweep_seconds_each: ms.map((m) => round(m.sweepSeconds)),
        fit_seconds: round(fit),
        process_seconds: round(median(ms.map((m) => m.processSeconds ?? Number.NaN))),
        process_cpu_seconds: round(median(ms.map((m) => m.cpuSeconds ?? Number.NaN))),
        ...(parallelism === 1
          ? { overhead_ms_per_trial: round(((sweep - fit) * 1000) / (ms[0]?.trials ?? TRIALS), 3) }
          : {}),
        max_iter: MAX_ITER,
      });
    }
    const o = overhead.get(cli.name);
    if (o) {
      lines.push({
        bench: 'sweep',
        case: 'overhead',
        cli: cli.name,
        trials: [small, OVERHEAD_TRIALS],
        repeats: o.length,
        cpu_ms_per_trial: round(median(o.map((x) => x.cpu * 1000)), 3),
        wall_ms_per_trial_besides_fit: round(median(o.map((x) => x.wall * 1000)), 3),
        fit_ms_per_trial: round(median(o.map((x) => x.fit * 1000)), 3),
        cpu_each: o.map((x) => round(x.cpu * 1000, 3)),
        wall_each: o.map((x) => round(x.wall * 1000, 3)),
      });
    }
    if (sweeps[1] !== undefined && sweeps[2] !== undefined) {
      lines.push({
        bench: 'sweep',
        case: 'speedup',
        cli: cli.name,
        trials: TRIALS,
        speedup: round(sweeps[1] / sweeps[2], 3),
        load_before: loadBefore,
        load_after: loadAfter,
      });
    }
  }
  for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
