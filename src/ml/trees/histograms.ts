/**
 * Per-node histograms of a tree being grown: for each feature and bin, the target sum and row
 * count (regression) or the class counts and row count (classification). After a split only the
 * smaller child's histogram is built from its rows; the larger one is the parent's minus it.
 */
import type { BinMapper } from '../binning.js';
import type { GrowingRows } from './growing-rows.js';

/**
 * Layout: feature j owns slots off[j] .. off[j] + nValueBins[j] (the last is the missing bin);
 * each slot holds `slotSize` numbers, the row count last. Histograms are recycled through a small
 * pool, and the number held at once is capped by memory: with many classes one histogram can take
 * megabytes, so past the cap a pending node drops its histogram and rebuilds it when its turn
 * comes.
 */
export class Histograms {
  readonly slotSize: number;
  readonly off: Int32Array;
  readonly nValueBins: Int32Array;
  /** Numbers in one histogram. */
  readonly length: number;
  private live = 0;
  private readonly maxLive: number;
  private readonly pool: Float64Array[] = [];

  constructor(
    private readonly rows: GrowingRows,
    mapper: BinMapper,
    memoryBytes: number,
  ) {
    const F = rows.nFeatures;
    this.slotSize = rows.yCls ? rows.K + 1 : 2;
    this.off = new Int32Array(F + 1);
    this.nValueBins = new Int32Array(F);
    for (let j = 0; j < F; j++) {
      this.nValueBins[j] = mapper.nValueBins(j);
      this.off[j + 1] = this.off[j] + this.nValueBins[j] + 1;
    }
    this.length = this.off[F] * this.slotSize;
    this.maxLive = Math.max(4, Math.floor(memoryBytes / (this.length * 8)));
  }

  /** More histograms are held than the memory cap allows. */
  get overCap(): boolean {
    return this.live > this.maxLive;
  }

  release(h: Float64Array): void {
    this.live--;
    if (this.pool.length < 4) this.pool.push(h);
  }

  private acquire(): Float64Array {
    this.live++;
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.length);
  }

  /** The histogram of the rows idx[start..end). */
  build(start: number, end: number): Float64Array {
    const h = this.acquire();
    const { idx, codes, nFeatures: F, yReg, yCls, K } = this.rows;
    const off = this.off;
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
      const S = this.slotSize;
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
  }

  /** `from` becomes `from - other` (a parent's histogram minus one child's: the other child's). */
  subtract(from: Float64Array, other: Float64Array): void {
    const n = this.length;
    for (let q = 0; q < n; q++) from[q] -= other[q];
  }
}
