/**
 * Column profiles for step cards (what MLflow Recipes shows as its data profile): per column the
 * type, counts, missing values, summary statistics or top values, and a small inline-SVG chart.
 * Computed in a few passes over the typed columns; distinct counts stop at a cap so that a
 * high-cardinality column of millions of rows does not build a huge set.
 */
import type { Frame } from '../ml/types.js';
import type { DataType } from './infer-types.js';
import { takeRows } from './row-hash.js';
import { escapeHtml, formatNumber, type HistogramBin, histogramSvg, topValuesSvg } from './svg-histogram.js';

const DISTINCT_CAP = 100_000;

export interface ColumnProfile {
  name: string;
  type: DataType;
  /** Non-missing values. */
  count: number;
  missing: number;
  /** Distinct non-missing values, exact up to `distinctCapped`. */
  distinct: number;
  /** True when counting stopped at the cap (the true number is larger). */
  distinctCapped: boolean;
  min?: number;
  max?: number;
  mean?: number;
  /** Sample standard deviation (ddof = 1, as pandas' describe). */
  std?: number;
  median?: number;
  histogram?: HistogramBin[];
  /** Most frequent values (string and boolean columns), most frequent first. */
  topValues?: { value: string; count: number }[];
}

export interface DatasetProfile {
  /** Rows profiled (a sample when the data exceeds the size limit). */
  rows: number;
  /** Rows of the whole dataset; more than `rows` when the profile is of a sample. */
  totalRows: number;
  columns: ColumnProfile[];
}

/**
 * MLflow Recipes (2.12, recipes/utils/step.py) profiles at most 10M cells and 1M rows, a random
 * sample (seed 42) of larger datasets; so do we. Besides matching what MLflow shows, this bounds
 * the cost: at 2M rows, sorting every number column for its median and distinct count was a
 * quarter of a big recipe's CPU time (BENCHMARKS.md, bench/pipeline).
 */
export const MAX_PROFILE_CELLS = 10_000_000;
export const MAX_PROFILE_ROWS = 1_000_000;

export interface ProfileOptions {
  /** At most this many cells are profiled (default MAX_PROFILE_CELLS). */
  maxCells?: number;
  /** At most this many rows are profiled (default MAX_PROFILE_ROWS). */
  maxRows?: number;
  /** Histogram bins for number columns (default 20). */
  bins?: number;
  /** Top values kept for string columns (default 10). */
  top?: number;
}

/** Profiles every column of a frame. `columnTypes` defaults to number → double, string → string. */
export function profileFrame(
  frame: Frame,
  columnTypes?: DataType[],
  options: ProfileOptions = {},
): DatasetProfile {
  const bins = options.bins ?? 20;
  const top = options.top ?? 10;
  const totalRows = frame.nRows;
  const width = Math.max(1, frame.columns.length);
  const limit = Math.min(
    Math.max(Math.floor((options.maxCells ?? MAX_PROFILE_CELLS) / width), 1),
    options.maxRows ?? MAX_PROFILE_ROWS,
  );
  if (frame.nRows > limit) frame = takeRows(frame, sampleRowIndex(frame.nRows, limit, 42));
  const columns = frame.columns.map((column, j): ColumnProfile => {
    const type: DataType = columnTypes?.[j] ?? (column.type === 'number' ? 'double' : 'string');
    if (column.type === 'string') return profileStrings(column.name, type, column.values, top);
    if (type === 'boolean') return profileBooleans(column.name, column.values);
    return profileNumbers(column.name, type, column.values, bins);
  });
  return { rows: frame.nRows, totalRows, columns };
}

/**
 * `k` of `n` row indices, increasing, each row equally likely (Knuth's selection sampling,
 * algorithm S, driven by a seeded 32-bit LCG): one pass, no set of chosen rows.
 */
export function sampleRowIndex(n: number, k: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const out = new Int32Array(k);
  let chosen = 0;
  for (let i = 0; i < n && chosen < k; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    if ((n - i) * (state / 2 ** 32) < k - chosen) out[chosen++] = i;
  }
  return out;
}

function profileNumbers(name: string, type: DataType, values: Float64Array, bins: number): ColumnProfile {
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  // Welford's running mean/variance: stable for large columns with a large mean.
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  const profile: ColumnProfile = {
    name,
    type,
    count,
    missing: values.length - count,
    distinct: 0,
    distinctCapped: false,
  };
  if (count === 0) return profile;
  const present = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++)
    if (!Number.isNaN(values[i] as number)) present[k++] = values[i] as number;
  present.sort();
  let distinct = 1;
  for (let i = 1; i < count; i++) if (present[i] !== present[i - 1]) distinct++;
  const mid = count >> 1;
  const median =
    count % 2 === 1
      ? (present[mid] as number)
      : ((present[mid - 1] as number) + (present[mid] as number)) / 2;
  Object.assign(profile, {
    distinct,
    min,
    max,
    mean,
    std: count > 1 ? Math.sqrt(m2 / (count - 1)) : 0,
    median,
    histogram: histogram(present, min, max, distinct < bins ? Math.max(1, distinct) : bins),
  });
  return profile;
}

/** numpy.histogram's equal-width bins over [min, max]; the last bin includes max. */
function histogram(sorted: Float64Array, min: number, max: number, nBins: number): HistogramBin[] {
  if (min === max) return [{ lo: min, hi: max, count: sorted.length }];
  const width = (max - min) / nBins;
  const out: HistogramBin[] = [];
  for (let b = 0; b < nBins; b++)
    out.push({ lo: min + b * width, hi: b === nBins - 1 ? max : min + (b + 1) * width, count: 0 });
  for (let i = 0; i < sorted.length; i++) {
    let b = Math.floor(((sorted[i] as number) - min) / width);
    if (b >= nBins) b = nBins - 1;
    (out[b] as HistogramBin).count++;
  }
  return out;
}

function profileBooleans(name: string, values: Float64Array): ColumnProfile {
  let trues = 0;
  let falses = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v === 1) trues++;
    else if (v === 0) falses++;
  }
  const topValues = [
    { value: 'true', count: trues },
    { value: 'false', count: falses },
  ]
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count);
  return {
    name,
    type: 'boolean',
    count: trues + falses,
    missing: values.length - trues - falses,
    distinct: topValues.length,
    distinctCapped: false,
    mean: trues + falses > 0 ? trues / (trues + falses) : undefined,
    topValues,
  };
}

function profileStrings(name: string, type: DataType, values: (string | null)[], top: number): ColumnProfile {
  const counts = new Map<string, number>();
  let count = 0;
  let capped = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    count++;
    const c = counts.get(v);
    if (c !== undefined) counts.set(v, c + 1);
    else if (counts.size < DISTINCT_CAP) counts.set(v, 1);
    else capped = true;
  }
  const topValues = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([value, n]) => ({ value, count: n }));
  return {
    name,
    type,
    count,
    missing: values.length - count,
    distinct: counts.size,
    distinctCapped: capped,
    topValues,
  };
}

/** The profile as an HTML table (one row per column) with inline charts, for a card section. */
export function profileHtml(profile: DatasetProfile): string {
  const head =
    '<table class="profile"><thead><tr><th>column</th><th>type</th><th>count</th><th>missing</th><th>distinct</th>' +
    '<th>min</th><th>max</th><th>mean</th><th>std</th><th>distribution</th></tr></thead><tbody>';
  const rows = profile.columns.map((c) => {
    const pct = profile.rows > 0 ? ` (${((100 * c.missing) / profile.rows).toFixed(1)}%)` : '';
    const num = (v: number | undefined) => (v === undefined ? '' : escapeHtml(formatNumber(v)));
    const chart = c.histogram ? histogramSvg(c.histogram) : c.topValues ? topValuesSvg(c.topValues) : '';
    return (
      `<tr><td>${escapeHtml(c.name)}</td><td>${c.type}</td><td>${c.count}</td><td>${c.missing}${pct}</td>` +
      `<td>${c.distinct}${c.distinctCapped ? '+' : ''}</td><td>${num(c.min)}</td><td>${num(c.max)}</td>` +
      `<td>${num(c.mean)}</td><td>${num(c.std)}</td><td>${chart}</td></tr>`
    );
  });
  const sampled =
    profile.totalRows > profile.rows
      ? `<p>Profile of a random sample of ${profile.rows} of the ${profile.totalRows} rows (as MLflow Recipes, at most ${MAX_PROFILE_CELLS / 1e6}M cells and ${MAX_PROFILE_ROWS / 1e6}M rows are profiled).</p>`
      : '';
  return `${sampled}${head}${rows.join('')}</tbody></table>`;
}
