/**
 * Parquet reading and writing via hyparquet (pure JS; hyparquet-compressors adds ZSTD, Brotli,
 * LZ4 and gzip beyond the built-in Snappy). Reading goes column chunk by column chunk: each chunk
 * is copied into its column's typed array, so no row objects are ever built.
 *
 * Type mapping: INT32/INT64 (and their logical integer types) → `long`; FLOAT/DOUBLE/DECIMAL →
 * `double`; BOOLEAN → `boolean` (0/1); strings, enums, JSON → `string`; DATE, TIMESTAMP →
 * ISO-8601 strings (`string`), the same text a CSV of the data would carry.
 */

import type { ColumnData, FileMetaData, SchemaTree } from 'hyparquet';
import { writeFileAtomic } from '../atomic-write.js';
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import type { Dataset, DataType } from './infer-types.js';

interface ColumnSink {
  name: string;
  type: DataType;
  numbers?: Float64Array;
  strings?: (string | null)[];
}

function dataTypeOf(node: SchemaTree, file: string): DataType {
  const element = node.element;
  if (node.children.length > 0) {
    throw new DataError(
      `${file}: column "${element.name}" is nested (${element.logical_type?.type ?? 'group'}); only flat columns can be ingested`,
      {
        hint: 'flatten the column before writing the file, or read it with a custom loader_method',
      },
    );
  }
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === 'DATE' || logical === 'TIMESTAMP' || logical === 'TIME') return 'string';
  if (converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS')
    return 'string';
  if (logical === 'DECIMAL' || converted === 'DECIMAL') return 'double';
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'long';
    case 'FLOAT':
    case 'DOUBLE':
      return 'double';
    case 'INT96':
      return 'string';
    default:
      return 'string';
  }
}

/** Reads Parquet files with the same schema into a Dataset, streaming column chunks. */
export async function readParquetDataset(files: string | string[]): Promise<Dataset> {
  const list = Array.isArray(files) ? files : [files];
  if (list.length === 0) throw new DataError('no Parquet files to read');
  // Imported here, not at the top: hyparquet + compressors take ~0.2 s to load, and every
  // `recipe run`/`status` imports this module while only reading Parquet needs them.
  const [{ asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema }, { compressors }] =
    await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  const metas: FileMetaData[] = [];
  let total = 0;
  for (const path of list) {
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    } catch (error) {
      throw new DataError(`${path}: not a readable Parquet file (${(error as Error).message})`, {
        cause: error,
      });
    }
    metas.push(metadata);
    total += Number(metadata.num_rows);
  }
  let sinks: ColumnSink[] | null = null;
  let offset = 0;
  for (let f = 0; f < list.length; f++) {
    const path = list[f] as string;
    const metadata = metas[f] as FileMetaData;
    const tree = parquetSchema(metadata);
    const fileColumns = tree.children.map((child) => ({
      name: child.element.name,
      type: dataTypeOf(child, path),
    }));
    if (sinks === null) {
      sinks = fileColumns.map(({ name, type }) =>
        type === 'string'
          ? { name, type, strings: new Array<string | null>(total) }
          : { name, type, numbers: new Float64Array(total) },
      );
    } else if (
      fileColumns.map((c) => `${c.name}:${c.type}`).join(',') !==
      sinks.map((c) => `${c.name}:${c.type}`).join(',')
    ) {
      throw new DataError(`${path}: schema ${JSON.stringify(fileColumns)} differs from the first file's`, {
        hint: 'every file of one dataset must have the same columns and types',
      });
    }
    const byName = new Map((sinks as ColumnSink[]).map((s) => [s.name, s]));
    const base = offset;
    try {
      await parquetRead({
        file: await asyncBufferFromFile(path),
        metadata,
        compressors,
        parsers: {
          // Dates and timestamps become ISO strings directly, skipping a Date object per value.
          timestampFromMilliseconds: (ms: bigint) => new Date(Number(ms)).toISOString(),
          // Number() before dividing: epoch microseconds stay exact in a double until the year 2255.
          timestampFromMicroseconds: (us: bigint) => new Date(Math.floor(Number(us) / 1000)).toISOString(),
          timestampFromNanoseconds: (ns: bigint) => new Date(Number(ns / 1000000n)).toISOString(),
          dateFromDays: (days: number) => new Date(days * 86400000).toISOString().slice(0, 10),
        },
        onChunk: (chunk: ColumnData) => copyChunk(byName.get(chunk.columnName), chunk, base, path),
      });
    } catch (error) {
      if (error instanceof DataError) throw error;
      throw new DataError(`${path}: cannot read Parquet data (${(error as Error).message})`, {
        cause: error,
      });
    }
    offset += Number(metadata.num_rows);
  }
  const columns: FrameColumn[] = (sinks ?? []).map((s) =>
    s.strings
      ? { name: s.name, type: 'string', values: s.strings }
      : { name: s.name, type: 'number', values: s.numbers as Float64Array },
  );
  return { frame: { nRows: total, columns }, columnTypes: (sinks ?? []).map((s) => s.type) };
}

function copyChunk(sink: ColumnSink | undefined, chunk: ColumnData, base: number, path: string): void {
  if (!sink) return;
  const data = chunk.columnData as ArrayLike<unknown>;
  const start = base + chunk.rowStart;
  const n = chunk.rowEnd - chunk.rowStart;
  if (sink.numbers) {
    const out = sink.numbers;
    if (data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array) {
      for (let i = 0; i < n; i++) out[start + i] = data[i] as number;
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v === null || v === undefined) out[start + i] = Number.NaN;
      else if (typeof v === 'number') out[start + i] = v;
      else if (typeof v === 'bigint') out[start + i] = Number(v);
      else if (typeof v === 'boolean') out[start + i] = v ? 1 : 0;
      else {
        const parsed = Number(v);
        if (Number.isNaN(parsed)) {
          throw new DataError(
            `${path}: row ${start + i + 1}, column "${sink.name}": value ${JSON.stringify(String(v))} is not a number`,
          );
        }
        out[start + i] = parsed;
      }
    }
    return;
  }
  const out = sink.strings as (string | null)[];
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v === null || v === undefined) out[start + i] = null;
    else if (typeof v === 'string') out[start + i] = v;
    else if (v instanceof Date) out[start + i] = v.toISOString();
    else if (v instanceof Uint8Array) out[start + i] = Buffer.from(v).toString('base64');
    else out[start + i] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

export async function readParquetFrame(files: string | string[]): Promise<Frame> {
  return (await readParquetDataset(files)).frame;
}

/**
 * Writes a Frame as a Parquet file (atomically). Numbers are DOUBLE (or INT64 for `long`
 * columns, BOOLEAN for `boolean` ones), strings UTF8; missing values are nulls.
 */
export async function writeFrameParquet(
  path: string,
  frame: Frame,
  options: { columnTypes?: DataType[] } = {},
): Promise<void> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const columnData = frame.columns.map((column, j) => {
    const type = options.columnTypes?.[j];
    if (column.type === 'string') return { name: column.name, data: column.values, type: 'STRING' as const };
    const values = column.values;
    if (type === 'boolean') {
      return {
        name: column.name,
        data: Array.from(values, (v) => (Number.isNaN(v) ? null : v === 1)),
        type: 'BOOLEAN' as const,
      };
    }
    if (type === 'long') {
      return {
        name: column.name,
        data: Array.from(values, (v) => (Number.isNaN(v) ? null : BigInt(v))),
        type: 'INT64' as const,
      };
    }
    return {
      name: column.name,
      data: Array.from(values, (v) => (Number.isNaN(v) ? null : v)),
      type: 'DOUBLE' as const,
    };
  });
  const buffer = parquetWriteBuffer({ columnData });
  writeFileAtomic(path, new Uint8Array(buffer));
}
