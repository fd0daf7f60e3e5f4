/**
 * The binary and multinomial solvers for large data (from 40k rows: BFGS on a strided subsample,
 * then on the full data with one fused objective/gradient pass per iteration) must land on the
 * same optimum as the exact Newton solvers used below 40k rows. Trick that makes the two comparable
 * on identical objectives: m rows fitted with C equal the same m rows stacked twice (2m ≥ 40k
 * rows, the large-data path) fitted with C/2, since every loss term appears twice at half the
 * weight. Class counts 4 and 5 exercise the fused pass's three-classes-at-a-time loops and
 * their remainders; no-intercept and intercept models both.
 */
import { describe, expect, it } from 'vitest';
import { LogisticRegression } from '../../../src/ml/logistic-regression.js';
import { SeededRandom } from '../../../src/ml/sgd.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';

const m = 20_000;
const p = 5;

function makeProblem(nClasses: number, seed: number): { X: FeatureMatrix; y: Int32Array } {
  const rng = new SeededRandom(seed);
  const u = (): number => (rng.nextUint32() + 0.5) / 4294967296;
  const normal = (): number => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  // A non-zero mean on one column makes the intercepts matter.
  const columns = Array.from({ length: p }, (_, j) =>
    Float64Array.from({ length: m }, () => normal() + (j === 0 ? 1 : 0)),
  );
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const e: number[] = [];
    for (let k = 0; k < nClasses; k++) {
      let z = 0.3 * k;
      for (let j = 0; j < p; j++) z += (((j + 2 * k) % 5) - 2) * 0.4 * columns[j][i];
      e.push(Math.exp(z));
    }
    let t = u() * e.reduce((a, b) => a + b, 0);
    let k = 0;
    while (k < nClasses - 1 && t >= e[k]) t -= e[k++];
    y[i] = k;
  }
  return { X: { nRows: m, columns }, y };
}

function stackTwice(X: FeatureMatrix, y: Int32Array): { X: FeatureMatrix; y: Int32Array } {
  const twice = (a: Float64Array): Float64Array => {
    const out = new Float64Array(2 * a.length);
    out.set(a);
    out.set(a, a.length);
    return out;
  };
  const y2 = new Int32Array(2 * y.length);
  y2.set(y);
  y2.set(y, y.length);
  return { X: { nRows: 2 * X.nRows, columns: X.columns.map(twice) }, y: y2 };
}

function maxDiff(a: Float64Array[], b: Float64Array[]): number {
  let d = 0;
  a.forEach((row, k) => {
    row.forEach((v, j) => {
      d = Math.max(d, Math.abs(v - b[k][j]));
    });
  });
  return d;
}

describe('LogisticRegression: large-data solver equals exact Newton', () => {
  it.each([
    [2, true, 1.0],
    [2, false, 0.05],
    [4, true, 1.0],
    [5, false, 0.05],
  ] as const)('%i classes, fit_intercept=%s, C=%f', (nClasses, fitIntercept, C) => {
    const { X, y } = makeProblem(nClasses, 11 + nClasses);
    const small = new LogisticRegression({ C, fit_intercept: fitIntercept });
    small.fit(X, y, nClasses);
    const big = stackTwice(X, y);
    const large = new LogisticRegression({ C: C / 2, fit_intercept: fitIntercept });
    large.fit(big.X, big.y, nClasses);
    const coefSmall = small.coef ?? [];
    const coefLarge = large.coef ?? [];
    const nModels = nClasses === 2 ? 1 : nClasses;
    expect(coefLarge).toHaveLength(nModels);
    // Guard against a trivial pass: the model must have learned something.
    expect(Math.max(...coefSmall.map((row) => Math.max(...row.map(Math.abs))))).toBeGreaterThan(0.1);
    expect(maxDiff(coefLarge, coefSmall)).toBeLessThan(1e-7);
    const bSmall = small.intercept ?? new Float64Array(0);
    const bLarge = large.intercept ?? new Float64Array(0);
    expect(maxDiff([bLarge], [bSmall])).toBeLessThan(1e-7);
    if (!fitIntercept) expect(Array.from(bLarge)).toEqual(new Array(nModels).fill(0));
  });
});
