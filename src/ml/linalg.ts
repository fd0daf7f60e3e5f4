/**
 * Small dense linear algebra over Float64Array for the linear estimators.
 *
 * The estimators reduce an n×p problem (n up to millions, p up to a few hundred) to p×p
 * systems, so everything here is either one streaming pass over the columns (Gram matrices)
 * or O(p³) work on a tiny matrix. Square matrices are row-major `Float64Array`s of length p·p.
 */
import { DataError } from '../errors.js';
import type { FeatureMatrix } from './types.js';

/** Rows per block when streaming over columns: keeps p blocks of the data in L1/L2 cache. */
const BLOCK_ROWS = 2048;

/**
 * Checks that X and y agree in length, that there is at least one row, and that X holds no
 * NaN or infinity (scikit-learn rejects those too; a silent NaN would poison every coefficient).
 */
export function validateTrainingData(
  X: FeatureMatrix,
  yLength: number,
  estimator: string,
  options: { checkFinite?: boolean } = {},
): void {
  validateShape(X, estimator);
  if (options.checkFinite ?? true) validateFinite(X, estimator);
  if (yLength !== X.nRows) {
    throw new DataError(`${estimator}: X has ${X.nRows} rows but y has ${yLength} values`, {
      hint: 'pass one target value per row of X',
    });
  }
}

/** Checks shape and finiteness of X; used by fit and predict. */
export function validateFeatures(X: FeatureMatrix, estimator: string, expectedColumns?: number): void {
  validateShape(X, estimator, expectedColumns);
  validateFinite(X, estimator);
}

/** Checks that X has rows, columns (as many as expected) of the declared length. */
export function validateShape(X: FeatureMatrix, estimator: string, expectedColumns?: number): void {
  if (X.nRows <= 0) {
    throw new DataError(`${estimator}: X has no rows`, { hint: 'check that the dataset is not empty' });
  }
  if (X.columns.length === 0) {
    throw new DataError(`${estimator}: X has no feature columns`, {
      hint: 'select at least one feature column',
    });
  }
  if (expectedColumns !== undefined && X.columns.length !== expectedColumns) {
    throw new DataError(
      `${estimator}: X has ${X.columns.length} feature columns but the model was fitted on ${expectedColumns}`,
      { hint: 'predict with the same feature columns, in the same order, as in training' },
    );
  }
  for (let j = 0; j < X.columns.length; j++) {
    if (X.columns[j].length !== X.nRows) {
      throw new DataError(
        `${estimator}: feature column ${j} has ${X.columns[j].length} values but X.nRows is ${X.nRows}`,
      );
    }
  }
}

/** Throws a DataError naming the first NaN or infinite value of X (column, row). */
export function validateFinite(X: FeatureMatrix, estimator: string): void {
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j];
    for (let i = 0; i < col.length; i++) {
      if (!Number.isFinite(col[i])) {
        throw new DataError(
          `${estimator}: feature column ${j}, row ${i} is ${col[i]} (NaN or infinite values are not allowed)`,
          { hint: 'impute or drop missing values in the transform step before training' },
        );
      }
    }
  }
}

/** Checks that every target value is finite. */
export function validateTargets(y: ArrayLike<number>, estimator: string): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new DataError(`${estimator}: target y at row ${i} is ${y[i]} (must be a finite number)`, {
        hint: 'drop rows whose target is missing before training',
      });
    }
  }
}

export interface GramOptions {
  /** Centre X and y on their means (what fitting an intercept needs). */
  center?: boolean;
}

export interface GramResult {
  /** (X − x̄)ᵀ(X − x̄) when centring, else XᵀX; p×p row-major, symmetric. */
  xtx: Float64Array;
  /** (X − x̄)ᵀ(y − ȳ) when centring, else Xᵀy; length p. */
  xty: Float64Array;
  /** Column means x̄ (zeros without centring). */
  xMean: Float64Array;
  /** Mean of y (0 without centring). */
  yMean: number;
}

/**
 * Computes XᵀX and Xᵀy, optionally of the centred data, in one blocked pass over the columns.
 *
 * Centring without a separate pass for the means: each column is shifted by its first value cⱼ
 * while it is copied into the block, and the copy loop also sums the shifted values, so the
 * tiles give the centred products Σ(xⱼ − cⱼ)(xₖ − cₖ) − sⱼsₖ/n with sⱼ = Σ(xⱼ − cⱼ). Because the
 * shift already removes the bulk of the mean, that final subtraction cancels only O(1) digits,
 * unlike the textbook Σxⱼxₖ − n·x̄ⱼx̄ₖ, which loses everything for columns with a large mean. y
 * rides along as one more column, so Xᵀy comes out of the same tiles.
 *
 * The per-row loops live in small helpers (`copyShiftedColumn`, `copyShiftedTarget`,
 * `accumulateTiles`) that every fit calls many times, so they are optimised early and stay
 * optimised; gram itself runs once per fit and its loop is one call per block, so V8 never has to compile
 * (or, after a deopt, recompile) it in the middle of a large fit. Measured: a single Ridge fit
 * at 100k×10 right after a warm-up took ~13 ms with the copy loop inline here, ~6 ms warm.
 */
export function gram(X: FeatureMatrix, y: ArrayLike<number>, options: GramOptions = {}): GramResult {
  const p = X.columns.length;
  const n = X.nRows;
  const center = options.center ?? false;
  const shift = new Float64Array(p + 1);
  if (center && n > 0) {
    for (let j = 0; j < p; j++) shift[j] = X.columns[j][0];
    shift[p] = y[0];
  }
  // Columns: x₀…x_{p−1}, y, then zero padding to a multiple of 4.
  const qPad = padTo4(p + 1);
  const acc = new Float64Array(qPad * qPad);
  const block = new Float64Array(qPad * BLOCK_ROWS);
  // Shifted sums sⱼ (only used when centring).
  const sums = new Float64Array(p + 1);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    accumulateGramBlock({ X, y, shift, sums, block, qPad, acc, start, len: Math.min(BLOCK_ROWS, n - start) });
  }
  return gramResult({ acc, qPad, p, n, center, shift, sums });
}

/**
 * One block of `gram`: the shifted copy (adding to the sums) and its tiles. A function of its
 * own so that gram's block loop stays a few bytecodes long: with the per-column loop inline,
 * V8 on-stack-replaced gram in the middle of an 800k-row fit, and that OSR code ran the whole
 * fit ~30% slower (60 vs 45 ms; with --no-use-osr 45 ms).
 */
function accumulateGramBlock(t: {
  X: FeatureMatrix;
  y: ArrayLike<number>;
  shift: Float64Array;
  sums: Float64Array;
  block: Float64Array;
  qPad: number;
  acc: Float64Array;
  start: number;
  len: number;
}): void {
  const { X, y, shift, sums, block, qPad, acc, start, len } = t;
  const p = X.columns.length;
  for (let j = 0; j < p; j++) {
    sums[j] += copyShiftedColumn({
      src: X.columns[j],
      start,
      len,
      off: shift[j],
      block,
      base: j * BLOCK_ROWS,
    });
  }
  sums[p] += copyShiftedTarget({ src: y, start, len, off: shift[p], block, base: p * BLOCK_ROWS });
  accumulateTiles({ a: block, b: block, qPad, len, acc });
}

interface CopyInput {
  start: number;
  len: number;
  /** Subtracted from every value (the column's shift cⱼ; 0 without centring). */
  off: number;
  block: Float64Array;
  /** Offset of the column in the block. */
  base: number;
}

/**
 * Copies rows [start, start + len) of a column into the block, shifted by `off`, and returns
 * the sum of the shifted values. A bulk copy, then the shift in place: measured ~25% faster
 * than one loop doing both.
 */
function copyShiftedColumn(t: CopyInput & { src: Float64Array }): number {
  const { src, start, len, off, block, base } = t;
  block.set(src.subarray(start, start + len), base);
  let s = 0;
  for (let i = base; i < base + len; i++) {
    const v = block[i] - off;
    block[i] = v;
    s += v;
  }
  return s;
}

/** `copyShiftedColumn` for the target, which may be any array-like of numbers. */
function copyShiftedTarget(t: CopyInput & { src: ArrayLike<number> }): number {
  const { src, start, len, off, block, base } = t;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = src[start + i] - off;
    block[base + i] = v;
    s += v;
  }
  return s;
}

/** XᵀX, Xᵀy and the means from the accumulated (upper-triangular) tiles of `gram`. */
function gramResult(t: {
  acc: Float64Array;
  qPad: number;
  p: number;
  n: number;
  center: boolean;
  shift: Float64Array;
  sums: Float64Array;
}): GramResult {
  const { acc, qPad, p, n, center, shift, sums } = t;
  // acc is upper-triangular: entry (j, k) with j ≤ k.
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let k = j; k < p; k++) {
      const v = acc[j * qPad + k] - (center ? (sums[j] * sums[k]) / n : 0);
      xtx[j * p + k] = v;
      xtx[k * p + j] = v;
    }
    xty[j] = acc[j * qPad + p] - (center ? (sums[j] * sums[p]) / n : 0);
  }
  const xMean = new Float64Array(p);
  if (center) for (let j = 0; j < p; j++) xMean[j] = shift[j] + sums[j] / n;
  const yMean = center ? shift[p] + sums[p] / n : 0;
  return { xtx, xty, xMean, yMean };
}

/** Rounds a column count up to a multiple of 4, the tile width of `accumulateTiles`. */
function padTo4(q: number): number {
  return (q + 3) & ~3;
}

interface TilesInput {
  /** Column-major block of qPad columns, column j at j·BLOCK_ROWS. */
  a: Float64Array;
  /** Same layout as `a` (may be the same array). */
  b: Float64Array;
  qPad: number;
  len: number;
  /** qPad×qPad row-major accumulator. */
  acc: Float64Array;
}

/**
 * acc[j·qPad + k] += Σᵢ a_j[i]·b_k[i] for j ≤ k (the upper triangle only), over the first `len`
 * rows of the blocks. qPad is a multiple of 4; padding columns must hold finite values (they only
 * feed ignored entries).
 *
 * Tiles of 4 a-columns × 4 b-columns: eight loads feed sixteen independent multiply-adds, and
 * the diagonal tiles compute only their upper ten. Scalar JavaScript has no SIMD, and the loop
 * is bound by the floating-point operations themselves (measured: 2×4 and 4×4 square tiles run
 * equally fast; skipping the 6 unread entries of each diagonal tile saved ~17% of a Ridge fit).
 */
function accumulateTiles(t: TilesInput): void {
  const { a, b, qPad, len, acc } = t;
  for (let j = 0; j < qPad; j += 4) {
    const a0 = j * BLOCK_ROWS;
    const a1 = a0 + BLOCK_ROWS;
    const a2 = a1 + BLOCK_ROWS;
    const a3 = a2 + BLOCK_ROWS;
    if (a === b) accumulateDiagonalTile(a, a0, len, acc, j * qPad + j, qPad);
    else accumulateDiagonalTileAB({ a, b, a0, len, acc, r0: j * qPad + j, qPad });
    for (let k = j + 4; k < qPad; k += 4) {
      const b0 = k * BLOCK_ROWS;
      const b1 = b0 + BLOCK_ROWS;
      const b2 = b1 + BLOCK_ROWS;
      const b3 = b2 + BLOCK_ROWS;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let i = 0; i < len; i++) {
        const x0 = a[a0 + i];
        const x1 = a[a1 + i];
        const x2 = a[a2 + i];
        const x3 = a[a3 + i];
        const y0 = b[b0 + i];
        s00 += x0 * y0;
        s10 += x1 * y0;
        s20 += x2 * y0;
        s30 += x3 * y0;
        const y1 = b[b1 + i];
        s01 += x0 * y1;
        s11 += x1 * y1;
        s21 += x2 * y1;
        s31 += x3 * y1;
        const y2 = b[b2 + i];
        s02 += x0 * y2;
        s12 += x1 * y2;
        s22 += x2 * y2;
        s32 += x3 * y2;
        const y3 = b[b3 + i];
        s03 += x0 * y3;
        s13 += x1 * y3;
        s23 += x2 * y3;
        s33 += x3 * y3;
      }
      const r0 = j * qPad + k;
      const r1 = r0 + qPad;
      const r2 = r1 + qPad;
      const r3 = r2 + qPad;
      acc[r0] += s00;
      acc[r0 + 1] += s01;
      acc[r0 + 2] += s02;
      acc[r0 + 3] += s03;
      acc[r1] += s10;
      acc[r1 + 1] += s11;
      acc[r1 + 2] += s12;
      acc[r1 + 3] += s13;
      acc[r2] += s20;
      acc[r2 + 1] += s21;
      acc[r2 + 2] += s22;
      acc[r2 + 3] += s23;
      acc[r3] += s30;
      acc[r3 + 1] += s31;
      acc[r3 + 2] += s32;
      acc[r3 + 3] += s33;
    }
  }
}

/**
 * The upper triangle (10 entries) of the 4×4 diagonal tile of a Gram block: a square tile would
 * also compute the 6 entries below the diagonal, which nobody reads — a sixth of all the
 * multiply-adds of an 11- or 12-column Gram matrix, and the loop is bound by them.
 */
function accumulateDiagonalTile(
  a: Float64Array,
  a0: number,
  len: number,
  acc: Float64Array,
  r0: number,
  qPad: number,
): void {
  const a1 = a0 + BLOCK_ROWS;
  const a2 = a1 + BLOCK_ROWS;
  const a3 = a2 + BLOCK_ROWS;
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  let s22 = 0;
  let s23 = 0;
  let s33 = 0;
  for (let i = 0; i < len; i++) {
    const x0 = a[a0 + i];
    const x1 = a[a1 + i];
    const x2 = a[a2 + i];
    const x3 = a[a3 + i];
    s00 += x0 * x0;
    s01 += x0 * x1;
    s02 += x0 * x2;
    s03 += x0 * x3;
    s11 += x1 * x1;
    s12 += x1 * x2;
    s13 += x1 * x3;
    s22 += x2 * x2;
    s23 += x2 * x3;
    s33 += x3 * x3;
  }
  const r1 = r0 + qPad;
  const r2 = r1 + qPad;
  const r3 = r2 + qPad;
  acc[r0] += s00;
  acc[r0 + 1] += s01;
  acc[r0 + 2] += s02;
  acc[r0 + 3] += s03;
  acc[r1 + 1] += s11;
  acc[r1 + 2] += s12;
  acc[r1 + 3] += s13;
  acc[r2 + 2] += s22;
  acc[r2 + 3] += s23;
  acc[r3 + 3] += s33;
}

interface DiagonalTileInput {
  a: Float64Array;
  b: Float64Array;
  /** Offset of the tile's first column in both blocks. */
  a0: number;
  len: number;
  acc: Float64Array;
  /** acc index of the tile's (0, 0) entry. */
  r0: number;
  qPad: number;
}

/** `accumulateDiagonalTile` for two different blocks (weighted Gram: a = w·x, b = x). */
function accumulateDiagonalTileAB(t: DiagonalTileInput): void {
  const { a, b, a0, len, acc, r0, qPad } = t;
  const a1 = a0 + BLOCK_ROWS;
  const a2 = a1 + BLOCK_ROWS;
  const a3 = a2 + BLOCK_ROWS;
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  let s22 = 0;
  let s23 = 0;
  let s33 = 0;
  for (let i = 0; i < len; i++) {
    const x0 = a[a0 + i];
    const x1 = a[a1 + i];
    const x2 = a[a2 + i];
    const x3 = a[a3 + i];
    const y0 = b[a0 + i];
    const y1 = b[a1 + i];
    const y2 = b[a2 + i];
    const y3 = b[a3 + i];
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
    s22 += x2 * y2;
    s23 += x2 * y3;
    s33 += x3 * y3;
  }
  const r1 = r0 + qPad;
  const r2 = r1 + qPad;
  const r3 = r2 + qPad;
  acc[r0] += s00;
  acc[r0 + 1] += s01;
  acc[r0 + 2] += s02;
  acc[r0 + 3] += s03;
  acc[r1 + 1] += s11;
  acc[r1 + 2] += s12;
  acc[r1 + 3] += s13;
  acc[r2 + 2] += s22;
  acc[r2 + 3] += s23;
  acc[r3 + 3] += s33;
}

/**
 * In-place Cholesky factorisation A = LLᵀ of a symmetric p×p matrix (lower triangle of the
 * result holds L). Returns false when A is not numerically positive definite, so the caller
 * can fall back to a rank-revealing solve.
 */
export function choleskyInPlace(a: Float64Array, p: number): boolean {
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * p + i]));
  // A pivot this small relative to the largest diagonal means the columns are (nearly)
  // collinear; the Cholesky solution would be noise, so report failure instead.
  const tiny = maxDiag * p * 1e-13;
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= a[j * p + k] * a[j * p + k];
    if (!(d > tiny)) return false;
    const ljj = Math.sqrt(d);
    a[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / ljj;
    }
  }
  return true;
}

/** Solves LLᵀx = b given the factor from `choleskyInPlace`; returns a new array. */
export function choleskySolve(l: Float64Array, p: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * x[k];
    x[i] = s / l[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

export interface SymmetricEigen {
  /** Eigenvalues, length p. */
  values: Float64Array;
  /** Eigenvectors as columns of a p×p row-major matrix: vectors[i*p + k] is component i of vector k. */
  vectors: Float64Array;
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix (accurate, O(p³) per sweep). */
export function symmetricEigen(a: Float64Array, p: number): SymmetricEigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        const x = m[i * p + j] * m[i * p + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= total * 1e-32 || off === 0) break;
    for (let pi = 0; pi < p - 1; pi++) {
      for (let q = pi + 1; q < p; q++) {
        const apq = m[pi * p + q];
        if (apq === 0) continue;
        const app = m[pi * p + pi];
        const aqq = m[q * p + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const mkp = m[k * p + pi];
          const mkq = m[k * p + q];
          m[k * p + pi] = c * mkp - s * mkq;
          m[k * p + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < p; k++) {
          const mpk = m[pi * p + k];
          const mqk = m[q * p + k];
          m[pi * p + k] = c * mpk - s * mqk;
          m[q * p + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < p; k++) {
          const vkp = v[k * p + pi];
          const vkq = v[k * p + q];
          v[k * p + pi] = c * vkp - s * vkq;
          v[k * p + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = m[i * p + i];
  return { values, vectors: v };
}

/**
 * Minimum-norm solution of the symmetric positive semi-definite system A x = b through the
 * eigen-decomposition, dropping directions whose eigenvalue is below `rcond`·max. This is what
 * a least-squares solver (scikit-learn's `lstsq`) returns for rank-deficient X.
 */
export function pseudoInverseSolve(
  a: Float64Array,
  p: number,
  b: ArrayLike<number>,
  rcond = 1e-12,
): Float64Array {
  const { values, vectors } = symmetricEigen(a, p);
  let maxVal = 0;
  for (const val of values) maxVal = Math.max(maxVal, Math.abs(val));
  const cutoff = maxVal * rcond;
  const x = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    if (values[k] <= cutoff) continue;
    let proj = 0;
    for (let i = 0; i < p; i++) proj += vectors[i * p + k] * b[i];
    const scale = proj / values[k];
    for (let i = 0; i < p; i++) x[i] += scale * vectors[i * p + k];
  }
  return x;
}

/**
 * Solves the symmetric positive (semi-)definite system A x = b: Cholesky when A is positive
 * definite, else the minimum-norm pseudo-inverse solution. Does not modify `a`.
 */
export function solveSymmetric(a: Float64Array, p: number, b: ArrayLike<number>): Float64Array {
  const l = Float64Array.from(a);
  if (choleskyInPlace(l, p)) return choleskySolve(l, p, b);
  return pseudoInverseSolve(a, p, b);
}

/**
 * X·w + intercept for column-major X, in row blocks so the partial sums stay in cache (one
 * read of X, one write of the result). Zero weights are not skipped, so a NaN or infinity
 * anywhere in X reaches the result, which is what `predictLinear` relies on.
 */
export function linearPredict(X: FeatureMatrix, coef: ArrayLike<number>, intercept: number): Float64Array {
  const n = X.nRows;
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const end = Math.min(n, start + BLOCK_ROWS);
    out.fill(intercept, start, end);
    addScoresBlock(X.columns, coef, out, start, end);
  }
  return out;
}

/**
 * out[start, end) += X[start, end) · coef. Four columns per pass over the block: one load and
 * store of out[i] instead of four. The sum is still added column by column, left to right, so
 * every score is bit-identical to a one-column loop (and to the Python loader, which adds in the
 * same order).
 */
function addScoresBlock(
  columns: readonly Float64Array[],
  coef: ArrayLike<number>,
  out: Float64Array,
  start: number,
  end: number,
): void {
  const m = columns.length;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const c0 = columns[j] as Float64Array;
    const c1 = columns[j + 1] as Float64Array;
    const c2 = columns[j + 2] as Float64Array;
    const c3 = columns[j + 3] as Float64Array;
    const w0 = coef[j] as number;
    const w1 = coef[j + 1] as number;
    const w2 = coef[j + 2] as number;
    const w3 = coef[j + 3] as number;
    for (let i = start; i < end; i++) {
      let s = out[i] as number;
      s += w0 * (c0[i] as number);
      s += w1 * (c1[i] as number);
      s += w2 * (c2[i] as number);
      s += w3 * (c3[i] as number);
      out[i] = s;
    }
  }
  for (; j < m; j++) {
    const col = columns[j] as Float64Array;
    const w = coef[j] as number;
    for (let i = start; i < end; i++) out[i] += w * (col[i] as number);
  }
}

/**
 * predictLinear for several coefficient rows at once (a multi-class model's per-class scores):
 * each row block of X is scored for every class while it is in cache, so X is read from memory
 * once instead of once per class. Scores are bit-identical to one predictLinear per class.
 */
export function predictLinearMany(
  X: FeatureMatrix,
  coefs: readonly Float64Array[],
  intercepts: ArrayLike<number>,
  estimator: string,
): Float64Array[] {
  for (const coef of coefs) validateShape(X, estimator, coef.length);
  const n = X.nRows;
  const outs = coefs.map(() => new Float64Array(n));
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const end = Math.min(n, start + BLOCK_ROWS);
    for (let k = 0; k < coefs.length; k++) {
      const out = outs[k] as Float64Array;
      out.fill(intercepts[k] as number, start, end);
      addScoresBlock(X.columns, coefs[k] as Float64Array, out, start, end);
    }
  }
  for (const out of outs) {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i])) {
        validateFinite(X, estimator);
        throw new DataError(`${estimator}: prediction for row ${i} overflows (${out[i]})`, {
          hint: 'the features are far outside the range seen in training; check their scale',
        });
      }
    }
  }
  return outs;
}

/**
 * Validated linear scores for predict(): checks X's shape, computes X·w + b, and scans X for
 * NaN/infinity only when a score came out non-finite (then names the cell). Predicting thus
 * reads X once instead of twice.
 */
export function predictLinear(
  X: FeatureMatrix,
  coef: ArrayLike<number>,
  intercept: number,
  estimator: string,
): Float64Array {
  validateShape(X, estimator, coef.length);
  const out = linearPredict(X, coef, intercept);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      validateFinite(X, estimator);
      throw new DataError(`${estimator}: prediction for row ${i} overflows (${out[i]})`, {
        hint: 'the features are far outside the range seen in training; check their scale',
      });
    }
  }
  return out;
}

/** Reads a numeric array out of JSON state, with a clear error when it is missing or malformed. */
export function readNumberArray(
  state: Record<string, unknown>,
  key: string,
  estimator: string,
): Float64Array {
  const value = state[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new DataError(`${estimator}: saved state field "${key}" must be an array of numbers`, {
      hint: 'the model file is corrupt or was written by an incompatible version; retrain the model',
    });
  }
  return Float64Array.from(value as number[]);
}

/** Reads a number out of JSON state. */
export function readNumber(state: Record<string, unknown>, key: string, estimator: string): number {
  const value = state[key];
  if (typeof value !== 'number') {
    throw new DataError(`${estimator}: saved state field "${key}" must be a number`, {
      hint: 'the model file is corrupt or was written by an incompatible version; retrain the model',
    });
  }
  return value;
}

/** Checks that saved state belongs to the estimator being rebuilt. */
export function expectEstimatorName(state: { name: string }, name: string): void {
  if (state.name !== name) {
    throw new DataError(`cannot load a "${state.name}" model as ${name}`, {
      hint: `load it with the estimator registered as "${state.name}"`,
    });
  }
}

/** Reads a record-typed field (params or state) defensively. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * Σᵢ wᵢ x̃ᵢ x̃ᵢᵀ where x̃ᵢ is row i of X followed by a constant 1 when `withIntercept`; a
 * symmetric q×q row-major matrix (q = p, or p + 1 with the intercept last). Weights may be
 * negative (off-diagonal blocks of a softmax Hessian), so no square-root trick is used.
 */
export function weightedGram(X: FeatureMatrix, weights: Float64Array, withIntercept: boolean): Float64Array {
  const p = X.columns.length;
  const q = withIntercept ? p + 1 : p;
  const qPad = padTo4(q);
  const n = X.nRows;
  const acc = new Float64Array(qPad * qPad);
  const block = new Float64Array(qPad * BLOCK_ROWS);
  const scaled = new Float64Array(qPad * BLOCK_ROWS);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const len = Math.min(BLOCK_ROWS, n - start);
    for (let j = 0; j < p; j++) {
      const col = X.columns[j];
      const base = j * BLOCK_ROWS;
      for (let i = 0; i < len; i++) {
        const x = col[start + i];
        block[base + i] = x;
        scaled[base + i] = x * weights[start + i];
      }
    }
    if (withIntercept) {
      const base = p * BLOCK_ROWS;
      for (let i = 0; i < len; i++) {
        block[base + i] = 1;
        scaled[base + i] = weights[start + i];
      }
    }
    accumulateTiles({ a: scaled, b: block, qPad, len, acc });
  }
  const out = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    for (let k = j; k < q; k++) {
      out[j * q + k] = acc[j * qPad + k];
      out[k * q + j] = acc[j * qPad + k];
    }
  }
  return out;
}

/** Xᵀv for column-major X (length p). */
export function transposeTimes(X: FeatureMatrix, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(X.columns.length);
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j];
    let s = 0;
    for (let i = 0; i < col.length; i++) s += col[i] * v[i];
    out[j] = s;
  }
  return out;
}
