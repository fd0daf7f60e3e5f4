/**
 * End to end: the regression template with `train.tuning`, `recipe run` as a real child process,
 * runs in the repository's SQLite store. A 20-trial TPE sweep at parallelism 2 makes one parent
 * and 20 child runs and registers its best model through the gate; a sweep killed with SIGKILL
 * finishes only its missing trials (fits counted by the estimator itself); an unchanged re-run
 * fits nothing; a bad space fails before ingest with file:line:column.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openModelRegistry } from '../../src/registry/index.js';
import { openTrackingStore, type Run } from '../../src/tracking/index.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { cli, type CliResult, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = {
  ...process.env,
  HOME: root,
  XDG_CONFIG_HOME: root,
  GIT_CONFIG_NOSYSTEM: '1',
  CI: 'true',
};
for (const key of ['RECIPE_TRACKING_URI', 'MLFLOW_TRACKING_URI']) delete env[key];

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env });
}

async function newRecipe(name: string, train: string): Promise<string> {
  expect((await recipe(root, 'init', '--template', 'regression', name)).code).toBe(0);
  const dir = join(root, name);
  const path = join(dir, 'recipe.yaml');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('  train:\n');
  const end = text.indexOf('  evaluate:\n');
  expect(start).toBeGreaterThan(0);
  writeFileSync(path, `${text.slice(0, start)}${train}${text.slice(end)}`);
  return dir;
}

async function runsOf(dir: string): Promise<Run[]> {
  const store = await openTrackingStore(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')), {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    const experiment = await store.getExperimentByName('cars-regression');
    if (!experiment) return [];
    return (await store.searchRuns({ experimentIds: [experiment.experiment_id], maxResults: 1000 })).runs;
  } finally {
    await store.close();
  }
}

const tag = (run: Run | undefined, key: string) => run?.data.tags.find((t) => t.key === key)?.value;
const childrenOf = (runs: Run[], parent: string) =>
  runs.filter((r) => tag(r, 'mlflow.parentRunId') === parent);

describe('train.tuning through recipe run', () => {
  it('a 20-trial TPE sweep at parallelism 2: 1 parent, 20 children, the best params registered through the gate', async () => {
    const dir = await newRecipe(
      'tpe',
      `  train:
    estimator:
      name: ridge
      params: {alpha: 1.0}
    tuning:
      enabled: true
      max_trials: 20
      algorithm: hyperopt.tpe.suggest
      parallelism: 2
      seed: 7
      parameters:
        alpha: {distribution: loguniform, low: -9, high: 3}
        fit_intercept: {values: [true, false]}
`,
    );
    const result = await recipe(dir, 'run');
    expect(result.stderr).toContain('[train] tuning: tpe, up to 20 trials, 2 at a time');
    expect(result.code).toBe(0);
    const runs = await runsOf(dir);
    const parents = runs.filter((r) => tag(r, 'mlflow.parentRunId') === undefined);
    expect(parents).toHaveLength(1);
    const parent = parents[0] as Run;
    const children = childrenOf(runs, parent.info.run_id);
    expect(children).toHaveLength(20);
    expect(children.every((c) => c.info.status === 'FINISHED')).toBe(true);
    expect(new Set(children.map((c) => tag(c, 'mlrecipe.trial.index')))).toEqual(
      new Set(Array.from({ length: 20 }, (_, i) => String(i))),
    );
    for (const c of children) expect(c.info.run_name.startsWith(`${parent.info.run_name}-trial-`)).toBe(true);

    // The parent names the best child, whose alpha is the model's.
    const bestId = tag(parent, 'mlrecipe.tuning.best_run_id');
    const best = children.find((c) => c.info.run_id === bestId);
    expect(best).toBeDefined();
    const loss = (r: Run) => r.data.metrics.find((m) => m.key === 'loss')?.value as number;
    expect(loss(best as Run)).toBe(Math.min(...children.map(loss)));
    const param = (r: Run, key: string) => r.data.params.find((p) => p.key === key)?.value;
    expect(param(parent, 'estimator.alpha')).toBe(param(best as Run, 'alpha'));
    expect(parent.data.metrics.find((m) => m.key === 'tuning_trials')?.value).toBe(20);

    const registry = await openModelRegistry(sqliteUriForPath(join(dir, 'mlruns', 'tracking.db')), {
      defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
    });
    try {
      const model = await registry.getRegisteredModel('cars-mpg');
      expect(model.aliases.find((a) => a.alias === 'champion')?.version).toBe('1');
      const version = await registry.getModelVersion('cars-mpg', '1');
      expect(version.run_id).toBe(parent.info.run_id);
    } finally {
      await registry.close();
    }

    const shown = await recipe(dir, 'runs', 'show', parent.info.run_id);
    expect(shown.stdout).toContain('Child runs (20, best loss first)');
    expect(shown.stdout.split('Child runs')[1]?.split('\n')[3]).toContain(bestId);
    const inspect = await recipe(dir, 'inspect', '--step', 'train');
    expect(inspect.stdout).toContain(
      `trials (20, best first; best: trial ${tag(parent, 'mlrecipe.tuning.best_trial')})`,
    );
    const card = readFileSync(inspect.stdout.match(/card: +(\S+card\.html)/)?.[1] as string, 'utf8');
    for (const title of [
      'Trials by val_root_mean_squared_error',
      'val_root_mean_squared_error against each parameter',
      'Best so far',
    ])
      expect(card).toContain(title);
  });

  it('after SIGKILL mid-sweep, recipe run fits only the missing trials; an unchanged re-run fits none', async () => {
    const dir = await newRecipe(
      'killed',
      `  train:
    using: custom
    estimator_method: estimator_fn
    estimator_params: {shrink: 0}
    tuning:
      enabled: true
      max_trials: 20
      algorithm: tpe
      parallelism: 2
      parameters:
        shrink: {distribution: uniform, low: 0, high: 0.5}
`,
    );
    // A mean predictor that records every fit it makes, slow enough to be killed in the middle.
    writeFileSync(
      join(dir, 'steps', 'train.ts'),
      `import { appendFileSync } from 'node:fs';
type X = { nRows: number; columns: Float64Array[] };
export function estimator_fn(params: { shrink?: number } = {}) {
  const shrink = params.shrink ?? 0;
  let mean = 0;
  return {
    fit(_X: X, y: Float64Array) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
      mean = (y.reduce((a, b) => a + b, 0) / y.length) * (1 - shrink);
      appendFileSync(new URL('../fits.log', import.meta.url), shrink + '\\n');
    },
    predict(X: X) {
      return new Float64Array(X.nRows).fill(mean);
    },
    toJSON: () => ({ mean }),
    loadState: (state: { mean: number }) => { mean = state.mean; },
  };
}
`,
    );
    const fits = () =>
      existsSync(join(dir, 'fits.log'))
        ? readFileSync(join(dir, 'fits.log'), 'utf8').trim().split('\n').length
        : 0;
    const trialsDir = join(dir, '.recipe', 'trials');
    const cached = () =>
      existsSync(trialsDir) ? readdirSync(trialsDir).filter((f) => f.endsWith('.json')).length : 0;

    const child = spawn(process.execPath, [cli, 'run', '--step', 'train'], {
      cwd: dir,
      env,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && cached() < 6; i++) await sleep(50);
    child.kill('SIGKILL');
    await exited;
    const done = cached();
    expect(done).toBeGreaterThanOrEqual(6);
    expect(done).toBeLessThan(20);
    const fitsBefore = fits();

    // recipe status says the train step must run, and that the killed sweep's trials are kept.
    const status = await recipe(dir, 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/train +(stale|never run)/);
    expect(status.stdout).toContain(
      `a sweep of up to 20 trials: trials whose data, config, params and code are unchanged are reused from the ${done} finished in .recipe/trials`,
    );

    const resumed = await recipe(dir, 'run', '--step', 'train');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`tuning done: 20 trials (${done} from the cache, 0 failed)`);
    expect(fits() - fitsBefore).toBe(20 - done + 1); // the missing trials, then the final model
    expect(cached()).toBe(20);
    const runs = await runsOf(dir);
    const finished = runs.filter(
      (r) => tag(r, 'mlflow.parentRunId') === undefined && r.info.status === 'FINISHED',
    );
    expect(finished).toHaveLength(1);
    const children = childrenOf(runs, (finished[0] as Run).info.run_id);
    expect(children).toHaveLength(20);
    expect(children.filter((c) => tag(c, 'mlrecipe.trial.reused_from') !== undefined)).toHaveLength(done);
    // The killed run's own children are not left RUNNING.
    expect(runs.filter((r) => r.info.status === 'RUNNING')).toEqual([]);

    const fitsResumed = fits();
    const again = await recipe(dir, 'run', '--step', 'train');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/train +cached/);
    expect(fits()).toBe(fitsResumed);
  });

  it('a bad search space fails before ingest with file:line:column and MLflow’s wording', async () => {
    const dir = await newRecipe(
      'bad',
      `  train:
    estimator:
      name: ridge
    tuning:
      enabled: true
      max_trials: 5
      parameters:
        alpha: {low: 0, high: 1}
`,
    );
    const result = await recipe(dir, 'run');
    expect(result.code).toBe(2);
    const line =
      readFileSync(join(dir, 'recipe.yaml'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('alpha: {low')) + 1;
    expect(result.stderr).toContain(`recipe.yaml:${line}:16`);
    expect(result.stderr).toContain(
      "Parameter alpha must contain either a list of 'values' or a 'distribution' following hyperopt parameter expressions",
    );
    expect(existsSync(join(dir, '.recipe', 'cache', 'ingest'))).toBe(false);
  });
});
