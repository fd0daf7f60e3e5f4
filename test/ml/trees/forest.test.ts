/**
 * Random forests and extra trees against scikit-learn 1.2's test-set quality on the same data
 * (test/fixtures/ml/ensembles/generate.py wrote the data and sklearn's scores), plus seeded
 * reproducibility, the saved state's round trip and the parameter checks.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { BinMapper } from '../../../src/ml/binning.js';
import { growTree } from '../../../src/ml/decision-tree.js';
import { loadEstimator } from '../../../src/ml/estimators.js';
import {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  type ForestParams,
  RandomForestClassifier,
  RandomForestRegressor,
} from '../../../src/ml/forest.js';
import type { Classifier, Regressor } from '../../../src/ml/types.js';
import { accuracy_score } from '../../../src/ml/metrics/classification.js';
import { band, bandScore, splitBand } from '../../helpers/ensemble-band.js';

const split = splitBand;
const accuracy = accuracy_score;
const score = bandScore;

const forestCases = band.cases.filter((c) => /^(random_forest|extra_trees)_/.test(c.estimator));

describe('test-set quality within 0.01 of scikit-learn 1.2 (mean of its seeds 0-2)', () => {
  it.each(forestCases.map((c) => [c.estimator, c.dataset, JSON.stringify(c.params), c] as const))(
    '%s on %s %s',
    (name, dataset, _params, c) => {
      const ours = score(name, dataset, c.params);
      expect(ours).toBeGreaterThan(c.mean - 0.01);
    },
  );
});

describe('reproducibility', () => {
  const { train, y, n } = split('multiclass');
  const yTrain = Int32Array.from(y.slice(0, n));
  const fitState = (cls: new (p: ForestParams) => Classifier, params: ForestParams) => {
    const m = new cls({ n_estimators: 5, ...params });
    m.fit(train, yTrain, 3);
    return JSON.stringify(m.toJSON());
  };

  it.each([
    ['RandomForestClassifier', RandomForestClassifier],
    ['ExtraTreesClassifier', ExtraTreesClassifier],
  ] as const)('%s: the same random_state grows the same forest; another one does not', (_n, cls) => {
    const a = fitState(cls, { random_state: 7 });
    expect(fitState(cls, { random_state: 7 })).toBe(a);
    expect(fitState(cls, { random_state: 8 })).not.toBe(a);
  });

  it('random_state null draws a seed: two fits differ', () => {
    expect(fitState(RandomForestClassifier, {})).not.toBe(fitState(RandomForestClassifier, {}));
  });

  it('extra trees draw thresholds: without bootstrap or feature sampling its trees still differ, a forest’s do not', () => {
    const { train: Xr, y: yr } = split('regression');
    const yReg = Float64Array.from(yr.slice(0, n));
    const et = new ExtraTreesRegressor({ n_estimators: 2, max_depth: 4, random_state: 0 });
    et.fit(Xr, yReg);
    const rf = new RandomForestRegressor({
      n_estimators: 2,
      max_depth: 4,
      bootstrap: false,
      random_state: 0,
    });
    rf.fit(Xr, yReg);
    const treeThresholds = (f: { forest: { offsets: Int32Array; threshold: Float64Array } }, t: number) =>
      Array.from(f.forest.threshold.subarray(f.forest.offsets[t], f.forest.offsets[t + 1]));
    expect(treeThresholds(rf, 0)).toEqual(treeThresholds(rf, 1));
    expect(treeThresholds(et, 0)).not.toEqual(treeThresholds(et, 1));
  });

  it("extra trees' thresholds are drawn between each node's own smallest and largest value, not on bin edges", () => {
    // 3000 distinct values per feature: 255 quantile bins, so a bin holds about 12 of them.
    const { train: Xr, y: yr } = split('regression');
    const X = { nRows: n, columns: Xr.columns.map((c) => c.slice()) };
    const { mapper, binned } = BinMapper.fitTransform(X, { randomState: 0 });
    const { tree } = growTree({
      binned,
      mapper,
      y: Float64Array.from(yr.slice(0, n)),
      nClasses: 0,
      params: { max_depth: 8, random_state: 3 },
      splitter: 'random',
      values: X.columns,
    });
    // Route every training row down the tree by raw value, as predict does.
    const size = tree.feature.length;
    const reached = new Int32Array(size);
    const lowest = new Float64Array(size).fill(Infinity);
    const highest = new Float64Array(size).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      let node = 0;
      for (;;) {
        reached[node]++;
        if (tree.left[node] === -1) break;
        const x = X.columns[tree.feature[node]][i];
        lowest[node] = Math.min(lowest[node], x);
        highest[node] = Math.max(highest[node], x);
        node = x <= tree.threshold[node] ? tree.left[node] : tree.right[node];
      }
    }
    // Training partitioned the rows exactly as raw-value routing does…
    expect(Array.from(reached)).toEqual(Array.from(tree.nNodeSamples));
    const edges = new Set(mapper.edges.flatMap((e) => Array.from(e)));
    let splits = 0;
    for (let node = 0; node < size; node++) {
      if (tree.left[node] === -1) continue;
      splits++;
      const t = tree.threshold[node];
      // …the threshold lies within the node's own range of the feature…
      expect(t).toBeGreaterThanOrEqual(lowest[node]);
      expect(t).toBeLessThan(highest[node]);
      // …and is a drawn number, not a bin edge.
      expect(edges.has(t)).toBe(false);
    }
    expect(splits).toBeGreaterThan(50);
  });

  it('extra trees: the same random_state gives the same forest for n_jobs 1 and 2', () => {
    const { train: Xr, y: yr } = split('regression');
    const yReg = Float64Array.from(yr.slice(0, n));
    const fit = (n_jobs: number) => {
      const model = new ExtraTreesRegressor({ n_estimators: 8, max_depth: 6, random_state: 7, n_jobs });
      model.fit(Xr, yReg);
      return JSON.stringify(model.toJSON().state);
    };
    expect(fit(2)).toBe(fit(1));
  });
});

describe('saved state', () => {
  const { train, test, y, n } = split('multiclass');

  it('a classifier round-trips through JSON with identical probabilities', () => {
    const model = new RandomForestClassifier({ n_estimators: 12, random_state: 1 });
    model.fit(train, Int32Array.from(y.slice(0, n)), 3);
    const state = JSON.parse(JSON.stringify(model.toJSON()));
    expect(state.state.encoding).toBe('base64-le');
    const loaded = loadEstimator(state) as RandomForestClassifier;
    expect(loaded).toBeInstanceOf(RandomForestClassifier);
    expect(loaded.predictProba(test)).toEqual(model.predictProba(test));
    expect(loaded.predict(test)).toEqual(model.predict(test));
    expect(loaded.feature_importances_).toEqual(model.feature_importances_);
  });

  it('a regressor round-trips, with missing values routed the same way', () => {
    const { train: Xm, test: Tm, y: ym } = split('regression_missing');
    const model = new ExtraTreesRegressor({ n_estimators: 6, random_state: 4 });
    model.fit(Xm, Float64Array.from(ym.slice(0, n)));
    const loaded = loadEstimator(JSON.parse(JSON.stringify(model.toJSON()))) as Regressor;
    const p = model.predict(Tm);
    expect(p.every((v) => Number.isFinite(v))).toBe(true);
    expect(loaded.predict(Tm)).toEqual(p);
  });

  it('a damaged state is a DataError saying so', () => {
    const model = new RandomForestRegressor({ n_estimators: 2, max_depth: 3, random_state: 1 });
    model.fit(train, Float64Array.from(y.slice(0, n)));
    const state = model.toJSON();
    const broken = {
      ...state,
      state: { ...state.state, left: Buffer.from(new Int32Array([5, -1, -1]).buffer).toString('base64') },
    };
    expect(() => loadEstimator(broken)).toThrow(/node arrays are inconsistent|invalid children/);
    expect(() => loadEstimator({ ...state, state: { ...state.state, encoding: 'hex' } })).toThrow(DataError);
  });
});

describe('fitted attributes', () => {
  it('feature importances sum to 1 and rank the informative Friedman features above the noise', () => {
    const { train, y, n } = split('regression');
    const model = new RandomForestRegressor({ n_estimators: 20, random_state: 0 });
    model.fit(train, Float64Array.from(y.slice(0, n)));
    const imp = Array.from(model.feature_importances_);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Friedman #1: y depends on x0..x4; x5 is noise, x3 the strongest single term.
    expect(imp[5]).toBeLessThan(Math.min(...imp.slice(0, 5)));
    expect(imp.indexOf(Math.max(...imp))).toBe(3);
  });

  it('oob_score_ estimates the test score', () => {
    const { train, test, y, n } = split('binary');
    const model = new RandomForestClassifier({ n_estimators: 30, oob_score: true, random_state: 0 });
    model.fit(train, Int32Array.from(y.slice(0, n)), 2);
    const testAcc = accuracy(y.slice(n), model.predict(test));
    expect(Math.abs(model.oob_score_ - testAcc)).toBeLessThan(0.02);
    expect(() => new RandomForestClassifier({ n_estimators: 3 }).toJSON()).toThrow(/not fitted/);
  });
});

describe('parameters', () => {
  it('uses scikit-learn defaults: sqrt features for classifiers, every feature for regressors, no bootstrap for extra trees', () => {
    expect(new RandomForestClassifier().params).toMatchObject({
      n_estimators: 100,
      max_features: 'sqrt',
      bootstrap: true,
    });
    expect(new RandomForestRegressor().params).toMatchObject({ max_features: null, bootstrap: true });
    expect(new ExtraTreesRegressor().params).toMatchObject({ bootstrap: false, criterion: 'squared_error' });
  });

  it.each([
    [{ n_estimators: 0 }, /n_estimators must be a positive integer/],
    [{ oob_score: true, bootstrap: false }, /oob_score needs bootstrap/],
    [{ max_samples: 0.5, bootstrap: false }, /max_samples needs bootstrap/],
    [{ max_samples: 1.5 }, /max_samples must be/],
    [{ n_jobs: 0 }, /n_jobs must be/],
    [{ criterion: 'gini' }, /criterion 'gini' is not supported by the regressor/],
  ] as const)('refuses %j', (params, message) => {
    expect(() => new RandomForestRegressor(params as ForestParams)).toThrow(message);
  });

  it('refuses max_samples above the row count when fitting', () => {
    const { train, y, n } = split('regression');
    const model = new RandomForestRegressor({ max_samples: n + 1, n_estimators: 2 });
    expect(() => model.fit(train, Float64Array.from(y.slice(0, n)))).toThrow(/max_samples is 3001/);
  });
});
