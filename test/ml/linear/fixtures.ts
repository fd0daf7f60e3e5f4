/**
 * Loads the JSON fixtures written by test/fixtures/ml/linear/generate.py (scikit-learn 1.2 via
 * Debian's /usr/bin/python3; re-run it to regenerate). X is stored column-major.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureMatrix } from '../../../src/ml/types.js';

const DIR = fileURLToPath(new URL('../../fixtures/ml/linear/', import.meta.url));

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${DIR}${name}`, 'utf8')) as T;
}

export function matrix(columns: number[][]): FeatureMatrix {
  return { nRows: columns[0].length, columns: columns.map((c) => Float64Array.from(c)) };
}

/** Rows [start, end) of a column-major matrix. */
export function sliceRows(X: FeatureMatrix, start: number, end: number): FeatureMatrix {
  return { nRows: end - start, columns: X.columns.map((c) => c.slice(start, end)) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
