/**
 * Rebalancing an imbalanced binary train split as MLflow 2.12's train step does
 * (mlflow/recipes/steps/train.py: _REBALANCING_CUTOFF 5000, _REBALANCING_DEFAULT_RATIO 0.3,
 * `_rebalance_classes`, and the original "balanced" class weights handed to a custom
 * estimator_method as class_weight), seeded here where MLflow's draw is not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { rebalanceTraining } from '../../src/steps/rebalance.js';
import { createRecipe, removeRecipesAfterEach, runSteps } from './model-recipe-fixture.js';

removeRecipesAfterEach();

function dataset(n: number, positiveEvery: number): Dataset {
  return {
    frame: {
      nRows: n,
      columns: [
        { name: 'x', type: 'number', values: Float64Array.from({ length: n }, (_, i) => i % 97) },
        {
          name: 'label',
          type: 'string',
          values: Array.from({ length: n }, (_, i) => (i % positiveEvery === 0 ? 'yes' : 'no')),
        },
      ],
    },
    columnTypes: ['double', 'string'],
  } as Dataset;
}

const binary = { problemType: 'classification' as const, targetCol: 'label', positiveClass: 'yes' };

describe('rebalanceTraining (MLflow 2.12 _rebalance_classes)', () => {
  it('downsamples the majority to int(minority × 0.7 / 0.3) over 5,000 rows, with balanced class weights', () => {
    const out = rebalanceTraining({
      train: dataset(6000, 10),
      problem: binary,
      rebalance: undefined,
      ratio: undefined,
    });
    expect(out.applied).toMatchObject({
      rowsBefore: 6000,
      minorityClass: 'yes',
      minorityShareBefore: 0.1,
      ratio: 0.3,
    });
    // 600 minority rows kept, int(600 * 0.7 / 0.3) = 1400 majority rows drawn.
    expect(out.applied?.rowsAfter).toBe(2000);
    const labels = out.dataset.frame.columns[1]?.values as string[];
    expect(labels.filter((l) => l === 'yes')).toHaveLength(600);
    expect(labels.filter((l) => l === 'no')).toHaveLength(1400);
    // compute_class_weight("balanced") of the split before: n / (2 × count).
    expect(out.classWeight?.yes).toBeCloseTo(6000 / 1200, 12);
    expect(out.classWeight?.no).toBeCloseTo(6000 / 10800, 12);
    // Seeded: the same rows every time.
    const again = rebalanceTraining({
      train: dataset(6000, 10),
      problem: binary,
      rebalance: undefined,
      ratio: undefined,
    });
    expect(Array.from(again.dataset.frame.columns[0]?.values as Float64Array)).toEqual(
      Array.from(out.dataset.frame.columns[0]?.values as Float64Array),
    );
  });

  it('honours resampling_minority_percentage, and the positive class as the majority', () => {
    const out = rebalanceTraining({ train: dataset(6000, 10), problem: binary, rebalance: true, ratio: 0.2 });
    expect(out.applied?.rowsAfter).toBe(600 + Math.trunc((600 * 0.8) / 0.2));
    const flipped = rebalanceTraining({
      train: dataset(6000, 10),
      problem: { ...binary, positiveClass: 'no' },
      rebalance: undefined,
      ratio: undefined,
    });
    expect(flipped.applied?.minorityClass).toBe('yes');
  });

  it('leaves the split alone at 5,000 rows or fewer, at a share >= the ratio, when false, or without positive_class', () => {
    const args = { rebalance: undefined, ratio: undefined };
    expect(rebalanceTraining({ train: dataset(5000, 10), problem: binary, ...args }).applied).toBeUndefined();
    expect(rebalanceTraining({ train: dataset(5000, 10), problem: binary, ...args }).skipped).toContain(
      '5000 rows',
    );
    expect(rebalanceTraining({ train: dataset(6000, 3), problem: binary, ...args }).applied).toBeUndefined();
    expect(
      rebalanceTraining({ train: dataset(6000, 10), problem: binary, rebalance: false, ratio: undefined })
        .applied,
    ).toBeUndefined();
    const { positiveClass: _p, ...multiclass } = binary;
    expect(
      rebalanceTraining({ train: dataset(6000, 10), problem: multiclass, ...args }).applied,
    ).toBeUndefined();
  });
});

describe('the train step rebalances and records it', () => {
  const rows = Array.from({ length: 8000 }, (_, i) => ({
    x: (i * 7) % 101,
    z: (i * 3) % 13,
    label: i % 10 === 0 ? 'yes' : 'no',
  }));
  const estimatorModule = `
    export function estimator_fn(params: Record<string, unknown>) {
      let prior = 0;
      return {
        kind: 'classifier' as const,
        fit(_X: unknown, y: Int32Array) { prior = y.reduce((a, b) => a + b, 0) / y.length; },
        predict(X: { nRows: number }) { return new Int32Array(X.nRows); },
        predictProba(X: { nRows: number }) {
          return [new Float64Array(X.nRows).fill(1 - prior), new Float64Array(X.nRows).fill(prior)];
        },
        toJSON: () => ({ prior, params }),
        loadState: (state: { prior: number }) => { prior = state.prior; },
      };
    }
  `;

  it('on a custom estimator_method: fewer rows, class_weight in estimator_params, params, metrics and tags', async () => {
    const fixture = createRecipe({
      recipe: {
        recipe: 'classification/v1',
        target_col: 'label',
        positive_class: 'yes',
        steps: {
          ingest: { using: 'json', location: 'data/d.json' },
          split: {},
          train: { using: 'custom', estimator_method: 'estimator_fn' },
        },
      },
      dataFile: 'd.json',
      rows,
      modules: { train: estimatorModule },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
    const train = fixture.results.train;
    const before = train?.metrics?.training_rows_before_rebalancing as number;
    expect(before).toBeGreaterThan(5000);
    const minority = Math.round(
      before * (train?.metrics?.training_minority_share_before_rebalancing as number),
    );
    expect(train?.metrics?.training_rows_after_rebalancing).toBe(
      minority + Math.trunc((minority * 0.7) / 0.3),
    );
    expect(train?.tags?.['mlrecipe.train.rebalanced']).toBe('true');
    expect(train?.params?.rebalance_training_data).toBe('true');
    expect(fixture.logs.some((l) => l.includes('rebalanced the training rows'))).toBe(true);
    const pipeline = JSON.parse(
      readFileSync(join(fixture.dirs.train as string, 'model', 'pipeline.json'), 'utf8'),
    );
    expect(pipeline.estimator.params.class_weight.yes).toBeCloseTo(before / (2 * minority), 9);

    const off = createRecipe({
      recipe: {
        ...fixture.recipe,
        steps: {
          ...(fixture.recipe.steps as object),
          train: { using: 'custom', estimator_method: 'estimator_fn', rebalance_training_data: false },
        },
      },
      dataFile: 'd.json',
      rows,
      modules: { train: estimatorModule },
    });
    await runSteps(off, ['ingest', 'split', 'transform', 'train']);
    expect(off.results.train?.tags?.['mlrecipe.train.rebalanced']).toBeUndefined();
  });
});
