// Pins fitted trees bit for bit: predictions, probabilities and the whole structure of trees grown
// on fixed pseudo-random data, as SHA-256 digests of their bytes. The digests were taken from the
// tree grower before it was split into parts (issue 15); any change to the order of floating-point
// operations, the tie-breaking between splits, the random feature order or the threshold placement
// changes a digest. A deliberate change to how trees grow must update them, and say why.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BinMapper } from '../../../src/ml/binning.js';
import {
  DecisionTreeClassifier,
  type DecisionTreeParams,
  DecisionTreeRegressor,
  growTree,
  type TreeStructure,
} from '../../../src/ml/decision-tree.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';

/** xorshift32: the same stream on every machine and Node version. */
function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * 6 features: continuous (more distinct values than bins), a few distinct values (one bin each),
 * one with every 9th value missing, a constant, and noise; targets a noisy Friedman-like sum and
 * 4 classes cut from it.
 */
function data(n: number, seed: number): { X: FeatureMatrix; yReg: Float64Array; yCls: Int32Array } {
  const r = uniform(seed);
  const cols = Array.from({ length: 6 }, () => new Float64Array(n));
  const yReg = new Float64Array(n);
  const yCls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = r();
    const b = Math.floor(r() * 7);
    const c = r() * 4 - 2;
    const d = r();
    cols[0][i] = a;
    cols[1][i] = b;
    cols[2][i] = i % 9 === 4 ? Number.NaN : c;
    cols[3][i] = 3.5;
    cols[4][i] = d;
    cols[5][i] = Math.round(r() * 1000) / 10;
    const y = 10 * Math.sin(Math.PI * a * d) + 2 * b + (Number.isNaN(cols[2][i]) ? 1 : c * c) + r();
    yReg[i] = y;
    yCls[i] = y < 6 ? 0 : y < 10 ? 1 : y < 14 ? 2 : 3;
  }
  return { X: { nRows: n, columns: cols }, yReg, yCls };
}

function digest(...arrays: ArrayBufferView[]): string {
  const hash = createHash('sha256');
  for (const a of arrays) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.digest('hex').slice(0, 16);
}

const structure = (t: TreeStructure): ArrayBufferView[] => [
  t.feature,
  t.threshold,
  t.left,
  t.right,
  t.missingLeft,
  t.nNodeSamples,
  t.impurity,
  t.value,
];

const train = data(6000, 11);
const test = data(2000, 12);

describe('fitted trees are pinned bit for bit', () => {
  it.each([
    ['regressor, fully grown', {}, '90097a85f5b4e9ce'],
    ['regressor, depth 8, min_samples_leaf 5', { max_depth: 8, min_samples_leaf: 5 }, 'ce8544d3aa8f85c2'],
    [
      'regressor, max_features sqrt, random_state 3',
      { max_features: 'sqrt', random_state: 3 },
      '7992643e3fcdcb7f',
    ],
    ['regressor, min_impurity_decrease 0.05', { min_impurity_decrease: 0.05 }, '85dcfd56b0643ed8'],
  ] as [string, DecisionTreeParams, string][])('%s', (_name, params, expected) => {
    const model = new DecisionTreeRegressor(params);
    model.fit(train.X, train.yReg);
    const pinned = digest(model.predict(test.X), model.predict(train.X));
    expect({ pinned }).toEqual({ pinned: expected });
  });

  it.each([
    ['classifier gini, fully grown', {}, 'aeeb72c5bab20ad0'],
    ['classifier entropy, depth 7', { criterion: 'entropy', max_depth: 7 }, '0dbd6118b5f640ee'],
    [
      'classifier gini, max_features 2, random_state 5, min_samples_split 10',
      { max_features: 2, random_state: 5, min_samples_split: 10 },
      '47d4acbf3cd76b70',
    ],
  ] as [string, DecisionTreeParams, string][])('%s', (_name, params, expected) => {
    const model = new DecisionTreeClassifier(params);
    model.fit(train.X, train.yCls, 4);
    const pinned = digest(model.predict(test.X), ...model.predictProba(test.X), model.predict(train.X));
    expect({ pinned }).toEqual({ pinned: expected });
  });

  it.each([
    ['regression, every node by histogram, histograms dropped and rebuilt', 0, 0, 1, '74d3ec4ba502b96a'],
    ['regression, every node by sorting', 0, 4096, undefined, '74d3ec4ba502b96a'],
    ['classification, every node by histogram, histograms dropped and rebuilt', 4, 0, 1, 'eb1f6687d864e67e'],
    ['classification, default small-node size', 4, undefined, undefined, 'eb1f6687d864e67e'],
  ] as [string, number, number | undefined, number | undefined, string][])(
    'growTree structure: %s',
    (_name, nClasses, smallNodeRows, histogramMemoryBytes, expected) => {
      const { mapper, binned } = BinMapper.fitTransform(train.X);
      // A bootstrap-like row list with repeats, as forests pass.
      const r = uniform(99);
      const rows = Uint32Array.from({ length: train.X.nRows }, () => Math.floor(r() * train.X.nRows));
      const { tree, featureImportances } = growTree({
        binned,
        mapper,
        y: nClasses > 0 ? train.yCls : train.yReg,
        nClasses,
        params: {},
        rows,
        ...(smallNodeRows !== undefined ? { smallNodeRows } : {}),
        ...(histogramMemoryBytes !== undefined ? { histogramMemoryBytes } : {}),
      });
      expect(tree.feature.length).toBeGreaterThan(100);
      // The histogram and sorted searches grow the same tree (test/ml/trees/decision-tree.test.ts),
      // so the variants of one task share a digest.
      const pinned = digest(...structure(tree), featureImportances);
      expect({ pinned }).toEqual({ pinned: expected });
    },
  );
});
