/**
 * The recipe's default transform step: the scikit-learn pipeline
 *
 *   ColumnTransformer([
 *     ('num', Pipeline([SimpleImputer(strategy='median'), StandardScaler()]), number columns),
 *     ('cat', Pipeline([SimpleImputer(strategy='most_frequent'),
 *                       OneHotEncoder(handle_unknown='infrequent_if_exist',
 *                                     max_categories=50)]), string columns),
 *   ])
 *
 * `max_categories` caps the output columns of each string column, as scikit-learn's does: a
 * column with more distinct values (an id, a timestamp, free text) keeps its 49 most frequent
 * categories and groups the rest, and categories unseen in training, into one
 * `<column>_infrequent_sklearn` column, instead of becoming thousands of one-hot features.
 * `null` turns the cap off (one column per category, unseen ones all zero).
 *
 * over every column of the Frame it is fitted on (the caller drops the target first). Output
 * columns and their names follow scikit-learn's `get_feature_names_out`: `num__hp`, then
 * `cat__origin_USA`. Fitting learns from the training split only; a saved transformer rebuilds
 * from `toJSON()` and transforms scoring data identically.
 *
 * Input tolerance at transform time: extra columns are ignored; a missing fitted column is a
 * DataError naming it; a number column that arrives as strings (CSV without types, JSON with
 * quoted numbers) is parsed, and a string column that arrives as numbers is stringified.
 */
import { DataError } from '../errors.js';
import { SimpleImputer } from './impute.js';
import { OneHotEncoder } from './one-hot.js';
import { StandardScaler } from './scale.js';
import { densify } from './encoded-matrix.js';
import type { EncodedMatrix, EstimatorState, FeatureMatrix, Frame, FrameColumn } from './types.js';

/** One input column the transformer expects: its name and Frame column type. */
export interface InputColumn {
  name: string;
  type: 'number' | 'string';
}

interface FittedParts {
  inputs: InputColumn[];
  numImputer: SimpleImputer;
  scaler: StandardScaler;
  catImputer: SimpleImputer;
  encoder: OneHotEncoder;
}

/** Output columns per string column when the recipe says nothing (scikit-learn's meaning). */
export const DEFAULT_MAX_CATEGORIES = 50;

export interface ColumnTransformerParams {
  /** At most this many one-hot columns per string column, the infrequent one included; null: no cap. */
  max_categories?: number | null;
}

/** What one-hot encoding made of one string column. */
export interface CategoricalSummary {
  column: string;
  /** Distinct values in training (missing counts as one). */
  distinct: number;
  /** How many of them were grouped into the infrequent column (0: none). */
  grouped: number;
}

export class ColumnTransformer {
  static readonly transformerName = 'column_transformer';
  readonly params: { max_categories: number | null };
  private fitted: FittedParts | null = null;

  constructor(params: ColumnTransformerParams = {}) {
    const max = params.max_categories === undefined ? DEFAULT_MAX_CATEGORIES : params.max_categories;
    if (max !== null && !(Number.isInteger(max) && max >= 2)) {
      throw new DataError(`max_categories must be an integer >= 2 or null, got ${String(max)}`, {
        hint: `e.g. max_categories: ${DEFAULT_MAX_CATEGORIES}, or null for one column per category`,
      });
    }
    this.params = { max_categories: max };
  }

  private get parts(): FittedParts {
    if (this.fitted === null) throw new DataError('ColumnTransformer is not fitted yet; call fit() first');
    return this.fitted;
  }

  fit(frame: Frame): this {
    if (frame.nRows === 0) {
      throw new DataError('cannot fit the transformer on 0 rows', {
        hint: 'check the ingest and split steps',
      });
    }
    if (frame.columns.length === 0)
      throw new DataError('cannot fit the transformer on a table without columns');
    const seen = new Set<string>();
    for (const c of frame.columns) {
      if (seen.has(c.name)) throw new DataError(`column "${c.name}" appears twice in the training data`);
      seen.add(c.name);
    }
    const numeric = frame.columns.filter((c) => c.type === 'number');
    const categorical = frame.columns.filter((c) => c.type === 'string');
    const numImputer = new SimpleImputer({ strategy: 'median' }).fit(numeric);
    const scaler = new StandardScaler().fit(toMatrix(frame.nRows, numImputer.transform(numeric)));
    const catImputer = new SimpleImputer({ strategy: 'most_frequent' }).fit(categorical);
    const { max_categories } = this.params;
    const encoder = new OneHotEncoder(
      max_categories === null
        ? { handle_unknown: 'ignore' }
        : { handle_unknown: 'infrequent_if_exist', max_categories },
    ).fit(catImputer.transform(categorical));
    this.fitted = {
      inputs: frame.columns.map((c) => ({ name: c.name, type: c.type })),
      numImputer,
      scaler,
      catImputer,
      encoder,
    };
    return this;
  }

  transform(frame: Frame): FeatureMatrix {
    return densify(this.transformEncoded(frame));
  }

  /**
   * The features with the one-hot part as one block of codes per string column
   * (src/ml/encoded-matrix.ts): what estimators that read codes take instead of `transform`'s
   * mostly-zero columns.
   */
  transformEncoded(frame: Frame): EncodedMatrix {
    const { inputs, numImputer, scaler, catImputer, encoder } = this.parts;
    const byName = new Map(frame.columns.map((c) => [c.name, c]));
    const numeric: FrameColumn[] = [];
    const categorical: FrameColumn[] = [];
    for (const input of inputs) {
      const column = byName.get(input.name);
      if (column === undefined) {
        const have = frame.columns.map((c) => c.name).join(', ') || 'none';
        throw new DataError(
          `column "${input.name}" is missing from the data to transform (columns: ${have})`,
          {
            hint: 'the model was trained with this column; add it to the input',
          },
        );
      }
      if (column.values.length !== frame.nRows) {
        throw new DataError(
          `column "${input.name}" has ${column.values.length} values, expected ${frame.nRows}`,
        );
      }
      if (input.type === 'number') numeric.push(asNumberColumn(column));
      else categorical.push(asStringColumn(column));
    }
    const scaled = scaler.transform(toMatrix(frame.nRows, numImputer.transform(numeric)));
    const blocks = encoder.transformCodes(catImputer.transform(categorical));
    return { nRows: frame.nRows, columns: scaled.columns, blocks };
  }

  /** Output column names: `num__<column>` then `cat__<column>_<category>`. */
  featureNames(): string[] {
    const { numImputer, encoder } = this.parts;
    return [
      ...numImputer.outputNames().map((n) => `num__${n}`),
      ...encoder.featureNames().map((n) => `cat__${n}`),
    ];
  }

  /**
   * `num__<column>`, then `cat__<column>` per string column: the names when an estimator reads
   * each string column as one column of category codes (HistGradientBoosting with
   * categorical_features).
   */
  codeFeatureNames(): string[] {
    const { numImputer, encoder } = this.parts;
    return [
      ...numImputer.outputNames().map((n) => `num__${n}`),
      ...encoder.columns.map((c) => `cat__${c.name}`),
    ];
  }

  /** Per string column: how many categories it had and how many were grouped as infrequent. */
  categoricalSummary(): CategoricalSummary[] {
    return this.parts.encoder.columns.map((c) => ({
      column: c.name,
      distinct: c.categories.length,
      grouped: c.infrequent.length,
    }));
  }

  /** The columns transform() needs, in training order, with their Frame types. */
  inputSchema(): InputColumn[] {
    return this.parts.inputs.map((c) => ({ ...c }));
  }

  toJSON(): EstimatorState {
    const { inputs, numImputer, scaler, catImputer, encoder } = this.parts;
    return {
      name: ColumnTransformer.transformerName,
      params: { ...this.params },
      state: {
        inputs: inputs.map((c) => ({ ...c })),
        num_imputer: numImputer.toJSON(),
        scaler: scaler.toJSON(),
        cat_imputer: catImputer.toJSON(),
        encoder: encoder.toJSON(),
      },
    };
  }

  static fromJSON(state: EstimatorState): ColumnTransformer {
    if (state.name !== ColumnTransformer.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${ColumnTransformer.transformerName}`);
    }
    const s = state.state;
    const part = (key: string): EstimatorState => {
      const v = s[key];
      if (v === null || typeof v !== 'object') {
        throw new DataError(`${ColumnTransformer.transformerName} state: '${key}' is missing`, {
          hint: 'the saved model is damaged; retrain it',
        });
      }
      return v as EstimatorState;
    };
    const inputs = s.inputs;
    if (!Array.isArray(inputs) || !inputs.every(isInputColumn)) {
      throw new DataError(
        `${ColumnTransformer.transformerName} state: 'inputs' must be a list of {name, type}`,
      );
    }
    const encoder = OneHotEncoder.fromJSON(part('encoder'));
    // The fitted encoder holds the cap it was fitted with (states saved before max_categories
    // existed have none).
    const transformer = new ColumnTransformer({ max_categories: encoder.params.max_categories });
    transformer.fitted = {
      inputs: inputs.map((c) => ({ name: c.name, type: c.type })),
      numImputer: SimpleImputer.fromJSON(part('num_imputer')),
      scaler: StandardScaler.fromJSON(part('scaler')),
      catImputer: SimpleImputer.fromJSON(part('cat_imputer')),
      encoder,
    };
    return transformer;
  }
}

function isInputColumn(v: unknown): v is InputColumn {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return typeof c.name === 'string' && (c.type === 'number' || c.type === 'string');
}

function toMatrix(nRows: number, columns: FrameColumn[]): FeatureMatrix {
  return { nRows, columns: columns.map((c) => c.values as Float64Array) };
}

/** A number column, parsing strings when the data arrived untyped; blanks and null are missing. */
function asNumberColumn(column: FrameColumn): FrameColumn {
  if (column.type === 'number') return column;
  const values = new Float64Array(column.values.length);
  for (let i = 0; i < values.length; i++) {
    const raw = column.values[i];
    const text = raw === null ? '' : raw.trim();
    if (text === '' || text.toLowerCase() === 'nan') {
      values[i] = Number.NaN;
      continue;
    }
    const v = Number(text);
    if (Number.isNaN(v)) {
      throw new DataError(`column "${column.name}" row ${i}: ${JSON.stringify(raw)} is not a number`, {
        hint: 'this column was numeric in training; send numbers (or leave the value empty for missing)',
      });
    }
    values[i] = v;
  }
  return { name: column.name, type: 'number', values };
}

/** A string column; numbers (category codes sent as JSON numbers) become their decimal text. */
function asStringColumn(column: FrameColumn): FrameColumn {
  if (column.type === 'string') return column;
  return {
    name: column.name,
    type: 'string',
    values: Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v))),
  };
}
