/**
 * `tuning.algorithm: hyperopt.tpe.suggest` runs hyperopt's `tpe.suggest` defaults unless
 * `tuning.tpe` (mlrecipe's own) says otherwise; `tuning.tpe` is checked before any step runs, each
 * problem at its own file:line:column with a hint.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadRecipe } from '../../src/recipes/load.js';
import {
  createSampler,
  HYPEROPT_TPE,
  MLRECIPE_TPE,
  type Observation,
  parseTuningConfig,
  type Point,
} from '../../src/sweeps/index.js';

const PARAMETERS = {
  alpha: { distribution: 'loguniform', low: -9, high: 1 },
  fit_intercept: { values: [true, false] },
};

function tuning(extra: Record<string, unknown>) {
  return parseTuningConfig({ enabled: true, max_trials: 30, parameters: PARAMETERS, ...extra });
}

describe('tuning.tpe', () => {
  it("absent: hyperopt.tpe.suggest and tpe run hyperopt's tpe.suggest defaults", () => {
    for (const algorithm of ['hyperopt.tpe.suggest', 'tpe']) {
      const { config, issues } = tuning({ algorithm });
      expect(issues).toEqual([]);
      expect(config?.algorithm).toBe('tpe');
      expect(config?.tpe).toBeUndefined();
    }
    expect(HYPEROPT_TPE).toMatchObject({
      nStartupJobs: 20,
      gamma: 0.25,
      nEiCandidates: 24,
      priorWeight: 1,
      split: 'sqrt',
      multivariate: false,
    });
  });

  it.each<[string, unknown, object]>([
    ['the mlrecipe preset', 'mlrecipe', MLRECIPE_TPE],
    ['the hyperopt preset', 'hyperopt', HYPEROPT_TPE],
    [
      'knobs over hyperopt',
      { startup_trials: 10, gamma: 0.1, good_trials: 'linear' },
      { ...HYPEROPT_TPE, nStartupJobs: 10, gamma: 0.1, split: 'linear' },
    ],
    [
      'knobs over mlrecipe',
      { preset: 'mlrecipe', candidates: 48, multivariate: false, prior_weight: 0.5 },
      { ...MLRECIPE_TPE, nEiCandidates: 48, multivariate: false, priorWeight: 0.5 },
    ],
  ])('%s', (_label, tpe, expected) => {
    const { config, issues } = tuning({ algorithm: 'tpe', tpe });
    expect(issues).toEqual([]);
    expect(config?.tpe).toEqual(expected);
  });

  it.each<[unknown, string[], RegExp]>([
    ['optuna', ['tpe'], /unknown tpe preset "optuna"/],
    [{ preset: 'fast' }, ['tpe', 'preset'], /unknown tpe preset "fast"/],
    [{ gamma: 2 }, ['tpe', 'gamma'], /gamma must be a number in \(0, 1\]/],
    [{ startup_trials: -1 }, ['tpe', 'startup_trials'], /at least 0/],
    [{ candidates: 2.5 }, ['tpe', 'candidates'], /at least 1/],
    [{ good_trials: 'log' }, ['tpe', 'good_trials'], /sqrt or linear/],
    [{ multivariate: 'yes' }, ['tpe', 'multivariate'], /true or false/],
    [{ prior_weight: 0 }, ['tpe', 'prior_weight'], /positive/],
    [{ n_startup_jobs: 5 }, ['tpe', 'n_startup_jobs'], /unknown tpe setting/],
  ])('refuses %j', (tpe, path, message) => {
    const { config, issues } = tuning({ algorithm: 'tpe', tpe });
    expect(config).toBeUndefined();
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(path);
    expect(issues[0]?.message).toMatch(message);
    expect(issues[0]?.hint).toMatch(/\S/);
  });

  it('refuses tpe settings with another algorithm', () => {
    const { issues } = tuning({ algorithm: 'hyperopt.rand.suggest', tpe: 'mlrecipe' });
    expect(issues.map((i) => i.path)).toEqual([['tpe']]);
    expect(issues[0]?.message).toMatch(/apply to algorithm hyperopt.tpe.suggest/);
  });

  it('the settings reach the sampler: 20 random start-up trials by default, 8 with the mlrecipe preset', () => {
    const space = tuning({}).config?.space ?? [];
    const loss = (p: Point) => Math.abs(Math.log(p.alpha as number) + 4) + (p.fit_intercept as number);
    const trials = (tpe?: typeof HYPEROPT_TPE) => {
      const sampler = createSampler({ algorithm: 'tpe', space, seed: 4, ...(tpe ? { tpe } : {}) });
      const random = createSampler({ algorithm: 'random', space, seed: 4 });
      const history: Observation[] = [];
      const fromPrior: boolean[] = [];
      for (let i = 0; i < 24; i++) {
        const point = sampler.suggest(i, history.slice(0, sampler.visible(i)));
        fromPrior.push(JSON.stringify(point) === JSON.stringify(random.suggest(i, [])));
        history.push({ point, loss: loss(point) });
      }
      return { history, firstModelled: fromPrior.indexOf(false) };
    };
    const byDefault = trials();
    expect(byDefault.firstModelled).toBe(20);
    expect(trials(HYPEROPT_TPE).history).toEqual(byDefault.history);
    expect(trials(tuning({ algorithm: 'tpe', tpe: 'mlrecipe' }).config?.tpe).firstModelled).toBe(8);
  });
});

describe('tuning.tpe in recipe.yaml', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function issuesOf(tpeYaml: string) {
    const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-tpe-config-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'steps'));
    const recipe = `recipe: regression/v1
target_col: y
primary_metric: root_mean_squared_error
steps:
  ingest:
    using: csv
    location: data.csv
  train:
    estimator:
      name: ridge
    tuning:
      enabled: true
      max_trials: 30
      algorithm: hyperopt.tpe.suggest
${tpeYaml}
      parameters:
        alpha: {distribution: loguniform, low: -9, high: 1}
`;
    writeFileSync(join(dir, 'recipe.yaml'), recipe);
    writeFileSync(join(dir, 'data.csv'), 'x,y\n1,2\n');
    try {
      loadRecipe({ recipeDir: dir });
      return { recipe, issues: [] };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { recipe, issues: error.issues };
    }
  }

  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  it('accepts a preset and knobs', () => {
    expect(issuesOf('      tpe: mlrecipe').issues).toEqual([]);
    expect(issuesOf('      tpe: {preset: mlrecipe, startup_trials: 10}').issues).toEqual([]);
  });

  it('a bad value: file:line:column of the value, with a hint', () => {
    const { recipe, issues } = issuesOf('      tpe:\n        startup_trials: 10\n        gamma: 2');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: 'steps.train.tuning.tpe.gamma',
      line: lineOf(recipe, 'gamma: 2'),
      column: 16,
      message: expect.stringMatching(/gamma must be a number in \(0, 1\]/),
      hint: expect.stringMatching(/0\.25/),
    });
    expect(issues[0]?.file).toMatch(/recipe\.yaml$/);
  });

  it('a misspelt setting points at its key', () => {
    const { recipe, issues } = issuesOf('      tpe:\n        startup_trails: 10');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: lineOf(recipe, 'startup_trails'), column: 9 });
    expect(issues[0]?.hint).toMatch(/startup_trials/);
  });
});
