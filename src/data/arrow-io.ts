/**
 * Frame ↔ Apache Arrow IPC file (the format datasets take between steps; DESIGN.md).
 *
 * Number columns are written as Float64 with missing values (NaN) as Arrow nulls, so pandas and
 * pyarrow read them as ordinary nullable floats. String columns are dictionary-encoded
 * (Utf8 values, Int32 indices): categorical columns, the common case, shrink to a few bytes per
 * row and read back without decoding one string per row. Each field carries its inferred type
 * (`double`, `long`, `boolean`, `string`) in the field metadata key `mlrecipe.type`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow';
import type { Data, Dictionary, Field, Float64, Int32, Table, Type, Utf8, Vector } from 'apache-arrow';
import { replaceAtomicallyAsync, writeFileAtomic } from '../atomic-write.js';
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import { type Dataset, type DataType, typesOfFrame } from './infer-types.js';

const TYPE_KEY = 'mlrecipe.type';

let arrowModule: typeof ArrowModule | undefined;

/**
 * apache-arrow, loaded on first use: it takes ~0.3 s to load and every `recipe run`/`status`
 * imports this module (through the steps) while only reading/writing datasets needs it. A
 * synchronous `require` of its CommonJS build keeps these functions synchronous.
 */
function arrow(): typeof ArrowModule {
  arrowModule ??= createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;
  return arrowModule;
}

/** Writes `frame` as an Arrow IPC file at `path`, atomically (temp file + rename); returns its bytes. */
export function writeFrameArrow(
  path: string,
  frame: Frame,
  options: { columnTypes?: DataType[] } = {},
): Uint8Array {
  const bytes = frameToArrowBytes(frame, options.columnTypes);
  writeFileAtomic(path, bytes);
  return bytes;
}

/**
 * Writes `frame` as an Arrow IPC file at `path`, atomically, without ever holding the file's bytes
 * in one piece: arrow-js hands out the IPC stream as views onto the frame's own column arrays
 * (plus small headers and padding), and these go to the temp file one by one, hashed on the way.
 * The same bytes as writeFrameArrow; for the steps' datasets of millions of rows, where a second
 * copy of the data (and arrow-js joining its pieces into one array) set the peak memory.
 * Returns the file's SHA-256 (hex) and size.
 */
export async function writeFrameArrowFile(
  path: string,
  frame: Frame,
  options: { columnTypes?: DataType[] } = {},
): Promise<{ sha256: string; bytes: number }> {
  const table = frameToArrowTable(frame, options.columnTypes);
  const writer = arrow().RecordBatchFileWriter.writeAll(table);
  const hash = createHash('sha256');
  let bytes = 0;
  await replaceAtomicallyAsync(path, async (temp) => {
    const file = await open(temp, 'w');
    try {
      // Pieces are written in batches of a few MB: one write per small header would cost more.
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pending.length > 0) await file.writev(pending);
        pending = [];
        pendingBytes = 0;
      };
      for await (const piece of writer as AsyncIterable<Uint8Array>) {
        hash.update(piece);
        bytes += piece.byteLength;
        pending.push(piece);
        pendingBytes += piece.byteLength;
        if (pendingBytes >= 1 << 23 || pending.length >= 512) await flush();
      }
      await flush();
    } finally {
      await file.close();
    }
  });
  return { sha256: hash.digest('hex'), bytes };
}

/** The Arrow IPC file bytes for a frame (used by writeFrameArrow and the scoring server). */
export function frameToArrowBytes(frame: Frame, columnTypes?: DataType[]): Uint8Array {
  return arrow().tableToIPC(frameToArrowTable(frame, columnTypes), 'file');
}

/** The frame as one Arrow record batch over its own column arrays (numbers are not copied). */
function frameToArrowTable(frame: Frame, columnTypes?: DataType[]): Table {
  const { Dictionary, Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, Utf8 } = arrow();
  const types = columnTypes ?? typesOfFrame(frame);
  if (types.length !== frame.columns.length) {
    throw new DataError(
      `columnTypes has ${types.length} entries but the frame has ${frame.columns.length} columns`,
    );
  }
  const fields: Field[] = [];
  const children: Data[] = [];
  frame.columns.forEach((column, j) => {
    if (column.values.length !== frame.nRows) {
      throw new DataError(
        `column "${column.name}" has ${column.values.length} values but the frame has ${frame.nRows} rows`,
      );
    }
    const metadata = new Map([[TYPE_KEY, types[j] as string]]);
    if (column.type === 'number') {
      fields.push(new Field(column.name, new Float64(), true, metadata));
      children.push(numberData(column.values));
    } else {
      // An explicit dictionary id (arrow-js would otherwise take one from a process-wide counter)
      // keeps the bytes of a file a function of the frame alone.
      const type = new Dictionary(new Utf8(), new Int32(), j, false);
      fields.push(new Field(column.name, type, true, metadata));
      children.push(dictionaryData(type, column.values));
    }
  });
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: frame.nRows, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

function numberData(values: Float64Array): Data<Float64> {
  const { Float64, makeData } = arrow();
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i] as number)) nullCount++;
  let nullBitmap: Uint8Array | undefined;
  if (nullCount > 0) {
    nullBitmap = new Uint8Array((values.length + 7) >> 3);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isNaN(values[i] as number))
        nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    }
  }
  return makeData({ type: new Float64(), length: values.length, nullCount, data: values, nullBitmap });
}

function dictionaryData(
  type: Dictionary<Utf8, Int32>,
  values: (string | null)[],
): Data<Dictionary<Utf8, Int32>> {
  const { makeData, Utf8, vectorFromArray } = arrow();
  const codes = new Map<string, number>();
  const uniques: string[] = [];
  const indices = new Int32Array(values.length);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    let code = codes.get(v);
    if (code === undefined) {
      code = uniques.length;
      codes.set(v, code);
      uniques.push(v);
    }
    indices[i] = code;
  }
  let nullBitmap: Uint8Array | undefined;
  if (nullCount > 0) {
    nullBitmap = new Uint8Array((values.length + 7) >> 3);
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== null && values[i] !== undefined)
        nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    }
  }
  const dictionary = vectorFromArray(uniques, new Utf8()) as Vector<Utf8>;
  return makeData({ type, length: values.length, nullCount, data: indices, nullBitmap, dictionary });
}

/** Reads an Arrow IPC file (file or stream format) into a Frame. */
export function readFrameArrow(path: string): Frame {
  return readArrowDataset(path).frame;
}

/**
 * Reads an Arrow IPC file into a Frame plus column types. Files mlrecipe wrote carry their types
 * in field metadata; for other Arrow files the type follows the Arrow type: integers `long`,
 * floats and decimals `double`, booleans `boolean` (0/1), strings `string`, dates and timestamps
 * ISO-8601 strings, anything else its string form.
 */
export function readArrowDataset(path: string): Dataset {
  let table: Table;
  try {
    const bytes = readFileSync(path);
    // tableFromIPC returns an empty table for bytes that are not Arrow at all; check the magic
    // ("ARROW1" for the file format, a 0xFFFFFFFF continuation marker for the stream format).
    const isFile = bytes.subarray(0, 6).toString('latin1') === 'ARROW1';
    const isStream = bytes.length >= 4 && bytes.readUInt32LE(0) === 0xffffffff;
    if (!isFile && !isStream) throw new Error('no Arrow magic bytes at the start of the file');
    table = arrow().tableFromIPC(bytes);
  } catch (error) {
    throw new DataError(`${path}: not a readable Arrow IPC file (${(error as Error).message})`, {
      hint: 'write it with pyarrow.feather.write_feather(df, path) or pyarrow.ipc.new_file',
      cause: error,
    });
  }
  return datasetFromArrowTable(table, { ownBytes: true });
}

/** Converts an in-memory Arrow table into a Dataset (also used for Arrow bytes received over HTTP). */
export function datasetFromArrowTable(
  table: Table,
  options: {
    /**
     * The table's bytes belong to this call alone (nobody else reads or reuses them): number
     * columns may then be views onto them instead of copies.
     */
    ownBytes?: boolean;
  } = {},
): Dataset {
  const nRows = table.numRows;
  const columns: FrameColumn[] = [];
  const columnTypes: DataType[] = [];
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name) as Vector;
    const stored = field.metadata.get(TYPE_KEY) as DataType | undefined;
    const { column, type } = columnFromVector(field, vector, nRows, options.ownBytes === true);
    columns.push(column);
    columnTypes.push(stored ?? type);
  }
  return { frame: { nRows, columns }, columnTypes };
}

/**
 * The validity bitmap of a chunk, or undefined when every value is valid. Read once per chunk:
 * arrow-js recomputes `nullCount` through type checks on every access.
 */
function validity(data: Data): Uint8Array | undefined {
  return data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
}

function isValid(bitmap: Uint8Array | undefined, offset: number, i: number): boolean {
  if (bitmap === undefined) return true;
  const bit = offset + i;
  return ((bitmap[bit >> 3] as number) & (1 << (bit & 7))) !== 0;
}

/** NaN at every row of `values[row, row + length)` whose validity bit is 0. */
function markNulls(
  values: Float64Array,
  row: number,
  length: number,
  bitmap: Uint8Array,
  offset: number,
): void {
  for (let i = 0; i < length; i++) {
    const bit = offset + i;
    if ((bitmap[bit >> 3] & (1 << (bit & 7))) === 0) values[row + i] = Number.NaN;
  }
}

function columnFromVector(
  field: Field,
  vector: Vector,
  nRows: number,
  ownBytes: boolean,
): { column: FrameColumn; type: DataType } {
  const typeId = field.type.typeId as Type;
  const name = field.name;
  // Type ids from apache-arrow's enum: Int=2, Float=3, Bool=6, Decimal=7, Date=8, Timestamp=10, Dictionary=-1.
  // Half floats are stored as raw 16-bit patterns; they take the generic path below (vector.get).
  const halfFloat = typeId === 3 && (field.type as { precision?: number }).precision === 0;
  if ((typeId === 3 && !halfFloat) || typeId === 2 || typeId === 6) {
    const only = vector.data.length === 1 ? (vector.data[0] as Data) : undefined;
    if (
      only &&
      ownBytes &&
      only.offset === 0 &&
      only.values instanceof Float64Array &&
      only.values.length >= nRows
    ) {
      // One chunk of doubles in bytes read for this call alone (readArrowDataset's own buffer):
      // the column is a view onto them, NaN written into the null slots in place. A copy would
      // hold every number column twice while the file's bytes are still alive.
      const values = (only.values as Float64Array).subarray(0, nRows);
      const bitmap = validity(only);
      if (bitmap) markNulls(values, 0, nRows, bitmap, 0);
      return { column: { name, type: 'number', values }, type: 'double' };
    }
    const values = new Float64Array(nRows);
    let row = 0;
    for (const data of vector.data as Data[]) {
      const raw = data.values as ArrayLike<number | bigint>;
      const bitmap = validity(data);
      if (typeId === 6) {
        for (let i = 0; i < data.length; i++) {
          const bit = data.offset + i;
          values[row + i] = isValid(bitmap, data.offset, i)
            ? ((raw[bit >> 3] as number) >> (bit & 7)) & 1
            : Number.NaN;
        }
      } else if (raw instanceof Float64Array) {
        // Doubles: one bulk copy, then NaN into the null slots. (Asking `data.nullCount` per value,
        // as isValid does, cost more than the copy: arrow-js recomputes it through type checks.)
        values.set(raw.subarray(0, data.length), row);
        if (bitmap) markNulls(values, row, data.length, bitmap, data.offset);
      } else {
        // `values` is already offset to the slice; Int64 comes as BigInt64Array.
        for (let i = 0; i < data.length; i++) {
          values[row + i] = isValid(bitmap, data.offset, i) ? Number(raw[i] as number | bigint) : Number.NaN;
        }
      }
      row += data.length;
    }
    const type: DataType = typeId === 6 ? 'boolean' : typeId === 2 ? 'long' : 'double';
    return { column: { name, type: 'number', values }, type };
  }
  if (typeId === -1) {
    const values: (string | null)[] = new Array(nRows);
    let row = 0;
    for (const data of vector.data as Data<Dictionary>[]) {
      const dictionary = data.dictionary as Vector;
      const labels: (string | null)[] = [];
      for (let k = 0; k < dictionary.length; k++) labels.push(displayValue(dictionary.get(k)));
      const codes = data.values as ArrayLike<number | bigint>;
      const bitmap = validity(data);
      for (let i = 0; i < data.length; i++) {
        values[row + i] = isValid(bitmap, data.offset, i) ? (labels[Number(codes[i])] ?? null) : null;
      }
      row += data.length;
    }
    return { column: { name, type: 'string', values }, type: 'string' };
  }
  const values: (string | null)[] = new Array(nRows);
  for (let i = 0; i < nRows; i++) values[i] = displayValue(vector.get(i), typeId);
  if (typeId === 8 && (field.type as { unit?: number }).unit === 0) {
    // Date32 (days) values are dates, written as Parquet DATE is: YYYY-MM-DD.
    for (let i = 0; i < nRows; i++) values[i] = values[i]?.slice(0, 10) ?? null;
  }
  if (typeId === 7 || halfFloat) {
    // Decimals and half floats become doubles (precision beyond 2^53 is lost, as in pandas' float conversion).
    const numbers = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) numbers[i] = values[i] === null ? Number.NaN : Number(values[i]);
    return { column: { name, type: 'number', values: numbers }, type: 'double' };
  }
  return { column: { name, type: 'string', values }, type: 'string' };
}

function displayValue(value: unknown, typeId?: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if ((typeId === 8 || typeId === 10) && typeof value === 'number') return new Date(value).toISOString();
  if ((typeId === 8 || typeId === 10) && typeof value === 'bigint')
    return new Date(Number(value)).toISOString();
  if (typeof value === 'object' && value !== null && 'toJSON' in value) return JSON.stringify(value);
  return String(value);
}
