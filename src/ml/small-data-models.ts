/**
 * Small-data regressors from mljs's ml-regression, behind our Regressor interface:
 * polynomial (one feature), Theil–Sen (one feature, robust to outliers) and kernel ridge.
 *
 * They are here for the small, curve-like datasets where they shine; they are O(n²)–O(n³) in
 * memory or time, so each refuses datasets above a row limit with a hint to use Ridge or SGD.
 *
 * ml-regression ships CommonJS without type declarations, so it is loaded through
 * `createRequire` and described by the minimal interfaces below. Two of its parts are avoided
 * on purpose: RobustPolynomialRegression's `load` is broken, and ml-kernel's polynomial and
 * sigmoid kernels fail under `require` (their packages are ESM-only default exports). Kernel
 * ridge therefore gets our own kernel functions, written with scikit-learn's `KernelRidge`
 * parameter names and formulas, and predicts with them directly.
 */
import { createRequire } from 'node:module';
import { DataError } from '../errors.js';
import {
  asRecord,
  expectEstimatorName,
  readNumber,
  readNumberArray,
  validateFeatures,
  validateTargets,
  validateTrainingData,
} from './linalg.js';
import { requireFitted } from './linear-regression.js';
import type { EstimatorState, FeatureMatrix, Regressor } from './types.js';

interface PolynomialJson {
  name: string;
  degree: number;
  powers: number[];
  coefficients: number[];
}
interface PolynomialModel {
  predict(x: number[]): number[];
  toJSON(): PolynomialJson;
}
interface TheilSenJson {
  name: string;
  slope: number;
  intercept: number;
}
interface TheilSenModel {
  toJSON(): TheilSenJson;
}
interface MlMatrixLike {
  to1DArray(): number[];
}
interface KernelObject {
  compute(x: ArrayLike<number>, y: ArrayLike<number>): number;
}
interface KernelRidgeModel {
  alpha: MlMatrixLike;
}
interface MlRegressionModule {
  PolynomialRegression: {
    new (x: number[], y: number[], degree: number): PolynomialModel;
    load(json: PolynomialJson): PolynomialModel;
  };
  TheilSenRegression: new (x: number[], y: number[]) => TheilSenModel;
  KernelRidgeRegression: new (
    inputs: number[][],
    outputs: number[][],
    options: { lambda: number; kernelType: KernelObject },
  ) => KernelRidgeModel;
}

let mlRegressionModule: MlRegressionModule | undefined;

/** ml-regression, loaded on first fit/load (~0.15 s): planning a recipe imports this module too. */
function mlRegression(): MlRegressionModule {
  mlRegressionModule ??= createRequire(import.meta.url)('ml-regression') as MlRegressionModule;
  return mlRegressionModule;
}

function singleFeature(X: FeatureMatrix, estimator: string): Float64Array {
  if (X.columns.length !== 1) {
    throw new DataError(`${estimator} takes exactly one feature column, got ${X.columns.length}`, {
      hint: 'select a single feature for this model, or use ridge / linear_regression for several features',
    });
  }
  return X.columns[0];
}

function checkRowLimit(n: number, limit: number, estimator: string): void {
  if (n > limit) {
    throw new DataError(
      `${estimator} is limited to ${limit} training rows (its cost grows with n²), got ${n}`,
      {
        hint: 'sample the training data down, or use ridge / sgd_regressor for large datasets',
      },
    );
  }
}

export interface PolynomialRegressorParams {
  degree?: number;
}

/** Least-squares polynomial y = Σₖ cₖ xᵏ of one feature (ml-regression's PolynomialRegression). */
export class PolynomialRegressor implements Regressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'polynomial_regression';
  static readonly maxRows = 1_000_000;
  readonly params: Required<PolynomialRegressorParams>;
  private model: PolynomialModel | undefined;

  constructor(params: PolynomialRegressorParams = {}) {
    const degree = params.degree ?? 2;
    if (!Number.isInteger(degree) || degree < 1 || degree > 20) {
      throw new DataError(`polynomial_regression: degree must be an integer in 1..20, got ${degree}`);
    }
    this.params = { degree };
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    validateTrainingData(X, y.length, PolynomialRegressor.estimatorName);
    validateTargets(y, PolynomialRegressor.estimatorName);
    const x = singleFeature(X, PolynomialRegressor.estimatorName);
    checkRowLimit(x.length, PolynomialRegressor.maxRows, PolynomialRegressor.estimatorName);
    if (x.length <= this.params.degree) {
      throw new DataError(
        `polynomial_regression: degree ${this.params.degree} needs more than ${this.params.degree} rows, got ${x.length}`,
      );
    }
    this.model = new (mlRegression().PolynomialRegression)(Array.from(x), Array.from(y), this.params.degree);
  }

  /** Coefficients c₀…c_degree (constant term first). */
  get coefficients(): number[] {
    return requireFitted(this.model, PolynomialRegressor.estimatorName).toJSON().coefficients;
  }

  predict(X: FeatureMatrix): Float64Array {
    const model = requireFitted(this.model, PolynomialRegressor.estimatorName);
    validateFeatures(X, PolynomialRegressor.estimatorName);
    const x = singleFeature(X, PolynomialRegressor.estimatorName);
    return Float64Array.from(model.predict(Array.from(x)));
  }

  toJSON(): EstimatorState {
    const model = requireFitted(this.model, PolynomialRegressor.estimatorName);
    return {
      name: PolynomialRegressor.estimatorName,
      params: { ...this.params },
      state: { ...model.toJSON() },
    };
  }

  static fromJSON(state: EstimatorState): PolynomialRegressor {
    expectEstimatorName(state, PolynomialRegressor.estimatorName);
    const est = new PolynomialRegressor(asRecord(state.params) as PolynomialRegressorParams);
    const s = state.state;
    est.model = mlRegression().PolynomialRegression.load({
      name: 'polynomialRegression',
      degree: readNumber(s, 'degree', PolynomialRegressor.estimatorName),
      powers: Array.from(readNumberArray(s, 'powers', PolynomialRegressor.estimatorName)),
      coefficients: Array.from(readNumberArray(s, 'coefficients', PolynomialRegressor.estimatorName)),
    });
    return est;
  }
}

/**
 * Theil–Sen line of one feature: the median of all pairwise slopes, then the median intercept
 * (ml-regression's TheilSenRegression). This is the classic estimator; scikit-learn's
 * TheilSenRegressor uses a spatial median of subset fits instead, so the two differ slightly.
 * ml-regression's median of an even-sized sample is the lower middle element, not the mean of
 * the two middle ones (numpy's); on 80 points that moved the slope by ~2e-4.
 */
export class TheilSenRegressor implements Regressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'theil_sen_regression';
  /** n²/2 pairwise slopes are held in memory: 3000 rows ≈ 4.5M slopes. */
  static readonly maxRows = 3000;
  readonly params: Record<string, never> = {};
  slope: number | undefined;
  intercept = 0;

  fit(X: FeatureMatrix, y: Float64Array): void {
    validateTrainingData(X, y.length, TheilSenRegressor.estimatorName);
    validateTargets(y, TheilSenRegressor.estimatorName);
    const x = singleFeature(X, TheilSenRegressor.estimatorName);
    checkRowLimit(x.length, TheilSenRegressor.maxRows, TheilSenRegressor.estimatorName);
    if (x.length < 2 || x.every((v) => v === x[0])) {
      throw new DataError('theil_sen_regression needs at least two distinct feature values');
    }
    const fitted = new (mlRegression().TheilSenRegression)(Array.from(x), Array.from(y)).toJSON();
    this.slope = fitted.slope;
    this.intercept = fitted.intercept;
  }

  predict(X: FeatureMatrix): Float64Array {
    const slope = requireFitted(this.slope, TheilSenRegressor.estimatorName);
    validateFeatures(X, TheilSenRegressor.estimatorName);
    const x = singleFeature(X, TheilSenRegressor.estimatorName);
    return x.map((v) => slope * v + this.intercept);
  }

  toJSON(): EstimatorState {
    const slope = requireFitted(this.slope, TheilSenRegressor.estimatorName);
    return { name: TheilSenRegressor.estimatorName, params: {}, state: { slope, intercept: this.intercept } };
  }

  static fromJSON(state: EstimatorState): TheilSenRegressor {
    expectEstimatorName(state, TheilSenRegressor.estimatorName);
    const est = new TheilSenRegressor();
    est.slope = readNumber(state.state, 'slope', TheilSenRegressor.estimatorName);
    est.intercept = readNumber(state.state, 'intercept', TheilSenRegressor.estimatorName);
    return est;
  }
}

export type KernelName = 'linear' | 'rbf' | 'polynomial' | 'sigmoid';

export interface KernelRidgeRegressorParams {
  alpha?: number;
  kernel?: KernelName;
  /** rbf/polynomial/sigmoid scale; scikit-learn's default (null) is 1 / n_features. */
  gamma?: number | null;
  degree?: number;
  coef0?: number;
}

/** scikit-learn's pairwise kernels with KernelRidge's parameter names. */
function makeKernel(params: Required<KernelRidgeRegressorParams>, nFeatures: number): KernelObject {
  const gamma = params.gamma ?? 1 / nFeatures;
  const dot = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  };
  switch (params.kernel) {
    case 'linear':
      return { compute: dot };
    case 'rbf':
      return {
        compute: (x, y) => {
          let d = 0;
          for (let i = 0; i < x.length; i++) d += (x[i] - y[i]) ** 2;
          return Math.exp(-gamma * d);
        },
      };
    case 'polynomial':
      return { compute: (x, y) => (gamma * dot(x, y) + params.coef0) ** params.degree };
    case 'sigmoid':
      return { compute: (x, y) => Math.tanh(gamma * dot(x, y) + params.coef0) };
  }
}

/**
 * Kernel ridge regression, scikit-learn's `KernelRidge` (no intercept): dual coefficients
 * (K + αI)⁻¹y solved by ml-regression's KernelRidgeRegression; predictions are k(x, X_fit)·dual.
 */
export class KernelRidgeRegressor implements Regressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'kernel_ridge';
  /** The n×n kernel matrix is dense: 3000 rows ≈ 72 MB. */
  static readonly maxRows = 3000;
  readonly params: Required<KernelRidgeRegressorParams>;
  dualCoef: Float64Array | undefined;
  /** Training rows, row-major, as kernel ridge predicts from them. */
  xFit: Float64Array | undefined;
  nFeatures = 0;

  constructor(params: KernelRidgeRegressorParams = {}) {
    const kernel = params.kernel ?? 'linear';
    if (!['linear', 'rbf', 'polynomial', 'sigmoid'].includes(kernel)) {
      throw new DataError(
        `kernel_ridge: kernel must be 'linear', 'rbf', 'polynomial' or 'sigmoid', got '${kernel}'`,
      );
    }
    const alpha = params.alpha ?? 1.0;
    if (!(alpha > 0) || !Number.isFinite(alpha)) {
      throw new DataError(`kernel_ridge: alpha must be a finite number > 0, got ${alpha}`);
    }
    const gamma = params.gamma ?? null;
    if (gamma !== null && !(gamma > 0))
      throw new DataError(`kernel_ridge: gamma must be > 0 or null, got ${gamma}`);
    this.params = { alpha, kernel, gamma, degree: params.degree ?? 3, coef0: params.coef0 ?? 1 };
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    validateTrainingData(X, y.length, KernelRidgeRegressor.estimatorName);
    validateTargets(y, KernelRidgeRegressor.estimatorName);
    checkRowLimit(X.nRows, KernelRidgeRegressor.maxRows, KernelRidgeRegressor.estimatorName);
    const rows = rowsOf(X);
    const model = new (mlRegression().KernelRidgeRegression)(
      rows,
      Array.from(y, (v) => [v]),
      { lambda: this.params.alpha, kernelType: makeKernel(this.params, X.columns.length) },
    );
    this.dualCoef = Float64Array.from(model.alpha.to1DArray());
    this.nFeatures = X.columns.length;
    this.xFit = Float64Array.from(rows.flat());
  }

  predict(X: FeatureMatrix): Float64Array {
    const dual = requireFitted(this.dualCoef, KernelRidgeRegressor.estimatorName);
    const xFit = requireFitted(this.xFit, KernelRidgeRegressor.estimatorName);
    validateFeatures(X, KernelRidgeRegressor.estimatorName, this.nFeatures);
    const p = this.nFeatures;
    const kernel = makeKernel(this.params, p);
    const out = new Float64Array(X.nRows);
    const row = new Float64Array(p);
    for (let i = 0; i < X.nRows; i++) {
      for (let j = 0; j < p; j++) row[j] = X.columns[j][i];
      let s = 0;
      for (let k = 0; k < dual.length; k++)
        s += dual[k] * kernel.compute(row, xFit.subarray(k * p, (k + 1) * p));
      out[i] = s;
    }
    return out;
  }

  toJSON(): EstimatorState {
    const dual = requireFitted(this.dualCoef, KernelRidgeRegressor.estimatorName);
    const xFit = requireFitted(this.xFit, KernelRidgeRegressor.estimatorName);
    return {
      name: KernelRidgeRegressor.estimatorName,
      params: { ...this.params },
      state: { n_features: this.nFeatures, dual_coef: Array.from(dual), X_fit: Array.from(xFit) },
    };
  }

  static fromJSON(state: EstimatorState): KernelRidgeRegressor {
    expectEstimatorName(state, KernelRidgeRegressor.estimatorName);
    const est = new KernelRidgeRegressor(asRecord(state.params) as KernelRidgeRegressorParams);
    est.nFeatures = readNumber(state.state, 'n_features', KernelRidgeRegressor.estimatorName);
    est.dualCoef = readNumberArray(state.state, 'dual_coef', KernelRidgeRegressor.estimatorName);
    est.xFit = readNumberArray(state.state, 'X_fit', KernelRidgeRegressor.estimatorName);
    if (est.xFit.length !== est.dualCoef.length * est.nFeatures) {
      throw new DataError('kernel_ridge: saved X_fit does not match dual_coef × n_features', {
        hint: 'the model file is corrupt; retrain the model',
      });
    }
    return est;
  }
}

function rowsOf(X: FeatureMatrix): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < X.nRows; i++) rows.push(X.columns.map((c) => c[i]));
  return rows;
}
