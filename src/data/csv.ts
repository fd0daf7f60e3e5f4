/**
 * CSV/TSV reading (RFC 4180: quoted fields, doubled quotes, embedded newlines, CRLF) straight into
 * typed column builders, streaming the file in chunks so memory stays bounded by the columns
 * themselves, not by the file text. The first row is the header.
 *
 * The tokenizer is hand-written rather than csv-parse because csv-parse hands out one array per
 * row; here each field goes directly into its column's builder. bench/csv.ts measures both on the
 * same builders: csv-parse 6 took 2–3× as long (BENCHMARKS.md, bench/csv), so this is the one CSV reader,
 * for files and for scoring requests' bodies alike (readCsvText).
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';
import type { Frame } from '../ml/types.js';
import {
  ColumnBuilder,
  type Dataset,
  type DataType,
  finishBuilders,
  uniqueColumnNames,
} from './infer-types.js';

export interface ReadCsvOptions {
  /** Field delimiter; default `,` (a tab for `.tsv` files). */
  delimiter?: string;
  /** Columns to read as strings whatever their content (used for the second pass). */
  stringColumns?: ReadonlySet<string>;
  /** Bytes per read from the file (default 1 MiB); tests use tiny chunks to hit every boundary. */
  chunkBytes?: number;
  /**
   * Called after each chunk with the rows read so far; `pass` is 2 when a column that looked
   * numeric held text and the files are read again with it as strings.
   */
  onProgress?(rows: number, pass: 1 | 2): void;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Streaming tokenizer state for one file. Text arrives in chunks; complete rows are handed to
 * `onRow` as field spans into the text (no string per field: a numeric cell is parsed straight
 * from the text), an incomplete trailing row waits for the next chunk.
 */
class CsvTokenizer {
  private buffer = '';
  /** 1-based line where the next unread row starts. */
  private line = 1;
  private readonly delimiter: number;
  private readonly delimiterChar: string;
  private firstFeed = true;
  private loneCr = false;
  /** Cached positions of the next delimiter / LF at or after the scan position in the text. */
  private nextDelim = -1;
  private nextLf = -1;
  /** Field spans of the current row, reused for every row: [starts[j], ends[j]) in the text. */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** A quoted field with doubled quotes inside, unescaped; null for plain spans. */
  readonly unescaped: (string | null)[] = [];
  /** The current row's text without its line end: [rowStart, rowEnd) in the text. */
  rowStart = 0;
  rowEnd = 0;

  constructor(
    private readonly file: string,
    delimiter: string,
    private readonly onRow: (tokenizer: CsvTokenizer, text: string, count: number, line: number) => void,
  ) {
    if (delimiter.length !== 1)
      throw new DataError(`CSV delimiter must be one character, not ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterChar = delimiter;
  }

  /** Field j of the current row as a string. */
  field(text: string, j: number): string {
    return this.unescaped[j] ?? text.slice(this.starts[j], this.ends[j]);
  }

  feed(chunk: string, final: boolean): void {
    const text = this.buffer.length > 0 ? this.buffer + chunk : chunk;
    if (this.firstFeed) {
      this.firstFeed = false;
      // Old Mac files end lines with a lone CR; they take the character-by-character scan.
      this.loneCr = text.indexOf('\n') < 0 && text.indexOf('\r') >= 0;
    }
    this.nextDelim = -1;
    this.nextLf = -1;
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      const end = this.parseRow(text, pos, final);
      if (end < 0) break;
      pos = end;
    }
    this.buffer = pos < n ? text.slice(pos) : '';
  }

  private setField(j: number, start: number, end: number, unescaped: string | null): void {
    if (j === this.starts.length) {
      const starts = new Int32Array(j * 2);
      const ends = new Int32Array(j * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[j] = start;
    this.ends[j] = end;
    this.unescaped[j] = unescaped;
  }

  /** Parses one row at `start`; returns the index after it, or -1 if the row is incomplete. */
  private parseRow(text: string, start: number, final: boolean): number {
    const n = text.length;
    const delim = this.delimiter;
    let count = 0;
    let pos = start;
    let newlines = 0;
    let quoted = false;
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        // Quoted field: scan for the closing quote, unescaping "" as one quote.
        quoted = true;
        let out: string | null = null;
        let segment = pos + 1;
        let i = pos + 1;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            if (!final) return -1;
            throw new DataError(
              `${this.file}:${this.line}: unterminated quoted field in column ${count + 1} (the quote opened on line ${this.line + newlines} never closes)`,
              { hint: 'close the quote, or double a quote inside a quoted field ("")' },
            );
          }
          for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) newlines++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            out = (out ?? '') + text.slice(segment, q + 1);
            segment = q + 2;
            i = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) return -1;
          if (out === null) this.setField(count, segment, q, null);
          else this.setField(count, 0, 0, out + text.slice(segment, q));
          pos = q + 1;
          break;
        }
        const next = pos < n ? text.charCodeAt(pos) : -1;
        if (next !== delim && next !== LF && next !== CR && next !== -1) {
          throw new DataError(
            `${this.file}:${this.line + newlines}: unexpected character ${JSON.stringify(text[pos])} after the closing quote of column ${count + 1}`,
            { hint: 'a quoted field must end at a delimiter or line end; double quotes inside it ("")' },
          );
        }
      } else {
        // Unquoted field: up to the delimiter or the line end, found with indexOf (native, fast)
        // and cached across fields, so each scan over the text happens once.
        let i: number;
        if (this.loneCr) {
          i = pos;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === delim || c === LF || c === CR) break;
            i++;
          }
        } else {
          if (this.nextDelim < pos) {
            const d = text.indexOf(this.delimiterChar, pos);
            this.nextDelim = d < 0 ? n : d;
          }
          if (this.nextLf < pos) {
            const l = text.indexOf('\n', pos);
            this.nextLf = l < 0 ? n : l;
          }
          i = Math.min(this.nextDelim, this.nextLf);
          // In CRLF files the CR belongs to the line end, not to the last field.
          if (i === this.nextLf && i > pos && text.charCodeAt(i - 1) === CR) i--;
        }
        if (i >= n && !final) return -1;
        this.setField(count, pos, i, null);
        pos = i;
      }
      count++;
      const c = pos < n ? text.charCodeAt(pos) : -1;
      if (c === delim) {
        pos++;
        if (pos >= n && !final) return -1;
        continue;
      }
      // Line end (LF, CRLF, lone CR) or end of input.
      this.rowStart = start;
      this.rowEnd = pos;
      if (c === CR) {
        if (pos + 1 >= n && !final) return -1;
        pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
      } else if (c === LF) pos++;
      const line = this.line;
      this.line += newlines + (c === -1 ? 0 : 1);
      // A blank line is skipped, as pandas does by default (a quoted "" is a value, not blank).
      if (!(count === 1 && !quoted && this.starts[0] === this.ends[0])) this.onRow(this, text, count, line);
      return pos;
    }
  }
}

/**
 * Reads one or more CSV files with the same header into a Dataset. Column types are inferred over
 * all files together; if a column that looked numeric turns out to hold text, the files are read
 * a second time with that column forced to string, so no value loses its original spelling.
 */
export async function readCsvDataset(
  files: string | string[],
  options: ReadCsvOptions = {},
): Promise<Dataset> {
  const list = Array.isArray(files) ? files : [files];
  if (list.length === 0) throw new DataError('no CSV files to read');
  const first = await readCsvPass(list, options.stringColumns ?? new Set(), options, 1);
  const lost = first.builders.filter((b) => b.lostText).map((b) => b.name);
  if (lost.length === 0) return finishBuilders(first.builders, first.nRows);
  const forced = new Set([...(options.stringColumns ?? []), ...lost]);
  const second = await readCsvPass(list, forced, options, 2);
  return finishBuilders(second.builders, second.nRows);
}

/** Reads CSV files into a Frame (types inferred; see readCsvDataset). */
export async function readCsvFrame(files: string | string[], options: ReadCsvOptions = {}): Promise<Frame> {
  return (await readCsvDataset(files, options)).frame;
}

/**
 * Reads CSV text already in memory (a scoring request's body) exactly as readCsvDataset reads a
 * file: the same tokenizer, column builders and second pass. `source` names the text in errors
 * (`<source>:<line>: …`).
 */
export function readCsvText(text: string, options: { source: string; delimiter?: string }): Dataset {
  const pass = (stringColumns: ReadonlySet<string>) => {
    const columns = new CsvColumns(stringColumns);
    columns.startFile(options.source);
    const tokenizer = new CsvTokenizer(options.source, options.delimiter ?? ',', columns.onRow);
    tokenizer.feed(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, true);
    columns.endFile(options.source);
    return { builders: columns.builders, nRows: columns.nRows };
  };
  const first = pass(new Set());
  const lost = first.builders.filter((b) => b.lostText).map((b) => b.name);
  if (lost.length === 0) return finishBuilders(first.builders, first.nRows);
  const second = pass(new Set(lost));
  return finishBuilders(second.builders, second.nRows);
}

/**
 * The rows of one pass over one or more files, straight into column builders: the first row of
 * each file is its header (every file must have the first one's), every other row must have one
 * field per column.
 */
class CsvColumns {
  builders: ColumnBuilder[] = [];
  nRows = 0;
  private header: string[] | null = null;
  private file = '';
  private fileHeader: string[] | null = null;

  constructor(private readonly stringColumns: ReadonlySet<string>) {}

  startFile(file: string): void {
    this.file = file;
    this.fileHeader = null;
  }

  /**
   * Sizes the number columns for the whole of an uncompressed file once its first chunk is read:
   * its size over that chunk's bytes per row, plus 10 % (a view keeps up to 1/8 spare, see
   * ColumnBuilder.finish). Characters stand for bytes: exact for ASCII, an overestimate otherwise.
   */
  reserveFor(file: string, chunkChars: number, chunkRows: number): void {
    if (chunkRows < 100) return;
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    const estimate = Math.ceil(this.nRows + ((size - chunkChars) / (chunkChars / chunkRows)) * 1.1);
    for (const builder of this.builders) builder.reserve(estimate);
  }

  endFile(file: string): void {
    if (this.fileHeader === null)
      throw new DataError(`${file}: the file is empty (a CSV file needs a header row)`);
  }

  readonly onRow = (tok: CsvTokenizer, text: string, count: number, line: number): void => {
    if (this.fileHeader === null) {
      this.readHeader(tok, text, count, line);
      return;
    }
    const cols = this.builders;
    if (count !== cols.length) {
      throw new DataError(
        `${this.file}:${line}: row has ${count} field${count === 1 ? '' : 's'} but the header has ${cols.length} (${count > cols.length ? `extra field after column "${cols[cols.length - 1]?.name}"` : `column "${cols[count]?.name}" is missing`})`,
        { hint: 'quote fields that contain the delimiter, e.g. "Smith, J."' },
      );
    }
    const { starts, ends, unescaped } = tok;
    for (let j = 0; j < count; j++) {
      const value = unescaped[j];
      if (value != null) (cols[j] as ColumnBuilder).pushText(value);
      else (cols[j] as ColumnBuilder).pushSpan(text, starts[j] as number, ends[j] as number);
    }
    this.nRows++;
  };

  private readHeader(tok: CsvTokenizer, text: string, count: number, line: number): void {
    const names: string[] = [];
    for (let j = 0; j < count; j++) names.push(tok.field(text, j));
    const fileHeader = uniqueColumnNames(names);
    this.fileHeader = fileHeader;
    if (this.header === null) {
      this.header = fileHeader;
      this.builders = fileHeader.map(
        (name) => new ColumnBuilder(name, { forceString: this.stringColumns.has(name) }),
      );
    } else if (fileHeader.join('\u0000') !== this.header.join('\u0000')) {
      throw new DataError(
        `${this.file}:${line}: header ${JSON.stringify(fileHeader)} differs from the first file's header ${JSON.stringify(this.header)}`,
        { hint: 'every file of one dataset must have the same columns in the same order' },
      );
    }
  }
}

async function readCsvPass(
  files: string[],
  stringColumns: ReadonlySet<string>,
  options: ReadCsvOptions,
  pass: 1 | 2,
): Promise<{ builders: ColumnBuilder[]; nRows: number }> {
  const columns = new CsvColumns(stringColumns);
  for (const file of files) {
    columns.startFile(file);
    const delimiter = options.delimiter ?? (/\.tsv(\.gz)?$/i.test(file) ? '\t' : ',');
    const tokenizer = new CsvTokenizer(file, delimiter, columns.onRow);
    await new Promise<void>((resolve, reject) => {
      const raw = createReadStream(file, { highWaterMark: options.chunkBytes ?? 1 << 20 });
      // `.gz` files are decompressed on the fly (pandas' compression="infer" does the same).
      const gunzip = isGzipped(file) ? createGunzip() : null;
      const stream = gunzip ? raw.pipe(gunzip) : raw;
      stream.setEncoding('utf8');
      const fail = (error: Error) => {
        raw.destroy();
        gunzip?.destroy();
        reject(new DataError(`${file}: cannot read (${error.message})`, { cause: error }));
      };
      raw.on('error', fail);
      gunzip?.on('error', fail);
      let firstChunk = true;
      stream.on('data', (chunk: string) => {
        let text = chunk as string;
        const first = firstChunk;
        if (firstChunk) {
          firstChunk = false;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        }
        try {
          const rowsBefore = columns.nRows;
          tokenizer.feed(text, false);
          if (first && gunzip === null) columns.reserveFor(file, text.length, columns.nRows - rowsBefore);
          options.onProgress?.(columns.nRows, pass);
        } catch (error) {
          raw.destroy();
          gunzip?.destroy();
          reject(error);
        }
      });
      stream.on('end', () => {
        try {
          tokenizer.feed('', true);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    columns.endFile(file);
  }
  return { builders: columns.builders, nRows: columns.nRows };
}

/**
 * A row as the tokenizer hands it out, valid only during the `onRow` call: field j is
 * `unescaped[j]` when not null, else `text.slice(starts[j], ends[j])`; the row's own text (without
 * its line end) is `text.slice(rowStart, rowEnd)`. The arrays are reused for every row.
 */
export interface CsvRowView {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly unescaped: readonly (string | null)[];
  readonly rowStart: number;
  readonly rowEnd: number;
}

export interface ScanCsvOptions {
  delimiter?: string;
  /** Bytes per read from the file (default 4 MiB). */
  chunkBytes?: number;
  /** Every row, the header first, as spans into `text` (no string per field). */
  onRow(row: CsvRowView, text: string, count: number, line: number): void;
  /**
   * After the rows of one read chunk: `text` (the one every row of the chunk indexed into) is
   * still valid here, so a caller may batch the chunk's rows and write them out before the next.
   */
  onChunkEnd(text: string): void | Promise<void>;
}

/**
 * Streams one CSV file (`.gz` decompressed on the fly) through the tokenizer, chunk by chunk, with
 * back-pressure: the next chunk is read only after `onChunkEnd` settles. Memory stays bounded by
 * one chunk whatever the file size — batch scoring reads million-row files this way.
 */
export async function scanCsvFile(file: string, options: ScanCsvOptions): Promise<void> {
  let chunkText = '';
  const tokenizer = new CsvTokenizer(file, options.delimiter ?? ',', (tok, text, count, line) => {
    chunkText = text;
    options.onRow(tok, text, count, line);
  });
  const raw = createReadStream(file, { highWaterMark: options.chunkBytes ?? 1 << 22 });
  const gunzip = isGzipped(file) ? createGunzip() : null;
  const stream = gunzip ? raw.pipe(gunzip) : raw;
  stream.setEncoding('utf8');
  let first = true;
  // Errors of the caller's callbacks and of the tokenizer pass through as they are; only the
  // stream's own (a missing file, bad gzip data) become a DataError naming the file.
  let ours = false;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      ours = true;
      let text = chunk;
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      chunkText = '';
      tokenizer.feed(text, false);
      if (chunkText !== '') await options.onChunkEnd(chunkText);
      ours = false;
    }
    ours = true;
    chunkText = '';
    tokenizer.feed('', true);
    if (chunkText !== '') await options.onChunkEnd(chunkText);
  } catch (error) {
    raw.destroy();
    gunzip?.destroy();
    if (ours) throw error;
    throw new DataError(`${file}: cannot read (${(error as Error).message})`, { cause: error });
  }
}

/** True for gzip-compressed data files, by name (`data.csv.gz`). */
export function isGzipped(file: string): boolean {
  return file.toLowerCase().endsWith('.gz');
}

/** Formats a Frame as CSV text (RFC 4180 quoting; missing values as empty fields). */
export function frameToCsv(frame: Frame, options: { columnTypes?: DataType[] } = {}): string {
  const parts: string[] = [];
  parts.push(frame.columns.map((c) => quoteCsv(c.name)).join(','));
  const types = options.columnTypes;
  for (let i = 0; i < frame.nRows; i++) {
    const cells: string[] = [];
    for (let j = 0; j < frame.columns.length; j++) {
      const column = frame.columns[j] as (typeof frame.columns)[number];
      if (column.type === 'number') {
        const v = column.values[i] as number;
        if (Number.isNaN(v)) cells.push('');
        else if (types?.[j] === 'boolean') cells.push(v === 1 ? 'True' : 'False');
        else cells.push(String(v));
      } else {
        const v = column.values[i];
        cells.push(v === null || v === undefined ? '' : quoteCsv(v));
      }
    }
    parts.push(cells.join(','));
  }
  return `${parts.join('\n')}\n`;
}

/** A CSV field for `value`: quoted (with doubled quotes) when it holds a delimiter, quote or line end, or is empty. */
export function quoteCsv(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}
