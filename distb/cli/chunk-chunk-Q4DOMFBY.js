import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/data/infer-types.ts
var MISSING_TOKENS = /* @__PURE__ */ new Set([
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "-nan",
  "1.#IND",
  "1.#QNAN",
  "<NA>",
  "N/A",
  "NA",
  "NULL",
  "NaN",
  "None",
  "n/a",
  "nan",
  "null"
]);
var TRUE_TOKENS = /* @__PURE__ */ new Set(["true", "True", "TRUE"]);
var FALSE_TOKENS = /* @__PURE__ */ new Set(["false", "False", "FALSE"]);
function isMissingToken(text) {
  return text.length <= 8 && MISSING_TOKENS.has(text);
}
function parseNumberCell(cell) {
  const first = cell.charCodeAt(0);
  const last = cell.charCodeAt(cell.length - 1);
  const text = first === 32 || first === 9 || last === 32 || last === 9 ? cell.trim() : cell;
  const c = text.charCodeAt(0);
  if (!(c >= 48 && c <= 57 || c === 45 || c === 43 || c === 46)) return Number.NaN;
  if (text.length > 1 && c === 48) {
    const c1 = text.charCodeAt(1) | 32;
    if (c1 === 120 || c1 === 98 || c1 === 111) return Number.NaN;
  }
  const value = +text;
  return Number.isFinite(value) ? value : Number.NaN;
}
var POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
var spanHasDot = false;
function parseDecimalSpan(text, start, end) {
  let i = start;
  let c = text.charCodeAt(i);
  let negative = false;
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  let digits = 0;
  let dot = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (mantissa !== 0 || c !== 48) significant++;
      mantissa = mantissa * 10 + (c - 48);
      if (dot) scale++;
    } else if (c === 46 && !dot) dot = true;
    else return Number.NaN;
  }
  if (digits === 0 || significant > 15 || scale > 22) return Number.NaN;
  spanHasDot = dot;
  const value = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -value : value;
}
var INTERN_LIMIT = 1 << 16;
var ColumnBuilder = class {
  name;
  state = "empty";
  numbers;
  strings = null;
  length = 0;
  integral = true;
  forceString;
  interned = /* @__PURE__ */ new Map();
  /** True when a number/boolean column turned into a string column after holding values. */
  lostText = false;
  constructor(name, options = {}) {
    this.name = name;
    this.forceString = options.forceString ?? false;
    this.numbers = new Float64Array(this.forceString ? 0 : Math.max(16, options.capacity ?? 1024));
    if (this.forceString) {
      this.state = "string";
      this.strings = [];
    }
  }
  get size() {
    return this.length;
  }
  /** Appends a text cell (CSV): missing tokens, numbers, booleans, else strings. */
  pushText(text) {
    if (this.state === "string") {
      const map = this.interned;
      let value;
      if (map.size < INTERN_LIMIT) {
        const known = map.get(text);
        if (known !== void 0) value = known;
        else if (isMissingToken(text)) value = null;
        else {
          map.set(text, text);
          value = text;
        }
      } else value = isMissingToken(text) ? null : text;
      this.strings.push(value);
      this.length++;
      return;
    }
    if (text.length === 0) {
      this.pushNumber(Number.NaN);
      return;
    }
    if (this.state !== "boolean") {
      const value = parseNumberCell(text);
      if (!Number.isNaN(value)) {
        if (this.integral && (!Number.isInteger(value) || text.includes(".") || text.includes("e") || text.includes("E"))) {
          this.integral = false;
        }
        this.state = "number";
        this.pushNumber(value);
        return;
      }
    }
    if (isMissingToken(text)) {
      this.pushNumber(Number.NaN);
      return;
    }
    if (this.state !== "number") {
      if (TRUE_TOKENS.has(text)) {
        this.state = "boolean";
        this.pushNumber(1);
        return;
      }
      if (FALSE_TOKENS.has(text)) {
        this.state = "boolean";
        this.pushNumber(0);
        return;
      }
    }
    this.toStrings();
    this.strings.push(this.intern(text));
    this.length++;
  }
  /**
   * Appends the text cell `text[start, end)`. Plain decimals in a number column are parsed from
   * the text without cutting a string out of it; everything else goes through pushText.
   */
  pushSpan(text, start, end) {
    if (this.state === "number" || this.state === "empty") {
      if (start === end) {
        this.pushNumber(Number.NaN);
        return;
      }
      const value = parseDecimalSpan(text, start, end);
      if (!Number.isNaN(value)) {
        if (this.integral && spanHasDot) this.integral = false;
        this.state = "number";
        this.pushNumber(value);
        return;
      }
    }
    this.pushText(text.slice(start, end));
  }
  /** Appends a typed value (JSON, custom loaders): null/undefined/NaN missing, objects as JSON. */
  pushValue(value) {
    if (value === null || value === void 0 || typeof value === "number" && Number.isNaN(value)) {
      if (this.state === "string") {
        this.strings.push(null);
        this.length++;
      } else {
        this.pushNumber(Number.NaN);
      }
      return;
    }
    if (typeof value === "number" && this.state !== "string" && this.state !== "boolean" && Number.isFinite(value)) {
      if (this.integral && !Number.isInteger(value)) this.integral = false;
      this.state = "number";
      this.pushNumber(value);
      return;
    }
    if (typeof value === "boolean" && (this.state === "empty" || this.state === "boolean")) {
      this.state = "boolean";
      this.pushNumber(value ? 1 : 0);
      return;
    }
    if (typeof value === "bigint" && this.state !== "string" && this.state !== "boolean") {
      this.state = "number";
      this.pushNumber(Number(value));
      return;
    }
    this.toStrings(false);
    this.strings.push(stringifyValue(value));
    this.length++;
  }
  /**
   * One string instance per distinct value (up to INTERN_LIMIT values): a categorical column of
   * millions of rows then holds a handful of strings instead of one per row, and a substring cut
   * from a read chunk no longer keeps that whole chunk alive.
   */
  intern(text) {
    const map = this.interned;
    if (map.size >= INTERN_LIMIT) return text;
    const found = map.get(text);
    if (found !== void 0) return found;
    map.set(text, text);
    return text;
  }
  pushNumber(value) {
    if (this.length === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[this.length++] = value;
  }
  toStrings(markLost = true) {
    if (this.state === "string") return;
    const strings = new Array(this.length);
    const wasBoolean = this.state === "boolean";
    for (let i = 0; i < this.length; i++) {
      const v = this.numbers[i];
      if (Number.isNaN(v)) strings[i] = null;
      else {
        strings[i] = wasBoolean ? v === 1 ? "true" : "false" : String(v);
        if (markLost) this.lostText = true;
      }
    }
    this.strings = strings;
    this.numbers = new Float64Array(0);
    this.state = "string";
  }
  /** The inferred type: all-missing columns are `double` (all NaN), as in pandas. */
  get type() {
    switch (this.state) {
      case "string":
        return "string";
      case "boolean":
        return "boolean";
      case "number":
        return this.integral ? "long" : "double";
      default:
        return "double";
    }
  }
  finish() {
    if (this.state === "string")
      return { name: this.name, type: "string", values: this.strings };
    return { name: this.name, type: "number", values: this.numbers.slice(0, this.length) };
  }
};
function stringifyValue(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
function finishBuilders(builders, nRows) {
  return {
    frame: { nRows, columns: builders.map((b) => b.finish()) },
    columnTypes: builders.map((b) => b.type)
  };
}
function typesOfFrame(frame) {
  return frame.columns.map((column) => {
    if (column.type === "string") return "string";
    const values = column.values;
    let sawValue = false;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      sawValue = true;
      if (!Number.isInteger(v)) return "double";
    }
    return sawValue ? "long" : "double";
  });
}
function uniqueColumnNames(names) {
  const seen = /* @__PURE__ */ new Set();
  return names.map((raw, index) => {
    let name = raw === "" ? `Unnamed: ${index}` : raw;
    if (seen.has(name)) {
      let k = 1;
      while (seen.has(`${name}.${k}`)) k++;
      name = `${name}.${k}`;
    }
    seen.add(name);
    return name;
  });
}
function datasetFromRecords(records, where) {
  const builders = [];
  const index = /* @__PURE__ */ new Map();
  let row = 0;
  for (const record of records) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new DataError(
        `${where}: record ${row + 1} is ${Array.isArray(record) ? "an array" : JSON.stringify(record)}, not an object with one key per column`,
        { hint: 'return an array of objects such as [{"x": 1, "y": "a"}], or a Frame' }
      );
    }
    for (const key of Object.keys(record)) {
      let builder = index.get(key);
      if (!builder) {
        builder = new ColumnBuilder(key, { capacity: records.length });
        for (let i = 0; i < row; i++) builder.pushValue(null);
        index.set(key, builder);
        builders.push(builder);
      }
    }
    for (const builder of builders) builder.pushValue(record[builder.name]);
    row++;
  }
  return finishBuilders(builders, row);
}

export {
  MISSING_TOKENS,
  isMissingToken,
  parseNumberCell,
  ColumnBuilder,
  finishBuilders,
  typesOfFrame,
  uniqueColumnNames,
  datasetFromRecords
};
