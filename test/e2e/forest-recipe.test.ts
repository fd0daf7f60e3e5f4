/**
 * A regression recipe that trains a RandomForestRegressor end to end through `recipe run`
 * (ingest → split → transform → train → evaluate → register), then scores with the saved
 * model; and the recipe checks that name the ensembles' parameters before anything runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../helpers/cli.js';
import { removeDir } from '../recipes/helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env: { ...process.env, CI: 'true' } });
}

const ESTIMATOR = `    estimator:
      name: random_forest_regressor
      params:
        n_estimators: 25
        max_features: sqrt
        min_samples_leaf: 2
        random_state: 0
`;

function recipeText(estimator: string): string {
  return `recipe: regression/v1
target_col: y
primary_metric: root_mean_squared_error
steps:
  ingest:
    using: csv
    location: data/train.csv
  split:
    split_ratios: [0.6, 0.2, 0.2]
  transform:
    using: default
  train:
${estimator}  evaluate:
    validation_criteria:
      - metric: r2_score
        threshold: 0.8
experiment:
  name: forest-test
model_registry:
  model_name: forest-test-model
`;
}

/** y is a step function of x1 plus a term in x2 and the color: a linear model cannot fit it. */
function makeRecipe(estimator = ESTIMATOR): { dir: string; uri: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-forest-'));
  dirs.push(dir);
  const rows = ['x1,x2,color,y'];
  for (let i = 0; i < 600; i++) {
    const x1 = (i * 37) % 101;
    const x2 = (i * 13) % 17;
    const color = ['red', 'green', 'blue'][i % 3];
    const y = (x1 < 30 ? 5 : x1 < 70 ? 20 : 12) + 0.5 * x2 + (color === 'red' ? 4 : 0) + (i % 5) * 0.1;
    rows.push(`${x1},${i % 11 === 0 ? '' : x2},${color},${y.toFixed(2)}`);
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'train.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'recipe.yaml'), recipeText(estimator));
  return { dir, uri: `sqlite:///${join(dir, 'mlruns', 'tracking.db')}` };
}

describe('a recipe with random_forest_regressor', () => {
  it('trains, evaluates (validated), registers, and its model predicts', async () => {
    const { dir, uri } = makeRecipe();
    const run = await recipe(dir, '--tracking-uri', uri, 'run', '--output', 'json');
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(0);
    const ran = JSON.parse(run.stdout) as {
      status: string;
      steps: Array<{ step: string; state: string; metrics: Record<string, number> }>;
    };
    expect(ran.status).toBe('FINISHED');
    const evaluate = ran.steps.find((s) => s.step === 'evaluate');
    expect(evaluate?.metrics.test_r2_score).toBeGreaterThan(0.9);

    const model = await recipe(dir, 'get-artifact', '--step', 'train', '--name', 'model');
    expect(model.code).toBe(0);
    const modelDir = model.stdout.trim();
    const pipeline = JSON.parse(readFileSync(join(modelDir, 'pipeline.json'), 'utf8')) as {
      estimator: { name: string; params: Record<string, unknown>; state: Record<string, unknown> };
    };
    expect(pipeline.estimator.name).toBe('random_forest_regressor');
    expect(pipeline.estimator.params).toMatchObject({
      n_estimators: 25,
      max_features: 'sqrt',
      random_state: 0,
    });
    expect(pipeline.estimator.state.n_trees).toBe(25);
    expect(readFileSync(join(modelDir, 'MLmodel'), 'utf8')).toContain('loader_module: mlrecipe_pyfunc');

    const input = join(dir, 'score.json');
    writeFileSync(
      input,
      JSON.stringify({
        dataframe_split: {
          columns: ['x1', 'x2', 'color'],
          data: [
            [10, 4, 'red'],
            [50, null, 'blue'],
          ],
        },
      }),
    );
    const predicted = await recipe(dir, 'models', 'predict', '-m', modelDir, '-i', input);
    expect(predicted.code).toBe(0);
    const [low, high] = (JSON.parse(predicted.stdout) as { predictions: number[] }).predictions;
    // About 5 + 2 + 4 and 20 + 4: the forest learned the steps.
    expect(low).toBeGreaterThan(8);
    expect(low).toBeLessThan(14);
    expect(high).toBeGreaterThan(20);
    expect(high).toBeLessThan(28);
  });

  it('a CamelCase name and a misspelt parameter are config errors with did-you-mean, before any step', async () => {
    const { dir } = makeRecipe(ESTIMATOR.replace('random_forest_regressor', 'RandomForestRegressor'));
    const byName = await recipe(dir, 'run');
    expect(byName.code).toBe(2);
    expect(byName.stderr).toMatch(
      /steps\.train\.estimator\.name: unknown estimator "RandomForestRegressor"\n {4}hint: did you mean `random_forest_regressor`\?/,
    );

    writeFileSync(join(dir, 'recipe.yaml'), recipeText(ESTIMATOR.replace('n_estimators', 'n_estimator')));
    const byParam = await recipe(dir, 'run');
    expect(byParam.code).toBe(2);
    expect(byParam.stderr).toMatch(/n_estimator.*\n {4}hint: did you mean `n_estimators`\?/);

    writeFileSync(
      join(dir, 'recipe.yaml'),
      recipeText(ESTIMATOR.replace('max_features: sqrt', 'max_features: [1]')),
    );
    const byType = await recipe(dir, 'run');
    expect(byType.code).toBe(2);
    expect(byType.stderr).toContain('expected a number or a string for max_features, got');
  });
});
