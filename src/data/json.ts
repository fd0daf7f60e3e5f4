/**
 * JSON datasets: either one array of records (`[{"a": 1}, ...]`, the shape of vega-datasets'
 * cars.json and penguins.json, and pandas' `orient="records"`) or JSON lines (one record per
 * line, streamed). JSON carries its own types, so values are taken as they are: numbers are
 * numbers, booleans booleans, strings stay strings (even "12"), null is missing; nested values
 * become their JSON text. A column holding both numbers and strings is a string column.
 * `.gz` files are decompressed.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import type { Frame } from '../ml/types.js';
import { isGzipped } from './csv.js';
import { ColumnBuilder, type Dataset, finishBuilders } from './infer-types.js';

/** Reads one or more JSON / JSON-lines files into a Dataset (columns united by name). */
export async function readJsonDataset(files: string | string[]): Promise<Dataset> {
  const list = Array.isArray(files) ? files : [files];
  if (list.length === 0) throw new DataError('no JSON files to read');
  const sink = new RecordSink();
  for (const file of list) {
    if (await looksLikeArray(file)) {
      let records: unknown;
      try {
        records = JSON.parse(await readText(file));
      } catch (error) {
        throw new DataError(`${file}: invalid JSON (${(error as Error).message})`, {
          hint: 'the file must hold one array of objects, or one JSON object per line (JSON lines)',
          cause: error,
        });
      }
      const array = records as unknown[];
      for (let i = 0; i < array.length; i++) sink.push(array[i], `${file}: record ${i + 1}`);
    } else {
      await readJsonLines(file, sink);
    }
  }
  return sink.finish();
}

export async function readJsonFrame(files: string | string[]): Promise<Frame> {
  return (await readJsonDataset(files)).frame;
}

/** True when the first non-whitespace character is `[` (an array document, not JSON lines). */
async function looksLikeArray(file: string): Promise<boolean> {
  const stream = openText(file, 4096);
  try {
    for await (const chunk of stream) {
      const text = (chunk as string).replace(/^\uFEFF/, '').trimStart();
      if (text.length > 0) return text[0] === '[';
    }
  } catch (error) {
    throw new DataError(`${file}: cannot read (${(error as Error).message})`, { cause: error });
  } finally {
    stream.destroy();
  }
  return false;
}

/** A UTF-8 text stream of the file, gunzipped on the fly for `.gz` files. */
function openText(file: string, firstBytes?: number): Readable {
  const gz = isGzipped(file);
  const raw = createReadStream(
    file,
    firstBytes !== undefined && !gz ? { start: 0, end: firstBytes - 1 } : {},
  );
  if (!gz) return raw.setEncoding('utf8');
  const gunzip = createGunzip();
  // pipe() does not forward errors: a missing file must still fail the read.
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip).setEncoding('utf8');
}

async function readText(file: string): Promise<string> {
  const bytes = await readFile(file);
  return (isGzipped(file) ? gunzipSync(bytes) : bytes).toString('utf8');
}

async function readJsonLines(file: string, sink: RecordSink): Promise<void> {
  const lines = createInterface({ input: openText(file), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new DataError(`${file}:${lineNo}: invalid JSON line (${(error as Error).message})`, {
          hint: 'JSON lines files hold one complete JSON object per line',
        });
      }
      sink.push(record, `${file}:${lineNo}`);
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${file}: cannot read (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Collects records column by column. Columns are united by name in first-seen order; a column
 * first seen late is missing for the rows before it.
 */
class RecordSink {
  private readonly builders: ColumnBuilder[] = [];
  private readonly index = new Map<string, ColumnBuilder>();
  private rows = 0;

  push(record: unknown, where: string): void {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataError(
        `${where}: expected an object with one key per column, found ${Array.isArray(record) ? 'an array' : JSON.stringify(record)}`,
      );
    }
    const obj = record as Record<string, unknown>;
    for (const key in obj) {
      if (!this.index.has(key)) {
        const builder = new ColumnBuilder(key);
        for (let i = 0; i < this.rows; i++) builder.pushValue(null);
        this.index.set(key, builder);
        this.builders.push(builder);
      }
    }
    for (const builder of this.builders) builder.pushValue(obj[builder.name]);
    this.rows++;
  }

  finish(): Dataset {
    return finishBuilders(this.builders, this.rows);
  }
}
