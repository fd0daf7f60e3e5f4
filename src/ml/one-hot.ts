/**
 * OneHotEncoder: one 0/1 column per category of each string column, as scikit-learn's
 * `OneHotEncoder(sparse_output=False)`.
 *
 * - Categories are sorted by code point (Python's string order, which scikit-learn uses); a
 *   missing value (null) seen at fit time is a category of its own, sorted last and named
 *   `nan` in feature names, as scikit-learn does for pandas' NaN.
 * - Unknown categories at transform time (including null when none was seen at fit time) give
 *   an all-zero row with handle_unknown 'ignore' (the default here, as in MLflow Recipes'
 *   transformer), the infrequent column with 'infrequent_if_exist', and a DataError with 'error'.
 * - `min_frequency` / `max_categories` group rare categories into one `<col>_infrequent_sklearn`
 *   column placed after the frequent ones, with scikit-learn 1.2's rules.
 */
import { DataError } from '../errors.js';
import { densify } from './encoded-matrix.js';
import type { EstimatorState, FeatureMatrix, FrameColumn, OneHotBlock } from './types.js';

export type HandleUnknown = 'ignore' | 'error' | 'infrequent_if_exist';

export interface OneHotEncoderParams {
  handle_unknown?: HandleUnknown;
  /** An integer count, or a fraction of the training rows; rarer categories are infrequent. */
  min_frequency?: number | null;
  /** At most this many output columns per input column, the infrequent column included. */
  max_categories?: number | null;
}

/** One fitted input column. */
export interface EncodedColumn {
  name: string;
  /** All categories seen at fit time, sorted; null (missing) last. */
  categories: (string | null)[];
  /** Per category: its output column within this input column's block. */
  outputIndex: number[];
  /** Indices into `categories` grouped as infrequent (empty when none). */
  infrequent: number[];
}

const HANDLE_UNKNOWN: readonly HandleUnknown[] = ['ignore', 'error', 'infrequent_if_exist'];

/** Python's default string order (by code point), not JavaScript's UTF-16 code-unit order. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

export class OneHotEncoder {
  static readonly transformerName = 'one_hot_encoder';
  readonly params: {
    handle_unknown: HandleUnknown;
    min_frequency: number | null;
    max_categories: number | null;
  };
  private fitted: EncodedColumn[] | null = null;
  /**
   * Category → output column per fitted column, built on first use: a scoring server calls
   * transformCodes once per request, and rebuilding the map each time cost more than encoding
   * a one-row request. Keyed by the fitted column object, so a refit starts afresh.
   */
  private readonly indexCache = new WeakMap<EncodedColumn, Map<string | null, number>>();

  constructor(params: OneHotEncoderParams = {}) {
    const handle_unknown = params.handle_unknown ?? 'ignore';
    if (!HANDLE_UNKNOWN.includes(handle_unknown)) {
      throw new DataError(
        `OneHotEncoder handle_unknown must be one of ${HANDLE_UNKNOWN.join(', ')}, got '${handle_unknown}'`,
      );
    }
    const min_frequency = params.min_frequency ?? null;
    if (
      min_frequency !== null &&
      !(Number.isInteger(min_frequency) ? min_frequency >= 1 : min_frequency > 0 && min_frequency < 1)
    ) {
      throw new DataError(
        `OneHotEncoder min_frequency must be an integer >= 1 or a fraction in (0, 1), got ${min_frequency}`,
      );
    }
    const max_categories = params.max_categories ?? null;
    if (max_categories !== null && !(Number.isInteger(max_categories) && max_categories >= 2)) {
      throw new DataError(`OneHotEncoder max_categories must be an integer >= 2, got ${max_categories}`);
    }
    this.params = { handle_unknown, min_frequency, max_categories };
  }

  get columns(): EncodedColumn[] {
    if (this.fitted === null) throw new DataError('OneHotEncoder is not fitted yet; call fit() first');
    return this.fitted;
  }

  fit(columns: FrameColumn[]): this {
    this.fitted = columns.map((column) => {
      if (column.type !== 'string') {
        throw new DataError(`OneHotEncoder needs string columns, but "${column.name}" is a number column`, {
          hint: 'convert the column to strings if its numbers are category codes',
        });
      }
      return this.fitColumn(column.name, column.values);
    });
    return this;
  }

  private fitColumn(name: string, values: (string | null)[]): EncodedColumn {
    const counts = new Map<string | null, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const categories = [...counts.keys()].sort((a, b) =>
      a === null ? (b === null ? 0 : 1) : b === null ? -1 : compareCodePoints(a, b),
    );
    const infrequent = this.infrequentIndices(
      categories.map((c) => counts.get(c) as number),
      values.length,
    );
    const isInfrequent = new Set(infrequent);
    const outputIndex: number[] = [];
    let next = 0;
    for (let k = 0; k < categories.length; k++) outputIndex.push(isInfrequent.has(k) ? -1 : next++);
    for (let k = 0; k < categories.length; k++) if (outputIndex[k] === -1) outputIndex[k] = next;
    return { name, categories, outputIndex, infrequent };
  }

  /** scikit-learn 1.2's `_identify_infrequent`, over counts in category order. */
  private infrequentIndices(counts: number[], nSamples: number): number[] {
    const { min_frequency, max_categories } = this.params;
    const mask = counts.map(() => false);
    if (min_frequency !== null) {
      const threshold = Number.isInteger(min_frequency) ? min_frequency : min_frequency * nSamples;
      for (let k = 0; k < counts.length; k++) mask[k] = counts[k] < threshold;
    }
    const nCurrent = counts.length - mask.filter(Boolean).length + 1;
    if (max_categories !== null && max_categories < nCurrent) {
      // Stable sort by count; all but the (max_categories - 1) most frequent become infrequent.
      const order = counts.map((_, k) => k).sort((a, b) => counts[a] - counts[b] || a - b);
      for (const k of order.slice(0, counts.length - max_categories + 1)) mask[k] = true;
    }
    const out: number[] = [];
    for (let k = 0; k < mask.length; k++) if (mask[k]) out.push(k);
    return out;
  }

  /** Output column count of each fitted input column. */
  private blockWidth(col: EncodedColumn): number {
    return col.categories.length - col.infrequent.length + (col.infrequent.length > 0 ? 1 : 0);
  }

  /** `<column>_<category>` for every output column, as scikit-learn's get_feature_names_out. */
  featureNames(): string[] {
    const names: string[] = [];
    for (const col of this.columns) {
      const isInfrequent = new Set(col.infrequent);
      col.categories.forEach((c, k) => {
        if (!isInfrequent.has(k)) names.push(`${col.name}_${c ?? 'nan'}`);
      });
      if (col.infrequent.length > 0) names.push(`${col.name}_infrequent_sklearn`);
    }
    return names;
  }

  /** Encodes the fitted columns (matched by name; extra columns are ignored). */
  transform(columns: FrameColumn[]): FeatureMatrix {
    const nRows = columns.length > 0 ? columns[0].values.length : 0;
    return densify({ nRows, columns: [], blocks: this.transformCodes(columns) });
  }

  /**
   * The encoding as one block of codes per fitted column (src/ml/encoded-matrix.ts): the output
   * column of each row's 1 within its block, -1 for an all-zero row. `transform` is these blocks
   * expanded to 0/1 columns.
   */
  transformCodes(columns: FrameColumn[]): OneHotBlock[] {
    const byName = new Map(columns.map((c) => [c.name, c]));
    const nRows = columns.length > 0 ? columns[0].values.length : 0;
    const out: OneHotBlock[] = [];
    for (const spec of this.columns) {
      const column = byName.get(spec.name);
      if (column === undefined) {
        throw new DataError(`column "${spec.name}" is missing; the encoder was fitted with it`, {
          hint: 'pass the same columns that were used for training',
        });
      }
      if (column.type !== 'string') {
        throw new DataError(`column "${spec.name}" is a number column but was a string column in training`);
      }
      const width = this.blockWidth(spec);
      const codes = new Int32Array(nRows);
      let index = this.indexCache.get(spec);
      if (index === undefined) {
        index = new Map<string | null, number>(spec.categories.map((c, k) => [c, spec.outputIndex[k]]));
        this.indexCache.set(spec, index);
      }
      const infrequentColumn = spec.infrequent.length > 0 ? width - 1 : -1;
      // Unknown categories: -1 (all zeros) under 'ignore', the infrequent column when there is one
      // under 'infrequent_if_exist', an error under 'error'.
      const unknown =
        this.params.handle_unknown === 'infrequent_if_exist' && infrequentColumn >= 0 ? infrequentColumn : -1;
      const values = column.values;
      for (let i = 0; i < nRows; i++) {
        const v = values[i];
        const o = index.get(v);
        if (o !== undefined) {
          codes[i] = o;
          continue;
        }
        if (this.params.handle_unknown === 'error') {
          throw new DataError(
            `column "${spec.name}" row ${i}: category ${v === null ? 'null (missing)' : JSON.stringify(v)} was not seen in training`,
            { hint: "use handle_unknown: 'ignore' to encode unseen categories as all zeros" },
          );
        }
        codes[i] = unknown;
      }
      out.push({ width, codes });
    }
    return out;
  }

  toJSON(): EstimatorState {
    return {
      name: OneHotEncoder.transformerName,
      params: { ...this.params },
      state: { columns: this.columns.map((c) => ({ ...c })) },
    };
  }

  static fromJSON(state: EstimatorState): OneHotEncoder {
    if (state.name !== OneHotEncoder.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${OneHotEncoder.transformerName}`);
    }
    const encoder = new OneHotEncoder(state.params as OneHotEncoderParams);
    const columns = state.state.columns;
    if (!Array.isArray(columns))
      throw new DataError(`${OneHotEncoder.transformerName} state: 'columns' is missing`);
    encoder.fitted = columns.map((c: EncodedColumn, i: number) => {
      const ok =
        typeof c.name === 'string' &&
        Array.isArray(c.categories) &&
        Array.isArray(c.outputIndex) &&
        Array.isArray(c.infrequent) &&
        c.outputIndex.length === c.categories.length;
      if (!ok) throw new DataError(`${OneHotEncoder.transformerName} state: column ${i} is malformed`);
      return { name: c.name, categories: c.categories, outputIndex: c.outputIndex, infrequent: c.infrequent };
    });
    return encoder;
  }
}
