/**
 * Growing one gradient-boosting tree on binned features, as scikit-learn's HistGradientBoosting
 * grower does: best-first (the leaf whose split gains most is split next) up to
 * `maxLeafNodes` leaves, histograms of gradient and hessian sums per feature and bin, the
 * smaller child's histogram built from its rows and the larger one's by subtraction.
 *
 * Split gain (scikit-learn's `_split_gain` without its constant factor):
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), for every value bin as the last one on the left and
 * missing values on either side. Leaf values are −learning_rate · G/(H+λ). Missing values at
 * predict time follow the side training chose, and at nodes that saw none, the child with more
 * rows (scikit-learn's rule).
 *
 * Categorical features (scikit-learn 1.2's native categorical splits, after LightGBM and Fisher's
 * "On Grouping for Maximum Homogeneity"): a feature's categories with enough support are sorted
 * by G/(H + 10) at each node and scanned as if ordered, from both ends up to the middle; the
 * categories on the chosen side go left, the rest (rare ones included) right. The split keeps a
 * bitset of the raw categories that go left (8 × 32 bits: categories are 0..254).
 */
import type { BinMapper } from '../binning.js';
import type { TreeStructure } from '../decision-tree.js';
import type { HistogramHelpers } from '../ensemble-threads.js';
import { sumBoostHistogram } from './boost-histogram.js';

/**
 * Nodes with fewer rows build their histogram on this thread alone: waking the helpers costs
 * tens of microseconds, about what 8k rows x 10 features take to sum.
 */
export const PARALLEL_MIN_ROWS = 8192;

/** scikit-learn's `min_hessian_to_split`. */
const MIN_HESSIAN_TO_SPLIT = 1e-3;
/** scikit-learn's MIN_CAT_SUPPORT (LightGBM's cat_smooth): least hessian support of a category. */
const MIN_CAT_SUPPORT = 10;
/** 32-bit words of a category bitset: 256 categories. */
export const CAT_BITSET_WORDS = 8;

export interface BoostGrowerOptions {
  maxLeafNodes: number | null;
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** The binned training rows shared by every tree of a fit. */
export interface BoostData {
  /** Row-major bin codes: `codes[row * nFeatures + j]`. */
  codes: Uint8Array;
  nFeatures: number;
  nRows: number;
  mapper: BinMapper;
  /**
   * Per feature: its sorted raw categories when categorical (value bin k is category k), else
   * null. Absent: no categorical feature.
   */
  categories?: readonly (Float64Array | null)[];
}

interface Split {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  gl: number;
  hl: number;
  nl: number;
  /** Categorical splits: 1 for each bin (the missing bin included) that goes left. */
  catLeft: Uint8Array | null;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array | null;
  split: Split | null;
}

export interface BoostTree {
  tree: TreeStructure;
  /** Leaves as row ranges of `rows` (after the grower reordered it) and their values. */
  leafStart: number[];
  leafEnd: number[];
  leafValue: number[];
  /** Split gains summed per feature. */
  gains: Float64Array;
  /** Categorical split nodes (ids in `tree`) and, for each, the bitset of raw categories going left. */
  catNodes: number[];
  catBitsets: Uint32Array[];
}

export class BoostGrower {
  private readonly off: Int32Array;
  private readonly nValueBins: Int32Array;
  private readonly histLength: number;
  private readonly pool: Float64Array[] = [];
  private readonly scratch: Uint32Array;
  /**
   * The codes again, column-major (`byFeature[j * nRows + row]`), for partitioning: a node's rows
   * are ascending, so reading one feature's codes sweeps one dense column where the row-major
   * codes would cost a cache line per row (the partition took 2 of 6 s of a 300k-row fit).
   */
  private readonly byFeature: Uint8Array;
  private helpers: HistogramHelpers | null = null;
  private readonly isCategorical: Uint8Array;
  /** Per feature: whether any training row is missing (scikit-learn's `has_missing_values`). */
  private readonly hasMissing: Uint8Array;
  /** Scratch for the categorical scan: used bins and their G/(H + support) ratios. */
  private readonly catBins = new Int32Array(257);
  private readonly catRatio = new Float64Array(257);

  constructor(
    private readonly data: BoostData,
    private readonly options: BoostGrowerOptions,
  ) {
    const F = data.nFeatures;
    this.off = new Int32Array(F + 1);
    this.nValueBins = new Int32Array(F);
    for (let j = 0; j < F; j++) {
      this.nValueBins[j] = data.mapper.nValueBins(j);
      this.off[j + 1] = this.off[j] + this.nValueBins[j] + 1;
    }
    // Per slot: gradient sum, hessian sum, row count.
    this.histLength = this.off[F] * 3;
    this.scratch = new Uint32Array(data.nRows);
    this.isCategorical = new Uint8Array(F);
    this.hasMissing = new Uint8Array(F);
    const n = data.nRows;
    this.byFeature = new Uint8Array(n * F);
    for (let j = 0; j < F; j++) {
      if (data.categories?.[j]) this.isCategorical[j] = 1;
      const missing = this.nValueBins[j];
      const column = this.byFeature.subarray(j * n, (j + 1) * n);
      for (let i = 0, p = j; i < n; i++, p += F) column[i] = data.codes[p];
      if (column.includes(missing)) this.hasMissing[j] = 1;
    }
  }

  /** Slot offsets per feature (3 numbers per slot) and a histogram's length, for helpers. */
  get layout(): { off: Int32Array; histLength: number } {
    return { off: this.off, histLength: this.histLength };
  }

  /**
   * Splits large histogram builds by feature with these helper threads. They read `rows`, the
   * gradients and the hessians in shared memory: grow() must then get the very arrays the
   * helpers were given (gradients as subarrays of theirs, one block per class).
   */
  useHelpers(helpers: HistogramHelpers): void {
    this.helpers = helpers;
  }

  private acquire(): Float64Array {
    // Not zeroed: build() overwrites every feature's slots.
    return this.pool.pop() ?? new Float64Array(this.histLength);
  }

  private release(h: Float64Array | null): void {
    if (h && this.pool.length < 8) this.pool.push(h);
  }

  /** Histogram of rows[start..end); `hess` null means every hessian is 1 (squared error). */
  private build(
    rows: Uint32Array,
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array | null,
  ): Float64Array {
    const h = this.acquire();
    const { codes, nFeatures: F } = this.data;
    const off = this.off;
    const helpers = end - start >= PARALLEL_MIN_ROWS ? this.helpers : null;
    // With helpers this thread sums features [0, Fh) and each helper its own range.
    if (helpers) helpers.startBuild(start, end, hess !== null, grad.byteOffset / 8);
    const Fh = helpers ? helpers.mainFeatures : F;
    sumBoostHistogram(
      { codes, nFeatures: F, off, rows, start, end, grad, gradOffset: 0, hess, fromFeature: 0, toFeature: Fh },
      h,
    );
    if (helpers) {
      helpers.waitForHelpers();
      for (const part of helpers.parts) {
        const from = off[part.fromFeature] * 3;
        h.set(part.out.subarray(from, off[part.toFeature] * 3), from);
      }
    }
    return h;
  }

  private findSplit(node: GrowNode, n: number): Split | null {
    const h = node.hist as Float64Array;
    const { minSamplesLeaf, l2 } = this.options;
    const F = this.data.nFeatures;
    const G = node.g;
    const H = node.h;
    const parentScore = (G * G) / (H + l2);
    let best: Split | null = null;
    for (let j = 0; j < F; j++) {
      if (this.isCategorical[j] === 1) {
        const split = this.findCategoricalSplit(j, h, n, G, H);
        if (split && (best === null || split.gain > best.gain)) best = split;
        continue;
      }
      const nb = this.nValueBins[j];
      const base = this.off[j];
      const mq = (base + nb) * 3;
      const mg = h[mq];
      const mh = h[mq + 1];
      const mn = h[mq + 2];
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < nb; b++) {
        const q = (base + b) * 3;
        gl += h[q];
        hl += h[q + 1];
        nl += h[q + 2];
        for (let side = 0; side < 2; side++) {
          const missLeft = side === 1;
          if (missLeft && mn === 0) break;
          const GL = missLeft ? gl + mg : gl;
          const HL = missLeft ? hl + mh : hl;
          const NL = missLeft ? nl + mn : nl;
          const NR = n - NL;
          if (NL < minSamplesLeaf || NR < minSamplesLeaf) continue;
          const HR = H - HL;
          if (HL < MIN_HESSIAN_TO_SPLIT || HR < MIN_HESSIAN_TO_SPLIT) continue;
          const GR = G - GL;
          const gain = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2) - parentScore;
          if (gain > 0 && (best === null || gain > best.gain)) {
            best = { feature: j, bin: b, missingLeft: missLeft, gain, gl: GL, hl: HL, nl: NL, catLeft: null };
          }
        }
      }
    }
    return best;
  }

  /**
   * scikit-learn 1.2's `_find_best_bin_to_split_category`: categories (and missing values, as
   * one more category) whose hessian support reaches MIN_CAT_SUPPORT, sorted by G/(H + 10); a
   * scan from each end up to the middle, the scanned prefix going left. Ties in the ratio keep
   * bin order (scikit-learn's qsort leaves them unspecified).
   */
  private findCategoricalSplit(j: number, h: Float64Array, n: number, G: number, H: number): Split | null {
    const { minSamplesLeaf, l2 } = this.options;
    const nb = this.nValueBins[j];
    const base = this.off[j];
    const bins = this.catBins;
    const ratio = this.catRatio;
    const supportFactor = n / H;
    let used = 0;
    const consider = (b: number) => {
      const q = (base + b) * 3;
      const hb = h[q + 1];
      if (hb * supportFactor >= MIN_CAT_SUPPORT) {
        bins[used] = b;
        ratio[b] = h[q] / (hb + MIN_CAT_SUPPORT);
        used++;
      }
    };
    for (let b = 0; b < nb; b++) consider(b);
    if (this.hasMissing[j] === 1) consider(nb);
    if (used <= 1) return null;
    const order = Array.from(bins.subarray(0, used)).sort((a, b) => ratio[a] - ratio[b] || a - b);
    const parentScore = (G * G) / (H + l2);
    let best: Split | null = null;
    let bestDirection = 1;
    let bestAt = 0;
    for (const direction of [1, -1]) {
      const middle = direction === 1 ? (used + 1) >> 1 : ((used + 1) >> 1) - 1;
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let i = 0; i < middle; i++) {
        const at = direction === 1 ? i : used - 1 - i;
        const q = (base + order[at]) * 3;
        gl += h[q];
        hl += h[q + 1];
        nl += h[q + 2];
        const nr = n - nl;
        const hr = H - hl;
        if (nl < minSamplesLeaf || hl < MIN_HESSIAN_TO_SPLIT) continue;
        if (nr < minSamplesLeaf || hr < MIN_HESSIAN_TO_SPLIT) break;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
        if (gain > 0 && (best === null || gain > best.gain)) {
          best = { feature: j, bin: 0, missingLeft: false, gain, gl, hl, nl, catLeft: null };
          bestDirection = direction;
          bestAt = at;
        }
      }
    }
    if (best === null) return null;
    const catLeft = new Uint8Array(nb + 1);
    if (bestDirection === 1) for (let at = 0; at <= bestAt; at++) catLeft[order[at]] = 1;
    else for (let at = used - 1; at >= bestAt; at--) catLeft[order[at]] = 1;
    best.catLeft = catLeft;
    best.missingLeft = catLeft[nb] === 1;
    return best;
  }

  private canSplit(n: number, depth: number): boolean {
    const { maxDepth, minSamplesLeaf } = this.options;
    return (maxDepth === null || depth < maxDepth) && n >= 2 * minSamplesLeaf;
  }

  /**
   * Grows one tree on `rows` (reordered in place so each leaf's rows are contiguous), with
   * per-row gradients and hessians (null: all 1).
   */
  grow(rows: Uint32Array, grad: Float64Array, hess: Float64Array | null): BoostTree {
    const { nFeatures: F, mapper } = this.data;
    const { maxLeafNodes, l2, learningRate } = this.options;
    const n = rows.length;
    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const missingLeft: number[] = [];
    const nSamples: number[] = [];
    const value: number[] = [];
    const gains = new Float64Array(F);
    const catNodes: number[] = [];
    const catBitsets: Uint32Array[] = [];
    const addNode = (count: number, g: number, h: number): number => {
      feature.push(-1);
      threshold.push(0);
      left.push(-1);
      right.push(-1);
      missingLeft.push(0);
      nSamples.push(count);
      value.push((-learningRate * g) / (h + l2));
      return feature.length - 1;
    };

    let G = 0;
    let Hs = 0;
    for (let k = 0; k < n; k++) {
      G += grad[rows[k]];
      Hs += hess ? hess[rows[k]] : 1;
    }
    const root: GrowNode = {
      id: addNode(n, G, Hs),
      start: 0,
      end: n,
      depth: 0,
      g: G,
      h: Hs,
      hist: null,
      split: null,
    };
    const splittable: GrowNode[] = [];
    if (this.canSplit(n, 0)) {
      root.hist = this.build(rows, 0, n, grad, hess);
      root.split = this.findSplit(root, n);
      if (root.split) splittable.push(root);
      else this.release(root.hist);
    }
    const leaves: GrowNode[] = [];
    if (!root.split) leaves.push(root);
    let nLeaves = 1;
    while (splittable.length > 0 && (maxLeafNodes === null || nLeaves < maxLeafNodes)) {
      // The largest gain first; ties go to the node found first (smaller id).
      let at = 0;
      for (let i = 1; i < splittable.length; i++)
        if (splittable[i].split!.gain > splittable[at].split!.gain) at = i;
      const node = splittable.splice(at, 1)[0];
      const split = node.split as Split;
      const j = split.feature;
      const missingBin = this.nValueBins[j];
      // Partition rows[start..end): left first, stable. Branch-free: every row is written to
      // both sides and only the side it belongs to advances (the side is a coin flip to the
      // branch predictor; this loop took a third of the fit's time with an if/else).
      let w = node.start;
      let r = 0;
      const scratch = this.scratch;
      const catLeft = split.catLeft;
      const column = this.byFeature.subarray(j * n, (j + 1) * n);
      if (catLeft) {
        // Missing values are one of the categories here: the bitset over bins says where they go.
        for (let k = node.start; k < node.end; k++) {
          const s = rows[k];
          const goLeft = catLeft[column[s]];
          rows[w] = s;
          scratch[r] = s;
          w += goLeft;
          r += 1 - goLeft;
        }
      } else {
        const bin = split.bin;
        const missLeft = split.missingLeft ? 1 : 0;
        for (let k = node.start; k < node.end; k++) {
          const s = rows[k];
          const c = column[s];
          // c <= bin, or c is the missing bin and missing values go left (missingBin > bin).
          const goLeft = ((c - bin - 1) >>> 31) | (missLeft & (((c ^ missingBin) - 1) >>> 31));
          rows[w] = s;
          scratch[r] = s;
          w += goLeft;
          r += 1 - goLeft;
        }
      }
      rows.set(this.scratch.subarray(0, r), w);
      const mid = w;
      const nl = mid - node.start;
      const nr = node.end - mid;
      const depth = node.depth + 1;
      const lNode: GrowNode = {
        id: addNode(nl, split.gl, split.hl),
        start: node.start,
        end: mid,
        depth,
        g: split.gl,
        h: split.hl,
        hist: null,
        split: null,
      };
      const rNode: GrowNode = {
        id: addNode(nr, node.g - split.gl, node.h - split.hl),
        start: mid,
        end: node.end,
        depth,
        g: node.g - split.gl,
        h: node.h - split.hl,
        hist: null,
        split: null,
      };
      const id = node.id;
      feature[id] = j;
      left[id] = lNode.id;
      right[id] = rNode.id;
      if (catLeft) {
        const known = this.data.categories?.[j] as Float64Array;
        const bitset = new Uint32Array(CAT_BITSET_WORDS);
        for (let b = 0; b < missingBin; b++) {
          if (catLeft[b] === 1) {
            const c = known[b];
            bitset[c >>> 5] |= 1 << (c & 31);
          }
        }
        catNodes.push(id);
        catBitsets.push(bitset);
        // scikit-learn: without missing values in training, missing (and unknown) categories
        // at predict time follow the child with more rows (ties right).
        missingLeft[id] = (this.hasMissing[j] === 1 ? split.missingLeft : nl > nr) ? 1 : 0;
      } else {
        const edges = mapper.edges[j];
        threshold[id] = split.bin < edges.length ? edges[split.bin] : Number.MAX_VALUE;
        // Missing values at a node that saw none follow the child with more rows.
        const sawMissing = (node.hist as Float64Array)[(this.off[j] + missingBin) * 3 + 2] > 0;
        missingLeft[id] = (sawMissing ? split.missingLeft : nl >= nr) ? 1 : 0;
      }
      gains[j] += split.gain;
      nLeaves++;

      const lCan = this.canSplit(nl, depth);
      const rCan = this.canSplit(nr, depth);
      if (lCan || rCan) {
        const parent = node.hist as Float64Array;
        const leftSmaller = nl <= nr;
        const small = leftSmaller
          ? this.build(rows, node.start, mid, grad, hess)
          : this.build(rows, mid, node.end, grad, hess);
        for (let q = 0; q < parent.length; q++) parent[q] -= small[q];
        lNode.hist = leftSmaller ? small : parent;
        rNode.hist = leftSmaller ? parent : small;
      } else {
        this.release(node.hist);
      }
      node.hist = null;
      for (const [child, can] of [
        [lNode, lCan],
        [rNode, rCan],
      ] as const) {
        if (can) child.split = this.findSplit(child, child.end - child.start);
        if (child.split) splittable.push(child);
        else {
          this.release(child.hist);
          child.hist = null;
          leaves.push(child);
        }
      }
    }
    for (const node of splittable) {
      this.release(node.hist);
      node.hist = null;
      leaves.push(node);
    }
    const tree: TreeStructure = {
      nFeatures: F,
      nOutputs: 1,
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      missingLeft: Uint8Array.from(missingLeft),
      nNodeSamples: Int32Array.from(nSamples),
      impurity: new Float64Array(feature.length),
      value: Float64Array.from(value),
    };
    return {
      tree,
      leafStart: leaves.map((l) => l.start),
      leafEnd: leaves.map((l) => l.end),
      leafValue: leaves.map((l) => value[l.id]),
      gains,
      catNodes,
      catBitsets,
    };
  }
}
