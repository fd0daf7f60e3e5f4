/**
 * Stochastic gradient descent for linear models: scikit-learn's `SGDRegressor` (the MLflow
 * regression template's default estimator) and `SGDClassifier`, with their parameter names,
 * defaults and update rule (plain SGD, per-sample L2 shrinkage, the 'optimal' / 'invscaling' /
 * 'constant' / 'adaptive' learning rates, and stopping once the epoch's training loss — or the
 * validation score with early_stopping — has not improved by `tol` for `n_iter_no_change` epochs).
 *
 * We shuffle with our own seeded PRNG, not numpy's, so coefficients cannot match
 * scikit-learn's bit for bit; fixtures instead hold sklearn's test-set metric and we match it
 * within 0.01. Given `random_state`, fitting is deterministic.
 *
 * Multiclass classification is one-vs-rest, as in scikit-learn: one binary model per class,
 * labels ±1, prediction by the largest decision value.
 */
import { randomInt } from 'node:crypto';
import { DataError } from '../errors.js';
import {
  asRecord,
  expectEstimatorName,
  predictLinear,
  predictLinearMany,
  validateTargets,
  validateTrainingData,
} from './linalg.js';
import { requireFitted } from './linear-regression.js';
import { argmaxRows, validateClassLabels } from './logistic-regression.js';
import type { Classifier, EstimatorState, FeatureMatrix, Regressor } from './types.js';

export type LearningRate = 'constant' | 'optimal' | 'invscaling' | 'adaptive';
export type RegressionLoss = 'squared_error' | 'huber' | 'epsilon_insensitive';
export type ClassificationLoss = 'hinge' | 'log_loss' | 'modified_huber';
export type SgdPenalty = 'l2' | null;

interface SgdCommonParams {
  penalty?: SgdPenalty;
  alpha?: number;
  max_iter?: number;
  /** null disables the loss-based stopping rule (sklearn's `tol=None`). */
  tol?: number | null;
  learning_rate?: LearningRate;
  eta0?: number;
  power_t?: number;
  shuffle?: boolean;
  /** Seed of our PRNG; null/undefined draws a fresh seed (non-deterministic, like sklearn's None). */
  random_state?: number | null;
  early_stopping?: boolean;
  validation_fraction?: number;
  n_iter_no_change?: number;
  fit_intercept?: boolean;
  /** Width of the insensitive zone for huber / epsilon_insensitive. */
  epsilon?: number;
}

export interface SGDRegressorParams extends SgdCommonParams {
  loss?: RegressionLoss;
}

export interface SGDClassifierParams extends SgdCommonParams {
  loss?: ClassificationLoss;
}

/** Gradients larger than this are clipped, as sklearn does, to keep one outlier from exploding w. */
const MAX_DLOSS = 1e12;

interface Loss {
  loss(p: number, y: number): number;
  dloss(p: number, y: number): number;
}

function makeLoss(name: RegressionLoss | ClassificationLoss, epsilon: number): Loss {
  switch (name) {
    case 'squared_error':
      return { loss: (p, y) => 0.5 * (p - y) * (p - y), dloss: (p, y) => p - y };
    case 'huber':
      return {
        loss: (p, y) => {
          const r = Math.abs(p - y);
          return r <= epsilon ? 0.5 * r * r : epsilon * r - 0.5 * epsilon * epsilon;
        },
        dloss: (p, y) => {
          const r = p - y;
          if (Math.abs(r) <= epsilon) return r;
          return r > 0 ? epsilon : -epsilon;
        },
      };
    case 'epsilon_insensitive':
      return {
        loss: (p, y) => Math.max(0, Math.abs(y - p) - epsilon),
        dloss: (p, y) => (y - p > epsilon ? -1 : p - y > epsilon ? 1 : 0),
      };
    case 'hinge':
      return {
        loss: (p, y) => Math.max(0, 1 - p * y),
        dloss: (p, y) => (p * y <= 1 ? -y : 0),
      };
    case 'log_loss':
      return {
        loss: (p, y) => {
          const z = p * y;
          if (z > 18) return Math.exp(-z);
          if (z < -18) return -z;
          return Math.log1p(Math.exp(-z));
        },
        dloss: (p, y) => {
          const z = p * y;
          if (z > 18) return -y * Math.exp(-z);
          if (z < -18) return -y;
          return -y / (Math.exp(z) + 1);
        },
      };
    case 'modified_huber':
      return {
        loss: (p, y) => {
          const z = p * y;
          if (z >= 1) return 0;
          if (z >= -1) return (1 - z) * (1 - z);
          return -4 * z;
        },
        dloss: (p, y) => {
          const z = p * y;
          if (z >= 1) return 0;
          if (z >= -1) return 2 * (1 - z) * -y;
          return -4 * y;
        },
      };
  }
}

/** sfc32: a small, fast, well-mixed 32-bit PRNG; seeded through splitmix32 so nearby seeds diverge. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n) for n ≤ 2³², by rejection (no modulo bias). */
  nextInt(n: number): number {
    if (n === 0x100000000) return this.nextUint32();
    // 2³² mod n computed as (2³² − n) mod n in uint32: with both operands uint32, V8 emits an
    // integer division instead of a floating-point fmod call (the shuffle's main cost).
    const m = n >>> 0;
    const limit = 0x100000000 - ((-m >>> 0) % m);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return (x % m) >>> 0;
    }
  }

  shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

interface ResolvedParams {
  loss: RegressionLoss | ClassificationLoss;
  penalty: SgdPenalty;
  alpha: number;
  max_iter: number;
  tol: number | null;
  learning_rate: LearningRate;
  eta0: number;
  power_t: number;
  shuffle: boolean;
  random_state: number | null;
  early_stopping: boolean;
  validation_fraction: number;
  n_iter_no_change: number;
  fit_intercept: boolean;
  epsilon: number;
}

function resolveParams(
  estimator: string,
  params: SgdCommonParams & { loss?: string },
  defaults: {
    loss: RegressionLoss | ClassificationLoss;
    learning_rate: LearningRate;
    eta0: number;
    power_t: number;
  },
  allowedLosses: readonly string[],
): ResolvedParams {
  const r: ResolvedParams = {
    loss: (params.loss ?? defaults.loss) as RegressionLoss | ClassificationLoss,
    penalty: params.penalty === undefined ? 'l2' : params.penalty,
    alpha: params.alpha ?? 0.0001,
    max_iter: params.max_iter ?? 1000,
    tol: params.tol === undefined ? 1e-3 : params.tol,
    learning_rate: params.learning_rate ?? defaults.learning_rate,
    eta0: params.eta0 ?? defaults.eta0,
    power_t: params.power_t ?? defaults.power_t,
    shuffle: params.shuffle ?? true,
    random_state: params.random_state ?? null,
    early_stopping: params.early_stopping ?? false,
    validation_fraction: params.validation_fraction ?? 0.1,
    n_iter_no_change: params.n_iter_no_change ?? 5,
    fit_intercept: params.fit_intercept ?? true,
    epsilon: params.epsilon ?? 0.1,
  };
  const fail = (field: string, message: string, hint?: string): never => {
    throw new DataError(`${estimator}: ${field} ${message}`, hint ? { hint } : {});
  };
  if (!allowedLosses.includes(r.loss))
    fail('loss', `must be one of ${allowedLosses.join(', ')}, got '${r.loss}'`);
  if (r.penalty !== 'l2' && r.penalty !== null) {
    fail('penalty', `'${String(r.penalty)}' is not supported`, "use 'l2' or null (no penalty)");
  }
  if (!(r.alpha >= 0) || !Number.isFinite(r.alpha))
    fail('alpha', `must be a finite number >= 0, got ${r.alpha}`);
  if (r.learning_rate === 'optimal' && r.alpha === 0) {
    fail('alpha', "must be > 0 with learning_rate='optimal'", "set alpha, or use learning_rate='invscaling'");
  }
  if (!['constant', 'optimal', 'invscaling', 'adaptive'].includes(r.learning_rate)) {
    fail(
      'learning_rate',
      `must be 'constant', 'optimal', 'invscaling' or 'adaptive', got '${r.learning_rate}'`,
    );
  }
  if (r.learning_rate !== 'optimal' && !(r.eta0 > 0)) {
    fail('eta0', `must be > 0 with learning_rate='${r.learning_rate}', got ${r.eta0}`);
  }
  if (!Number.isInteger(r.max_iter) || r.max_iter < 1)
    fail('max_iter', `must be an integer >= 1, got ${r.max_iter}`);
  if (!Number.isInteger(r.n_iter_no_change) || r.n_iter_no_change < 1) {
    fail('n_iter_no_change', `must be an integer >= 1, got ${r.n_iter_no_change}`);
  }
  if (!(r.validation_fraction > 0 && r.validation_fraction < 1)) {
    fail('validation_fraction', `must be in (0, 1), got ${r.validation_fraction}`);
  }
  if (r.random_state !== null && !Number.isInteger(r.random_state)) {
    fail('random_state', `must be an integer or null, got ${r.random_state}`);
  }
  return r;
}

interface SgdProblem {
  /** Row-major n×p copy of X. */
  rows: Float64Array;
  n: number;
  p: number;
  /** Targets (±1 for a binary classifier). */
  y: Float64Array;
  /** 1 for rows held out for early stopping. */
  validationMask: Uint8Array | undefined;
  /** Higher is better; evaluated on the held-out rows after each epoch. */
  validationScore: ((coef: Float64Array, intercept: number) => number) | undefined;
}

interface SgdResult {
  coef: Float64Array;
  intercept: number;
  nIter: number;
  /** Number of weight updates + 1, sklearn's `t_`. */
  t: number;
}

const LOSS_SQUARED = 0;
const LOSS_HINGE = 1;
const LOSS_OTHER = 2;
/** 'constant' and 'adaptive': eta only changes between epochs. */
const LR_CONSTANT = 0;
const LR_OPTIMAL = 1;
const LR_INVSCALING = 2;
const POW_QUARTER = 0;
const POW_HALF = 1;
const POW_OTHER = 2;

/** Rows gathered per block; the block's first pass touches each row to start its cache misses. */
const GATHER_BLOCK = 32;
/** Where gatherRows leaves the touched values, so the touching loads cannot be dropped as dead. */
const gatherSink = { value: 0 };

/**
 * Copies the rows in `order` into `epochRows` (and their targets into `epochY`). Visiting rows in
 * place in the SGD loop costs a dependent cache (and TLB) miss per sample; a plain gather loop
 * keeps only a few misses in flight. Touching both ends of every row of a block, and its target,
 * first with independent loads lets the CPU overlap the whole block's misses: ~4× faster than
 * the plain gather on 100k-800k rows of 10 features, before the largest cost of an epoch.
 */
function gatherRows(g: {
  rows: Float64Array;
  y: Float64Array;
  p: number;
  order: Int32Array;
  epochRows: Float64Array;
  epochY: Float64Array;
}): void {
  const { rows, y, p, order, epochRows, epochY } = g;
  const n = order.length;
  let touched = 0;
  for (let r0 = 0; r0 < n; r0 += GATHER_BLOCK) {
    const r1 = Math.min(n, r0 + GATHER_BLOCK);
    for (let r = r0; r < r1; r++) {
      const i = order[r];
      const src = i * p;
      touched += rows[src] + rows[src + p - 1] + y[i];
    }
    for (let r = r0; r < r1; r++) {
      const i = order[r];
      const src = i * p;
      const dst = r * p;
      for (let j = 0; j < p; j++) epochRows[dst + j] = rows[src + j];
      epochY[r] = y[i];
    }
  }
  gatherSink.value = touched;
}

/** One binary/regression problem by plain SGD, following scikit-learn's `_plain_sgd`. */
function plainSgd(problem: SgdProblem, params: ResolvedParams, rng: SeededRandom): SgdResult {
  const { rows, n, p, y, validationMask } = problem;
  const loss = makeLoss(params.loss, params.epsilon);
  const alpha = params.alpha;
  const penalise = params.penalty === 'l2';
  // w = wscale·v: the per-sample L2 shrinkage becomes one multiplication instead of p.
  const v = new Float64Array(p);
  let wscale = 1;
  let intercept = 0;
  let optimalInit = 0;
  if (params.learning_rate === 'optimal') {
    // Bottou's heuristic for the initial step, as in sklearn: typical weight 1/sqrt(sqrt(alpha)).
    const typw = Math.sqrt(1 / Math.sqrt(alpha));
    const initialEta0 = typw / Math.max(1, loss.dloss(-typw, 1));
    optimalInit = 1 / (initialEta0 * alpha);
  }
  let eta = params.eta0;
  let t = 1;
  // t^power_t once per sample is the single most expensive operation of the loop with Math.pow
  // (~4× the rest); the default exponents 0.25 and 0.5 are exact square roots.
  const pt = params.power_t;
  const powerCode = pt === 0.25 ? POW_QUARTER : pt === 0.5 ? POW_HALF : POW_OTHER;
  const lossCode =
    params.loss === 'squared_error' ? LOSS_SQUARED : params.loss === 'hinge' ? LOSS_HINGE : LOSS_OTHER;
  const lrCode =
    params.learning_rate === 'optimal'
      ? LR_OPTIMAL
      : params.learning_rate === 'invscaling'
        ? LR_INVSCALING
        : LR_CONSTANT;
  const eta0 = params.eta0;
  const fitIntercept = params.fit_intercept;
  const trackLoss = !params.early_stopping;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Rows in this epoch's visiting order (the data itself when not shuffling).
  const epochRows = params.shuffle ? new Float64Array(rows.length) : rows;
  const epochY = params.shuffle ? new Float64Array(n) : y;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestScore = Number.NEGATIVE_INFINITY;
  let noImprovement = 0;
  const tol = params.tol ?? Number.NEGATIVE_INFINITY;
  let epoch = 0;
  const currentCoef = (): Float64Array => v.map((x) => x * wscale);
  for (; epoch < params.max_iter; epoch++) {
    let sumLoss = 0;
    if (params.shuffle) {
      rng.shuffle(order);
      gatherRows({ rows, y, p, order, epochRows, epochY });
    }
    // The default losses (squared_error, hinge) are written out and the parameters are integer
    // codes, instead of Loss closure calls and string compares per sample (~5-10% of a fit).
    // Each sample's weight update is fused with the next training sample's dot product (one
    // pass over v instead of two). The arithmetic is the same expression for expression and in
    // the same order, so results do not change.
    let r = 0;
    if (validationMask !== undefined) while (r < n && validationMask[order[r]] === 1) r++;
    let dot = 0;
    if (r < n) {
      const base = r * p;
      for (let j = 0; j < p; j++) dot += v[j] * epochRows[base + j];
    }
    while (r < n) {
      let next = r + 1;
      if (validationMask !== undefined) {
        while (next < n && validationMask[order[next]] === 1) next++;
      }
      const base = r * p;
      const pred = dot * wscale + intercept;
      if (lrCode === LR_OPTIMAL) eta = 1 / (alpha * (optimalInit + t - 1));
      else if (lrCode === LR_INVSCALING) {
        eta =
          eta0 /
          (powerCode === POW_QUARTER
            ? Math.sqrt(Math.sqrt(t))
            : powerCode === POW_HALF
              ? Math.sqrt(t)
              : Math.exp(pt * Math.log(t)));
      }
      const yi = epochY[r];
      let dloss: number;
      switch (lossCode) {
        case LOSS_SQUARED:
          if (trackLoss) sumLoss += 0.5 * (pred - yi) * (pred - yi);
          dloss = pred - yi;
          break;
        case LOSS_HINGE: {
          const z = pred * yi;
          if (trackLoss) sumLoss += Math.max(0, 1 - z);
          dloss = z <= 1 ? -yi : 0;
          break;
        }
        default:
          if (trackLoss) sumLoss += loss.loss(pred, yi);
          dloss = loss.dloss(pred, yi);
      }
      if (dloss < -MAX_DLOSS) dloss = -MAX_DLOSS;
      else if (dloss > MAX_DLOSS) dloss = MAX_DLOSS;
      const update = -eta * dloss;
      if (penalise) {
        wscale *= Math.max(0, 1 - eta * alpha);
        if (wscale < 1e-9) {
          // Fold the scale back in before it underflows; 0 means the weights were reset to 0.
          for (let j = 0; j < p; j++) v[j] *= wscale;
          wscale = 1;
        }
      }
      let nextDot = 0;
      if (update !== 0) {
        const step = update / wscale;
        if (next < n) {
          const nextBase = next * p;
          for (let j = 0; j < p; j++) {
            const vj = v[j] + step * epochRows[base + j];
            v[j] = vj;
            nextDot += vj * epochRows[nextBase + j];
          }
        } else {
          for (let j = 0; j < p; j++) v[j] += step * epochRows[base + j];
        }
        if (fitIntercept) intercept += update;
      } else if (next < n) {
        const nextBase = next * p;
        for (let j = 0; j < p; j++) nextDot += v[j] * epochRows[nextBase + j];
      }
      dot = nextDot;
      r = next;
      t++;
    }
    if (!Number.isFinite(intercept) || !Number.isFinite(wscale) || v.some((x) => !Number.isFinite(x))) {
      throw new DataError(`SGD diverged in epoch ${epoch + 1} (weights became infinite or NaN)`, {
        hint: 'standardise the features (a scaler in the transform step) or lower eta0 / raise alpha',
      });
    }
    if (params.early_stopping && problem.validationScore) {
      const score = problem.validationScore(currentCoef(), intercept);
      if (score < bestScore + tol) noImprovement++;
      else noImprovement = 0;
      if (score > bestScore) bestScore = score;
    } else {
      if (sumLoss > bestLoss - tol * n) noImprovement++;
      else noImprovement = 0;
      if (sumLoss < bestLoss) bestLoss = sumLoss;
    }
    if (noImprovement >= params.n_iter_no_change) {
      if (params.learning_rate === 'adaptive' && eta > 1e-6) {
        eta /= 5;
        noImprovement = 0;
      } else {
        epoch++;
        break;
      }
    }
  }
  return { coef: currentCoef(), intercept, nIter: epoch, t };
}

function toRows(X: FeatureMatrix): Float64Array {
  const p = X.columns.length;
  const n = X.nRows;
  const rows = new Float64Array(n * p);
  const cols = X.columns;
  // Row by row: the writes stream and the p column reads are p sequential streams; a column
  // at a time would stride through the whole n×p array p times.
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < p; j++, k++) rows[k] = cols[j][i];
  }
  return rows;
}

function seedOf(randomState: number | null): number {
  return randomState ?? randomInt(0, 2 ** 31 - 1);
}

/** Picks ⌈fraction·n⌉ validation rows at random (stratified by class when `strata` is given). */
function validationMaskFor(n: number, fraction: number, rng: SeededRandom, strata?: Int32Array): Uint8Array {
  const mask = new Uint8Array(n);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = strata ? strata[i] : 0;
    const list = groups.get(g) ?? [];
    list.push(i);
    groups.set(g, list);
  }
  for (const list of groups.values()) {
    const idx = Int32Array.from(list);
    rng.shuffle(idx);
    const take = Math.max(1, Math.min(idx.length - 1, Math.round(fraction * idx.length)));
    for (let k = 0; k < take; k++) mask[idx[k]] = 1;
  }
  return mask;
}

function readParamsAndState(
  state: EstimatorState,
  name: string,
): { params: Record<string, unknown>; s: Record<string, unknown> } {
  expectEstimatorName(state, name);
  return { params: asRecord(state.params), s: asRecord(state.state) };
}

function readFloatRows(value: unknown, key: string, estimator: string): Float64Array[] {
  if (
    !Array.isArray(value) ||
    !value.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))
  ) {
    throw new DataError(`${estimator}: saved state field "${key}" must be an array of number arrays`, {
      hint: 'the model file is corrupt or was written by an incompatible version; retrain the model',
    });
  }
  return value.map((r: number[]) => Float64Array.from(r));
}

export class SGDRegressor implements Regressor {
  readonly kind = 'regressor' as const;
  static readonly estimatorName = 'sgd_regressor';
  readonly params: ResolvedParams;
  coef: Float64Array | undefined;
  intercept = 0;
  nIter = 0;
  t = 0;

  constructor(params: SGDRegressorParams = {}) {
    this.params = resolveParams(
      SGDRegressor.estimatorName,
      params,
      { loss: 'squared_error', learning_rate: 'invscaling', eta0: 0.01, power_t: 0.25 },
      ['squared_error', 'huber', 'epsilon_insensitive'],
    );
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    validateTrainingData(X, y.length, SGDRegressor.estimatorName);
    validateTargets(y, SGDRegressor.estimatorName);
    const rng = new SeededRandom(seedOf(this.params.random_state));
    const rows = toRows(X);
    const n = X.nRows;
    const p = X.columns.length;
    let validationMask: Uint8Array | undefined;
    let validationScore: SgdProblem['validationScore'];
    if (this.params.early_stopping) {
      const mask = validationMaskFor(n, this.params.validation_fraction, rng);
      validationMask = mask;
      // sklearn scores regressors by R² on the held-out rows.
      validationScore = (coef, intercept) => {
        let ssRes = 0;
        let sum = 0;
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (!mask[i]) continue;
          sum += y[i];
          count++;
        }
        const m = sum / count;
        let ssTot = 0;
        for (let i = 0; i < n; i++) {
          if (!mask[i]) continue;
          let pred = intercept;
          for (let j = 0; j < p; j++) pred += coef[j] * rows[i * p + j];
          ssRes += (y[i] - pred) ** 2;
          ssTot += (y[i] - m) ** 2;
        }
        return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
      };
    }
    const res = plainSgd({ rows, n, p, y, validationMask, validationScore }, this.params, rng);
    this.coef = res.coef;
    this.intercept = res.intercept;
    this.nIter = res.nIter;
    this.t = res.t;
  }

  predict(X: FeatureMatrix): Float64Array {
    const coef = requireFitted(this.coef, SGDRegressor.estimatorName);
    return predictLinear(X, coef, this.intercept, SGDRegressor.estimatorName);
  }

  toJSON(): EstimatorState {
    const coef = requireFitted(this.coef, SGDRegressor.estimatorName);
    return {
      name: SGDRegressor.estimatorName,
      params: { ...this.params },
      state: { coef: Array.from(coef), intercept: this.intercept, n_iter: this.nIter, t: this.t },
    };
  }

  static fromJSON(state: EstimatorState): SGDRegressor {
    const { params, s } = readParamsAndState(state, SGDRegressor.estimatorName);
    const model = new SGDRegressor(params as SGDRegressorParams);
    model.coef = readFloatRows([s.coef], 'coef', SGDRegressor.estimatorName)[0];
    if (typeof s.intercept !== 'number') {
      throw new DataError(`${SGDRegressor.estimatorName}: saved state field "intercept" must be a number`);
    }
    model.intercept = s.intercept;
    model.nIter = Number(s.n_iter ?? 0);
    model.t = Number(s.t ?? 0);
    return model;
  }
}

export class SGDClassifier implements Classifier {
  readonly kind = 'classifier' as const;
  static readonly estimatorName = 'sgd_classifier';
  readonly params: ResolvedParams;
  /** One row per binary model: 1 for two classes, nClasses for one-vs-rest. */
  coef: Float64Array[] | undefined;
  intercept: Float64Array | undefined;
  nClasses = 0;
  nIter = 0;

  constructor(params: SGDClassifierParams = {}) {
    this.params = resolveParams(
      SGDClassifier.estimatorName,
      params,
      { loss: 'hinge', learning_rate: 'optimal', eta0: 0, power_t: 0.5 },
      ['hinge', 'log_loss', 'modified_huber'],
    );
  }

  /** Whether `predictProba` is available: scikit-learn offers it only for log_loss and modified_huber. */
  get hasPredictProba(): boolean {
    return this.params.loss === 'log_loss' || this.params.loss === 'modified_huber';
  }

  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void {
    validateTrainingData(X, y.length, SGDClassifier.estimatorName);
    validateClassLabels(y, nClasses, SGDClassifier.estimatorName);
    const rng = new SeededRandom(seedOf(this.params.random_state));
    const rows = toRows(X);
    const n = X.nRows;
    const p = X.columns.length;
    const validationMask = this.params.early_stopping
      ? validationMaskFor(n, this.params.validation_fraction, rng, y)
      : undefined;
    // sklearn scores classifiers by accuracy on the held-out rows; for one binary model of an
    // OvR fit that is the accuracy of its ±1 decision.
    const scoreBinary =
      (target: Float64Array) =>
      (coef: Float64Array, intercept: number): number => {
        if (!validationMask) return 0;
        let hits = 0;
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (!validationMask[i]) continue;
          let d = intercept;
          for (let j = 0; j < p; j++) d += coef[j] * rows[i * p + j];
          if ((d > 0 ? 1 : -1) === target[i]) hits++;
          count++;
        }
        return hits / count;
      };
    const models = nClasses === 2 ? [1] : Array.from({ length: nClasses }, (_, k) => k);
    const coef: Float64Array[] = [];
    const intercept = new Float64Array(models.length);
    this.nIter = 0;
    for (let m = 0; m < models.length; m++) {
      const positive = models[m];
      const target = new Float64Array(n);
      for (let i = 0; i < n; i++) target[i] = y[i] === positive ? 1 : -1;
      // Each OvR model gets its own stream, derived from the estimator's, as sklearn seeds each.
      const modelRng = new SeededRandom(rng.nextUint32());
      const res = plainSgd(
        {
          rows,
          n,
          p,
          y: target,
          validationMask,
          validationScore: validationMask ? scoreBinary(target) : undefined,
        },
        this.params,
        modelRng,
      );
      coef.push(res.coef);
      intercept[m] = res.intercept;
      this.nIter = Math.max(this.nIter, res.nIter);
    }
    this.coef = coef;
    this.intercept = intercept;
    this.nClasses = nClasses;
  }

  /** Decision values, one Float64Array per binary model (sklearn's `decision_function`). */
  decisionFunction(X: FeatureMatrix): Float64Array[] {
    const coef = requireFitted(this.coef, SGDClassifier.estimatorName);
    const intercept = requireFitted(this.intercept, SGDClassifier.estimatorName);
    return predictLinearMany(X, coef, intercept, SGDClassifier.estimatorName);
  }

  predict(X: FeatureMatrix): Int32Array {
    const scores = this.decisionFunction(X);
    if (scores.length === 1) {
      // A plain loop: TypedArray.from with a mapping callback is ~10× slower on large inputs.
      const out = new Int32Array(X.nRows);
      for (let i = 0; i < out.length; i++) out[i] = scores[0][i] > 0 ? 1 : 0;
      return out;
    }
    return argmaxRows(scores, X.nRows);
  }

  /**
   * log_loss: the logistic of each decision value; modified_huber: (clip(d, −1, 1) + 1) / 2. For
   * one-vs-rest the per-class values are normalised to sum to 1 (a row of zeros becomes uniform),
   * as sklearn does. hinge has no probabilities: check `hasPredictProba` first.
   */
  predictProba(X: FeatureMatrix): Float64Array[] {
    if (!this.hasPredictProba) {
      throw new DataError(
        `${SGDClassifier.estimatorName}: predict_proba is not available for loss='${this.params.loss}'`,
        {
          hint: "use loss='log_loss' or 'modified_huber' when probabilities (roc_auc, log_loss) are needed",
        },
      );
    }
    const scores = this.decisionFunction(X);
    const link =
      this.params.loss === 'log_loss'
        ? (d: number) => (d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d)))
        : (d: number) => (Math.min(1, Math.max(-1, d)) + 1) / 2;
    if (scores.length === 1) {
      const p1 = scores[0].map(link);
      return [p1.map((x) => 1 - x), p1];
    }
    const K = scores.length;
    const out = scores.map((col) => col.map(link));
    for (let i = 0; i < X.nRows; i++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[k][i];
      for (let k = 0; k < K; k++) out[k][i] = sum === 0 ? 1 / K : out[k][i] / sum;
    }
    return out;
  }

  toJSON(): EstimatorState {
    const coef = requireFitted(this.coef, SGDClassifier.estimatorName);
    const intercept = requireFitted(this.intercept, SGDClassifier.estimatorName);
    return {
      name: SGDClassifier.estimatorName,
      params: { ...this.params },
      state: {
        n_classes: this.nClasses,
        coef: coef.map((r) => Array.from(r)),
        intercept: Array.from(intercept),
        n_iter: this.nIter,
      },
    };
  }

  static fromJSON(state: EstimatorState): SGDClassifier {
    const { params, s } = readParamsAndState(state, SGDClassifier.estimatorName);
    const model = new SGDClassifier(params as SGDClassifierParams);
    model.coef = readFloatRows(s.coef, 'coef', SGDClassifier.estimatorName);
    model.intercept = readFloatRows([s.intercept], 'intercept', SGDClassifier.estimatorName)[0];
    model.nClasses = Number(s.n_classes);
    model.nIter = Number(s.n_iter ?? 0);
    return model;
  }
}
