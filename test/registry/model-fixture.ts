/**
 * A small real model (ridge regression on y = 2·a − b + 1) saved with saveModel, for registry
 * tests that register, resolve and load models.
 */
import { datasetFromRecords } from '../../src/data/infer-types.js';
import { ColumnTransformer } from '../../src/ml/column-transformer.js';
import { createRegressor } from '../../src/ml/estimators.js';
import type { Frame } from '../../src/ml/types.js';
import { dropColumn, ModelPipeline, saveModel } from '../../src/models/index.js';

export interface FixtureModel {
  dir: string;
  /** Rows to score (inputs only). */
  scoring: Frame;
  /** What the saved model predicts for `scoring`. */
  expected: number[];
}

/** Saves a model to `dir` (which must not exist). `alpha` varies the model between calls. */
export function saveFixtureModel(
  dir: string,
  options: { alpha?: number; runId?: string } = {},
): FixtureModel {
  const rows = Array.from({ length: 40 }, (_, i) => {
    const a = (i % 7) + 0.5;
    const b = (i % 5) * 1.5;
    return { a, b, y: 2 * a - b + 1 + ((i % 3) - 1) * 0.1 };
  });
  const { frame, columnTypes } = datasetFromRecords(rows, 'fixture');
  const inputs = dropColumn(frame, 'y');
  const transformer = new ColumnTransformer().fit(inputs);
  const y = frame.columns.find((c) => c.name === 'y')?.values as Float64Array;
  const estimator = createRegressor('ridge', { alpha: options.alpha ?? 1 });
  estimator.fit(transformer.transform(inputs), y);
  const pipeline = new ModelPipeline({
    problemType: 'regression',
    targetCol: 'y',
    inputColumns: inputs.columns.map((c) => c.name),
    transformer,
    estimator,
  });
  saveModel({
    dir,
    pipeline,
    inputExample: frame,
    columnTypes,
    ...(options.runId === undefined ? {} : { runId: options.runId, artifactPath: 'model' }),
  });
  const scoring = datasetFromRecords(
    [
      { a: 1, b: 2 },
      { a: 3, b: 0.5 },
    ],
    'scoring',
  ).frame;
  return { dir, scoring, expected: Array.from(pipeline.predict(scoring) as Float64Array) };
}
