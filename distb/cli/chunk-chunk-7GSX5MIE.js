import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  frameFromSplit
} from "./chunk-chunk-VN34J2SD.js";
import {
  frameToCsv,
  isBuiltinFormat,
  readDataset,
  writeFrameParquet
} from "./chunk-chunk-V6YR2ZJT.js";
import {
  writeFrameArrow
} from "./chunk-chunk-NPUIUAV7.js";
import {
  typesOfFrame
} from "./chunk-chunk-Q4DOMFBY.js";
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  DataError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/models/scoring-payload.ts
var SCORING_FORMATS = ["dataframe_split", "dataframe_records", "instances", "inputs"];
function fail(message) {
  throw new DataError(message, {
    hint: `send one of ${SCORING_FORMATS.map((f) => `"${f}"`).join(", ")}, e.g. {"dataframe_split": {"columns": ["x"], "data": [[1]]}}`
  });
}
function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function fromRecords(records, where, inputs) {
  const columns = [];
  const seen = /* @__PURE__ */ new Set();
  records.forEach((record, i) => {
    if (!isRecord(record)) fail(`${where}[${i}] must be an object mapping column names to values`);
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  });
  return checkedSplit(
    columns,
    records.map((record) => columns.map((c) => record[c] ?? null)),
    where,
    inputs
  );
}
function fromRows(rows, inputs, where) {
  if (rows.every(isRecord)) return fromRecords(rows, where, inputs);
  const names = inputs?.map((spec) => spec.name);
  if (!names || names.some((n) => n === void 0)) {
    fail(`${where} holds lists, which need the model's named input columns to be read`);
  }
  const columns = names;
  const data = rows.map((row, i) => {
    const values = Array.isArray(row) ? row : [row];
    if (values.length !== columns.length) {
      fail(
        `${where}[${i}] has ${values.length} values, but the model takes ${columns.length} columns (${columns.join(", ")})`
      );
    }
    return values;
  });
  return checkedSplit(columns, data, where, inputs);
}
var NUMERIC_TYPES = /* @__PURE__ */ new Set(["double", "float", "long", "integer"]);
function checkedSplit(columns, data, where, inputs) {
  columns.forEach((c, j) => {
    if (typeof c !== "string") fail(`${where}: column ${j} is named ${JSON.stringify(c)}, not a string`);
  });
  const numeric = columns.map(
    (c) => (inputs ?? []).some((spec) => spec.name === c && NUMERIC_TYPES.has(spec.type))
  );
  data.forEach((row, i) => {
    row.forEach((value, j) => {
      const ok = value === null || ["number", "string", "boolean"].includes(typeof value);
      if (!ok) {
        fail(
          `${where}: row ${i + 1}, column "${String(columns[j])}" holds ${Array.isArray(value) ? "a list" : typeof value}; expected a number, string, boolean or null`
        );
      }
      if (typeof value === "boolean" && numeric[j]) {
        const spec = (inputs ?? []).find((s) => s.name === columns[j]);
        throw new DataError(
          `${where}: row ${i + 1}, column "${String(columns[j])}" holds the boolean ${value}, but the model's signature says ${spec?.type}`,
          { hint: `send a number (e.g. ${value ? 1 : 0}) or null for "${String(columns[j])}"` }
        );
      }
    });
  });
  return frameFromSplit(columns, data);
}
function frameFromScoringPayload(payload, inputs) {
  if (!isRecord(payload)) fail("the request body must be a JSON object");
  const keys = Object.keys(payload).filter((k) => SCORING_FORMATS.includes(k));
  if (keys.length !== 1) {
    fail(
      keys.length === 0 ? "the JSON body names no input format" : `the JSON body names several input formats (${keys.join(", ")})`
    );
  }
  const format = keys[0];
  const body = payload[format];
  switch (format) {
    case "dataframe_split": {
      if (!isRecord(body) || !Array.isArray(body.columns) || !Array.isArray(body.data)) {
        fail('dataframe_split needs "columns" (a list of names) and "data" (a list of rows)');
      }
      const width = body.columns.length;
      const rows = body.data.map((row, i) => {
        if (!Array.isArray(row) || row.length !== width) {
          fail(`dataframe_split.data[${i}] must be a list of ${width} values (one per column)`);
        }
        return row;
      });
      return checkedSplit(body.columns, rows, "dataframe_split", inputs);
    }
    case "dataframe_records":
      if (!Array.isArray(body)) fail("dataframe_records must be a list of objects");
      return fromRecords(body, "dataframe_records", inputs);
    case "instances":
      if (!Array.isArray(body)) fail("instances must be a list of rows");
      return fromRows(body, inputs, "instances");
    case "inputs": {
      if (Array.isArray(body)) return fromRows(body, inputs, "inputs");
      if (!isRecord(body)) fail("inputs must be an object of columns or a list of rows");
      const columns = Object.keys(body);
      const lists = columns.map((c) => {
        const values = body[c];
        return Array.isArray(values) ? values : [values];
      });
      const nRows = lists[0]?.length ?? 0;
      lists.forEach((values, j) => {
        if (values.length !== nRows) {
          fail(
            `inputs: column "${columns[j]}" has ${values.length} values, but "${columns[0]}" has ${nRows}`
          );
        }
      });
      return checkedSplit(
        columns,
        Array.from({ length: nRows }, (_, i) => lists.map((values) => values[i])),
        "inputs",
        inputs
      );
    }
  }
}

// src/models/predict.ts
import { existsSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
var PREDICTION_COLUMN = "prediction";
function scoreDataset(model, dataset, options = {}) {
  const predictions = model.predict(dataset.frame);
  const added = [
    predictions instanceof Float64Array ? { column: { name: PREDICTION_COLUMN, type: "number", values: predictions }, type: "double" } : { column: { name: PREDICTION_COLUMN, type: "string", values: predictions }, type: "string" }
  ];
  if (options.scores && model.predictProba && model.classes) {
    const proba = model.predictProba(dataset.frame);
    const best = new Float64Array(dataset.frame.nRows);
    for (let i = 0; i < best.length; i++) {
      let max = 0;
      for (const column of proba) if (column[i] > max) max = column[i];
      best[i] = max;
    }
    const prefix = options.scores.prefix;
    added.push({ column: { name: `${prefix}score`, type: "number", values: best }, type: "double" });
    model.classes.forEach((label, k) => {
      added.push({
        column: { name: `${prefix}score_${label}`, type: "number", values: proba[k] },
        type: "double"
      });
    });
  }
  const addedNames = new Set(added.map((a) => a.column.name));
  const keep = dataset.frame.columns.map((column, j) => ({ column, type: dataset.columnTypes[j] ?? "double" })).filter(({ column }) => !addedNames.has(column.name));
  const all = [...keep, ...added];
  return {
    frame: { nRows: dataset.frame.nRows, columns: all.map((a) => a.column) },
    columnTypes: all.map((a) => a.type),
    predictions
  };
}
function formatFromPath(path) {
  const ext = extname(path).toLowerCase();
  if (ext === ".csv" || ext === ".tsv") return "csv";
  if (ext === ".parquet" || ext === ".pq") return "parquet";
  if (ext === ".json" || ext === ".jsonl" || ext === ".ndjson") return "json";
  if (ext === ".arrow" || ext === ".feather" || ext === ".ipc") return "arrow";
  return void 0;
}
function parsePredictionFormat(value, option) {
  if (isBuiltinFormat(value)) return value;
  throw new UsageError(`${option} must be csv, parquet, json or arrow, not "${value}"`);
}
async function readScoringFile(path, options = {}) {
  if (!existsSync(path)) throw new DataError(`${path} does not exist`);
  const fmt = options.format ?? formatFromPath(path);
  if (!fmt) {
    throw new UsageError(`cannot tell the format of ${path} from its extension`, {
      hint: "name the format with --content-type csv|parquet|json|arrow"
    });
  }
  if (fmt === "json") {
    const text = (await readFile(path, "utf8")).trimStart();
    const payload = text.startsWith("{") ? parseJsonOrUndefined(text) : void 0;
    if (payload !== null && typeof payload === "object" && SCORING_FORMATS.some((key) => key in payload)) {
      const frame = frameFromScoringPayload(payload, options.inputs);
      return { frame, columnTypes: typesOfFrame(frame) };
    }
  }
  return readDataset({ format: fmt, files: [path] });
}
function parseJsonOrUndefined(text) {
  try {
    return JSON.parse(text);
  } catch {
    return void 0;
  }
}
async function writeScoredFile(path, scored, format) {
  const fmt = format ?? formatFromPath(path);
  if (!fmt) {
    throw new UsageError(`cannot tell the output format of ${path} from its extension`, {
      hint: "use .csv, .parquet, .json or .arrow, or name the format"
    });
  }
  mkdirSync(dirname(path), { recursive: true });
  switch (fmt) {
    case "csv":
      writeFileAtomic(path, frameToCsv(scored.frame, { columnTypes: scored.columnTypes }));
      return;
    case "arrow":
      writeFrameArrow(path, scored.frame, { columnTypes: scored.columnTypes });
      return;
    case "parquet":
      await writeFrameParquet(path, scored.frame, { columnTypes: scored.columnTypes });
      return;
    case "json":
      writeFileAtomic(path, `${predictionsJson(scored.predictions)}
`);
      return;
  }
}
function predictionsJson(predictions) {
  const values = Array.from(
    predictions,
    (v) => typeof v === "number" && !Number.isFinite(v) ? null : v
  );
  return JSON.stringify({ predictions: values });
}

export {
  SCORING_FORMATS,
  frameFromScoringPayload,
  PREDICTION_COLUMN,
  scoreDataset,
  formatFromPath,
  parsePredictionFormat,
  readScoringFile,
  writeScoredFile,
  predictionsJson
};
