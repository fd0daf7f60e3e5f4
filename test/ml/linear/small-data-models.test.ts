/**
 * ml-regression wrappers against test/fixtures/ml/linear/small_data_models.json (written by
 * generate.py there with /usr/bin/python3): polynomial vs numpy.polyfit, Theil–Sen vs the classic
 * median-of-pairwise-slopes computed in numpy, kernel ridge vs scikit-learn 1.2's KernelRidge.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import {
  KernelRidgeRegressor,
  type KernelRidgeRegressorParams,
  PolynomialRegressor,
  TheilSenRegressor,
} from '../../../src/ml/small-data-models.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';
import { loadFixture, matrix, maxAbsDiff } from './fixtures.js';

interface Fixture {
  x: number[];
  y: number[];
  x_test: number[];
  polynomial_degree: number;
  polynomial_coefficients: number[];
  polynomial_predictions: number[];
  y_outliers: number[];
  theil_sen_slope: number;
  theil_sen_intercept: number;
  theil_sen_slope_numpy_median: number;
  kernel_X: number[][];
  kernel_y: number[];
  kernel_X_test: number[][];
  kernel_cases: { params: KernelRidgeRegressorParams; dual_coef: number[]; predictions: number[] }[];
}
const fx = loadFixture<Fixture>('small_data_models.json');
const x1 = matrix([fx.x]);
const xTest = matrix([fx.x_test]);
const twoColumns: FeatureMatrix = matrix([fx.x, fx.x]);

describe('PolynomialRegressor', () => {
  it('matches numpy.polyfit coefficients and predictions (1e-6)', () => {
    const m = new PolynomialRegressor({ degree: fx.polynomial_degree });
    m.fit(x1, Float64Array.from(fx.y));
    expect(maxAbsDiff(m.coefficients, fx.polynomial_coefficients)).toBeLessThan(1e-6);
    expect(maxAbsDiff(m.predict(xTest), fx.polynomial_predictions)).toBeLessThan(1e-6);
    const loaded = PolynomialRegressor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(loaded.predict(xTest))).toEqual(Array.from(m.predict(xTest)));
  });

  it('rejects more than one feature column, and too few rows', () => {
    const m = new PolynomialRegressor({ degree: 2 });
    expect(() => m.fit(twoColumns, Float64Array.from(fx.y))).toThrow(DataError);
    expect(() => m.fit(twoColumns, Float64Array.from(fx.y))).toThrow(
      /takes exactly one feature column, got 2/,
    );
    expect(() => m.fit(matrix([[1, 2]]), Float64Array.of(1, 2))).toThrow(/needs more than 2 rows/);
    expect(() => new PolynomialRegressor({ degree: 0 })).toThrow(/degree must be an integer/);
  });
});

describe('TheilSenRegressor', () => {
  it('matches the median pairwise slope and median intercept despite outliers', () => {
    const m = new TheilSenRegressor();
    m.fit(x1, Float64Array.from(fx.y_outliers));
    expect(Math.abs((m.slope ?? Number.NaN) - fx.theil_sen_slope)).toBeLessThan(1e-9);
    expect(Math.abs(m.intercept - fx.theil_sen_intercept)).toBeLessThan(1e-9);
    // And within 1e-3 of numpy's averaging median.
    expect(Math.abs((m.slope ?? Number.NaN) - fx.theil_sen_slope_numpy_median)).toBeLessThan(1e-3);
    const loaded = TheilSenRegressor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(loaded.predict(xTest))).toEqual(Array.from(m.predict(xTest)));
  });

  it('rejects several columns, NaN and too many rows', () => {
    const m = new TheilSenRegressor();
    expect(() => m.fit(twoColumns, Float64Array.from(fx.y))).toThrow(/exactly one feature column/);
    expect(() => m.fit(matrix([[1, Number.NaN, 3]]), Float64Array.of(1, 2, 3))).toThrow(/row 1 is NaN/);
    const n = TheilSenRegressor.maxRows + 1;
    expect(() => m.fit({ nRows: n, columns: [new Float64Array(n)] }, new Float64Array(n))).toThrow(
      /limited to 3000 training rows/,
    );
  });
});

describe.each(fx.kernel_cases.map((c) => [JSON.stringify(c.params), c] as const))(
  'KernelRidgeRegressor %s',
  (_l, c) => {
    it('matches scikit-learn dual coefficients and predictions (1e-6), and round-trips', () => {
      const m = new KernelRidgeRegressor(c.params);
      m.fit(matrix(fx.kernel_X), Float64Array.from(fx.kernel_y));
      expect(maxAbsDiff(m.dualCoef ?? [], c.dual_coef)).toBeLessThan(1e-6);
      const Xt = matrix(fx.kernel_X_test);
      expect(maxAbsDiff(m.predict(Xt), c.predictions)).toBeLessThan(1e-6);
      const loaded = KernelRidgeRegressor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
      expect(Array.from(loaded.predict(Xt))).toEqual(Array.from(m.predict(Xt)));
    });
  },
);

describe('KernelRidgeRegressor errors', () => {
  it('rejects bad parameters, mismatched lengths and a wrong column count at predict', () => {
    expect(() => new KernelRidgeRegressor({ kernel: 'cosine' as 'rbf' })).toThrow(/kernel must be/);
    expect(() => new KernelRidgeRegressor({ alpha: 0 })).toThrow(/alpha must be a finite number > 0/);
    const m = new KernelRidgeRegressor({ kernel: 'rbf' });
    expect(() => m.fit(matrix(fx.kernel_X), Float64Array.from(fx.kernel_y.slice(1)))).toThrow(
      /60 rows but y has 59/,
    );
    m.fit(matrix(fx.kernel_X), Float64Array.from(fx.kernel_y));
    expect(() => m.predict(x1)).toThrow(/1 feature columns but the model was fitted on 3/);
  });
});
