/**
 * The dense kernels under the linear estimators, against direct formulas on seeded data whose
 * row count spans several partial blocks and whose column counts are not multiples of the
 * 4-wide tiles.
 */
import { describe, expect, it } from 'vitest';
import {
  gram,
  linearPredict,
  pseudoInverseSolve,
  solveSymmetric,
  symmetricEigen,
  transposeTimes,
  weightedGram,
  predictLinear,
  predictLinearMany,
} from '../../../src/ml/linalg.js';
import { SeededRandom } from '../../../src/ml/sgd.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';
import { maxAbsDiff } from './fixtures.js';

const rng = new SeededRandom(17);
const u = (): number => (rng.nextUint32() + 0.5) / 4294967296;

function randomMatrix(n: number, p: number, offset = 0): FeatureMatrix {
  return {
    nRows: n,
    columns: Array.from({ length: p }, () => Float64Array.from({ length: n }, () => offset + u() * 2 - 1)),
  };
}

describe.each([
  [5000, 1],
  [5000, 3],
  [4097, 6],
  [10, 7],
])('Gram kernels with n=%i, p=%i', (n, p) => {
  const X = randomMatrix(n, p, 3);
  const y = Float64Array.from({ length: n }, () => u() * 10);
  const w = Float64Array.from({ length: n }, () => u() - 0.3);
  const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

  it('gram() equals the direct (centred) sums', () => {
    for (const center of [false, true]) {
      const res = gram(X, y, { center });
      const mx = X.columns.map((c) => (center ? mean(c) : 0));
      const my = center ? mean(y) : 0;
      const xtx: number[] = [];
      const xty: number[] = [];
      for (let j = 0; j < p; j++) {
        for (let k = 0; k < p; k++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += (X.columns[j][i] - mx[j]) * (X.columns[k][i] - mx[k]);
          xtx.push(s);
        }
        let s = 0;
        for (let i = 0; i < n; i++) s += (X.columns[j][i] - mx[j]) * (y[i] - my);
        xty.push(s);
      }
      expect(maxAbsDiff(res.xtx, xtx)).toBeLessThan(1e-9 * n);
      expect(maxAbsDiff(res.xty, xty)).toBeLessThan(1e-9 * n);
      expect(maxAbsDiff(res.xMean, mx)).toBeLessThan(1e-12);
      expect(Math.abs(res.yMean - my)).toBeLessThan(1e-12);
    }
  });

  it('weightedGram() equals Σ wᵢ x̃ᵢx̃ᵢᵀ with and without the intercept column', () => {
    for (const withIntercept of [false, true]) {
      const q = withIntercept ? p + 1 : p;
      const at = (i: number, j: number): number => (j < p ? X.columns[j][i] : 1);
      const want: number[] = [];
      for (let j = 0; j < q; j++) {
        for (let k = 0; k < q; k++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += w[i] * at(i, j) * at(i, k);
          want.push(s);
        }
      }
      expect(maxAbsDiff(weightedGram(X, w, withIntercept), want)).toBeLessThan(1e-9 * n);
    }
  });

  it('linearPredict() and transposeTimes() equal the direct products', () => {
    const coef = Float64Array.from({ length: p }, (_, j) => j - 1.5);
    const pred = linearPredict(X, coef, 0.25);
    const want = Array.from({ length: n }, (_, i) => X.columns.reduce((s, c, j) => s + coef[j] * c[i], 0.25));
    expect(maxAbsDiff(pred, want)).toBeLessThan(1e-12);
    const xt = transposeTimes(X, y);
    const wantT = X.columns.map((c) => c.reduce((s, v, i) => s + v * y[i], 0));
    expect(maxAbsDiff(xt, wantT)).toBeLessThan(1e-9 * n);
  });
});

describe('symmetric solvers', () => {
  it('solveSymmetric solves a positive definite system', () => {
    const a = Float64Array.of(4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2);
    const x = Float64Array.of(1, -2, 3);
    const b = [0, 1, 2].map((i) => a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]);
    expect(maxAbsDiff(solveSymmetric(a, 3, b), x)).toBeLessThan(1e-12);
  });

  it('falls back to the minimum-norm solution for a singular system', () => {
    // A = vvᵀ with v = (1, 2): b = A·(1, 0) = (1, 2); the min-norm solution is v/5.
    const a = Float64Array.of(1, 2, 2, 4);
    const x = solveSymmetric(a, 2, [1, 2]);
    expect(maxAbsDiff(x, [0.2, 0.4])).toBeLessThan(1e-12);
    expect(maxAbsDiff(pseudoInverseSolve(a, 2, [1, 2]), [0.2, 0.4])).toBeLessThan(1e-12);
  });

  it('symmetricEigen reconstructs the matrix', () => {
    const a = Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2);
    const { values, vectors } = symmetricEigen(a, 3);
    const back: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += vectors[i * 3 + k] * values[k] * vectors[j * 3 + k];
        back.push(s);
      }
    }
    expect(maxAbsDiff(back, a)).toBeLessThan(1e-12);
    expect([...values].sort((x, y) => x - y).map((v) => Number(v.toFixed(12)))).toEqual(
      [2 - Math.SQRT2, 2, 2 + Math.SQRT2].map((v) => Number(v.toFixed(12))),
    );
  });
});

describe('predictLinearMany', () => {
  it('gives every class the bit-identical scores of one predictLinear per class, across row blocks and column counts', () => {
    for (const [n, p] of [
      [5000, 10],
      [3, 7],
      [2049, 4],
      [100, 1],
    ] as const) {
      const X: FeatureMatrix = {
        nRows: n,
        columns: Array.from({ length: p }, () => Float64Array.from({ length: n }, () => u() * 20 - 10)),
      };
      const coefs = [0, 1, 2].map(() => Float64Array.from({ length: p }, () => u() - 0.5));
      const intercepts = [0.25, -1.5, 3];
      const fused = predictLinearMany(X, coefs, intercepts, 'test');
      coefs.forEach((coef, k) => {
        expect(Array.from(fused[k] as Float64Array)).toEqual(
          Array.from(predictLinear(X, coef, intercepts[k] as number, 'test')),
        );
      });
      // And the plain left-to-right sum, so a reordering of the additions would show here.
      const row = n - 1;
      let expected = intercepts[0] as number;
      for (let j = 0; j < p; j++) expected += (coefs[0] as Float64Array)[j] * (X.columns[j] as Float64Array)[row];
      expect((fused[0] as Float64Array)[row]).toBe(expected);
    }
    const overflow: FeatureMatrix = { nRows: 1, columns: [Float64Array.of(1e308)] };
    expect(() => predictLinearMany(overflow, [Float64Array.of(10)], [0], 'test')).toThrow(/row 0 overflows/);
  });
});
