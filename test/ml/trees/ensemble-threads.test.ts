/**
 * Ensembles on worker threads give the very model a one-thread fit gives (same random_state):
 * forests whose trees are grown by whichever thread claims them, and boosting whose histograms
 * are summed by feature on several threads. The workers load from the TypeScript sources
 * through tsx here, as they load from dist/ once built.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BinMapper, createRng } from '../../../src/ml/binning.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from '../../../src/ml/boosting.js';
import { growTreesInParallel, sharedCopy, threadsFor } from '../../../src/ml/ensemble-threads.js';
import {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  type ForestGrowingInput,
  growForestTree,
  RandomForestClassifier,
  RandomForestRegressor,
} from '../../../src/ml/forest.js';
import type { Classifier, FeatureMatrix, Regressor } from '../../../src/ml/types.js';

function data(
  n: number,
  F: number,
  seed: number,
): { X: FeatureMatrix; y: Float64Array; classes: Int32Array } {
  const rng = createRng(seed);
  const columns = Array.from({ length: F }, () => Float64Array.from({ length: n }, () => rng()));
  // Some missing values, so the missing-value routing is part of what must agree.
  for (let i = 0; i < n; i += 17) columns[2][i] = Number.NaN;
  const y = Float64Array.from(
    { length: n },
    (_, i) => 3 * columns[0][i] + Math.sin(6 * columns[1][i]) + (columns[3][i] > 0.5 ? 1 : 0) + rng(),
  );
  const classes = Int32Array.from(y, (v) => Math.max(0, Math.min(3, Math.floor(v))));
  return { X: { nRows: n, columns }, y, classes };
}

function fitBoth(
  make: (nJobs: number) => Regressor | Classifier,
  X: FeatureMatrix,
  y: Float64Array,
  classes: Int32Array,
): { one: Regressor | Classifier; two: Regressor | Classifier } {
  const fit = (m: Regressor | Classifier) => {
    if (m.kind === 'regressor') m.fit(X, y);
    else m.fit(X, classes, 4);
    return m;
  };
  return { one: fit(make(1)), two: fit(make(2)) };
}

describe('forests: trees grown on worker threads', () => {
  const { X, y, classes } = data(3000, 6, 11);
  it.each([
    [
      'RandomForestRegressor',
      (j: number) =>
        new RandomForestRegressor({ n_estimators: 12, random_state: 5, n_jobs: j, oob_score: true }),
    ],
    [
      'RandomForestClassifier',
      (j: number) =>
        new RandomForestClassifier({ n_estimators: 12, max_depth: 8, random_state: 5, n_jobs: j }),
    ],
    [
      'ExtraTreesRegressor',
      (j: number) => new ExtraTreesRegressor({ n_estimators: 12, random_state: 5, n_jobs: j }),
    ],
    [
      'ExtraTreesClassifier',
      (j: number) =>
        new ExtraTreesClassifier({ n_estimators: 12, random_state: 5, n_jobs: j, max_features: 2 }),
    ],
  ] as const)(
    '%s with n_jobs 2 equals n_jobs 1',
    (_name, make) => {
      const { one, two } = fitBoth(make, X, y, classes);
      expect(two.toJSON().state).toEqual(one.toJSON().state);
      expect(two.predict(X)).toEqual(one.predict(X));
      // The saved params keep what was asked for.
      expect(two.toJSON().params.n_jobs).toBe(2);
    },
    60_000,
  );

  it('more threads than trees still grows every tree once', () => {
    const make = (j: number) =>
      new RandomForestRegressor({ n_estimators: 2, max_depth: 4, random_state: 1, n_jobs: j });
    const one = make(1);
    one.fit(X, y);
    const three = make(3);
    three.fit(X, y);
    expect(three.toJSON().state).toEqual(one.toJSON().state);
  }, 60_000);
});

describe('growTreesInParallel', () => {
  it("puts the workers' trees in tree order, equal to the trees grown on this thread", () => {
    const { X, y } = data(2000, 5, 13);
    const { mapper, binned } = BinMapper.fitTransform(X, { randomState: 0, shared: true });
    const params = new RandomForestRegressor({ max_depth: 6, max_features: 3 }).params;
    const seeds = Uint32Array.from({ length: 2 * 8 }, (_, k) => 1000 + 7 * k);
    const input: ForestGrowingInput = {
      binned,
      mapper,
      y: sharedCopy(y),
      nClasses: 0,
      params,
      splitter: 'best',
      values: null,
      seeds,
    };
    // This thread takes its time over each tree, so the workers (loading meanwhile) claim some.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const { results, grownByWorkers } = growTreesInParallel(
      {
        nTrees: 8,
        codes: binned.codes,
        nRows: binned.nRows,
        nFeatures: binned.nFeatures,
        mapper: mapper.toJSON(),
        y: input.y,
        nClasses: 0,
        params,
        splitter: 'best',
        values: null,
        seeds,
      },
      3,
      (t) => {
        Atomics.wait(pause, 0, 0, 1500);
        return { t, tree: growForestTree(input, t).tree, here: true };
      },
      (m) => ({ t: m.t, tree: m.tree, here: false }),
    );
    expect(grownByWorkers).toBeGreaterThan(0);
    expect(results.map((r) => r.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const r of results) expect(r.tree).toEqual(growForestTree(input, r.t).tree);
    expect(results.filter((r) => !r.here)).toHaveLength(grownByWorkers);
  }, 60_000);
});

describe('boosting: histograms summed by feature on helper threads', () => {
  // Above the 8192 rows from which a node's histogram is split between threads.
  const { X, y, classes } = data(20_000, 7, 12);
  it.each([
    [
      'HistGradientBoostingRegressor',
      (j: number) => new HistGradientBoostingRegressor({ max_iter: 15, random_state: 2, n_jobs: j }),
    ],
    [
      'HistGradientBoostingClassifier (4 classes)',
      (j: number) => new HistGradientBoostingClassifier({ max_iter: 8, random_state: 2, n_jobs: j }),
    ],
    [
      'HistGradientBoostingClassifier (binary)',
      (j: number) =>
        new HistGradientBoostingClassifier({
          max_iter: 10,
          random_state: 2,
          n_jobs: j,
          early_stopping: false,
        }),
    ],
  ] as const)(
    '%s with n_jobs 2 equals n_jobs 1',
    (name, make) => {
      const binary = name.endsWith('(binary)');
      const fit = (m: Regressor | Classifier) => {
        if (m.kind === 'regressor') m.fit(X, y);
        else m.fit(X, binary ? Int32Array.from(classes, (c) => (c >= 2 ? 1 : 0)) : classes, binary ? 2 : 4);
        return m;
      };
      const one = fit(make(1));
      const two = fit(make(2));
      expect(two.toJSON().state).toEqual(one.toJSON().state);
      expect(two.predict(X)).toEqual(one.predict(X));
    },
    60_000,
  );
});

describe('threadsFor (n_jobs)', () => {
  const cores = availableParallelism();
  it.each([
    [null, 'one', 1],
    [null, 'all', cores],
    [-1, 'one', cores],
    [3, 'one', 3],
    [-cores - 5, 'all', 1],
  ] as const)('n_jobs %s with default %s gives %s threads', (nJobs, fallback, expected) => {
    expect(threadsFor(nJobs, fallback)).toBe(expected);
  });
});
