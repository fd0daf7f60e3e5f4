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
 * solvers approach as tol → 0: the fixtures' newton-cg solution (tol=1e-10) agrees to 1e-6,
 * while sklearn's lbfgs stops early even at tol=1e-10 (scipy's relative-decrease test), up to
 * ~3e-3 away on 4-class fixtures.
 *
 * From 40k rows on, the weighted Gram matrix (O(n·p²) per class pair) would dominate, so the
 * solver first solves a strided subsample (every k-th row, k ≥ 8) to get close, then iterates
 * on the full data with the exact gradient: BFGS on both the subsample (from zero) and the full
 * data, each started from the subsample's exact Hessian, every iteration one fused pass over X
 * computing the objective and its gradient (`binaryObjective`, `multinomialObjective`); the
 * secant updates fix the sample Hessian's few-percent error, two digits or more per iteration.
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
  predictLinearMany,
  solveSymmetric,
  transposeTimes,
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
   * Accepted for parameter compatibility. Newton's fast convergence makes solving tightly
   * cheap, so the solver stops when the step is ≤ min(tol, 1e-9)·(1 + ‖θ‖∞); the distance to
   * the optimum is then a small fraction of that step (steps shrink quadratically, or ~30× per
   * iteration on the large-data path).
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

/**
 * Fills `prob` with σ(z) and returns Σᵢ [log(1 + e^{zᵢ}) − yᵢzᵢ], sharing one exp per row
 * between the loss and the probability (the loss pass and the next Newton step need both).
 */
function binaryLossAndProb(z: Float64Array, positive: Uint8Array, prob: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i];
    const e = Math.exp(-Math.abs(zi));
    loss += Math.max(zi, 0) + Math.log1p(e) - (positive[i] ? zi : 0);
    prob[i] = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  return loss;
}

/**
 * The rows a Hessian is computed from: a subsample of the data (row r of `X` is the full data's
 * row r·stride), whose curvature `scale` = n / m scales up to the full data's.
 */
interface HessianSample {
  X: FeatureMatrix;
  stride: number;
  scale: number;
}

/**
 * Exact Newton on the binary problem (data below WARM_START_MIN_ROWS rows); `positive[i]` is 1
 * for the positive class, else 0.
 */
function fitBinary(X: FeatureMatrix, positive: Uint8Array, opts: SolverOptions): FitResult {
  const p = X.columns.length;
  const n = X.nRows;
  const q = opts.fitIntercept ? p + 1 : p;
  const theta = new Float64Array(q);
  let z: Float64Array = linearScores(X, theta, opts.fitIntercept);
  let prob = new Float64Array(n);
  let zNew: Float64Array = new Float64Array(n);
  let probNew = new Float64Array(n);
  const r = new Float64Array(n);
  const s = new Float64Array(n);
  const penalty = (th: ArrayLike<number>): number => {
    let pen = 0;
    for (let j = 0; j < p; j++) pen += th[j] * th[j];
    return 0.5 * pen;
  };
  let f = penalty(theta) + opts.C * binaryLossAndProb(z, positive, prob);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const pi = prob[i];
      const ri = opts.C * (pi - positive[i]);
      r[i] = ri;
      gb += ri;
    }
    const gw = transposeTimes(X, r);
    const g = new Float64Array(q);
    for (let j = 0; j < p; j++) g[j] = gw[j] + theta[j];
    if (opts.fitIntercept) g[p] = gb;
    for (let i = 0; i < n; i++) s[i] = opts.C * prob[i] * (1 - prob[i]);
    const h = weightedGram(X, s, opts.fitIntercept);
    for (let j = 0; j < p; j++) h[j * q + j] += 1;
    const d = solveSymmetric(h, q, g);
    for (let j = 0; j < q; j++) d[j] = -d[j];
    // X·d: the change in z per unit step, reused by every trial step of the line search.
    const xd = linearScores(X, d, opts.fitIntercept);
    let slope = 0;
    for (let j = 0; j < q; j++) slope += g[j] * d[j];
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let i = 0; i < n; i++) zNew[i] = z[i] + step * xd[i];
        const th = theta.map((v, j) => v + step * d[j]);
        return penalty(th) + opts.C * binaryLossAndProb(zNew, positive, probNew);
      },
    });
    for (let j = 0; j < q; j++) theta[j] += t.step * d[j];
    [z, zNew] = [zNew, z];
    [prob, probNew] = [probNew, prob];
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

/** X·θ (+ θ_p as intercept when `withIntercept`) for column-major X; θ has p or p+1 entries. */
function linearScores(X: FeatureMatrix, theta: ArrayLike<number>, withIntercept: boolean): Float64Array {
  const p = X.columns.length;
  const out = new Float64Array(X.nRows).fill(withIntercept ? theta[p] : 0);
  for (let j = 0; j < p; j++) {
    const col = X.columns[j];
    const w = theta[j];
    if (w === 0) continue;
    for (let i = 0; i < out.length; i++) out[i] += w * col[i];
  }
  return out;
}

/** From this many rows on, the solvers warm-start on a subsample and run BFGS (see the header). */
const WARM_START_MIN_ROWS = 40_000;
/**
 * The sample keeps every k-th row, k ≥ WARM_START_MIN_STRIDE, so that at most about this many
 * rows remain.
 */
const WARM_START_ROWS = 100_000;
/**
 * Below 800k rows the stride is this minimum. Measured at 100k×10 (repeated fits, JIT warm):
 * a stride of 8 instead of 4 took binary 60 → 52 ms and 3 classes 146 → 132 ms; the cheaper
 * sample iterations outweigh the one extra full-data iteration a rougher start point may cost.
 */
const WARM_START_MIN_STRIDE = 8;
/**
 * The subsample's optimum differs from the full one by sampling error (~1/√m relative), so
 * solving it beyond 1e-4 buys nothing for the start point. (1e-3 saved a few sample iterations
 * at 100k rows but cost full-data iterations at 800k: binary 0.31-0.34 → 0.36-0.39 s.)
 */
const WARM_START_TOL = 1e-4;

/**
 * Every k-th row of X (and its label). Two uses: a cheap approximate solve whose solution
 * starts the full iteration close to the optimum, and the initial Hessian of the full
 * iterations. The final answer is the full problem's optimum either way; the sample only makes
 * iterations cheaper: the weighted Gram matrix, O(n·p²) per class pair, is computed on n/k rows
 * while the gradient, O(n·p) per class, stays exact.
 */
function strideSample<T extends Int32Array | Uint8Array>(
  X: FeatureMatrix,
  labels: T,
): { X: FeatureMatrix; labels: T; scale: number; stride: number } {
  const k = Math.max(WARM_START_MIN_STRIDE, Math.floor(X.nRows / WARM_START_ROWS));
  const m = Math.floor(X.nRows / k);
  const columns = X.columns.map((col) => {
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = col[i * k];
    return out;
  });
  const sub = labels.slice(0, m) as T;
  for (let i = 0; i < m; i++) sub[i] = labels[i * k];
  return { X: { nRows: m, columns }, labels: sub, scale: X.nRows / m, stride: k };
}

/**
 * The binary objective ½‖w‖² + C·Σᵢ [log(1 + e^{zᵢ}) − yᵢzᵢ] and its gradient at θ in one pass
 * over X (the binary counterpart of `multinomialObjective`): per block of rows the scores, the
 * loss and the residuals C(σ(zᵢ) − yᵢ) are formed in a small buffer and folded into Xᵀr while
 * the block of X is in cache. log1p(e^{−|z|}) is summed as the log of a running product of the
 * factors (each in [1, 2], so 256 of them cannot overflow): one Math.log per 256 rows.
 */
function binaryObjective(t: {
  X: FeatureMatrix;
  positive: Uint8Array;
  opts: SolverOptions;
  theta: Float64Array;
  g: Float64Array;
  work: Float64Array;
}): number {
  const { X, positive, opts, theta, g, work } = t;
  const n = X.nRows;
  const p = X.columns.length;
  const C = opts.C;
  g.fill(0);
  let loss = 0;
  for (let start = 0; start < n; start += FUSED_ROWS) {
    const len = Math.min(FUSED_ROWS, n - start);
    work.fill(opts.fitIntercept ? theta[p] : 0, 0, len);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      const w = theta[j];
      for (let i = 0; i < len; i++) work[i] += w * col[start + i];
    }
    let prod = 1;
    for (let i = 0; i < len; i++) {
      const z = work[i];
      const e = Math.exp(-Math.abs(z));
      const yi = positive[start + i];
      loss += (z > 0 ? z : 0) - (yi ? z : 0);
      prod *= 1 + e;
      if ((i & 255) === 255) {
        loss += Math.log(prod);
        prod = 1;
      }
      const prob = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      work[i] = C * (prob - yi);
    }
    loss += Math.log(prod);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      let s = 0;
      for (let i = 0; i < len; i++) s += work[i] * col[start + i];
      g[j] += s;
    }
    if (opts.fitIntercept) {
      let s = 0;
      for (let i = 0; i < len; i++) s += work[i];
      g[p] += s;
    }
  }
  let pen = 0;
  for (let j = 0; j < p; j++) {
    pen += theta[j] * theta[j];
    g[j] += theta[j];
  }
  return 0.5 * pen + C * loss;
}

/** Hessian of the binary objective at θ from the rows of X: Σᵢ C·scale·σ(1 − σ)·x̃ᵢx̃ᵢᵀ + I on w. */
function binaryHessianAt(
  X: FeatureMatrix,
  theta: Float64Array,
  opts: SolverOptions & { scale: number },
): Float64Array {
  const p = X.columns.length;
  const q = opts.fitIntercept ? p + 1 : p;
  const z = linearScores(X, theta, opts.fitIntercept);
  const w = new Float64Array(X.nRows);
  for (let i = 0; i < w.length; i++) {
    const s = sigmoid(z[i]);
    w[i] = opts.C * opts.scale * s * (1 - s);
  }
  const h = weightedGram(X, w, opts.fitIntercept);
  for (let j = 0; j < p; j++) h[j * q + j] += 1;
  return h;
}

/**
 * Binary fit. Below WARM_START_MIN_ROWS: Newton. Above, as the multinomial: BFGS on a strided
 * subsample from zero, then BFGS on the full data from its optimum, each started from the
 * subsample's exact Hessian, every iteration one fused pass (`binaryObjective`).
 */
function fitBinaryWarm(X: FeatureMatrix, positive: Uint8Array, opts: SolverOptions): FitResult {
  if (X.nRows < WARM_START_MIN_ROWS) return fitBinary(X, positive, opts);
  const p = X.columns.length;
  const sample = strideSample(X, positive);
  // C·(n/m) keeps the data term's weight relative to the penalty as in the full problem.
  const sampleOpts = { ...opts, C: opts.C * sample.scale, stepTol: WARM_START_TOL };
  const work = new Float64Array(FUSED_ROWS);
  const zero = new Float64Array(opts.fitIntercept ? p + 1 : p);
  const warm = quasiNewton({
    init: zero,
    h0: binaryHessianAt(sample.X, zero, { ...sampleOpts, scale: 1 }),
    maxIter: opts.maxIter,
    stepTol: WARM_START_TOL,
    objective: (theta, g) =>
      binaryObjective({ X: sample.X, positive: sample.labels, opts: sampleOpts, theta, g, work }),
  });
  const res = quasiNewton({
    init: warm.theta,
    h0: binaryHessianAt(sample.X, warm.theta, { ...opts, scale: sample.scale }),
    maxIter: opts.maxIter,
    stepTol: opts.stepTol,
    objective: (theta, g) => binaryObjective({ X, positive, opts, theta, g, work }),
  });
  return {
    coef: [res.theta.slice(0, p)],
    intercept: Float64Array.of(opts.fitIntercept ? res.theta[p] : 0),
    nIter: res.nIter + warm.nIter,
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

/**
 * Fills `prob` (class-major, prob[k·n + i]) with the softmax of z and returns the summed
 * cross-entropy Σᵢ [logΣₖ e^{z_ik} − z_{i,yᵢ}]: one exp per row and class serves both.
 */
function softmaxLossAndProb(z: Float64Array, y: Int32Array, K: number, prob: Float64Array): number {
  const n = y.length;
  let loss = 0;
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
    loss += m + Math.log(se) - z[y[i] * n + i];
  }
  return loss;
}

/**
 * Exact Newton on the multinomial (softmax) problem, for data below WARM_START_MIN_ROWS rows:
 * there the K(K+1)/2 weighted Gram matrices per iteration are cheap and convergence is quadratic.
 */
function fitMultinomial(X: FeatureMatrix, y: Int32Array, nClasses: number, opts: SolverOptions): FitResult {
  const p = X.columns.length;
  const n = X.nRows;
  const K = nClasses;
  const q = opts.fitIntercept ? p + 1 : p;
  const D = K * q;
  // θ holds class k's block [w_k (p), b_k] at k·q; z[k·n + i] is class k's score for row i.
  const theta = new Float64Array(D);
  let z: Float64Array = multiScores({ X, theta, K, q, withIntercept: opts.fitIntercept });
  let zNew: Float64Array = new Float64Array(K * n);
  let prob = new Float64Array(K * n);
  let probNew = new Float64Array(K * n);
  const penalty = (th: ArrayLike<number>): number => {
    let pen = 0;
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) pen += th[k * q + j] ** 2;
    return 0.5 * pen;
  };
  let f = penalty(theta) + opts.C * softmaxLossAndProb(z, y, K, prob);
  const r = new Float64Array(K * n);
  const rows = { X, stride: 1, scale: 1 };
  const w = new Float64Array(n);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    const g = new Float64Array(D);
    for (let k = 0; k < K; k++) {
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const ri = opts.C * (prob[k * n + i] - (y[i] === k ? 1 : 0));
        r[k * n + i] = ri;
        gb += ri;
      }
      if (opts.fitIntercept) g[k * q + p] = gb;
    }
    multiGradient({ X, r, K, q, g });
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) g[k * q + j] += theta[k * q + j];
    const h = multinomialHessian({ rows, prob, nFull: n, K, q, opts, w });
    const d = solveSymmetric(h, D, g);
    for (let a = 0; a < D; a++) d[a] = -d[a];
    const xd = multiScores({ X, theta: d, K, q, withIntercept: opts.fitIntercept });
    let slope = 0;
    for (let a = 0; a < D; a++) slope += g[a] * d[a];
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let a = 0; a < K * n; a++) zNew[a] = z[a] + step * xd[a];
        const th = theta.map((v, a) => v + step * d[a]);
        return penalty(th) + opts.C * softmaxLossAndProb(zNew, y, K, probNew);
      },
    });
    for (let a = 0; a < D; a++) theta[a] += t.step * d[a];
    [z, zNew] = [zNew, z];
    [prob, probNew] = [probNew, prob];
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

interface MultinomialHessianInput {
  /** The rows the Hessian is computed from (row r is row r·stride of the data `prob` is over). */
  rows: HessianSample;
  /** Class-major probabilities prob[k·nFull + i] over the full data. */
  prob: Float64Array;
  nFull: number;
  K: number;
  q: number;
  opts: SolverOptions;
  /** Scratch of length rows.X.nRows. */
  w: Float64Array;
  /** All probabilities are 1/K (θ = 0): `prob` is then not read. */
  uniform?: boolean;
}

/**
 * The multinomial objective's Hessian, K×K blocks Σᵢ C·pᵢₖ(δₖₗ − pᵢₗ)·x̃ᵢx̃ᵢᵀ plus the identity on
 * the penalised weights, plus (with intercepts) a rank-one term along the intercept-shift
 * direction u = (1,…,1)/√K on the bₖ entries, where the objective is flat: it makes the matrix
 * positive definite without changing a step that is orthogonal to u (every gradient is).
 */
function multinomialHessian(input: MultinomialHessianInput): Float64Array {
  const { rows: hs, prob, nFull: n, K, q, opts, w } = input;
  const p = q - (opts.fitIntercept ? 1 : 0);
  const D = K * q;
  const h = new Float64Array(D * D);
  // At uniform probabilities (θ = 0, where the large-data solver starts) every block is a
  // multiple of the same Gram matrix X̃ᵀX̃: one pass instead of K(K+1)/2.
  let gram1: Float64Array | undefined;
  if (input.uniform) gram1 = weightedGram(hs.X, w.fill(1), opts.fitIntercept);
  for (let k = 0; k < K; k++) {
    for (let l = k; l < K; l++) {
      const cs = opts.C * hs.scale;
      const delta = k === l ? 1 : 0;
      let block: Float64Array;
      if (gram1) {
        const factor = (cs / K) * (delta - 1 / K);
        block = gram1.map((v) => factor * v);
      } else {
        for (let ii = 0; ii < w.length; ii++) {
          const i = ii * hs.stride;
          w[ii] = cs * prob[k * n + i] * (delta - prob[l * n + i]);
        }
        block = weightedGram(hs.X, w, opts.fitIntercept);
      }
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
    let scale = 0;
    for (let a = 0; a < D; a++) scale = Math.max(scale, h[a * D + a]);
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) h[(k * q + p) * D + (l * q + p)] += scale / K;
    }
  }
  return h;
}

/** Hessian of the multinomial objective at θ, computed from the rows of `X` alone. */
function multinomialHessianAt(
  X: FeatureMatrix,
  theta: Float64Array,
  K: number,
  opts: SolverOptions & { scale: number },
): Float64Array {
  const q = opts.fitIntercept ? X.columns.length + 1 : X.columns.length;
  const rows = { X, stride: 1, scale: opts.scale };
  const w = new Float64Array(X.nRows);
  if (theta.every((v) => v === 0)) {
    return multinomialHessian({ rows, prob: w, nFull: X.nRows, K, q, opts, w, uniform: true });
  }
  const z = multiScores({ X, theta, K, q, withIntercept: opts.fitIntercept });
  const prob = new Float64Array(K * X.nRows);
  // The labels only enter the loss, which is not needed here.
  softmaxLossAndProb(z, new Int32Array(X.nRows), K, prob);
  return multinomialHessian({ rows, prob, nFull: X.nRows, K, q, opts, w });
}

/** Rows per block of `multinomialObjective`: K score blocks of this length stay in L1. */
const FUSED_ROWS = 1024;

interface MultinomialObjectiveInput {
  X: FeatureMatrix;
  y: Int32Array;
  K: number;
  q: number;
  opts: SolverOptions;
  theta: Float64Array;
  /** Receives the gradient at θ. */
  g: Float64Array;
  /** Scratch of length K·FUSED_ROWS. */
  work: Float64Array;
}

/**
 * The multinomial objective ½‖W‖² + C·Σᵢ [logΣₖ e^{zᵢₖ} − zᵢ,yᵢ] and its gradient at θ in ONE
 * pass over X: per block of rows the scores, the softmax and the residuals C(pᵢₖ − [yᵢ = k])
 * are formed in a small buffer and folded into Xᵀr while the block of X is still in cache. The
 * Newton solver's iteration instead reads X twice (scores of the step, gradient) and streams
 * three K·n arrays; this pass is the whole per-iteration cost of the quasi-Newton solver.
 */
function multinomialObjective(t: MultinomialObjectiveInput): number {
  const { X, y, K, q, opts, theta, g, work } = t;
  const n = X.nRows;
  const p = X.columns.length;
  const C = opts.C;
  g.fill(0);
  let loss = 0;
  for (let start = 0; start < n; start += FUSED_ROWS) {
    const len = Math.min(FUSED_ROWS, n - start);
    for (let k = 0; k < K; k++) {
      work.fill(opts.fitIntercept ? theta[k * q + p] : 0, k * FUSED_ROWS, k * FUSED_ROWS + len);
    }
    // Classes three at a time: each value of X loaded once feeds three scores (measured: the
    // plain per-class loop is ~2× slower, bound by re-reading the column block).
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      let k = 0;
      for (; k + 3 <= K; k += 3) {
        const w0 = theta[k * q + j];
        const w1 = theta[(k + 1) * q + j];
        const w2 = theta[(k + 2) * q + j];
        const o0 = k * FUSED_ROWS;
        const o1 = o0 + FUSED_ROWS;
        const o2 = o1 + FUSED_ROWS;
        for (let i = 0; i < len; i++) {
          const x = col[start + i];
          work[o0 + i] += w0 * x;
          work[o1 + i] += w1 * x;
          work[o2 + i] += w2 * x;
        }
      }
      for (; k < K; k++) {
        const w = theta[k * q + j];
        const off = k * FUSED_ROWS;
        for (let i = 0; i < len; i++) work[off + i] += w * col[start + i];
      }
    }
    // Σ log(seᵢ) as the log of a running product (seᵢ ∈ [1, K], so 256 factors cannot
    // overflow): one Math.log per 256 rows instead of per row, and the class with the largest
    // score needs no exp (it is exp(0) = 1). Both are measurable shares of the pass.
    let prodSe = 1;
    for (let i = 0; i < len; i++) {
      let m = work[i];
      let km = 0;
      for (let k = 1; k < K; k++) {
        const v = work[k * FUSED_ROWS + i];
        if (v > m) {
          m = v;
          km = k;
        }
      }
      const yi = y[start + i];
      loss += m - work[yi * FUSED_ROWS + i];
      let se = 1;
      for (let k = 0; k < K; k++) {
        if (k === km) continue;
        const e = Math.exp(work[k * FUSED_ROWS + i] - m);
        work[k * FUSED_ROWS + i] = e;
        se += e;
      }
      work[km * FUSED_ROWS + i] = 1;
      prodSe *= se;
      if ((i & 255) === 255) {
        loss += Math.log(prodSe);
        prodSe = 1;
      }
      const scale = C / se;
      for (let k = 0; k < K; k++) work[k * FUSED_ROWS + i] *= scale;
      work[yi * FUSED_ROWS + i] -= C;
    }
    loss += Math.log(prodSe);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      let k = 0;
      for (; k + 3 <= K; k += 3) {
        const o0 = k * FUSED_ROWS;
        const o1 = o0 + FUSED_ROWS;
        const o2 = o1 + FUSED_ROWS;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < len; i++) {
          const x = col[start + i];
          s0 += work[o0 + i] * x;
          s1 += work[o1 + i] * x;
          s2 += work[o2 + i] * x;
        }
        g[k * q + j] += s0;
        g[(k + 1) * q + j] += s1;
        g[(k + 2) * q + j] += s2;
      }
      for (; k < K; k++) {
        const off = k * FUSED_ROWS;
        let s = 0;
        for (let i = 0; i < len; i++) s += work[off + i] * col[start + i];
        g[k * q + j] += s;
      }
    }
    if (opts.fitIntercept) {
      for (let k = 0; k < K; k++) {
        const off = k * FUSED_ROWS;
        let s = 0;
        for (let i = 0; i < len; i++) s += work[off + i];
        g[k * q + p] += s;
      }
    }
  }
  let pen = 0;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < p; j++) {
      const v = theta[k * q + j];
      pen += v * v;
      g[k * q + j] += v;
    }
  }
  return 0.5 * pen + C * loss;
}

interface QuasiNewtonInput {
  init: Float64Array;
  /** Initial Hessian approximation, D×D row-major, positive definite. */
  h0: Float64Array;
  maxIter: number;
  stepTol: number;
  /** Objective at θ; fills `g` with its gradient (one fused pass over the data). */
  objective: (theta: Float64Array, g: Float64Array) => number;
}

/**
 * Quasi-Newton (BFGS) from `init` with `h0` as the initial Hessian approximation. Started from
 * a sampled Hessian near the optimum (see `fitMultinomialWarm`), the secant updates correct the
 * sample's few-percent error in the directions the iterates actually move, each iteration costing
 * one objective-and-gradient pass over X. The D×D matrix (D = K(p+1)) is tiny, so it is kept
 * dense and factorised each iteration instead of L-BFGS's two-loop recursion over a few vectors.
 */
function quasiNewton(input: QuasiNewtonInput): { theta: Float64Array; nIter: number } {
  const { h0, objective } = input;
  const D = input.init.length;
  let theta = Float64Array.from(input.init);
  let thetaNew = new Float64Array(D);
  let g = new Float64Array(D);
  let gNew = new Float64Array(D);
  const b = Float64Array.from(h0);
  const bs = new Float64Array(D);
  const yv = new Float64Array(D);
  let f = objective(theta, g);
  // Largest step entry of the previous iteration and its ratio to the one before (∞: unknown).
  let prevStep = Number.POSITIVE_INFINITY;
  let prevRatio = Number.POSITIVE_INFINITY;
  let iter = 0;
  for (; iter < input.maxIter; iter++) {
    const d = solveSymmetric(b, D, g);
    let slope = 0;
    for (let a = 0; a < D; a++) {
      d[a] = -d[a];
      slope += g[a] * d[a];
    }
    const t = lineSearch({
      f,
      slope,
      evaluate: (step) => {
        for (let a = 0; a < D; a++) thetaNew[a] = theta[a] + step * d[a];
        return objective(thetaNew, gNew);
      },
    });
    // lineSearch's last evaluation was at t.step, so thetaNew and gNew belong to it.
    let sy = 0;
    let sbs = 0;
    for (let a = 0; a < D; a++) {
      const sa = t.step * d[a];
      yv[a] = gNew[a] - g[a];
      sy += sa * yv[a];
    }
    for (let a = 0; a < D; a++) {
      let v = 0;
      for (let c = 0; c < D; c++) v += b[a * D + c] * t.step * d[c];
      bs[a] = v;
      sbs += t.step * d[a] * v;
    }
    // BFGS update B ← B − (Bs)(Bs)ᵀ/sᵀBs + yyᵀ/sᵀy; skipped when the curvature condition fails
    // (only round-off can make sᵀy ≤ 0 on this strictly convex objective).
    if (sy > 0 && sbs > 0) {
      for (let a = 0; a < D; a++) {
        for (let c = 0; c < D; c++) b[a * D + c] += (yv[a] * yv[c]) / sy - (bs[a] * bs[c]) / sbs;
      }
    }
    [theta, thetaNew] = [thetaNew, theta];
    [g, gNew] = [gNew, g];
    f = t.value;
    // Stop when the step, or the distance still left as extrapolated from the last two steps,
    // is below the tolerance. The iterates contract by a roughly constant factor ρ per
    // iteration (at most a few percent here), so what remains after a step s is about
    // s·ρ/(1 − ρ): waiting for one more step, itself ρ times smaller, only to confirm that
    // costs a full pass over X.
    let maxStep = 0;
    let maxTheta = 0;
    for (let a = 0; a < D; a++) {
      maxStep = Math.max(maxStep, Math.abs(t.step * d[a]));
      maxTheta = Math.max(maxTheta, Math.abs(theta[a]));
    }
    // ρ is taken as the larger of the last two step ratios (and only after full steps), so one
    // lucky short step does not end the iteration.
    const ratio = maxStep / prevStep;
    const rho = Math.max(ratio, prevRatio);
    const left = rho < 0.5 && t.step === 1 ? (maxStep * rho) / (1 - rho) : maxStep;
    prevStep = maxStep;
    prevRatio = t.step === 1 ? ratio : Number.POSITIVE_INFINITY;
    if (left <= input.stepTol * (1 + maxTheta)) {
      iter++;
      break;
    }
  }
  return { theta, nIter: iter };
}

/** BFGS on the multinomial problem (see `quasiNewton`), θ laid out as in `fitMultinomial`. */
function fitMultinomialQuasiNewton(
  X: FeatureMatrix,
  y: Int32Array,
  nClasses: number,
  opts: SolverOptions,
  init: Float64Array,
  h0: Float64Array,
): FitResult {
  const p = X.columns.length;
  const K = nClasses;
  const q = opts.fitIntercept ? p + 1 : p;
  const work = new Float64Array(K * FUSED_ROWS);
  const { theta, nIter } = quasiNewton({
    init,
    h0,
    maxIter: opts.maxIter,
    stepTol: opts.stepTol,
    objective: (th, g) => multinomialObjective({ X, y, K, q, opts, theta: th, g, work }),
  });
  const coef: Float64Array[] = [];
  const intercept = new Float64Array(K);
  let meanB = 0;
  for (let k = 0; k < K; k++) {
    coef.push(theta.slice(k * q, k * q + p));
    if (opts.fitIntercept) meanB += theta[k * q + p] / K;
  }
  for (let k = 0; k < K; k++) intercept[k] = opts.fitIntercept ? theta[k * q + p] - meanB : 0;
  return { coef, intercept, nIter };
}

/** Rows per block of the fused multi-class passes: K blocks of scores stay in L1/L2. */
const CLASS_BLOCK_ROWS = 4096;

interface MultiScoresInput {
  X: FeatureMatrix;
  /** K blocks of q entries: [w_k (p), b_k?]. */
  theta: ArrayLike<number>;
  K: number;
  q: number;
  withIntercept: boolean;
}

/**
 * Class-major scores out[k·n + i] = xᵢ·w_k (+ b_k) for all K classes in one blocked pass: each
 * block of a feature column is read from memory once and used for every class.
 */
function multiScores(input: MultiScoresInput): Float64Array {
  const { X, theta, K, q, withIntercept } = input;
  const n = X.nRows;
  const p = X.columns.length;
  const out = new Float64Array(K * n);
  for (let k = 0; k < K; k++) out.fill(withIntercept ? theta[k * q + p] : 0, k * n, (k + 1) * n);
  for (let start = 0; start < n; start += CLASS_BLOCK_ROWS) {
    const end = Math.min(n, start + CLASS_BLOCK_ROWS);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      for (let k = 0; k < K; k++) {
        const w = theta[k * q + j];
        const off = k * n;
        for (let i = start; i < end; i++) out[off + i] += w * col[i];
      }
    }
  }
  return out;
}

interface MultiGradientInput {
  X: FeatureMatrix;
  /** Class-major residuals r[k·n + i]. */
  r: Float64Array;
  K: number;
  q: number;
  /** g[k·q + j] += Σᵢ r[k·n + i]·x_ij. */
  g: Float64Array;
}

/** Xᵀr for all K classes in one blocked pass over X (see `multiScores`). */
function multiGradient(input: MultiGradientInput): void {
  const { X, r, K, q, g } = input;
  const n = X.nRows;
  for (let start = 0; start < n; start += CLASS_BLOCK_ROWS) {
    const end = Math.min(n, start + CLASS_BLOCK_ROWS);
    for (let j = 0; j < X.columns.length; j++) {
      const col = X.columns[j];
      for (let k = 0; k < K; k++) {
        const off = k * n;
        let s = 0;
        for (let i = start; i < end; i++) s += r[off + i] * col[i];
        g[k * q + j] += s;
      }
    }
  }
}

/** Multinomial fit, warm-started from a strided subsample when X is large. */
function fitMultinomialWarm(
  X: FeatureMatrix,
  y: Int32Array,
  nClasses: number,
  opts: SolverOptions,
): FitResult {
  if (X.nRows < WARM_START_MIN_ROWS) return fitMultinomial(X, y, nClasses, opts);
  const sample = strideSample(X, y);
  const sampleOpts = { ...opts, C: opts.C * sample.scale, stepTol: WARM_START_TOL };
  const p = X.columns.length;
  const q = opts.fitIntercept ? p + 1 : p;
  const D = nClasses * q;
  // Phase 1: the subsample from zero, with the Hessian at zero as BFGS's starting matrix.
  const zero = new Float64Array(D);
  const warm = fitMultinomialQuasiNewton(
    sample.X,
    sample.labels,
    nClasses,
    sampleOpts,
    zero,
    multinomialHessianAt(sample.X, zero, nClasses, { ...sampleOpts, scale: 1 }),
  );
  const init = new Float64Array(D);
  for (let k = 0; k < nClasses; k++) {
    init.set(warm.coef[k], k * q);
    if (opts.fitIntercept) init[k * q + p] = warm.intercept[k];
  }
  // Phase 2: the full data from the subsample's optimum, starting from the subsample's Hessian
  // there (scaled by n/m), which is within a few percent of the full one.
  const h0 = multinomialHessianAt(sample.X, init, nClasses, { ...opts, scale: sample.scale });
  const res = fitMultinomialQuasiNewton(X, y, nClasses, opts, init, h0);
  return { ...res, nIter: res.nIter + warm.nIter };
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
      stepTol: Math.min(this.params.tol, 1e-9),
    };
    this.nClasses = nClasses;
    if (nClasses === 2) {
      const res = fitBinaryWarm(X, indicator(y, 1), opts);
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
        const res = fitBinaryWarm(X, indicator(y, k), opts);
        coef.push(res.coef[0]);
        intercept[k] = res.intercept[0];
        this.nIter.push(res.nIter);
      }
      this.coef = coef;
      this.intercept = intercept;
      return;
    }
    const res = fitMultinomialWarm(X, y, nClasses, opts);
    this.mode = 'multinomial';
    this.coef = res.coef;
    this.intercept = res.intercept;
    this.nIter = [res.nIter];
  }

  /** Linear scores, one Float64Array per row of `coef` (sklearn's `decision_function`). */
  decisionFunction(X: FeatureMatrix): Float64Array[] {
    const coef = requireFitted(this.coef, LogisticRegression.estimatorName);
    const intercept = requireFitted(this.intercept, LogisticRegression.estimatorName);
    return predictLinearMany(X, coef, intercept, LogisticRegression.estimatorName);
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

/** 1 where y equals `cls`, else 0 (a plain loop: `Uint8Array.from` with a callback is ~10× slower). */
function indicator(y: Int32Array, cls: number): Uint8Array {
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] === cls ? 1 : 0;
  return out;
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
