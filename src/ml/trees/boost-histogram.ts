/**
 * The inner loop of gradient boosting: summing gradients (and hessians) and row counts per
 * feature and bin over a node's rows. Shared by the grower (trees/boost-grow.ts) and its helper
 * threads (ensemble-worker.ts), so both sum every slot over the same rows in the same order and
 * a histogram is bit for bit the same whichever thread built which feature.
 *
 * Layout: feature j owns slots off[j] .. off[j+1]-1 (its value bins, then the missing bin); each
 * slot holds 3 numbers: gradient sum, hessian sum, row count.
 *
 * Four features per pass over a row: one row's codes share a cache line, and V8 keeps the four
 * independent read-modify-writes in flight where a loop over one feature at a time serialises
 * on the loop bookkeeping (profiled: 2.4 against 3.2 ns per update at 240k rows x 10). Summing
 * order per slot is unchanged by the unrolling (rows in order, one add per row).
 */
export interface BoostHistogramInput {
  /** Row-major bin codes, `codes[row * nFeatures + j]`. */
  codes: Uint8Array;
  nFeatures: number;
  off: Int32Array;
  rows: Uint32Array;
  start: number;
  end: number;
  grad: Float64Array;
  /** Index of row 0's gradient in `grad` (and hessian in `hess`). */
  gradOffset: number;
  /** null: every hessian is 1 (squared error); the hessian sums are then the counts. */
  hess: Float64Array | null;
  /** Features [fromFeature, toFeature) are summed into `out`'s slots; others are left alone. */
  fromFeature: number;
  toFeature: number;
}

/** Zeroes features [from, to) of `out` and sums the rows into them. */
export function sumBoostHistogram(input: BoostHistogramInput, out: Float64Array): void {
  const { codes, nFeatures: F, off, rows, start, end, grad, gradOffset: o, hess } = input;
  const a = input.fromFeature;
  const b = input.toFeature;
  out.fill(0, off[a] * 3, off[b] * 3);
  if (hess === null) {
    for (let k = start; k < end; k++) {
      const s = rows[k];
      const g = grad[o + s];
      const base = s * F;
      let j = a;
      for (; j + 3 < b; j += 4) {
        const q0 = (off[j] + codes[base + j]) * 3;
        const q1 = (off[j + 1] + codes[base + j + 1]) * 3;
        const q2 = (off[j + 2] + codes[base + j + 2]) * 3;
        const q3 = (off[j + 3] + codes[base + j + 3]) * 3;
        out[q0] += g;
        out[q0 + 2] += 1;
        out[q1] += g;
        out[q1 + 2] += 1;
        out[q2] += g;
        out[q2 + 2] += 1;
        out[q3] += g;
        out[q3 + 2] += 1;
      }
      for (; j < b; j++) {
        const q = (off[j] + codes[base + j]) * 3;
        out[q] += g;
        out[q + 2] += 1;
      }
    }
    // Hessian sums equal the counts.
    for (let q = off[a] * 3; q < off[b] * 3; q += 3) out[q + 1] = out[q + 2];
    return;
  }
  for (let k = start; k < end; k++) {
    const s = rows[k];
    const g = grad[o + s];
    const h = hess[o + s];
    const base = s * F;
    let j = a;
    for (; j + 3 < b; j += 4) {
      const q0 = (off[j] + codes[base + j]) * 3;
      const q1 = (off[j + 1] + codes[base + j + 1]) * 3;
      const q2 = (off[j + 2] + codes[base + j + 2]) * 3;
      const q3 = (off[j + 3] + codes[base + j + 3]) * 3;
      out[q0] += g;
      out[q0 + 1] += h;
      out[q0 + 2] += 1;
      out[q1] += g;
      out[q1 + 1] += h;
      out[q1 + 2] += 1;
      out[q2] += g;
      out[q2 + 1] += h;
      out[q2 + 2] += 1;
      out[q3] += g;
      out[q3 + 1] += h;
      out[q3 + 2] += 1;
    }
    for (; j < b; j++) {
      const q = (off[j] + codes[base + j]) * 3;
      out[q] += g;
      out[q + 1] += h;
      out[q + 2] += 1;
    }
  }
}
