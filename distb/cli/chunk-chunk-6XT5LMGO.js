import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/models/custom-components.ts
function asUserObject(value, origin, needs) {
  if (value === null || typeof value !== "object") {
    throw new DataError(`${origin} returned ${value === null ? "null" : typeof value}, not an object`, {
      hint: `return an object with ${needs.join(", ")} methods`
    });
  }
  const object = value;
  const missing = needs.filter((name) => typeof object[name] !== "function");
  if (missing.length > 0) {
    throw new DataError(`${origin} returned an object without ${missing.map((m) => `${m}()`).join(", ")}`, {
      hint: `return an object with ${needs.join(", ")} methods`
    });
  }
  return object;
}
function call(object, method, args) {
  return object[method].apply(object, args);
}
function stateOf(object, origin) {
  if (typeof object.toJSON !== "function") {
    throw new DataError(`the object from ${origin} has no toJSON(), so the fitted model cannot be saved`, {
      hint: "add toJSON() returning its fitted state as JSON, and loadState(state) restoring it"
    });
  }
  return call(object, "toJSON", []);
}
function restore(object, state, origin) {
  if (state === void 0 || state === null) return;
  if (typeof object.loadState !== "function") {
    throw new DataError(
      `the object from ${origin} has no loadState(state), so the saved model cannot be restored`,
      {
        hint: "add loadState(state) that restores what toJSON() returned"
      }
    );
  }
  call(object, "loadState", [state]);
}
function toFloat64(value, nRows, what) {
  let out;
  if (value instanceof Float64Array) out = value;
  else if (ArrayLikeOfNumbers(value)) out = Float64Array.from(value);
  else throw new DataError(`${what} is not an array of numbers`);
  if (out.length !== nRows) throw new DataError(`${what} has ${out.length} values for ${nRows} rows`);
  return out;
}
function ArrayLikeOfNumbers(value) {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}
function toFeatureMatrix(value, nRows, origin) {
  const raw = value;
  const columns = Array.isArray(value) ? value : raw?.columns;
  if (!Array.isArray(columns)) {
    throw new DataError(`${origin} returned neither a FeatureMatrix ({nRows, columns}) nor a Frame`);
  }
  const names = [];
  const out = columns.map((column, j) => {
    const named = column;
    if (named !== null && typeof named === "object" && !ArrayLikeOfNumbers(named) && "values" in named) {
      if (named.type === "string") {
        throw new DataError(
          `${origin} returned text column "${String(named.name)}"; an estimator needs numbers`
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
var CustomTransformer = class {
  object;
  origin;
  names;
  constructor(value, origin) {
    this.object = asUserObject(value, origin, ["fit", "transform"]);
    this.origin = origin;
  }
  fit(frame) {
    call(this.object, "fit", [frame]);
  }
  transform(frame) {
    const { X, names } = toFeatureMatrix(
      call(this.object, "transform", [frame]),
      frame.nRows,
      `${this.origin}.transform`
    );
    this.names ??= names;
    return X;
  }
  featureNames() {
    if (typeof this.object.featureNames === "function")
      return call(this.object, "featureNames", []).map(String);
    if (this.names) return this.names;
    throw new DataError(`${this.origin}: feature names are unknown until transform() has run`);
  }
  toJSON() {
    return stateOf(this.object, this.origin);
  }
  loadState(state) {
    restore(this.object, state, this.origin);
  }
};
var CUSTOM_ESTIMATOR_NAME = "custom";
var CustomRegressor = class {
  kind = "regressor";
  object;
  origin;
  constructor(value, origin) {
    this.object = asUserObject(value, origin, ["fit", "predict"]);
    this.origin = origin;
  }
  fit(X, y) {
    call(this.object, "fit", [X, y]);
  }
  predict(X) {
    return toFloat64(call(this.object, "predict", [X]), X.nRows, `${this.origin}.predict`);
  }
  /** Whether the user's object can report its state (has toJSON()). */
  get hasState() {
    return typeof this.object.toJSON === "function";
  }
  /** The user's own toJSON() result. */
  userState() {
    return stateOf(this.object, this.origin);
  }
  toJSON() {
    return { name: CUSTOM_ESTIMATOR_NAME, params: {}, state: { user: this.userState() } };
  }
  loadState(state) {
    restore(this.object, state, this.origin);
  }
};
var CustomClassifier = class {
  kind = "classifier";
  object;
  origin;
  nClasses = 0;
  constructor(value, origin) {
    this.object = asUserObject(value, origin, ["fit", "predict"]);
    this.origin = origin;
  }
  /** Whether the user's object computes probabilities (else they are one-hot predictions). */
  get hasProba() {
    return typeof this.object.predictProba === "function";
  }
  fit(X, y, nClasses) {
    this.nClasses = nClasses;
    call(this.object, "fit", [X, y, nClasses]);
  }
  setClassCount(nClasses) {
    this.nClasses = nClasses;
  }
  predict(X) {
    const raw = toFloat64(call(this.object, "predict", [X]), X.nRows, `${this.origin}.predict`);
    const out = new Int32Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const k = raw[i];
      if (!Number.isInteger(k) || k < 0 || this.nClasses > 0 && k >= this.nClasses) {
        throw new DataError(
          `${this.origin}.predict returned ${k} for row ${i + 1}; it must return class indices 0..${this.nClasses - 1}`,
          { hint: "labels are encoded as indices in sorted label order before fit()" }
        );
      }
      out[i] = k;
    }
    return out;
  }
  predictProba(X) {
    if (!this.hasProba) {
      const predicted = this.predict(X);
      const proba = Array.from({ length: this.nClasses }, () => new Float64Array(X.nRows));
      for (let i = 0; i < predicted.length; i++) proba[predicted[i]][i] = 1;
      return proba;
    }
    const raw = call(this.object, "predictProba", [X]);
    if (!Array.isArray(raw) || raw.length !== this.nClasses) {
      throw new DataError(`${this.origin}.predictProba must return one array per class (${this.nClasses})`);
    }
    return raw.map((column, k) => toFloat64(column, X.nRows, `${this.origin}.predictProba: class ${k}`));
  }
  get hasState() {
    return typeof this.object.toJSON === "function";
  }
  userState() {
    return stateOf(this.object, this.origin);
  }
  toJSON() {
    return {
      name: CUSTOM_ESTIMATOR_NAME,
      params: { n_classes: this.nClasses },
      state: { user: this.userState() }
    };
  }
  loadState(state) {
    restore(this.object, state, this.origin);
  }
};
function asEstimatorState(value) {
  const v = value;
  if (v === null || typeof v !== "object") return void 0;
  if (typeof v.name !== "string" || typeof v.params !== "object" || typeof v.state !== "object")
    return void 0;
  if (v.params === null || v.state === null) return void 0;
  return v;
}

export {
  toFeatureMatrix,
  CustomTransformer,
  CustomRegressor,
  CustomClassifier,
  asEstimatorState
};
