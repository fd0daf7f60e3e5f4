/**
 * LinearRegression and Ridge against scikit-learn 1.2: coefficients, intercepts and predictions
 * from test/fixtures/ml/linear/linear_models.json (written by generate.py there, run with
 * /usr/bin/python3) must agree to 1e-6.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { LinearRegression } from '../../../src/ml/linear-regression.js';
import { Ridge } from '../../../src/ml/ridge.js';
import type { Regressor } from '../../../src/ml/types.js';
import { loadFixture, matrix, maxAbsDiff } from './fixtures.js';

interface Case {
  estimator: 'linear_regression' | 'ridge';
  params: Record<string, number | boolean>;
  coef: number[];
  intercept: number;
  predictions: number[];
}
interface Fixture {
  X: number[][];
  y: number[];
  X_test: number[][];
  cases: Case[];
  rank_deficient: {
    X: number[][];
    X_test: number[][];
    coef: number[];
    intercept: number;
    predictions: number[];
  };
}

const fx = loadFixture<Fixture>('linear_models.json');
const X = matrix(fx.X);
const y = Float64Array.from(fx.y);
const Xt = matrix(fx.X_test);

function build(c: Case): LinearRegression | Ridge {
  return c.estimator === 'ridge' ? new Ridge(c.params) : new LinearRegression(c.params);
}

describe.each(fx.cases.map((c) => [`${c.estimator} ${JSON.stringify(c.params)}`, c] as const))(
  '%s matches scikit-learn',
  (_label, c) => {
    it('fits the same coefficients, intercept and predictions (1e-6)', () => {
      const model = build(c);
      model.fit(X, y);
      expect(maxAbsDiff(model.coef ?? [], c.coef)).toBeLessThan(1e-6);
      expect(Math.abs(model.intercept - c.intercept)).toBeLessThan(1e-6);
      expect(maxAbsDiff(model.predict(Xt), c.predictions)).toBeLessThan(1e-6);
    });

    it('round-trips through toJSON/fromJSON and predicts identically', () => {
      const model = build(c);
      model.fit(X, y);
      const state = JSON.parse(JSON.stringify(model.toJSON()));
      const loaded = c.estimator === 'ridge' ? Ridge.fromJSON(state) : LinearRegression.fromJSON(state);
      expect(Array.from(loaded.predict(Xt))).toEqual(Array.from(model.predict(Xt)));
      expect(loaded.toJSON()).toEqual(model.toJSON());
    });
  },
);

describe('LinearRegression edge cases', () => {
  it('returns the minimum-norm solution for collinear columns, as lstsq does', () => {
    const rd = fx.rank_deficient;
    const model = new LinearRegression();
    model.fit(matrix(rd.X), y);
    expect(maxAbsDiff(model.coef ?? [], rd.coef)).toBeLessThan(1e-6);
    expect(Math.abs(model.intercept - rd.intercept)).toBeLessThan(1e-6);
    expect(maxAbsDiff(model.predict(matrix(rd.X_test)), rd.predictions)).toBeLessThan(1e-6);
  });

  it('centres stably: shifting a column by 1e7 changes only the intercept', () => {
    const base = new LinearRegression();
    base.fit(X, y);
    const shifted = new LinearRegression();
    shifted.fit(
      { nRows: X.nRows, columns: X.columns.map((c, j) => (j === 1 ? c.map((v) => v + 1e7) : c)) },
      y,
    );
    expect(maxAbsDiff(shifted.coef ?? [], base.coef ?? [])).toBeLessThan(1e-6);
    const coef1 = base.coef?.[1] ?? Number.NaN;
    expect(Math.abs(shifted.intercept + coef1 * 1e7 - base.intercept)).toBeLessThan(
      1e-6 * Math.abs(coef1 * 1e7),
    );
  });

  it('is deterministic', () => {
    const a = new Ridge({ alpha: 2 });
    const b = new Ridge({ alpha: 2 });
    a.fit(X, y);
    b.fit(X, y);
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  const bad: [string, () => void, RegExp][] = [
    [
      'mismatched lengths',
      () => new LinearRegression().fit(X, y.subarray(1)),
      /X has 200 rows but y has 199/,
    ],
    [
      'empty X',
      () => new LinearRegression().fit({ nRows: 0, columns: [new Float64Array(0)] }, new Float64Array(0)),
      /no rows/,
    ],
    [
      'NaN in X',
      () => {
        const cols = X.columns.map((c) => c.slice());
        cols[2][17] = Number.NaN;
        new Ridge().fit({ nRows: X.nRows, columns: cols }, y);
      },
      /column 2, row 17 is NaN/,
    ],
    [
      'NaN in y',
      () => {
        const yy = y.slice();
        yy[5] = Number.NaN;
        new LinearRegression().fit(X, yy);
      },
      /target y at row 5/,
    ],
    [
      'wrong column count at predict',
      () => {
        const m = new LinearRegression();
        m.fit(X, y);
        m.predict({ nRows: 2, columns: [new Float64Array(2)] });
      },
      /1 feature columns but the model was fitted on 5/,
    ],
    [
      'values whose squares overflow',
      () => new Ridge().fit({ nRows: X.nRows, columns: X.columns.map((c) => c.map((v) => v * 1e200)) }, y),
      /too large to square/,
    ],
    [
      'NaN in X at predict',
      () => {
        const m = new Ridge();
        m.fit(X, y);
        const cols = Xt.columns.map((c) => c.slice());
        cols[3][4] = Number.NaN;
        m.predict({ nRows: Xt.nRows, columns: cols });
      },
      /column 3, row 4 is NaN/,
    ],
    ['predict before fit', () => new Ridge().predict(Xt), /not fitted/],
    ['negative alpha', () => new Ridge({ alpha: -1 }), /alpha must be a finite number >= 0/],
    [
      'state of another estimator',
      () => {
        const m = new Ridge();
        m.fit(X, y);
        LinearRegression.fromJSON(m.toJSON());
      },
      /cannot load a "ridge" model as linear_regression/,
    ],
  ];
  it.each(bad)('rejects %s with a DataError', (_label, run, message) => {
    expect(run).toThrow(DataError);
    expect(run).toThrow(message);
  });

  it('implements the Regressor contract', () => {
    const m: Regressor = new LinearRegression();
    expect(m.kind).toBe('regressor');
  });
});
