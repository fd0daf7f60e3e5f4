/**
 * The whole model as one object: a fitted transformer (raw columns → feature matrix) followed by
 * a fitted estimator, plus what turns the estimator's numbers back into the user's terms (class
 * labels). A saved model directory holds it as `pipeline.json` (docs/model-format.md); this file
 * is the pure, in-memory half — saving and loading live in save.ts and load.ts.
 */
import { DataError } from '../errors.js';
import type {
  Classifier,
  Estimator,
  EstimatorState,
  FeatureMatrix,
  Frame,
  PipelineTransformer,
} from '../ml/types.js';
import {
  categoryCodeFeatureNames,
  categoryCodeFeatures,
  readsCategoryCodes,
  readsCodes,
} from '../ml/encoded-matrix.js';
import { CustomClassifier, CustomRegressor } from './custom-components.js';

export type ProblemType = 'regression' | 'classification';

// Declared with the estimator types, so custom components implement it without importing this file.
export type { PipelineTransformer };

/**
 * Where a component's code comes from: mlrecipe itself (`builtin`: the ColumnTransformer, or an
 * estimator in the registry), or a function in the user's recipe module (`custom`), which is
 * copied into the model directory so that the model loads without the recipe.
 */
export type ComponentSource =
  | { kind: 'builtin' }
  | {
      kind: 'custom';
      /** Absolute path of the user's module when training. */
      modulePath: string;
      /** Exported function that returns a fresh, unfitted component. */
      method: string;
      /** Arguments passed to the function (e.g. `estimator_params`), JSON. */
      params?: Record<string, unknown>;
    };

/** `pipeline.json`'s `transformer` entry. */
export type TransformerDocument =
  | { kind: 'column_transformer'; state: unknown }
  /** Numeric columns taken as they are, in signature order; no fitted state. */
  | { kind: 'passthrough'; columns: string[] }
  | { kind: 'custom'; code: string; method: string; params?: Record<string, unknown>; state: unknown };

/** `pipeline.json`'s `estimator` entry. */
export type EstimatorDocument =
  | ({ kind: 'builtin' } & EstimatorState)
  | { kind: 'custom'; code: string; method: string; params?: Record<string, unknown>; state: unknown };

export const PIPELINE_FORMAT = 'mlrecipe.pipeline';
export const PIPELINE_FORMAT_VERSION = 1;

/** The JSON document in `pipeline.json` (docs/model-format.md). */
export interface PipelineDocument {
  format: typeof PIPELINE_FORMAT;
  format_version: number;
  problem_type: ProblemType;
  target_col: string;
  /** Raw input columns, in the order the transformer receives them. */
  input_columns: string[];
  /** Names of the transformer's output features, in estimator column order. */
  feature_names: string[];
  /** Class labels as strings, index = the estimator's class index (classification only). */
  classes?: string[];
  /** The label that is class index 1 in a binary problem (classification only). */
  positive_class?: string;
  transformer: TransformerDocument;
  estimator: EstimatorDocument;
}

export interface ModelPipelineOptions {
  problemType: ProblemType;
  targetCol: string;
  inputColumns: string[];
  transformer: PipelineTransformer;
  transformerSource?: ComponentSource;
  estimator: Estimator;
  estimatorSource?: ComponentSource;
  classes?: string[];
  positiveClass?: string;
}

export class ModelPipeline {
  readonly problemType: ProblemType;
  readonly targetCol: string;
  readonly inputColumns: string[];
  readonly transformer: PipelineTransformer;
  readonly transformerSource: ComponentSource;
  readonly estimator: Estimator;
  readonly estimatorSource: ComponentSource;
  readonly classes?: string[];
  readonly positiveClass?: string;

  constructor(options: ModelPipelineOptions) {
    this.problemType = options.problemType;
    this.targetCol = options.targetCol;
    this.inputColumns = options.inputColumns;
    this.transformer = options.transformer;
    this.transformerSource = options.transformerSource ?? { kind: 'builtin' };
    this.estimator = options.estimator;
    this.estimatorSource = options.estimatorSource ?? { kind: 'builtin' };
    this.classes = options.classes;
    this.positiveClass = options.positiveClass;
    if (options.problemType === 'classification') {
      if (options.estimator.kind !== 'classifier') {
        throw new DataError('a classification pipeline needs a classifier, but the estimator is a regressor');
      }
      if (!options.classes || options.classes.length < 2) {
        throw new DataError('a classification pipeline needs at least two class labels');
      }
    } else if (options.estimator.kind !== 'regressor') {
      throw new DataError('a regression pipeline needs a regressor, but the estimator is a classifier');
    }
  }

  /**
   * Raw frame (columns named as in `inputColumns`) → the feature matrix the estimator reads:
   * one-hot blocks as code columns for a category-codes reader, else the dense matrix.
   */
  features(frame: Frame): FeatureMatrix {
    const selected = selectColumns(frame, this.inputColumns);
    if (readsCategoryCodes(this.estimator)) return categoryCodeFeatures(this.transformer, selected);
    return this.transformer.transform(selected);
  }

  /** The names of `features()`'s columns, in order. */
  featureNames(): string[] {
    if (readsCategoryCodes(this.estimator)) return categoryCodeFeatureNames(this.transformer);
    return this.transformer.featureNames();
  }

  /** Numbers for regression; class labels for classification. */
  predict(frame: Frame): Float64Array | string[] {
    // Ridge and linear regression read the default transformer's one-hot columns as codes.
    if (readsCodes(this.estimator) && this.transformer.transformEncoded) {
      return this.estimator.predictEncoded(
        this.transformer.transformEncoded(selectColumns(frame, this.inputColumns)),
      );
    }
    const X = this.features(frame);
    if (this.estimator.kind === 'regressor') return this.estimator.predict(X);
    const classes = this.classes ?? [];
    const indices = this.estimator.predict(X);
    const labels = new Array<string>(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const label = classes[indices[i]];
      if (label === undefined) {
        throw new DataError(
          `the estimator predicted class index ${indices[i]} for row ${i + 1}, but the model has ${classes.length} classes`,
        );
      }
      labels[i] = label;
    }
    return labels;
  }

  /** Class indices per row (classification only). */
  predictIndices(frame: Frame): Int32Array {
    return this.classifier().predict(this.features(frame));
  }

  /** One probability array per class, in `classes` order (classification only). */
  predictProba(frame: Frame): Float64Array[] {
    return this.classifier().predictProba(this.features(frame));
  }

  private classifier(): Classifier {
    if (this.estimator.kind !== 'classifier') {
      throw new DataError('class probabilities exist only for classification models');
    }
    return this.estimator;
  }

  /**
   * The pipeline as `pipeline.json`. `codeFiles` maps a custom component's module path to its
   * path inside the model directory (save.ts copies the file there).
   */
  toDocument(codeFiles: ReadonlyMap<string, string>): PipelineDocument {
    return {
      format: PIPELINE_FORMAT,
      format_version: PIPELINE_FORMAT_VERSION,
      problem_type: this.problemType,
      target_col: this.targetCol,
      input_columns: this.inputColumns,
      feature_names: this.featureNames(),
      ...(this.classes ? { classes: this.classes } : {}),
      ...(this.positiveClass !== undefined ? { positive_class: this.positiveClass } : {}),
      transformer: transformerDocument(this.transformer, this.transformerSource, codeFiles),
      estimator: estimatorDocument(this.estimator, this.estimatorSource, codeFiles),
    };
  }
}

function transformerDocument(
  transformer: PipelineTransformer,
  source: ComponentSource,
  codeFiles: ReadonlyMap<string, string>,
): TransformerDocument {
  if (transformer instanceof PassthroughTransformer)
    return { kind: 'passthrough', columns: transformer.columns };
  if (source.kind === 'builtin') return { kind: 'column_transformer', state: transformer.toJSON() };
  return {
    kind: 'custom',
    code: codeFileFor(source.modulePath, codeFiles),
    method: source.method,
    ...(source.params ? { params: source.params } : {}),
    state: transformer.toJSON(),
  };
}

function estimatorDocument(
  estimator: Estimator,
  source: ComponentSource,
  codeFiles: ReadonlyMap<string, string>,
): EstimatorDocument {
  if (source.kind === 'builtin') return { kind: 'builtin', ...estimator.toJSON() };
  const custom = estimator instanceof CustomRegressor || estimator instanceof CustomClassifier;
  return {
    kind: 'custom',
    code: codeFileFor(source.modulePath, codeFiles),
    method: source.method,
    ...(source.params ? { params: source.params } : {}),
    state: custom ? estimator.userState() : estimator.toJSON(),
  };
}

function codeFileFor(modulePath: string, codeFiles: ReadonlyMap<string, string>): string {
  const code = codeFiles.get(modulePath);
  if (code === undefined)
    throw new Error(`internal: no copy of ${modulePath} was made in the model directory`);
  return code;
}

/** Picks and orders columns by name; a missing column is a DataError. */
export function selectColumns(frame: Frame, names: readonly string[]): Frame {
  const byName = new Map(frame.columns.map((column) => [column.name, column]));
  const columns = names.map((name) => {
    const column = byName.get(name);
    if (column === undefined) {
      throw new DataError(`the input has no column "${name}"`, {
        hint: `the model expects the columns ${names.join(', ')}`,
      });
    }
    return column;
  });
  return { nRows: frame.nRows, columns };
}

/** Drops one column by name (e.g. the target before fitting a transformer). */
export function dropColumn(frame: Frame, name: string): Frame {
  return { nRows: frame.nRows, columns: frame.columns.filter((column) => column.name !== name) };
}

/**
 * Feeds numeric columns to the estimator unchanged: for data that is already numeric and clean,
 * or for a model saved without a transform step.
 */
export class PassthroughTransformer implements PipelineTransformer {
  readonly columns: string[];
  constructor(columns: string[]) {
    this.columns = columns;
  }
  transform(frame: Frame): FeatureMatrix {
    const selected = selectColumns(frame, this.columns);
    return {
      nRows: frame.nRows,
      columns: selected.columns.map((column) => {
        if (column.type !== 'number') {
          throw new DataError(
            `column "${column.name}" is text; a passthrough transformer takes numeric columns only`,
            {
              hint: 'add a transform step (the default one-hot encodes text columns)',
            },
          );
        }
        return column.values;
      }),
    };
  }
  featureNames(): string[] {
    return [...this.columns];
  }
  toJSON(): unknown {
    return { columns: this.columns };
  }
}

/**
 * JSON text for a pipeline document. JSON has no NaN or ±Infinity, and fitted states can hold
 * them (an all-missing column's median, an open tree threshold), so they are written as
 * `{"$float": "NaN"}` objects — unambiguous, unlike strings, which could be class labels.
 */
export function stringifyPipelineDocument(doc: PipelineDocument): string {
  return `${JSON.stringify(doc, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { $float: String(value) } : value), 1)}\n`;
}

export function parsePipelineDocument(text: string, where: string): PipelineDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text, (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const special = (value as { $float?: unknown }).$float;
        if (typeof special === 'string' && Object.keys(value).length === 1) return Number(special);
      }
      return value;
    });
  } catch (error) {
    throw new DataError(`${where}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const d = doc as Partial<PipelineDocument> | null;
  if (d === null || typeof d !== 'object' || d.format !== PIPELINE_FORMAT) {
    throw new DataError(
      `${where}: not an mlrecipe pipeline document (expected "format": "${PIPELINE_FORMAT}")`,
    );
  }
  if (typeof d.format_version !== 'number' || d.format_version > PIPELINE_FORMAT_VERSION) {
    throw new DataError(
      `${where}: pipeline format_version ${String(d.format_version)} is newer than this mlrecipe reads (${PIPELINE_FORMAT_VERSION})`,
      {
        hint: 'upgrade mlrecipe',
      },
    );
  }
  if (d.problem_type !== 'regression' && d.problem_type !== 'classification') {
    throw new DataError(`${where}: problem_type must be "regression" or "classification"`);
  }
  if (!Array.isArray(d.input_columns) || typeof d.target_col !== 'string' || !d.transformer || !d.estimator) {
    throw new DataError(`${where}: input_columns, target_col, transformer and estimator are required`);
  }
  return d as PipelineDocument;
}
