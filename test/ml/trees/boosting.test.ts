/**
 * Histogram gradient boosting against scikit-learn 1.2's test-set quality on the same data
 * (test/fixtures/ml/ensembles/generate.py), plus early stopping, missing values, the tree-size
 * limits, reproducibility, the saved state and the parameter checks.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/ml/binning.js';
import {
  HistGradientBoostingClassifier,
  type HistGradientBoostingParams,
  HistGradientBoostingRegressor,
} from '../../../src/ml/boosting.js';
import { loadEstimator } from '../../../src/ml/estimators.js';
import type { FeatureMatrix } from '../../../src/ml/types.js';
import { band, bandScore, splitBand } from '../../helpers/ensemble-band.js';

const split = splitBand;

const cases = band.cases.filter((c) => c.estimator.startsWith('hist_gradient_boosting'));

describe('test-set quality within 0.01 of scikit-learn 1.2', () => {
  it.each(cases.map((c) => [c.estimator, c.dataset, JSON.stringify(c.params), c] as const))(
    '%s on %s %s',
    (name, dataset, _p, c) => {
      expect(bandScore(name, dataset, c.params)).toBeGreaterThan(c.mean - 0.01);
    },
  );
});

/** n rows: y = 3·x0 + noise; x1 is noise. */
function noisyLine(n: number, seed: number): { X: FeatureMatrix; y: Float64Array } {
  const rng = createRng(seed);
  const x0 = new Float64Array(n);
  const x1 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x0[i] = rng();
    x1[i] = rng();
    y[i] = 3 * x0[i] + (rng() - 0.5) * 2;
  }
  return { X: { nRows: n, columns: [x0, x1] }, y };
}

describe('early stopping', () => {
  const { X, y } = noisyLine(12_000, 3);

  it("'auto' turns on above 10 000 rows and stops once the held-out loss stops improving", () => {
    const model = new HistGradientBoostingRegressor({ max_iter: 300, random_state: 0 });
    model.fit(X, y);
    expect(model.n_iter_).toBeLessThan(300);
    expect(model.validation_loss_).toHaveLength(model.n_iter_ + 1);
    expect(model.train_loss_).toHaveLength(model.n_iter_ + 1);
    // Stopped because the last n_iter_no_change (10) losses did not beat the one before them.
    const v = model.validation_loss_;
    const reference = v[v.length - 11] - 1e-7;
    expect(v.slice(-10).every((loss) => loss >= reference)).toBe(true);
  });

  it('false runs every iteration and records no validation loss', () => {
    const model = new HistGradientBoostingRegressor({ max_iter: 30, early_stopping: false, random_state: 0 });
    model.fit(X, y);
    expect(model.n_iter_).toBe(30);
    expect(model.validation_loss_).toEqual([]);
    // Training loss never rises for squared error with shrinkage.
    const t = model.train_loss_;
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeLessThanOrEqual(t[i - 1] + 1e-12);
  });
});

describe('trees', () => {
  const { train, y, n } = split('regression');
  const yTrain = Float64Array.from(y.slice(0, n));

  function leavesAndDepth(model: HistGradientBoostingRegressor): { leaves: number[]; depths: number[] } {
    const f = (model.toJSON().state as { n_trees: number }).n_trees;
    const loaded = loadEstimator(model.toJSON()) as unknown as {
      state: { forest: { offsets: Int32Array; left: Int32Array; right: Int32Array } };
    };
    const { offsets, left, right } = loaded.state.forest;
    const leaves: number[] = [];
    const depths: number[] = [];
    for (let t = 0; t < f; t++) {
      const o = offsets[t];
      const size = offsets[t + 1] - o;
      const depth = new Int32Array(size);
      let nLeaves = 0;
      let maxDepth = 0;
      for (let node = 0; node < size; node++) {
        if (left[o + node] === -1) {
          nLeaves++;
          maxDepth = Math.max(maxDepth, depth[node]);
        } else {
          depth[left[o + node]] = depth[node] + 1;
          depth[right[o + node]] = depth[node] + 1;
        }
      }
      leaves.push(nLeaves);
      depths.push(maxDepth);
    }
    return { leaves, depths };
  }

  it('max_leaf_nodes caps the leaves of every tree (best-first growth reaches the cap)', () => {
    const model = new HistGradientBoostingRegressor({ max_iter: 10, max_leaf_nodes: 7, random_state: 0 });
    model.fit(train, yTrain);
    const { leaves } = leavesAndDepth(model);
    expect(Math.max(...leaves)).toBe(7);
  });

  it('max_depth caps the depth', () => {
    const model = new HistGradientBoostingRegressor({
      max_iter: 10,
      max_depth: 2,
      max_leaf_nodes: null,
      min_samples_leaf: 5,
    });
    model.fit(train, yTrain);
    const { depths, leaves } = leavesAndDepth(model);
    expect(Math.max(...depths)).toBe(2);
    expect(Math.max(...leaves)).toBe(4);
  });

  it('missing values go where training sent them: y depends on whether x0 is missing', () => {
    const m = 2000;
    const rng = createRng(9);
    const x0 = new Float64Array(m);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const missing = rng() < 0.3;
      x0[i] = missing ? Number.NaN : rng();
      y[i] = missing ? 10 : x0[i];
    }
    const model = new HistGradientBoostingRegressor({ max_iter: 50, random_state: 0 });
    model.fit({ nRows: m, columns: [x0] }, y);
    const p = model.predict({ nRows: 3, columns: [Float64Array.of(Number.NaN, 0.2, 0.9)] });
    expect(p[0]).toBeCloseTo(10, 1);
    expect(p[1]).toBeCloseTo(0.2, 1);
    expect(p[2]).toBeCloseTo(0.9, 1);
  });

  it('feature importances (split gains) sum to 1 and rank the Friedman noise feature last', () => {
    const model = new HistGradientBoostingRegressor({ random_state: 0 });
    model.fit(train, yTrain);
    const imp = Array.from(model.feature_importances_);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(imp[5]).toBeLessThan(Math.min(...imp.slice(0, 5)));
  });
});

describe('reproducibility and saved state', () => {
  const { train, test, y, n } = split('multiclass');
  const yTrain = Int32Array.from(y.slice(0, n));

  it('the same data and random_state give the same model; the state round-trips through JSON', () => {
    const fit = () => {
      const model = new HistGradientBoostingClassifier({ max_iter: 15, random_state: 1 });
      model.fit(train, yTrain, 3);
      return model;
    };
    const a = fit();
    expect(JSON.stringify(fit().toJSON())).toBe(JSON.stringify(a.toJSON()));
    const loaded = loadEstimator(JSON.parse(JSON.stringify(a.toJSON()))) as HistGradientBoostingClassifier;
    expect(loaded.predictProba(test)).toEqual(a.predictProba(test));
    expect(loaded.predict(test)).toEqual(a.predict(test));
    expect(loaded.train_loss_).toEqual(a.train_loss_);
    // 15 iterations of one tree per class.
    expect((a.toJSON().state as { n_trees: number }).n_trees).toBe(45);
  });

  it('binary probabilities are a sigmoid of one raw output and sum to 1', () => {
    const b = split('binary');
    const model = new HistGradientBoostingClassifier({ max_iter: 10, random_state: 0 });
    model.fit(b.train, Int32Array.from(b.y.slice(0, b.n)), 2);
    const [p0, p1] = model.predictProba(b.test);
    const labels = model.predict(b.test);
    for (let i = 0; i < p0.length; i++) {
      expect(p0[i] + p1[i]).toBeCloseTo(1, 12);
      expect(labels[i]).toBe(p1[i] > 0.5 ? 1 : 0);
    }
  });
});

describe('parameters', () => {
  it('uses scikit-learn 1.2 defaults', () => {
    expect(new HistGradientBoostingRegressor().params).toMatchObject({
      loss: 'squared_error',
      learning_rate: 0.1,
      max_iter: 100,
      max_leaf_nodes: 31,
      min_samples_leaf: 20,
      max_bins: 255,
      early_stopping: 'auto',
      validation_fraction: 0.1,
      n_iter_no_change: 10,
      tol: 1e-7,
    });
    expect(new HistGradientBoostingClassifier().params.loss).toBe('log_loss');
  });

  it.each([
    [{ learning_rate: 0 }, /learning_rate must be > 0/],
    [{ max_bins: 256 }, /max_bins must be at most 255/],
    [{ max_leaf_nodes: 1 }, /max_leaf_nodes must be an integer >= 2/],
    [{ early_stopping: 'yes' }, /early_stopping must be 'auto', true or false/],
    [{ loss: 'absolute_error' }, /loss 'absolute_error' is not supported/],
    [{ validation_fraction: 1 }, /validation_fraction must be in \(0, 1\)/],
  ] as const)('refuses %j', (params, message) => {
    expect(() => new HistGradientBoostingRegressor(params as unknown as HistGradientBoostingParams)).toThrow(
      message,
    );
  });

  it('a classifier needs two classes', () => {
    const { train, n } = split('binary');
    expect(() => new HistGradientBoostingClassifier().fit(train, new Int32Array(n), 1)).toThrow(
      /at least 2 classes/,
    );
  });
});
