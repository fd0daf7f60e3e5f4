/**
 * Regression metrics with scikit-learn's definitions and MLflow's names (the keys
 * `mlflow.evaluate` logs for a regressor). Pure functions over plain arrays.
 */
import { DataError } from '../../errors.js';

/** np.finfo(np.float64).eps: scikit-learn's floor for |y| in MAPE. */
const FLOAT64_EPS = 2.220446049250313e-16;

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, metric: string): void {
  if (yTrue.length !== yPred.length) {
    throw new DataError(`${metric}: y_true has ${yTrue.length} values but y_pred has ${yPred.length}`, {
      hint: 'pass one prediction per true value',
    });
  }
  if (yTrue.length === 0) {
    throw new DataError(`${metric}: y_true and y_pred are empty`, {
      hint: 'evaluate on a non-empty dataset',
    });
  }
  for (let i = 0; i < yTrue.length; i++) {
    if (!Number.isFinite(yTrue[i]) || !Number.isFinite(yPred[i])) {
      throw new DataError(
        `${metric}: row ${i} holds a non-finite value (y_true=${yTrue[i]}, y_pred=${yPred[i]})`,
        {
          hint: 'drop rows with missing targets before evaluating',
        },
      );
    }
  }
}

export function mean_squared_error(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'mean_squared_error');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i] - yPred[i];
    s += d * d;
  }
  return s / yTrue.length;
}

export function root_mean_squared_error(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(mean_squared_error(yTrue, yPred));
}

export function mean_absolute_error(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'mean_absolute_error');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

export function max_error(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'max_error');
  let m = 0;
  for (let i = 0; i < yTrue.length; i++) m = Math.max(m, Math.abs(yTrue[i] - yPred[i]));
  return m;
}

/** As scikit-learn: |y − ŷ| / max(|y|, eps), so a zero target gives a huge but finite term. */
export function mean_absolute_percentage_error(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'mean_absolute_percentage_error');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    s += Math.abs(yPred[i] - yTrue[i]) / Math.max(Math.abs(yTrue[i]), FLOAT64_EPS);
  }
  return s / yTrue.length;
}

/**
 * Coefficient of determination. With a constant y_true scikit-learn (force_finite=True) answers
 * 1.0 for a perfect prediction and 0.0 otherwise instead of NaN / −inf; we do the same.
 */
export function r2_score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'r2_score');
  let m = 0;
  for (let i = 0; i < yTrue.length; i++) m += yTrue[i];
  m /= yTrue.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const r = yTrue[i] - yPred[i];
    const t = yTrue[i] - m;
    ssRes += r * r;
    ssTot += t * t;
  }
  if (ssTot === 0) return ssRes === 0 ? 1.0 : 0.0;
  return 1 - ssRes / ssTot;
}

/** Every regression metric under the key MLflow's default evaluator logs it as. */
export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): Record<string, number> {
  checkPair(yTrue, yPred, 'regressionMetrics');
  let sumTrue = 0;
  for (let i = 0; i < yTrue.length; i++) sumTrue += yTrue[i];
  return {
    example_count: yTrue.length,
    mean_absolute_error: mean_absolute_error(yTrue, yPred),
    mean_squared_error: mean_squared_error(yTrue, yPred),
    root_mean_squared_error: root_mean_squared_error(yTrue, yPred),
    sum_on_target: sumTrue,
    mean_on_target: sumTrue / yTrue.length,
    r2_score: r2_score(yTrue, yPred),
    max_error: max_error(yTrue, yPred),
    mean_absolute_percentage_error: mean_absolute_percentage_error(yTrue, yPred),
  };
}
