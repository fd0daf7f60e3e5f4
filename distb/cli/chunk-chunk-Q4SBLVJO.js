import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/ml/impute.ts
var STRATEGIES = ["mean", "median", "most_frequent", "constant"];
var SimpleImputer = class _SimpleImputer {
  static transformerName = "simple_imputer";
  params;
  fitted = null;
  constructor(params = {}) {
    const strategy = params.strategy ?? "mean";
    if (!STRATEGIES.includes(strategy)) {
      throw new DataError(
        `SimpleImputer strategy must be one of ${STRATEGIES.join(", ")}, got '${strategy}'`
      );
    }
    this.params = { strategy, fill_value: params.fill_value ?? null };
  }
  /** The fitted columns in input order, with their fill values (null when dropped). */
  get columns() {
    if (this.fitted === null) throw new DataError("SimpleImputer is not fitted yet; call fit() first");
    return this.fitted;
  }
  /** Names of the columns transform() returns, in order. */
  outputNames() {
    return this.columns.filter((c) => c.fill !== null).map((c) => c.name);
  }
  fit(columns) {
    const { strategy, fill_value } = this.params;
    this.fitted = columns.map((column) => {
      if (column.type === "string" && (strategy === "mean" || strategy === "median")) {
        throw new DataError(
          `SimpleImputer cannot use strategy '${strategy}' on string column "${column.name}"`,
          { hint: "use strategy 'most_frequent' or 'constant' for string columns" }
        );
      }
      return { name: column.name, type: column.type, fill: statisticOf(column, strategy, fill_value) };
    });
    return this;
  }
  /** Returns the kept columns with missing values filled; columns are matched by name. */
  transform(columns) {
    const byName = new Map(columns.map((c) => [c.name, c]));
    const out = [];
    for (const spec of this.columns) {
      const column = byName.get(spec.name);
      if (column === void 0) {
        throw new DataError(`column "${spec.name}" is missing; the imputer was fitted with it`, {
          hint: "pass the same columns that were used for training"
        });
      }
      if (column.type !== spec.type) {
        throw new DataError(
          `column "${spec.name}" is a ${column.type} column but was a ${spec.type} column in training`
        );
      }
      if (spec.fill === null) continue;
      if (column.type === "number") {
        const fill = spec.fill;
        out.push({
          name: column.name,
          type: "number",
          values: column.values.map((v) => Number.isNaN(v) ? fill : v)
        });
      } else {
        const fill = spec.fill;
        out.push({ name: column.name, type: "string", values: column.values.map((v) => v ?? fill) });
      }
    }
    return out;
  }
  toJSON() {
    return {
      name: _SimpleImputer.transformerName,
      params: { ...this.params },
      state: {
        columns: this.columns.map((c) => ({
          name: c.name,
          type: c.type,
          // JSON has no NaN; a dropped column's fill is null either way.
          fill: typeof c.fill === "number" && Number.isNaN(c.fill) ? null : c.fill
        }))
      }
    };
  }
  static fromJSON(state) {
    if (state.name !== _SimpleImputer.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${_SimpleImputer.transformerName}`);
    }
    const imputer = new _SimpleImputer(state.params);
    const columns = state.state.columns;
    if (!Array.isArray(columns))
      throw new DataError(`${_SimpleImputer.transformerName} state: 'columns' is missing`);
    imputer.fitted = columns.map((c, i) => {
      const okFill = c.fill === null || typeof c.fill === (c.type === "number" ? "number" : "string");
      if (typeof c.name !== "string" || c.type !== "number" && c.type !== "string" || !okFill) {
        throw new DataError(`${_SimpleImputer.transformerName} state: column ${i} is malformed`);
      }
      return { name: c.name, type: c.type, fill: c.fill };
    });
    return imputer;
  }
};
function statisticOf(column, strategy, fillValue) {
  if (strategy === "constant") {
    if (column.type === "number") {
      if (fillValue !== null && typeof fillValue !== "number") {
        throw new DataError(
          `SimpleImputer fill_value ${JSON.stringify(fillValue)} is not a number, but column "${column.name}" is numeric`
        );
      }
      return fillValue ?? 0;
    }
    return fillValue === null ? "missing_value" : String(fillValue);
  }
  if (column.type === "string") return mostFrequentString(column.values);
  const present = presentValues(column.values);
  if (present.length === 0) return null;
  if (strategy === "mean") {
    let sum = 0;
    for (let i = 0; i < present.length; i++) sum += present[i];
    return sum / present.length;
  }
  if (strategy === "median") return median(present);
  present.sort();
  let best = present[0];
  let bestCount = 0;
  for (let i = 0; i < present.length; ) {
    let j = i;
    while (j < present.length && present[j] === present[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = present[i];
    }
    i = j;
  }
  return best;
}
function presentValues(values) {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) out[n++] = v;
  }
  return out.subarray(0, n);
}
function median(values) {
  const n = values.length;
  const k = n >> 1;
  const upper = select(values, k);
  if (n % 2 === 1) return upper;
  let lower = values[0];
  for (let i = 1; i < k; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}
function select(a, k) {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = lo + hi >> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? y < z ? y : x < z ? z : x : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
function mostFrequentString(values) {
  const counts = /* @__PURE__ */ new Map();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = null;
  let bestCount = 0;
  for (const [v, n] of counts) {
    if (n > bestCount || n === bestCount && best !== null && v < best) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

// src/ml/one-hot.ts
var HANDLE_UNKNOWN = ["ignore", "error", "infrequent_if_exist"];
function compareCodePoints(a, b) {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (; ; ) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0);
    const cy = y.value.codePointAt(0);
    if (cx !== cy) return cx - cy;
  }
}
var OneHotEncoder = class _OneHotEncoder {
  static transformerName = "one_hot_encoder";
  params;
  fitted = null;
  constructor(params = {}) {
    const handle_unknown = params.handle_unknown ?? "ignore";
    if (!HANDLE_UNKNOWN.includes(handle_unknown)) {
      throw new DataError(
        `OneHotEncoder handle_unknown must be one of ${HANDLE_UNKNOWN.join(", ")}, got '${handle_unknown}'`
      );
    }
    const min_frequency = params.min_frequency ?? null;
    if (min_frequency !== null && !(Number.isInteger(min_frequency) ? min_frequency >= 1 : min_frequency > 0 && min_frequency < 1)) {
      throw new DataError(
        `OneHotEncoder min_frequency must be an integer >= 1 or a fraction in (0, 1), got ${min_frequency}`
      );
    }
    const max_categories = params.max_categories ?? null;
    if (max_categories !== null && !(Number.isInteger(max_categories) && max_categories >= 2)) {
      throw new DataError(`OneHotEncoder max_categories must be an integer >= 2, got ${max_categories}`);
    }
    this.params = { handle_unknown, min_frequency, max_categories };
  }
  get columns() {
    if (this.fitted === null) throw new DataError("OneHotEncoder is not fitted yet; call fit() first");
    return this.fitted;
  }
  fit(columns) {
    this.fitted = columns.map((column) => {
      if (column.type !== "string") {
        throw new DataError(`OneHotEncoder needs string columns, but "${column.name}" is a number column`, {
          hint: "convert the column to strings if its numbers are category codes"
        });
      }
      return this.fitColumn(column.name, column.values);
    });
    return this;
  }
  fitColumn(name, values) {
    const counts = /* @__PURE__ */ new Map();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const categories = [...counts.keys()].sort(
      (a, b) => a === null ? b === null ? 0 : 1 : b === null ? -1 : compareCodePoints(a, b)
    );
    const infrequent = this.infrequentIndices(
      categories.map((c) => counts.get(c)),
      values.length
    );
    const isInfrequent = new Set(infrequent);
    const outputIndex = [];
    let next = 0;
    for (let k = 0; k < categories.length; k++) outputIndex.push(isInfrequent.has(k) ? -1 : next++);
    for (let k = 0; k < categories.length; k++) if (outputIndex[k] === -1) outputIndex[k] = next;
    return { name, categories, outputIndex, infrequent };
  }
  /** scikit-learn 1.2's `_identify_infrequent`, over counts in category order. */
  infrequentIndices(counts, nSamples) {
    const { min_frequency, max_categories } = this.params;
    const mask = counts.map(() => false);
    if (min_frequency !== null) {
      const threshold = Number.isInteger(min_frequency) ? min_frequency : min_frequency * nSamples;
      for (let k = 0; k < counts.length; k++) mask[k] = counts[k] < threshold;
    }
    const nCurrent = counts.length - mask.filter(Boolean).length + 1;
    if (max_categories !== null && max_categories < nCurrent) {
      const order = counts.map((_, k) => k).sort((a, b) => counts[a] - counts[b] || a - b);
      for (const k of order.slice(0, counts.length - max_categories + 1)) mask[k] = true;
    }
    const out = [];
    for (let k = 0; k < mask.length; k++) if (mask[k]) out.push(k);
    return out;
  }
  /** Output column count of each fitted input column. */
  blockWidth(col) {
    return col.categories.length - col.infrequent.length + (col.infrequent.length > 0 ? 1 : 0);
  }
  /** `<column>_<category>` for every output column, as scikit-learn's get_feature_names_out. */
  featureNames() {
    const names = [];
    for (const col of this.columns) {
      const isInfrequent = new Set(col.infrequent);
      col.categories.forEach((c, k) => {
        if (!isInfrequent.has(k)) names.push(`${col.name}_${c ?? "nan"}`);
      });
      if (col.infrequent.length > 0) names.push(`${col.name}_infrequent_sklearn`);
    }
    return names;
  }
  /** Encodes the fitted columns (matched by name; extra columns are ignored). */
  transform(columns) {
    const byName = new Map(columns.map((c) => [c.name, c]));
    const nRows = columns.length > 0 ? columns[0].values.length : 0;
    const out = [];
    for (const spec of this.columns) {
      const column = byName.get(spec.name);
      if (column === void 0) {
        throw new DataError(`column "${spec.name}" is missing; the encoder was fitted with it`, {
          hint: "pass the same columns that were used for training"
        });
      }
      if (column.type !== "string") {
        throw new DataError(`column "${spec.name}" is a number column but was a string column in training`);
      }
      const width = this.blockWidth(spec);
      const block = Array.from({ length: width }, () => new Float64Array(nRows));
      const index = new Map(spec.categories.map((c, k) => [c, spec.outputIndex[k]]));
      const infrequentColumn = spec.infrequent.length > 0 ? width - 1 : -1;
      for (let i = 0; i < nRows; i++) {
        const v = column.values[i];
        let o = index.get(v);
        if (o === void 0) {
          if (this.params.handle_unknown === "error") {
            throw new DataError(
              `column "${spec.name}" row ${i}: category ${v === null ? "null (missing)" : JSON.stringify(v)} was not seen in training`,
              { hint: "use handle_unknown: 'ignore' to encode unseen categories as all zeros" }
            );
          }
          if (this.params.handle_unknown === "infrequent_if_exist" && infrequentColumn >= 0)
            o = infrequentColumn;
          else continue;
        }
        block[o][i] = 1;
      }
      out.push(...block);
    }
    return { nRows, columns: out };
  }
  toJSON() {
    return {
      name: _OneHotEncoder.transformerName,
      params: { ...this.params },
      state: { columns: this.columns.map((c) => ({ ...c })) }
    };
  }
  static fromJSON(state) {
    if (state.name !== _OneHotEncoder.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${_OneHotEncoder.transformerName}`);
    }
    const encoder = new _OneHotEncoder(state.params);
    const columns = state.state.columns;
    if (!Array.isArray(columns))
      throw new DataError(`${_OneHotEncoder.transformerName} state: 'columns' is missing`);
    encoder.fitted = columns.map((c, i) => {
      const ok = typeof c.name === "string" && Array.isArray(c.categories) && Array.isArray(c.outputIndex) && Array.isArray(c.infrequent) && c.outputIndex.length === c.categories.length;
      if (!ok) throw new DataError(`${_OneHotEncoder.transformerName} state: column ${i} is malformed`);
      return { name: c.name, categories: c.categories, outputIndex: c.outputIndex, infrequent: c.infrequent };
    });
    return encoder;
  }
};

// src/ml/scale.ts
var EPS = 2220446049250313e-31;
var StandardScaler = class _StandardScaler {
  static transformerName = "standard_scaler";
  params;
  /** Per-column training mean (of the non-missing values). */
  mean = null;
  /** Per-column population variance. */
  variance = null;
  /** Per-column divisor: the standard deviation, or 1 for constant columns. */
  scale = null;
  constructor(params = {}) {
    this.params = { with_mean: params.with_mean ?? true, with_std: params.with_std ?? true };
  }
  fit(X) {
    const nCols = X.columns.length;
    const mean = new Float64Array(nCols);
    const variance = new Float64Array(nCols);
    const scale = new Float64Array(nCols);
    for (let j = 0; j < nCols; j++) {
      const col = X.columns[j];
      let n = 0;
      let sum = 0;
      for (let i = 0; i < X.nRows; i++) {
        const v2 = col[i];
        if (!Number.isNaN(v2)) {
          sum += v2;
          n++;
        }
      }
      if (n === 0) {
        mean[j] = Number.NaN;
        variance[j] = Number.NaN;
        scale[j] = Number.NaN;
        continue;
      }
      const m = sum / n;
      let sq = 0;
      let dev = 0;
      for (let i = 0; i < X.nRows; i++) {
        const v2 = col[i];
        if (!Number.isNaN(v2)) {
          const d = v2 - m;
          sq += d * d;
          dev += d;
        }
      }
      const v = (sq - dev * dev / n) / n;
      mean[j] = m;
      variance[j] = v;
      const constant = v <= n * EPS * v + (n * m * EPS) ** 2;
      scale[j] = constant ? 1 : Math.sqrt(v);
    }
    this.mean = mean;
    this.variance = variance;
    this.scale = scale;
    return this;
  }
  transform(X) {
    const mean = this.mean;
    const scale = this.scale;
    if (mean === null || scale === null)
      throw new DataError("StandardScaler is not fitted yet; call fit() first");
    if (X.columns.length !== mean.length) {
      throw new DataError(`StandardScaler was fitted on ${mean.length} columns but got ${X.columns.length}`);
    }
    const { with_mean, with_std } = this.params;
    const columns = X.columns.map((col, j) => {
      const m = with_mean ? mean[j] : 0;
      const s = with_std ? scale[j] : 1;
      const out = new Float64Array(col.length);
      for (let i = 0; i < col.length; i++) out[i] = (col[i] - m) / s;
      return out;
    });
    return { nRows: X.nRows, columns };
  }
  toJSON() {
    if (this.mean === null || this.variance === null || this.scale === null) {
      throw new DataError("StandardScaler is not fitted yet; call fit() first");
    }
    const plain = (a) => Array.from(a, (v) => Number.isNaN(v) ? null : v);
    return {
      name: _StandardScaler.transformerName,
      params: { ...this.params },
      state: { mean: plain(this.mean), variance: plain(this.variance), scale: plain(this.scale) }
    };
  }
  static fromJSON(state) {
    if (state.name !== _StandardScaler.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${_StandardScaler.transformerName}`);
    }
    const scaler = new _StandardScaler(state.params);
    const read = (key) => {
      const a = state.state[key];
      if (!Array.isArray(a))
        throw new DataError(`${_StandardScaler.transformerName} state: '${key}' is missing`);
      return Float64Array.from(a, (v) => v === null ? Number.NaN : v);
    };
    scaler.mean = read("mean");
    scaler.variance = read("variance");
    scaler.scale = read("scale");
    return scaler;
  }
};

// src/ml/column-transformer.ts
var DEFAULT_MAX_CATEGORIES = 50;
var ColumnTransformer = class _ColumnTransformer {
  static transformerName = "column_transformer";
  params;
  fitted = null;
  constructor(params = {}) {
    const max = params.max_categories === void 0 ? DEFAULT_MAX_CATEGORIES : params.max_categories;
    if (max !== null && !(Number.isInteger(max) && max >= 2)) {
      throw new DataError(`max_categories must be an integer >= 2 or null, got ${String(max)}`, {
        hint: `e.g. max_categories: ${DEFAULT_MAX_CATEGORIES}, or null for one column per category`
      });
    }
    this.params = { max_categories: max };
  }
  get parts() {
    if (this.fitted === null) throw new DataError("ColumnTransformer is not fitted yet; call fit() first");
    return this.fitted;
  }
  fit(frame) {
    if (frame.nRows === 0) {
      throw new DataError("cannot fit the transformer on 0 rows", {
        hint: "check the ingest and split steps"
      });
    }
    if (frame.columns.length === 0)
      throw new DataError("cannot fit the transformer on a table without columns");
    const seen = /* @__PURE__ */ new Set();
    for (const c of frame.columns) {
      if (seen.has(c.name)) throw new DataError(`column "${c.name}" appears twice in the training data`);
      seen.add(c.name);
    }
    const numeric = frame.columns.filter((c) => c.type === "number");
    const categorical = frame.columns.filter((c) => c.type === "string");
    const numImputer = new SimpleImputer({ strategy: "median" }).fit(numeric);
    const scaler = new StandardScaler().fit(toMatrix(frame.nRows, numImputer.transform(numeric)));
    const catImputer = new SimpleImputer({ strategy: "most_frequent" }).fit(categorical);
    const { max_categories } = this.params;
    const encoder = new OneHotEncoder(
      max_categories === null ? { handle_unknown: "ignore" } : { handle_unknown: "infrequent_if_exist", max_categories }
    ).fit(catImputer.transform(categorical));
    this.fitted = {
      inputs: frame.columns.map((c) => ({ name: c.name, type: c.type })),
      numImputer,
      scaler,
      catImputer,
      encoder
    };
    return this;
  }
  transform(frame) {
    const { inputs, numImputer, scaler, catImputer, encoder } = this.parts;
    const byName = new Map(frame.columns.map((c) => [c.name, c]));
    const numeric = [];
    const categorical = [];
    for (const input of inputs) {
      const column = byName.get(input.name);
      if (column === void 0) {
        const have = frame.columns.map((c) => c.name).join(", ") || "none";
        throw new DataError(
          `column "${input.name}" is missing from the data to transform (columns: ${have})`,
          {
            hint: "the model was trained with this column; add it to the input"
          }
        );
      }
      if (column.values.length !== frame.nRows) {
        throw new DataError(
          `column "${input.name}" has ${column.values.length} values, expected ${frame.nRows}`
        );
      }
      if (input.type === "number") numeric.push(asNumberColumn(column));
      else categorical.push(asStringColumn(column));
    }
    const scaled = scaler.transform(toMatrix(frame.nRows, numImputer.transform(numeric)));
    const encoded = encoder.transform(catImputer.transform(categorical));
    return { nRows: frame.nRows, columns: [...scaled.columns, ...encoded.columns] };
  }
  /** Output column names: `num__<column>` then `cat__<column>_<category>`. */
  featureNames() {
    const { numImputer, encoder } = this.parts;
    return [
      ...numImputer.outputNames().map((n) => `num__${n}`),
      ...encoder.featureNames().map((n) => `cat__${n}`)
    ];
  }
  /** Per string column: how many categories it had and how many were grouped as infrequent. */
  categoricalSummary() {
    return this.parts.encoder.columns.map((c) => ({
      column: c.name,
      distinct: c.categories.length,
      grouped: c.infrequent.length
    }));
  }
  /** The columns transform() needs, in training order, with their Frame types. */
  inputSchema() {
    return this.parts.inputs.map((c) => ({ ...c }));
  }
  toJSON() {
    const { inputs, numImputer, scaler, catImputer, encoder } = this.parts;
    return {
      name: _ColumnTransformer.transformerName,
      params: { ...this.params },
      state: {
        inputs: inputs.map((c) => ({ ...c })),
        num_imputer: numImputer.toJSON(),
        scaler: scaler.toJSON(),
        cat_imputer: catImputer.toJSON(),
        encoder: encoder.toJSON()
      }
    };
  }
  static fromJSON(state) {
    if (state.name !== _ColumnTransformer.transformerName) {
      throw new DataError(`cannot load a '${state.name}' state as ${_ColumnTransformer.transformerName}`);
    }
    const s = state.state;
    const part = (key) => {
      const v = s[key];
      if (v === null || typeof v !== "object") {
        throw new DataError(`${_ColumnTransformer.transformerName} state: '${key}' is missing`, {
          hint: "the saved model is damaged; retrain it"
        });
      }
      return v;
    };
    const inputs = s.inputs;
    if (!Array.isArray(inputs) || !inputs.every(isInputColumn)) {
      throw new DataError(
        `${_ColumnTransformer.transformerName} state: 'inputs' must be a list of {name, type}`
      );
    }
    const encoder = OneHotEncoder.fromJSON(part("encoder"));
    const transformer = new _ColumnTransformer({ max_categories: encoder.params.max_categories });
    transformer.fitted = {
      inputs: inputs.map((c) => ({ name: c.name, type: c.type })),
      numImputer: SimpleImputer.fromJSON(part("num_imputer")),
      scaler: StandardScaler.fromJSON(part("scaler")),
      catImputer: SimpleImputer.fromJSON(part("cat_imputer")),
      encoder
    };
    return transformer;
  }
};
function isInputColumn(v) {
  if (v === null || typeof v !== "object") return false;
  const c = v;
  return typeof c.name === "string" && (c.type === "number" || c.type === "string");
}
function toMatrix(nRows, columns) {
  return { nRows, columns: columns.map((c) => c.values) };
}
function asNumberColumn(column) {
  if (column.type === "number") return column;
  const values = new Float64Array(column.values.length);
  for (let i = 0; i < values.length; i++) {
    const raw = column.values[i];
    const text = raw === null ? "" : raw.trim();
    if (text === "" || text.toLowerCase() === "nan") {
      values[i] = Number.NaN;
      continue;
    }
    const v = Number(text);
    if (Number.isNaN(v)) {
      throw new DataError(`column "${column.name}" row ${i}: ${JSON.stringify(raw)} is not a number`, {
        hint: "this column was numeric in training; send numbers (or leave the value empty for missing)"
      });
    }
    values[i] = v;
  }
  return { name: column.name, type: "number", values };
}
function asStringColumn(column) {
  if (column.type === "string") return column;
  return {
    name: column.name,
    type: "string",
    values: Array.from(column.values, (v) => Number.isNaN(v) ? null : String(v))
  };
}

// src/models/user-code.ts
import { existsSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
async function importUserModule(modulePath) {
  if (!existsSync(modulePath)) {
    throw new DataError(`the module ${modulePath} does not exist`);
  }
  try {
    const stat = statSync(modulePath);
    const url = `${pathToFileURL(modulePath).href}?v=${stat.mtimeMs}-${stat.size}`;
    const { tsImport } = await import("tsx/esm/api");
    return await tsImport(url, import.meta.url);
  } catch (error) {
    throw new DataError(`cannot load ${modulePath}: ${error.message}`, { cause: error });
  }
}

export {
  ColumnTransformer,
  importUserModule
};
