/**
 * Adapters that make a user's transformer or estimator (returned by `transformer_method` /
 * `estimator_method`) behave like mlrecipe's own: outputs checked and converted to typed arrays,
 * and errors that say which user function returned what.
 *
 * To be saved inside a model, a custom component needs `toJSON()` (its fitted state as JSON) and
 * `loadState(state)` (restores that state on a fresh object from the same function). A component
 * whose `toJSON()` returns an mlrecipe estimator state (`{name, params, state}` with a registry
 * name) is saved as that built-in estimator instead, and needs no code at load time.
 */
import { DataError } from '../errors.js';
import type {
  Classifier,
  EstimatorState,
  FeatureMatrix,
  Frame,
  PipelineTransformer,
  Regressor,
} from '../ml/types.js';

interface UserObject {
  [key: string]: unknown;
}

function asUserObject(value: unknown, origin: string, needs: readonly string[]): UserObject {
  if (value === null || typeof value !== 'object') {
    throw new DataError(`${origin} returned ${value === null ? 'null' : typeof value}, not an object`, {
      hint: `return an object with ${needs.join(', ')} methods`,
    });
  }
  const object = value as UserObject;
  const missing = needs.filter((name) => typeof object[name] !== 'function');
  if (missing.length > 0) {
    throw new DataError(`${origin} returned an object without ${missing.map((m) => `${m}()`).join(', ')}`, {
      hint: `return an object with ${needs.join(', ')} methods`,
    });
  }
  return object;
}

function call(object: UserObject, method: string, args: unknown[]): unknown {
  return (object[method] as (...a: unknown[]) => unknown).apply(object, args);
}

function stateOf(object: UserObject, origin: string): unknown {
  if (typeof object.toJSON !== 'function') {
    throw new DataError(`the object from ${origin} has no toJSON(), so the fitted model cannot be saved`, {
      hint: 'add toJSON() returning its fitted state as JSON, and loadState(state) restoring it',
    });
  }
  return call(object, 'toJSON', []);
}

function restore(object: UserObject, state: unknown, origin: string): void {
  if (state === undefined || state === null) return;
  if (typeof object.loadState !== 'function') {
    throw new DataError(
      `the object from ${origin} has no loadState(state), so the saved model cannot be restored`,
      {
        hint: 'add loadState(state) that restores what toJSON() returned',
      },
    );
  }
  call(object, 'loadState', [state]);
}

function toFloat64(value: unknown, nRows: number, what: string): Float64Array {
  let out: Float64Array;
  if (value instanceof Float64Array) out = value;
  else if (ArrayLikeOfNumbers(value)) out = Float64Array.from(value as ArrayLike<number>);
  else throw new DataError(`${what} is not an array of numbers`);
  if (out.length !== nRows) throw new DataError(`${what} has ${out.length} values for ${nRows} rows`);
  return out;
}

function ArrayLikeOfNumbers(value: unknown): boolean {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

/** Accepts a FeatureMatrix, a Frame of numeric columns, or an array of numeric columns. */
export function toFeatureMatrix(
  value: unknown,
  nRows: number,
  origin: string,
): { X: FeatureMatrix; names?: string[] } {
  const raw = value as { nRows?: unknown; columns?: unknown };
  const columns = Array.isArray(value) ? value : raw?.columns;
  if (!Array.isArray(columns)) {
    throw new DataError(`${origin} returned neither a FeatureMatrix ({nRows, columns}) nor a Frame`);
  }
  const names: string[] = [];
  const out = columns.map((column: unknown, j: number) => {
    const named = column as { name?: unknown; type?: unknown; values?: unknown };
    // Typed arrays have a values() method too: only a plain object is a Frame column.
    if (named !== null && typeof named === 'object' && !ArrayLikeOfNumbers(named) && 'values' in named) {
      if (named.type === 'string') {
        throw new DataError(
          `${origin} returned text column "${String(named.name)}"; an estimator needs numbers`,
        );
      }
      names.push(String(named.name ?? `f${j}`));
      return toFloat64(named.values, nRows, `${origin}: column ${String(named.name ?? j)}`);
    }
    names.push(`f${j}`);
    return toFloat64(column, nRows, `${origin}: column ${j}`);
  });
  return { X: { nRows, columns: out }, names };
}

export class CustomTransformer implements PipelineTransformer {
  private readonly object: UserObject;
  private readonly origin: string;
  private names?: string[];

  constructor(value: unknown, origin: string) {
    this.object = asUserObject(value, origin, ['fit', 'transform']);
    this.origin = origin;
  }

  fit(frame: Frame): void {
    call(this.object, 'fit', [frame]);
  }

  transform(frame: Frame): FeatureMatrix {
    const { X, names } = toFeatureMatrix(
      call(this.object, 'transform', [frame]),
      frame.nRows,
      `${this.origin}.transform`,
    );
    this.names ??= names;
    return X;
  }

  featureNames(): string[] {
    if (typeof this.object.featureNames === 'function')
      return (call(this.object, 'featureNames', []) as unknown[]).map(String);
    if (this.names) return this.names;
    throw new DataError(`${this.origin}: feature names are unknown until transform() has run`);
  }

  toJSON(): unknown {
    return stateOf(this.object, this.origin);
  }

  loadState(state: unknown): void {
    restore(this.object, state, this.origin);
  }
}

/** The `EstimatorState.name` custom estimators report. */
export const CUSTOM_ESTIMATOR_NAME = 'custom';

export class CustomRegressor implements Regressor {
  readonly kind = 'regressor' as const;
  private readonly object: UserObject;
  private readonly origin: string;

  constructor(value: unknown, origin: string) {
    this.object = asUserObject(value, origin, ['fit', 'predict']);
    this.origin = origin;
  }

  fit(X: FeatureMatrix, y: Float64Array): void {
    call(this.object, 'fit', [X, y]);
  }

  predict(X: FeatureMatrix): Float64Array {
    return toFloat64(call(this.object, 'predict', [X]), X.nRows, `${this.origin}.predict`);
  }

  /** Whether the user's object can report its state (has toJSON()). */
  get hasState(): boolean {
    return typeof this.object.toJSON === 'function';
  }

  /** The user's own toJSON() result. */
  userState(): unknown {
    return stateOf(this.object, this.origin);
  }

  toJSON(): EstimatorState {
    return { name: CUSTOM_ESTIMATOR_NAME, params: {}, state: { user: this.userState() } };
  }

  loadState(state: unknown): void {
    restore(this.object, state, this.origin);
  }
}

export class CustomClassifier implements Classifier {
  readonly kind = 'classifier' as const;
  private readonly object: UserObject;
  private readonly origin: string;
  private nClasses = 0;

  constructor(value: unknown, origin: string) {
    this.object = asUserObject(value, origin, ['fit', 'predict']);
    this.origin = origin;
  }

  /** Whether the user's object computes probabilities (else they are one-hot predictions). */
  get hasProba(): boolean {
    return typeof this.object.predictProba === 'function';
  }

  fit(X: FeatureMatrix, y: Int32Array, nClasses: number): void {
    this.nClasses = nClasses;
    call(this.object, 'fit', [X, y, nClasses]);
  }

  setClassCount(nClasses: number): void {
    this.nClasses = nClasses;
  }

  predict(X: FeatureMatrix): Int32Array {
    const raw = toFloat64(call(this.object, 'predict', [X]), X.nRows, `${this.origin}.predict`);
    const out = new Int32Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const k = raw[i];
      if (!Number.isInteger(k) || k < 0 || (this.nClasses > 0 && k >= this.nClasses)) {
        throw new DataError(
          `${this.origin}.predict returned ${k} for row ${i + 1}; it must return class indices 0..${this.nClasses - 1}`,
          { hint: 'labels are encoded as indices in sorted label order before fit()' },
        );
      }
      out[i] = k;
    }
    return out;
  }

  predictProba(X: FeatureMatrix): Float64Array[] {
    if (!this.hasProba) {
      const predicted = this.predict(X);
      const proba = Array.from({ length: this.nClasses }, () => new Float64Array(X.nRows));
      for (let i = 0; i < predicted.length; i++) proba[predicted[i]][i] = 1;
      return proba;
    }
    const raw = call(this.object, 'predictProba', [X]);
    if (!Array.isArray(raw) || raw.length !== this.nClasses) {
      throw new DataError(`${this.origin}.predictProba must return one array per class (${this.nClasses})`);
    }
    return raw.map((column, k) => toFloat64(column, X.nRows, `${this.origin}.predictProba: class ${k}`));
  }

  get hasState(): boolean {
    return typeof this.object.toJSON === 'function';
  }

  userState(): unknown {
    return stateOf(this.object, this.origin);
  }

  toJSON(): EstimatorState {
    return {
      name: CUSTOM_ESTIMATOR_NAME,
      params: { n_classes: this.nClasses },
      state: { user: this.userState() },
    };
  }

  loadState(state: unknown): void {
    restore(this.object, state, this.origin);
  }
}

export type CustomEstimator = CustomRegressor | CustomClassifier;

/** The user's state when it is a built-in estimator's state (`{name, params, state}`). */
export function asEstimatorState(value: unknown): EstimatorState | undefined {
  const v = value as Partial<EstimatorState> | null;
  if (v === null || typeof v !== 'object') return undefined;
  if (typeof v.name !== 'string' || typeof v.params !== 'object' || typeof v.state !== 'object')
    return undefined;
  if (v.params === null || v.state === null) return undefined;
  return v as EstimatorState;
}
