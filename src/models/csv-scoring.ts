/**
 * Streaming batch scoring of a CSV file into a CSV file (`recipe models predict -i a.csv -o b.csv`).
 *
 * The whole-file path (read a Frame, predict, format every cell again) held the file three times
 * over and spent most of its time re-formatting numbers it had just parsed. Here the file is read
 * chunk by chunk; only the columns the model's signature names are parsed, straight into typed
 * arrays of the signature's types; each chunk's rows are predicted together; and every output row
 * is its input line's own text plus `,<prediction>`, written into one reused Buffer. Memory is
 * bounded by a chunk, and the input's spelling of every value is kept as it was.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { replaceAtomicallyAsync } from '../atomic-write.js';
import { type CsvRowView, quoteCsv, scanCsvFile } from '../data/csv.js';
import { isMissingToken, parseDecimalSpan, parseNumberCell } from '../data/infer-types.js';
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';
import type { LoadedModel } from './load.js';
import type { ColSpec } from './signature.js';

/** MLflow's batch prediction column name (also in predict.ts, which imports this module's caller). */
const PREDICTION = 'prediction';

export interface ScoreCsvFileOptions {
  model: LoadedModel;
  inputPath: string;
  outputPath: string;
  /** Bytes per read (default 4 MiB); tests use tiny chunks to put rows across chunk boundaries. */
  chunkBytes?: number;
}

/** Thrown inside the scan when the file needs the whole-frame path; never escapes this module. */
class NotStreamable extends Error {}

/** One signature column of the current batch: where it is in the file, and its values so far. */
interface BatchColumn {
  spec: ColSpec & { name: string };
  /** Field index in the file's rows; -1 for an optional column the file lacks (all missing). */
  field: number;
  numeric: boolean;
  /** `long`/`integer`: a fractional value is an error. */
  integral: boolean;
  numbers: Float64Array;
  strings: (string | null)[];
}

/**
 * Scores `inputPath` (comma-separated CSV, `.gz` allowed) into `outputPath` atomically and returns
 * the row count, or undefined when the file cannot be streamed this way — its header already has a
 * `prediction` column, which the whole-frame path replaces — so the caller takes that path.
 */
export async function scoreCsvFile(options: ScoreCsvFileOptions): Promise<number | undefined> {
  const { model, inputPath } = options;
  const inputs = model.signature.inputs;
  for (const spec of inputs) {
    if (spec.name === undefined) {
      throw new DataError('the model signature has an unnamed input column; mlrecipe needs named columns');
    }
  }
  try {
    return await replaceAtomicallyAsync(options.outputPath, async (temp) => {
      const fd = openSync(temp, 'w');
      try {
        return await streamRows(inputPath, inputs as Array<ColSpec & { name: string }>, model, fd, options.chunkBytes);
      } finally {
        closeSync(fd);
      }
    });
  } catch (error) {
    if (error instanceof NotStreamable) return undefined;
    throw error;
  }
}

async function streamRows(
  file: string,
  inputs: ReadonlyArray<ColSpec & { name: string }>,
  model: LoadedModel,
  fd: number,
  chunkBytes: number | undefined,
): Promise<number> {
  let columns: BatchColumn[] = [];
  let fieldCount = -1;
  let header: string[] = [];
  let capacity = 0;
  let batchRows = 0;
  let total = 0;
  // Each batch row's own text, as spans into the chunk's text.
  let rowStarts = new Int32Array(0);
  let rowEnds = new Int32Array(0);
  let out = Buffer.allocUnsafe(1 << 20);
  let pending = '';

  const grow = (): void => {
    capacity = Math.max(1024, capacity * 2);
    const starts = new Int32Array(capacity);
    starts.set(rowStarts);
    rowStarts = starts;
    const ends = new Int32Array(capacity);
    ends.set(rowEnds);
    rowEnds = ends;
    for (const column of columns) {
      if (!column.numeric) continue;
      const numbers = new Float64Array(capacity);
      numbers.set(column.numbers);
      column.numbers = numbers;
    }
  };

  const readHeader = (row: CsvRowView, text: string, count: number): void => {
    header = [];
    for (let j = 0; j < count; j++) header.push(row.unescaped[j] ?? text.slice(row.starts[j], row.ends[j]));
    if (header.includes(PREDICTION)) throw new NotStreamable();
    fieldCount = count;
    const missing = inputs.filter((spec) => spec.required && !header.includes(spec.name));
    if (missing.length > 0) {
      const names = missing.map((spec) => `"${spec.name}" (${spec.type})`).join(', ');
      throw new DataError(
        `the input is missing required column${missing.length === 1 ? '' : 's'} ${names}`,
        { hint: `the model expects the columns ${inputs.map((s) => s.name).join(', ')}` },
      );
    }
    columns = inputs.map((spec) => ({
      spec,
      field: header.indexOf(spec.name),
      numeric: spec.type !== 'string',
      integral: spec.type === 'long' || spec.type === 'integer',
      numbers: new Float64Array(0),
      strings: [],
    }));
    // The header line as the file spells it, plus the new column.
    pending = `${text.slice(row.rowStart, row.rowEnd)},${PREDICTION}\n`;
  };

  const onRow = (row: CsvRowView, text: string, count: number, line: number): void => {
    if (fieldCount < 0) {
      readHeader(row, text, count);
      return;
    }
    if (count !== fieldCount) {
      throw new DataError(
        `${file}:${line}: row has ${count} field${count === 1 ? '' : 's'} but the header has ${fieldCount} (${count > fieldCount ? `extra field after column "${header[fieldCount - 1]}"` : `column "${header[count]}" is missing`})`,
        { hint: 'quote fields that contain the delimiter, e.g. "Smith, J."' },
      );
    }
    if (batchRows === capacity) grow();
    const i = batchRows++;
    rowStarts[i] = row.rowStart;
    rowEnds[i] = row.rowEnd;
    const { starts, ends, unescaped } = row;
    for (const column of columns) {
      const j = column.field;
      if (column.numeric) {
        let value = Number.NaN;
        if (j >= 0) {
          const start = starts[j] as number;
          const end = ends[j] as number;
          const escaped = unescaped[j];
          if (escaped == null && end > start && column.spec.type !== 'boolean') {
            value = parseDecimalSpan(text, start, end);
            // A fraction in a whole-number column goes the slow way, which names it.
            if (column.integral && !Number.isInteger(value)) value = Number.NaN;
          }
          if (Number.isNaN(value) && (escaped != null || end > start)) {
            value = parseCell(escaped ?? text.slice(start, end), column.spec, file, line);
          }
        }
        column.numbers[i] = value;
      } else if (j < 0) column.strings.push(null);
      else {
        const cell = unescaped[j] ?? text.slice(starts[j], ends[j]);
        column.strings.push(isMissingToken(cell) ? null : cell);
      }
    }
  };

  const flush = async (text: string): Promise<void> => {
    const n = batchRows;
    if (n === 0) return;
    const frame: Frame = {
      nRows: n,
      columns: columns.map(
        (column): FrameColumn =>
          column.numeric
            ? { name: column.spec.name, type: 'number', values: column.numbers.subarray(0, n) }
            : { name: column.spec.name, type: 'string', values: column.strings },
      ),
    };
    const predictions = await model.predictAsync(frame);
    // Room for every row's text in UTF-8 (≤ 3 bytes per UTF-16 unit) plus its prediction.
    const need = pending.length * 3 + 3 * (rowEnds[n - 1] - rowStarts[0]) + n * 32 + longestLabel(predictions) * n;
    if (out.length < need) out = Buffer.allocUnsafe(need);
    let offset = out.write(pending, 0);
    pending = '';
    const numeric = predictions instanceof Float64Array;
    for (let i = 0; i < n; i++) {
      offset += out.write(text.slice(rowStarts[i], rowEnds[i]), offset);
      out[offset++] = 44; // ','
      const p = predictions[i];
      if (numeric) {
        if (!Number.isNaN(p)) offset += out.write(String(p), offset, 'latin1');
      } else if (p !== null && p !== undefined) offset += out.write(quoteCsv(String(p)), offset);
      out[offset++] = 10; // '\n'
    }
    let written = 0;
    while (written < offset) written += writeSync(fd, out, written, offset - written);
    total += n;
    batchRows = 0;
    for (const column of columns) if (!column.numeric) column.strings = [];
  };

  await scanCsvFile(file, { onRow, onChunkEnd: flush, ...(chunkBytes ? { chunkBytes } : {}) });
  if (fieldCount < 0) throw new DataError(`${file}: the file is empty (a CSV file needs a header row)`);
  if (pending !== '') writeSync(fd, pending);
  return total;
}

function longestLabel(predictions: Float64Array | string[]): number {
  if (predictions instanceof Float64Array) return 0;
  let longest = 0;
  for (const label of predictions) if (label && label.length > longest) longest = label.length;
  // Quoting may double every character and add two quotes; UTF-8 may take 3 bytes per unit.
  return longest * 6 + 2;
}

/** A numeric signature cell the fast decimal path did not take: missing, spaced, exponent, boolean. */
function parseCell(cell: string, spec: ColSpec, file: string, line: number): number {
  if (isMissingToken(cell)) return Number.NaN;
  let value: number;
  if (spec.type === 'boolean') {
    const lower = cell.trim().toLowerCase();
    value = lower === 'true' ? 1 : lower === 'false' ? 0 : parseNumberCell(cell);
  } else value = parseNumberCell(cell);
  if (Number.isNaN(value)) {
    throw new DataError(
      `${file}:${line}: column "${spec.name}": expected ${spec.type}, got string ${JSON.stringify(cell)}`,
      { hint: 'send numbers for this column (missing values may be empty)' },
    );
  }
  if ((spec.type === 'long' || spec.type === 'integer') && !Number.isInteger(value)) {
    throw new DataError(
      `${file}:${line}: column "${spec.name}": expected ${spec.type}, got ${cell}, which cannot be converted without loss`,
      { hint: 'send whole numbers for this column, as in the training data' },
    );
  }
  if (spec.type === 'boolean' && value !== 0 && value !== 1) {
    throw new DataError(`${file}:${line}: column "${spec.name}": expected boolean, got ${JSON.stringify(cell)}`);
  }
  return value;
}
