import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TPE_DEFAULTS } from '../../src/sweeps/index.js';
import { openTrackingStore, type Run, type TrackingStore } from '../../src/tracking/index.js';
import { runCli } from '../helpers/cli.js';
import { initRepo, paramsOf, repoRoot, tagsOf, tempDirWith } from '../projects/fixtures.js';

/**
 * The entry point of the test project: a real script that logs, through mlrecipe's tracking
 * client into the run the project runner created for it, a loss derived from its params
 * (minimum 0 at x = 2, y = -1, k = 3). Its history ends on the loss (a worse value at step 0),
 * so the sweep must read the final value. x above 4 fails, as a model would on a bad setting.
 */
const TRAIN = `
import { TrackingClient } from ${JSON.stringify(join(repoRoot, 'src/tracking/index.ts'))};
const [x, y, k] = process.argv.slice(2).map(Number);
if (x > 4) {
  console.error('x=' + x + ' diverges');
  process.exit(1);
}
const loss = (x - 2) ** 2 + (y + 1) ** 2 + Math.abs(k - 3);
const client = await TrackingClient.open();
const run = await client.startRun();
await run.logMetric('loss', loss + 100, { step: 0 });
await run.logMetric('loss', loss, { step: 1 });
await run.end();
await client.close();
`;

function mlproject(): string {
  const node = JSON.stringify(process.execPath);
  const tsx = JSON.stringify(import.meta.resolve('tsx'));
  return `
name: quadratic
entry_points:
  main:
    parameters:
      x: float
      y: {type: float, default: 0}
      k: {type: int, default: 0}
      label: {type: string, default: fixed}
    command: '${node} --import ${tsx} train.ts {x} {y} {k}'
  undeclared:
    parameters:
      x: float
    command: 'true'
`;
}

const SPACE = `x: {distribution: uniform, low: -5, high: 5}
y: {distribution: uniform, low: -5, high: 5}
k: {values: [1, 3]}
`;

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    'RECIPE_TRACKING_URI',
    'MLFLOW_TRACKING_URI',
    'MLFLOW_RUN_ID',
    'MLFLOW_EXPERIMENT_ID',
    'MLFLOW_EXPERIMENT_NAME',
  ]) {
    delete env[key];
  }
  return env;
}

/** A git repository holding the project (swept through its file:// URI, so it is cloned). */
function projectRepo(): string {
  const repo = tempDirWith({
    'proj/MLproject': mlproject(),
    'proj/train.ts': TRAIN,
    'proj/package.json': '{"type": "module"}',
  });
  initRepo(repo);
  return repo;
}

async function withStore<T>(dir: string, fn: (store: TrackingStore) => Promise<T>): Promise<T> {
  const store = await openTrackingStore(`sqlite:///${join(dir, 'mlruns', 'tracking.db')}`, {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function allRuns(store: TrackingStore): Promise<Run[]> {
  const experiments = await store.searchExperiments({});
  const { runs } = await store.searchRuns({
    experimentIds: experiments.experiments.map((e) => e.experiment_id),
    maxResults: 1000,
  });
  return runs;
}

describe('recipe sweep', () => {
  it('runs 30 TPE trials of a git project at parallelism 2 as child runs; failing trials are FAILED children; the parent records the best, in the optimum region', async () => {
    const repo = projectRepo();
    const cwd = tempDirWith({ 'space.yaml': SPACE });
    const result = await runCli(
      [
        'sweep',
        `file://${repo}#proj`,
        '--space',
        'space.yaml',
        '--metric',
        'loss',
        '--max-trials',
        '30',
        '--parallelism',
        '2',
        '--algorithm',
        'tpe',
        '--seed',
        '3',
        '-P',
        'label=swept',
        '--experiment-name',
        'sweeps',
        '--run-name',
        'quad',
      ],
      { cwd, env: cleanEnv() },
    );
    expect(result.code, result.stderr).toBe(0);
    const parentId = result.stdout.trim();
    const lines = result.stderr.split('\n');
    expect(lines.find((l) => l.startsWith('sweep:'))).toMatch(
      /^sweep: tpe, up to 30 trials, 2 at a time, by loss \(minimize\); parent run /,
    );
    expect(lines.filter((l) => /^trial \d+ \(\d+\/30\) /.test(l))).toHaveLength(30);
    expect(result.stderr).toMatch(/^trial \d+ \(\d+\/30\) failed: exit 1: x=[\d.]+ diverges /m);

    await withStore(cwd, async (store) => {
      const runs = await allRuns(store);
      const parent = runs.find((r) => r.info.run_id === parentId) as Run;
      expect(parent.info.run_name).toBe('quad');
      expect(parent.info.status).toBe('FINISHED');
      const children = runs.filter((r) => tagsOf(r)['mlflow.parentRunId'] === parentId);
      expect(children).toHaveLength(30);
      expect(runs).toHaveLength(31);
      const names = children.map((c) => c.info.run_name).sort();
      expect(names).toContain('quad-trial-0');
      expect(names).toContain('quad-trial-29');

      const loss = (r: Run) => r.data.metrics.find((m) => m.key === 'loss')?.value;
      const ok = children.filter((c) => c.info.status === 'FINISHED');
      const failed = children.filter((c) => c.info.status === 'FAILED');
      expect(failed.length).toBeGreaterThan(0);
      expect(ok.length + failed.length).toBe(30);
      for (const f of failed) {
        expect(Number(paramsOf(f).x)).toBeGreaterThan(4);
        expect(tagsOf(f)['mlrecipe.trial.error']).toMatch(/^exit 1: x=.* diverges$/);
      }
      for (const c of ok) {
        // The trial's params reached the entry point: its logged loss is the function of them.
        const p = paramsOf(c);
        expect(p.label).toBe('swept');
        expect(Number.isInteger(Number(p.k))).toBe(true);
        const expected = (Number(p.x) - 2) ** 2 + (Number(p.y) + 1) ** 2 + Math.abs(Number(p.k) - 3);
        expect(loss(c)).toBeCloseTo(expected, 9);
      }

      // The parent names the best child and records its params and final metric.
      const best = ok.reduce((a, b) => ((loss(a) as number) <= (loss(b) as number) ? a : b));
      const ptags = tagsOf(parent);
      expect(ptags['mlrecipe.tuning.best_run_id']).toBe(best.info.run_id);
      expect(ptags['mlrecipe.tuning.best_trial']).toBe(tagsOf(best)['mlrecipe.trial.index']);
      expect(ptags['mlrecipe.tuning.metric']).toBe('loss');
      expect(ptags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
      expect(parent.data.metrics.find((m) => m.key === 'tuning_best_loss')?.value).toBe(loss(best));
      expect(parent.data.metrics.find((m) => m.key === 'tuning_failed_trials')?.value).toBe(failed.length);
      const pparams = paramsOf(parent);
      const bparams = paramsOf(best);
      expect({ x: pparams.x, y: pparams.y, k: pparams.k, label: pparams.label }).toEqual({
        x: bparams.x,
        y: bparams.y,
        k: bparams.k,
        label: 'swept',
      });

      // TPE found the optimum's region, and its proposals (after the random startup trials)
      // concentrate there: their median loss is below the random trials' median, and they improve
      // on the best random trial. (The seed is fixed, so this is deterministic.)
      expect(Math.abs(Number(bparams.x) - 2)).toBeLessThan(1);
      expect(Math.abs(Number(bparams.y) + 1)).toBeLessThan(1);
      expect(loss(best)).toBeLessThan(1);
      expect(bparams.k).toBe('3');
      const index = (r: Run) => Number(tagsOf(r)['mlrecipe.trial.index']);
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const first = TPE_DEFAULTS.nStartupJobs;
      const startup = ok.filter((c) => index(c) < first).map((c) => loss(c) as number);
      const guided = ok.filter((c) => index(c) >= first).map((c) => loss(c) as number);
      expect(median(guided)).toBeLessThan(median(startup));
      expect(Math.min(...guided)).toBeLessThan(Math.min(...startup));
    });
  }, 240_000);

  it('refuses a bad space file with file:line:column and a hint before any run', async () => {
    const repo = projectRepo();
    const cwd = tempDirWith({
      'space.yaml':
        'x: {distribution: uniform, low: -5, high: 5}\ny:\n  distribution: uniform\n  low: 3\n  high: 1\n',
      'undeclared.yaml': 'x: {distribution: uniform, low: -5, high: 5}\nz: {values: [1, 2]}\n',
      'int.yaml':
        'x: {distribution: uniform, low: -5, high: 5}\nk: {distribution: uniform, low: 0, high: 5}\n',
    });
    const bad = await runCli(['sweep', `${repo}/proj`, '--space', 'space.yaml', '--metric', 'loss'], {
      cwd,
      env: cleanEnv(),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `${join(cwd, 'space.yaml')}:5:9: y.high: 'high' (1) must be greater than 'low' (3)`,
    );
    expect(bad.stderr).toMatch(/hint: swap them or widen the range/);

    const undeclared = await runCli(
      ['sweep', `${repo}/proj`, '-e', 'undeclared', '--space', 'undeclared.yaml', '--metric', 'loss'],
      { cwd, env: cleanEnv() },
    );
    expect(undeclared.code).toBe(2);
    expect(undeclared.stderr).toContain(
      `${join(cwd, 'undeclared.yaml')}:2:1: z: entry point "undeclared" does not declare a parameter "z"`,
    );
    expect(undeclared.stderr).toMatch(
      /hint: its parameters are x; declare z under entry_points\.undeclared\.parameters/,
    );

    const int = await runCli(['sweep', `${repo}/proj`, '--space', 'int.yaml', '--metric', 'loss'], {
      cwd,
      env: cleanEnv(),
    });
    expect(int.code).toBe(2);
    expect(int.stderr).toContain(
      `int.yaml:2:4: k: parameter "k" is an int, but its uniform distribution draws non-integer values`,
    );

    const fixedToo = await runCli(
      ['sweep', `${repo}/proj`, '--space', 'undeclared.yaml', '--metric', 'loss', '-P', 'x=1', '-e', 'main'],
      { cwd, env: cleanEnv() },
    );
    expect(fixedToo.code).toBe(2);

    // Nothing ran and no run was recorded.
    await withStore(cwd, async (store) => {
      expect(await allRuns(store)).toHaveLength(0);
    });
  }, 60_000);

  it('exits non-zero only when every trial failed, the parent FAILED', async () => {
    const repo = projectRepo();
    const cwd = tempDirWith({ 'space.yaml': 'x: {distribution: uniform, low: 5, high: 6}\n' });
    const result = await runCli(
      [
        'sweep',
        `${repo}/proj`,
        '--space',
        'space.yaml',
        '--metric',
        'loss',
        '--max-trials',
        '3',
        '--algorithm',
        'random',
      ],
      { cwd, env: cleanEnv() },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /error: step sweep failed: all 3 trials failed; the first error: exit 1: x=5\.\d+ diverges/,
    );
    await withStore(cwd, async (store) => {
      const runs = await allRuns(store);
      expect(runs).toHaveLength(4);
      const parent = runs.find((r) => tagsOf(r)['mlflow.parentRunId'] === undefined) as Run;
      expect(parent.info.status).toBe('FAILED');
      expect(runs.filter((r) => r.info.status === 'FAILED')).toHaveLength(4);
    });

    // An entry point that exits 0 without logging the metric is a failed trial too.
    const silent = await runCli(
      [
        'sweep',
        `${repo}/proj`,
        '-e',
        'undeclared',
        '--space',
        'space.yaml',
        '--metric',
        'loss',
        '--max-trials',
        '1',
      ],
      { cwd, env: cleanEnv() },
    );
    expect(silent.code).toBe(1);
    expect(silent.stderr).toContain('trial 0 (1/1) failed: the run logged no loss metric');
    await withStore(cwd, async (store) => {
      const runs = await allRuns(store);
      const child = runs.find((r) => tagsOf(r)['mlrecipe.trial.error'] === 'the run logged no loss metric');
      expect(child?.info.status).toBe('FAILED');
    });
  }, 60_000);
});
