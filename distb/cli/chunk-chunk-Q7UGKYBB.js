import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  isMissingToken,
  parseNumberCell,
  typesOfFrame
} from "./chunk-chunk-Q4DOMFBY.js";
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/models/signature.ts
var COLUMN_TYPES = ["double", "float", "long", "integer", "string", "boolean"];
function inferInputSchema(frame, columnTypes) {
  const types = columnTypes ?? typesOfFrame(frame);
  return frame.columns.map((column, j) => ({
    type: types[j] ?? "double",
    name: column.name,
    required: true
  }));
}
function outputSchema(problemType) {
  return [{ type: problemType === "regression" ? "double" : "string", required: true }];
}
function schemaToJson(specs) {
  const items = specs.map((spec) => {
    const entries = [["type", spec.type]];
    if (spec.name !== void 0) entries.push(["name", spec.name]);
    entries.push(["required", spec.required]);
    return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(", ")}}`;
  });
  return `[${items.join(", ")}]`;
}
function pythonJson(value) {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
}
function signatureToDocument(signature) {
  return { inputs: schemaToJson(signature.inputs), outputs: schemaToJson(signature.outputs), params: null };
}
function parseSchemaJson(text, where) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(`${where}: the schema is not valid JSON (${error.message})`, {
      hint: "the MLmodel file may be corrupted; re-save the model"
    });
  }
  if (!Array.isArray(parsed)) throw new DataError(`${where}: the schema must be a JSON list of column specs`);
  return parsed.map((item, index) => {
    const spec = item;
    const type = spec?.type;
    if (typeof type !== "string" || !COLUMN_TYPES.includes(type)) {
      throw new DataError(
        `${where}[${index}]: column type ${JSON.stringify(type)} is not supported (expected one of ${COLUMN_TYPES.join(", ")})`,
        { hint: "mlrecipe reads column-based signatures only, not tensor signatures" }
      );
    }
    const name = spec.name;
    if (name !== void 0 && typeof name !== "string") {
      throw new DataError(`${where}[${index}]: column name must be a string`);
    }
    return {
      type,
      ...name === void 0 ? {} : { name },
      required: spec.required !== false
    };
  });
}
function signatureFromDocument(doc, where) {
  const block = doc ?? {};
  if (typeof block.inputs !== "string") {
    throw new DataError(`${where}: signature.inputs is missing`, {
      hint: "mlrecipe needs the input schema to check scoring data; re-save the model with a signature"
    });
  }
  return {
    inputs: parseSchemaJson(block.inputs, `${where}: signature.inputs`),
    outputs: typeof block.outputs === "string" ? parseSchemaJson(block.outputs, `${where}: signature.outputs`) : []
  };
}
function isNumericType(type) {
  return type !== "string";
}
function enforceSignature(frame, inputs) {
  const byName = new Map(frame.columns.map((column) => [column.name, column]));
  const missing = inputs.filter((spec) => spec.required && spec.name !== void 0 && !byName.has(spec.name));
  if (missing.length > 0) {
    const names = missing.map((spec) => `"${spec.name}" (${spec.type})`).join(", ");
    throw new DataError(`the input is missing required column${missing.length === 1 ? "" : "s"} ${names}`, {
      hint: `the model expects the columns ${inputs.map((s) => s.name).join(", ")}`
    });
  }
  const columns = [];
  for (const spec of inputs) {
    if (spec.name === void 0) {
      throw new DataError("the model signature has an unnamed input column; mlrecipe needs named columns");
    }
    const column = byName.get(spec.name);
    if (column === void 0) {
      columns.push(emptyColumn(spec, frame.nRows));
      continue;
    }
    columns.push(checkColumn(column, spec, frame.nRows));
  }
  return { nRows: frame.nRows, columns };
}
function emptyColumn(spec, nRows) {
  const name = spec.name ?? "";
  return isNumericType(spec.type) ? { name, type: "number", values: new Float64Array(nRows).fill(Number.NaN) } : { name, type: "string", values: new Array(nRows).fill(null) };
}
function checkColumn(column, spec, nRows) {
  const wantsNumber = isNumericType(spec.type);
  if (column.type === "string") {
    if (!wantsNumber) return column;
    const values = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) {
      const text = column.values[i];
      if (text === null || isMissingToken(text)) {
        values[i] = Number.NaN;
        continue;
      }
      const parsed = spec.type === "boolean" ? parseBooleanCell(text) : parseNumberCell(text);
      if (Number.isNaN(parsed)) {
        throw new DataError(
          `column "${spec.name}": expected ${spec.type}, got string (row ${i + 1} is ${JSON.stringify(text)})`,
          { hint: "send numbers for this column (missing values may be empty)" }
        );
      }
      values[i] = parsed;
    }
    return checkNumbers({ name: column.name, type: "number", values }, spec);
  }
  if (!wantsNumber) {
    const values = new Array(nRows);
    for (let i = 0; i < nRows; i++) {
      const v = column.values[i];
      values[i] = Number.isNaN(v) ? null : String(v);
    }
    return { name: column.name, type: "string", values };
  }
  return checkNumbers(column, spec);
}
function parseBooleanCell(text) {
  const lower = text.toLowerCase();
  if (lower === "true") return 1;
  if (lower === "false") return 0;
  return parseNumberCell(text);
}
function checkNumbers(column, spec) {
  const values = column.values;
  if (spec.type === "long" || spec.type === "integer") {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && !Number.isInteger(v)) {
        throw new DataError(
          `column "${spec.name}": expected ${spec.type}, got double (row ${i + 1} is ${v}, which cannot be converted without loss)`,
          { hint: "send whole numbers for this column, as in the training data" }
        );
      }
    }
  } else if (spec.type === "boolean") {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && v !== 0 && v !== 1) {
        throw new DataError(
          `column "${spec.name}": expected boolean, got ${numericTypeOf(values)} (row ${i + 1} is ${v})`
        );
      }
    }
  }
  return column;
}
function numericTypeOf(values) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i]) && !Number.isInteger(values[i])) return "double";
  }
  return "long";
}

export {
  inferInputSchema,
  outputSchema,
  signatureToDocument,
  signatureFromDocument,
  enforceSignature
};
