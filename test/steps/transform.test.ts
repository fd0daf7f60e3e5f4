import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArrowDataset } from '../../src/data/arrow-io.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { dropColumn } from '../../src/models/index.js';
import { type FeatureStat, featureStats, loadFittedTransformer } from '../../src/steps/transform.js';
import {
  createCarsRecipe,
  createRecipe,
  type RecipeFixture,
  removeRecipesAfterEach,
  runSteps,
} from './model-recipe-fixture.js';

removeRecipesAfterEach();

function carsRecipe(
  transform: Record<string, unknown> = {},
  modules?: Record<string, string>,
): RecipeFixture {
  return createCarsRecipe({ steps: { split: {}, transform }, ...(modules ? { modules } : {}) });
}

describe('transform step', () => {
  it('fits the default transformer on the training split only, without the target', async () => {
    const fixture = await runSteps(carsRecipe(), ['ingest', 'split', 'transform']);
    const result = fixture.results.transform;
    expect(result?.outputs).toEqual({ transformer: 'transformer.json' });
    const file = JSON.parse(readFileSync(join(fixture.dirs.transform as string, 'transformer.json'), 'utf8'));
    expect(file.kind).toBe('column_transformer');
    expect(file.input_columns).toEqual([
      'Cylinders',
      'Displacement',
      'Horsepower',
      'Weight_in_lbs',
      'Acceleration',
      'Year',
      'Origin',
    ]);
    const names = result?.card.data.feature_names as string[];
    expect(names).not.toContain('num__Miles_per_Gallon');
    expect(names).toContain('num__Horsepower');
    expect(names).toContain('cat__Origin_USA');

    // Standardised with the training split's statistics: mean 0, std 1 there, not on validation.
    const stats = result?.card.data.feature_stats as FeatureStat[];
    const hp = stats.find((s) => s.name === 'num__Horsepower') as FeatureStat;
    expect(Math.abs(hp.mean)).toBeLessThan(1e-12);
    expect(hp.std).toBeCloseTo(1, 12);
    expect(hp.missing).toBe(0);
    const fitted = await loadFittedTransformer(fixture.dirs.transform as string, fixture.recipeDir);
    const validation = readArrowDataset(join(fixture.dirs.split as string, 'validation.arrow')).frame;
    const valStats = featureStats(
      fitted.transformer.transform(dropColumn(validation, 'Miles_per_Gallon')),
      names,
    );
    expect(
      Math.abs((valStats.find((s) => s.name === 'num__Horsepower') as FeatureStat).mean),
    ).toBeGreaterThan(1e-6);
    expect(result?.card.sections.map((s) => s.title)).toEqual([
      'Summary',
      'Features (training split, after transform)',
    ]);
  });

  it('rejects an unknown `using` and a custom transformer without a method', async () => {
    const fixture = await runSteps(carsRecipe({ using: 'magic' }), ['ingest', 'split']);
    const error = await runSteps(fixture, ['transform']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('steps.transform.using');
    (fixture.recipe.steps as Record<string, unknown>).transform = { using: 'custom' };
    const missing = await runSteps(fixture, ['transform']).catch((e: unknown) => e);
    expect((missing as ConfigError).path).toBe('steps.transform.transformer_method');
  });

  it('says what a custom transformer needs to be saved', async () => {
    const module = `export function transformer_fn() {
      return { fit() {}, transform(frame: { nRows: number }) { return { nRows: frame.nRows, columns: [] }; } };
    }`;
    const fixture = carsRecipe(
      { using: 'custom', transformer_method: 'transformer_fn' },
      { transform: module },
    );
    const error = await runSteps(fixture, ['ingest', 'split', 'transform']).catch((e: unknown) => e);
    expect((error as Error).message).toContain('has no toJSON(), so the fitted model cannot be saved');
  });

  it('a transformer_method returning null means identity (MLflow): the numeric columns as they are', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => {
      const a = (i * 7) % 17;
      const b = (i * 3) % 11;
      return { a, b, y: 3 * a - 2 * b + 5 };
    });
    const fixture = createRecipe({
      recipe: {
        recipe: 'regression/v1',
        target_col: 'y',
        steps: {
          ingest: { using: 'json', location: 'data/rows.json' },
          split: {},
          transform: { using: 'custom', transformer_method: 'no_transformer' },
          train: { estimator: { name: 'linear_regression' } },
        },
      },
      dataFile: 'rows.json',
      rows,
      modules: { transform: 'export function no_transformer(): null {\n  return null;\n}\n' },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train', 'evaluate']);
    const file = JSON.parse(readFileSync(join(fixture.dirs.transform as string, 'transformer.json'), 'utf8'));
    expect(file).toEqual({ kind: 'identity', input_columns: ['a', 'b'], method: 'no_transformer' });
    expect(fixture.results.transform?.params?.transformer).toBe('identity:no_transformer');
    expect(fixture.results.transform?.card.data.feature_names).toEqual(['a', 'b']);
    // The estimator saw the raw columns: an exact linear fit, scored through the saved model.
    expect(fixture.results.train?.card.data.features).toEqual(['a', 'b']);
    expect(fixture.results.evaluate?.metrics?.test_root_mean_squared_error).toBeLessThan(1e-9);
  });

  it('caps the one-hot columns of an id or timestamp column and warns on the card', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      x: i % 17,
      colour: ['red', 'green', 'blue'][i % 3],
      order_id: `order-${i}`,
      // 150 distinct timestamps, each on two rows.
      ordered_at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 2) * 3_600_000).toISOString(),
      y: (i % 17) * 2 + (i % 3),
    }));
    const recipe = (transform: Record<string, unknown>) =>
      createRecipe({
        recipe: {
          recipe: 'regression/v1',
          target_col: 'y',
          steps: { ingest: { using: 'json', location: 'data/rows.json' }, split: {}, transform },
        },
        dataFile: 'rows.json',
        rows,
      });

    const capped = await runSteps(recipe({}), ['ingest', 'split', 'transform']);
    const names = capped.results.transform?.card.data.feature_names as string[];
    // x, 3 colours, 49 + 1 per capped column: 104 features instead of about 340.
    expect(names.filter((n) => n.startsWith('cat__order_id_'))).toHaveLength(50);
    expect(names.filter((n) => n.startsWith('cat__ordered_at_'))).toHaveLength(50);
    expect(names).toContain('cat__order_id_infrequent_sklearn');
    expect(names.filter((n) => n.startsWith('cat__colour_'))).toEqual([
      'cat__colour_blue',
      'cat__colour_green',
      'cat__colour_red',
    ]);
    const warnings = capped.results.transform?.card.data.warnings as string[];
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /column "order_id" has \d+ distinct values .*49 most frequent \+ one "other" column.*an id\?/,
    );
    expect(warnings[1]).toMatch(/column "ordered_at" .*looks like a timestamp/);
    expect(capped.results.transform?.card.sections[0]?.title).toBe('Warnings');
    expect(capped.logs.join('\n')).toContain('warning: column "order_id"');

    // An order id never seen in training lands in the "other" column.
    const fitted = await loadFittedTransformer(capped.dirs.transform as string, capped.recipeDir);
    const one = {
      nRows: 1,
      columns: [
        { name: 'x', type: 'number' as const, values: Float64Array.of(3) },
        { name: 'colour', type: 'string' as const, values: ['red'] },
        { name: 'order_id', type: 'string' as const, values: ['order-99999'] },
        { name: 'ordered_at', type: 'string' as const, values: ['2030-01-01T00:00:00.000Z'] },
      ],
    };
    const X = fitted.transformer.transform(one);
    const other = names.indexOf('cat__order_id_infrequent_sklearn');
    expect(X.columns[other]?.[0]).toBe(1);

    const uncapped = await runSteps(recipe({ max_categories: null }), ['ingest', 'split', 'transform']);
    const all = uncapped.results.transform?.card.data.feature_names as string[];
    expect(all.filter((n) => n.startsWith('cat__order_id_')).length).toBeGreaterThan(100);
    expect(uncapped.results.transform?.card.data.warnings).toEqual([]);
  });

  it('says which columns an identity transformer cannot pass to the estimator', async () => {
    const fixture = carsRecipe(
      { using: 'custom', transformer_method: 'no_transformer' },
      { transform: 'export function no_transformer(): undefined {\n  return undefined;\n}\n' },
    );
    const error = await runSteps(fixture, ['ingest', 'split', 'transform']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(/returned null.*"Origin".* not numeric/);
    expect((error as DataError).hint).toMatch(/default transformer/);
  });
});
