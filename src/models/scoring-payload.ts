/**
 * MLflow's JSON scoring payloads (the body of `POST /invocations`, also accepted by
 * `recipe models predict` for .json files) turned into a Frame:
 *
 *   {"dataframe_split": {"columns": [...], "data": [[...], ...], "index"?: [...]}}
 *   {"dataframe_records": [{"col": value, ...}, ...]}
 *   {"instances": [{"col": value}, ...]}          rows as objects, or
 *   {"instances": [[v1, v2, ...], ...]}           rows as lists in signature column order
 *   {"inputs": {"col": [values], ...}}            columns, or `inputs` shaped like `instances`
 *
 * A value is a number, a boolean (0/1, but never in a column the signature types as a number), a
 * string or null (missing). Anything malformed is a DataError that says which key or row is
 * wrong; the scoring server answers it with MLflow's BAD_REQUEST error body.
 */
import { DataError } from '../errors.js';
import type { Frame } from '../ml/types.js';
import { frameFromSplit } from './load.js';
import type { ColSpec } from './signature.js';

export const SCORING_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

function fail(message: string): never {
  throw new DataError(message, {
    hint: `send one of ${SCORING_FORMATS.map((f) => `"${f}"`).join(', ')}, e.g. {"dataframe_split": {"columns": ["x"], "data": [[1]]}}`,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Columns in first-seen order across all records (a record may lack some: missing). */
function fromRecords(records: unknown[], where: string, inputs: readonly ColSpec[] | undefined): Frame {
  const columns: string[] = [];
  const seen = new Set<string>();
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
    records.map((record) => columns.map((c) => (record as Record<string, unknown>)[c] ?? null)),
    where,
    inputs,
  );
}

function fromRows(rows: unknown[], inputs: readonly ColSpec[] | undefined, where: string): Frame {
  if (rows.every(isRecord)) return fromRecords(rows, where, inputs);
  const names = inputs?.map((spec) => spec.name);
  if (!names || names.some((n) => n === undefined)) {
    fail(`${where} holds lists, which need the model's named input columns to be read`);
  }
  const columns = names as string[];
  const data = rows.map((row, i) => {
    const values = Array.isArray(row) ? row : [row];
    if (values.length !== columns.length) {
      fail(
        `${where}[${i}] has ${values.length} values, but the model takes ${columns.length} columns (${columns.join(', ')})`,
      );
    }
    return values;
  });
  return checkedSplit(columns, data, where, inputs);
}

const NUMERIC_TYPES: ReadonlySet<string> = new Set(['double', 'float', 'long', 'integer']);

function checkedSplit(
  columns: unknown[],
  data: unknown[][],
  where: string,
  inputs: readonly ColSpec[] | undefined,
): Frame {
  columns.forEach((c, j) => {
    if (typeof c !== 'string') fail(`${where}: column ${j} is named ${JSON.stringify(c)}, not a string`);
  });
  // MLflow's schema enforcement refuses to turn a bool into a number ("Can not safely convert
  // bool to float64"); read as 0/1 it would score silently wrong.
  const numericNames = new Set(
    (inputs ?? []).filter((spec) => NUMERIC_TYPES.has(spec.type)).map((spec) => spec.name),
  );
  const numeric = columns.map((c) => numericNames.has(c as string));
  const frame = columnsFromRows(columns as string[], data, numeric);
  if (frame !== undefined) return frame;
  // Something is wrong: find the first offending value in row order and name it.
  for (let i = 0; i < data.length; i++) {
    const row = data[i] as unknown[];
    for (let j = 0; j < row.length; j++) {
      const value = row[j];
      const type = typeof value;
      const ok = value === null || type === 'number' || type === 'string' || type === 'boolean';
      if (!ok) {
        fail(
          `${where}: row ${i + 1}, column "${String(columns[j])}" holds ${Array.isArray(value) ? 'a list' : typeof value}; expected a number, string, boolean or null`,
        );
      }
      if (typeof value === 'boolean' && numeric[j]) {
        const spec = (inputs ?? []).find((s) => s.name === columns[j]);
        throw new DataError(
          `${where}: row ${i + 1}, column "${String(columns[j])}" holds the boolean ${value}, but the model's signature says ${spec?.type}`,
          { hint: `send a number (e.g. ${value ? 1 : 0}) or null for "${String(columns[j])}"` },
        );
      }
    }
  }
  return frameFromSplit(columns as string[], data);
}

/**
 * The frame of valid rows in one pass per column, as frameFromSplit builds it (a column whose
 * values are all numbers, booleans or null is numeric, else text): undefined when any value is
 * not a number, string, boolean or null, or is a boolean where the signature wants a number —
 * then checkedSplit's row-order scan names it. One pass instead of a check pass plus a build
 * pass: this runs over every value of every scoring request.
 */
function columnsFromRows(columns: string[], data: unknown[][], numericSignature: boolean[]): Frame | undefined {
  const nRows = data.length;
  const out: Frame['columns'] = [];
  for (let j = 0; j < columns.length; j++) {
    const values = new Float64Array(nRows);
    let numeric = true;
    for (let i = 0; i < nRows; i++) {
      const v = (data[i] as unknown[])[j];
      if (typeof v === 'number') values[i] = v;
      else if (v === null) values[i] = Number.NaN;
      else if (typeof v === 'string') numeric = false;
      else if (typeof v === 'boolean' && !numericSignature[j]) values[i] = v ? 1 : 0;
      else return undefined;
    }
    const name = columns[j] as string;
    if (numeric) out.push({ name, type: 'number', values });
    else {
      const strings = new Array<string | null>(nRows);
      for (let i = 0; i < nRows; i++) {
        const v = (data[i] as unknown[])[j];
        strings[i] = v === null ? null : String(v);
      }
      out.push({ name, type: 'string', values: strings });
    }
  }
  return { nRows, columns: out };
}

/**
 * A frame from a parsed JSON scoring payload. `inputs` (the model's input schema) is needed only
 * for rows given as lists.
 */
export function frameFromScoringPayload(payload: unknown, inputs?: readonly ColSpec[]): Frame {
  if (!isRecord(payload)) fail('the request body must be a JSON object');
  const keys = Object.keys(payload).filter((k) => (SCORING_FORMATS as readonly string[]).includes(k));
  if (keys.length !== 1) {
    fail(
      keys.length === 0
        ? 'the JSON body names no input format'
        : `the JSON body names several input formats (${keys.join(', ')})`,
    );
  }
  const format = keys[0] as (typeof SCORING_FORMATS)[number];
  const body = payload[format];
  switch (format) {
    case 'dataframe_split': {
      if (!isRecord(body) || !Array.isArray(body.columns) || !Array.isArray(body.data)) {
        fail('dataframe_split needs "columns" (a list of names) and "data" (a list of rows)');
      }
      const width = body.columns.length;
      const rows = body.data.map((row, i) => {
        if (!Array.isArray(row) || row.length !== width) {
          fail(`dataframe_split.data[${i}] must be a list of ${width} values (one per column)`);
        }
        return row as unknown[];
      });
      return checkedSplit(body.columns, rows, 'dataframe_split', inputs);
    }
    case 'dataframe_records':
      if (!Array.isArray(body)) fail('dataframe_records must be a list of objects');
      return fromRecords(body, 'dataframe_records', inputs);
    case 'instances':
      if (!Array.isArray(body)) fail('instances must be a list of rows');
      return fromRows(body, inputs, 'instances');
    case 'inputs': {
      if (Array.isArray(body)) return fromRows(body, inputs, 'inputs');
      if (!isRecord(body)) fail('inputs must be an object of columns or a list of rows');
      const columns = Object.keys(body);
      const lists = columns.map((c) => {
        const values = body[c];
        return Array.isArray(values) ? values : [values];
      });
      const nRows = lists[0]?.length ?? 0;
      lists.forEach((values, j) => {
        if (values.length !== nRows) {
          fail(
            `inputs: column "${columns[j]}" has ${values.length} values, but "${columns[0]}" has ${nRows}`,
          );
        }
      });
      return checkedSplit(
        columns,
        Array.from({ length: nRows }, (_, i) => lists.map((values) => values[i])),
        'inputs',
        inputs,
      );
    }
  }
}
