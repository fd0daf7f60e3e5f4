import { describe, expect, it } from 'vitest';
import { profileFrame, profileHtml } from '../../src/data/index.js';
import type { Frame } from '../../src/ml/types.js';

const frame: Frame = {
  nRows: 6,
  columns: [
    { name: 'x', type: 'number', values: Float64Array.from([1, 2, 3, 4, Number.NaN, 10]) },
    { name: 'city <b>', type: 'string', values: ['a', 'b', 'a', null, 'a', 'c'] },
    { name: 'flag', type: 'number', values: Float64Array.from([1, 0, 1, 1, Number.NaN, 0]) },
  ],
};

describe('profileFrame', () => {
  const profile = profileFrame(frame, ['long', 'string', 'boolean'], { bins: 3 });

  it('computes counts, missing, min/max/mean, sample std and median for numbers', () => {
    const x = profile.columns[0];
    expect(x).toMatchObject({
      name: 'x',
      type: 'long',
      count: 5,
      missing: 1,
      distinct: 5,
      min: 1,
      max: 10,
      mean: 4,
      median: 3,
    });
    // pandas: pd.Series([1,2,3,4,10]).std() == 3.5355339059327378
    expect(x?.std).toBeCloseTo(3.5355339059327378, 12);
    // numpy.histogram([1,2,3,4,10], bins=3) → counts [3, 1, 1] (edges 1, 4, 7, 10)
    expect(x?.histogram?.map((b) => b.count)).toEqual([3, 1, 1]);
  });

  it('counts top values of strings (most frequent first) and booleans', () => {
    expect(profile.columns[1]).toMatchObject({ count: 5, missing: 1, distinct: 3 });
    expect(profile.columns[1]?.topValues).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 1 },
      { value: 'c', count: 1 },
    ]);
    expect(profile.columns[2]).toMatchObject({ type: 'boolean', count: 5, missing: 1, mean: 0.6 });
  });

  it('renders an HTML table with inline SVG and escapes user text', () => {
    const html = profileHtml(profile);
    expect(html).toContain('<svg');
    expect(html).toContain('city &lt;b&gt;');
    expect(html).not.toContain('city <b>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('profileFrame on data larger than MLflow Recipes profiles', () => {
  const n = 5000;
  const big: Frame = {
    nRows: n,
    columns: [
      { name: 'i', type: 'number', values: Float64Array.from({ length: n }, (_, i) => i) },
      { name: 'parity', type: 'string', values: Array.from({ length: n }, (_, i) => (i % 2 ? 'odd' : 'even')) },
    ],
  };

  it('profiles a random sample of at most maxCells / columns rows and says so', () => {
    const profile = profileFrame(big, undefined, { maxCells: 2000 });
    expect(profile.rows).toBe(1000);
    expect(profile.totalRows).toBe(n);
    const i = profile.columns[0];
    expect(i.count).toBe(1000);
    expect(i.distinct).toBe(1000);
    // A uniform sample of 0..4999: its mean is near 2500, its range spans most of the data.
    expect(Math.abs((i.mean as number) - 2500)).toBeLessThan(200);
    expect(i.min as number).toBeLessThan(50);
    expect(i.max as number).toBeGreaterThan(4950);
    const odd = profile.columns[1].topValues?.find((t) => t.value === 'odd')?.count as number;
    expect(Math.abs(odd - 500)).toBeLessThan(60);
    expect(profileHtml(profile)).toContain('random sample of 1000 of the 5000 rows');
  });

  it('samples the same rows every time, and all rows below the limit', () => {
    expect(profileFrame(big, undefined, { maxCells: 2000 })).toEqual(profileFrame(big, undefined, { maxCells: 2000 }));
    const whole = profileFrame(big);
    expect(whole.rows).toBe(n);
    expect(whole.columns[0].count).toBe(n);
    expect(profileHtml(whole)).not.toContain('random sample');
  });
});
