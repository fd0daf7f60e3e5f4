/**
 * Ridge regression, scikit-learn's `Ridge` with its default dense solver (Cholesky on the
 * centred normal equations): minimises ‖y − Xw − b‖² + α‖w‖², the intercept b not penalised.
 */
import { DataError } from '../errors.js';
import { expectEstimatorName, predictLinear, readNumber, readNumberArray } from './linalg.js';
import { fitLeastSquares, predictLinearEncoded, requireFitted } from './linear-regression.js';
import type { EncodedMatrix, EncodedRegressor, EstimatorState, FeatureMatrix } from './types.js';

export interface RidgeParams {
  alpha?: number;
  fit_intercept?: boolean;
}

export class Ridge implements EncodedRegressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'ridge';
  readonly params: Required<RidgeParams>;
  coef: Float64Array | undefined;
  intercept = 0;

  constructor(params: RidgeParams = {}) {
    const alpha = params.alpha ?? 1.0;
    if (!(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new DataError(`ridge: alpha must be a finite number >= 0, got ${alpha}`, {
        hint: 'set estimator_params.alpha to e.g. 1.0',
      });
    }
    this.params = { alpha, fit_intercept: params.fit_intercept ?? true };
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    this.fitFrom(X, y);
  }

  /** Reads one-hot blocks as codes: the normal equations from counts and group sums. */
  fitEncoded(X: EncodedMatrix, y: Float64Array): void {
    this.fitFrom(X, y);
  }

  private fitFrom(X: FeatureMatrix | EncodedMatrix, y: Float64Array): void {
    const fitted = fitLeastSquares({
      X,
      y,
      alpha: this.params.alpha,
      fitIntercept: this.params.fit_intercept,
      estimator: Ridge.estimatorName,
    });
    this.coef = fitted.coef;
    this.intercept = fitted.intercept;
  }

  predict(X: FeatureMatrix): Float64Array {
    const coef = requireFitted(this.coef, Ridge.estimatorName);
    return predictLinear(X, coef, this.intercept, Ridge.estimatorName);
  }

  predictEncoded(X: EncodedMatrix): Float64Array {
    const coef = requireFitted(this.coef, Ridge.estimatorName);
    return predictLinearEncoded(X, coef, this.intercept, Ridge.estimatorName);
  }

  toJSON(): EstimatorState {
    const coef = requireFitted(this.coef, Ridge.estimatorName);
    return {
      name: Ridge.estimatorName,
      params: { ...this.params },
      state: { coef: Array.from(coef), intercept: this.intercept },
    };
  }

  static fromJSON(state: EstimatorState): Ridge {
    expectEstimatorName(state, Ridge.estimatorName);
    const model = new Ridge(state.params as RidgeParams);
    model.coef = readNumberArray(state.state, 'coef', Ridge.estimatorName);
    model.intercept = readNumber(state.state, 'intercept', Ridge.estimatorName);
    return model;
  }
}
