/**
 * The rows a decision tree grows on and the statistics of a node's rows. A node is a contiguous
 * range `rows.idx[start..end)`; splitting a node reorders its range so each child's rows are
 * contiguous too.
 */

/** scikit-learn's EPSILON (np.finfo(np.double).eps) for "pure node" and min_impurity_decrease. */
export const EPSILON = 2.220446049250313e-16;

export interface GrowingRows {
  /** Row-major bin codes: `codes[row * nFeatures + j]`. */
  readonly codes: Uint8Array;
  readonly nFeatures: number;
  /** Row ids, a node's rows contiguous; repeats allowed (a bootstrap sample). */
  readonly idx: Uint32Array;
  /** Regression targets, or null. */
  readonly yReg: Float64Array | null;
  /** Class indices 0..K-1, or null. */
  readonly yCls: Int32Array | null;
  /** Number of classes; 1 for regression. */
  readonly K: number;
  readonly entropy: boolean;
  /**
   * The raw feature columns, for extremely randomised trees: their thresholds are drawn between
   * a node's own smallest and largest value, so they need the values, not only the bins.
   */
  readonly values: readonly Float64Array[] | null;
}

/** Per-node target statistics, computed from the node's rows (never by subtraction). */
export interface NodeStats {
  n: number;
  /** Regression: sum of y. */
  sum: number;
  /** Regression: sum of y². */
  sumSq: number;
  /** Classification: count per class. */
  classCounts: Float64Array;
}

export function statsOf(rows: GrowingRows, start: number, end: number): NodeStats {
  const { idx, yReg, yCls } = rows;
  const stats: NodeStats = { n: end - start, sum: 0, sumSq: 0, classCounts: new Float64Array(rows.K) };
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
}

/** Variance (regression), Gini impurity or entropy in bits (classification), as scikit-learn. */
export function impurityOf(rows: GrowingRows, st: NodeStats): number {
  if (rows.yReg) {
    const mean = st.sum / st.n;
    return Math.max(0, st.sumSq / st.n - mean * mean);
  }
  const { K, entropy } = rows;
  let acc = 0;
  for (let k = 0; k < K; k++) {
    const f = st.classCounts[k] / st.n;
    if (f > 0) acc += entropy ? -f * Math.log2(f) : f * f;
  }
  return entropy ? acc : 1 - acc;
}

/** What a node predicts: the mean target, or each class's fraction. */
export function nodeValue(rows: GrowingRows, st: NodeStats): Float64Array {
  if (rows.yReg) return Float64Array.of(st.sum / st.n);
  const v = new Float64Array(rows.K);
  for (let k = 0; k < rows.K; k++) v[k] = st.classCounts[k] / st.n;
  return v;
}

/**
 * Reorders `idx[start..end)` so the rows going left come first; returns where the right child's
 * rows start. Stable, so each node's row ids stay ascending and histogram passes read the binned
 * rows in memory order.
 */
export function partitionRows(
  rows: GrowingRows,
  scratch: Uint32Array,
  start: number,
  end: number,
  split: { feature: number; bin: number; missingLeft: boolean; missingBin: number; value: number | null },
): number {
  const { idx, codes, nFeatures: F } = rows;
  const j = split.feature;
  if (split.value !== null) {
    // A drawn threshold on the raw values (ExtraTrees): x <= value goes left, NaN as learned.
    const column = (rows.values as readonly Float64Array[])[j];
    const t = split.value;
    const mLeft = split.missingLeft ? 1 : 0;
    let w = start;
    let r = 0;
    // Branch-free (each row written to both sides, only its own side advances): the side is a
    // coin flip to the branch predictor; NaN is rare, so its test predicts well.
    for (let k = start; k < end; k++) {
      const s = idx[k];
      const x = column[s];
      const goLeft = x !== x ? mLeft : +(x <= t);
      idx[w] = s;
      scratch[r] = s;
      w += goLeft;
      r += 1 - goLeft;
    }
    idx.set(scratch.subarray(0, r), w);
    return w;
  }
  const missing = split.missingBin;
  const bin = split.bin;
  const mLeft = split.missingLeft ? 1 : 0;
  let w = start;
  let r = 0;
  for (let k = start; k < end; k++) {
    const s = idx[k];
    const c = codes[s * F + j];
    const goLeft = c === missing ? mLeft : +(c <= bin);
    idx[w] = s;
    scratch[r] = s;
    w += goLeft;
    r += 1 - goLeft;
  }
  idx.set(scratch.subarray(0, r), w);
  return w;
}
