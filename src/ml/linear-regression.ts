/**
 * Ordinary least squares, scikit-learn's `LinearRegression`.
 *
 * Solved through the normal equations of the centred data with a Cholesky factorisation: one
 * streaming pass over the columns, then O(p³) work. Centring (what scikit-learn does before its
 * `lstsq`) keeps the intercept out of the system and the conditioning close to that of X itself.
 * When the columns are collinear the Gram matrix is singular; we then return the minimum-norm
 * solution, as `lstsq` does.
 */
import { DataError } from '../errors.js';
import {
  expectEstimatorName,
  gram,
  predictLinear,
  readNumber,
  readNumberArray,
  solveSymmetric,
  validateFinite,
  validateTargets,
  validateTrainingData,
} from './linalg.js';
import type { EstimatorState, FeatureMatrix, Regressor } from './types.js';

export interface LeastSquaresFit {
  coef: Float64Array;
  intercept: number;
}

export interface LeastSquaresOptions {
  X: FeatureMatrix;
  y: Float64Array;
  /** L2 penalty on the coefficients (not the intercept); 0 for ordinary least squares. */
  alpha: number;
  fitIntercept: boolean;
  estimator: string;
}

/** Minimises ‖y − Xw − b‖² + α‖w‖² (scikit-learn's Ridge objective; α = 0 is OLS). */
export function fitLeastSquares(options: LeastSquaresOptions): LeastSquaresFit {
  const { X, y, alpha, fitIntercept, estimator } = options;
  // The finiteness scan is deferred: a NaN or infinity anywhere in X or y makes the Gram matrix
  // non-finite, so the happy path reads the data once instead of twice (~15% of the fit).
  validateTrainingData(X, y.length, estimator, { checkFinite: false });
  const p = X.columns.length;
  const { xtx, xty, xMean, yMean } = gram(X, y, { center: fitIntercept });
  if (!xtx.every(Number.isFinite) || !xty.every(Number.isFinite)) {
    validateFinite(X, estimator);
    validateTargets(y, estimator);
    throw new DataError(
      `${estimator}: the values of X or y are too large to square (the Gram matrix overflows)`,
      {
        hint: 'rescale the features and target (e.g. a scaler in the transform step)',
      },
    );
  }
  for (let j = 0; j < p; j++) xtx[j * p + j] += alpha;
  const coef = solveSymmetric(xtx, p, xty);
  let intercept = 0;
  if (fitIntercept) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= xMean[j] * coef[j];
  }
  return { coef, intercept };
}

export interface LinearRegressionParams {
  fit_intercept?: boolean;
}

export class LinearRegression implements Regressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'linear_regression';
  readonly params: Required<LinearRegressionParams>;
  coef: Float64Array | undefined;
  intercept = 0;

  constructor(params: LinearRegressionParams = {}) {
    this.params = { fit_intercept: params.fit_intercept ?? true };
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    const fitted = fitLeastSquares({
      X,
      y,
      alpha: 0,
      fitIntercept: this.params.fit_intercept,
      estimator: LinearRegression.estimatorName,
    });
    this.coef = fitted.coef;
    this.intercept = fitted.intercept;
  }

  predict(X: FeatureMatrix): Float64Array {
    const coef = requireFitted(this.coef, LinearRegression.estimatorName);
    return predictLinear(X, coef, this.intercept, LinearRegression.estimatorName);
  }

  toJSON(): EstimatorState {
    const coef = requireFitted(this.coef, LinearRegression.estimatorName);
    return {
      name: LinearRegression.estimatorName,
      params: { ...this.params },
      state: { coef: Array.from(coef), intercept: this.intercept },
    };
  }

  static fromJSON(state: EstimatorState): LinearRegression {
    expectEstimatorName(state, LinearRegression.estimatorName);
    const model = new LinearRegression(state.params as LinearRegressionParams);
    model.coef = readNumberArray(state.state, 'coef', LinearRegression.estimatorName);
    model.intercept = readNumber(state.state, 'intercept', LinearRegression.estimatorName);
    return model;
  }
}

/** Throws a clear error when predict/toJSON is called before fit. */
export function requireFitted<T>(value: T | undefined, estimator: string): T {
  if (value === undefined) {
    throw new DataError(`${estimator}: the model is not fitted yet`, { hint: 'call fit() before predict()' });
  }
  return value;
}
