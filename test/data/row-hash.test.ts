import { describe, expect, it } from 'vitest';
import { assignSplits, rowHashUnit, selectRows } from '../../src/data/index.js';
import type { Frame } from '../../src/ml/types.js';

function frameOf(x: number[], s: (string | null)[]): Frame {
  return {
    nRows: x.length,
    columns: [
      { name: 'x', type: 'number', values: Float64Array.from(x) },
      { name: 's', type: 'string', values: s },
    ],
  };
}

describe('rowHashUnit', () => {
  it('pins the hash of known rows (changing it would move rows between splits for every user)', () => {
    const u = rowHashUnit(frameOf([1, 2.5, Number.NaN], ['a', null, 'héllo']));
    expect(Array.from(u)).toEqual(
      Array.from(rowHashUnit(frameOf([1, 2.5, Number.NaN], ['a', null, 'héllo']))),
    );
    // Values recorded when the encoding was fixed (mlrecipe 0.1.0).
    expect(Array.from(u).map((v) => v.toFixed(12))).toEqual(PINNED);
  });

  it('depends only on the row itself: same rows, same hash, wherever they are', () => {
    const a = rowHashUnit(frameOf([1, 2, 3], ['a', 'b', 'c']));
    const b = rowHashUnit(frameOf([9, 3, 2, 1], ['z', 'c', 'b', 'a']));
    expect(b[3]).toBe(a[0]);
    expect(b[2]).toBe(a[1]);
    expect(b[1]).toBe(a[2]);
  });

  it('tells apart values that a naive concatenation would confuse', () => {
    const f: Frame = {
      nRows: 2,
      columns: [
        { name: 'p', type: 'string', values: ['ab', 'a'] },
        { name: 'q', type: 'string', values: ['c', 'bc'] },
      ],
    };
    const u = rowHashUnit(f);
    expect(u[0]).not.toBe(u[1]);
    const missing = rowHashUnit(frameOf([Number.NaN, 0], [null, '']));
    expect(missing[0]).not.toBe(missing[1]);
  });

  it('is uniform enough that the split sizes follow the ratios', () => {
    const n = 20_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const u = rowHashUnit(
      frameOf(
        x,
        x.map((i) => `row${i}`),
      ),
    );
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    const counts = [0, 0, 0];
    for (const k of assignSplits(u, [0.7, 0.2, 0.1])) counts[k] = (counts[k] ?? 0) + 1;
    expect(Math.abs((counts[0] ?? 0) / n - 0.7)).toBeLessThan(0.02);
    expect(Math.abs((counts[1] ?? 0) / n - 0.2)).toBeLessThan(0.02);
    expect(Math.abs((counts[2] ?? 0) / n - 0.1)).toBeLessThan(0.02);
  });
});

describe('assignSplits and selectRows', () => {
  it('bins by cumulative ratios as MLflow does (train < r0 ≤ validation < r0 + r1 ≤ test)', () => {
    const u = Float64Array.from([0, 0.5999, 0.6, 0.7999, 0.8, 0.9999]);
    expect(Array.from(assignSplits(u, [0.6, 0.2, 0.2]))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(assignSplits(u, [1, 0, 0]))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('selects rows of every column type', () => {
    const f = selectRows(frameOf([1, 2, 3], ['a', null, 'c']), [1, 0, 1]);
    expect(f.nRows).toBe(2);
    expect(Array.from(f.columns[0]?.values as Float64Array)).toEqual([1, 3]);
    expect(f.columns[1]?.values).toEqual(['a', 'c']);
  });
});

const PINNED = ['0.163052463950', '0.002337045088', '0.245593124839'];
