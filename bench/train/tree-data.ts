/**
 * The synthetic data of the tree benchmarks (bench/train/trees.ts, bench/train/ensembles.ts):
 * a Friedman-style target over 10 features, deterministic per seed, generated row by row so that
 * the first 100k rows of an 800k run are the 100k run's rows, and written as column-major
 * float64 files for the scikit-learn / XGBoost side.
 */
import { writeFileSync } from 'node:fs';
import type { FeatureMatrix } from '../../src/ml/types.js';

export const N_FEATURES = 10;

export interface Dataset {
  X: FeatureMatrix;
  yReg: Float64Array;
  yCls: Int32Array;
}

/** Deterministic uniform stream (xorshift32), so every run and both libraries see the same data. */
function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function makeData(n: number, seed: number): Dataset {
  const u = uniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const columns = Array.from({ length: N_FEATURES }, () => new Float64Array(n));
  const [x0, x1, x2, x3, x4, x5] = columns;
  const yReg = new Float64Array(n);
  const yCls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < N_FEATURES; j++) columns[j][i] = j % 2 === 0 ? u() : normal();
    const f =
      10 * Math.sin(Math.PI * x0[i] * x2[i]) + 20 * (x4[i] - 0.5) ** 2 + 4 * x1[i] + 2 * x3[i] * x5[i];
    yReg[i] = f + normal();
    yCls[i] = f < 3 ? 0 : f < 9 ? 1 : 2;
  }
  return { X: { nRows: n, columns }, yReg, yCls };
}

/** The columns one after another as raw float64 (numpy reads it with fromfile + reshape). */
export function writeColumns(path: string, columns: Float64Array[]): void {
  const n = columns[0].length;
  const all = new Float64Array(columns.length * n);
  for (let j = 0; j < columns.length; j++) all.set(columns[j], j * n);
  writeFileSync(path, new Uint8Array(all.buffer));
}
