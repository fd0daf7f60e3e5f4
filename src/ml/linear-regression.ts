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
import {
  encodedGram,
  encodedWidth,
  linearPredictEncoded,
  validateEncoded,
} from './encoded-matrix.js';
import type { EncodedMatrix } from './types.js';
import type { EncodedRegressor, EstimatorState, FeatureMatrix } from './types.js';

export interface LeastSquaresFit {
  coef: Float64Array;
  intercept: number;
}

export interface LeastSquaresOptions {
  /** Dense, or with one-hot blocks as codes (the normal equations are then built from counts). */
  X: FeatureMatrix | EncodedMatrix;
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
  const encoded = isEncoded(X);
  if (encoded) {
    validateEncoded(X, estimator);
    if (y.length !== X.nRows) {
      throw new DataError(`${estimator}: X has ${X.nRows} rows but y has ${y.length} values`, {
        hint: 'pass one target value per row of X',
      });
    }
  } else validateTrainingData(X, y.length, estimator, { checkFinite: false });
  const p = encoded ? encodedWidth(X) : X.columns.length;
  const { xtx, xty, xMean, yMean } = encoded
    ? encodedGram(X, y, fitIntercept)
    : gram(X, y, { center: fitIntercept });
  if (!xtx.every(Number.isFinite) || !xty.every(Number.isFinite)) {
    validateFinite({ nRows: X.nRows, columns: X.columns }, estimator);
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

export class LinearRegression implements EncodedRegressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'linear_regression';
  readonly params: Required<LinearRegressionParams>;
  coef: Float64Array | undefined;
  intercept = 0;

  constructor(params: LinearRegressionParams = {}) {
    this.params = { fit_intercept: params.fit_intercept ?? true };
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    this.fitFrom(X, y);
  }

  fitEncoded(X: EncodedMatrix, y: Float64Array): void {
    this.fitFrom(X, y);
  }

  private fitFrom(X: FeatureMatrix | EncodedMatrix, y: Float64Array): void {
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

  predictEncoded(X: EncodedMatrix): Float64Array {
    const coef = requireFitted(this.coef, LinearRegression.estimatorName);
    return predictLinearEncoded(X, coef, this.intercept, LinearRegression.estimatorName);
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

function isEncoded(X: FeatureMatrix | EncodedMatrix): X is EncodedMatrix {
  return 'blocks' in X && X.blocks.length > 0;
}

/** X·w + b from codes, with the same shape and overflow checks as `predictLinear` on dense input. */
export function predictLinearEncoded(
  X: EncodedMatrix,
  coef: Float64Array,
  intercept: number,
  estimator: string,
): Float64Array {
  validateEncoded(X, estimator, coef.length);
  const out = linearPredictEncoded(X, coef, intercept);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      validateFinite({ nRows: X.nRows, columns: X.columns }, estimator);
      throw new DataError(`${estimator}: prediction for row ${i} overflows (${out[i]})`, {
        hint: 'the features are far outside the range seen in training; check their scale',
      });
    }
  }
  return out;
}

/** Throws a clear error when predict/toJSON is called before fit. */
export function requireFitted<T>(value: T | undefined, estimator: string): T {
  if (value === undefined) {
    throw new DataError(`${estimator}: the model is not fitted yet`, { hint: 'call fit() before predict()' });
  }
  return value;
}
