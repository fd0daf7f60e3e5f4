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
import { BinMapper, type BinnedMatrix, createRng, midpoint } from './binning.js';
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

/** scikit-learn's EPSILON (np.finfo(np.double).eps) for "pure node" and min_impurity_decrease. */
const EPSILON = 2.220446049250313e-16;

/**
 * Split scores closer than this (relative) count as tied, and the first candidate found wins.
 * Histogram sums reached by subtraction carry rounding error, so two features that separate a
 * node's rows identically can score a few ulps apart; without the tolerance which one wins
 * would depend on rounding, not on the data.
 */
const SCORE_TOLERANCE = 1e-12;

function betterScore(score: number, best: number): boolean {
  return score - best > SCORE_TOLERANCE * Math.abs(best);
}

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
}

/** Memory for histograms kept for pending nodes, beyond which they are rebuilt when needed. */
const HISTOGRAM_MEMORY_BYTES = 256 * 1024 * 1024;

/** Upper bound on `smallNodeRows` (row positions are packed into 12 bits of a sort key). */
export const SMALL_NODE_ROWS_MAX = 4096;

export interface GrownTree {
  tree: TreeStructure;
  /** Impurity-based importances normalised to sum 1 (all 0 for a single-leaf tree). */
  featureImportances: Float64Array;
}

function resolveParams(
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

/** Growing arrays for nodes; converted to typed arrays once the tree is done. */
class NodeList {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  missingLeft: number[] = [];
  nNodeSamples: number[] = [];
  impurity: number[] = [];
  value: number[] = [];

  add(n: number, impurity: number, value: ArrayLike<number>): number {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.missingLeft.push(0);
    this.nNodeSamples.push(n);
    this.impurity.push(impurity);
    for (let k = 0; k < value.length; k++) this.value.push(value[k]);
    return id;
  }

  finish(nFeatures: number, nOutputs: number): TreeStructure {
    return {
      nFeatures,
      nOutputs,
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      missingLeft: Uint8Array.from(this.missingLeft),
      nNodeSamples: Int32Array.from(this.nNodeSamples),
      impurity: Float64Array.from(this.impurity),
      value: Float64Array.from(this.value),
    };
  }
}

/** Per-node target statistics, computed from the node's samples (never by subtraction). */
interface NodeStats {
  n: number;
  /** Regression: sum of y. */
  sum: number;
  /** Regression: sum of y². */
  sumSq: number;
  /** Classification: count per class. */
  classCounts: Float64Array;
}

interface PendingNode {
  start: number;
  end: number;
  depth: number;
  stats: NodeStats;
  impurity: number;
  /** Known to be a leaf before any split search (too small, too deep, or pure). */
  leaf: boolean;
  /** Histogram of the node's samples; null for leaves and for small nodes (sorted search). */
  hist: Float64Array | null;
  parent: number;
  isLeft: boolean;
}

interface BestSplit {
  feature: number;
  /** Value bins <= bin go left (-1: none do). */
  bin: number;
  missingLeft: boolean;
  score: number;
  /** The node's last occupied value bin on the left and first on the right (-1: none). */
  lo: number;
  hi: number;
  /** Rows of the node missing the split feature. */
  nMissing: number;
}

/**
 * Grows one tree on binned data. Exposed for ensembles (random forests, boosting) that bin once
 * and grow many trees; single trees go through DecisionTreeRegressor / DecisionTreeClassifier.
 */
export function growTree(input: GrowTreeInput): GrownTree {
  const { binned, mapper } = input;
  const classification = input.nClasses > 0;
  const p = resolveParams(input.params, classification ? 'classification' : 'regression');
  const F = binned.nFeatures;
  const K = classification ? input.nClasses : 1;
  const yReg = classification ? null : (input.y as Float64Array);
  const yCls = classification ? (input.y as Int32Array) : null;
  const codes = binned.codes;

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
  const nTotal = idx.length;
  if (nTotal === 0) throw new DataError('cannot fit a decision tree on 0 rows');

  const minLeaf = Number.isInteger(p.min_samples_leaf)
    ? p.min_samples_leaf
    : Math.ceil(p.min_samples_leaf * nTotal);
  const minSplit = Math.max(
    Number.isInteger(p.min_samples_split)
      ? p.min_samples_split
      : Math.max(2, Math.ceil(p.min_samples_split * nTotal)),
    2 * minLeaf,
  );
  const maxDepth = Math.min(p.max_depth ?? MAX_TREE_DEPTH, MAX_TREE_DEPTH);
  const maxFeatures = resolveMaxFeatures(p.max_features, F);
  const rng = maxFeatures < F ? createRng(p.random_state) : null;
  const entropy = p.criterion === 'entropy';

  // Histogram layout: feature j owns slots off[j] .. off[j] + nValueBins(j) (the last is the
  // missing bin); each slot holds S numbers, the sample count last.
  const S = classification ? K + 1 : 2;
  const off = new Int32Array(F + 1);
  const nValueBins = new Int32Array(F);
  for (let j = 0; j < F; j++) {
    nValueBins[j] = mapper.nValueBins(j);
    off[j + 1] = off[j] + nValueBins[j] + 1;
  }
  const histLength = off[F] * S;
  // Histograms waiting on the stack (right siblings) are capped by memory: with many classes
  // one histogram can take megabytes. Past the cap a pending node drops its histogram and
  // rebuilds it from its rows when its turn comes.
  const maxLiveHists = Math.max(
    4,
    Math.floor((input.histogramMemoryBytes ?? HISTOGRAM_MEMORY_BYTES) / (histLength * 8)),
  );
  let liveHists = 0;
  const pool: Float64Array[] = [];
  const acquire = (): Float64Array => {
    liveHists++;
    const h = pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(histLength);
  };
  const release = (h: Float64Array): void => {
    liveHists--;
    if (pool.length < 4) pool.push(h);
  };

  const buildHist = (start: number, end: number): Float64Array => {
    const h = acquire();
    if (yReg) {
      for (let k = start; k < end; k++) {
        const s = idx[k];
        const g = yReg[s];
        const base = s * F;
        for (let j = 0; j < F; j++) {
          const q = (off[j] + codes[base + j]) * 2;
          h[q] += g;
          h[q + 1] += 1;
        }
      }
    } else if (yCls) {
      for (let k = start; k < end; k++) {
        const s = idx[k];
        const c = yCls[s];
        const base = s * F;
        for (let j = 0; j < F; j++) {
          const q = (off[j] + codes[base + j]) * S;
          h[q + c] += 1;
          h[q + K] += 1;
        }
      }
    }
    return h;
  };

  const statsOf = (start: number, end: number): NodeStats => {
    const stats: NodeStats = { n: end - start, sum: 0, sumSq: 0, classCounts: new Float64Array(K) };
    if (yReg) {
      let sum = 0;
      let sumSq = 0;
      for (let k = start; k < end; k++) {
        const v = yReg[idx[k]];
        sum += v;
        sumSq += v * v;
      }
      stats.sum = sum;
      stats.sumSq = sumSq;
    } else if (yCls) {
      for (let k = start; k < end; k++) stats.classCounts[yCls[idx[k]]] += 1;
    }
    return stats;
  };

  const impurityOf = (st: NodeStats): number => {
    if (!classification) {
      const mean = st.sum / st.n;
      return Math.max(0, st.sumSq / st.n - mean * mean);
    }
    let acc = 0;
    for (let k = 0; k < K; k++) {
      const f = st.classCounts[k] / st.n;
      if (f > 0) acc += entropy ? -f * Math.log2(f) : f * f;
    }
    return entropy ? acc : 1 - acc;
  };

  const nodeValue = (st: NodeStats): Float64Array => {
    if (!classification) return Float64Array.of(st.sum / st.n);
    const v = new Float64Array(K);
    for (let k = 0; k < K; k++) v[k] = st.classCounts[k] / st.n;
    return v;
  };

  const isLeafBySize = (n: number, depth: number, impurity: number): boolean =>
    depth >= maxDepth || n < minSplit || n < 2 * minLeaf || impurity <= EPSILON;

  // Scratch for the classification split scan.
  const leftCounts = new Float64Array(K);
  const missCounts = new Float64Array(K);
  const featureOrder = new Int32Array(F);
  for (let j = 0; j < F; j++) featureOrder[j] = j;

  /** Proxy score of a child (larger is better); summed over both children. */
  const childScore = (
    counts: Float64Array | null,
    sum: number,
    n: number,
    total: Float64Array | null,
  ): number => {
    if (!classification) return (sum * sum) / n;
    let acc = 0;
    if (entropy) {
      for (let k = 0; k < K; k++) {
        const c = counts ? counts[k] : (total as Float64Array)[k];
        if (c > 0) acc += c * Math.log2(c);
      }
      return acc - n * Math.log2(n);
    }
    for (let k = 0; k < K; k++) {
      const c = counts ? counts[k] : (total as Float64Array)[k];
      acc += c * c;
    }
    return acc / n;
  };

  const rightCounts = new Float64Array(K);

  const shuffleFeatures = (): void => {
    if (!rng) return;
    // Fisher-Yates shuffle; scikit-learn also draws features in random order per node.
    for (let j = F - 1; j > 0; j--) {
      const r = Math.floor(rng() * (j + 1));
      const t = featureOrder[j];
      featureOrder[j] = featureOrder[r];
      featureOrder[r] = t;
    }
  };

  const findSplitInHistogram = (node: PendingNode): BestSplit | null => {
    const h = node.hist as Float64Array;
    const n = node.stats.n;
    const totalSum = node.stats.sum;
    const totalCounts = node.stats.classCounts;
    let best: BestSplit | null = null;
    shuffleFeatures();
    let visited = 0;
    for (let fi = 0; fi < F && visited < maxFeatures; fi++) {
      const j = featureOrder[fi];
      const nb = nValueBins[j];
      const base = off[j];
      const missQ = (base + nb) * S;
      const missN = h[missQ + S - 1];
      // A feature constant within the node (one occupied slot) offers no split and, as in
      // scikit-learn, does not count towards max_features.
      let occupied = missN > 0 ? 1 : 0;
      for (let b = 0; b < nb && occupied < 2; b++) if (h[(base + b) * S + S - 1] > 0) occupied++;
      if (occupied < 2) continue;
      visited++;
      const missSum = classification ? 0 : h[missQ];
      if (classification) for (let k = 0; k < K; k++) missCounts[k] = h[missQ + k];
      leftCounts.fill(0);
      let leftN = 0;
      let leftSum = 0;
      // Bin b as the last value bin on the left; b = nb - 1 puts every value left, which is a
      // split only when missing values go right.
      for (let b = 0; b < nb; b++) {
        const q = (base + b) * S;
        const cnt = h[q + S - 1];
        leftN += cnt;
        if (classification) {
          if (cnt > 0) for (let k = 0; k < K; k++) leftCounts[k] += h[q + k];
        } else {
          leftSum += h[q];
        }
        // "No values left" is either empty or the mirror of "all values left, missing right",
        // which the last bin offers; skipping it keeps one orientation for every partition.
        if (leftN === 0) continue;
        for (let side = 0; side < 2; side++) {
          const missLeft = side === 1;
          if (missLeft && missN === 0) break;
          const nL = missLeft ? leftN + missN : leftN;
          const nR = n - nL;
          if (nL < minLeaf || nR < minLeaf || nL === 0 || nR === 0) continue;
          let score: number;
          if (classification) {
            if (missLeft) for (let k = 0; k < K; k++) leftCounts[k] += missCounts[k];
            for (let k = 0; k < K; k++) rightCounts[k] = totalCounts[k] - leftCounts[k];
            score = childScore(leftCounts, 0, nL, null) + childScore(rightCounts, 0, nR, null);
            if (missLeft) for (let k = 0; k < K; k++) leftCounts[k] -= missCounts[k];
          } else {
            const sL = missLeft ? leftSum + missSum : leftSum;
            score = childScore(null, sL, nL, null) + childScore(null, totalSum - sL, nR, null);
          }
          if (best === null || betterScore(score, best.score)) {
            best = { feature: j, bin: b, missingLeft: missLeft, score, lo: -1, hi: -1, nMissing: missN };
          }
        }
      }
    }
    if (best !== null) {
      // The occupied bins on either side place the threshold between the node's values.
      const base = off[best.feature];
      const nb = nValueBins[best.feature];
      for (let b = best.bin; b >= 0 && best.lo < 0; b--) if (h[(base + b) * S + S - 1] > 0) best.lo = b;
      for (let b = best.bin + 1; b < nb && best.hi < 0; b++) if (h[(base + b) * S + S - 1] > 0) best.hi = b;
    }
    return best;
  };

  // Sorted search for small nodes: key = bin code << 12 | position in the node, so one typed
  // sort groups the node's rows by bin; the scan then visits only occupied bins, in the same
  // order (and with the same tie-breaking) as the histogram scan.
  // Crossover measured on 200k random rows, 256 bins: about 64 rows for regression and a few
  // hundred for classification, whose histogram scans cost K per bin while a sorted scan
  // costs one count per row.
  const smallRows = Math.min(
    SMALL_NODE_ROWS_MAX,
    input.smallNodeRows ?? Math.max(8, Math.floor(((off[F] / F) * S) / (classification ? 4 : 8))),
  );
  const keys = new Int32Array(Math.max(smallRows, 1));
  const findSplitBySorting = (node: PendingNode): BestSplit | null => {
    const { start } = node;
    const n = node.stats.n;
    const totalSum = node.stats.sum;
    const totalCounts = node.stats.classCounts;
    let best: BestSplit | null = null;
    shuffleFeatures();
    let visited = 0;
    for (let fi = 0; fi < F && visited < maxFeatures; fi++) {
      const j = featureOrder[fi];
      const missing = nValueBins[j];
      for (let k = 0; k < n; k++) keys[k] = (codes[idx[start + k] * F + j] << 12) | k;
      const sorted = keys.subarray(0, n).sort();
      if (sorted[0] >> 12 === sorted[n - 1] >> 12) continue; // constant within the node
      visited++;
      let valuesEnd = n;
      while (valuesEnd > 0 && sorted[valuesEnd - 1] >> 12 === missing) valuesEnd--;
      const missN = n - valuesEnd;
      let missSum = 0;
      missCounts.fill(0);
      for (let k = valuesEnd; k < n; k++) {
        const s = idx[start + (sorted[k] & 4095)];
        if (yReg) missSum += yReg[s];
        else if (yCls) missCounts[yCls[s]] += 1;
      }
      leftCounts.fill(0);
      let leftN = 0;
      let leftSum = 0;
      // One candidate per occupied value bin: values up to it go left.
      let k = 0;
      while (k < valuesEnd) {
        const lo = sorted[k] >> 12;
        while (k < valuesEnd && sorted[k] >> 12 === lo) {
          const s = idx[start + (sorted[k] & 4095)];
          leftN++;
          if (yReg) leftSum += yReg[s];
          else if (yCls) leftCounts[yCls[s]] += 1;
          k++;
        }
        const hi = k < valuesEnd ? sorted[k] >> 12 : -1;
        for (let side = 0; side < 2; side++) {
          const missLeft = side === 1;
          if (missLeft && missN === 0) break;
          const nL = missLeft ? leftN + missN : leftN;
          const nR = n - nL;
          if (nL < minLeaf || nR < minLeaf || nL === 0 || nR === 0) continue;
          let score: number;
          if (classification) {
            if (missLeft) for (let c = 0; c < K; c++) leftCounts[c] += missCounts[c];
            for (let c = 0; c < K; c++) rightCounts[c] = totalCounts[c] - leftCounts[c];
            score = childScore(leftCounts, 0, nL, null) + childScore(rightCounts, 0, nR, null);
            if (missLeft) for (let c = 0; c < K; c++) leftCounts[c] -= missCounts[c];
          } else {
            const sL = missLeft ? leftSum + missSum : leftSum;
            score = childScore(null, sL, nL, null) + childScore(null, totalSum - sL, nR, null);
          }
          if (best === null || betterScore(score, best.score)) {
            best = { feature: j, bin: lo, missingLeft: missLeft, score, lo, hi, nMissing: missN };
          }
        }
      }
    }
    return best;
  };

  /** Real-valued threshold halfway between the node's values on either side of the split. */
  const thresholdOf = (split: BestSplit): number => {
    if (split.hi < 0) return Number.MAX_VALUE; // right child holds only missing values
    if (split.lo < 0) return -Number.MAX_VALUE; // left child holds only missing values
    const below = mapper.binMax[split.feature][split.lo];
    const above = mapper.binMin[split.feature][split.hi];
    // A mapper fitted on other rows than the ones binned may not know the bins' values; the
    // bin edge then separates them just as well.
    if (Number.isNaN(below) || Number.isNaN(above)) return mapper.edges[split.feature][split.lo];
    return midpoint(below, above);
  };

  // Stable partition keeps each node's indices ascending, so histogram passes read the binned
  // rows in memory order.
  const scratch = new Uint32Array(nTotal);
  const partition = (start: number, end: number, split: BestSplit): number => {
    const j = split.feature;
    const missing = nValueBins[j];
    const bin = split.bin;
    const mLeft = split.missingLeft;
    let w = start;
    let r = 0;
    for (let k = start; k < end; k++) {
      const s = idx[k];
      const c = codes[s * F + j];
      const goLeft = c === missing ? mLeft : c <= bin;
      if (goLeft) idx[w++] = s;
      else scratch[r++] = s;
    }
    idx.set(scratch.subarray(0, r), w);
    return w;
  };

  const nodes = new NodeList();
  const importances = new Float64Array(F);
  const rootStats = statsOf(0, nTotal);
  const rootImpurity = impurityOf(rootStats);
  const stack: PendingNode[] = [
    {
      start: 0,
      end: nTotal,
      depth: 0,
      stats: rootStats,
      impurity: rootImpurity,
      leaf: isLeafBySize(nTotal, 0, rootImpurity),
      hist: isLeafBySize(nTotal, 0, rootImpurity) || nTotal <= smallRows ? null : buildHist(0, nTotal),
      parent: -1,
      isLeft: false,
    },
  ];

  while (stack.length > 0) {
    const node = stack.pop() as PendingNode;
    const id = nodes.add(node.stats.n, node.impurity, nodeValue(node.stats));
    if (node.parent >= 0) {
      if (node.isLeft) nodes.left[node.parent] = id;
      else nodes.right[node.parent] = id;
    }
    if (node.leaf) continue;
    if (node.hist === null && node.stats.n > smallRows) node.hist = buildHist(node.start, node.end);
    const hist = node.hist;
    const split = hist ? findSplitInHistogram(node) : findSplitBySorting(node);
    if (split === null) {
      if (hist) release(hist);
      continue;
    }
    const threshold = thresholdOf(split);
    const mid = partition(node.start, node.end, split);
    const leftStats = statsOf(node.start, mid);
    const rightStats = statsOf(mid, node.end);
    const impL = impurityOf(leftStats);
    const impR = impurityOf(rightStats);
    const n = node.stats.n;
    const weightedDecrease = n * node.impurity - leftStats.n * impL - rightStats.n * impR;
    const improvement = weightedDecrease / nTotal;
    if (improvement + EPSILON < p.min_impurity_decrease) {
      if (hist) release(hist);
      continue;
    }
    nodes.feature[id] = split.feature;
    nodes.threshold[id] = threshold;
    nodes.missingLeft[id] = split.missingLeft ? 1 : 0;
    // No missing values seen here: at predict time they follow the larger child.
    if (split.nMissing === 0) nodes.missingLeft[id] = leftStats.n >= rightStats.n ? 1 : 0;
    importances[split.feature] += weightedDecrease;

    const depth = node.depth + 1;
    const leftLeaf = isLeafBySize(leftStats.n, depth, impL);
    const rightLeaf = isLeafBySize(rightStats.n, depth, impR);
    // Children that will search for a split through a histogram need one. With the subtraction
    // trick only the smaller side is built from rows; a small parent has small children.
    const leftNeeds = hist !== null && !leftLeaf && leftStats.n > smallRows;
    const rightNeeds = hist !== null && !rightLeaf && rightStats.n > smallRows;
    let leftHist: Float64Array | null = null;
    let rightHist: Float64Array | null = null;
    if (hist !== null && leftNeeds && rightNeeds) {
      const leftSmaller = leftStats.n <= rightStats.n;
      const small = leftSmaller ? buildHist(node.start, mid) : buildHist(mid, node.end);
      for (let q = 0; q < histLength; q++) hist[q] -= small[q];
      leftHist = leftSmaller ? small : hist;
      rightHist = leftSmaller ? hist : small;
    } else if (hist !== null && (leftNeeds || rightNeeds)) {
      // One child needs a histogram: build it from its rows, or from the parent minus the
      // other child when that child has fewer rows.
      const [aStart, aEnd, bStart, bEnd] = leftNeeds
        ? [node.start, mid, mid, node.end]
        : [mid, node.end, node.start, mid];
      let needed: Float64Array;
      if (bEnd - bStart < aEnd - aStart) {
        const other = buildHist(bStart, bEnd);
        for (let q = 0; q < histLength; q++) hist[q] -= other[q];
        release(other);
        needed = hist;
      } else {
        release(hist);
        needed = buildHist(aStart, aEnd);
      }
      if (leftNeeds) leftHist = needed;
      else rightHist = needed;
    } else if (hist !== null) {
      release(hist);
    }
    if (rightHist !== null && liveHists > maxLiveHists) {
      release(rightHist);
      rightHist = null;
    }
    stack.push({
      start: mid,
      end: node.end,
      depth,
      stats: rightStats,
      impurity: impR,
      leaf: rightLeaf,
      hist: rightHist,
      parent: id,
      isLeft: false,
    });
    stack.push({
      start: node.start,
      end: mid,
      depth,
      stats: leftStats,
      impurity: impL,
      leaf: leftLeaf,
      hist: leftHist,
      parent: id,
      isLeft: true,
    });
  }

  let total = 0;
  for (let j = 0; j < F; j++) total += importances[j];
  if (total > 0) for (let j = 0; j < F; j++) importances[j] /= total;
  return { tree: nodes.finish(F, classification ? K : 1), featureImportances: importances };
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
      throw new DataError(`${name} state: field '${key}' is missing or not an array`, {
        hint: 'the saved model is damaged or was written by another program; retrain it',
      });
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
  for (let node = 0; node < nNodes; node++) {
    const l = tree.left[node];
    const r = tree.right[node];
    const leaf = l === -1;
    const badChild = (c: number) => c <= node || c >= nNodes;
    if (leaf ? r !== -1 : badChild(l) || badChild(r) || tree.feature[node] >= tree.nFeatures) {
      throw new DataError(`${name} state: node ${node} has invalid children or feature`);
    }
  }
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
    this.params = resolveParams(params, task);
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

function checkStateName(state: EstimatorState, expected: string): void {
  if (state.name !== expected) {
    throw new DataError(`cannot load a '${state.name}' state as ${expected}`);
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
