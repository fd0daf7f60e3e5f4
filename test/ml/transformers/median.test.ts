import { describe, expect, it } from 'vitest';
import { median } from '../../../src/ml/impute.js';

/** The sorted-array definition the quickselect median must agree with. */
function sortedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

describe('median (quickselect)', () => {
  it.each([
    [[1]],
    [[2, 1]],
    [[3, 1, 2]],
    [[5, 5, 5, 5]],
    [[1, 2, 3, 4, 5, 6]],
    [[6, 5, 4, 3, 2, 1]],
    [[-1, 0, -Infinity, Infinity, 7]],
    [[2, 2, 1, 1, 3, 3, 2, 1]],
  ])('agrees with sorting on %j', (values) => {
    expect(median(Float64Array.from(values))).toBe(sortedMedian(values));
  });

  it('agrees with sorting on random data with many ties, odd and even lengths', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const values = Array.from({ length: n }, () => Math.floor(rand() * (trial % 7 === 0 ? 3 : 1000)) / 10);
      expect(median(Float64Array.from(values))).toBe(sortedMedian(values));
    }
  });
});
