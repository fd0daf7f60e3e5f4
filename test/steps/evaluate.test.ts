import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArrowDataset } from '../../src/data/arrow-io.js';
import { ConfigError } from '../../src/errors.js';
import { regressionMetrics } from '../../src/ml/metrics/regression.js';
import { loadModel } from '../../src/models/index.js';
import { checkCriteria } from '../../src/steps/evaluate.js';
import {
  createCarsRecipe,
  createPenguinsRecipe,
  type RecipeFixture,
  removeRecipesAfterEach,
  runSteps,
  WITHIN_TWO_MPG_METRIC,
} from './model-recipe-fixture.js';

removeRecipesAfterEach();

const CUSTOM_METRICS = `${WITHIN_TWO_MPG_METRIC}
  export function rows_seen(data: { frame: { nRows: number }; split: string }): number {
    return data.split === 'test' ? data.frame.nRows : -data.frame.nRows;
  }
`;

async function trainedCars(evaluate: Record<string, unknown>): Promise<RecipeFixture> {
  const fixture = createCarsRecipe({
    recipe: {
      custom_metrics: [
        { name: 'within_two_mpg', function: 'within_two_mpg', greater_is_better: true },
        { name: 'rows_seen', function: 'rows_seen', greater_is_better: true },
      ],
    },
    steps: {
      split: { split_ratios: [0.7, 0.15, 0.15] },
      train: { estimator: { name: 'linear_regression' } },
      evaluate,
    },
    modules: { custom_metrics: CUSTOM_METRICS },
  });
  return runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
}

describe('evaluate step', () => {
  it("logs MLflow's metric names for validation and test, from the saved model, plus custom metrics", async () => {
    const fixture = await runSteps(await trainedCars({}), ['evaluate']);
    const metrics = fixture.results.evaluate?.metrics as Record<string, number>;
    for (const prefix of ['val_', 'test_']) {
      for (const name of [
        'mean_squared_error',
        'root_mean_squared_error',
        'mean_absolute_error',
        'r2_score',
        'max_error',
        'mean_absolute_percentage_error',
        'within_two_mpg',
      ]) {
        expect(metrics[`${prefix}${name}`], `${prefix}${name}`).toBeTypeOf('number');
      }
    }
    // Recompute the test metrics independently from the model file and the test split.
    const test = readArrowDataset(join(fixture.dirs.split as string, 'test.arrow')).frame;
    const model = await loadModel(join(fixture.dirs.train as string, 'model'));
    const y = test.columns.find((c) => c.name === 'Miles_per_Gallon')?.values as Float64Array;
    const expected = regressionMetrics(y, model.predict(test) as Float64Array);
    expect(metrics.test_root_mean_squared_error).toBe(expected.root_mean_squared_error);
    expect(metrics.test_r2_score).toBe(expected.r2_score);
    expect(metrics.test_rows_seen).toBe(test.nRows);
    expect(metrics.val_rows_seen).toBeLessThan(0);
    expect(metrics.test_within_two_mpg).toBeGreaterThan(0.2);
    expect(metrics.test_within_two_mpg).toBeLessThanOrEqual(1);

    const validation = JSON.parse(
      readFileSync(join(fixture.dirs.evaluate as string, 'validation.json'), 'utf8'),
    );
    expect(validation).toEqual({ validation_status: 'UNKNOWN', split: 'test', criteria: [] });
    expect(fixture.results.evaluate?.tags).toEqual({ validation_status: 'UNKNOWN' });
    const titles = fixture.results.evaluate?.card.sections.map((s) => s.title);
    expect(titles).toEqual([
      'Metrics',
      'Validation',
      'Predicted vs actual (test split)',
      'Residuals (test split)',
      'Permutation importance (validation split)',
    ]);
    expect(fixture.results.evaluate?.card.sections[3].html).toContain('<svg');
  });

  it('decides VALIDATED or REJECTED from validation_criteria on the test split', async () => {
    const fixture = await trainedCars({
      validation_criteria: [
        { metric: 'root_mean_squared_error', threshold: 10 },
        { metric: 'r2_score', threshold: 0.5 },
        { metric: 'within_two_mpg', threshold: 0.1 },
      ],
    });
    await runSteps(fixture, ['evaluate']);
    const passed = JSON.parse(readFileSync(join(fixture.dirs.evaluate as string, 'validation.json'), 'utf8'));
    expect(passed.validation_status).toBe('VALIDATED');
    expect(passed.criteria.map((c: { passed: boolean }) => c.passed)).toEqual([true, true, true]);
    expect(passed.criteria[0].value).toBe(fixture.results.evaluate?.metrics?.test_root_mean_squared_error);
    expect(passed.criteria[0].greater_is_better).toBe(false);

    (fixture.recipe.steps as Record<string, Record<string, unknown>>).evaluate.validation_criteria = [
      { metric: 'root_mean_squared_error', threshold: 10 },
      { metric: 'root_mean_squared_error', threshold: 0.5 },
    ];
    await runSteps(fixture, ['evaluate']);
    const rejected = JSON.parse(
      readFileSync(join(fixture.dirs.evaluate as string, 'validation.json'), 'utf8'),
    );
    expect(rejected.validation_status).toBe('REJECTED');
    expect(rejected.criteria.map((c: { passed: boolean }) => c.passed)).toEqual([true, false]);
    expect(fixture.results.evaluate?.tags?.validation_status).toBe('REJECTED');
    expect(fixture.results.evaluate?.card.sections[1].html).toContain('REJECTED');

    (fixture.recipe.steps as Record<string, Record<string, unknown>>).evaluate.validation_criteria = [
      { metric: 'rmse', threshold: 1 },
    ];
    const error = await runSteps(fixture, ['evaluate']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('steps.evaluate.validation_criteria[0].metric');
    expect((error as ConfigError).issues[0].hint).toContain('root_mean_squared_error');
  });

  it('scores a multiclass classifier with confusion matrix, ROC and precision-recall curves', async () => {
    const fixture = createPenguinsRecipe({
      steps: {
        split: { split_ratios: [0.6, 0.2, 0.2] },
        evaluate: { validation_criteria: [{ metric: 'f1_score', threshold: 0.9 }] },
      },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train', 'evaluate']);
    const metrics = fixture.results.evaluate?.metrics as Record<string, number>;
    for (const name of [
      'accuracy_score',
      'precision_score',
      'recall_score',
      'f1_score',
      'roc_auc',
      'log_loss',
    ]) {
      expect(metrics[`test_${name}`], name).toBeTypeOf('number');
      expect(metrics[`val_${name}`], name).toBeTypeOf('number');
    }
    expect(metrics.test_accuracy_score).toBeGreaterThan(0.9);
    expect(fixture.results.evaluate?.tags?.validation_status).toBe('VALIDATED');
    const sections = fixture.results.evaluate?.card.sections ?? [];
    expect(sections.map((s) => s.title)).toEqual([
      'Metrics',
      'Validation',
      'Confusion matrix (test split)',
      'ROC curve (test split)',
      'Precision-recall curve (test split)',
      'Permutation importance (validation split)',
    ]);
    for (const label of ['Adelie', 'Chinstrap', 'Gentoo']) expect(sections[3].html).toContain(label);
  });
});

describe('evaluate card of tree ensembles', () => {
  it('shows the feature importances, and for gradient boosting the loss per iteration', async () => {
    const fixture = createPenguinsRecipe({
      steps: {
        split: { split_ratios: [0.6, 0.2, 0.2] },
        train: {
          estimator: { name: 'hist_gradient_boosting_classifier', params: { max_iter: 20, random_state: 0 } },
        },
        evaluate: { validation_criteria: [{ metric: 'accuracy_score', threshold: 0.9 }] },
      },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train', 'evaluate']);
    const sections = fixture.results.evaluate?.card.sections ?? [];
    expect(sections.map((s) => s.title).slice(0, 4)).toEqual([
      'Metrics',
      'Validation',
      'Feature importances',
      'Boosting loss per iteration',
    ]);
    // Bars name the transformer's features; the curve has a training series.
    expect(sections[2].html).toContain('num__');
    expect(sections[3].html).toContain('training');
    expect(fixture.results.evaluate?.metrics?.test_accuracy_score).toBeGreaterThan(0.9);
    // Permutation importance names the raw input columns, largest drop first; the penguins'
    // species is told by their island, beaks and flippers, so shuffling one of those costs accuracy.
    const permutation = sections.find((s) => s.title === 'Permutation importance (validation split)');
    const rows = [
      ...(permutation?.html ?? '').matchAll(/<tr><td>([^<]+)<\/td><td class="num">([^<]+)<\/td>/g),
    ];
    expect(rows.length).toBeGreaterThan(3);
    expect(rows[0][1]).toMatch(/^(Island|Beak|Flipper)/);
    expect(Number(rows[0][2])).toBeGreaterThan(0.05);
    expect(rows.map((r) => r[1])).not.toContain('Species');
  });
});

describe('checkCriteria', () => {
  const directions = { root_mean_squared_error: false, r2_score: true };
  it.each([
    [[{ metric: 'r2_score', threshold: 0.8 }], 'VALIDATED'],
    [[{ metric: 'r2_score', threshold: 0.81 }], 'REJECTED'],
    [[{ metric: 'root_mean_squared_error', threshold: 3 }], 'VALIDATED'],
    [[{ metric: 'root_mean_squared_error', threshold: 2.99 }], 'REJECTED'],
    [[], 'UNKNOWN'],
  ])('%j → %s', (criteria, status) => {
    const report = checkCriteria(
      criteria,
      { metrics: { r2_score: 0.8, root_mean_squared_error: 3 } },
      directions,
    );
    expect(report.validation_status).toBe(status);
  });
});
