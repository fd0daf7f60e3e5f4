/**
 * L2-regularised logistic regression, scikit-learn's `LogisticRegression` objective:
 *
 *   binary:       ½‖w‖² + C·Σᵢ log(1 + exp(−ỹᵢ(xᵢ·w + b)))
 *   multinomial:  ½‖W‖²_F + C·Σᵢ [logΣₖ exp(xᵢ·wₖ + bₖ) − (xᵢ·w_yᵢ + b_yᵢ)]
 *
 * (intercepts not penalised). scikit-learn's default solver is L-BFGS with a loose tolerance;
 * we solve the same strictly convex problem with Newton's method (IRLS), whose Hessian costs one
 * weighted Gram pass per iteration and which converges quadratically, so we can afford to stop
 * only when the step is at round-off level. The result is the exact optimum that sklearn's
 * lbfgs approaches as tol → 0 (fixtures compare to lbfgs run with tol=1e-10 to 1e-6).
 *
 * The multinomial problem is over-parameterised in the intercepts (adding a constant to every
 * bₖ changes nothing), which makes the Newton system singular along that one direction. The
 * gradient is always orthogonal to it, so we add a rank-one term along it to the Hessian, which
 * leaves the Newton step unchanged elsewhere, and finally centre the intercepts to sum to zero
 * — the point lbfgs started from zero also lands on, since each of its updates sums to zero.
 *
 * multi_class: 'auto' (binary for 2 classes, multinomial above, as sklearn ≥ 1.5 and 1.2's
 * lbfgs), 'multinomial', or 'ovr' (one binary model per class, probabilities normalised).
 */
import { DataError } from '../errors.js';
import {
  asRecord,
  expectEstimatorName,
  solveSymmetric,
  transposeTimes,
  validateFeatures,
  validateTrainingData,
  weightedGram,
} from './linalg.js';
import { requireFitted } from './linear-regression.js';
import type { Classifier, EstimatorState, FeatureMatrix } from './types.js';

export type MultiClass = 'auto' | 'multinomial' | 'ovr';

export interface LogisticRegressionParams {
  penalty?: 'l2';
  C?: number;
  fit_intercept?: boolean;
  /** Newton iterations at most (sklearn's default 100 counts lbfgs iterations; Newton needs ~10). */
  max_iter?: number;
  /**
   * Accepted for parameter compatibility. Newton's quadratic convergence makes solving to
   * round-off cheap, so the solver stops when the step is ≤ min(tol, 1e-10)·(1 + ‖θ‖∞).
   */
  tol?: number;
  multi_class?: MultiClass;
}

interface FitResult {
  /** nModels × p. */
  coef: Float64Array[];
  /** length nModels. */
  intercept: Float64Array;
  nIter: number;
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number): number => {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
};

interface SolverOptions {
  C: number;
  fitIntercept: boolean;
  maxIter: number;
  stepTol: number;
}

/** Newton on the binary problem; `positive[i]` is 1 for the positive class, else 0. */
function fitBinary(X: FeatureMatrix, positive: Uint8Array, opts: SolverOptions): FitResult {
  const p = X.columns.length;
  const n = X.nRows;
  const q = opts.fitIntercept ? p + 1 : p;
  const theta = new Float64Array(q);
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const s = new Float64Array(n);
  const zNew = new Float64Array(n);
  const objective = (zz: Float64Array, th: ArrayLike<number>): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) loss += softplus(zz[i]) - (positive[i] ? zz[i] : 0);
    let pen = 0;
    for (let j = 0; j < p; j++) pen += th[j] * th[j];
    return 0.5 * pen + opts.C * loss;
  };
  let f = objective(z, theta);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    for (let i = 0; i < n; i++) {
      const pi = sigmoid(z[i]);
      r[i] = opts.C * (pi - positive[i]);
      s[i] = opts.C * pi * (1 - pi);
    }
    const gw = transposeTimes(X, r);
    const g = new Float64Array(q);
    for (let j = 0; j < p; j++) g[j] = gw[j] + theta[j];
    if (opts.fitIntercept) {
      let gb = 0;
      for (let i = 0; i < n; i++) gb += r[i];
      g[p] = gb;
    }
    const h = weightedGram(X, s, opts.fitIntercept);
    for (let j = 0; j < p; j++) h[j * q + j] += 1;
    const d = solveSymmetric(h, q, g);
    for (let j = 0; j < q; j++) d[j] = -d[j];
    // X·d: the change in z per unit step, reused by the line search and the next iteration.
    const xd = new Float64Array(n).fill(opts.fitIntercept ? d[p] : 0);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      const dj = d[j];
      for (let i = 0; i < n; i++) xd[i] += dj * col[i];
    }
    let slope = 0;
    for (let j = 0; j < q; j++) slope += g[j] * d[j];
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let i = 0; i < n; i++) zNew[i] = z[i] + step * xd[i];
        const th = theta.map((v, j) => v + step * d[j]);
        return objective(zNew, th);
      },
    });
    for (let j = 0; j < q; j++) theta[j] += t.step * d[j];
    z.set(zNew);
    f = t.value;
    if (converged(d, theta, t.step, opts.stepTol)) {
      iter++;
      break;
    }
  }
  return {
    coef: [theta.slice(0, p)],
    intercept: Float64Array.of(opts.fitIntercept ? theta[p] : 0),
    nIter: iter,
  };
}

function converged(d: Float64Array, theta: Float64Array, step: number, tol: number): boolean {
  let maxStep = 0;
  let maxTheta = 0;
  for (let j = 0; j < d.length; j++) {
    maxStep = Math.max(maxStep, Math.abs(step * d[j]));
    maxTheta = Math.max(maxTheta, Math.abs(theta[j]));
  }
  return maxStep <= tol * (1 + maxTheta);
}

interface LineSearchInput {
  f: number;
  /** Directional derivative gᵀd (negative for a descent direction). */
  slope: number;
  /** Objective at θ + step·d; must leave the evaluated z in the caller's buffer. */
  evaluate: (step: number) => number;
}

/**
 * Backtracking (Armijo) line search. Near the optimum the predicted decrease falls below the
 * objective's round-off, where comparing values is meaningless: take the full Newton step.
 */
function lineSearch(input: LineSearchInput): { step: number; value: number } {
  const roundOff = 1e-13 * (1 + Math.abs(input.f));
  let step = 1;
  for (let k = 0; k < 60; k++) {
    const value = input.evaluate(step);
    if (-input.slope * step <= roundOff || value <= input.f + 1e-4 * step * input.slope)
      return { step, value };
    step *= 0.5;
  }
  return { step, value: input.evaluate(step) };
}

/** Newton on the multinomial (softmax) problem. */
function fitMultinomial(X: FeatureMatrix, y: Int32Array, nClasses: number, opts: SolverOptions): FitResult {
  const p = X.columns.length;
  const n = X.nRows;
  const K = nClasses;
  const q = opts.fitIntercept ? p + 1 : p;
  const D = K * q;
  const theta = new Float64Array(D);
  // z[k*n + i]: linear score of class k for row i.
  const z = new Float64Array(K * n);
  const zNew = new Float64Array(K * n);
  const prob = new Float64Array(K * n);
  const objective = (zz: Float64Array, th: ArrayLike<number>): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) m = Math.max(m, zz[k * n + i]);
      let se = 0;
      for (let k = 0; k < K; k++) se += Math.exp(zz[k * n + i] - m);
      loss += m + Math.log(se) - zz[y[i] * n + i];
    }
    let pen = 0;
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) pen += th[k * q + j] ** 2;
    return 0.5 * pen + opts.C * loss;
  };
  let f = objective(z, theta);
  const r = new Float64Array(n);
  const w = new Float64Array(n);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    for (let i = 0; i < n; i++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) m = Math.max(m, z[k * n + i]);
      let se = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(z[k * n + i] - m);
        prob[k * n + i] = e;
        se += e;
      }
      for (let k = 0; k < K; k++) prob[k * n + i] /= se;
    }
    const g = new Float64Array(D);
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < n; i++) r[i] = opts.C * (prob[k * n + i] - (y[i] === k ? 1 : 0));
      const gk = transposeTimes(X, r);
      for (let j = 0; j < p; j++) g[k * q + j] = gk[j] + theta[k * q + j];
      if (opts.fitIntercept) {
        let gb = 0;
        for (let i = 0; i < n; i++) gb += r[i];
        g[k * q + p] = gb;
      }
    }
    const h = new Float64Array(D * D);
    for (let k = 0; k < K; k++) {
      for (let l = k; l < K; l++) {
        for (let i = 0; i < n; i++) {
          const pk = prob[k * n + i];
          w[i] = opts.C * pk * ((k === l ? 1 : 0) - prob[l * n + i]);
        }
        const block = weightedGram(X, w, opts.fitIntercept);
        for (let a = 0; a < q; a++) {
          for (let b = 0; b < q; b++) {
            const v = block[a * q + b];
            h[(k * q + a) * D + (l * q + b)] = v;
            h[(l * q + b) * D + (k * q + a)] = v;
          }
        }
      }
    }
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) h[(k * q + j) * D + (k * q + j)] += 1;
    if (opts.fitIntercept) {
      // Rank-one term along the intercept-shift direction u = (1,…,1)/√K on the bₖ entries.
      let scale = 0;
      for (let a = 0; a < D; a++) scale = Math.max(scale, h[a * D + a]);
      for (let k = 0; k < K; k++) {
        for (let l = 0; l < K; l++) h[(k * q + p) * D + (l * q + p)] += scale / K;
      }
    }
    const d = solveSymmetric(h, D, g);
    for (let a = 0; a < D; a++) d[a] = -d[a];
    const xd = new Float64Array(K * n);
    for (let k = 0; k < K; k++) {
      xd.fill(opts.fitIntercept ? d[k * q + p] : 0, k * n, (k + 1) * n);
      for (let j = 0; j < p; j++) {
        const col = X.columns[j];
        const dj = d[k * q + j];
        const off = k * n;
        for (let i = 0; i < n; i++) xd[off + i] += dj * col[i];
      }
    }
    let slope = 0;
    for (let a = 0; a < D; a++) slope += g[a] * d[a];
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let a = 0; a < K * n; a++) zNew[a] = z[a] + step * xd[a];
        const th = theta.map((v, a) => v + step * d[a]);
        return objective(zNew, th);
      },
    });
    for (let a = 0; a < D; a++) theta[a] += t.step * d[a];
    z.set(zNew);
    f = t.value;
    if (converged(d, theta, t.step, opts.stepTol)) {
      iter++;
      break;
    }
  }
  const coef: Float64Array[] = [];
  const intercept = new Float64Array(K);
  let meanB = 0;
  for (let k = 0; k < K; k++) {
    coef.push(theta.slice(k * q, k * q + p));
    if (opts.fitIntercept) meanB += theta[k * q + p] / K;
  }
  for (let k = 0; k < K; k++) intercept[k] = opts.fitIntercept ? theta[k * q + p] - meanB : 0;
  return { coef, intercept, nIter: iter };
}

export class LogisticRegression implements Classifier {
  readonly kind = 'classifier' as const;
  static readonly estimatorName = 'logistic_regression';
  readonly params: Required<LogisticRegressionParams>;
  /** One row per binary model (1 for a binary problem, nClasses for multinomial/ovr). */
  coef: Float64Array[] | undefined;
  intercept: Float64Array | undefined;
  nClasses = 0;
  /** How the model was fitted: 'binary', 'multinomial' or 'ovr'. */
  mode: 'binary' | 'multinomial' | 'ovr' = 'binary';
  nIter: number[] = [];

  constructor(params: LogisticRegressionParams = {}) {
    const C = params.C ?? 1.0;
    if (!(C > 0) || !Number.isFinite(C)) {
      throw new DataError(`logistic_regression: C must be a finite number > 0, got ${C}`, {
        hint: 'C is the inverse regularisation strength; try 1.0',
      });
    }
    const penalty = params.penalty ?? 'l2';
    if (penalty !== 'l2') {
      throw new DataError(`logistic_regression: penalty '${String(penalty)}' is not supported`, {
        hint: "use penalty 'l2' (set a large C for a weak penalty)",
      });
    }
    const multiClass = params.multi_class ?? 'auto';
    if (!['auto', 'multinomial', 'ovr'].includes(multiClass)) {
      throw new DataError(
        `logistic_regression: multi_class must be 'auto', 'multinomial' or 'ovr', got '${multiClass}'`,
      );
    }
    const maxIter = params.max_iter ?? 100;
    if (!Number.isInteger(maxIter) || maxIter < 1) {
      throw new DataError(`logistic_regression: max_iter must be an integer >= 1, got ${maxIter}`);
    }
    this.params = {
      penalty,
      C,
      fit_intercept: params.fit_intercept ?? true,
      max_iter: maxIter,
      tol: params.tol ?? 1e-4,
      multi_class: multiClass,
    };
  }

  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void {
    validateTrainingData(X, y.length, LogisticRegression.estimatorName);
    validateClassLabels(y, nClasses, LogisticRegression.estimatorName);
    const opts: SolverOptions = {
      C: this.params.C,
      fitIntercept: this.params.fit_intercept,
      maxIter: this.params.max_iter,
      stepTol: Math.min(this.params.tol, 1e-10),
    };
    this.nClasses = nClasses;
    if (nClasses === 2) {
      const positive = Uint8Array.from(y, (v) => (v === 1 ? 1 : 0));
      const res = fitBinary(X, positive, opts);
      this.mode = 'binary';
      this.coef = res.coef;
      this.intercept = res.intercept;
      this.nIter = [res.nIter];
      return;
    }
    if (this.params.multi_class === 'ovr') {
      this.mode = 'ovr';
      const coef: Float64Array[] = [];
      const intercept = new Float64Array(nClasses);
      this.nIter = [];
      for (let k = 0; k < nClasses; k++) {
        const res = fitBinary(
          X,
          Uint8Array.from(y, (v) => (v === k ? 1 : 0)),
          opts,
        );
        coef.push(res.coef[0]);
        intercept[k] = res.intercept[0];
        this.nIter.push(res.nIter);
      }
      this.coef = coef;
      this.intercept = intercept;
      return;
    }
    const res = fitMultinomial(X, y, nClasses, opts);
    this.mode = 'multinomial';
    this.coef = res.coef;
    this.intercept = res.intercept;
    this.nIter = [res.nIter];
  }

  /** Linear scores, one Float64Array per row of `coef` (sklearn's `decision_function`). */
  decisionFunction(X: FeatureMatrix): Float64Array[] {
    const coef = requireFitted(this.coef, LogisticRegression.estimatorName);
    const intercept = requireFitted(this.intercept, LogisticRegression.estimatorName);
    validateFeatures(X, LogisticRegression.estimatorName, coef[0].length);
    return coef.map((w, k) => {
      const out = new Float64Array(X.nRows).fill(intercept[k]);
      for (let j = 0; j < w.length; j++) {
        const col = X.columns[j];
        const wj = w[j];
        for (let i = 0; i < out.length; i++) out[i] += wj * col[i];
      }
      return out;
    });
  }

  predictProba(X: FeatureMatrix): Float64Array[] {
    const scores = this.decisionFunction(X);
    const n = X.nRows;
    if (this.mode === 'binary') {
      const p1 = scores[0].map(sigmoid);
      return [p1.map((v) => 1 - v), p1];
    }
    const K = scores.length;
    const out = Array.from({ length: K }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      let sum = 0;
      if (this.mode === 'multinomial') {
        let m = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < K; k++) m = Math.max(m, scores[k][i]);
        for (let k = 0; k < K; k++) {
          out[k][i] = Math.exp(scores[k][i] - m);
          sum += out[k][i];
        }
      } else {
        for (let k = 0; k < K; k++) {
          out[k][i] = sigmoid(scores[k][i]);
          sum += out[k][i];
        }
      }
      for (let k = 0; k < K; k++) out[k][i] /= sum;
    }
    return out;
  }

  predict(X: FeatureMatrix): Int32Array {
    const scores = this.decisionFunction(X);
    const out = new Int32Array(X.nRows);
    if (this.mode === 'binary') {
      for (let i = 0; i < out.length; i++) out[i] = scores[0][i] > 0 ? 1 : 0;
      return out;
    }
    return argmaxRows(scores, X.nRows);
  }

  toJSON(): EstimatorState {
    const coef = requireFitted(this.coef, LogisticRegression.estimatorName);
    const intercept = requireFitted(this.intercept, LogisticRegression.estimatorName);
    return {
      name: LogisticRegression.estimatorName,
      params: { ...this.params },
      state: {
        mode: this.mode,
        n_classes: this.nClasses,
        coef: coef.map((row) => Array.from(row)),
        intercept: Array.from(intercept),
        n_iter: this.nIter,
      },
    };
  }

  static fromJSON(state: EstimatorState): LogisticRegression {
    expectEstimatorName(state, LogisticRegression.estimatorName);
    const model = new LogisticRegression(asRecord(state.params) as LogisticRegressionParams);
    const s = state.state;
    if (s.mode !== 'binary' && s.mode !== 'multinomial' && s.mode !== 'ovr') {
      throw new DataError(`logistic_regression: saved state has unknown mode ${String(s.mode)}`, {
        hint: 'retrain the model',
      });
    }
    model.mode = s.mode;
    model.nClasses = Number(s.n_classes);
    model.coef = readMatrix(s.coef, 'coef');
    model.intercept = Float64Array.from(readMatrix([s.intercept], 'intercept')[0]);
    model.nIter = Array.isArray(s.n_iter) ? s.n_iter.map(Number) : [];
    return model;
  }
}

/** Row-wise argmax over per-class columns; ties go to the lowest class, as numpy's argmax. */
export function argmaxRows(columns: Float64Array[], nRows: number): Int32Array {
  const out = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let best = 0;
    for (let k = 1; k < columns.length; k++) if (columns[k][i] > columns[best][i]) best = k;
    out[i] = best;
  }
  return out;
}

/** Checks labels are 0..nClasses-1 and that at least two classes exist. */
export function validateClassLabels(y: Int32Array, nClasses: number, estimator: string): void {
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new DataError(`${estimator}: need at least 2 classes, got nClasses=${nClasses}`, {
      hint: 'a classifier needs a target with at least two distinct values',
    });
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0 || y[i] >= nClasses) {
      throw new DataError(`${estimator}: class label at row ${i} is ${y[i]}, outside 0..${nClasses - 1}`, {
        hint: 'encode classes as 0..nClasses-1',
      });
    }
  }
}

function readMatrix(value: unknown, key: string): Float64Array[] {
  if (
    !Array.isArray(value) ||
    !value.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'number'))
  ) {
    throw new DataError(`saved state field "${key}" must be an array of number arrays`, {
      hint: 'the model file is corrupt or was written by an incompatible version; retrain the model',
    });
  }
  return value.map((row: number[]) => Float64Array.from(row));
}
