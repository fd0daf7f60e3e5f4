import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readArrowDataset } from '../../src/data/arrow-io.js';
import { ConfigError } from '../../src/errors.js';
import { categoryCodeFeatures, densify, readsCodes, transformEncoded } from '../../src/ml/encoded-matrix.js';
import { createEstimator } from '../../src/ml/estimators.js';
import { regressionMetrics } from '../../src/ml/metrics/regression.js';
import type { Regressor } from '../../src/ml/types.js';
import { loadModel, selectColumns } from '../../src/models/index.js';
import { loadFittedTransformer } from '../../src/steps/transform.js';
import {
  createCarsRecipe,
  createPenguinsRecipe,
  createRecipe,
  penguinRows,
  type RecipeFixture,
  removeRecipesAfterEach,
  runSteps,
} from './model-recipe-fixture.js';

removeRecipesAfterEach();

function carsRecipe(train: Record<string, unknown> = {}, modules?: Record<string, string>): RecipeFixture {
  return createCarsRecipe({
    steps: { split: { split_ratios: [0.7, 0.15, 0.15] }, train },
    ...(modules ? { modules } : {}),
  });
}

const REPO = resolve(import.meta.dirname, '../..');

describe('train step', () => {
  it('fits a registry estimator on cars and saves a model that predicts exactly as the process did', async () => {
    const fixture = await runSteps(carsRecipe({ estimator: { name: 'ridge', params: { alpha: 0.5 } } }), [
      'ingest',
      'split',
      'transform',
      'train',
    ]);
    const result = fixture.results.train;
    const trainDir = fixture.dirs.train as string;
    expect(result?.outputs).toEqual({ model: 'model' });
    expect(result?.params).toMatchObject({ estimator: 'ridge', 'estimator.alpha': '0.5' });
    const rmse = result?.metrics?.training_root_mean_squared_error as number;
    // MPG from weight/horsepower/origin: a linear model lands around 3-4 mpg RMSE.
    expect(rmse).toBeGreaterThan(2);
    expect(rmse).toBeLessThan(5);
    expect(result?.metrics?.training_r2_score).toBeGreaterThan(0.7);

    const mlmodel = parseYaml(readFileSync(join(trainDir, 'model', 'MLmodel'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(mlmodel.run_id).toBe('fixture-run');
    expect(mlmodel.artifact_path).toBe('model');
    const inputs = JSON.parse((mlmodel.signature as { inputs: string }).inputs) as Array<{
      name: string;
      type: string;
    }>;
    expect(inputs.map((c) => c.name)).not.toContain('Miles_per_Gallon');
    expect(inputs.find((c) => c.name === 'Origin')?.type).toBe('string');
    expect(inputs.find((c) => c.name === 'Acceleration')?.type).toBe('double');

    // The same pipeline rebuilt by hand in this process…
    const train = readArrowDataset(join(fixture.dirs.split as string, 'train.arrow'));
    const fitted = await loadFittedTransformer(fixture.dirs.transform as string, fixture.recipeDir);
    // (ridge reads the one-hot columns as codes, as the step does)…
    const Xe = transformEncoded(fitted.transformer, selectColumns(train.frame, fitted.inputColumns));
    const y = train.frame.columns.find((c) => c.name === 'Miles_per_Gallon')?.values as Float64Array;
    const ridge = createEstimator('ridge', { alpha: 0.5 });
    if (!readsCodes(ridge)) throw new Error('ridge should read one-hot codes');
    ridge.fitEncoded(Xe, y);
    const inProcess = ridge.predictEncoded(Xe);
    // …and the saved model, loaded back, agree to the last bit.
    const model = await loadModel(join(trainDir, 'model'));
    const loaded = model.predict(train.frame) as Float64Array;
    expect(Array.from(loaded)).toEqual(Array.from(inProcess));
    // The dense 0/1 columns give the same model to rounding.
    const dense = createEstimator('ridge', { alpha: 0.5 }) as Regressor;
    dense.fit(densify(Xe), y);
    const densePredictions = dense.predict(densify(Xe));
    for (let i = 0; i < loaded.length; i++) expect(loaded[i]).toBeCloseTo(densePredictions[i], 9);
    expect(regressionMetrics(y, loaded).root_mean_squared_error).toBe(rmse);

    const card = result?.card;
    expect(card?.data.features).toEqual(fitted.transformer.featureNames());
    expect(Object.keys(card?.data.coefficients as object)).toHaveLength(densify(Xe).columns.length);
    expect(card?.sections.map((s) => s.title)).toEqual([
      'Summary',
      'Training metrics',
      'Coefficients',
      'Predicted vs actual (training split)',
    ]);
    expect(card?.sections[2].html).toContain('<svg');
  });

  it('trains a classifier with string labels; the saved model predicts the labels', async () => {
    const fixture = createPenguinsRecipe({
      steps: {
        split: { split_ratios: [0.6, 0.2, 0.2] },
        train: { estimator: { name: 'logistic_regression', params: { C: 1 } } },
      },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
    const result = fixture.results.train;
    expect(result?.card.data.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(result?.metrics?.training_accuracy_score).toBeGreaterThan(0.95);
    const model = await loadModel(join(fixture.dirs.train as string, 'model'));
    expect(model.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const train = readArrowDataset(join(fixture.dirs.split as string, 'train.arrow')).frame;
    const labels = model.predict(train) as string[];
    const truth = train.columns.find((c) => c.name === 'Species')?.values as string[];
    const accuracy = labels.filter((l, i) => l === truth[i]).length / labels.length;
    expect(accuracy).toBe(result?.metrics?.training_accuracy_score);
    const proba = model.predictProba?.(train) as Float64Array[];
    expect(proba).toHaveLength(3);
    expect(proba[0][0] + proba[1][0] + proba[2][0]).toBeCloseTo(1, 12);
    const pipeline = JSON.parse(
      readFileSync(join(fixture.dirs.train as string, 'model', 'pipeline.json'), 'utf8'),
    );
    expect(pipeline.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(pipeline.transformer.kind).toBe('column_transformer');
    expect(pipeline.positive_class).toBeUndefined();
  });

  it('puts positive_class at index 1 in a binary problem', async () => {
    const rows = penguinRows().filter((r) => r.Species !== 'Chinstrap');
    const fixture = createRecipe({
      recipe: {
        recipe: 'classification/v1',
        target_col: 'Species',
        positive_class: 'Adelie',
        steps: { ingest: { using: 'json', location: 'data/p.json' }, split: {}, train: {} },
      },
      dataFile: 'p.json',
      rows,
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
    expect(fixture.results.train?.card.data.classes).toEqual(['Gentoo', 'Adelie']);
    expect(fixture.results.train?.params?.estimator).toBe('logistic_regression');
    const model = await loadModel(join(fixture.dirs.train as string, 'model'));
    expect(model.pipeline?.positiveClass).toBe('Adelie');
  });

  it('sorts numeric labels numerically, names booleans true/false, and evaluates them consistently', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      x: i % 10,
      z: Math.sin(i),
      size: i % 10 < 5 ? 2 : 10,
      big: i % 10 >= 5,
    }));
    const numeric = createRecipe({
      recipe: {
        recipe: 'classification/v1',
        target_col: 'size',
        positive_class: 10,
        steps: { ingest: { using: 'json', location: 'data/d.json' }, split: {} },
      },
      dataFile: 'd.json',
      rows: rows.map(({ big: _big, ...r }) => r),
    });
    await runSteps(numeric, ['ingest', 'split', 'transform', 'train', 'evaluate']);
    expect(numeric.results.train?.card.data.classes).toEqual(['2', '10']);
    expect(numeric.results.evaluate?.metrics?.test_accuracy_score).toBe(1);

    const boolean = createRecipe({
      recipe: {
        recipe: 'classification/v1',
        target_col: 'big',
        positive_class: false,
        steps: { ingest: { using: 'json', location: 'data/d.json' }, split: {} },
      },
      dataFile: 'd.json',
      rows: rows.map(({ size: _size, ...r }) => r),
    });
    await runSteps(boolean, ['ingest', 'split', 'transform', 'train', 'evaluate']);
    expect(boolean.results.train?.card.data.classes).toEqual(['true', 'false']);
    expect(boolean.results.evaluate?.metrics?.test_accuracy_score).toBe(1);
    const model = await loadModel(join(boolean.dirs.train as string, 'model'));
    const test = readArrowDataset(join(boolean.dirs.split as string, 'test.arrow')).frame;
    expect(new Set(model.predict(test) as string[])).toEqual(new Set(['true', 'false']));
  });

  it('rejects an unknown estimator name or parameter with a config error listing the choices', async () => {
    const fixture = await runSteps(carsRecipe({ estimator: { name: 'random_forest' } }), [
      'ingest',
      'split',
      'transform',
    ]);
    const error = await runSteps(fixture, ['train']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('steps.train.estimator.name');
    expect((error as ConfigError).message).toContain('unknown estimator "random_forest"');
    expect((error as ConfigError).issues[0].hint).toContain('linear_regression');
    expect((error as ConfigError).issues[0].hint).not.toContain('logistic_regression');

    (fixture.recipe.steps as Record<string, unknown>).train = {
      estimator: { name: 'ridge', params: { alpah: 1 } },
    };
    const typo = await runSteps(fixture, ['train']).catch((e: unknown) => e);
    expect((typo as ConfigError).path).toBe('steps.train.estimator.params');
    expect((typo as ConfigError).message).toContain('no parameter "alpah"');
    expect((typo as ConfigError).issues[0].hint).toContain('alpha');

    (fixture.recipe.steps as Record<string, unknown>).train = {
      estimator: { name: 'ridge' },
      tuning: { enabled: true },
    };
    // The sweep runs through the engine (StepContext.tune; test/sweeps): alone, the step says so.
    const tuning = await runSteps(fixture, ['train']).catch((e: unknown) => e);
    expect((tuning as Error).message).toContain(
      'tuning is enabled, but this engine provides no sweep runner',
    );

    (fixture.recipe.steps as Record<string, unknown>).train = { estimator: { name: 'logistic_regression' } };
    const wrongKind = await runSteps(fixture, ['train']).catch((e: unknown) => e);
    expect((wrongKind as ConfigError).message).toContain(
      'is a classifier, but this recipe needs a regressor',
    );
  });

  it('trains a custom estimator and transformer from .ts modules and saves their code with the model', async () => {
    const transformModule = `
      import type { Frame } from '${REPO}/src/ml/types.ts';
      export function transformer_fn() {
        let means: number[] = [];
        const numeric = (frame: Frame) => frame.columns.filter((c) => c.type === 'number' && c.name !== 'Cylinders');
        return {
          fit(frame: Frame) {
            means = numeric(frame).map((c) => {
              const present = Array.from(c.values as Float64Array).filter((v) => !Number.isNaN(v));
              return present.reduce((a, b) => a + b, 0) / present.length;
            });
          },
          transform(frame: Frame) {
            return {
              nRows: frame.nRows,
              columns: numeric(frame).map((c, j) => Float64Array.from(c.values as Float64Array, (v) => (Number.isNaN(v) ? means[j] : v))),
            };
          },
          featureNames: () => ['Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'],
          toJSON: () => ({ means }),
          loadState: (state: { means: number[] }) => { means = state.means; },
        };
      }
    `;
    const trainModule = `
      // A tiny mean-of-target-per-bucket model, scaled by a parameter.
      export function estimator_fn(params: { factor?: number } = {}) {
        let mean = 0;
        const factor = params.factor ?? 1;
        return {
          fit(X: { nRows: number; columns: Float64Array[] }, y: Float64Array) {
            mean = y.reduce((a, b) => a + b, 0) / y.length;
          },
          predict(X: { nRows: number; columns: Float64Array[] }) {
            return Float64Array.from(X.columns[2], (w) => mean * factor * (3000 / w));
          },
          toJSON: () => ({ mean }),
          loadState: (state: { mean: number }) => { mean = state.mean; },
        };
      }
    `;
    const fixture = carsRecipe(
      { using: 'custom', estimator_method: 'estimator_fn', estimator_params: { factor: 0.9 } },
      { transform: transformModule, train: trainModule },
    );
    (fixture.recipe.steps as Record<string, unknown>).transform = {
      using: 'custom',
      transformer_method: 'transformer_fn',
    };
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
    expect(fixture.results.transform?.card.data.feature_names).toEqual([
      'Displacement',
      'Horsepower',
      'Weight_in_lbs',
      'Acceleration',
    ]);
    const modelDir = join(fixture.dirs.train as string, 'model');
    expect(existsSync(join(modelDir, 'code', 'train.ts'))).toBe(true);
    expect(existsSync(join(modelDir, 'code', 'transform.ts'))).toBe(true);
    const pipeline = JSON.parse(readFileSync(join(modelDir, 'pipeline.json'), 'utf8'));
    expect(pipeline.estimator).toMatchObject({
      kind: 'custom',
      code: 'code/train.ts',
      method: 'estimator_fn',
      params: { factor: 0.9 },
    });
    expect(pipeline.transformer).toMatchObject({
      kind: 'custom',
      code: 'code/transform.ts',
      method: 'transformer_fn',
    });
    const mlmodel = parseYaml(readFileSync(join(modelDir, 'MLmodel'), 'utf8')) as {
      flavors: { mlrecipe: Record<string, unknown> };
    };
    expect(mlmodel.flavors.mlrecipe).toMatchObject({ estimator: 'custom', code: 'code' });
    // User code cannot run in the Python loader: no python_function flavor, and the log says so.
    expect(mlmodel.flavors).not.toHaveProperty('python_function');
    expect(existsSync(join(modelDir, 'code', 'mlrecipe_pyfunc.py'))).toBe(false);
    expect(fixture.logs.some((line) => /no python_function flavor.*user code/.test(line))).toBe(true);

    // The model loads without the recipe: delete the user's modules first.
    rmSync(join(fixture.recipeDir, 'steps'), { recursive: true });
    const model = await loadModel(modelDir);
    const train = readArrowDataset(join(fixture.dirs.split as string, 'train.arrow')).frame;
    const y = train.columns.find((c) => c.name === 'Miles_per_Gallon')?.values as Float64Array;
    const predicted = model.predict(train) as Float64Array;
    expect(regressionMetrics(y, predicted).root_mean_squared_error).toBe(
      fixture.results.train?.metrics?.training_root_mean_squared_error,
    );
  });

  it('trains, saves and evaluates a custom classifier without predictProba', async () => {
    const trainModule = `
      type X = { nRows: number; columns: Float64Array[] };
      // Nearest class centroid over the transformed features.
      export function estimator_fn() {
        let centroids: number[][] = [];
        return {
          fit(X: X, y: Int32Array, nClasses: number) {
            const sums = Array.from({ length: nClasses }, () => new Array(X.columns.length).fill(0));
            const counts = new Array(nClasses).fill(0);
            for (let i = 0; i < X.nRows; i++) {
              counts[y[i]]++;
              X.columns.forEach((c, j) => { sums[y[i]][j] += c[i]; });
            }
            centroids = sums.map((row, k) => row.map((s) => s / counts[k]));
          },
          predict(X: X) {
            return Int32Array.from({ length: X.nRows }, (_, i) => {
              let best = 0;
              let bestD = Infinity;
              centroids.forEach((c, k) => {
                const d = c.reduce((acc, v, j) => acc + (X.columns[j][i] - v) ** 2, 0);
                if (d < bestD) { bestD = d; best = k; }
              });
              return best;
            });
          },
          toJSON: () => ({ centroids }),
          loadState: (s: { centroids: number[][] }) => { centroids = s.centroids; },
        };
      }
    `;
    const fixture = createPenguinsRecipe({
      steps: { split: {}, train: { using: 'custom', estimator_method: 'estimator_fn' } },
      modules: { train: trainModule },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train', 'evaluate']);
    expect(fixture.results.train?.params?.estimator).toBe('custom:estimator_fn');
    expect(fixture.results.evaluate?.metrics?.test_accuracy_score).toBeGreaterThan(0.8);
    const model = await loadModel(join(fixture.dirs.train as string, 'model'));
    const test = readArrowDataset(join(fixture.dirs.split as string, 'test.arrow')).frame;
    const proba = model.predictProba?.(test) as Float64Array[];
    const labels = model.predict(test) as string[];
    // Without predictProba the probabilities are the one-hot predictions.
    const k = model.classes?.indexOf(labels[0]) as number;
    expect(proba[k][0]).toBe(1);
  });

  it('saves a custom estimator that returns a registry estimator as that estimator', async () => {
    const trainModule = `
      import { createEstimator } from '${REPO}/src/ml/estimators.ts';
      export function estimator_fn(params: Record<string, unknown>) {
        return createEstimator('ridge', params);
      }
    `;
    const fixture = carsRecipe(
      { using: 'custom', estimator_method: 'estimator_fn', estimator_params: { alpha: 2 } },
      { train: trainModule },
    );
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
    const modelDir = join(fixture.dirs.train as string, 'model');
    const pipeline = JSON.parse(readFileSync(join(modelDir, 'pipeline.json'), 'utf8'));
    expect(pipeline.estimator).toMatchObject({ kind: 'builtin', name: 'ridge', params: { alpha: 2 } });
    // Nothing of the user's module is copied; code/ holds only the python_function loader.
    expect(readdirSync(join(modelDir, 'code'))).toEqual(['mlrecipe_pyfunc.py']);
  });

  it('explains what a custom estimator lacks', async () => {
    const fixture = carsRecipe(
      { using: 'custom', estimator_method: 'estimator_fn' },
      { train: 'export function estimator_fn() { return { fit() {} }; }' },
    );
    const error = await runSteps(fixture, ['ingest', 'split', 'transform', 'train']).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/estimator_fn\(\) returned an object without predict\(\)/);
    const missingFn = carsRecipe(
      { using: 'custom', estimator_method: 'nope' },
      { train: 'export function other() {}' },
    );
    const notExported = await runSteps(missingFn, ['ingest', 'split', 'transform', 'train']).catch(
      (e: unknown) => e,
    );
    expect(notExported).toBeInstanceOf(ConfigError);
    expect((notExported as ConfigError).message).toContain('does not export "nope"');
  });

  it('gives HistGradientBoosting with categorical_features each one-hot column as one column of codes', async () => {
    const params = { categorical_features: ['Origin'], max_iter: 30, random_state: 0 };
    const fixture = await runSteps(
      carsRecipe({ estimator: { name: 'hist_gradient_boosting_regressor', params } }),
      ['ingest', 'split', 'transform', 'train'],
    );
    const trainDir = fixture.dirs.train as string;
    const pipeline = JSON.parse(readFileSync(join(trainDir, 'model', 'pipeline.json'), 'utf8')) as {
      feature_names: string[];
      estimator: { state: { n_features: number; categorical: { known_categories: (number[] | null)[] } } };
    };
    // Numeric features, then each string column as one column of codes, not its one-hot columns:
    // Origin (3 origins: codes 0..2) is categorical, Year (not listed) an ordinal code.
    expect(pipeline.feature_names.filter((n) => n.startsWith('cat__'))).toEqual(['cat__Year', 'cat__Origin']);
    expect(pipeline.estimator.state.n_features).toBe(pipeline.feature_names.length);
    const known = pipeline.estimator.state.categorical.known_categories;
    expect(known.at(-1)).toEqual([0, 1, 2]);
    expect(known.slice(0, -1).every((k) => k === null)).toBe(true);
    // The step's fit, redone by hand on the code columns, and the saved model agree exactly.
    const train = readArrowDataset(join(fixture.dirs.split as string, 'train.arrow'));
    const fitted = await loadFittedTransformer(fixture.dirs.transform as string, fixture.recipeDir);
    const X = categoryCodeFeatures(fitted.transformer, selectColumns(train.frame, fitted.inputColumns));
    const y = train.frame.columns.find((c) => c.name === 'Miles_per_Gallon')?.values as Float64Array;
    const byHand = createEstimator('hist_gradient_boosting_regressor', params) as Regressor;
    byHand.fit(X, y);
    const model = await loadModel(join(trainDir, 'model'));
    expect(Array.from(model.predict(train.frame) as Float64Array)).toEqual(Array.from(byHand.predict(X)));
    expect(fixture.results.train?.card.data.features).toEqual(pipeline.feature_names);
  });
});
