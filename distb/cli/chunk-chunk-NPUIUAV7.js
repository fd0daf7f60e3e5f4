import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  typesOfFrame
} from "./chunk-chunk-Q4DOMFBY.js";
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/data/arrow-io.ts
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
var TYPE_KEY = "mlrecipe.type";
var arrowModule;
function arrow() {
  arrowModule ??= createRequire(import.meta.url)("apache-arrow");
  return arrowModule;
}
function writeFrameArrow(path, frame, options = {}) {
  const bytes = frameToArrowBytes(frame, options.columnTypes);
  writeFileAtomic(path, bytes);
}
function frameToArrowBytes(frame, columnTypes) {
  const {
    Dictionary,
    Field,
    Float64,
    Int32,
    makeData,
    RecordBatch,
    Schema,
    Struct,
    Table,
    tableToIPC,
    Utf8
  } = arrow();
  const types = columnTypes ?? typesOfFrame(frame);
  if (types.length !== frame.columns.length) {
    throw new DataError(
      `columnTypes has ${types.length} entries but the frame has ${frame.columns.length} columns`
    );
  }
  const fields = [];
  const children = [];
  frame.columns.forEach((column, j) => {
    if (column.values.length !== frame.nRows) {
      throw new DataError(
        `column "${column.name}" has ${column.values.length} values but the frame has ${frame.nRows} rows`
      );
    }
    const metadata = /* @__PURE__ */ new Map([[TYPE_KEY, types[j]]]);
    if (column.type === "number") {
      fields.push(new Field(column.name, new Float64(), true, metadata));
      children.push(numberData(column.values));
    } else {
      const type = new Dictionary(new Utf8(), new Int32(), j, false);
      fields.push(new Field(column.name, type, true, metadata));
      children.push(dictionaryData(type, column.values));
    }
  });
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: frame.nRows, nullCount: 0, children });
  const table = new Table(schema, [new RecordBatch(schema, struct)]);
  return tableToIPC(table, "file");
}
function numberData(values) {
  const { Float64, makeData } = arrow();
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) nullCount++;
  let nullBitmap;
  if (nullCount > 0) {
    nullBitmap = new Uint8Array(values.length + 7 >> 3);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isNaN(values[i]))
        nullBitmap[i >> 3] = nullBitmap[i >> 3] | 1 << (i & 7);
    }
  }
  return makeData({ type: new Float64(), length: values.length, nullCount, data: values, nullBitmap });
}
function dictionaryData(type, values) {
  const { makeData, Utf8, vectorFromArray } = arrow();
  const codes = /* @__PURE__ */ new Map();
  const uniques = [];
  const indices = new Int32Array(values.length);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === void 0) {
      nullCount++;
      continue;
    }
    let code = codes.get(v);
    if (code === void 0) {
      code = uniques.length;
      codes.set(v, code);
      uniques.push(v);
    }
    indices[i] = code;
  }
  let nullBitmap;
  if (nullCount > 0) {
    nullBitmap = new Uint8Array(values.length + 7 >> 3);
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== null && values[i] !== void 0)
        nullBitmap[i >> 3] = nullBitmap[i >> 3] | 1 << (i & 7);
    }
  }
  const dictionary = vectorFromArray(uniques, new Utf8());
  return makeData({ type, length: values.length, nullCount, data: indices, nullBitmap, dictionary });
}
function readFrameArrow(path) {
  return readArrowDataset(path).frame;
}
function readArrowDataset(path) {
  let table;
  try {
    const bytes = readFileSync(path);
    const isFile = bytes.subarray(0, 6).toString("latin1") === "ARROW1";
    const isStream = bytes.length >= 4 && bytes.readUInt32LE(0) === 4294967295;
    if (!isFile && !isStream) throw new Error("no Arrow magic bytes at the start of the file");
    table = arrow().tableFromIPC(bytes);
  } catch (error) {
    throw new DataError(`${path}: not a readable Arrow IPC file (${error.message})`, {
      hint: "write it with pyarrow.feather.write_feather(df, path) or pyarrow.ipc.new_file",
      cause: error
    });
  }
  return datasetFromArrowTable(table);
}
function datasetFromArrowTable(table) {
  const nRows = table.numRows;
  const columns = [];
  const columnTypes = [];
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    const stored = field.metadata.get(TYPE_KEY);
    const { column, type } = columnFromVector(field, vector, nRows);
    columns.push(column);
    columnTypes.push(stored ?? type);
  }
  return { frame: { nRows, columns }, columnTypes };
}
function isValid(data, i) {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const bit = data.offset + i;
  return (data.nullBitmap[bit >> 3] & 1 << (bit & 7)) !== 0;
}
function columnFromVector(field, vector, nRows) {
  const typeId = field.type.typeId;
  const name = field.name;
  const halfFloat = typeId === 3 && field.type.precision === 0;
  if (typeId === 3 && !halfFloat || typeId === 2 || typeId === 6) {
    const values2 = new Float64Array(nRows);
    let row = 0;
    for (const data of vector.data) {
      const raw = data.values;
      if (typeId === 6) {
        for (let i = 0; i < data.length; i++) {
          const bit = data.offset + i;
          values2[row + i] = isValid(data, i) ? raw[bit >> 3] >> (bit & 7) & 1 : Number.NaN;
        }
      } else {
        for (let i = 0; i < data.length; i++) {
          values2[row + i] = isValid(data, i) ? Number(raw[i]) : Number.NaN;
        }
      }
      row += data.length;
    }
    const type = typeId === 6 ? "boolean" : typeId === 2 ? "long" : "double";
    return { column: { name, type: "number", values: values2 }, type };
  }
  if (typeId === -1) {
    const values2 = new Array(nRows);
    let row = 0;
    for (const data of vector.data) {
      const dictionary = data.dictionary;
      const labels = [];
      for (let k = 0; k < dictionary.length; k++) labels.push(displayValue(dictionary.get(k)));
      const codes = data.values;
      for (let i = 0; i < data.length; i++) {
        values2[row + i] = isValid(data, i) ? labels[Number(codes[i])] ?? null : null;
      }
      row += data.length;
    }
    return { column: { name, type: "string", values: values2 }, type: "string" };
  }
  const values = new Array(nRows);
  for (let i = 0; i < nRows; i++) values[i] = displayValue(vector.get(i), typeId);
  if (typeId === 8 && field.type.unit === 0) {
    for (let i = 0; i < nRows; i++) values[i] = values[i]?.slice(0, 10) ?? null;
  }
  if (typeId === 7 || halfFloat) {
    const numbers = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) numbers[i] = values[i] === null ? Number.NaN : Number(values[i]);
    return { column: { name, type: "number", values: numbers }, type: "double" };
  }
  return { column: { name, type: "string", values }, type: "string" };
}
function displayValue(value, typeId) {
  if (value === null || value === void 0) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if ((typeId === 8 || typeId === 10) && typeof value === "number") return new Date(value).toISOString();
  if ((typeId === 8 || typeId === 10) && typeof value === "bigint")
    return new Date(Number(value)).toISOString();
  if (typeof value === "object" && value !== null && "toJSON" in value) return JSON.stringify(value);
  return String(value);
}

export {
  writeFrameArrow,
  frameToArrowBytes,
  readFrameArrow,
  readArrowDataset
};
