/** Reads data files of one format into a Dataset; the dispatch behind ingest and batch scoring. */
import { DataError } from '../errors.js';
import type { FrameColumn } from '../ml/types.js';
import { readArrowDataset } from './arrow-io.js';
import { readCsvDataset } from './csv.js';
import type { Dataset, DataType } from './infer-types.js';
import { readJsonDataset } from './json.js';
import { readParquetDataset } from './parquet.js';

import { type BuiltinFormat } from './formats.js';

export { BUILTIN_FORMATS, type BuiltinFormat, isBuiltinFormat } from './formats.js';

/** Reads `files` (already resolved, see resolveLocation) in `format` into one Dataset. */
export async function readDataset(options: {
  format: BuiltinFormat;
  files: string[];
  /** Rows read so far, after each chunk (CSV only: the other formats are read whole). */
  onProgress?(rows: number, pass: 1 | 2): void;
}): Promise<Dataset> {
  const { format, files } = options;
  switch (format) {
    case 'csv':
      return readCsvDataset(files, options.onProgress ? { onProgress: options.onProgress } : {});
    case 'parquet':
      return readParquetDataset(files);
    case 'json':
      return readJsonDataset(files);
    case 'arrow':
      return concatDatasets(
        files.map((f) => readArrowDataset(f)),
        files,
      );
  }
}

/**
 * Stacks datasets with the same column names (in the same order) row-wise. A column that is a
 * number column in one part and a string column in another becomes a string column; number types
 * widen (long + double → double).
 */
export function concatDatasets(parts: Dataset[], names: string[] = []): Dataset {
  if (parts.length === 1) return parts[0] as Dataset;
  if (parts.length === 0) throw new DataError('no data to combine');
  const first = parts[0] as Dataset;
  const columnNames = first.frame.columns.map((c) => c.name);
  parts.forEach((part, k) => {
    const these = part.frame.columns.map((c) => c.name);
    if (these.join('\u0000') !== columnNames.join('\u0000')) {
      throw new DataError(
        `${names[k] ?? `part ${k + 1}`}: columns ${JSON.stringify(these)} differ from ${JSON.stringify(columnNames)} in ${names[0] ?? 'the first part'}`,
        {
          hint: 'every file of one dataset must have the same columns in the same order',
        },
      );
    }
  });
  const nRows = parts.reduce((s, p) => s + p.frame.nRows, 0);
  const columns: FrameColumn[] = [];
  const columnTypes: DataType[] = [];
  columnNames.forEach((name, j) => {
    const types = parts.map((p) => p.columnTypes[j] as DataType);
    const anyString = parts.some((p) => (p.frame.columns[j] as FrameColumn).type === 'string');
    if (anyString) {
      const values: (string | null)[] = new Array(nRows);
      let row = 0;
      for (const p of parts) {
        const col = p.frame.columns[j] as FrameColumn;
        for (let i = 0; i < p.frame.nRows; i++) {
          const v = col.values[i];
          values[row++] =
            v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : String(v);
        }
      }
      columns.push({ name, type: 'string', values });
      columnTypes.push('string');
      return;
    }
    const values = new Float64Array(nRows);
    let row = 0;
    for (const p of parts) {
      values.set((p.frame.columns[j] as FrameColumn).values as Float64Array, row);
      row += p.frame.nRows;
    }
    columns.push({ name, type: 'number', values });
    columnTypes.push(types.every((t) => t === types[0]) ? (types[0] as DataType) : 'double');
  });
  return { frame: { nRows, columns }, columnTypes };
}
