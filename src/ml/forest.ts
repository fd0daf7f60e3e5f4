/**
 * Random forests and extremely randomised trees: RandomForestRegressor/Classifier and
 * ExtraTreesRegressor/Classifier with scikit-learn's parameter names and defaults.
 *
 * One fit bins the features once (binning.ts) and grows every tree on that one binned matrix
 * with the histogram grower of decision-tree.ts: a bootstrap sample is a sorted list of row ids
 * with repeats (a row drawn twice counts twice, as scikit-learn's bootstrap sample weights do),
 * `max_features` is drawn per node, and ExtraTrees draw one threshold per feature, uniformly
 * between the node's smallest and largest raw value (`splitter: 'random'`, which reads the raw
 * columns too). Each tree gets its own seed from the forest's `random_state`, so a
 * fixed `random_state` gives the same forest however the trees are scheduled.
 *
 * The fitted forest is held flat: every tree's node arrays concatenated, with `offsets` marking
 * where each tree starts and child ids local to their tree. Predict walks all rows through one
 * tree at a time (the tree's arrays stay in cache) and sums, in tree order, as scikit-learn sums.
 * Saved state stores those arrays as base64 of their little-endian bytes, which loads 100 trees
 * of depth 10 in milliseconds where number arrays would take a JSON parse of millions of numbers.
 */
import { DataError } from '../errors.js';
import { BinMapper, type BinnedMatrix, createRng } from './binning.js';
import { growTreesInParallel, sharedCopy, threadsFor } from './ensemble-threads.js';
import { r2_score } from './metrics/regression.js';
import {
  growTree,
  type MaxFeatures,
  resolveTreeParams,
  type ResolvedTreeParams,
  type TreeCriterion,
  type TreeStructure,
} from './decision-tree.js';
import { addForestOutputs, type PredictableForest } from './trees/forest-predict.js';
import { checkStateName, damagedState, firstInvalidNode } from './trees/tree-state.js';
import type { Classifier, EstimatorState, FeatureMatrix, Regressor } from './types.js';

export interface ForestParams {
  n_estimators?: number;
  /** 'squared_error' for regressors; 'gini' (default) or 'entropy' for classifiers. */
  criterion?: TreeCriterion;
  max_depth?: number | null;
  min_samples_split?: number;
  min_samples_leaf?: number;
  /**
   * Default 'sqrt' for classifiers and null (every feature: scikit-learn's 1.0) for regressors.
   * An integer is a count (so 1 is one feature: YAML and JSON read `1.0` as the integer 1), a
   * fraction below 1 a share of the features.
   */
  max_features?: MaxFeatures;
  min_impurity_decrease?: number;
  /** Default true for random forests, false for ExtraTrees. */
  bootstrap?: boolean;
  /** Rows drawn per tree when bootstrapping: null (all n), a count, or a fraction in (0, 1]. */
  max_samples?: number | null;
  /** Score the forest on each tree's out-of-bag rows (R² or accuracy): `oob_score_`. */
  oob_score?: boolean;
  random_state?: number | null;
  /**
   * Threads growing the trees, as scikit-learn's: null means 1 (scikit-learn 1.2's default), -1
   * every core, -k all but k - 1, k that many. The trees are the same whichever thread grows
   * them.
   */
  n_jobs?: number | null;
}

export interface ResolvedForestParams {
  n_estimators: number;
  criterion: TreeCriterion;
  max_depth: number | null;
  min_samples_split: number;
  min_samples_leaf: number;
  max_features: MaxFeatures;
  min_impurity_decrease: number;
  bootstrap: boolean;
  max_samples: number | null;
  oob_score: boolean;
  random_state: number | null;
  n_jobs: number | null;
}

type Task = 'regression' | 'classification';
type Flavor = 'random_forest' | 'extra_trees';

function resolveForestParams(params: ForestParams, task: Task, flavor: Flavor): ResolvedForestParams {
  const tree: ResolvedTreeParams = resolveTreeParams(
    {
      criterion: params.criterion,
      max_depth: params.max_depth,
      min_samples_split: params.min_samples_split,
      min_samples_leaf: params.min_samples_leaf,
      // Checked here with the forest's default, not the single tree's (all features).
      max_features:
        params.max_features === undefined ? (task === 'classification' ? 'sqrt' : null) : params.max_features,
      min_impurity_decrease: params.min_impurity_decrease,
      random_state: params.random_state,
    },
    task,
  );
  const resolved: ResolvedForestParams = {
    n_estimators: params.n_estimators ?? 100,
    criterion: tree.criterion,
    max_depth: tree.max_depth,
    min_samples_split: tree.min_samples_split,
    min_samples_leaf: tree.min_samples_leaf,
    max_features: tree.max_features,
    min_impurity_decrease: tree.min_impurity_decrease,
    bootstrap: params.bootstrap ?? flavor === 'random_forest',
    max_samples: params.max_samples ?? null,
    oob_score: params.oob_score ?? false,
    random_state: tree.random_state,
    n_jobs: params.n_jobs ?? null,
  };
  const { n_estimators, max_samples, n_jobs } = resolved;
  if (!Number.isInteger(n_estimators) || n_estimators < 1) {
    throw new DataError(`n_estimators must be a positive integer, got ${String(n_estimators)}`);
  }
  for (const key of ['bootstrap', 'oob_score'] as const) {
    if (typeof resolved[key] !== 'boolean') {
      throw new DataError(`${key} must be true or false, got ${JSON.stringify(resolved[key])}`);
    }
  }
  if (max_samples !== null) {
    const ok =
      typeof max_samples === 'number' &&
      (Number.isInteger(max_samples) ? max_samples >= 1 : max_samples > 0 && max_samples < 1);
    if (!ok) {
      throw new DataError(
        `max_samples must be null, a row count >= 1 or a fraction in (0, 1), got ${String(max_samples)}`,
      );
    }
    if (!resolved.bootstrap) {
      throw new DataError('max_samples needs bootstrap: true', {
        hint: 'set bootstrap: true, or leave max_samples out (every tree then sees every row)',
      });
    }
  }
  if (resolved.oob_score && !resolved.bootstrap) {
    throw new DataError('oob_score needs bootstrap: true (without it no row is out of bag)', {
      hint: 'set bootstrap: true, or leave oob_score out',
    });
  }
  if (n_jobs !== null && (!Number.isInteger(n_jobs) || n_jobs === 0)) {
    throw new DataError(
      `n_jobs must be null, a positive integer, or -1 for every core; got ${String(n_jobs)}`,
    );
  }
  return resolved;
}

/** Every tree's nodes concatenated (the fields predict reads are forest-predict.ts's). */
export interface FlatForest extends PredictableForest {
  nFeatures: number;
}

export function flatten(trees: TreeStructure[], nFeatures: number, nOutputs: number): FlatForest {
  const offsets = new Int32Array(trees.length + 1);
  for (let t = 0; t < trees.length; t++) offsets[t + 1] = offsets[t] + trees[t].feature.length;
  const n = offsets[trees.length];
  const forest: FlatForest = {
    nFeatures,
    nOutputs,
    offsets,
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    left: new Int32Array(n),
    right: new Int32Array(n),
    missingLeft: new Uint8Array(n),
    value: new Float64Array(n * nOutputs),
  };
  trees.forEach((tree, t) => {
    const o = offsets[t];
    forest.feature.set(tree.feature, o);
    forest.threshold.set(tree.threshold, o);
    forest.left.set(tree.left, o);
    forest.right.set(tree.right, o);
    forest.missingLeft.set(tree.missingLeft, o);
    forest.value.set(tree.value, o * nOutputs);
  });
  return forest;
}

/**
 * Adds tree t's output for rows [0, nRows) (or only `rowsOf`) into `out` (`out[i * nOutputs + k]`).
 * Missing values follow the side the node learned, as the single tree's `applyTree`.
 */
function addTreeOutput(
  forest: FlatForest,
  t: number,
  columns: Float64Array[],
  out: Float64Array,
  rowsOf: Uint32Array | null,
  nRows: number,
): void {
  const { feature, threshold, left, right, missingLeft, value, nOutputs: K } = forest;
  const o = forest.offsets[t];
  const count = rowsOf ? rowsOf.length : nRows;
  for (let r = 0; r < count; r++) {
    const i = rowsOf ? rowsOf[r] : r;
    let node = o;
    while (left[node] !== -1) {
      const x = columns[feature[node]][i];
      const th = threshold[node];
      if (x <= th) node = o + left[node];
      else if (x > th) node = o + right[node];
      else node = o + (missingLeft[node] === 1 ? left[node] : right[node]);
    }
    if (K === 1) out[i] += value[node];
    else {
      const base = node * K;
      const at = i * K;
      for (let k = 0; k < K; k++) out[at + k] += value[base + k];
    }
  }
}

/** A sorted bootstrap sample of `m` rows out of `n` (repeats kept) and how often each row was drawn. */
function bootstrapRows(n: number, m: number, seed: number): { rows: Uint32Array; counts: Uint32Array } {
  const rng = createRng(seed);
  const counts = new Uint32Array(n);
  for (let k = 0; k < m; k++) counts[Math.floor(rng() * n)]++;
  const rows = new Uint32Array(m);
  let w = 0;
  for (let i = 0; i < n; i++) for (let c = counts[i]; c > 0; c--) rows[w++] = i;
  return { rows, counts };
}

/** What growing one forest's trees needs; plain typed arrays, so a worker thread can hold it. */
export interface ForestGrowingInput {
  binned: BinnedMatrix;
  mapper: BinMapper;
  y: Float64Array | Int32Array;
  nClasses: number;
  params: ResolvedForestParams;
  splitter: 'best' | 'random';
  /** The raw columns, for the 'random' splitter's thresholds; null for 'best'. */
  values: readonly Float64Array[] | null;
  /** Per tree: its bootstrap seed and its split seed. */
  seeds: Uint32Array;
}

export interface GrownForestTree {
  tree: TreeStructure;
  featureImportances: Float64Array;
}

/** Rows a bootstrap sample draws for `nRows` training rows. */
function bootstrapSize(params: ResolvedForestParams, nRows: number): number {
  const ms = params.max_samples;
  if (ms === null) return nRows;
  if (Number.isInteger(ms)) {
    if (ms > nRows) {
      throw new DataError(`max_samples is ${ms} but the training data has ${nRows} rows`, {
        hint: 'lower max_samples or give it as a fraction of the rows',
      });
    }
    return ms;
  }
  return Math.max(1, Math.round(ms * nRows));
}

/** Grows tree t of the forest; the same t and seeds give the same tree on any thread. */
export function growForestTree(input: ForestGrowingInput, t: number): GrownForestTree {
  const { params, binned } = input;
  const rows = params.bootstrap
    ? bootstrapRows(binned.nRows, bootstrapSize(params, binned.nRows), input.seeds[2 * t]).rows
    : undefined;
  return growTree({
    binned,
    mapper: input.mapper,
    y: input.y,
    nClasses: input.nClasses,
    params: {
      criterion: params.criterion,
      max_depth: params.max_depth,
      min_samples_split: params.min_samples_split,
      min_samples_leaf: params.min_samples_leaf,
      max_features: params.max_features,
      min_impurity_decrease: params.min_impurity_decrease,
      random_state: input.seeds[2 * t + 1],
    },
    ...(rows ? { rows } : {}),
    splitter: input.splitter,
    ...(input.values ? { values: input.values } : {}),
  });
}

function checkTraining(X: FeatureMatrix, nTargets: number): void {
  if (X.columns.length === 0) throw new DataError('cannot fit a forest on 0 feature columns');
  if (X.nRows === 0) throw new DataError('cannot fit a forest on 0 rows');
  if (nTargets !== X.nRows) {
    throw new DataError(`the target has ${nTargets} values but the feature matrix has ${X.nRows} rows`);
  }
}

function checkPredict(forest: FlatForest, X: FeatureMatrix): void {
  if (X.columns.length !== forest.nFeatures) {
    throw new DataError(
      `the forest was trained on ${forest.nFeatures} features but got ${X.columns.length}`,
      {
        hint: 'transform prediction data with the same transformer used for training',
      },
    );
  }
  for (let j = 0; j < forest.nFeatures; j++) {
    if (X.columns[j].length !== X.nRows) {
      throw new DataError(`feature column ${j} has ${X.columns[j].length} values, expected ${X.nRows}`);
    }
  }
}

// --- saved state -----------------------------------------------------------------------------

function toBase64(a: Int32Array | Float64Array | Uint8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64<T extends Int32Array | Float64Array | Uint8Array>(
  name: string,
  field: string,
  value: unknown,
  make: (buffer: ArrayBuffer, length: number) => T,
  bytesPer: number,
): T {
  if (typeof value !== 'string')
    throw damagedState(name, `field '${field}' is missing or not a base64 string`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.byteLength % bytesPer !== 0) {
    throw new DataError(
      `${name} state: field '${field}' has ${bytes.byteLength} bytes, not a multiple of ${bytesPer}`,
    );
  }
  // A copy into a fresh buffer: typed arrays need their element alignment.
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return make(buffer, bytes.byteLength / bytesPer);
}

/** The saved form of a fitted forest (EstimatorState.state), documented in docs/model-format.md. */
interface ForestStateJSON {
  encoding: 'base64-le';
  n_features: number;
  n_outputs: number;
  n_trees: number;
  offsets: string;
  feature: string;
  threshold: string;
  left: string;
  right: string;
  missing_left: string;
  value: string;
  feature_importances: number[];
  oob_score: number | null;
}

/** The forest's saved form; `oob` undefined leaves the field out (boosting has none). */
export function forestToJSON(
  forest: FlatForest,
  importances: Float64Array,
  oob: number | null | undefined,
): Partial<ForestStateJSON> {
  return {
    encoding: 'base64-le',
    n_features: forest.nFeatures,
    n_outputs: forest.nOutputs,
    n_trees: forest.offsets.length - 1,
    offsets: toBase64(forest.offsets),
    feature: toBase64(forest.feature),
    threshold: toBase64(forest.threshold),
    left: toBase64(forest.left),
    right: toBase64(forest.right),
    missing_left: toBase64(forest.missingLeft),
    value: toBase64(forest.value),
    feature_importances: Array.from(importances),
    ...(oob === undefined ? {} : { oob_score: oob }),
  };
}

export function forestFromJSON(
  name: string,
  state: Record<string, unknown>,
): { forest: FlatForest; importances: Float64Array; oob: number | null } {
  const s = state as Partial<Record<keyof ForestStateJSON, unknown>>;
  const damaged = (what: string) => damagedState(name, what);
  if (s.encoding !== 'base64-le') throw damaged(`unknown encoding ${JSON.stringify(s.encoding)}`);
  const { n_features: F, n_outputs: K, n_trees: T } = s;
  if (![F, K, T].every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1)) {
    throw damaged("fields 'n_features', 'n_outputs' and 'n_trees' must be positive integers");
  }
  const i32 = (f: keyof ForestStateJSON) => fromBase64(name, f, s[f], (b, n) => new Int32Array(b, 0, n), 4);
  const f64 = (f: keyof ForestStateJSON) => fromBase64(name, f, s[f], (b, n) => new Float64Array(b, 0, n), 8);
  const forest: FlatForest = {
    nFeatures: F as number,
    nOutputs: K as number,
    offsets: i32('offsets'),
    feature: i32('feature'),
    threshold: f64('threshold'),
    left: i32('left'),
    right: i32('right'),
    missingLeft: fromBase64(name, 'missing_left', s.missing_left, (b, n) => new Uint8Array(b, 0, n), 1),
    value: f64('value'),
  };
  const { offsets, feature, left, right } = forest;
  const n = feature.length;
  if (
    offsets.length !== (T as number) + 1 ||
    offsets[0] !== 0 ||
    offsets[T as number] !== n ||
    [forest.threshold, left, right, forest.missingLeft].some((a) => a.length !== n) ||
    forest.value.length !== n * (K as number)
  ) {
    throw damaged(`node arrays are inconsistent (${n} nodes in ${String(T)} trees)`);
  }
  for (let t = 0; t < (T as number); t++) {
    const start = offsets[t];
    const size = offsets[t + 1] - start;
    if (size < 1) throw damaged(`tree ${t} has no nodes`);
    const bad = firstInvalidNode(forest, start, size, F as number);
    if (bad >= 0) throw damaged(`tree ${t} node ${bad} has invalid children or feature`);
  }
  const importances = s.feature_importances;
  if (!Array.isArray(importances) || importances.length !== F) {
    throw damaged("field 'feature_importances' must hold one number per feature");
  }
  const oob = typeof s.oob_score === 'number' ? s.oob_score : null;
  return { forest, importances: Float64Array.from(importances as number[]), oob };
}

// --- estimators ------------------------------------------------------------------------------

abstract class BaseForest {
  readonly params: ResolvedForestParams;
  protected fitted: { forest: FlatForest; importances: Float64Array; oob: number | null } | null = null;
  protected readonly flavor: Flavor;

  protected constructor(
    params: ForestParams,
    /** The row of FORESTS, also the name the saved state carries. */
    private readonly estimatorName: keyof typeof FORESTS,
  ) {
    const { task, flavor } = FORESTS[estimatorName];
    this.flavor = flavor;
    this.params = resolveForestParams(params, task, flavor);
  }

  toJSON(): EstimatorState {
    return { name: this.estimatorName, params: { ...this.params }, state: this.stateJSON() };
  }

  /** A saved state loaded into a new `cls`, after checking the state is one of its kind. */
  protected static load<T extends BaseForest>(
    cls: { estimatorName: string; new (params: ForestParams): T },
    state: EstimatorState,
  ): T {
    checkStateName(state, cls.estimatorName);
    const model = new cls(state.params as ForestParams);
    model.loadState(cls.estimatorName, state.state);
    return model;
  }

  protected get state(): { forest: FlatForest; importances: Float64Array; oob: number | null } {
    if (this.fitted === null) {
      throw new DataError(`${this.constructor.name} is not fitted yet; call fit() first`);
    }
    return this.fitted;
  }

  /** The fitted trees, concatenated. */
  get forest(): FlatForest {
    return this.state.forest;
  }

  /**
   * Impurity-based importances: the mean over trees of each tree's normalised importances
   * (trees that are a single leaf left out), normalised to sum 1, as scikit-learn computes them.
   */
  get feature_importances_(): Float64Array {
    return this.state.importances;
  }

  /** R² (regressors) or accuracy (classifiers) on out-of-bag rows; needs `oob_score: true`. */
  get oob_score_(): number {
    const oob = this.state.oob;
    if (oob === null) throw new DataError('oob_score_ is only computed when fitted with oob_score: true');
    return oob;
  }

  get nEstimators(): number {
    return this.state.forest.offsets.length - 1;
  }

  /** Grows every tree on one binning of X; returns them in tree order. */
  protected growAll(
    X: FeatureMatrix,
    y: Float64Array | Int32Array,
    nClasses: number,
  ): { trees: GrownForestTree[]; input: ForestGrowingInput } {
    const p = this.params;
    // A null random_state draws one seed for the whole fit, so its trees still differ.
    const rng = createRng(p.random_state);
    const threads = Math.min(threadsFor(p.n_jobs, 'one'), p.n_estimators);
    // Codes in shared memory when workers will read them: binned once, never copied per worker.
    const { mapper, binned } = BinMapper.fitTransform(X, {
      randomState: p.random_state,
      shared: threads > 1,
    });
    const seeds = new Uint32Array(2 * p.n_estimators);
    for (let k = 0; k < seeds.length; k++) seeds[k] = Math.floor(rng() * 0x100000000);
    const input: ForestGrowingInput = {
      binned,
      mapper,
      y,
      nClasses,
      params: p,
      splitter: this.flavor === 'extra_trees' ? 'random' : 'best',
      values: this.flavor === 'extra_trees' ? X.columns : null,
      seeds,
    };
    if (p.bootstrap) bootstrapSize(p, X.nRows); // reports a bad max_samples before any tree grows
    if (threads > 1) {
      const shared: ForestGrowingInput = {
        ...input,
        binned: { ...binned, codes: sharedCopy(binned.codes) },
        y: sharedCopy(y),
        // ExtraTrees' workers read the raw values in place too (one shared copy per fit).
        values: input.values ? input.values.map((c) => sharedCopy(c)) : null,
      };
      const { results: trees } = growTreesInParallel(
        {
          nTrees: p.n_estimators,
          codes: shared.binned.codes,
          nRows: binned.nRows,
          nFeatures: binned.nFeatures,
          mapper: mapper.toJSON(),
          y: shared.y,
          nClasses,
          params: p,
          splitter: shared.splitter,
          values: shared.values ? [...shared.values] : null,
          seeds,
        },
        threads,
        (t) => growForestTree(shared, t),
        (m) => ({ tree: m.tree, featureImportances: m.featureImportances }),
      );
      return { trees, input };
    }
    const trees: GrownForestTree[] = [];
    for (let t = 0; t < p.n_estimators; t++) trees.push(growForestTree(input, t));
    return { trees, input };
  }

  protected finish(trees: GrownForestTree[], nFeatures: number, nOutputs: number): FlatForest {
    const forest = flatten(
      trees.map((g) => g.tree),
      nFeatures,
      nOutputs,
    );
    const importances = new Float64Array(nFeatures);
    for (const g of trees) {
      if (g.tree.feature.length <= 1) continue;
      for (let j = 0; j < nFeatures; j++) importances[j] += g.featureImportances[j];
    }
    let total = 0;
    for (let j = 0; j < nFeatures; j++) total += importances[j];
    if (total > 0) for (let j = 0; j < nFeatures; j++) importances[j] /= total;
    this.fitted = { forest, importances, oob: null };
    return forest;
  }

  /** Sum over trees of each row's outputs (`out[i * nOutputs + k]`), in tree order. */
  protected sumOutputs(X: FeatureMatrix): Float64Array {
    const forest = this.state.forest;
    checkPredict(forest, X);
    const out = new Float64Array(X.nRows * forest.nOutputs);
    addForestOutputs(forest, X.columns, X.nRows, out, forest.nOutputs);
    return out;
  }

  /**
   * Out-of-bag sums: each row's outputs summed over the trees whose bootstrap sample missed it,
   * and how many those were. Redraws each tree's sample from its seed.
   */
  protected oobSums(X: FeatureMatrix, input: ForestGrowingInput): { sums: Float64Array; n: Uint32Array } {
    const forest = this.state.forest;
    const N = X.nRows;
    const sums = new Float64Array(N * forest.nOutputs);
    const n = new Uint32Array(N);
    const m = bootstrapSize(this.params, N);
    for (let t = 0; t < forest.offsets.length - 1; t++) {
      const { counts } = bootstrapRows(N, m, input.seeds[2 * t]);
      let k = 0;
      for (let i = 0; i < N; i++) if (counts[i] === 0) k++;
      const oobRows = new Uint32Array(k);
      k = 0;
      for (let i = 0; i < N; i++) {
        if (counts[i] === 0) {
          oobRows[k++] = i;
          n[i]++;
        }
      }
      addTreeOutput(forest, t, X.columns, sums, oobRows, N);
    }
    return { sums, n };
  }

  protected stateJSON(): Record<string, unknown> {
    const { forest, importances, oob } = this.state;
    return forestToJSON(forest, importances, oob) as unknown as Record<string, unknown>;
  }

  private loadState(name: string, state: Record<string, unknown>): void {
    this.fitted = forestFromJSON(name, state);
  }
}

function checkRegressionTarget(y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new DataError(`target value at row ${i} is ${y[i]}; regression targets must be finite numbers`, {
        hint: 'drop or fill rows with a missing target before training',
      });
    }
  }
}

function checkClasses(y: Int32Array, nClasses: number): void {
  if (!Number.isInteger(nClasses) || nClasses < 1) {
    throw new DataError(`nClasses must be a positive integer, got ${nClasses}`);
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0 || y[i] >= nClasses) {
      throw new DataError(`class index ${y[i]} at row ${i} is outside 0..${nClasses - 1}`);
    }
  }
}

abstract class ForestRegressorBase extends BaseForest implements Regressor {
  readonly kind = 'regressor' as const;

  fit(X: FeatureMatrix, y: Float64Array): void {
    checkTraining(X, y.length);
    checkRegressionTarget(y);
    const { trees, input } = this.growAll(X, y, 0);
    this.finish(trees, X.columns.length, 1);
    if (this.params.oob_score) {
      const { sums, n } = this.oobSums(X, input);
      // scikit-learn 1.2: rows never out of bag predict 0 (it warns); with many trees there are none.
      for (let i = 0; i < sums.length; i++) sums[i] /= Math.max(1, n[i]);
      (this.fitted as { oob: number | null }).oob = r2_score(y, sums);
    }
  }

  predict(X: FeatureMatrix): Float64Array {
    const out = this.sumOutputs(X);
    const T = this.nEstimators;
    for (let i = 0; i < out.length; i++) out[i] /= T;
    return out;
  }
}

abstract class ForestClassifierBase extends BaseForest implements Classifier {
  readonly kind = 'classifier' as const;

  get nClasses(): number {
    return this.state.forest.nOutputs;
  }

  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void {
    checkTraining(X, y.length);
    checkClasses(y, nClasses);
    const { trees, input } = this.growAll(X, y, nClasses);
    this.finish(trees, X.columns.length, nClasses);
    if (this.params.oob_score) {
      const { sums } = this.oobSums(X, input);
      // The argmax of summed probabilities is the argmax of their mean.
      const predicted = argmaxRows(sums, nClasses);
      let ok = 0;
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) ok++;
      (this.fitted as { oob: number | null }).oob = ok / y.length;
    }
  }

  /** The mean over trees of each tree's class fractions, as scikit-learn's predict_proba. */
  predictProba(X: FeatureMatrix): Float64Array[] {
    const sums = this.sumOutputs(X);
    const K = this.nClasses;
    const T = this.nEstimators;
    const out = Array.from({ length: K }, () => new Float64Array(X.nRows));
    for (let i = 0; i < X.nRows; i++) for (let k = 0; k < K; k++) out[k][i] = sums[i * K + k] / T;
    return out;
  }

  predict(X: FeatureMatrix): Int32Array {
    const sums = this.sumOutputs(X);
    const T = this.nEstimators;
    // Divided first, so ties break exactly as on predictProba's output (first maximum wins).
    for (let i = 0; i < sums.length; i++) sums[i] /= T;
    return argmaxRows(sums, this.nClasses);
  }
}

function argmaxRows(values: Float64Array, K: number): Int32Array {
  const n = values.length / K;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * K;
    let best = 0;
    for (let k = 1; k < K; k++) if (values[base + k] > values[base + best]) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * The four forests differ only in flavour (bootstrap and splitter defaults) and task; each class
 * names its row of this table and inherits everything else.
 */
const FORESTS = {
  random_forest_regressor: { flavor: 'random_forest', task: 'regression' },
  random_forest_classifier: { flavor: 'random_forest', task: 'classification' },
  extra_trees_regressor: { flavor: 'extra_trees', task: 'regression' },
  extra_trees_classifier: { flavor: 'extra_trees', task: 'classification' },
} as const satisfies Record<string, { flavor: Flavor; task: Task }>;

export class RandomForestRegressor extends ForestRegressorBase {
  static readonly estimatorName = 'random_forest_regressor';
  constructor(params: ForestParams = {}) {
    super(params, RandomForestRegressor.estimatorName);
  }

  static fromJSON(state: EstimatorState): RandomForestRegressor {
    return BaseForest.load(RandomForestRegressor, state);
  }
}

export class RandomForestClassifier extends ForestClassifierBase {
  static readonly estimatorName = 'random_forest_classifier';
  constructor(params: ForestParams = {}) {
    super(params, RandomForestClassifier.estimatorName);
  }

  static fromJSON(state: EstimatorState): RandomForestClassifier {
    return BaseForest.load(RandomForestClassifier, state);
  }
}

export class ExtraTreesRegressor extends ForestRegressorBase {
  static readonly estimatorName = 'extra_trees_regressor';
  constructor(params: ForestParams = {}) {
    super(params, ExtraTreesRegressor.estimatorName);
  }

  static fromJSON(state: EstimatorState): ExtraTreesRegressor {
    return BaseForest.load(ExtraTreesRegressor, state);
  }
}

export class ExtraTreesClassifier extends ForestClassifierBase {
  static readonly estimatorName = 'extra_trees_classifier';
  constructor(params: ForestParams = {}) {
    super(params, ExtraTreesClassifier.estimatorName);
  }

  static fromJSON(state: EstimatorState): ExtraTreesClassifier {
    return BaseForest.load(ExtraTreesClassifier, state);
  }
}
