/**
 * Decision trees over binned features: DecisionTreeRegressor and DecisionTreeClassifier with
 * scikit-learn's parameter names and defaults.
 *
 * How a tree grows (see DESIGN.md, "Estimators"): features are binned once (binning.ts, at most
 * 255 value bins plus a missing bin per feature); each node keeps a histogram of per-bin target
 * sums and counts (regression) or class counts (classification); the best split is found by
 * scanning bins, and after a split only the smaller child's histogram is built from its samples,
 * the larger one is the parent's minus the smaller's. Nodes with few rows (deep in a fully
 * grown tree) skip histograms, whose cost is per bin, and sort their rows' bin codes instead;
 * both searches see the same candidates in the same order. Nodes are grown depth first, left
 * child first, so node ids come out in the same preorder scikit-learn uses.
 *
 * Missing values (NaN) have their own bin; at every split both sides are tried for them and the
 * better one is kept. When a node saw no missing values in training, they follow the child with
 * more samples (as scikit-learn's HistGradientBoosting and, from 1.3, its DecisionTree).
 *
 * Thresholds are real values: halfway between the largest training value on the left and the
 * smallest on the right, as scikit-learn computes them, so `predict` runs on raw Float64Array
 * columns. When every feature has at most 255 distinct values each bin holds one value, the
 * candidate splits are exactly scikit-learn's, and the trees agree unless two splits tie.
 */
import { DataError } from '../errors.js';
import { BinMapper, type BinnedMatrix, createRng } from './binning.js';
import { type GrowingRows } from './trees/growing-rows.js';
import { NodeList, TreeGrower } from './trees/grow.js';
import { Histograms } from './trees/histograms.js';
import { SMALL_NODE_ROWS_MAX, SplitSearch } from './trees/split-search.js';
import { checkStateName, damagedState, firstInvalidNode } from './trees/tree-state.js';
import type { Classifier, EstimatorState, FeatureMatrix, Regressor } from './types.js';

export type TreeCriterion = 'squared_error' | 'gini' | 'entropy';
/** scikit-learn's `max_features`: a count, a fraction of the features, 'sqrt', 'log2', or all (null). */
export type MaxFeatures = number | 'sqrt' | 'log2' | null;

export interface DecisionTreeParams {
  /** 'squared_error' for the regressor; 'gini' (default) or 'entropy' for the classifier. */
  criterion?: TreeCriterion;
  /** null grows until leaves are pure or too small, capped at MAX_TREE_DEPTH. */
  max_depth?: number | null;
  /** An integer count, or a fraction of the training rows (rounded up). Default 2. */
  min_samples_split?: number;
  /** An integer count, or a fraction of the training rows (rounded up). Default 1. */
  min_samples_leaf?: number;
  max_features?: MaxFeatures;
  min_impurity_decrease?: number;
  random_state?: number | null;
}

export interface ResolvedTreeParams {
  criterion: TreeCriterion;
  max_depth: number | null;
  min_samples_split: number;
  min_samples_leaf: number;
  max_features: MaxFeatures;
  min_impurity_decrease: number;
  random_state: number | null;
}

/**
 * Depth limit applied when `max_depth` is null (scikit-learn has none). Fully grown trees on
 * noisy data are unbalanced: scikit-learn reaches depth 77 (regression) and 102 (10 classes) on
 * 400k random rows, so the cap sits above that and only bounds pathological chains of
 * one-row splits. Deep nodes are small and use the sorted split search, so depth costs no
 * histogram memory.
 */
export const MAX_TREE_DEPTH = 128;

/** A fitted tree as flat arrays indexed by node id; node 0 is the root. */
export interface TreeStructure {
  nFeatures: number;
  /** 1 for regression, nClasses for classification. */
  nOutputs: number;
  /** Split feature, -1 for a leaf. */
  feature: Int32Array;
  /** Rows with value <= threshold go left. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** 1 when missing values go to the left child. */
  missingLeft: Uint8Array;
  nNodeSamples: Int32Array;
  impurity: Float64Array;
  /** `value[node * nOutputs + k]`: the mean target (regression) or class k's fraction. */
  value: Float64Array;
}

export interface GrowTreeInput {
  binned: BinnedMatrix;
  mapper: BinMapper;
  /** Regression targets (Float64Array) or class indices 0..nClasses-1 (Int32Array). */
  y: Float64Array | Int32Array;
  /** 0 for regression. */
  nClasses: number;
  params: DecisionTreeParams;
  /**
   * Training rows to use, repeats allowed (a bootstrap sample counts a row once per repeat).
   * Default: every row once. Lets ensembles grow many trees on one binned matrix.
   */
  rows?: Uint32Array;
  /**
   * Nodes with at most this many rows find their split by sorting their rows' bin codes
   * instead of through a histogram (whose cost is per bin, not per row). Default with 256 bins:
   * 64 rows for regression, 64 * (K + 1) for K classes, at most SMALL_NODE_ROWS_MAX. For
   * tuning and tests.
   */
  smallNodeRows?: number;
  /**
   * Memory for histograms held by nodes waiting to be split (default 256 MiB); past it they
   * are rebuilt from rows when needed. For tuning and tests.
   */
  histogramMemoryBytes?: number;
  /**
   * 'best' (default) scores every bin of every feature drawn; 'random' one threshold drawn
   * uniformly per feature (scikit-learn's `splitter='random'`, as ExtraTrees grow).
   */
  splitter?: 'best' | 'random';
  /** The raw feature columns the matrix was binned from; required by the 'random' splitter. */
  values?: readonly Float64Array[];
}

/** Memory for histograms kept for pending nodes, beyond which they are rebuilt when needed. */
const HISTOGRAM_MEMORY_BYTES = 256 * 1024 * 1024;

export { SMALL_NODE_ROWS_MAX };

export interface GrownTree {
  tree: TreeStructure;
  /** Impurity-based importances normalised to sum 1 (all 0 for a single-leaf tree). */
  featureImportances: Float64Array;
}

export function resolveTreeParams(
  params: DecisionTreeParams,
  task: 'regression' | 'classification',
): ResolvedTreeParams {
  const criterion = params.criterion ?? (task === 'regression' ? 'squared_error' : 'gini');
  if (task === 'regression' && criterion !== 'squared_error') {
    throw new DataError(`criterion '${criterion}' is not supported by the regressor; use 'squared_error'`);
  }
  if (task === 'classification' && criterion !== 'gini' && criterion !== 'entropy') {
    throw new DataError(
      `criterion '${criterion}' is not supported by the classifier; use 'gini' or 'entropy'`,
    );
  }
  const resolved: ResolvedTreeParams = {
    criterion,
    max_depth: params.max_depth ?? null,
    min_samples_split: params.min_samples_split ?? 2,
    min_samples_leaf: params.min_samples_leaf ?? 1,
    max_features: params.max_features ?? null,
    min_impurity_decrease: params.min_impurity_decrease ?? 0,
    random_state: params.random_state ?? null,
  };
  const md = resolved.max_depth;
  if (md !== null && (!Number.isInteger(md) || md < 1)) {
    throw new DataError(`max_depth must be a positive integer or null, got ${md}`);
  }
  checkCountOrFraction('min_samples_split', resolved.min_samples_split, 2);
  checkCountOrFraction('min_samples_leaf', resolved.min_samples_leaf, 1);
  if (!(resolved.min_impurity_decrease >= 0)) {
    throw new DataError(`min_impurity_decrease must be >= 0, got ${resolved.min_impurity_decrease}`);
  }
  const rs = resolved.random_state;
  if (rs !== null && !Number.isInteger(rs)) {
    throw new DataError(`random_state must be an integer or null, got ${JSON.stringify(rs)}`);
  }
  const mf = resolved.max_features;
  if (mf !== null && mf !== 'sqrt' && mf !== 'log2' && !(typeof mf === 'number' && mf > 0)) {
    throw new DataError(`max_features must be a positive number, 'sqrt', 'log2' or null, got ${String(mf)}`);
  }
  return resolved;
}

function checkCountOrFraction(name: string, v: number, minCount: number): void {
  const ok = Number.isInteger(v) ? v >= minCount : v > 0 && v < 1;
  if (!ok) {
    throw new DataError(`${name} must be an integer >= ${minCount} or a fraction in (0, 1), got ${v}`);
  }
}

function resolveMaxFeatures(mf: MaxFeatures, nFeatures: number): number {
  if (mf === null) return nFeatures;
  if (mf === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (mf === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (Number.isInteger(mf) && mf >= 1) return Math.min(nFeatures, mf);
  return Math.max(1, Math.floor(mf * nFeatures));
}

/**
 * Grows one tree on binned data. Exposed for ensembles (random forests, boosting) that bin once
 * and grow many trees; single trees go through DecisionTreeRegressor / DecisionTreeClassifier.
 * Checks the parameters and inputs here; the growing itself is src/ml/trees/: the rows and node
 * statistics (growing-rows.ts), histograms (histograms.ts), the split search (split-search.ts)
 * and the depth-first loop (grow.ts).
 */
export function growTree(input: GrowTreeInput): GrownTree {
  const classification = input.nClasses > 0;
  const p = resolveTreeParams(input.params, classification ? 'classification' : 'regression');
  const rows = growingRows(input, p);
  const F = rows.nFeatures;
  const nTotal = rows.idx.length;
  const minLeaf = Number.isInteger(p.min_samples_leaf)
    ? p.min_samples_leaf
    : Math.ceil(p.min_samples_leaf * nTotal);
  const minSplit = Math.max(
    Number.isInteger(p.min_samples_split)
      ? p.min_samples_split
      : Math.max(2, Math.ceil(p.min_samples_split * nTotal)),
    2 * minLeaf,
  );
  const maxFeatures = resolveMaxFeatures(p.max_features, F);
  const hists = new Histograms(rows, input.mapper, input.histogramMemoryBytes ?? HISTOGRAM_MEMORY_BYTES);
  // Crossover measured on 200k random rows, 256 bins: about 64 rows for regression and a few
  // hundred for classification, whose histogram scans cost K per bin while a sorted scan
  // costs one count per row.
  const randomSplits = input.splitter === 'random';
  // Random splits score one drawn threshold per feature straight from the rows: no histograms.
  const smallRows = randomSplits
    ? Number.MAX_SAFE_INTEGER
    : Math.min(
        SMALL_NODE_ROWS_MAX,
        input.smallNodeRows ??
          Math.max(8, Math.floor(((hists.off[F] / F) * hists.slotSize) / (classification ? 4 : 8))),
      );
  const search = new SplitSearch(rows, hists, {
    minLeaf,
    maxFeatures,
    rng: maxFeatures < F || randomSplits ? createRng(p.random_state) : null,
    smallRows,
    randomThresholds: randomSplits,
  });
  const grower = new TreeGrower(rows, input.mapper, hists, search, {
    maxDepth: Math.min(p.max_depth ?? MAX_TREE_DEPTH, MAX_TREE_DEPTH),
    minSplit,
    minLeaf,
    minImpurityDecrease: p.min_impurity_decrease,
    smallRows,
  });
  grower.grow();
  const importances = grower.importances;
  let total = 0;
  for (let j = 0; j < F; j++) total += importances[j];
  if (total > 0) for (let j = 0; j < F; j++) importances[j] /= total;
  return { tree: finishNodes(grower.nodes, F, rows.K), featureImportances: importances };
}

/** Checks the inputs of growTree and lays out the rows it grows on. */
function growingRows(input: GrowTreeInput, p: ResolvedTreeParams): GrowingRows {
  const { binned, mapper } = input;
  const classification = input.nClasses > 0;
  const F = binned.nFeatures;
  const K = classification ? input.nClasses : 1;
  const yCls = classification ? (input.y as Int32Array) : null;
  if (mapper.nFeatures !== F) {
    throw new DataError(`the bin mapper has ${mapper.nFeatures} features but the binned matrix has ${F}`);
  }
  if (input.y.length !== binned.nRows) {
    throw new DataError(
      `the target has ${input.y.length} values but the binned matrix has ${binned.nRows} rows`,
    );
  }
  if (yCls) {
    for (let i = 0; i < yCls.length; i++) {
      if (!(yCls[i] >= 0 && yCls[i] < K))
        throw new DataError(`class index ${yCls[i]} at row ${i} is outside 0..${K - 1}`);
    }
  }
  const idx = input.rows ? Uint32Array.from(input.rows) : new Uint32Array(binned.nRows);
  if (input.rows) {
    for (let k = 0; k < idx.length; k++) {
      if (idx[k] >= binned.nRows)
        throw new DataError(`rows[${k}] = ${idx[k]} is not a row of the binned matrix`);
    }
  } else {
    for (let i = 0; i < idx.length; i++) idx[i] = i;
  }
  if (idx.length === 0) throw new DataError('cannot fit a decision tree on 0 rows');
  return {
    codes: binned.codes,
    nFeatures: F,
    idx,
    yReg: classification ? null : (input.y as Float64Array),
    yCls,
    K,
    entropy: p.criterion === 'entropy',
    values: input.splitter === 'random' ? randomValues(input, F) : null,
  };
}

function randomValues(input: GrowTreeInput, F: number): readonly Float64Array[] {
  const values = input.values;
  if (!values || values.length !== F || values.some((c) => c.length !== input.binned.nRows)) {
    throw new DataError("the 'random' splitter needs the raw columns the matrix was binned from (values)");
  }
  return values;
}

function finishNodes(nodes: NodeList, nFeatures: number, nOutputs: number): TreeStructure {
  const n = nodes.count;
  return {
    nFeatures,
    nOutputs,
    feature: nodes.feature.slice(0, n),
    threshold: nodes.threshold.slice(0, n),
    left: nodes.left.slice(0, n),
    right: nodes.right.slice(0, n),
    missingLeft: nodes.missingLeft.slice(0, n),
    nNodeSamples: nodes.nNodeSamples.slice(0, n),
    impurity: nodes.impurity.slice(0, n),
    value: nodes.value.slice(0, n * nOutputs),
  };
}

/** Leaf id reached by every row of X (scikit-learn's `apply`). */
export function applyTree(tree: TreeStructure, X: FeatureMatrix): Int32Array {
  checkPredictInput(tree.nFeatures, X);
  const { feature, threshold, left, right, missingLeft } = tree;
  const cols = X.columns;
  const out = new Int32Array(X.nRows);
  for (let i = 0; i < X.nRows; i++) {
    let node = 0;
    while (left[node] !== -1) {
      const x = cols[feature[node]][i];
      if (x <= threshold[node]) node = left[node];
      else if (x > threshold[node]) node = right[node];
      else node = missingLeft[node] === 1 ? left[node] : right[node];
    }
    out[i] = node;
  }
  return out;
}

function checkPredictInput(nFeatures: number, X: FeatureMatrix): void {
  if (X.columns.length !== nFeatures) {
    throw new DataError(`the tree was trained on ${nFeatures} features but got ${X.columns.length}`, {
      hint: 'transform prediction data with the same transformer used for training',
    });
  }
  for (let j = 0; j < nFeatures; j++) {
    if (X.columns[j].length !== X.nRows) {
      throw new DataError(`feature column ${j} has ${X.columns[j].length} values, expected ${X.nRows}`);
    }
  }
}

/** Tree depth: edges on the longest root-to-leaf path (scikit-learn's `get_depth`). */
function treeDepth(tree: TreeStructure): number {
  const depth = new Int32Array(tree.left.length);
  let max = 0;
  // Children always have larger ids than their parent (preorder), so one forward pass suffices.
  for (let node = 0; node < tree.left.length; node++) {
    if (tree.left[node] !== -1) {
      depth[tree.left[node]] = depth[node] + 1;
      depth[tree.right[node]] = depth[node] + 1;
    } else if (depth[node] > max) {
      max = depth[node];
    }
  }
  return max;
}

interface TreeStateJSON {
  n_features: number;
  n_outputs: number;
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  missing_left: number[];
  n_node_samples: number[];
  impurity: number[];
  value: number[];
  feature_importances: number[];
}

function treeToJSON(tree: TreeStructure, importances: Float64Array): TreeStateJSON {
  return {
    n_features: tree.nFeatures,
    n_outputs: tree.nOutputs,
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    missing_left: Array.from(tree.missingLeft),
    n_node_samples: Array.from(tree.nNodeSamples),
    impurity: Array.from(tree.impurity),
    value: Array.from(tree.value),
    feature_importances: Array.from(importances),
  };
}

function treeFromJSON(name: string, state: Record<string, unknown>): GrownTree {
  const s = state as Partial<TreeStateJSON>;
  const arrays = [
    'feature',
    'threshold',
    'left',
    'right',
    'missing_left',
    'n_node_samples',
    'impurity',
    'value',
  ];
  for (const key of [...arrays, 'feature_importances']) {
    if (!Array.isArray((s as Record<string, unknown>)[key])) {
      throw damagedState(name, `field '${key}' is missing or not an array`);
    }
  }
  if (typeof s.n_features !== 'number' || typeof s.n_outputs !== 'number') {
    throw new DataError(`${name} state: fields 'n_features' and 'n_outputs' must be numbers`);
  }
  const nNodes = (s.feature as number[]).length;
  if (nNodes === 0 || (s.value as number[]).length !== nNodes * s.n_outputs) {
    throw new DataError(`${name} state: node arrays are inconsistent (${nNodes} nodes)`);
  }
  const tree: TreeStructure = {
    nFeatures: s.n_features,
    nOutputs: s.n_outputs,
    feature: Int32Array.from(s.feature as number[]),
    threshold: Float64Array.from(s.threshold as number[]),
    left: Int32Array.from(s.left as number[]),
    right: Int32Array.from(s.right as number[]),
    missingLeft: Uint8Array.from(s.missing_left as number[]),
    nNodeSamples: Int32Array.from(s.n_node_samples as number[]),
    impurity: Float64Array.from(s.impurity as number[]),
    value: Float64Array.from(s.value as number[]),
  };
  const bad = firstInvalidNode(tree, 0, nNodes, tree.nFeatures);
  if (bad >= 0) throw damagedState(name, `node ${bad} has invalid children or feature`);
  return { tree, featureImportances: Float64Array.from(s.feature_importances as number[]) };
}

function checkTrainingMatrix(X: FeatureMatrix, nTargets: number): void {
  if (X.columns.length === 0) throw new DataError('cannot fit a decision tree on 0 feature columns');
  if (nTargets !== X.nRows) {
    throw new DataError(`the target has ${nTargets} values but the feature matrix has ${X.nRows} rows`);
  }
}

abstract class BaseDecisionTree {
  /** Parameters after defaults, with scikit-learn's names. */
  readonly params: ResolvedTreeParams;
  protected fitted: GrownTree | null = null;

  protected constructor(params: DecisionTreeParams, task: 'regression' | 'classification') {
    this.params = resolveTreeParams(params, task);
  }

  protected get grown(): GrownTree {
    if (this.fitted === null) {
      throw new DataError(`${this.constructor.name} is not fitted yet; call fit() first`);
    }
    return this.fitted;
  }

  /** The fitted tree's flat node arrays. */
  get tree(): TreeStructure {
    return this.grown.tree;
  }

  /** Impurity-based feature importances, normalised to sum 1 (scikit-learn's `feature_importances_`). */
  get feature_importances_(): Float64Array {
    return this.grown.featureImportances;
  }

  getDepth(): number {
    return treeDepth(this.grown.tree);
  }

  getNLeaves(): number {
    let n = 0;
    for (const l of this.grown.tree.left) if (l === -1) n++;
    return n;
  }

  /** Leaf id reached by each row. */
  apply(X: FeatureMatrix): Int32Array {
    return applyTree(this.grown.tree, X);
  }

  protected growOn(X: FeatureMatrix, y: Float64Array | Int32Array, nClasses: number): void {
    const mapper = BinMapper.fit(X, { randomState: this.params.random_state });
    const binned = mapper.transform(X);
    this.fitted = growTree({ binned, mapper, y, nClasses, params: this.params });
  }

  protected stateJSON(): Record<string, unknown> {
    const g = this.grown;
    return treeToJSON(g.tree, g.featureImportances) as unknown as Record<string, unknown>;
  }
}

export class DecisionTreeRegressor extends BaseDecisionTree implements Regressor {
  static readonly estimatorName = 'decision_tree_regressor';
  readonly kind = 'regressor' as const;

  constructor(params: DecisionTreeParams = {}) {
    super(params, 'regression');
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    checkTrainingMatrix(X, y.length);
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
    this.growOn(X, y, 0);
  }

  predict(X: FeatureMatrix): Float64Array {
    const { tree } = this.grown;
    const leaves = applyTree(tree, X);
    const out = new Float64Array(X.nRows);
    for (let i = 0; i < out.length; i++) out[i] = tree.value[leaves[i]];
    return out;
  }

  toJSON(): EstimatorState {
    return { name: DecisionTreeRegressor.estimatorName, params: { ...this.params }, state: this.stateJSON() };
  }

  static fromJSON(state: EstimatorState): DecisionTreeRegressor {
    checkStateName(state, DecisionTreeRegressor.estimatorName);
    const model = new DecisionTreeRegressor(state.params as DecisionTreeParams);
    model.fitted = treeFromJSON(DecisionTreeRegressor.estimatorName, state.state);
    return model;
  }
}

export class DecisionTreeClassifier extends BaseDecisionTree implements Classifier {
  static readonly estimatorName = 'decision_tree_classifier';
  readonly kind = 'classifier' as const;

  constructor(params: DecisionTreeParams = {}) {
    super(params, 'classification');
  }

  get nClasses(): number {
    return this.grown.tree.nOutputs;
  }

  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void {
    checkTrainingMatrix(X, y.length);
    if (!Number.isInteger(nClasses) || nClasses < 1) {
      throw new DataError(`nClasses must be a positive integer, got ${nClasses}`);
    }
    for (let i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= nClasses) {
        throw new DataError(`class index ${y[i]} at row ${i} is outside 0..${nClasses - 1}`);
      }
    }
    this.growOn(X, y, nClasses);
  }

  predictProba(X: FeatureMatrix): Float64Array[] {
    const { tree } = this.grown;
    const K = tree.nOutputs;
    const leaves = applyTree(tree, X);
    const out = Array.from({ length: K }, () => new Float64Array(X.nRows));
    for (let i = 0; i < X.nRows; i++) {
      const base = leaves[i] * K;
      for (let k = 0; k < K; k++) out[k][i] = tree.value[base + k];
    }
    return out;
  }

  predict(X: FeatureMatrix): Int32Array {
    const { tree } = this.grown;
    const K = tree.nOutputs;
    const leaves = applyTree(tree, X);
    const out = new Int32Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      const base = leaves[i] * K;
      let best = 0;
      // First maximum wins, as numpy's argmax.
      for (let k = 1; k < K; k++) if (tree.value[base + k] > tree.value[base + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  toJSON(): EstimatorState {
    return {
      name: DecisionTreeClassifier.estimatorName,
      params: { ...this.params },
      state: this.stateJSON(),
    };
  }

  static fromJSON(state: EstimatorState): DecisionTreeClassifier {
    checkStateName(state, DecisionTreeClassifier.estimatorName);
    const model = new DecisionTreeClassifier(state.params as DecisionTreeParams);
    model.fitted = treeFromJSON(DecisionTreeClassifier.estimatorName, state.state);
    return model;
  }
}
