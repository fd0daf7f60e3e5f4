/**
 * The tree-ensemble fixture of test/fixtures/ml/ensembles (generate.py: shipped data, train/test
 * rows, scikit-learn 1.2's test scores), shared by the forest and boosting tests: its datasets
 * split into training and test matrices, and a registry estimator's test metric on one.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEstimator } from '../../src/ml/estimators.js';
import { accuracy_score } from '../../src/ml/metrics/classification.js';
import { r2_score } from '../../src/ml/metrics/regression.js';
import type { FeatureMatrix } from '../../src/ml/types.js';

export interface BandCase {
  estimator: string;
  dataset: string;
  params: Record<string, unknown>;
  metric: 'r2' | 'accuracy';
  scores: number[];
  /** scikit-learn's mean test metric over its seeds. */
  mean: number;
}

interface Band {
  n_train: number;
  data: Record<string, { X: (number | null)[][]; y: number[] }>;
  cases: BandCase[];
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/ml/ensembles');

export const band = JSON.parse(readFileSync(join(fixtures, 'ensembles-band.json'), 'utf8')) as Band;

/** A fixture dataset's first n_train rows for training, the rest for testing (null is NaN). */
export function splitBand(dataset: string): {
  train: FeatureMatrix;
  test: FeatureMatrix;
  y: number[];
  n: number;
} {
  const { X, y } = band.data[dataset];
  const n = band.n_train;
  const cols = X.map((c) => Float64Array.from(c, (v) => v ?? Number.NaN));
  return {
    train: { nRows: n, columns: cols.map((c) => c.slice(0, n)) },
    test: { nRows: y.length - n, columns: cols.map((c) => c.slice(n)) },
    y,
    n,
  };
}

/** Fits a registry estimator on a fixture dataset's training rows; returns its R² or accuracy on the test rows. */
export function bandScore(name: string, dataset: string, params: Record<string, unknown>): number {
  const { train, test, y, n } = splitBand(dataset);
  const model = createEstimator(name, { random_state: 0, ...params });
  if (model.kind === 'regressor') {
    model.fit(train, Float64Array.from(y.slice(0, n)));
    return r2_score(y.slice(n), model.predict(test));
  }
  model.fit(train, Int32Array.from(y.slice(0, n)), Math.max(...y) + 1);
  return accuracy_score(y.slice(n), model.predict(test));
}
