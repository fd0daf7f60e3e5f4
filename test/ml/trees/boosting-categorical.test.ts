/**
 * Native categorical splits in HistGradientBoosting (`categorical_features`, scikit-learn 1.2
 * semantics): the three ways to name the features, the category checks, the bitset splits that
 * an ordinal split cannot make, unknown categories at predict, the saved state and n_jobs.
 * Test-set quality against scikit-learn 1.2 on the fixture's categorical datasets is in
 * boosting.test.ts with the other fixture cases (test/fixtures/ml/ensembles/generate.py).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/ml/binning.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from '../../../src/ml/boosting.js';
import { loadEstimator } from '../../../src/ml/estimators.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';
import { splitBand } from '../../helpers/ensemble-band.js';

/**
 * y is +1 for even codes and -1 for odd ones (plus noise): no threshold on the codes separates
 * them, one categorical split does. x1 is noise.
 */
function parity(n: number, seed: number, levels = 12): { X: FeatureMatrix; y: Float64Array } {
  const rng = createRng(seed);
  const code = new Float64Array(n);
  const noise = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    code[i] = Math.floor(rng() * levels);
    noise[i] = rng();
    y[i] = (code[i] % 2 === 0 ? 1 : -1) + (rng() - 0.5) * 0.1;
  }
  return { X: { nRows: n, columns: [code, noise], featureNames: ['cat__code', 'num__noise'] }, y };
}

const oneTree = { max_iter: 1, learning_rate: 1, max_leaf_nodes: 2, early_stopping: false } as const;

describe('categorical splits', () => {
  const { X, y } = parity(3000, 1);

  it('one split sends every even code left of every odd one (a bitset, not a threshold)', () => {
    const model = new HistGradientBoostingRegressor({ ...oneTree, categorical_features: [0] });
    model.fit(X, y);
    const codes = Float64Array.from({ length: 12 }, (_, c) => c);
    const p = model.predict({ nRows: 12, columns: [codes, new Float64Array(12).fill(0.5)] });
    for (let c = 0; c < 12; c++) expect(p[c]).toBeCloseTo(c % 2 === 0 ? 1 : -1, 1);
    expect(model.is_categorical_).toEqual([true, false]);
    // The same tree on the codes as numbers cannot separate parity with one threshold.
    const ordinal = new HistGradientBoostingRegressor(oneTree);
    ordinal.fit(X, y);
    const q = ordinal.predict({ nRows: 12, columns: [codes, new Float64Array(12).fill(0.5)] });
    expect(Math.max(...q.map((v, c) => Math.abs(v - (c % 2 === 0 ? 1 : -1))))).toBeGreaterThan(0.5);
  });

  it('a boolean mask, indices and names (exact or without the num__/cat__ prefix) give the same model', () => {
    const fit = (categorical_features: readonly (boolean | number | string)[]) => {
      const model = new HistGradientBoostingRegressor({
        max_iter: 5,
        random_state: 0,
        categorical_features: categorical_features as readonly number[],
      });
      model.fit(X, y);
      return JSON.stringify(model.toJSON().state);
    };
    const byIndex = fit([0]);
    expect(fit([true, false])).toBe(byIndex);
    expect(fit(['cat__code'])).toBe(byIndex);
    expect(fit(['code'])).toBe(byIndex);
  });

  it('an unseen category, a negative code, a non-integer and NaN all follow the missing-value side', () => {
    const { X: Xs, y: ys } = parity(2000, 2, 10); // codes 0..9 only
    const model = new HistGradientBoostingRegressor({
      max_iter: 20,
      random_state: 0,
      categorical_features: [0],
    });
    model.fit(Xs, ys);
    const strange = Float64Array.of(Number.NaN, 11, -1, 2.5, 200);
    const p = model.predict({ nRows: 5, columns: [strange, new Float64Array(5).fill(0.5)] });
    for (let i = 1; i < 5; i++) expect(p[i]).toBe(p[0]);
  });

  it('missing values in training are a category of their own', () => {
    const n = 3000;
    const rng = createRng(5);
    const code = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const missing = rng() < 0.2;
      code[i] = missing ? Number.NaN : Math.floor(rng() * 6);
      y[i] = missing ? 5 : code[i] % 2;
    }
    const model = new HistGradientBoostingRegressor({
      max_iter: 50,
      random_state: 0,
      categorical_features: [0],
    });
    model.fit({ nRows: n, columns: [code] }, y);
    const p = model.predict({ nRows: 3, columns: [Float64Array.of(Number.NaN, 2, 3)] });
    expect(p[0]).toBeCloseTo(5, 1);
    expect(p[1]).toBeCloseTo(0, 1);
    expect(p[2]).toBeCloseTo(1, 1);
  });

  it('the saved state round-trips (bitsets and known categories) and n_jobs 1 and 2 give the same model', () => {
    const big = parity(20_000, 3, 40);
    const fit = (n_jobs: number) => {
      const model = new HistGradientBoostingClassifier({
        max_iter: 10,
        random_state: 4,
        n_jobs,
        categorical_features: ['code'],
      });
      model.fit(
        big.X,
        Int32Array.from(big.y, (v) => (v > 0 ? 1 : 0)),
        2,
      );
      return model;
    };
    const one = fit(1);
    // The params record n_jobs; the fitted state must not differ.
    expect(JSON.stringify(fit(2).toJSON().state)).toBe(JSON.stringify(one.toJSON().state));
    const state = JSON.parse(JSON.stringify(one.toJSON())) as ReturnType<typeof one.toJSON>;
    expect(state.state.categorical).toMatchObject({
      known_categories: [Array.from({ length: 40 }, (_, c) => c), null],
    });
    const loaded = loadEstimator(state) as HistGradientBoostingClassifier;
    expect(loaded.predictProba(big.X)).toEqual(one.predictProba(big.X));
  });

  it('a damaged categorical state is refused with a hint', () => {
    const model = new HistGradientBoostingRegressor({ max_iter: 2, categorical_features: [0] });
    model.fit(X, y);
    const state = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
    (state.state.categorical as Record<string, unknown>).known_categories = [null, null];
    expect(() => loadEstimator(state)).toThrow(/categorical split that does not match/);
  });
});

describe('categorical_features checks (scikit-learn 1.2 rules, with hints)', () => {
  const { train, y, n } = splitBand('categorical');
  const yTrain = Float64Array.from(y.slice(0, n));
  const fit =
    (params: Record<string, unknown>, X: FeatureMatrix = train) =>
    () =>
      new HistGradientBoostingRegressor({ max_iter: 2, ...params }).fit(X, yTrain);

  it.each([
    [{ categorical_features: [true, false] }, /boolean mask of 2 values, but there are 4 features/],
    [{ categorical_features: [4] }, /index 4 is outside 0\.\.3/],
    [{ categorical_features: ['city'] }, /no feature names/],
    [{ categorical_features: 'x2' }, /must be a list or null/],
    [{ categorical_features: [1, 'x2'] }, /only booleans, only integers or only names/],
    [{ categorical_features: [1.5] }, /indices must be integers/],
  ])('refuses %j', (params, message) => {
    expect(fit(params)).toThrow(message);
  });

  it('refuses more than max_bins categories, naming the feature, with a hint', () => {
    const codes = Float64Array.from({ length: n }, (_, i) => i % 300);
    const X = { nRows: n, columns: [codes], featureNames: ['cat__zip'] };
    let error: unknown;
    try {
      fit({ categorical_features: ['zip'] }, X)();
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(
      /categorical feature 'cat__zip' has 300 categories; .* at most max_bins \(255/,
    );
    expect((error as { hint?: string }).hint).toMatch(/max_categories/);
    // max_bins lowers the limit; codes must then stay below it.
    const small = { nRows: n, columns: [Float64Array.from({ length: n }, (_, i) => 3 + (i % 5))] };
    expect(fit({ categorical_features: [0], max_bins: 6 }, small)).toThrow(
      /holds code 7; .* below max_bins \(6\)/,
    );
  });

  it('refuses negative and non-integer codes', () => {
    const neg = { nRows: n, columns: [Float64Array.from({ length: n }, (_, i) => (i === 7 ? -1 : i % 3))] };
    expect(fit({ categorical_features: [0] }, neg)).toThrow(
      /holds -1 at row 7; category codes must be non-negative integers/,
    );
    const frac = { nRows: n, columns: [Float64Array.from({ length: n }, (_, i) => (i % 3) + 0.5)] };
    expect(fit({ categorical_features: [0] }, frac)).toThrow(/holds 0\.5 at row 0/);
  });
});
