/**
 * Predicting with a flattened forest (random forests, extra trees, histogram boosting without
 * categorical splits): a predict-only node layout derived once per fitted or loaded forest, and
 * a traversal blocked over rows.
 *
 * - Layout: each tree's nodes renumbered breadth-first so a node's two children are adjacent
 *   (`right = left + 1`); one Int32Array holds per node `feature * 2 + (missing goes right)`
 *   (-1 for a leaf) and the first child's id, next to the thresholds and the leaf values. A
 *   step reads two arrays instead of the saved form's five.
 * - Rows are taken in blocks of BLOCK: the block's values are copied row-major (one small array,
 *   one index per step instead of a column lookup), then every tree runs over the block, so a
 *   tree's upper levels stay in cache for BLOCK rows.
 *
 * Each row still sums its trees in tree order, so the sums are the ones the row-by-row loop gave,
 * bit for bit. Routing is the saved form's: `x <= threshold` left, `x > threshold` right, NaN
 * the way the node learned.
 */

/**
 * A forest's saved arrays, every tree's nodes concatenated: tree t owns nodes offsets[t] ..
 * offsets[t + 1]. forest.ts's FlatForest extends it (declared here: forest.ts imports this module).
 */
export interface PredictableForest {
  /** 1 for regression, the number of classes for classification. */
  nOutputs: number;
  offsets: Int32Array;
  /** Split feature, -1 for a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  /** Child ids local to the tree (add the tree's offset); -1 for a leaf. */
  left: Int32Array;
  right: Int32Array;
  missingLeft: Uint8Array;
  /** `value[node * nOutputs + k]`: the leaf's mean target or class k's fraction. */
  value: Float64Array;
}

/** Rows per block: their values (BLOCK x features doubles) stay in the first-level cache. */
const BLOCK = 256;

interface PredictLayout {
  /** Global id (in this layout) of each tree's root; length trees + 1. */
  roots: Int32Array;
  /** Per node: [feature * 2 + missingRight, first child id] for a split; [-1, -1] for a leaf. */
  meta: Int32Array;
  threshold: Float64Array;
  /** `value[node * nOutputs + k]`, nodes in this layout's order. */
  value: Float64Array;
}

const layouts = new WeakMap<PredictableForest, PredictLayout>();

function layoutOf(forest: PredictableForest): PredictLayout {
  const cached = layouts.get(forest);
  if (cached) return cached;
  const { offsets, feature, threshold, left, right, missingLeft, value, nOutputs: V } = forest;
  const T = offsets.length - 1;
  const total = offsets[T];
  const meta = new Int32Array(total * 2);
  const thr = new Float64Array(total);
  const val = new Float64Array(total * V);
  const roots = new Int32Array(T + 1);
  // Breadth-first per tree: queue[q] is the old (global) id of new node o + q.
  const queue = new Int32Array(total);
  for (let t = 0; t < T; t++) {
    const o = offsets[t];
    roots[t] = o;
    roots[t + 1] = offsets[t + 1];
    let head = 0;
    let tail = 0;
    queue[tail++] = o;
    while (head < tail) {
      const oldId = queue[head];
      const id = o + head;
      head++;
      thr[id] = threshold[oldId];
      for (let k = 0; k < V; k++) val[id * V + k] = value[oldId * V + k];
      if (left[oldId] === -1) {
        meta[2 * id] = -1;
        meta[2 * id + 1] = -1;
        continue;
      }
      meta[2 * id] = feature[oldId] * 2 + (missingLeft[oldId] === 1 ? 0 : 1);
      meta[2 * id + 1] = o + tail;
      queue[tail++] = o + left[oldId];
      queue[tail++] = o + right[oldId];
    }
  }
  const layout = { roots, meta, threshold: thr, value: val };
  layouts.set(forest, layout);
  return layout;
}

/**
 * Adds every tree's leaf values for rows [0, nRows) into `out`, row-major with `stride` numbers
 * per row. A forest with nOutputs values per leaf adds them at out[i * stride + k]; a boosting
 * forest (1 value per leaf, `stride` K trees per iteration) adds tree t's at out[i * K + t % K].
 */
export function addForestOutputs(
  forest: PredictableForest,
  columns: readonly Float64Array[],
  nRows: number,
  out: Float64Array,
  stride: number,
): void {
  const { roots, meta, threshold, value } = layoutOf(forest);
  const V = forest.nOutputs;
  const F = columns.length;
  const T = roots.length - 1;
  const block = new Float64Array(BLOCK * F);
  for (let from = 0; from < nRows; from += BLOCK) {
    const to = Math.min(nRows, from + BLOCK);
    const m = to - from;
    for (let j = 0; j < F; j++) {
      const column = columns[j];
      for (let r = 0, p = j; r < m; r++, p += F) block[p] = column[from + r];
    }
    for (let t = 0; t < T; t++) {
      const root = roots[t];
      const k0 = V === 1 ? t % stride : 0;
      for (let r = 0; r < m; r++) {
        const base = r * F;
        let node = root;
        let code = meta[2 * node];
        while (code >= 0) {
          const x = block[base + (code >> 1)];
          const th = threshold[node];
          // 1 when x > th, else 0, as a flag rather than a jump (the side is a coin flip to the
          // branch predictor); NaN takes the bit the node learned (rare, so well predicted).
          let goRight = +(x > th);
          if (x !== x) goRight = code & 1;
          node = meta[2 * node + 1] + goRight;
          code = meta[2 * node];
        }
        const at = (from + r) * stride + k0;
        if (V === 1) out[at] += value[node];
        else for (let k = 0; k < V; k++) out[at + k] += value[node * V + k];
      }
    }
  }
}
