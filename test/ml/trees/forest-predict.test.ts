/**
 * The blocked predict (src/ml/trees/forest-predict.ts) against a plain walk of the saved node
 * arrays: rows across several 256-row blocks, NaN in every feature (routed by each node's
 * learned side), regression and classification, exactly equal.
 */
import { describe, expect, it } from 'vitest';
import { RandomForestClassifier, RandomForestRegressor } from '../../../src/ml/forest.js';
import type { FlatForest } from '../../../src/ml/forest.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';

function data(n: number, seed: number): { X: FeatureMatrix; y: Float64Array; cls: Int32Array } {
  let s = seed;
  const u = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const columns = Array.from({ length: 4 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const cls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of columns) c[i] = u() < 0.1 ? Number.NaN : u();
    const a = Number.isNaN(columns[0][i]) ? 0.5 : columns[0][i];
    const b = Number.isNaN(columns[1][i]) ? 2 : columns[1][i];
    y[i] = 3 * a + b * b + 0.1 * u();
    cls[i] = y[i] < 1.5 ? 0 : y[i] < 2.5 ? 1 : 2;
  }
  return { X: { nRows: n, columns }, y, cls };
}

/** Tree t's leaf for row i, walking the saved arrays one node at a time. */
function leafOf(f: FlatForest, t: number, X: FeatureMatrix, i: number): number {
  const o = f.offsets[t];
  let node = o;
  while (f.left[node] !== -1) {
    const x = X.columns[f.feature[node]][i];
    const goLeft = Number.isNaN(x) ? f.missingLeft[node] === 1 : x <= f.threshold[node];
    node = o + (goLeft ? f.left[node] : f.right[node]);
  }
  return node;
}

describe('blocked forest predict', () => {
  const train = data(3000, 1);
  const test = data(700, 2);

  it('regression: equals the mean over trees of a node-by-node walk, NaN included', () => {
    const model = new RandomForestRegressor({ n_estimators: 7, max_depth: 6, random_state: 0 });
    model.fit(train.X, train.y);
    const f = model.forest;
    const T = f.offsets.length - 1;
    const expected = new Float64Array(test.X.nRows);
    for (let t = 0; t < T; t++)
      for (let i = 0; i < test.X.nRows; i++) expected[i] += f.value[leafOf(f, t, test.X, i)];
    for (let i = 0; i < expected.length; i++) expected[i] /= T;
    expect(Array.from(model.predict(test.X))).toEqual(Array.from(expected));
  });

  it('classification: the same class fractions, so the same probabilities', () => {
    const model = new RandomForestClassifier({ n_estimators: 5, max_depth: 5, random_state: 3 });
    model.fit(train.X, train.cls, 3);
    const f = model.forest;
    const T = f.offsets.length - 1;
    const n = test.X.nRows;
    const sums = new Float64Array(n * 3);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < n; i++) {
        const leaf = leafOf(f, t, test.X, i);
        for (let k = 0; k < 3; k++) sums[i * 3 + k] += f.value[leaf * 3 + k];
      }
    }
    const proba = model.predictProba(test.X);
    for (let k = 0; k < 3; k++) {
      expect(Array.from(proba[k])).toEqual(Array.from({ length: n }, (_, i) => sums[i * 3 + k] / T));
    }
  });
});
