import { describe, expect, it } from 'vitest';
import {
  createEstimator,
  estimatorEntries,
  estimatorNames,
  loadEstimator,
  UnknownEstimatorError,
} from '../../src/ml/estimators.js';
import type { FeatureMatrix } from '../../src/ml/types.js';

/** 60 rows, 2 features; a smooth target and a 3-class label derived from it. */
function data(): { X: FeatureMatrix; y: Float64Array; labels: Int32Array } {
  const n = 60;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const y = new Float64Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = (i % 10) / 3;
    b[i] = Math.cos(i);
    y[i] = 1.5 * a[i] - 2 * b[i] + 0.1 * Math.sin(i * 7);
    labels[i] = y[i] < 0 ? 0 : y[i] < 2.5 ? 1 : 2;
  }
  return { X: { nRows: n, columns: [a, b] }, y, labels };
}

describe('estimator registry', () => {
  it('has the names the recipe documents, regressors and classifiers apart', () => {
    expect(estimatorNames('regressor')).toEqual([
      'linear_regression',
      'ridge',
      'sgd_regressor',
      'decision_tree_regressor',
      'random_forest_regressor',
      'extra_trees_regressor',
      'hist_gradient_boosting_regressor',
      'polynomial',
      'theil_sen',
      'kernel_ridge',
    ]);
    expect(estimatorNames('classifier')).toEqual([
      'logistic_regression',
      'sgd_classifier',
      'decision_tree_classifier',
      'random_forest_classifier',
      'extra_trees_classifier',
      'hist_gradient_boosting_classifier',
    ]);
  });

  it.each(estimatorEntries().map((e) => [e.name, e.kind] as const))(
    '%s fits, saves and loads back with identical predictions',
    (name, kind) => {
      const { X, y, labels } = data();
      // Polynomial and Theil-Sen are one-feature models.
      const features: FeatureMatrix =
        name === 'theil_sen' || name === 'polynomial' ? { nRows: X.nRows, columns: [X.columns[0]] } : X;
      const params = /^(sgd|decision_tree|random_forest|extra_trees)/.test(name) ? { random_state: 0 } : {};
      const estimator = createEstimator(name, params, kind);
      expect(estimator.kind).toBe(kind);
      if (estimator.kind === 'regressor') estimator.fit(features, y);
      else estimator.fit(features, labels, 3);
      const state = JSON.parse(JSON.stringify(estimator.toJSON()));
      const loaded = loadEstimator(state);
      expect(Array.from(loaded.predict(features))).toEqual(Array.from(estimator.predict(features)));
    },
  );

  it('names the choices for an unknown estimator or parameter', () => {
    expect(() => createEstimator('random_forest')).toThrow(UnknownEstimatorError);
    expect(() => createEstimator('random_forest')).toThrow(/unknown estimator "random_forest"/);
    try {
      createEstimator('ridge', { alpah: 1 });
    } catch (error) {
      expect((error as UnknownEstimatorError).hint).toMatch(/its parameters are alpha/);
    }
    expect(() => createEstimator('ridge', { alpah: 1 })).toThrow(/no parameter "alpah"/);
    expect(() => loadEstimator({ name: 'mystery', params: {}, state: {} })).toThrow(
      /"mystery" is not one this mlrecipe knows/,
    );
  });
});
