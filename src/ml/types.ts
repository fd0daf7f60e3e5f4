/**
 * The shapes every estimator and transformer in src/ml shares.
 *
 * Data is column-major: `columns[j]` holds feature j for every row, as a Float64Array of length
 * `nRows`. That is how Arrow stores a table, so a dataset goes from an Arrow IPC file into an
 * estimator without one JavaScript object per row. Estimators that prefer rows (SGD) copy into
 * a row-major buffer internally.
 */
export interface FeatureMatrix {
  nRows: number;
  columns: Float64Array[];
  /** The features' names when known (the transformer's output names); estimators may ignore them. */
  featureNames?: readonly string[];
}

/**
 * One one-hot encoded input column kept as codes (src/ml/encoded-matrix.ts): it stands for
 * `width` 0/1 columns, row i having its 1 in column `codes[i]`, or none when the code is -1.
 */
export interface OneHotBlock {
  width: number;
  codes: Int32Array;
}

/**
 * Features whose one-hot part stays as codes: the logical matrix is `columns` followed by each
 * block's `width` columns, so coefficients and feature names are those of the dense matrix.
 */
export interface EncodedMatrix {
  nRows: number;
  columns: Float64Array[];
  blocks: OneHotBlock[];
}

/** A regressor that reads one-hot blocks as codes instead of their dense 0/1 columns. */
export interface EncodedRegressor extends Regressor {
  fitEncoded(X: EncodedMatrix, y: Float64Array): void;
  predictEncoded(X: EncodedMatrix): Float64Array;
}

/** A fitted model's state in JSON: enough to rebuild it with `loadEstimator`. */
export interface EstimatorState {
  /** Registry name, e.g. `linear_regression`, `ridge`, `logistic_regression`. */
  name: string;
  /** The constructor parameters, with scikit-learn's names, after defaults were applied. */
  params: Record<string, unknown>;
  /** Fitted state (coefficients, tree nodes, ...); plain JSON, numbers as numbers. */
  state: Record<string, unknown>;
}

export interface Regressor {
  readonly kind: 'regressor';
  fit(X: FeatureMatrix, y: Float64Array): void;
  predict(X: FeatureMatrix): Float64Array;
  toJSON(): EstimatorState;
}

/** Classes are encoded as 0..nClasses-1 by the caller (the pipeline keeps the labels). */
export interface Classifier {
  readonly kind: 'classifier';
  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void;
  /** Class index per row. */
  predict(X: FeatureMatrix): Int32Array;
  /** One Float64Array per class; row i's probabilities sum to 1. */
  predictProba(X: FeatureMatrix): Float64Array[];
  toJSON(): EstimatorState;
}

export type Estimator = Regressor | Classifier;

/**
 * A table of raw columns as it comes out of ingest and goes into a transformer or a saved
 * model: numbers as Float64Array (NaN = missing), everything else as strings (null = missing).
 * Booleans are numbers 0/1. One array per column, never one object per row.
 */
export type FrameColumn =
  | { name: string; type: 'number'; values: Float64Array }
  | { name: string; type: 'string'; values: (string | null)[] };

export interface Frame {
  nRows: number;
  columns: FrameColumn[];
}

/** A fitted transformer as a model pipeline uses it. ColumnTransformer satisfies it. */
export interface PipelineTransformer {
  transform(frame: Frame): FeatureMatrix;
  /** The same features with one-hot blocks as codes, when the transformer can keep them so. */
  transformEncoded?(frame: Frame): EncodedMatrix;
  /**
   * Feature names when each block of `transformEncoded` is one column of codes: the dense
   * columns' names, then one per block (the encoded input column's).
   */
  codeFeatureNames?(): string[];
  featureNames(): string[];
  toJSON(): unknown;
}
