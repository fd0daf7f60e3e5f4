/**
 * The column exchange between Node and the Python worker, without pyarrow (Debian has none): a
 * directory holding `manifest.json` and one file per column — `.npy` for numbers, booleans,
 * category codes, datetimes and null masks (NumPy reads them with `numpy.load`, no parsing), a
 * JSON array for strings. The manifest names each column's pandas dtype, so a DataFrame crosses
 * both ways with its dtypes exactly (docs/python-worker.md lists the kinds).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import { type NpyArray, readNpy, writeNpy } from './npy.js';

export const EXCHANGE_FORMAT = 'mlrecipe-columns';
export const EXCHANGE_VERSION = 1;

/** Integer typed arrays an `int` column may hold (NumPy's int8 … uint64). */
export type IntArray =
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * One column as pandas has it. `mask` (1 = missing) marks pandas' nullable extension arrays
 * (`Int64`, `boolean`); float columns use NaN; strings use null; categories code -1; datetimes
 * NaT (the smallest int64).
 */
export type ExchangeColumn =
  | { name: string; kind: 'float'; values: Float64Array | Float32Array }
  | { name: string; kind: 'int'; values: IntArray; mask?: Uint8Array }
  | { name: string; kind: 'bool'; values: Uint8Array; mask?: Uint8Array }
  | { name: string; kind: 'string'; values: (string | null)[]; dtype?: 'object' | 'string' }
  | {
      name: string;
      kind: 'category';
      codes: Int32Array;
      categories: (string | number)[];
      ordered?: boolean;
    }
  | { name: string; kind: 'datetime'; values: BigInt64Array; tz?: string };

export interface ExchangeTable {
  nRows: number;
  columns: ExchangeColumn[];
}

/** The manifest entry of one column (file names relative to the directory). */
export interface ManifestColumn {
  name: string;
  kind: ExchangeColumn['kind'];
  /** pandas' dtype as `str(series.dtype)` prints it (informative; `kind` and the files decide). */
  dtype?: string;
  values: string;
  mask?: string;
  categories?: string;
  ordered?: boolean;
  unit?: 'ns';
  tz?: string;
}

export interface ExchangeManifest {
  format: typeof EXCHANGE_FORMAT;
  version: number;
  n_rows: number;
  columns: ManifestColumn[];
}

export const MANIFEST_FILE = 'manifest.json';

/** NaT in datetime64[ns]: NumPy's smallest int64. */
export const NAT = -(2n ** 63n);

function pandasDtype(col: ExchangeColumn): string {
  switch (col.kind) {
    case 'float':
      return col.values instanceof Float32Array ? 'float32' : 'float64';
    case 'int': {
      const base = intDtype(col.values);
      return col.mask ? base.replace(/^u?int/, (m) => (m === 'uint' ? 'UInt' : 'Int')) : base;
    }
    case 'bool':
      return col.mask ? 'boolean' : 'bool';
    case 'string':
      return col.dtype ?? 'object';
    case 'category':
      return 'category';
    case 'datetime':
      return col.tz ? `datetime64[ns, ${col.tz}]` : 'datetime64[ns]';
  }
}

function intDtype(values: IntArray): string {
  if (values instanceof BigInt64Array) return 'int64';
  if (values instanceof BigUint64Array) return 'uint64';
  if (values instanceof Int32Array) return 'int32';
  if (values instanceof Uint32Array) return 'uint32';
  if (values instanceof Int16Array) return 'int16';
  if (values instanceof Uint16Array) return 'uint16';
  if (values instanceof Int8Array) return 'int8';
  return 'uint8';
}

function columnLength(col: ExchangeColumn): number {
  return col.kind === 'category' ? col.codes.length : col.values.length;
}

/**
 * Writes a table into `dir` (created if needed). The manifest is written last and renamed into
 * place, so a reader that finds it finds every column file complete.
 */
export function writeExchangeTable(dir: string, table: ExchangeTable): ExchangeManifest {
  mkdirSync(dir, { recursive: true });
  const names = new Set<string>();
  const columns = table.columns.map((col, i): ManifestColumn => {
    if (names.has(col.name)) throw new DataError(`the table has two columns named "${col.name}"`);
    names.add(col.name);
    if (columnLength(col) !== table.nRows) {
      throw new DataError(
        `column "${col.name}" has ${columnLength(col)} values, the table ${table.nRows} rows`,
      );
    }
    const base = `c${i}`;
    const entry: ManifestColumn = {
      name: col.name,
      kind: col.kind,
      dtype: pandasDtype(col),
      values: `${base}.npy`,
    };
    switch (col.kind) {
      case 'float':
        writeNpy(join(dir, entry.values), col.values);
        break;
      case 'int':
      case 'bool':
        writeNpy(join(dir, entry.values), col.values, { bool: col.kind === 'bool' });
        if (col.mask) {
          entry.mask = `${base}.mask.npy`;
          writeNpy(join(dir, entry.mask), col.mask);
        }
        break;
      case 'string':
        entry.values = `${base}.json`;
        writeFileSync(join(dir, entry.values), JSON.stringify(col.values));
        break;
      case 'category':
        writeNpy(join(dir, entry.values), col.codes);
        entry.categories = `${base}.categories.json`;
        entry.ordered = col.ordered === true;
        writeFileSync(join(dir, entry.categories), JSON.stringify(col.categories));
        break;
      case 'datetime':
        writeNpy(join(dir, entry.values), col.values);
        entry.unit = 'ns';
        if (col.tz) entry.tz = col.tz;
        break;
    }
    return entry;
  });
  const manifest: ExchangeManifest = {
    format: EXCHANGE_FORMAT,
    version: EXCHANGE_VERSION,
    n_rows: table.nRows,
    columns,
  };
  writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  return manifest;
}

/** Reads an exchange directory (written by the worker or by writeExchangeTable). */
export function readExchangeTable(dir: string): ExchangeTable {
  let manifest: ExchangeManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ExchangeManifest;
  } catch (error) {
    throw new DataError(`cannot read the exchange manifest in ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const nRows = manifest.n_rows;
  const columns = manifest.columns.map((entry): ExchangeColumn => {
    const file = join(dir, entry.values);
    const check = (length: number): void => {
      if (length !== nRows) {
        throw new DataError(
          `exchange column "${entry.name}" has ${length} values, the manifest says ${nRows} rows`,
        );
      }
    };
    const mask = entry.mask ? (readNpy(join(dir, entry.mask)).array as Uint8Array) : undefined;
    switch (entry.kind) {
      case 'float': {
        const { array } = readNpy(file);
        if (!(array instanceof Float64Array || array instanceof Float32Array)) {
          throw new DataError(
            `exchange column "${entry.name}": a float column holds ${array.constructor.name}`,
          );
        }
        check(array.length);
        return { name: entry.name, kind: 'float', values: array };
      }
      case 'int': {
        const { array, descr } = readNpy(file);
        if (array instanceof Float64Array || array instanceof Float32Array || descr === '|b1') {
          throw new DataError(`exchange column "${entry.name}": an int column holds ${descr}`);
        }
        check(array.length);
        return { name: entry.name, kind: 'int', values: array, ...(mask ? { mask } : {}) };
      }
      case 'bool': {
        const { array } = readNpy(file);
        check(array.length);
        return { name: entry.name, kind: 'bool', values: array as Uint8Array, ...(mask ? { mask } : {}) };
      }
      case 'string': {
        const values = JSON.parse(readFileSync(file, 'utf8')) as (string | null)[];
        check(values.length);
        return {
          name: entry.name,
          kind: 'string',
          values,
          ...(entry.dtype === 'string' ? { dtype: 'string' as const } : {}),
        };
      }
      case 'category': {
        const codes = readNpy(file).array;
        if (!(codes instanceof Int32Array)) {
          throw new DataError(`exchange column "${entry.name}": category codes must be int32`);
        }
        check(codes.length);
        const categories = JSON.parse(readFileSync(join(dir, entry.categories ?? ''), 'utf8')) as (
          string | number
        )[];
        return { name: entry.name, kind: 'category', codes, categories, ordered: entry.ordered === true };
      }
      case 'datetime': {
        const values = readNpy(file).array;
        if (!(values instanceof BigInt64Array)) {
          throw new DataError(`exchange column "${entry.name}": datetimes must be int64 nanoseconds`);
        }
        check(values.length);
        return { name: entry.name, kind: 'datetime', values, ...(entry.tz ? { tz: entry.tz } : {}) };
      }
      default:
        throw new DataError(`exchange column "${entry.name}": unknown kind ${JSON.stringify(entry.kind)}`);
    }
  });
  return { nRows, columns };
}

/** A Frame as pandas sees it: numbers float64 (NaN = missing), strings object (None = missing). */
export function frameToExchange(frame: Frame): ExchangeTable {
  return {
    nRows: frame.nRows,
    columns: frame.columns.map((c): ExchangeColumn =>
      c.type === 'number'
        ? { name: c.name, kind: 'float', values: c.values }
        : { name: c.name, kind: 'string', values: c.values },
    ),
  };
}

/**
 * An exchange table as a Frame (mlrecipe's two column types): integers, booleans and floats
 * become numbers (a masked value NaN), categories their category as a string, datetimes ISO
 * 8601 strings (null for NaT).
 */
export function exchangeToFrame(table: ExchangeTable): Frame {
  return {
    nRows: table.nRows,
    columns: table.columns.map((c): FrameColumn => {
      switch (c.kind) {
        case 'float':
          return { name: c.name, type: 'number', values: Float64Array.from(c.values) };
        case 'int':
        case 'bool': {
          const values = new Float64Array(c.values.length);
          for (let i = 0; i < values.length; i++) {
            values[i] = c.mask?.[i] ? Number.NaN : Number(c.values[i]);
          }
          return { name: c.name, type: 'number', values };
        }
        case 'string':
          return { name: c.name, type: 'string', values: c.values };
        case 'category':
          return {
            name: c.name,
            type: 'string',
            values: Array.from(c.codes, (code) => (code < 0 ? null : String(c.categories[code]))),
          };
        case 'datetime':
          return {
            name: c.name,
            type: 'string',
            values: Array.from(c.values, (ns) => (ns === NAT ? null : isoFromNanoseconds(ns))),
          };
      }
    }),
  };
}

/** `2024-01-02T03:04:05.123456789Z`, or with milliseconds only when the rest is zero. */
export function isoFromNanoseconds(ns: bigint): string {
  const ms = ns / 1_000_000n - (ns % 1_000_000n < 0n ? 1n : 0n);
  const rest = ns - ms * 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  return rest === 0n ? iso : `${iso.slice(0, -1)}${rest.toString().padStart(6, '0')}Z`;
}

/** Bytes of the column files, for throughput figures. */
export function exchangeByteSize(table: ExchangeTable): number {
  let bytes = 0;
  for (const c of table.columns) {
    if (c.kind === 'category') bytes += c.codes.byteLength;
    else if (c.kind === 'string') bytes += c.values.reduce((n, s) => n + (s?.length ?? 4), 0);
    else bytes += (c.values as NpyArray).byteLength;
  }
  return bytes;
}

/**
 * One column as a JS array, as a step reads a Python function's Series result (split labels,
 * a filter's booleans): numbers (int64 beyond 2^53 rounded), booleans, strings; null where the
 * value is missing (NaN stays NaN in a float column).
 */
export function seriesToArray(col: ExchangeColumn): (number | boolean | string | null)[] {
  switch (col.kind) {
    case 'float':
      return Array.from(col.values);
    case 'int': {
      const out: (number | null)[] = new Array(col.values.length);
      for (let i = 0; i < out.length; i++) out[i] = col.mask?.[i] ? null : Number(col.values[i]);
      return out;
    }
    case 'bool':
      return Array.from(col.values, (v, i) => (col.mask?.[i] ? null : v !== 0));
    case 'string':
      return col.values;
    case 'category':
      return Array.from(col.codes, (code) => (code < 0 ? null : (col.categories[code] ?? null)));
    case 'datetime':
      return Array.from(col.values, (ns) => (ns === NAT ? null : isoFromNanoseconds(ns)));
  }
}
