/**
 * Content hashes of rows, for hash-based dataset splitting.
 *
 * MLflow Recipes (mlflow/recipes/steps/split.py, `_create_hash_buckets`) hashes every row's values
 * with pandas' `hash_pandas_object` and maps the hash to a bucket in [0, 1); a row's split then
 * depends only on its own content, so appending rows never moves existing rows and identical rows
 * land in the same split. We keep those properties with our own stable encoding: each cell is fed
 * as 32-bit words (a type tag, then the two words of a number's float64 bits, or a string's UTF-16
 * code units and its length) into two MurmurHash3-style 32-bit lanes with different seeds,
 * column by column in column order; each lane gets Murmur's final avalanche and the two give 53
 * bits of a uniform number in [0, 1). The hash depends on the values in column order, not on the
 * column names, as in MLflow. The exact bits are part of mlrecipe's contract: changing them would
 * move rows between splits, so test/data/row-hash.test.ts pins known values.
 *
 * Word-wise 32-bit Math.imul arithmetic keeps it fast: about 4 multiplications per number cell.
 */
import type { Frame } from '../ml/types.js';

const SEED_A = 0x9747b28c;
const SEED_B = 0x1b873593;
const TAG_MISSING = 0x6d697373;
const TAG_NUMBER = 0x6e756d62;
const TAG_STRING = 0x73747269;

const floatBits = new Float64Array(1);
const wordsOfFloat = new Uint32Array(floatBits.buffer);

/** One MurmurHash3 body step: mixes word `w` into lane state `h`. */
function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's final avalanche. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Per-row hashes mapped to [0, 1) with 53 bits of resolution. Missing values (NaN, null) hash as
 * one "missing" tag whatever their column type; -0 hashes as 0.
 */
export function rowHashUnit(frame: Frame): Float64Array {
  const n = frame.nRows;
  const a = new Int32Array(n).fill(SEED_A | 0);
  const b = new Int32Array(n).fill(SEED_B | 0);
  for (const column of frame.columns) {
    if (column.type === 'number') {
      const values = column.values;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        let ha = a[i] as number;
        let hb = b[i] as number;
        if (Number.isNaN(v)) {
          ha = mix(ha, TAG_MISSING);
          hb = mix(hb, TAG_MISSING);
        } else {
          floatBits[0] = v === 0 ? 0 : v;
          const w0 = wordsOfFloat[0] as number;
          const w1 = wordsOfFloat[1] as number;
          ha = mix(mix(mix(ha, TAG_NUMBER), w0), w1);
          hb = mix(mix(mix(hb, TAG_NUMBER), w1), w0);
        }
        a[i] = ha;
        b[i] = hb;
      }
    } else {
      const values = column.values;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let ha = a[i] as number;
        let hb = b[i] as number;
        if (v === null || v === undefined) {
          ha = mix(ha, TAG_MISSING);
          hb = mix(hb, TAG_MISSING);
        } else {
          ha = mix(ha, TAG_STRING);
          hb = mix(hb, TAG_STRING);
          for (let k = 0; k < v.length; k++) {
            const code = v.charCodeAt(k);
            ha = mix(ha, code);
            hb = mix(hb, code ^ 0x5555);
          }
          // The length ends the cell, so ("ab", "c") and ("a", "bc") differ.
          ha = mix(ha, v.length);
          hb = mix(hb, v.length);
        }
        a[i] = ha;
        b[i] = hb;
      }
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // 32 bits of lane A above 21 bits of lane B: 53 bits, exact in a double.
    out[i] = (fmix(a[i] as number) * 2097152 + (fmix(b[i] as number) >>> 11)) / 9007199254740992;
  }
  return out;
}

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/**
 * Assigns each row to a split by its hash unit and the cumulative ratios, as MLflow's
 * `_get_split_df`: train when u < r0, validation when r0 ≤ u < r0 + r1, else test.
 * Returns 0 (train), 1 (validation) or 2 (test) per row.
 */
export function assignSplits(units: Float64Array, ratios: readonly [number, number, number]): Uint8Array {
  const sum = ratios[0] + ratios[1] + ratios[2];
  const trainEnd = ratios[0] / sum;
  const validationEnd = (ratios[0] + ratios[1]) / sum;
  const out = new Uint8Array(units.length);
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as number;
    out[i] = u < trainEnd ? 0 : u < validationEnd ? 1 : 2;
  }
  return out;
}

/** The rows of `frame` where `mask[i]` is true, as a new frame (columns copied). */
export function selectRows(frame: Frame, mask: ArrayLike<boolean | number>): Frame {
  let n = 0;
  for (let i = 0; i < frame.nRows; i++) if (mask[i]) n++;
  const index = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < frame.nRows; i++) if (mask[i]) index[k++] = i;
  return takeRows(frame, index);
}

/** The rows of `frame` at `index`, in that order. */
export function takeRows(frame: Frame, index: Int32Array): Frame {
  return {
    nRows: index.length,
    columns: frame.columns.map((column) => {
      if (column.type === 'number') {
        const values = new Float64Array(index.length);
        for (let i = 0; i < index.length; i++) values[i] = column.values[index[i] as number] as number;
        return { name: column.name, type: 'number', values };
      }
      const values: (string | null)[] = new Array(index.length);
      for (let i = 0; i < index.length; i++) values[i] = column.values[index[i] as number] ?? null;
      return { name: column.name, type: 'string', values };
    }),
  };
}
