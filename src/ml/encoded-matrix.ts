/**
 * A feature matrix whose one-hot part stays as category codes: dense Float64Array columns
 * followed by one block per encoded input column, each block one Int32Array of codes (row i has
 * its 1 in the block's output column `codes[i]`, or no 1 at all when the code is -1: an unknown
 * category under handle_unknown 'ignore').
 *
 * Why: the default transformer turns a 50-level column into 50 Float64Array columns that are
 * almost all zeros; at 2M rows three such columns were 1.3 GB and most of a big recipe's time
 * went into touching those pages (BENCHMARKS.md, bench/pipeline). Estimators that know the shape
 * read the codes directly — least squares builds XᵀX's one-hot blocks from counts and group sums,
 * linear predict adds one weight per block — and everything else gets the dense matrix from
 * `densify`, which is what `transform()` returned before, bit for bit.
 *
 * The logical column order is the dense columns, then each block's `width` columns in order, so
 * coefficients and feature names are those of the dense matrix and saved models do not change.
 */
import { DataError } from '../errors.js';
import { gram, type GramResult } from './linalg.js';
import type {
  EncodedMatrix,
  EncodedRegressor,
  Estimator,
  FeatureMatrix,
  Frame,
  OneHotBlock,
  PipelineTransformer,
} from './types.js';

export type { EncodedMatrix, OneHotBlock };

/** Logical column count: dense columns plus every block's width. */
export function encodedWidth(X: EncodedMatrix): number {
  let p = X.columns.length;
  for (const b of X.blocks) p += b.width;
  return p;
}

/** A dense matrix as an EncodedMatrix without blocks (no copy). */
export function fromDense(X: FeatureMatrix): EncodedMatrix {
  return { nRows: X.nRows, columns: X.columns, blocks: [] };
}

/** The 0/1 columns the blocks stand for, after the dense ones: the matrix estimators without codes read. */
export function densify(X: EncodedMatrix): FeatureMatrix {
  if (X.blocks.length === 0) return { nRows: X.nRows, columns: X.columns };
  const out = X.columns.slice();
  for (const block of X.blocks) {
    const cols = Array.from({ length: block.width }, () => new Float64Array(X.nRows));
    const { codes } = block;
    for (let i = 0; i < codes.length; i++) {
      const o = codes[i];
      if (o >= 0) cols[o][i] = 1;
    }
    out.push(...cols);
  }
  return { nRows: X.nRows, columns: out };
}

/**
 * XᵀX and Xᵀy (centred when `center`) of the logical matrix, read from the codes: the dense
 * block through `gram`, and for one-hot columns a, b and dense column j
 *   Σ eₐe_b = count of rows with both codes (0 for two codes of one block, countₐ on the diagonal),
 *   Σ eₐxⱼ  = the sum of xⱼ over the rows coded a,
 * then centred as Σ(u − ū)(v − v̄) = Σuv − (Σu)(Σv)/n. The dense cross terms sum already centred
 * values (xⱼ − x̄ⱼ), so nothing large cancels. Cost O(n · blocks · (dense + blocks)) instead of
 * O(n · p²) over p mostly-zero columns.
 */
export function encodedGram(X: EncodedMatrix, y: Float64Array, center: boolean): GramResult {
  const n = X.nRows;
  const d = X.columns.length;
  const dense = gram({ nRows: n, columns: X.columns }, y, { center });
  if (X.blocks.length === 0) return dense;
  const p = encodedWidth(X);
  const offsets: number[] = [];
  let at = d;
  for (const b of X.blocks) {
    offsets.push(at);
    at += b.width;
  }
  const xtx = new Float64Array(p * p);
  for (let j = 0; j < d; j++) xtx.set(dense.xtx.subarray(j * d, j * d + d), j * p);
  const xty = new Float64Array(p);
  xty.set(dense.xty);
  const xMean = new Float64Array(p);
  xMean.set(dense.xMean);
  const yMean = dense.yMean;

  // Per block: counts, and the sums of the (centred) dense columns and y over each code.
  const counts = X.blocks.map((b) => new Float64Array(b.width));
  for (let b = 0; b < X.blocks.length; b++) {
    const { codes, width } = X.blocks[b];
    const count = counts[b];
    // Row-major [code][dense column, then y]: one pass over the rows per dense column.
    const sums = new Float64Array(width * (d + 1));
    for (let i = 0; i < n; i++) {
      const o = codes[i];
      if (o >= 0) count[o]++;
    }
    for (let j = 0; j <= d; j++) {
      const col = j < d ? X.columns[j] : y;
      const mean = j < d ? dense.xMean[j] : yMean;
      addGroupSums({ codes, col, mean, sums, stride: d + 1, j });
    }
    const base = offsets[b];
    for (let a = 0; a < width; a++) {
      const row = base + a;
      for (let j = 0; j < d; j++) {
        // Σ(eₐ − ēₐ)(xⱼ − x̄ⱼ) = Σ eₐ(xⱼ − x̄ⱼ), since Σ(xⱼ − x̄ⱼ) = 0 (and with center off,
        // mean is 0 and this is Σ eₐxⱼ).
        const v = sums[a * (d + 1) + j];
        xtx[row * p + j] = v;
        xtx[j * p + row] = v;
      }
      xty[row] = sums[a * (d + 1) + d];
      if (center) xMean[row] = count[a] / n;
    }
  }
  // One-hot × one-hot: within a block only the diagonal has rows in common.
  for (let b = 0; b < X.blocks.length; b++) {
    const base = offsets[b];
    const count = counts[b];
    const width = X.blocks[b].width;
    for (let a = 0; a < width; a++) {
      for (let c = 0; c < width; c++) {
        const raw = a === c ? count[a] : 0;
        xtx[(base + a) * p + base + c] = center ? raw - (count[a] * count[c]) / n : raw;
      }
    }
    for (let b2 = b + 1; b2 < X.blocks.length; b2++) {
      const base2 = offsets[b2];
      const width2 = X.blocks[b2].width;
      const both = coOccurrence(X.blocks[b].codes, X.blocks[b2].codes, width2, width * width2);
      const count2 = counts[b2];
      for (let a = 0; a < width; a++) {
        for (let c = 0; c < width2; c++) {
          const raw = both[a * width2 + c];
          const v = center ? raw - (count[a] * count2[c]) / n : raw;
          xtx[(base + a) * p + base2 + c] = v;
          xtx[(base2 + c) * p + base + a] = v;
        }
      }
    }
  }
  return { xtx, xty, xMean, yMean };
}

/** sums[code · stride + j] += col[i] − mean over the rows with a code. */
function addGroupSums(t: {
  codes: Int32Array;
  col: Float64Array;
  mean: number;
  sums: Float64Array;
  stride: number;
  j: number;
}): void {
  const { codes, col, mean, sums, stride, j } = t;
  for (let i = 0; i < codes.length; i++) {
    const o = codes[i];
    if (o >= 0) sums[o * stride + j] += col[i] - mean;
  }
}

/** Counts of rows per (code in a, code in b), row-major over b's width. */
function coOccurrence(a: Int32Array, b: Int32Array, widthB: number, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const z = b[i];
    if (x >= 0 && z >= 0) out[x * widthB + z]++;
  }
  return out;
}

/**
 * X·w + intercept over the logical matrix: the dense columns as `linearPredict` does, then one
 * weight per block and row. A non-finite score is reported by the caller as for dense input.
 */
export function linearPredictEncoded(
  X: EncodedMatrix,
  coef: ArrayLike<number>,
  intercept: number,
): Float64Array {
  const n = X.nRows;
  const out = new Float64Array(n).fill(intercept);
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j];
    const w = coef[j];
    for (let i = 0; i < n; i++) out[i] += w * col[i];
  }
  let at = X.columns.length;
  for (const block of X.blocks) {
    addBlockWeights(out, block.codes, coef, at);
    at += block.width;
  }
  return out;
}

function addBlockWeights(
  out: Float64Array,
  codes: Int32Array,
  coef: ArrayLike<number>,
  offset: number,
): void {
  for (let i = 0; i < codes.length; i++) {
    const o = codes[i];
    if (o >= 0) out[i] += coef[offset + o];
  }
}

/** Shape checks for encoded input: block lengths and codes within their widths. */
export function validateEncoded(X: EncodedMatrix, estimator: string, expectedColumns?: number): void {
  for (const c of X.columns) {
    if (c.length !== X.nRows) {
      throw new DataError(`${estimator}: a feature column has ${c.length} values, expected ${X.nRows}`);
    }
  }
  for (const b of X.blocks) {
    if (b.codes.length !== X.nRows) {
      throw new DataError(`${estimator}: a one-hot block has ${b.codes.length} codes, expected ${X.nRows}`);
    }
  }
  if (X.nRows <= 0) {
    throw new DataError(`${estimator}: X has no rows`, { hint: 'check that the dataset is not empty' });
  }
  const p = encodedWidth(X);
  if (p === 0) {
    throw new DataError(`${estimator}: X has no feature columns`, {
      hint: 'select at least one feature column',
    });
  }
  if (expectedColumns !== undefined && p !== expectedColumns) {
    throw new DataError(
      `${estimator}: X has ${p} features, but the model was fitted with ${expectedColumns}`,
      {
        hint: 'transform the input with the same transformer that was used for training',
      },
    );
  }
}

/** Whether an estimator reads one-hot blocks as codes (else give it `densify(X)`). */
export function readsCodes(estimator: Estimator): estimator is EncodedRegressor {
  const e = estimator as Partial<EncodedRegressor>;
  return (
    estimator.kind === 'regressor' &&
    typeof e.fitEncoded === 'function' &&
    typeof e.predictEncoded === 'function'
  );
}

/** The transformer's output with one-hot blocks as codes when it can give them, else dense. */
export function transformEncoded(transformer: PipelineTransformer, frame: Frame): EncodedMatrix {
  return transformer.transformEncoded
    ? transformer.transformEncoded(frame)
    : fromDense(transformer.transform(frame));
}

/**
 * An estimator that takes each one-hot block as one column of category codes instead of its 0/1
 * columns: HistGradientBoosting with `categorical_features`, whose native categorical splits need
 * the category, not its indicator columns.
 */
export interface CategoryCodesReader {
  readonly readsCategoryCodes: boolean;
}

export function readsCategoryCodes(estimator: Estimator): boolean {
  return (estimator as Partial<CategoryCodesReader>).readsCategoryCodes === true;
}

/**
 * The dense columns, then one column per block holding its codes as numbers (an unknown
 * category's -1 becomes NaN, the missing value), with these feature names.
 */
export function codesAsColumns(X: EncodedMatrix, featureNames: readonly string[]): FeatureMatrix {
  const columns = X.columns.slice();
  for (const block of X.blocks) {
    const { codes } = block;
    const col = new Float64Array(codes.length);
    for (let i = 0; i < codes.length; i++) col[i] = codes[i] >= 0 ? codes[i] : Number.NaN;
    columns.push(col);
  }
  if (featureNames.length !== columns.length) {
    throw new DataError(
      `the transformer names ${featureNames.length} features but gives ${columns.length} columns of codes`,
      {
        hint: "a custom transformer's codeFeatureNames() must name its dense columns, then one per one-hot block",
      },
    );
  }
  return { nRows: X.nRows, columns, featureNames };
}

/**
 * `X` (the transformer's `transformEncoded` output) as a category-codes reader takes it, with
 * feature names: one code column per one-hot block when the transformer names them
 * (`codeFeatureNames`), else the dense matrix (a custom transformer that emits codes itself).
 */
export function categoryCodeMatrix(X: EncodedMatrix, transformer: PipelineTransformer): FeatureMatrix {
  if (X.blocks.length > 0 && transformer.codeFeatureNames)
    return codesAsColumns(X, transformer.codeFeatureNames());
  return { ...densify(X), featureNames: transformer.featureNames() };
}

/** The transformer's output for a category-codes reader (see categoryCodeMatrix). */
export function categoryCodeFeatures(transformer: PipelineTransformer, frame: Frame): FeatureMatrix {
  return categoryCodeMatrix(transformEncoded(transformer, frame), transformer);
}

/** The feature names a category-codes reader sees (those of `categoryCodeFeatures`). */
export function categoryCodeFeatureNames(transformer: PipelineTransformer): string[] {
  return transformer.transformEncoded && transformer.codeFeatureNames
    ? transformer.codeFeatureNames()
    : transformer.featureNames();
}
