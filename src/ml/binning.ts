/**
 * Feature binning for histogram trees.
 *
 * Every feature is mapped to at most 255 value bins plus one bin for missing values (NaN), so a
 * bin code fits a byte and a per-node histogram has at most 256 slots per feature. This is the
 * approach of LightGBM and scikit-learn's HistGradientBoosting: a split search scans bins instead
 * of sorting sample values, which makes a depth-10 tree on 800k rows take seconds, not minutes.
 *
 * Bin edges: when a feature has at most `maxBins - 1` distinct values, every distinct value gets
 * its own bin and the edges are the midpoints between consecutive values (the thresholds
 * scikit-learn's exact DecisionTree would consider). Otherwise the edges are quantiles of a
 * sample of the column (as scikit-learn's `_BinMapper`, midpoint percentiles), deduplicated.
 *
 * Besides the edges, the mapper keeps the smallest and largest training value that landed in
 * each bin, so a tree can place a threshold halfway between the data on either side of a split
 * (as scikit-learn does) rather than on the bin edge.
 */
import { DataError } from '../errors.js';
import type { FeatureMatrix } from './types.js';

/** The most bins a feature may have, the missing-value bin included (a bin code is one byte). */
export const MAX_BINS = 256;
/** Rows used to compute quantile edges, as scikit-learn's HistGradientBoosting (`subsample=2e5`). */
export const DEFAULT_BINNING_SUBSAMPLE = 200_000;

export interface BinMapperOptions {
  /** Total bins per feature including the missing-value bin; 3..256. Default 256. */
  maxBins?: number;
  /** Rows sampled to compute quantile edges. Default 200 000. */
  subsample?: number;
  /** Seed for the subsample. */
  randomState?: number | null;
  /** Put the codes in a SharedArrayBuffer, for worker threads to read in place. */
  shared?: boolean;
  /**
   * Per feature: the sorted known categories of a categorical feature (null for a numeric one).
   * Category k gets value bin k, as scikit-learn's `_BinMapper` with `known_categories`: the
   * edges are the midpoints between consecutive categories, so binning is the same code path.
   */
  categories?: readonly (Float64Array | null)[];
}

export interface BinMapperState {
  maxBins: number;
  /** Per feature: upper edges of value bins 0..k-2 (bin k-1 is unbounded above). */
  edges: number[][];
  /** Per feature and value bin: smallest training value in the bin (null when the bin is empty). */
  binMin: (number | null)[][];
  /** Per feature and value bin: largest training value in the bin (null when the bin is empty). */
  binMax: (number | null)[][];
}

/** The binned form of a feature matrix: row-major bytes, so one sample's codes share a cache line. */
export interface BinnedMatrix {
  nRows: number;
  nFeatures: number;
  /** `codes[i * nFeatures + j]` is row i's bin for feature j. */
  codes: Uint8Array;
}

/**
 * Maps raw feature values to bin codes. Value bins are `0..nValueBins(j)-1`; NaN maps to the
 * missing bin `nValueBins(j)`.
 */
export class BinMapper {
  readonly maxBins: number;
  /** Per feature: strictly increasing upper edges of the value bins (length nValueBins - 1). */
  readonly edges: Float64Array[];
  /** Per feature and value bin: smallest training value seen in the bin (NaN if empty). */
  readonly binMin: Float64Array[];
  /** Per feature and value bin: largest training value seen in the bin (NaN if empty). */
  readonly binMax: Float64Array[];

  private constructor(
    maxBins: number,
    edges: Float64Array[],
    binMin: Float64Array[],
    binMax: Float64Array[],
  ) {
    this.maxBins = maxBins;
    this.edges = edges;
    this.binMin = binMin;
    this.binMax = binMax;
  }

  get nFeatures(): number {
    return this.edges.length;
  }

  /** Number of value bins of feature j; the missing bin's code equals this number. */
  nValueBins(j: number): number {
    return this.edges[j].length + 1;
  }

  /** Learns bin edges from training columns; rejects infinite values (as scikit-learn does). */
  static fit(X: FeatureMatrix, options: BinMapperOptions = {}): BinMapper {
    return BinMapper.fitTransform(X, options).mapper;
  }

  /**
   * Learns bin edges and bins the training rows in the same pass (the per-bin value ranges
   * come from the codes, so every value is searched once).
   */
  static fitTransform(
    X: FeatureMatrix,
    options: BinMapperOptions = {},
  ): { mapper: BinMapper; binned: BinnedMatrix } {
    const maxBins = options.maxBins ?? MAX_BINS;
    if (!Number.isInteger(maxBins) || maxBins < 3 || maxBins > MAX_BINS) {
      throw new DataError(`maxBins must be an integer in 3..${MAX_BINS}, got ${maxBins}`);
    }
    const subsample = options.subsample ?? DEFAULT_BINNING_SUBSAMPLE;
    const sampleRows =
      X.nRows > subsample ? sampleIndices(X.nRows, subsample, options.randomState ?? null) : null;
    const edges: Float64Array[] = [];
    for (let j = 0; j < X.columns.length; j++) {
      const column = X.columns[j];
      checkColumn(column, j, X.nRows);
      const known = options.categories?.[j];
      if (known) {
        const e = new Float64Array(Math.max(0, known.length - 1));
        for (let k = 0; k < e.length; k++) e[k] = midpoint(known[k], known[k + 1]);
        edges.push(e);
      } else edges.push(findEdges(column, sampleRows, maxBins - 1));
    }
    const binMin = edges.map((e) => new Float64Array(e.length + 1).fill(Number.POSITIVE_INFINITY));
    const binMax = edges.map((e) => new Float64Array(e.length + 1).fill(Number.NEGATIVE_INFINITY));
    const mapper = new BinMapper(maxBins, edges, binMin, binMax);
    const binned = mapper.transform(X, { shared: options.shared ?? false });
    const { codes, nFeatures, nRows } = binned;
    for (let j = 0; j < nFeatures; j++) {
      const column = X.columns[j];
      const lo = binMin[j];
      const hi = binMax[j];
      const missing = edges[j].length + 1;
      for (let i = 0, p = j; i < nRows; i++, p += nFeatures) {
        const b = codes[p];
        if (b === missing) continue;
        const v = column[i];
        if (v < lo[b]) lo[b] = v;
        if (v > hi[b]) hi[b] = v;
      }
      // Bins no training value fell into (possible with quantile edges) have no range.
      for (let b = 0; b < lo.length; b++) {
        if (lo[b] === Number.POSITIVE_INFINITY) {
          lo[b] = Number.NaN;
          hi[b] = Number.NaN;
        }
      }
    }
    return { mapper, binned };
  }

  /** Bins every row; throws DataError when the column count differs from the fitted one. */
  transform(X: FeatureMatrix, options: { shared?: boolean } = {}): BinnedMatrix {
    const nFeatures = this.edges.length;
    if (X.columns.length !== nFeatures) {
      throw new DataError(`expected ${nFeatures} feature columns, got ${X.columns.length}`, {
        hint: 'transform data with the same columns the model was trained on',
      });
    }
    const nRows = X.nRows;
    const codes = options.shared
      ? new Uint8Array(new SharedArrayBuffer(nRows * nFeatures))
      : new Uint8Array(nRows * nFeatures);
    for (let j = 0; j < nFeatures; j++) {
      const column = X.columns[j];
      checkColumn(column, j, nRows);
      const e = this.edges[j];
      const missing = e.length + 1;
      // Edges padded with +Infinity to 256 entries: eight fixed halving steps find the first
      // edge >= v. Adding the comparison as a number (not branching on it) avoids a branch
      // misprediction per step; measured 3x faster than the if-version on random data.
      const padded = new Float64Array(MAX_BINS).fill(Number.POSITIVE_INFINITY);
      padded.set(e);
      for (let i = 0, p = j; i < nRows; i++, p += nFeatures) {
        const v = column[i];
        if (v !== v) {
          codes[p] = missing;
          continue;
        }
        let b = +(padded[127] < v) << 7;
        b += +(padded[b + 63] < v) << 6;
        b += +(padded[b + 31] < v) << 5;
        b += +(padded[b + 15] < v) << 4;
        b += +(padded[b + 7] < v) << 3;
        b += +(padded[b + 3] < v) << 2;
        b += +(padded[b + 1] < v) << 1;
        b += +(padded[b] < v);
        codes[p] = b;
      }
    }
    return { nRows, nFeatures, codes };
  }

  toJSON(): BinMapperState {
    const nullable = (a: Float64Array): (number | null)[] =>
      Array.from(a, (v) => (Number.isNaN(v) ? null : v));
    return {
      maxBins: this.maxBins,
      edges: this.edges.map((e) => Array.from(e)),
      binMin: this.binMin.map(nullable),
      binMax: this.binMax.map(nullable),
    };
  }

  static fromJSON(state: BinMapperState): BinMapper {
    const nanable = (a: (number | null)[]): Float64Array => Float64Array.from(a, (v) => v ?? Number.NaN);
    return new BinMapper(
      state.maxBins,
      state.edges.map((e) => Float64Array.from(e)),
      state.binMin.map(nanable),
      state.binMax.map(nanable),
    );
  }
}

function checkColumn(column: Float64Array, j: number, nRows: number): void {
  if (column.length !== nRows) {
    throw new DataError(`feature column ${j} has ${column.length} values, expected ${nRows}`);
  }
  for (let i = 0; i < nRows; i++) {
    const v = column[i];
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      throw new DataError(`feature column ${j} row ${i} is infinite`, {
        hint: 'replace infinite values with finite ones or NaN (missing) before training',
      });
    }
  }
}

/** Midpoint of two adjacent values that stays strictly below `b` (as scikit-learn's splitter). */
export function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= b ? a : m;
}

function findEdges(column: Float64Array, rows: Uint32Array | null, maxValueBins: number): Float64Array {
  const n = rows ? rows.length : column.length;
  const values = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = column[rows ? rows[i] : i];
    if (!Number.isNaN(v)) values[k++] = v;
  }
  const sorted = values.subarray(0, k).sort();
  const distinct: number[] = [];
  for (let i = 0; i < k; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      distinct.push(sorted[i]);
      if (distinct.length > maxValueBins) break;
    }
  }
  if (distinct.length <= maxValueBins) {
    const edges = new Float64Array(Math.max(0, distinct.length - 1));
    for (let i = 0; i < edges.length; i++) edges[i] = midpoint(distinct[i], distinct[i + 1]);
    return edges;
  }
  // Percentiles 100*q/maxValueBins for q = 1..maxValueBins-1, numpy's 'midpoint' method.
  const edges: number[] = [];
  for (let q = 1; q < maxValueBins; q++) {
    const pos = (q / maxValueBins) * (k - 1);
    const v = (sorted[Math.floor(pos)] + sorted[Math.ceil(pos)]) / 2;
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return Float64Array.from(edges);
}

/** Seeded sample of `k` distinct row indices out of `n`, sorted ascending for cache-friendly reads. */
function sampleIndices(n: number, k: number, seed: number | null): Uint32Array {
  const rng = createRng(seed);
  // Floyd's algorithm would need a set; a partial Fisher-Yates over a full index array is simpler
  // and n is at most a few million here.
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let i = 0; i < k; i++) {
    const r = i + Math.floor(rng() * (n - i));
    const t = all[i];
    all[i] = all[r];
    all[r] = t;
  }
  return all.slice(0, k).sort();
}

/**
 * A small seeded PRNG (mulberry32): reproducible runs for a given `random_state`. A null seed
 * draws one from Math.random, like scikit-learn's `random_state=None`.
 */
export function createRng(seed: number | null): () => number {
  let state = (seed ?? Math.floor(Math.random() * 0x100000000)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
