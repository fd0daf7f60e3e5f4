import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { HYPEROPT_TPE } from '../../src/sweeps/index.js';
import { openTrackingStore, type Run, type TrackingStore } from '../../src/tracking/index.js';
import { cli, runCli } from '../helpers/cli.js';
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
      const first = HYPEROPT_TPE.nStartupJobs;
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

  it('reuses finished trials: an unchanged re-run runs none, a SIGKILLed sweep re-runs only its missing trials', async () => {
    // Every execution of the entry point appends "start" and, once its metric is logged, "end"
    // to a file outside the project (so the project's content, part of the fingerprint, stays put).
    const counts = tempDirWith({ 'runs.txt': '' });
    const countFile = join(counts, 'runs.txt');
    const node = JSON.stringify(process.execPath);
    const tsx = JSON.stringify(import.meta.resolve('tsx'));
    const project = tempDirWith({
      MLproject: `
name: counted
entry_points:
  main:
    parameters:
      x: float
      k: {type: int, default: 0}
    command: '${node} --import ${tsx} count.ts {x} {k} ${countFile}'
`,
      'count.ts': `
import { appendFileSync } from 'node:fs';
import { TrackingClient } from ${JSON.stringify(join(repoRoot, 'src/tracking/index.ts'))};
const [x, k, file] = process.argv.slice(2);
appendFileSync(file, 'start\\n');
const client = await TrackingClient.open();
const run = await client.startRun();
await run.logMetric('loss', (Number(x) - 1) ** 2 + Number(k));
await run.end();
await client.close();
appendFileSync(file, 'end\\n');
`,
      'package.json': '{"type": "module"}',
    });
    const cwd = tempDirWith({
      'space.yaml': 'x: {distribution: uniform, low: -3, high: 3}\nk: {values: [0, 1]}\n',
    });
    const trials = 10; // past TPE's 8 start-up trials: the guided proposals must match too
    const args = (parallelism: number) => [
      'sweep',
      project,
      '--space',
      'space.yaml',
      '--metric',
      'loss',
      '--max-trials',
      String(trials),
      '--parallelism',
      String(parallelism),
      '--seed',
      '11',
    ];
    const lines = () => readFileSync(countFile, 'utf8').split('\n').filter(Boolean);
    const executed = () => lines().filter((l) => l === 'end').length;
    const started = () => lines().filter((l) => l === 'start').length;

    // 1. A sweep killed with SIGKILL after its third trial finished (the compiled CLI, a real process).
    const child = spawn(process.execPath, [cli, ...args(1)], { cwd, env: cleanEnv(), stdio: 'ignore' });
    const exited = new Promise((done) => child.on('exit', done));
    while (executed() < 3) {
      if (child.exitCode !== null) throw new Error('the sweep ended before it could be killed');
      await sleep(50);
    }
    child.kill('SIGKILL');
    await exited;
    // A trial it had started finishes on its own (its run ends FINISHED through the client).
    for (let waited = 0; started() !== executed(); waited++) {
      if (waited > 1200) throw new Error('an orphaned trial never finished');
      await sleep(50);
    }
    const finishedBefore = await withStore(cwd, async (store) => {
      const runs = await allRuns(store);
      return runs.filter(
        (r) => tagsOf(r)['mlflow.parentRunId'] !== undefined && r.info.status === 'FINISHED',
      );
    });
    expect(finishedBefore.length).toBeGreaterThanOrEqual(3);
    expect(finishedBefore.length).toBeLessThan(trials);
    const afterKill = executed();
    expect(afterKill).toBe(finishedBefore.length);

    // 2. The same sweep again (at parallelism 2): only the missing trials run.
    const resumed = await runCli(args(2), { cwd, env: cleanEnv() });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(executed() - afterKill).toBe(trials - finishedBefore.length);
    expect(resumed.stderr).toContain(
      `sweep done: ${trials} trials (${finishedBefore.length} reused, 0 failed)`,
    );
    const second = resumed.stdout.trim();

    // 3. Unchanged: no trial runs; every child is recorded from the run that computed it.
    const again = await runCli(args(1), { cwd, env: cleanEnv() });
    expect(again.code, again.stderr).toBe(0);
    expect(executed()).toBe(afterKill + trials - finishedBefore.length);
    expect(again.stderr).toContain(`sweep done: ${trials} trials (${trials} reused, 0 failed)`);
    const third = again.stdout.trim();

    await withStore(cwd, async (store) => {
      const runs = await allRuns(store);
      const children = (parent: string) =>
        runs
          .filter((r) => tagsOf(r)['mlflow.parentRunId'] === parent)
          .sort(
            (a, b) => Number(tagsOf(a)['mlrecipe.trial.index']) - Number(tagsOf(b)['mlrecipe.trial.index']),
          );
      const resumedChildren = children(second);
      const reusedChildren = children(third);
      expect(resumedChildren).toHaveLength(trials);
      expect(reusedChildren).toHaveLength(trials);
      // The same trials, the same params and losses, in every sweep; the reused ones name their origin.
      const byId = new Map(runs.map((r) => [r.info.run_id, r]));
      for (let i = 0; i < trials; i++) {
        const a = resumedChildren[i] as Run;
        const b = reusedChildren[i] as Run;
        expect(b.info.status).toBe('FINISHED');
        expect(paramsOf(b)).toEqual(paramsOf(a));
        expect(tagsOf(b)['mlrecipe.trial.fingerprint']).toBe(tagsOf(a)['mlrecipe.trial.fingerprint']);
        const origin = byId.get(tagsOf(b)['mlrecipe.trial.reused_from'] as string) as Run;
        expect(tagsOf(origin)['mlrecipe.trial.reused_from']).toBeUndefined();
        expect(origin.data.metrics.find((m) => m.key === 'loss')?.value).toBe(
          b.data.metrics.find((m) => m.key === 'loss')?.value,
        );
      }
      expect(
        resumedChildren.filter((c) => tagsOf(c)['mlrecipe.trial.reused_from'] !== undefined),
      ).toHaveLength(finishedBefore.length);
      const parent = byId.get(third) as Run;
      expect(parent.data.metrics.find((m) => m.key === 'tuning_cached_trials')?.value).toBe(trials);
    });

    // --no-reuse runs a trial that is cached.
    writeFileSync(join(cwd, 'one.yaml'), 'x: {values: [0.5]}\n');
    const forced = await runCli(
      ['sweep', project, '--space', 'one.yaml', '--metric', 'loss', '--max-trials', '1', '--no-reuse'],
      { cwd, env: cleanEnv() },
    );
    expect(forced.code, forced.stderr).toBe(0);
    const cachedOne = await runCli(
      ['sweep', project, '--space', 'one.yaml', '--metric', 'loss', '--max-trials', '1'],
      {
        cwd,
        env: cleanEnv(),
      },
    );
    expect(cachedOne.stderr).toContain('(1 reused, 0 failed)');
    expect(executed()).toBe(afterKill + trials - finishedBefore.length + 1);
    expect(existsSync(countFile)).toBe(true);
  }, 300_000);
});
