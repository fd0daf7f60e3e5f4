/**
 * `train.tuning` over a scikit-learn estimator from steps/train.py (issue 19): test/fixtures/
 * mlflow-recipe with a tuning section, run with Debian's Python. Each trial calls
 * estimator_method(estimator_params merged with the trial's params) in the Python worker and is
 * recorded as a child run of the train run; the best params train the model. A Python
 * early_stop_fn gets hyperopt's calling convention: (trials, *args) -> (stop, args).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openTrackingStore, type Run } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { runCli } from '../helpers/cli.js';
import { pythonRecipeEnv } from '../helpers/python-recipe.js';

const fixture = fileURLToPath(new URL('../fixtures/mlflow-recipe', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const env = pythonRecipeEnv;

/** The fixture with `tuning` added to steps.train (and, optionally, code appended to steps/train.py). */
function recipeWithTuning(tuning: string, trainPy = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-python-sweep-'));
  dirs.push(dir);
  cpSync(fixture, dir, { recursive: true });
  const path = join(dir, 'recipe.yaml');
  const text = readFileSync(path, 'utf8');
  const at =
    text.indexOf('    estimator_method: estimator_fn\n') + '    estimator_method: estimator_fn\n'.length;
  writeFileSync(path, `${text.slice(0, at)}${tuning}${text.slice(at)}`);
  if (trainPy)
    writeFileSync(
      join(dir, 'steps', 'train.py'),
      `${readFileSync(join(dir, 'steps', 'train.py'), 'utf8')}\n${trainPy}`,
    );
  return dir;
}

async function runsOf(dir: string): Promise<Run[]> {
  const store = await openTrackingStore(sqliteUriForPath(join(dir, 'metadata', 'mlflow', 'mlruns.db')), {
    defaultArtifactRoot: join(dir, 'metadata', 'mlflow', 'mlartifacts'),
  });
  try {
    const experiment = await store.getExperimentByName('trips-regression');
    if (!experiment) return [];
    return (await store.searchRuns({ experimentIds: [experiment.experiment_id], maxResults: 1000 })).runs;
  } finally {
    await store.close();
  }
}

const tag = (run: Run | undefined, key: string) => run?.data.tags.find((t) => t.key === key)?.value;
const param = (run: Run, key: string) => run.data.params.find((p) => p.key === key)?.value;

interface TrialsFile {
  best_trial: number;
  stopped_after?: number;
  trials: Array<{
    index: number;
    status: string;
    params: Record<string, number>;
    metrics: Record<string, number>;
    runId?: string;
  }>;
}

async function trialsOf(dir: string): Promise<TrialsFile> {
  const found = await runCli(['get-artifact', '--step', 'train', '--name', 'trials'], {
    cwd: dir,
    env: env(),
  });
  expect(found.code).toBe(0);
  return JSON.parse(readFileSync(found.stdout.trim(), 'utf8')) as TrialsFile;
}

const SPACE = `    tuning:
      enabled: true
      algorithm: "hyperopt.rand.suggest"
      max_trials: 4
      parallelism: 1
      seed: 3
      parameters:
        n_estimators:
          distribution: "uniformint"
          low: 10
          high: 40
        learning_rate:
          distribution: "uniform"
          low: 0.05
          high: 0.3
`;

describe('train.tuning with an estimator from steps/train.py', () => {
  it('a 4-trial sweep: one parent, 4 children with the trial params, the best params in the model', async () => {
    const dir = recipeWithTuning(SPACE);
    const run = await runCli(['run', '--profile', 'local', '--step', 'train'], { cwd: dir, env: env() });
    expect(run.stderr).toContain('[train] tuning: random, up to 4 trials, 1 at a time');
    expect(run.code).toBe(0);
    const runs = await runsOf(dir);
    const parents = runs.filter((r) => tag(r, 'mlflow.parentRunId') === undefined);
    expect(parents).toHaveLength(1);
    const parent = parents[0] as Run;
    const all = runs.filter((r) => tag(r, 'mlflow.parentRunId') === parent.info.run_id);
    // As MLflow 2.12: estimator_params fixes more than one value, so the untuned configuration
    // is scored too, as one more child.
    const untuned = all.filter((r) => tag(r, 'mlrecipe.trial.index') === '-1');
    expect(untuned).toHaveLength(1);
    const children = all.filter((r) => tag(r, 'mlrecipe.trial.index') !== '-1');
    expect(children).toHaveLength(4);
    expect(children.every((c) => c.info.status === 'FINISHED')).toBe(true);

    const trials = await trialsOf(dir);
    const swept = trials.trials.filter((t) => t.index >= 0);
    expect(swept.map((t) => t.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    for (const trial of swept) {
      const child = children.find((c) => c.info.run_id === trial.runId) as Run;
      expect(child).toBeDefined();
      expect(tag(child, 'mlrecipe.trial.index')).toBe(String(trial.index));
      expect(Number(param(child, 'n_estimators'))).toBe(trial.params.n_estimators);
      expect(Number.isInteger(trial.params.n_estimators)).toBe(true);
      expect(Number(param(child, 'learning_rate'))).toBeCloseTo(trial.params.learning_rate as number, 12);
      // estimator_params' fixed values are merged under the trial's.
      expect(param(child, 'max_depth')).toBe('3');
      expect(child.data.metrics.some((m) => m.key === 'val_root_mean_squared_error')).toBe(true);
    }
    // The best trial's params trained the model that train logged.
    const best = trials.trials.find((t) => t.index === trials.best_trial);
    expect(param(parent, 'estimator.n_estimators')).toBe(
      trials.best_trial < 0 ? '60' : String(best?.params.n_estimators),
    );
    expect(parent.data.metrics.find((m) => m.key === 'tuning_trials')?.value).toBe(4);
    expect(run.stderr).toContain('[train] fitted sklearn.ensemble._gb.GradientBoostingRegressor');

    // A second run reuses every trial from the trial cache and the step from the step cache.
    const again = await runCli(['run', '--profile', 'local', '--step', 'train'], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^train\s+cached/m);
  }, 300_000);

  it('calls a Python early_stop_fn as hyperopt does: (trials, *args) -> (stop, args)', async () => {
    const stop = `
def stop_after_two(trials, calls=0, best_seen=None):
    # What functions written for hyperopt read: the Trials documents and best_trial.
    last = trials.trials[-1]["result"]
    assert last["status"] == "ok" and isinstance(last["loss"], float), last
    assert set(trials.trials[-1]["misc"]["vals"]) == {"n_estimators", "learning_rate"}
    best = trials.best_trial["result"]["loss"]
    assert best_seen is None or best <= best_seen
    return calls + 1 >= 2, [calls + 1, best]
`;
    const dir = recipeWithTuning(
      SPACE.replace('      max_trials: 4\n', '      max_trials: 6\n      early_stop_fn: stop_after_two\n'),
      stop,
    );
    const run = await runCli(['run', '--profile', 'local', '--step', 'train'], { cwd: dir, env: env() });
    expect(run.stderr).toContain('stopped early after trial 1');
    expect(run.code).toBe(0);
    const trials = await trialsOf(dir);
    expect(trials.stopped_after).toBe(1);
    expect(trials.trials.filter((t) => t.index >= 0)).toHaveLength(2);
    const runs = await runsOf(dir);
    const children = runs.filter((r) => tag(r, 'mlflow.parentRunId') !== undefined);
    expect(children.filter((r) => tag(r, 'mlrecipe.trial.index') !== '-1')).toHaveLength(2);
  }, 300_000);

  it('parallelism 2 fits trials in two Python worker processes, with the same results as parallelism 1', async () => {
    // estimator_fn as the fixture's, and it notes the pid of the worker that made the estimator.
    const notePid = `
import os as _os


def estimator_fn(estimator_params=None):
    from sklearn.ensemble import GradientBoostingRegressor

    recipe_dir = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
    with open(_os.path.join(recipe_dir, "pids.txt"), "a") as f:
        f.write(f"{_os.getpid()}\\n")
    return GradientBoostingRegressor(**(estimator_params or {}))
`;
    const outcome = async (parallelism: number) => {
      const dir = recipeWithTuning(
        SPACE.replace('      max_trials: 4\n', '      max_trials: 6\n').replace(
          '      parallelism: 1\n',
          `      parallelism: ${parallelism}\n`,
        ),
        notePid,
      );
      const run = await runCli(['run', '--profile', 'local', '--step', 'train'], { cwd: dir, env: env() });
      expect(run.stderr).toContain(`up to 6 trials, ${parallelism} at a time`);
      expect(run.code).toBe(0);
      const pids = new Set(readFileSync(join(dir, 'pids.txt'), 'utf8').trim().split('\n'));
      const trials = await trialsOf(dir);
      return {
        pids,
        trials: trials.trials
          .map((t) => ({ index: t.index, status: t.status, params: t.params, metrics: t.metrics }))
          .sort((a, b) => a.index - b.index),
        best: trials.best_trial,
      };
    };
    const one = await outcome(1);
    const two = await outcome(2);
    // Parallelism 1: every estimator made in the run's one worker (trials, untuned, final model).
    expect(one.pids.size).toBe(1);
    // Parallelism 2: a second worker started when the second trial was in flight.
    expect(two.pids.size).toBe(2);
    expect(two.trials.filter((t) => t.status === 'ok')).toHaveLength(7);
    expect(two.trials).toEqual(one.trials);
    expect(two.best).toBe(one.best);
  }, 300_000);
});
