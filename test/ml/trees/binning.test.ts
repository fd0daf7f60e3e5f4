import { describe, expect, it } from 'vitest';
import { BinMapper } from '../../../src/ml/binning.js';
import { growTree } from '../../../src/ml/decision-tree.js';

describe('BinMapper', () => {
  it('gives every distinct value its own bin, with midpoint edges, and NaN the last bin', () => {
    const col = Float64Array.of(3, 1, 2, 2, Number.NaN, 10);
    const mapper = BinMapper.fit({ nRows: 6, columns: [col] });
    expect(Array.from(mapper.edges[0])).toEqual([1.5, 2.5, 6.5]);
    expect(mapper.nValueBins(0)).toBe(4);
    const binned = mapper.transform({ nRows: 6, columns: [col] });
    expect(Array.from(binned.codes)).toEqual([2, 0, 1, 1, 4, 3]);
    expect(Array.from(mapper.binMin[0])).toEqual([1, 2, 3, 10]);
  });

  it('uses at most maxBins - 1 quantile bins for continuous values, equal-sized within one row', () => {
    const n = 10_000;
    const col = Float64Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const mapper = BinMapper.fit({ nRows: n, columns: [col] });
    expect(mapper.nValueBins(0)).toBe(255);
    const counts = new Int32Array(256);
    for (const c of mapper.transform({ nRows: n, columns: [col] }).codes) counts[c]++;
    for (let b = 0; b < 255; b++) {
      expect(counts[b]).toBeGreaterThanOrEqual(39);
      expect(counts[b]).toBeLessThanOrEqual(40);
    }
    expect(counts[255]).toBe(0);
  });

  it('stores codes row-major and survives a JSON round trip', () => {
    const X = { nRows: 3, columns: [Float64Array.of(1, 2, 3), Float64Array.of(5, Number.NaN, 5)] };
    const mapper = BinMapper.fromJSON(JSON.parse(JSON.stringify(BinMapper.fit(X).toJSON())));
    expect(Array.from(mapper.transform(X).codes)).toEqual([0, 0, 1, 1, 2, 0]);
    expect(() => mapper.transform({ nRows: 3, columns: [X.columns[0]] })).toThrow(
      /expected 2 feature columns/,
    );
  });
});

describe('trees on a mapper fitted on other rows', () => {
  it('fall back to bin edges for thresholds when the mapper never saw a bin', () => {
    // Quantile edges from 0..999, then a tree on rows that only occupy two bins.
    const mapper = BinMapper.fit({
      nRows: 1000,
      columns: [Float64Array.from({ length: 1000 }, (_, i) => i)],
    });
    const fresh = BinMapper.fromJSON({
      ...mapper.toJSON(),
      binMin: [mapper.toJSON().binMin[0].map(() => null)],
    });
    const rows = { nRows: 4, columns: [Float64Array.of(10, 11, 900, 901)] };
    const tree = growTree({
      binned: fresh.transform(rows),
      mapper: fresh,
      y: Float64Array.of(0, 0, 1, 1),
      nClasses: 0,
      params: {},
    }).tree;
    expect(tree.feature[0]).toBe(0);
    expect(Number.isFinite(tree.threshold[0])).toBe(true);
    expect(tree.threshold[0]).toBeGreaterThanOrEqual(11);
    expect(tree.threshold[0]).toBeLessThan(900);
  });
});
