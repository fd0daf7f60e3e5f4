/**
 * Growing one tree, depth first and left child first (so node ids come out in scikit-learn's
 * preorder): take a pending node, find its best split (split-search.ts), partition its rows,
 * give the children the histograms they need (histograms.ts), push them. The parameters arrive
 * resolved; decision-tree.ts checks them and the inputs.
 */
import type { BinMapper } from '../binning.js';
import {
  EPSILON,
  type GrowingRows,
  impurityOf,
  type NodeStats,
  nodeValue,
  partitionRows,
  statsOf,
} from './growing-rows.js';
import type { Histograms } from './histograms.js';
import { type BestSplit, type SplitSearch, thresholdOf } from './split-search.js';

/** Limits that make a node a leaf, with min_samples_* already turned into row counts. */
export interface GrowthLimits {
  maxDepth: number;
  minSplit: number;
  minLeaf: number;
  minImpurityDecrease: number;
  /** Nodes with at most this many rows use the sorted search and need no histogram. */
  smallRows: number;
}

/**
 * Node arrays that grow by doubling; `finish` trims them to the node count. Typed from the start:
 * a fully grown forest adds millions of nodes, and pushing onto eight JavaScript arrays per node
 * cost a third of the fit in allocation and garbage collection.
 */
export class NodeList {
  count = 0;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  missingLeft: Uint8Array;
  nNodeSamples: Int32Array;
  impurity: Float64Array;
  value: Float64Array;

  constructor(readonly nOutputs: number) {
    const c = 64;
    this.feature = new Int32Array(c);
    this.threshold = new Float64Array(c);
    this.left = new Int32Array(c);
    this.right = new Int32Array(c);
    this.missingLeft = new Uint8Array(c);
    this.nNodeSamples = new Int32Array(c);
    this.impurity = new Float64Array(c);
    this.value = new Float64Array(c * nOutputs);
  }

  private grow(): void {
    const c = this.feature.length * 2;
    const more = <T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.feature = more(this.feature, c);
    this.threshold = more(this.threshold, c);
    this.left = more(this.left, c);
    this.right = more(this.right, c);
    this.missingLeft = more(this.missingLeft, c);
    this.nNodeSamples = more(this.nNodeSamples, c);
    this.impurity = more(this.impurity, c);
    this.value = more(this.value, c * this.nOutputs);
  }

  add(n: number, impurity: number, value: ArrayLike<number>): number {
    if (this.count === this.feature.length) this.grow();
    const id = this.count++;
    this.feature[id] = -1;
    this.threshold[id] = 0;
    this.left[id] = -1;
    this.right[id] = -1;
    this.missingLeft[id] = 0;
    this.nNodeSamples[id] = n;
    this.impurity[id] = impurity;
    const K = this.nOutputs;
    for (let k = 0; k < K; k++) this.value[id * K + k] = value[k];
    return id;
  }
}

interface PendingNode {
  start: number;
  end: number;
  depth: number;
  stats: NodeStats;
  impurity: number;
  /** Known to be a leaf before any split search (too small, too deep, or pure). */
  leaf: boolean;
  /** Histogram of the node's rows; null for leaves, small nodes, and dropped ones (rebuilt). */
  hist: Float64Array | null;
  parent: number;
  isLeft: boolean;
}

/** A split that was found and kept: where the rows divide and what each child holds. */
interface KeptSplit {
  split: BestSplit;
  threshold: number;
  mid: number;
  left: { stats: NodeStats; impurity: number };
  right: { stats: NodeStats; impurity: number };
  weightedDecrease: number;
}

export class TreeGrower {
  readonly nodes: NodeList;
  /** Unnormalised: the weighted impurity decrease of every split, per feature. */
  readonly importances: Float64Array;
  private readonly stack: PendingNode[] = [];
  private readonly scratch: Uint32Array;
  private readonly nTotal: number;

  constructor(
    private readonly rows: GrowingRows,
    private readonly mapper: BinMapper,
    private readonly hists: Histograms,
    private readonly search: SplitSearch,
    private readonly limits: GrowthLimits,
  ) {
    this.importances = new Float64Array(rows.nFeatures);
    this.nodes = new NodeList(rows.K);
    this.nTotal = rows.idx.length;
    this.scratch = new Uint32Array(this.nTotal);
  }

  grow(): void {
    const n = this.nTotal;
    const stats = statsOf(this.rows, 0, n);
    const impurity = impurityOf(this.rows, stats);
    const leaf = this.isLeaf(n, 0, impurity);
    const hist = leaf || n <= this.limits.smallRows ? null : this.hists.build(0, n);
    this.stack.push({ start: 0, end: n, depth: 0, stats, impurity, leaf, hist, parent: -1, isLeft: false });
    while (this.stack.length > 0) this.growNode(this.stack.pop() as PendingNode);
  }

  private isLeaf(n: number, depth: number, impurity: number): boolean {
    const { maxDepth, minSplit, minLeaf } = this.limits;
    return depth >= maxDepth || n < minSplit || n < 2 * minLeaf || impurity <= EPSILON;
  }

  private growNode(node: PendingNode): void {
    const { nodes } = this;
    const id = nodes.add(node.stats.n, node.impurity, nodeValue(this.rows, node.stats));
    if (node.parent >= 0) {
      if (node.isLeft) nodes.left[node.parent] = id;
      else nodes.right[node.parent] = id;
    }
    if (node.leaf) return;
    if (node.hist === null && node.stats.n > this.limits.smallRows) {
      node.hist = this.hists.build(node.start, node.end);
    }
    const hist = node.hist;
    const kept = this.splitOf(node);
    if (kept === null) {
      if (hist) this.hists.release(hist);
      return;
    }
    const { split, mid, left, right } = kept;
    nodes.feature[id] = split.feature;
    nodes.threshold[id] = kept.threshold;
    nodes.missingLeft[id] = split.missingLeft ? 1 : 0;
    // No missing values seen here: at predict time they follow the larger child.
    if (split.nMissing === 0) nodes.missingLeft[id] = left.stats.n >= right.stats.n ? 1 : 0;
    this.importances[split.feature] += kept.weightedDecrease;

    const depth = node.depth + 1;
    const leftLeaf = this.isLeaf(left.stats.n, depth, left.impurity);
    const rightLeaf = this.isLeaf(right.stats.n, depth, right.impurity);
    const [leftHist, rightHist] = this.childHistograms(node, mid, leftLeaf, rightLeaf);
    const child = (isLeft: boolean, leaf: boolean, hist: Float64Array | null): PendingNode => {
      const side = isLeft ? left : right;
      const [start, end] = isLeft ? [node.start, mid] : [mid, node.end];
      return {
        start,
        end,
        depth,
        stats: side.stats,
        impurity: side.impurity,
        leaf,
        hist,
        parent: id,
        isLeft,
      };
    };
    // Right first on the stack, so the left child is grown (and numbered) first.
    this.stack.push(child(false, rightLeaf, rightHist));
    this.stack.push(child(true, leftLeaf, leftHist));
  }

  /** The node's best split, partitioning its rows; null when none is found or worth keeping. */
  private splitOf(node: PendingNode): KeptSplit | null {
    const split = node.hist
      ? this.search.inHistogram(node.stats, node.hist)
      : this.search.bySorting(node.stats, node.start);
    if (split === null) return null;
    const threshold = thresholdOf(this.mapper, split);
    const mid = partitionRows(this.rows, this.scratch, node.start, node.end, {
      ...split,
      missingBin: this.hists.nValueBins[split.feature],
    });
    const leftStats = statsOf(this.rows, node.start, mid);
    const rightStats = statsOf(this.rows, mid, node.end);
    const impL = impurityOf(this.rows, leftStats);
    const impR = impurityOf(this.rows, rightStats);
    const weightedDecrease = node.stats.n * node.impurity - leftStats.n * impL - rightStats.n * impR;
    const improvement = weightedDecrease / this.nTotal;
    if (improvement + EPSILON < this.limits.minImpurityDecrease) return null;
    return {
      split,
      threshold,
      mid,
      left: { stats: leftStats, impurity: impL },
      right: { stats: rightStats, impurity: impR },
      weightedDecrease,
    };
  }

  /**
   * Histograms for the children that will search through one (not leaves, not small nodes). With
   * the subtraction trick only the smaller side is built from rows; a small parent (no histogram)
   * has small children. The parent's histogram is reused or released.
   */
  private childHistograms(
    node: PendingNode,
    mid: number,
    leftLeaf: boolean,
    rightLeaf: boolean,
  ): [Float64Array | null, Float64Array | null] {
    const { hists } = this;
    const hist = node.hist;
    if (hist === null) return [null, null];
    const smallRows = this.limits.smallRows;
    const nLeft = mid - node.start;
    const nRight = node.end - mid;
    const leftNeeds = !leftLeaf && nLeft > smallRows;
    const rightNeeds = !rightLeaf && nRight > smallRows;
    let leftHist: Float64Array | null = null;
    let rightHist: Float64Array | null = null;
    if (leftNeeds && rightNeeds) {
      const leftSmaller = nLeft <= nRight;
      const small = leftSmaller ? hists.build(node.start, mid) : hists.build(mid, node.end);
      hists.subtract(hist, small);
      leftHist = leftSmaller ? small : hist;
      rightHist = leftSmaller ? hist : small;
    } else if (leftNeeds || rightNeeds) {
      // One child needs a histogram: build it from its rows, or from the parent minus the
      // other child when that child has fewer rows.
      const [aStart, aEnd, bStart, bEnd] = leftNeeds
        ? [node.start, mid, mid, node.end]
        : [mid, node.end, node.start, mid];
      let needed: Float64Array;
      if (bEnd - bStart < aEnd - aStart) {
        const other = hists.build(bStart, bEnd);
        hists.subtract(hist, other);
        hists.release(other);
        needed = hist;
      } else {
        hists.release(hist);
        needed = hists.build(aStart, aEnd);
      }
      if (leftNeeds) leftHist = needed;
      else rightHist = needed;
    } else {
      hists.release(hist);
    }
    // The right child waits on the stack while the left subtree grows: past the memory cap it
    // drops its histogram and rebuilds it when its turn comes.
    if (rightHist !== null && hists.overCap) {
      hists.release(rightHist);
      rightHist = null;
    }
    return [leftHist, rightHist];
  }
}
