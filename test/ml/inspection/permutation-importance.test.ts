/**
 * Permutation importance against scikit-learn 1.2's `permutation_importance` on data it ships
 * (test/fixtures/ml/permutation/generate.py): the same shuffles (numpy's RandomState reproduced)
 * give the same score drops, repeat by repeat, to rounding.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LinearRegression } from '../../../src/ml/linear-regression.js';
import { accuracy_score } from '../../../src/ml/metrics/classification.js';
import { r2_score } from '../../../src/ml/metrics/regression.js';
import { LegacyRandomState } from '../../../src/ml/numpy-random.js';
import { permutationImportance } from '../../../src/ml/permutation-importance.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';

interface Case {
  X: number[][];
  y: number[];
  n_repeats: number;
  random_state: number;
  importances: number[][];
  importances_mean: number[];
  importances_std: number[];
}
const fixture = JSON.parse(
  readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/ml/permutation/permutation.json'),
    'utf8',
  ),
) as { regression: Case & { n_train: number }; classification: Case };

/** X with column j's rows taken in `order` (row i gets row order[i]'s value). */
function permuted(X: FeatureMatrix, j: number | null, order: Uint32Array | null): FeatureMatrix {
  if (j === null || order === null) return X;
  const columns = X.columns.slice();
  columns[j] = Float64Array.from(order, (r) => X.columns[j][r]);
  return { nRows: X.nRows, columns };
}

function expectSame(ours: Awaited<ReturnType<typeof permutationImportance>>, c: Case, digits: number): void {
  ours.importances.forEach((drops, j) => {
    drops.forEach((d, r) => expect(d).toBeCloseTo(c.importances[j][r], digits));
  });
  ours.importancesMean.forEach((m, j) => expect(m).toBeCloseTo(c.importances_mean[j], digits));
  ours.importancesStd.forEach((s, j) => expect(s).toBeCloseTo(c.importances_std[j], digits));
}

describe('permutation importance equals scikit-learn 1.2', () => {
  it('LinearRegression on diabetes, R² scorer, n_repeats 5, random_state 0', async () => {
    const c = fixture.regression;
    const n = c.n_train;
    const nRows = c.y.length - n;
    const cols = c.X.map((col) => Float64Array.from(col));
    const model = new LinearRegression();
    model.fit(
      { nRows: n, columns: cols.map((col) => col.subarray(0, n)) },
      Float64Array.from(c.y.slice(0, n)),
    );
    const test: FeatureMatrix = { nRows, columns: cols.map((col) => col.slice(n)) };
    const yTest = c.y.slice(n);
    const ours = await permutationImportance({
      nFeatures: cols.length,
      nRows,
      nRepeats: c.n_repeats,
      randomState: c.random_state,
      score: (j, order) => r2_score(yTest, model.predict(permuted(test, j, order))),
    });
    // Least squares solved two ways differ in the last digits; the drops agree far below that.
    expectSame(ours, c, 8);
    expect(ours.importancesMean[2]).toBeGreaterThan(0.1); // bmi matters: the check can fail
  });

  it('a fixed rule on breast cancer, accuracy scorer, n_repeats 7, random_state 3', async () => {
    const c = fixture.classification;
    const cols = c.X.map((col) => Float64Array.from(col));
    const X: FeatureMatrix = { nRows: c.y.length, columns: cols };
    const rule = (M: FeatureMatrix) =>
      Int32Array.from({ length: M.nRows }, (_, i) => (M.columns[0][i] > 15 || M.columns[5][i] > 30 ? 0 : 1));
    const ours = await permutationImportance({
      nFeatures: cols.length,
      nRows: X.nRows,
      nRepeats: c.n_repeats,
      randomState: c.random_state,
      score: (j, order) => accuracy_score(c.y, rule(permuted(X, j, order))),
    });
    expectSame(ours, c, 12);
    expect(ours.importancesMean[0]).toBeGreaterThan(0.1);
    expect(ours.importancesMean[1]).toBe(0);
  });

  it('rejects a bad n_repeats or random_state', async () => {
    const base = { nFeatures: 1, nRows: 2, score: () => 1 };
    await expect(permutationImportance({ ...base, nRepeats: 0 })).rejects.toThrow(/n_repeats/);
    await expect(permutationImportance({ ...base, randomState: -1 })).rejects.toThrow(/random_state/);
  });
});

describe("numpy's legacy RandomState", () => {
  it('draws what numpy draws', () => {
    // numpy: RandomState(0).randint(0, 2**32, dtype=uint32) twice, then randint(2**31)
    const r = new LegacyRandomState(0);
    expect([r.nextUint32(), r.nextUint32(), r.randint31()]).toEqual([2357136044, 2546248239, 924231285]);
    // numpy: a = arange(10); RandomState(42).shuffle(a)
    const a = Uint32Array.from({ length: 10 }, (_, i) => i);
    new LegacyRandomState(42).shuffle(a);
    expect(Array.from(a)).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
  });
});
