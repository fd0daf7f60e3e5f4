/**
 * One-hot columns kept as codes (src/ml/encoded-matrix.ts): the default transformer's codes
 * expand to exactly the 0/1 columns its feature names describe, and ridge / linear regression
 * fitted from the codes (normal equations from counts and group sums) agree with the same
 * estimators fitted on the dense matrix to 1e-9, in coefficients, intercept and predictions,
 * with and without an intercept, capped (infrequent column) and uncapped (unknown → all zeros).
 */
import { describe, expect, it } from 'vitest';
import { ColumnTransformer } from '../../../src/ml/column-transformer.js';
import { densify, encodedGram, encodedWidth, fromDense } from '../../../src/ml/encoded-matrix.js';
import { gram } from '../../../src/ml/linalg.js';
import { LinearRegression } from '../../../src/ml/linear-regression.js';
import { Ridge } from '../../../src/ml/ridge.js';
import type { Frame } from '../../../src/ml/types.js';
import { featureStats } from '../../../src/steps/transform.js';
import { maxAbsDiff } from './fixtures.js';

/** A deterministic frame: 3 numbers (some missing), 3 categories (10, 30, 4 levels, some null). */
function makeFrame(rows: number, seed: number, extraLevel = false): { frame: Frame; y: Float64Array } {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const nums = [0, 1, 2].map(() => new Float64Array(rows));
  const cats: (string | null)[][] = [[], [], []];
  const levels = [10, 30, 4];
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let t = 0;
    for (let j = 0; j < 3; j++) {
      const x = (random() - 0.5) * 10 + j * 100;
      nums[j][i] = random() < 0.02 ? Number.NaN : x;
      t += (j - 1) * x;
    }
    for (let k = 0; k < 3; k++) {
      // Skewed levels, so that a cap groups the rare ones.
      const level = Math.floor(random() ** 2 * (levels[k] + (extraLevel ? 2 : 0)));
      cats[k].push(random() < 0.01 ? null : `v${level}`);
      t += (level % 5) - 2;
    }
    y[i] = t + random();
  }
  return {
    frame: {
      nRows: rows,
      columns: [
        ...nums.map((values, j) => ({ name: `x${j}`, type: 'number' as const, values })),
        ...cats.map((values, k) => ({ name: `c${k}`, type: 'string' as const, values })),
      ],
    },
    y,
  };
}

const relative = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  return maxAbsDiff(a, b) / scale;
};

describe.each([
  { label: 'capped at 8 (infrequent column)', max_categories: 8 },
  { label: 'default cap', max_categories: undefined },
  { label: 'uncapped (unknown → all zeros)', max_categories: null },
])('encoded one-hot, $label', ({ max_categories }) => {
  const { frame, y } = makeFrame(3000, 7);
  const ct = new ColumnTransformer(max_categories === undefined ? {} : { max_categories }).fit(frame);
  // Scoring data with categories never seen in training (v30, v31 of c0...).
  const scoring = makeFrame(500, 99, true).frame;

  it('expands to the 0/1 columns the feature names describe, unknown categories as the encoder says', () => {
    for (const data of [frame, scoring]) {
      const encoded = ct.transformEncoded(data);
      const dense = densify(encoded);
      const names = ct.featureNames();
      expect(dense.columns.length).toBe(names.length);
      expect(encodedWidth(encoded)).toBe(names.length);
      for (let j = 0; j < names.length; j++) {
        const match = /^cat__(c\d)_(.*)$/.exec(names[j]);
        if (!match) continue;
        const values = (data.columns.find((c) => c.name === match[1]) as { values: (string | null)[] }).values;
        const known = new Set(names.filter((n) => n.startsWith(`cat__${match[1]}_`)));
        const wrong: string[] = [];
        for (let i = 0; i < data.nRows; i++) {
          // The imputer fills null with the most frequent category before encoding.
          const v = values[i];
          const own = v !== null && known.has(`cat__${match[1]}_${v}`);
          const expected =
            match[2] === 'infrequent_sklearn'
              ? v !== null && !own
              : v === null
                ? false
                : match[2] === v;
          if (v !== null && dense.columns[j][i] !== (expected ? 1 : 0)) wrong.push(`${names[j]} row ${i} (${v})`);
        }
        expect(wrong).toEqual([]);
      }
    }
  });

  it.each([
    { name: 'ridge', make: () => new Ridge({ alpha: 1 }) },
    { name: 'ridge without intercept', make: () => new Ridge({ alpha: 0.5, fit_intercept: false }) },
    { name: 'linear regression', make: () => new LinearRegression() },
  ])('$name from codes equals the dense fit to 1e-9', ({ make }) => {
    const Xe = ct.transformEncoded(frame);
    const dense = make();
    dense.fit(densify(Xe), y);
    const coded = make();
    coded.fitEncoded(Xe, y);
    expect(relative(coded.coef as Float64Array, dense.coef as Float64Array)).toBeLessThan(1e-9);
    expect(Math.abs(coded.intercept - dense.intercept)).toBeLessThan(1e-9 * Math.max(1, Math.abs(dense.intercept)));
    const Se = ct.transformEncoded(scoring);
    expect(relative(coded.predictEncoded(Se), dense.predict(densify(Se)))).toBeLessThan(1e-9);
  });

  it('builds the same normal equations as the dense gram', () => {
    const Xe = ct.transformEncoded(frame);
    for (const center of [true, false]) {
      const fromCodes = encodedGram(Xe, y, center);
      const fromDense = gram(densify(Xe), y, { center });
      expect(relative(fromCodes.xtx, fromDense.xtx)).toBeLessThan(1e-12);
      expect(relative(fromCodes.xty, fromDense.xty)).toBeLessThan(1e-12);
      expect(relative(fromCodes.xMean, fromDense.xMean)).toBeLessThan(1e-12);
    }
  });

  it('feature statistics from codes equal those of the dense columns', () => {
    const Xe = ct.transformEncoded(frame);
    const names = ct.featureNames();
    expect(featureStats(Xe, names)).toEqual(featureStats(densify(Xe), names));
  });
});

describe('encoded matrices without blocks', () => {
  it('fit like the dense matrix they wrap', () => {
    const { frame, y } = makeFrame(500, 3);
    const X = densify(new ColumnTransformer().fit(frame).transformEncoded(frame));
    const a = new Ridge();
    a.fit(X, y);
    const b = new Ridge();
    b.fitEncoded(fromDense(X), y);
    expect(Array.from(b.coef as Float64Array)).toEqual(Array.from(a.coef as Float64Array));
  });

  it('reject a matrix of the wrong width at predict with the fitted width in the message', () => {
    const { frame, y } = makeFrame(500, 3);
    const ct = new ColumnTransformer().fit(frame);
    const model = new Ridge();
    model.fitEncoded(ct.transformEncoded(frame), y);
    const narrow = ct.transformEncoded(frame);
    narrow.blocks.pop();
    expect(() => model.predictEncoded(narrow)).toThrow(/fitted with \d+/);
  });
});
