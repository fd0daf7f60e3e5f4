/**
 * Model signatures in MLflow's column-based format: the input schema is a list of named, typed
 * columns, stored in the MLmodel file as a JSON *string* (MLflow 2.x `ModelSignature.to_dict`).
 * The signature is inferred from the raw training columns (target excluded) and enforced when a
 * saved model scores new data, so that a missing or mistyped column fails with a message naming
 * it instead of producing silent garbage.
 */

import { type DataType, isMissingToken, parseNumberCell, typesOfFrame } from '../data/infer-types.js';
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';

/** MLflow's `DataType` names that mlrecipe reads. It writes only `double`, `long` and `string`. */
export type ColumnType = 'double' | 'float' | 'long' | 'integer' | 'string' | 'boolean';

const COLUMN_TYPES: readonly ColumnType[] = ['double', 'float', 'long', 'integer', 'string', 'boolean'];

export interface ColSpec {
  type: ColumnType;
  /** Unnamed specs occur only in outputs (a single prediction column). */
  name?: string;
  required: boolean;
}

export interface ModelSignature {
  inputs: ColSpec[];
  outputs: ColSpec[];
}

/** `MLmodel`'s `signature` block: MLflow keeps each schema as a JSON string. */
export interface SignatureDocument {
  inputs: string;
  outputs: string;
  params: null;
}

/**
 * The input schema of a raw frame. `columnTypes` are the types ingest inferred (readArrowDataset
 * returns them); without them a numeric column whose present values are all integers is `long`
 * and any other numeric column `double`, as src/data infers them.
 *
 * A whole-number column with a missing value is `double`, as MLflow infers it: pandas holds such
 * a column as float64 (NaN has no int64 form), and MLflow's server refuses float64 input for a
 * `long` column, so a `long` there would make the model unservable by `mlflow models serve`.
 */
export function inferInputSchema(frame: Frame, columnTypes?: readonly DataType[]): ColSpec[] {
  const types = columnTypes ?? typesOfFrame(frame);
  return frame.columns.map((column, j) => {
    const type = types[j] ?? 'double';
    return {
      type: type === 'long' && hasMissingNumber(column) ? 'double' : type,
      name: column.name,
      required: true,
    };
  });
}

function hasMissingNumber(column: FrameColumn): boolean {
  if (column.type !== 'number') return false;
  const values = column.values;
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

/** The output schema: one unnamed column, numeric for regression, labels for classification. */
export function outputSchema(problemType: 'regression' | 'classification'): ColSpec[] {
  return [{ type: problemType === 'regression' ? 'double' : 'string', required: true }];
}

/**
 * Serialises column specs the way MLflow does (`json.dumps` of `ColSpec.to_dict()`): keys in the
 * order type, name, required, Python's `", "`/`": "` separators and ASCII-only escapes, so that
 * an MLmodel written here diffs cleanly against one written by MLflow.
 */
export function schemaToJson(specs: readonly ColSpec[]): string {
  const items = specs.map((spec) => {
    const entries: Array<[string, unknown]> = [['type', spec.type]];
    if (spec.name !== undefined) entries.push(['name', spec.name]);
    entries.push(['required', spec.required]);
    return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
  });
  return `[${items.join(', ')}]`;
}

function pythonJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function signatureToDocument(signature: ModelSignature): SignatureDocument {
  return { inputs: schemaToJson(signature.inputs), outputs: schemaToJson(signature.outputs), params: null };
}

/**
 * Parses a schema string from an MLmodel file. Only column-based schemas are understood; a tensor
 * schema (MLflow's `{"type": "tensor", ...}`) is reported rather than misread.
 */
export function parseSchemaJson(text: string, where: string): ColSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(`${where}: the schema is not valid JSON (${(error as Error).message})`, {
      hint: 'the MLmodel file may be corrupted; re-save the model',
    });
  }
  if (!Array.isArray(parsed)) throw new DataError(`${where}: the schema must be a JSON list of column specs`);
  return parsed.map((item, index) => {
    const spec = item as Record<string, unknown>;
    const type = spec?.type;
    if (typeof type !== 'string' || !COLUMN_TYPES.includes(type as ColumnType)) {
      throw new DataError(
        `${where}[${index}]: column type ${JSON.stringify(type)} is not supported (expected one of ${COLUMN_TYPES.join(', ')})`,
        { hint: 'mlrecipe reads column-based signatures only, not tensor signatures' },
      );
    }
    const name = spec.name;
    if (name !== undefined && typeof name !== 'string') {
      throw new DataError(`${where}[${index}]: column name must be a string`);
    }
    return {
      type: type as ColumnType,
      ...(name === undefined ? {} : { name }),
      required: spec.required !== false,
    };
  });
}

export function signatureFromDocument(doc: unknown, where: string): ModelSignature {
  const block = (doc ?? {}) as Record<string, unknown>;
  if (typeof block.inputs !== 'string') {
    throw new DataError(`${where}: signature.inputs is missing`, {
      hint: 'mlrecipe needs the input schema to check scoring data; re-save the model with a signature',
    });
  }
  return {
    inputs: parseSchemaJson(block.inputs, `${where}: signature.inputs`),
    outputs:
      typeof block.outputs === 'string' && !isTensorSchema(block.outputs)
        ? parseSchemaJson(block.outputs, `${where}: signature.outputs`)
        : [],
  };
}

/**
 * MLflow's `infer_signature(X, model.predict(X))` describes a numpy prediction array as a tensor
 * output (`[{"type": "tensor", "tensor-spec": ...}]`), so most MLflow-made scikit-learn models
 * carry one. Outputs are never enforced when scoring (MLflow does not enforce them either), so a
 * tensor output schema is read as "no column outputs" instead of refusing the model; tensor
 * inputs are still refused by parseSchemaJson because scoring checks data against them.
 */
function isTensorSchema(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return (
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((item) => (item as Record<string, unknown> | null)?.type === 'tensor')
    );
  } catch {
    return false;
  }
}

function isNumericType(type: ColumnType): boolean {
  return type !== 'string';
}

/**
 * Checks a frame against an input schema and returns the frame the pipeline expects: exactly the
 * schema's columns, in the schema's order (extra columns are ignored, as MLflow does).
 *
 * A missing required column, non-numeric text where numbers are expected, a fractional value in
 * a `long`/`integer` column or a value other than 0/1 in a `boolean` column is a DataError naming
 * the column, the expected and the actual type. Missing values are allowed —
 * the transformer imputes them — and a column with no values at all matches any type, because
 * a reader cannot tell the type of an empty column.
 */
export function enforceSignature(frame: Frame, inputs: readonly ColSpec[]): Frame {
  const byName = new Map(frame.columns.map((column) => [column.name, column]));
  const missing = inputs.filter((spec) => spec.required && spec.name !== undefined && !byName.has(spec.name));
  if (missing.length > 0) {
    const names = missing.map((spec) => `"${spec.name}" (${spec.type})`).join(', ');
    throw new DataError(`the input is missing required column${missing.length === 1 ? '' : 's'} ${names}`, {
      hint: `the model expects the columns ${inputs.map((s) => s.name).join(', ')}`,
    });
  }
  const columns: FrameColumn[] = [];
  for (const spec of inputs) {
    if (spec.name === undefined) {
      throw new DataError('the model signature has an unnamed input column; mlrecipe needs named columns');
    }
    const column = byName.get(spec.name);
    if (column === undefined) {
      // Optional and absent: all missing.
      columns.push(emptyColumn(spec, frame.nRows));
      continue;
    }
    columns.push(checkColumn(column, spec, frame.nRows));
  }
  return { nRows: frame.nRows, columns };
}

function emptyColumn(spec: ColSpec, nRows: number): FrameColumn {
  const name = spec.name ?? '';
  return isNumericType(spec.type)
    ? { name, type: 'number', values: new Float64Array(nRows).fill(Number.NaN) }
    : { name, type: 'string', values: new Array<string | null>(nRows).fill(null) };
}

/**
 * Text that is entirely numeric where numbers are expected is parsed (JSON bodies often quote
 * numbers), and numbers where text is expected become text (a reader cannot know that "4" in a
 * scoring CSV is a category); anything else is a type error naming the first offending row.
 */
function checkColumn(column: FrameColumn, spec: ColSpec, nRows: number): FrameColumn {
  const wantsNumber = isNumericType(spec.type);
  if (column.type === 'string') {
    if (!wantsNumber) return column;
    const values = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) {
      const text = column.values[i];
      if (text === null || isMissingToken(text)) {
        values[i] = Number.NaN;
        continue;
      }
      const parsed = spec.type === 'boolean' ? parseBooleanCell(text) : parseNumberCell(text);
      if (Number.isNaN(parsed)) {
        throw new DataError(
          `column "${spec.name}": expected ${spec.type}, got string (row ${i + 1} is ${JSON.stringify(text)})`,
          { hint: 'send numbers for this column (missing values may be empty)' },
        );
      }
      values[i] = parsed;
    }
    return checkNumbers({ name: column.name, type: 'number', values }, spec);
  }
  if (!wantsNumber) {
    const values = new Array<string | null>(nRows);
    for (let i = 0; i < nRows; i++) {
      const v = column.values[i];
      values[i] = Number.isNaN(v) ? null : String(v);
    }
    return { name: column.name, type: 'string', values };
  }
  return checkNumbers(column, spec);
}

function parseBooleanCell(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  return parseNumberCell(text);
}

function checkNumbers(column: FrameColumn & { type: 'number' }, spec: ColSpec): FrameColumn {
  const values = column.values;
  if (spec.type === 'long' || spec.type === 'integer') {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && !Number.isInteger(v)) {
        throw new DataError(
          `column "${spec.name}": expected ${spec.type}, got double (row ${i + 1} is ${v}, which cannot be converted without loss)`,
          { hint: 'send whole numbers for this column, as in the training data' },
        );
      }
    }
  } else if (spec.type === 'boolean') {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && v !== 0 && v !== 1) {
        throw new DataError(
          `column "${spec.name}": expected boolean, got ${numericTypeOf(values)} (row ${i + 1} is ${v})`,
        );
      }
    }
  }
  return column;
}

function numericTypeOf(values: Float64Array): 'long' | 'double' {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i]) && !Number.isInteger(values[i])) return 'double';
  }
  return 'long';
}
