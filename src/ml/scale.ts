/**
 * StandardScaler: centres number columns on their training mean and divides by their
 * population standard deviation, as scikit-learn's `StandardScaler`. NaN values are ignored
 * when fitting and stay NaN when transforming; a (near-)constant column gets scale 1 so it
 * maps to 0 instead of dividing by zero.
 */
import { DataError } from '../errors.js';
import type { EstimatorState, FeatureMatrix } from './types.js';

export interface StandardScalerParams {
  with_mean?: boolean;
  with_std?: boolean;
}

const EPS = 2.220446049250313e-16;

export class StandardScaler {
  static readonly transformerName = 'standard_scaler';
  readonly params: Required<StandardScalerParams>;
  /** Per-column training mean (of the non-missing values). */
  mean: Float64Array | null = null;
  /** Per-column population variance. */
  variance: Float64Array | null = null;
  /** Per-column divisor: the standard deviation, or 1 for constant columns. */
  scale: Float64Array | null = null;

  constructor(params: StandardScalerParams = {}) {
    this.params = { with_mean: params.with_mean ?? true, with_std: params.with_std ?? true };
  }

  fit(X: FeatureMatrix): this {
    const nCols = X.columns.length;
    const mean = new Float64Array(nCols);
    const variance = new Float64Array(nCols);
    const scale = new Float64Array(nCols);
    for (let j = 0; j < nCols; j++) {
      const col = X.columns[j];
      let n = 0;
      let sum = 0;
      for (let i = 0; i < X.nRows; i++) {
        const v = col[i];
        if (!Number.isNaN(v)) {
          sum += v;
          n++;
        }
      }
      if (n === 0) {
        mean[j] = Number.NaN;
        variance[j] = Number.NaN;
        scale[j] = Number.NaN;
        continue;
      }
      const m = sum / n;
      // Two passes, as scikit-learn: the squared deviations from the mean, plus the correction
      // term that cancels the rounding error of the mean.
      let sq = 0;
      let dev = 0;
      for (let i = 0; i < X.nRows; i++) {
        const v = col[i];
        if (!Number.isNaN(v)) {
          const d = v - m;
          sq += d * d;
          dev += d;
        }
      }
      const v = (sq - (dev * dev) / n) / n;
      mean[j] = m;
      variance[j] = v;
      // scikit-learn's _is_constant_feature bound on the two-pass algorithm's error.
      const constant = v <= n * EPS * v + (n * m * EPS) ** 2;
      scale[j] = constant ? 1 : Math.sqrt(v);
    }
    this.mean = mean;
    this.variance = variance;
    this.scale = scale;
    return this;
  }

  transform(X: FeatureMatrix): FeatureMatrix {
    const mean = this.mean;
    const scale = this.scale;
    if (mean === null || scale === null)
      throw new DataError('StandardScaler is not fitted yet; call fit() first');
    if (X.columns.length !== mean.length) {
      throw new DataError(`StandardScaler was fitted on ${mean.length} columns but got ${X.columns.length}`);
    }
    const { with_mean, with_std } = this.params;
    const columns = X.columns.map((col, j) => {
      const m = with_mean ? mean[j] : 0;
      const s = with_std ? scale[j] : 1;
      const out = new Float64Array(col.length);
      for (let i = 0; i < col.length; i++) out[i] = (col[i] - m) / s;
      return out;
    });
    return { nRows: X.nRows, columns };
  }

  toJSON(): EstimatorState {
    if (this.mean === null || this.variance === null || this.scale === null) {
      throw new DataError('StandardScaler is not fitted yet; call fit() first');
    }
    const plain = (a: Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
    return {
      name: StandardScaler.transformerName,
      params: { ...this.params },
      state: { mean: plain(this.mean), variance: plain(this.variance), scale: plain(this.scale) },
    };
  }

  static fromJSON(state: EstimatorState): StandardScaler {
    if (state.name !== StandardScaler.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${StandardScaler.transformerName}`);
    }
    const scaler = new StandardScaler(state.params as StandardScalerParams);
    const read = (key: string): Float64Array => {
      const a = state.state[key];
      if (!Array.isArray(a))
        throw new DataError(`${StandardScaler.transformerName} state: '${key}' is missing`);
      return Float64Array.from(a, (v: number | null) => (v === null ? Number.NaN : v));
    };
    scaler.mean = read('mean');
    scaler.variance = read('variance');
    scaler.scale = read('scale');
    return scaler;
  }
}
