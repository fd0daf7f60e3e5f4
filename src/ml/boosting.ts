/**
 * Histogram gradient boosting: HistGradientBoostingRegressor (squared error) and
 * HistGradientBoostingClassifier (binary log loss; multiclass softmax with one tree per class
 * per iteration), with scikit-learn 1.2's parameter names and defaults.
 *
 * A fit bins the training rows once (at most `max_bins` value bins plus one for missing values,
 * binning.ts), then each iteration computes every row's gradient and hessian from the current
 * raw predictions and grows a tree on them (trees/boost-grow.ts: best-first up to
 * `max_leaf_nodes`, histogram subtraction). Training raw predictions are updated from the
 * grower's leaves, validation ones by walking the new tree. Early stopping ("auto": on above
 * 10 000 rows) holds out `validation_fraction` of the rows and stops when the validation loss
 * has not improved by `tol` over the last `n_iter_no_change` iterations, as scikit-learn's
 * `_should_stop`. Split thresholds are the bins' upper edges, so predicting on raw columns sends
 * every value where its bin went in training.
 *
 * `categorical_features` (scikit-learn 1.2: a boolean mask or column indices; ours also takes
 * feature names) marks features whose values are category codes 0..max_bins-1: they get one bin
 * per category and native categorical splits (trees/boost-grow.ts), and predict sends a row by
 * the split's bitset of raw categories. A category unseen in training, a negative or non-integer
 * code and NaN follow the node's missing-value side, as scikit-learn treats unknown categories.
 */
import { DataError } from '../errors.js';
import { BinMapper, createRng } from './binning.js';
import { HistogramHelpers, threadsFor } from './ensemble-threads.js';
import type { TreeStructure } from './decision-tree.js';
import { type FlatForest, flatten, forestFromJSON, forestToJSON } from './forest.js';
import { BoostGrower, CAT_BITSET_WORDS, PARALLEL_MIN_ROWS } from './trees/boost-grow.js';
import { addForestOutputs } from './trees/forest-predict.js';
import { checkStateName, damagedState } from './trees/tree-state.js';
import type { Classifier, EstimatorState, FeatureMatrix, Regressor } from './types.js';

export interface HistGradientBoostingParams {
  /** 'squared_error' (regressor) or 'log_loss' (classifier). */
  loss?: string;
  learning_rate?: number;
  max_iter?: number;
  /** null: no limit (then max_depth or min_samples_leaf bound the trees). */
  max_leaf_nodes?: number | null;
  max_depth?: number | null;
  min_samples_leaf?: number;
  l2_regularization?: number;
  /** Value bins per feature, 2..255; missing values get one more. */
  max_bins?: number;
  /** 'auto' (on above 10 000 rows), true or false. */
  early_stopping?: 'auto' | boolean;
  /**
   * Categorical features: a boolean mask over the features, their indices, or their names (the
   * matrix's `featureNames`). null: none.
   */
  categorical_features?: CategoricalFeatures;
  validation_fraction?: number;
  n_iter_no_change?: number;
  tol?: number;
  random_state?: number | null;
  /**
   * Threads building the histograms (mlrecipe's, as scikit-learn 1.2 takes its OpenMP thread
   * count from the environment): null means every core (1 inside a sweep's worker thread), -1
   * every core, k that many. The model is the same for any value.
   */
  n_jobs?: number | null;
}

export interface ResolvedBoostingParams {
  loss: string;
  learning_rate: number;
  max_iter: number;
  max_leaf_nodes: number | null;
  max_depth: number | null;
  min_samples_leaf: number;
  l2_regularization: number;
  max_bins: number;
  early_stopping: 'auto' | boolean;
  categorical_features: CategoricalFeatures;
  validation_fraction: number;
  n_iter_no_change: number;
  tol: number;
  random_state: number | null;
  n_jobs: number | null;
}

type Task = 'regression' | 'classification';

/** scikit-learn 1.2's `categorical_features` forms; names match the matrix's `featureNames`. */
export type CategoricalFeatures = readonly boolean[] | readonly number[] | readonly string[] | null;

function checkCategoricalParam(v: unknown): CategoricalFeatures {
  if (v === null) return null;
  const hint =
    'give a list of feature names, of column indices, or one true/false per feature (e.g. categorical_features: [cat__city])';
  if (!Array.isArray(v)) {
    throw new DataError(`categorical_features must be a list or null, got ${JSON.stringify(v)}`, { hint });
  }
  const kinds = new Set<string>(v.map((x) => typeof x));
  if (kinds.size > 1 || (kinds.size === 1 && !['boolean', 'number', 'string'].some((k) => kinds.has(k)))) {
    throw new DataError(
      `categorical_features must hold only booleans, only integers or only names, got ${JSON.stringify(v)}`,
      { hint },
    );
  }
  if (kinds.has('number') && !v.every((x) => Number.isInteger(x))) {
    throw new DataError(`categorical_features indices must be integers, got ${JSON.stringify(v)}`, { hint });
  }
  return v as CategoricalFeatures;
}

function resolveParams(params: HistGradientBoostingParams, task: Task): ResolvedBoostingParams {
  const p: ResolvedBoostingParams = {
    loss: params.loss ?? (task === 'regression' ? 'squared_error' : 'log_loss'),
    learning_rate: params.learning_rate ?? 0.1,
    max_iter: params.max_iter ?? 100,
    max_leaf_nodes: params.max_leaf_nodes === undefined ? 31 : params.max_leaf_nodes,
    max_depth: params.max_depth ?? null,
    min_samples_leaf: params.min_samples_leaf ?? 20,
    l2_regularization: params.l2_regularization ?? 0,
    max_bins: params.max_bins ?? 255,
    early_stopping: params.early_stopping ?? 'auto',
    categorical_features: checkCategoricalParam(params.categorical_features ?? null),
    validation_fraction: params.validation_fraction ?? 0.1,
    n_iter_no_change: params.n_iter_no_change ?? 10,
    tol: params.tol ?? 1e-7,
    random_state: params.random_state ?? null,
    n_jobs: params.n_jobs ?? null,
  };
  const wanted = task === 'regression' ? 'squared_error' : 'log_loss';
  if (p.loss !== wanted) {
    throw new DataError(`loss '${p.loss}' is not supported here; use '${wanted}'`);
  }
  const int = (name: keyof ResolvedBoostingParams, v: unknown, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new DataError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
  };
  if (!(p.learning_rate > 0)) throw new DataError(`learning_rate must be > 0, got ${p.learning_rate}`);
  int('max_iter', p.max_iter, 1);
  if (p.max_leaf_nodes !== null) int('max_leaf_nodes', p.max_leaf_nodes, 2);
  if (p.max_depth !== null) int('max_depth', p.max_depth, 1);
  int('min_samples_leaf', p.min_samples_leaf, 1);
  if (!(p.l2_regularization >= 0)) {
    throw new DataError(`l2_regularization must be >= 0, got ${p.l2_regularization}`);
  }
  int('max_bins', p.max_bins, 2);
  if (p.max_bins > 255) throw new DataError(`max_bins must be at most 255, got ${p.max_bins}`);
  if (p.early_stopping !== 'auto' && typeof p.early_stopping !== 'boolean') {
    throw new DataError(
      `early_stopping must be 'auto', true or false, got ${JSON.stringify(p.early_stopping)}`,
    );
  }
  if (!(p.validation_fraction > 0 && p.validation_fraction < 1)) {
    throw new DataError(`validation_fraction must be in (0, 1), got ${p.validation_fraction}`);
  }
  int('n_iter_no_change', p.n_iter_no_change, 1);
  if (!(p.tol >= 0)) throw new DataError(`tol must be >= 0, got ${p.tol}`);
  if (p.random_state !== null && !Number.isInteger(p.random_state)) {
    throw new DataError(`random_state must be an integer or null, got ${JSON.stringify(p.random_state)}`);
  }
  if (p.n_jobs !== null && (!Number.isInteger(p.n_jobs) || p.n_jobs === 0)) {
    throw new DataError(
      `n_jobs must be null, a positive integer, or -1 for every core; got ${String(p.n_jobs)}`,
    );
  }
  return p;
}

/** The loss of a task: baseline, gradients and hessians, and the mean loss. */
interface Loss {
  /** Raw outputs per row (K for multiclass, else 1). */
  K: number;
  /** Constant hessian (squared error): the grower needs no hessian array. */
  constantHessian: boolean;
  baseline(rows: Uint32Array): Float64Array;
  /** Fills grad/hess (each n × K, column k at k * n) from raw (row-major n × K). */
  gradients(raw: Float64Array, rows: Uint32Array, grad: Float64Array, hess: Float64Array): void;
  meanLoss(raw: Float64Array, rows: Uint32Array): number;
}

function squaredError(y: Float64Array): Loss {
  return {
    K: 1,
    constantHessian: true,
    baseline(rows) {
      let s = 0;
      for (const i of rows) s += y[i];
      return Float64Array.of(s / rows.length);
    },
    gradients(raw, rows, grad) {
      for (const i of rows) grad[i] = raw[i] - y[i];
    },
    meanLoss(raw, rows) {
      let s = 0;
      for (const i of rows) s += (raw[i] - y[i]) ** 2;
      return (0.5 * s) / rows.length;
    },
  };
}

const EPS = 2.220446049250313e-16;

function binaryLogLoss(y: Int32Array): Loss {
  return {
    K: 1,
    constantHessian: false,
    baseline(rows) {
      let s = 0;
      for (const i of rows) s += y[i];
      const p = Math.min(Math.max(s / rows.length, EPS), 1 - EPS);
      return Float64Array.of(Math.log(p / (1 - p)));
    },
    gradients(raw, rows, grad, hess) {
      for (const i of rows) {
        const p = 1 / (1 + Math.exp(-raw[i]));
        grad[i] = p - y[i];
        hess[i] = p * (1 - p);
      }
    },
    meanLoss(raw, rows) {
      let s = 0;
      for (const i of rows) {
        const r = raw[i];
        // log(1 + e^r) - y r, computed without overflow.
        s += (r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r))) - y[i] * r;
      }
      return s / rows.length;
    },
  };
}

function multinomialLoss(y: Int32Array, K: number): Loss {
  const p = new Float64Array(K);
  const softmax = (raw: Float64Array, i: number) => {
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (raw[i * K + k] > max) max = raw[i * K + k];
    let sum = 0;
    for (let k = 0; k < K; k++) {
      p[k] = Math.exp(raw[i * K + k] - max);
      sum += p[k];
    }
    for (let k = 0; k < K; k++) p[k] /= sum;
    return Math.log(sum) + max; // logsumexp
  };
  return {
    K,
    constantHessian: false,
    baseline(rows) {
      const counts = new Float64Array(K);
      for (const i of rows) counts[y[i]]++;
      const out = new Float64Array(K);
      let mean = 0;
      for (let k = 0; k < K; k++) {
        out[k] = Math.log(Math.min(Math.max(counts[k] / rows.length, EPS), 1 - EPS));
        mean += out[k] / K;
      }
      // Softmax ignores a common shift; centred as scikit-learn's multinomial loss does.
      for (let k = 0; k < K; k++) out[k] -= mean;
      return out;
    },
    gradients(raw, rows, grad, hess) {
      const n = grad.length / K;
      for (const i of rows) {
        softmax(raw, i);
        for (let k = 0; k < K; k++) {
          grad[k * n + i] = p[k] - (y[i] === k ? 1 : 0);
          hess[k * n + i] = p[k] * (1 - p[k]);
        }
      }
    },
    meanLoss(raw, rows) {
      let s = 0;
      for (const i of rows) s += softmax(raw, i) - raw[i * K + y[i]];
      return s / rows.length;
    },
  };
}

/**
 * The categorical part of a fitted model: which nodes split on categories, their bitsets of raw
 * categories going left, and each categorical feature's known categories.
 */
interface CategoricalState {
  /** Per node of the flat forest: index of its bitset, or -1 for a numeric split or a leaf. */
  catIndex: Int32Array;
  /** CAT_BITSET_WORDS words per categorical split. */
  bitsets: Uint32Array;
  /** Per feature: sorted training categories when categorical, else null. */
  known: (Float64Array | null)[];
  /** The same as bitsets (for "known, so not missing" at predict). */
  knownBits: (Uint32Array | null)[];
}

function bitsetOf(categories: Float64Array): Uint32Array {
  const bits = new Uint32Array(CAT_BITSET_WORDS);
  for (const c of categories) bits[c >>> 5] |= 1 << (c & 31);
  return bits;
}

const inBitset = (bits: Uint32Array, at: number, c: number) =>
  ((bits[at + (c >>> 5)] >>> (c & 31)) & 1) === 1;

/** Adds tree t's leaf values into raw[i * K + k] for the given rows of X. */
function addTree(
  forest: FlatForest,
  cat: CategoricalState | null,
  t: number,
  columns: Float64Array[],
  raw: Float64Array,
  K: number,
  k: number,
  nRows: number,
): void {
  const { feature, threshold, left, right, missingLeft, value } = forest;
  const o = forest.offsets[t];
  const catIndex = cat?.catIndex;
  for (let i = 0; i < nRows; i++) {
    let node = o;
    while (left[node] !== -1) {
      const x = columns[feature[node]][i];
      const ci = catIndex ? catIndex[node] : -1;
      if (ci >= 0) {
        // scikit-learn's predictor: in the left bitset → left; another known category → right;
        // anything else (NaN, negative, unseen, not a code) is treated as missing.
        const c = x >= 0 && x < 256 && Number.isInteger(x) ? x : -1;
        const known = (cat as CategoricalState).knownBits[feature[node]] as Uint32Array;
        if (c >= 0 && inBitset((cat as CategoricalState).bitsets, ci * CAT_BITSET_WORDS, c))
          node = o + left[node];
        else if (c >= 0 && inBitset(known, 0, c)) node = o + right[node];
        else node = o + (missingLeft[node] === 1 ? left[node] : right[node]);
        continue;
      }
      const th = threshold[node];
      if (x <= th) node = o + left[node];
      else if (x > th) node = o + right[node];
      else node = o + (missingLeft[node] === 1 ? left[node] : right[node]);
    }
    raw[i * K + k] += value[node];
  }
}

/** The categorical state of trees flattened in this order, or null when none splits on categories. */
function categoricalState(
  grown: { nNodes: number; catNodes: number[]; catBitsets: Uint32Array[] }[],
  known: (Float64Array | null)[] | null,
): CategoricalState | null {
  if (known === null) return null;
  let total = 0;
  for (const g of grown) total += g.nNodes;
  const catIndex = new Int32Array(total).fill(-1);
  const words: Uint32Array[] = [];
  let offset = 0;
  for (const g of grown) {
    g.catNodes.forEach((node, q) => {
      catIndex[offset + node] = words.length;
      words.push(g.catBitsets[q]);
    });
    offset += g.nNodes;
  }
  const bitsets = new Uint32Array(words.length * CAT_BITSET_WORDS);
  words.forEach((w, q) => bitsets.set(w, q * CAT_BITSET_WORDS));
  return { catIndex, bitsets, known, knownBits: known.map((c) => (c ? bitsetOf(c) : null)) };
}

/** The boolean mask `categorical_features` stands for over these features, or null for none. */
function categoricalMask(spec: CategoricalFeatures, X: FeatureMatrix): Uint8Array | null {
  if (spec === null || spec.length === 0) return null;
  const F = X.columns.length;
  const mask = new Uint8Array(F);
  const hint = 'categorical_features names the features the estimator receives (see docs/model-steps.md)';
  if (typeof spec[0] === 'boolean') {
    if (spec.length !== F) {
      throw new DataError(
        `categorical_features is a boolean mask of ${spec.length} values, but there are ${F} features`,
        { hint },
      );
    }
    spec.forEach((v, j) => (mask[j] = v ? 1 : 0));
  } else if (typeof spec[0] === 'number') {
    for (const j of spec as readonly number[]) {
      if (j < 0 || j >= F) {
        throw new DataError(`categorical_features index ${j} is outside 0..${F - 1}`, { hint });
      }
      mask[j] = 1;
    }
  } else {
    const names = X.featureNames;
    if (!names) {
      throw new DataError('categorical_features holds names, but the feature matrix has no feature names', {
        hint: 'give column indices or a boolean mask instead',
      });
    }
    for (const name of spec as readonly string[]) {
      const j = resolveFeatureName(names, name);
      if (j < 0) {
        throw new DataError(
          `categorical_features names '${name}', which is not a feature (features: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''})`,
          { hint },
        );
      }
      mask[j] = 1;
    }
  }
  return mask.some((v) => v === 1) ? mask : null;
}

/**
 * A name's feature index: the exact feature name, else the one feature whose name is this name
 * after the transformer's `num__`/`cat__` prefix (so a recipe may say `city` for `cat__city`).
 */
function resolveFeatureName(names: readonly string[], name: string): number {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const matches: number[] = [];
  names.forEach((n, j) => {
    const cut = n.indexOf('__');
    if (cut >= 0 && n.slice(cut + 2) === name) matches.push(j);
  });
  return matches.length === 1 ? matches[0] : -1;
}

/**
 * Each categorical feature's sorted distinct categories over all of X (before the early-stopping
 * split, as scikit-learn), checked as scikit-learn 1.2 checks them: at most max_bins categories,
 * codes below max_bins; ours also rejects negative and non-integer codes, which 1.2 would bin as
 * categories at fit but treat as missing at predict.
 */
function knownCategories(X: FeatureMatrix, mask: Uint8Array, maxBins: number): (Float64Array | null)[] {
  const leaveOut = 'or leave the feature out of categorical_features';
  return X.columns.map((column, j) => {
    if (mask[j] === 0) return null;
    const name = X.featureNames?.[j] !== undefined ? `'${X.featureNames[j]}'` : `at index ${j}`;
    const seen = new Set<number>();
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (v !== v) continue;
      if (!Number.isInteger(v) || v < 0) {
        throw new DataError(
          `categorical feature ${name} holds ${v} at row ${i}; category codes must be non-negative integers`,
          { hint: `encode the categories as integer codes 0..${maxBins - 1} (NaN for missing), ${leaveOut}` },
        );
      }
      seen.add(v);
    }
    if (seen.size > maxBins) {
      throw new DataError(
        `categorical feature ${name} has ${seen.size} categories; HistGradientBoosting takes at most max_bins (${maxBins}, at most 255)`,
        { hint: `group rare categories (the transformer's max_categories or min_frequency), ${leaveOut}` },
      );
    }
    const out = Float64Array.from(seen).sort();
    if (out[out.length - 1] >= maxBins) {
      throw new DataError(
        `categorical feature ${name} holds code ${out[out.length - 1]}; category codes must be below max_bins (${maxBins})`,
        { hint: `encode the categories as codes 0..${maxBins - 1} (an ordinal encoding), ${leaveOut}` },
      );
    }
    return out;
  });
}

interface Fitted {
  forest: FlatForest;
  cat: CategoricalState | null;
  /** Raw output per class before any tree (K values; 1 for regression and binary). */
  baseline: Float64Array;
  importances: Float64Array;
  trainLoss: number[];
  validationLoss: number[];
}

abstract class BaseHistGradientBoosting {
  readonly params: ResolvedBoostingParams;
  protected fitted: Fitted | null = null;

  protected constructor(params: HistGradientBoostingParams, task: Task) {
    this.params = resolveParams(params, task);
  }

  protected get state(): Fitted {
    if (this.fitted === null)
      throw new DataError(`${this.constructor.name} is not fitted yet; call fit() first`);
    return this.fitted;
  }

  /** Iterations run (fewer than max_iter when early stopping stopped the fit). */
  get n_iter_(): number {
    return (this.state.forest.offsets.length - 1) / this.state.baseline.length;
  }

  /** Split gains per feature, normalised to sum 1 (scikit-learn's HistGradientBoosting has none). */
  get feature_importances_(): Float64Array {
    return this.state.importances;
  }

  /**
   * With categorical_features set, a recipe's one-hot encoded columns reach this model as one
   * column of category codes each (src/ml/encoded-matrix.ts `categoryCodeFeatures`).
   */
  get readsCategoryCodes(): boolean {
    const spec = this.params.categorical_features;
    return spec !== null && spec.length > 0;
  }

  /** Per feature: whether it was fitted as categorical (scikit-learn's `is_categorical_`); null when none was. */
  get is_categorical_(): boolean[] | null {
    const cat = this.state.cat;
    return cat ? cat.known.map((c) => c !== null) : null;
  }

  /** Mean loss on the training rows before the first tree and after each iteration. */
  get train_loss_(): number[] {
    return this.state.trainLoss;
  }

  /** The same on the held-out rows when early stopping was on; empty otherwise. */
  get validation_loss_(): number[] {
    return this.state.validationLoss;
  }

  /** `lossFor(rows)`: the loss of the targets of those rows, indexed 0..rows.length-1. */
  protected boost(X: FeatureMatrix, lossFor: (rows: Uint32Array) => Loss): void {
    const p = this.params;
    const N = X.nRows;
    const mask = categoricalMask(p.categorical_features, X);
    const known = mask ? knownCategories(X, mask, p.max_bins) : null;
    const earlyStopping = p.early_stopping === 'auto' ? N > 10_000 : p.early_stopping;
    // Held-out rows for early stopping: a seeded shuffle, as scikit-learn's train_test_split.
    const order = new Uint32Array(N);
    for (let i = 0; i < N; i++) order[i] = i;
    let nVal = 0;
    if (earlyStopping) {
      const rng = createRng(p.random_state);
      for (let i = N - 1; i > 0; i--) {
        const r = Math.floor(rng() * (i + 1));
        const t = order[i];
        order[i] = order[r];
        order[r] = t;
      }
      nVal = Math.ceil(p.validation_fraction * N);
      if (nVal >= N)
        throw new DataError(`validation_fraction ${p.validation_fraction} leaves no training rows`);
    }
    const valRows = order.slice(0, nVal).sort();
    const trainRows = order.slice(nVal).sort();
    const nTrain = trainRows.length;
    const trainX: FeatureMatrix = {
      nRows: nTrain,
      columns: X.columns.map((c) => (nVal === 0 ? c : Float64Array.from(trainRows, (i) => c[i]))),
    };
    const valX: FeatureMatrix = {
      nRows: nVal,
      columns: X.columns.map((c) => Float64Array.from(valRows, (i) => c[i])),
    };
    // Fits too small for any node to use the helpers start none.
    const threads = threadsFor(p.n_jobs, 'all');
    const parallel = threads > 1 && X.columns.length > 1 && nTrain >= PARALLEL_MIN_ROWS;
    // Shared memory for what helper threads read: the codes, the rows, gradients and hessians.
    const alloc = <T extends Float64Array | Uint32Array>(
      Ctor: new (b: ArrayBufferLike) => T,
      n: number,
      bytes: number,
    ): T => new Ctor(parallel ? new SharedArrayBuffer(n * bytes) : new ArrayBuffer(n * bytes));
    const { mapper, binned } = BinMapper.fitTransform(trainX, {
      maxBins: p.max_bins + 1,
      randomState: p.random_state,
      shared: parallel,
      ...(known ? { categories: known } : {}),
    });
    const grower = new BoostGrower(
      {
        codes: binned.codes,
        nFeatures: binned.nFeatures,
        nRows: nTrain,
        mapper,
        ...(known ? { categories: known } : {}),
      },
      {
        maxLeafNodes: p.max_leaf_nodes,
        maxDepth: p.max_depth,
        minSamplesLeaf: p.min_samples_leaf,
        l2: p.l2_regularization,
        learningRate: p.learning_rate,
      },
    );
    const loss = lossFor(trainRows);
    const valLoss = lossFor(valRows);
    const K = loss.K;
    const identity = new Uint32Array(nTrain);
    for (let i = 0; i < nTrain; i++) identity[i] = i;
    const baseline = loss.baseline(identity);
    const trainRaw = new Float64Array(nTrain * K);
    const valRaw = new Float64Array(nVal * K);
    for (let i = 0; i < nTrain; i++) for (let k = 0; k < K; k++) trainRaw[i * K + k] = baseline[k];
    for (let i = 0; i < nVal; i++) for (let k = 0; k < K; k++) valRaw[i * K + k] = baseline[k];
    const valIdentity = new Uint32Array(nVal);
    for (let i = 0; i < nVal; i++) valIdentity[i] = i;
    const grad = alloc(Float64Array, nTrain * K, 8);
    const hess = alloc(Float64Array, nTrain * K, 8);
    const rows = alloc(Uint32Array, nTrain, 4);
    const helpers = parallel
      ? new HistogramHelpers({
          threads,
          codes: binned.codes,
          nFeatures: binned.nFeatures,
          ...grower.layout,
          rows,
          grad,
          hess,
        })
      : null;
    if (helpers) grower.useHelpers(helpers);
    const trees: TreeStructure[] = [];
    const catParts: { nNodes: number; catNodes: number[]; catBitsets: Uint32Array[] }[] = [];
    const gains = new Float64Array(X.columns.length);
    const trainLoss = [loss.meanLoss(trainRaw, identity)];
    const validationLoss = earlyStopping ? [valLoss.meanLoss(valRaw, valIdentity)] : [];
    try {
      for (let iter = 0; iter < p.max_iter; iter++) {
        loss.gradients(trainRaw, identity, grad, hess);
        const built: TreeStructure[] = [];
        const builtCat: typeof catParts = [];
        for (let k = 0; k < K; k++) {
          rows.set(identity);
          const g = grad.subarray(k * nTrain, (k + 1) * nTrain);
          const h = loss.constantHessian ? null : hess.subarray(k * nTrain, (k + 1) * nTrain);
          const grown = grower.grow(rows, g, h);
          for (let l = 0; l < grown.leafStart.length; l++) {
            const v = grown.leafValue[l];
            for (let q = grown.leafStart[l]; q < grown.leafEnd[l]; q++) trainRaw[rows[q] * K + k] += v;
          }
          for (let j = 0; j < gains.length; j++) gains[j] += grown.gains[j];
          built.push(grown.tree);
          builtCat.push({
            nNodes: grown.tree.feature.length,
            catNodes: grown.catNodes,
            catBitsets: grown.catBitsets,
          });
        }
        trees.push(...built);
        catParts.push(...builtCat);
        trainLoss.push(loss.meanLoss(trainRaw, identity));
        if (earlyStopping) {
          const partial = flatten(built, X.columns.length, 1);
          const partialCat = categoricalState(builtCat, known);
          for (let k = 0; k < K; k++) addTree(partial, partialCat, k, valX.columns, valRaw, K, k, nVal);
          validationLoss.push(valLoss.meanLoss(valRaw, valIdentity));
          if (shouldStop(validationLoss, p.n_iter_no_change, p.tol)) break;
        }
      }
    } finally {
      helpers?.close();
    }
    let total = 0;
    for (const v of gains) total += v;
    if (total > 0) for (let j = 0; j < gains.length; j++) gains[j] /= total;
    this.fitted = {
      forest: flatten(trees, X.columns.length, 1),
      cat: categoricalState(catParts, known),
      baseline,
      importances: gains,
      trainLoss,
      validationLoss,
    };
  }

  /** Raw outputs (row-major nRows × K): baseline plus every tree's leaf value, in tree order. */
  protected rawPredict(X: FeatureMatrix): Float64Array {
    const { forest, cat, baseline } = this.state;
    if (X.columns.length !== forest.nFeatures) {
      throw new DataError(
        `the model was trained on ${forest.nFeatures} features but got ${X.columns.length}`,
        {
          hint: 'transform prediction data with the same transformer used for training',
        },
      );
    }
    const K = baseline.length;
    const raw = new Float64Array(X.nRows * K);
    for (let i = 0; i < X.nRows; i++) for (let k = 0; k < K; k++) raw[i * K + k] = baseline[k];
    if (cat === null) {
      addForestOutputs(forest, X.columns, X.nRows, raw, K);
      return raw;
    }
    // Categorical splits route by bitsets: the row-by-row loop.
    const T = forest.offsets.length - 1;
    for (let t = 0; t < T; t++) addTree(forest, cat, t, X.columns, raw, K, t % K, X.nRows);
    return raw;
  }

  protected stateJSON(): Record<string, unknown> {
    const s = this.state;
    return {
      ...forestToJSON(s.forest, s.importances, undefined),
      baseline: Array.from(s.baseline),
      n_trees_per_iteration: s.baseline.length,
      train_loss: s.trainLoss,
      validation_loss: s.validationLoss,
      ...(s.cat ? { categorical: categoricalToJSON(s.cat) } : {}),
    };
  }

  protected loadState(name: string, state: Record<string, unknown>): void {
    const { forest, importances } = forestFromJSON(name, state);
    const baseline = state.baseline;
    const K = state.n_trees_per_iteration;
    if (
      !Array.isArray(baseline) ||
      baseline.length !== K ||
      typeof K !== 'number' ||
      (forest.offsets.length - 1) % K !== 0
    ) {
      throw damagedState(name, "'baseline' and 'n_trees_per_iteration' do not match the trees");
    }
    const numbers = (v: unknown) => (Array.isArray(v) ? v.map(Number) : []);
    this.fitted = {
      forest,
      cat: state.categorical === undefined ? null : categoricalFromJSON(name, state.categorical, forest),
      baseline: Float64Array.from(baseline as number[]),
      importances,
      trainLoss: numbers(state.train_loss),
      validationLoss: numbers(state.validation_loss),
    };
  }
}

/** The saved form of a model's categorical splits (docs/model-format.md). */
function categoricalToJSON(cat: CategoricalState): Record<string, unknown> {
  const b64 = (a: Int32Array | Uint32Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return {
    known_categories: cat.known.map((c) => (c ? Array.from(c) : null)),
    cat_index: b64(cat.catIndex),
    cat_bitsets: b64(cat.bitsets),
  };
}

function categoricalFromJSON(name: string, value: unknown, forest: FlatForest): CategoricalState {
  const damaged = (what: string) => damagedState(name, `categorical: ${what}`);
  const v = (value ?? {}) as Record<string, unknown>;
  const words = (field: string, Ctor: Int32ArrayConstructor | Uint32ArrayConstructor) => {
    const text = v[field];
    if (typeof text !== 'string') throw damaged(`field '${field}' is missing or not a base64 string`);
    const bytes = Buffer.from(text, 'base64');
    if (bytes.byteLength % 4 !== 0) throw damaged(`field '${field}' is not a whole number of 32-bit words`);
    const out = new Ctor(bytes.byteLength / 4);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  };
  const knownJSON = v.known_categories;
  if (!Array.isArray(knownJSON) || knownJSON.length !== forest.nFeatures) {
    throw damaged("'known_categories' must hold one entry per feature");
  }
  const known = knownJSON.map((c: unknown) => {
    if (c === null) return null;
    if (!Array.isArray(c) || !c.every((x) => Number.isInteger(x) && x >= 0 && x < 256)) {
      throw damaged("'known_categories' entries must be null or lists of codes 0..255");
    }
    return Float64Array.from(c as number[]);
  });
  const catIndex = words('cat_index', Int32Array) as Int32Array;
  const bitsets = words('cat_bitsets', Uint32Array) as Uint32Array;
  const nSplits = bitsets.length / CAT_BITSET_WORDS;
  if (catIndex.length !== forest.feature.length || !Number.isInteger(nSplits)) {
    throw damaged(`'cat_index' or 'cat_bitsets' does not match the ${forest.feature.length} nodes`);
  }
  for (let node = 0; node < catIndex.length; node++) {
    const ci = catIndex[node];
    if (ci === -1) continue;
    if (ci < 0 || ci >= nSplits || forest.left[node] === -1 || known[forest.feature[node]] === null) {
      throw damaged(`node ${node} has a categorical split that does not match the trees`);
    }
  }
  return { catIndex, bitsets, known, knownBits: known.map((c) => (c ? bitsetOf(c) : null)) };
}

/**
 * scikit-learn's `_should_stop`: stop when none of the last n_iter_no_change losses improved on
 * the one before them by more than tol.
 */
function shouldStop(losses: number[], nIterNoChange: number, tol: number): boolean {
  const ref = nIterNoChange + 1;
  if (losses.length < ref) return false;
  const reference = losses[losses.length - ref] - tol;
  for (let i = losses.length - ref + 1; i < losses.length; i++) if (losses[i] < reference) return false;
  return true;
}

function checkTraining(X: FeatureMatrix, nTargets: number): void {
  if (X.columns.length === 0) throw new DataError('cannot fit gradient boosting on 0 feature columns');
  if (X.nRows < 2) throw new DataError(`cannot fit gradient boosting on ${X.nRows} rows`);
  if (nTargets !== X.nRows) {
    throw new DataError(`the target has ${nTargets} values but the feature matrix has ${X.nRows} rows`);
  }
}

export class HistGradientBoostingRegressor extends BaseHistGradientBoosting implements Regressor {
  static readonly estimatorName = 'hist_gradient_boosting_regressor';
  readonly kind = 'regressor' as const;

  constructor(params: HistGradientBoostingParams = {}) {
    super(params, 'regression');
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    checkTraining(X, y.length);
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(y[i])) {
        throw new DataError(
          `target value at row ${i} is ${y[i]}; regression targets must be finite numbers`,
          {
            hint: 'drop or fill rows with a missing target before training',
          },
        );
      }
    }
    this.boost(X, (rows) => squaredError(Float64Array.from(rows, (i) => y[i])));
  }

  predict(X: FeatureMatrix): Float64Array {
    return this.rawPredict(X);
  }

  toJSON(): EstimatorState {
    return {
      name: HistGradientBoostingRegressor.estimatorName,
      params: { ...this.params },
      state: this.stateJSON(),
    };
  }

  static fromJSON(state: EstimatorState): HistGradientBoostingRegressor {
    checkStateName(state, HistGradientBoostingRegressor.estimatorName);
    const model = new HistGradientBoostingRegressor(state.params as HistGradientBoostingParams);
    model.loadState(HistGradientBoostingRegressor.estimatorName, state.state);
    return model;
  }
}

export class HistGradientBoostingClassifier extends BaseHistGradientBoosting implements Classifier {
  static readonly estimatorName = 'hist_gradient_boosting_classifier';
  readonly kind = 'classifier' as const;

  constructor(params: HistGradientBoostingParams = {}) {
    super(params, 'classification');
  }

  get nClasses(): number {
    const K = this.state.baseline.length;
    return K === 1 ? 2 : K;
  }

  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void {
    checkTraining(X, y.length);
    if (!Number.isInteger(nClasses) || nClasses < 2) {
      throw new DataError(`gradient boosting needs at least 2 classes, got ${nClasses}`, {
        hint: 'the training split holds a single class: check the target column and the split',
      });
    }
    for (let i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= nClasses) {
        throw new DataError(`class index ${y[i]} at row ${i} is outside 0..${nClasses - 1}`);
      }
    }
    this.boost(X, (rows) => {
      const sub = Int32Array.from(rows, (i) => y[i]);
      return nClasses === 2 ? binaryLogLoss(sub) : multinomialLoss(sub, nClasses);
    });
  }

  /** Binary: sigmoid of the raw output; multiclass: softmax over the K raw outputs. */
  predictProba(X: FeatureMatrix): Float64Array[] {
    const raw = this.rawPredict(X);
    const K = this.state.baseline.length;
    const n = X.nRows;
    if (K === 1) {
      const p1 = new Float64Array(n);
      const p0 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        p1[i] = 1 / (1 + Math.exp(-raw[i]));
        p0[i] = 1 - p1[i];
      }
      return [p0, p1];
    }
    const out = Array.from({ length: K }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (raw[i * K + k] > max) max = raw[i * K + k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(raw[i * K + k] - max);
      for (let k = 0; k < K; k++) out[k][i] = Math.exp(raw[i * K + k] - max) / sum;
    }
    return out;
  }

  predict(X: FeatureMatrix): Int32Array {
    const raw = this.rawPredict(X);
    const K = this.state.baseline.length;
    const out = new Int32Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      if (K === 1) {
        out[i] = raw[i] > 0 ? 1 : 0;
        continue;
      }
      let best = 0;
      for (let k = 1; k < K; k++) if (raw[i * K + k] > raw[i * K + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  toJSON(): EstimatorState {
    return {
      name: HistGradientBoostingClassifier.estimatorName,
      params: { ...this.params },
      state: this.stateJSON(),
    };
  }

  static fromJSON(state: EstimatorState): HistGradientBoostingClassifier {
    checkStateName(state, HistGradientBoostingClassifier.estimatorName);
    const model = new HistGradientBoostingClassifier(state.params as HistGradientBoostingParams);
    model.loadState(HistGradientBoostingClassifier.estimatorName, state.state);
    return model;
  }
}
