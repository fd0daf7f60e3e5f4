import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  readArrowDataset
} from "./chunk-chunk-NPUIUAV7.js";
import {
  ColumnBuilder,
  finishBuilders,
  uniqueColumnNames
} from "./chunk-chunk-Q4DOMFBY.js";
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/data/csv.ts
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
var QUOTE = 34;
var LF = 10;
var CR = 13;
var CsvTokenizer = class {
  constructor(file, delimiter, onRow) {
    this.file = file;
    this.onRow = onRow;
    if (delimiter.length !== 1)
      throw new DataError(`CSV delimiter must be one character, not ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterChar = delimiter;
  }
  file;
  onRow;
  buffer = "";
  /** 1-based line where the next unread row starts. */
  line = 1;
  delimiter;
  delimiterChar;
  firstFeed = true;
  loneCr = false;
  /** Cached positions of the next delimiter / LF at or after the scan position in the text. */
  nextDelim = -1;
  nextLf = -1;
  /** Field spans of the current row, reused for every row: [starts[j], ends[j]) in the text. */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** A quoted field with doubled quotes inside, unescaped; null for plain spans. */
  unescaped = [];
  /** Field j of the current row as a string. */
  field(text, j) {
    return this.unescaped[j] ?? text.slice(this.starts[j], this.ends[j]);
  }
  feed(chunk, final) {
    const text = this.buffer.length > 0 ? this.buffer + chunk : chunk;
    if (this.firstFeed) {
      this.firstFeed = false;
      this.loneCr = text.indexOf("\n") < 0 && text.indexOf("\r") >= 0;
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
    this.buffer = pos < n ? text.slice(pos) : "";
  }
  setField(j, start, end, unescaped) {
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
  parseRow(text, start, final) {
    const n = text.length;
    const delim = this.delimiter;
    let count = 0;
    let pos = start;
    let newlines = 0;
    let quoted = false;
    for (; ; ) {
      if (text.charCodeAt(pos) === QUOTE) {
        quoted = true;
        let out = null;
        let segment = pos + 1;
        let i = pos + 1;
        for (; ; ) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            if (!final) return -1;
            throw new DataError(
              `${this.file}:${this.line}: unterminated quoted field in column ${count + 1} (the quote opened on line ${this.line + newlines} never closes)`,
              { hint: 'close the quote, or double a quote inside a quoted field ("")' }
            );
          }
          for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) newlines++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            out = (out ?? "") + text.slice(segment, q + 1);
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
            { hint: 'a quoted field must end at a delimiter or line end; double quotes inside it ("")' }
          );
        }
      } else {
        let i;
        if (this.loneCr) {
          i = pos;
          while (i < n) {
            const c2 = text.charCodeAt(i);
            if (c2 === delim || c2 === LF || c2 === CR) break;
            i++;
          }
        } else {
          if (this.nextDelim < pos) {
            const d = text.indexOf(this.delimiterChar, pos);
            this.nextDelim = d < 0 ? n : d;
          }
          if (this.nextLf < pos) {
            const l = text.indexOf("\n", pos);
            this.nextLf = l < 0 ? n : l;
          }
          i = Math.min(this.nextDelim, this.nextLf);
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
      if (c === CR) {
        if (pos + 1 >= n && !final) return -1;
        pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
      } else if (c === LF) pos++;
      const line = this.line;
      this.line += newlines + (c === -1 ? 0 : 1);
      if (!(count === 1 && !quoted && this.starts[0] === this.ends[0])) this.onRow(this, text, count, line);
      return pos;
    }
  }
};
async function readCsvDataset(files, options = {}) {
  const list = Array.isArray(files) ? files : [files];
  if (list.length === 0) throw new DataError("no CSV files to read");
  const first = await readCsvPass(list, options.stringColumns ?? /* @__PURE__ */ new Set(), options);
  const lost = first.builders.filter((b) => b.lostText).map((b) => b.name);
  if (lost.length === 0) return finishBuilders(first.builders, first.nRows);
  const forced = /* @__PURE__ */ new Set([...options.stringColumns ?? [], ...lost]);
  const second = await readCsvPass(list, forced, options);
  return finishBuilders(second.builders, second.nRows);
}
async function readCsvFrame(files, options = {}) {
  return (await readCsvDataset(files, options)).frame;
}
async function readCsvPass(files, stringColumns, options) {
  const delimiter = options.delimiter;
  let builders = null;
  let header = null;
  let nRows = 0;
  for (const file of files) {
    let fileHeader = null;
    const tokenizer = new CsvTokenizer(
      file,
      delimiter ?? (/\.tsv(\.gz)?$/i.test(file) ? "	" : ","),
      (tok, text, count, line) => {
        if (fileHeader === null) {
          const names = [];
          for (let j = 0; j < count; j++) names.push(tok.field(text, j));
          fileHeader = uniqueColumnNames(names);
          if (header === null) {
            header = fileHeader;
            builders = header.map(
              (name) => new ColumnBuilder(name, { forceString: stringColumns.has(name) })
            );
          } else if (fileHeader.join("\0") !== header.join("\0")) {
            throw new DataError(
              `${file}:${line}: header ${JSON.stringify(fileHeader)} differs from the first file's header ${JSON.stringify(header)}`,
              { hint: "every file of one dataset must have the same columns in the same order" }
            );
          }
          return;
        }
        const cols = builders;
        if (count !== cols.length) {
          throw new DataError(
            `${file}:${line}: row has ${count} field${count === 1 ? "" : "s"} but the header has ${cols.length} (${count > cols.length ? `extra field after column "${cols[cols.length - 1]?.name}"` : `column "${cols[count]?.name}" is missing`})`,
            { hint: 'quote fields that contain the delimiter, e.g. "Smith, J."' }
          );
        }
        const { starts, ends, unescaped } = tok;
        for (let j = 0; j < count; j++) {
          const value = unescaped[j];
          if (value != null) cols[j].pushText(value);
          else cols[j].pushSpan(text, starts[j], ends[j]);
        }
        nRows++;
      }
    );
    await new Promise((resolve, reject) => {
      const raw = createReadStream(file, { highWaterMark: options.chunkBytes ?? 1 << 20 });
      const gunzip = isGzipped(file) ? createGunzip() : null;
      const stream = gunzip ? raw.pipe(gunzip) : raw;
      stream.setEncoding("utf8");
      const fail = (error) => {
        raw.destroy();
        gunzip?.destroy();
        reject(new DataError(`${file}: cannot read (${error.message})`, { cause: error }));
      };
      raw.on("error", fail);
      gunzip?.on("error", fail);
      let firstChunk = true;
      stream.on("data", (chunk) => {
        let text = chunk;
        if (firstChunk) {
          firstChunk = false;
          if (text.charCodeAt(0) === 65279) text = text.slice(1);
        }
        try {
          tokenizer.feed(text, false);
        } catch (error) {
          raw.destroy();
          gunzip?.destroy();
          reject(error);
        }
      });
      stream.on("end", () => {
        try {
          tokenizer.feed("", true);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    if (fileHeader === null)
      throw new DataError(`${file}: the file is empty (a CSV file needs a header row)`);
  }
  return { builders: builders ?? [], nRows };
}
function isGzipped(file) {
  return file.toLowerCase().endsWith(".gz");
}
function frameToCsv(frame, options = {}) {
  const parts = [];
  parts.push(frame.columns.map((c) => quoteCsv(c.name)).join(","));
  const types = options.columnTypes;
  for (let i = 0; i < frame.nRows; i++) {
    const cells = [];
    for (let j = 0; j < frame.columns.length; j++) {
      const column = frame.columns[j];
      if (column.type === "number") {
        const v = column.values[i];
        if (Number.isNaN(v)) cells.push("");
        else if (types?.[j] === "boolean") cells.push(v === 1 ? "True" : "False");
        else cells.push(String(v));
      } else {
        const v = column.values[i];
        cells.push(v === null || v === void 0 ? "" : quoteCsv(v));
      }
    }
    parts.push(cells.join(","));
  }
  return `${parts.join("\n")}
`;
}
function quoteCsv(value) {
  return /[",\r\n]/.test(value) || value === "" ? `"${value.replace(/"/g, '""')}"` : value;
}

// src/data/json.ts
import { createReadStream as createReadStream2 } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip as createGunzip2, gunzipSync } from "node:zlib";
async function readJsonDataset(files) {
  const list = Array.isArray(files) ? files : [files];
  if (list.length === 0) throw new DataError("no JSON files to read");
  const sink = new RecordSink();
  for (const file of list) {
    if (await looksLikeArray(file)) {
      let records;
      try {
        records = JSON.parse(await readText(file));
      } catch (error) {
        throw new DataError(`${file}: invalid JSON (${error.message})`, {
          hint: "the file must hold one array of objects, or one JSON object per line (JSON lines)",
          cause: error
        });
      }
      const array = records;
      for (let i = 0; i < array.length; i++) sink.push(array[i], `${file}: record ${i + 1}`);
    } else {
      await readJsonLines(file, sink);
    }
  }
  return sink.finish();
}
async function readJsonFrame(files) {
  return (await readJsonDataset(files)).frame;
}
async function looksLikeArray(file) {
  const stream = openText(file, 4096);
  try {
    for await (const chunk of stream) {
      const text = chunk.replace(/^\uFEFF/, "").trimStart();
      if (text.length > 0) return text[0] === "[";
    }
  } catch (error) {
    throw new DataError(`${file}: cannot read (${error.message})`, { cause: error });
  } finally {
    stream.destroy();
  }
  return false;
}
function openText(file, firstBytes) {
  const gz = isGzipped(file);
  const raw = createReadStream2(
    file,
    firstBytes !== void 0 && !gz ? { start: 0, end: firstBytes - 1 } : {}
  );
  if (!gz) return raw.setEncoding("utf8");
  const gunzip = createGunzip2();
  raw.on("error", (error) => gunzip.destroy(error));
  return raw.pipe(gunzip).setEncoding("utf8");
}
async function readText(file) {
  const bytes = await readFile(file);
  return (isGzipped(file) ? gunzipSync(bytes) : bytes).toString("utf8");
}
async function readJsonLines(file, sink) {
  const lines = createInterface({ input: openText(file), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, "") : raw;
      if (line.trim() === "") continue;
      let record;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new DataError(`${file}:${lineNo}: invalid JSON line (${error.message})`, {
          hint: "JSON lines files hold one complete JSON object per line"
        });
      }
      sink.push(record, `${file}:${lineNo}`);
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${file}: cannot read (${error.message})`, { cause: error });
  }
}
var RecordSink = class {
  builders = [];
  index = /* @__PURE__ */ new Map();
  rows = 0;
  push(record, where) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new DataError(
        `${where}: expected an object with one key per column, found ${Array.isArray(record) ? "an array" : JSON.stringify(record)}`
      );
    }
    const obj = record;
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
  finish() {
    return finishBuilders(this.builders, this.rows);
  }
};

// src/data/parquet.ts
function dataTypeOf(node, file) {
  const element = node.element;
  if (node.children.length > 0) {
    throw new DataError(
      `${file}: column "${element.name}" is nested (${element.logical_type?.type ?? "group"}); only flat columns can be ingested`,
      {
        hint: "flatten the column before writing the file, or read it with a custom loader_method"
      }
    );
  }
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === "DATE" || logical === "TIMESTAMP" || logical === "TIME") return "string";
  if (converted === "DATE" || converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS")
    return "string";
  if (logical === "DECIMAL" || converted === "DECIMAL") return "double";
  switch (element.type) {
    case "BOOLEAN":
      return "boolean";
    case "INT32":
    case "INT64":
      return "long";
    case "FLOAT":
    case "DOUBLE":
      return "double";
    case "INT96":
      return "string";
    default:
      return "string";
  }
}
async function readParquetDataset(files) {
  const list = Array.isArray(files) ? files : [files];
  if (list.length === 0) throw new DataError("no Parquet files to read");
  const [{ asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema }, { compressors }] = await Promise.all([import("hyparquet"), import("hyparquet-compressors")]);
  const metas = [];
  let total = 0;
  for (const path of list) {
    let metadata;
    try {
      metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    } catch (error) {
      throw new DataError(`${path}: not a readable Parquet file (${error.message})`, {
        cause: error
      });
    }
    metas.push(metadata);
    total += Number(metadata.num_rows);
  }
  let sinks = null;
  let offset = 0;
  for (let f = 0; f < list.length; f++) {
    const path = list[f];
    const metadata = metas[f];
    const tree = parquetSchema(metadata);
    const fileColumns = tree.children.map((child) => ({
      name: child.element.name,
      type: dataTypeOf(child, path)
    }));
    if (sinks === null) {
      sinks = fileColumns.map(
        ({ name, type }) => type === "string" ? { name, type, strings: new Array(total) } : { name, type, numbers: new Float64Array(total) }
      );
    } else if (fileColumns.map((c) => `${c.name}:${c.type}`).join(",") !== sinks.map((c) => `${c.name}:${c.type}`).join(",")) {
      throw new DataError(`${path}: schema ${JSON.stringify(fileColumns)} differs from the first file's`, {
        hint: "every file of one dataset must have the same columns and types"
      });
    }
    const byName = new Map(sinks.map((s) => [s.name, s]));
    const base = offset;
    try {
      await parquetRead({
        file: await asyncBufferFromFile(path),
        metadata,
        compressors,
        parsers: {
          // Dates and timestamps become ISO strings directly, skipping a Date object per value.
          timestampFromMilliseconds: (ms) => new Date(Number(ms)).toISOString(),
          // Number() before dividing: epoch microseconds stay exact in a double until the year 2255.
          timestampFromMicroseconds: (us) => new Date(Math.floor(Number(us) / 1e3)).toISOString(),
          timestampFromNanoseconds: (ns) => new Date(Number(ns / 1000000n)).toISOString(),
          dateFromDays: (days) => new Date(days * 864e5).toISOString().slice(0, 10)
        },
        onChunk: (chunk) => copyChunk(byName.get(chunk.columnName), chunk, base, path)
      });
    } catch (error) {
      if (error instanceof DataError) throw error;
      throw new DataError(`${path}: cannot read Parquet data (${error.message})`, {
        cause: error
      });
    }
    offset += Number(metadata.num_rows);
  }
  const columns = (sinks ?? []).map(
    (s) => s.strings ? { name: s.name, type: "string", values: s.strings } : { name: s.name, type: "number", values: s.numbers }
  );
  return { frame: { nRows: total, columns }, columnTypes: (sinks ?? []).map((s) => s.type) };
}
function copyChunk(sink, chunk, base, path) {
  if (!sink) return;
  const data = chunk.columnData;
  const start = base + chunk.rowStart;
  const n = chunk.rowEnd - chunk.rowStart;
  if (sink.numbers) {
    const out2 = sink.numbers;
    if (data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array) {
      for (let i = 0; i < n; i++) out2[start + i] = data[i];
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v === null || v === void 0) out2[start + i] = Number.NaN;
      else if (typeof v === "number") out2[start + i] = v;
      else if (typeof v === "bigint") out2[start + i] = Number(v);
      else if (typeof v === "boolean") out2[start + i] = v ? 1 : 0;
      else {
        const parsed = Number(v);
        if (Number.isNaN(parsed)) {
          throw new DataError(
            `${path}: row ${start + i + 1}, column "${sink.name}": value ${JSON.stringify(String(v))} is not a number`
          );
        }
        out2[start + i] = parsed;
      }
    }
    return;
  }
  const out = sink.strings;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v === null || v === void 0) out[start + i] = null;
    else if (typeof v === "string") out[start + i] = v;
    else if (v instanceof Date) out[start + i] = v.toISOString();
    else if (v instanceof Uint8Array) out[start + i] = Buffer.from(v).toString("base64");
    else out[start + i] = typeof v === "object" ? JSON.stringify(v) : String(v);
  }
}
async function readParquetFrame(files) {
  return (await readParquetDataset(files)).frame;
}
async function writeFrameParquet(path, frame, options = {}) {
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const columnData = frame.columns.map((column, j) => {
    const type = options.columnTypes?.[j];
    if (column.type === "string") return { name: column.name, data: column.values, type: "STRING" };
    const values = column.values;
    if (type === "boolean") {
      return {
        name: column.name,
        data: Array.from(values, (v) => Number.isNaN(v) ? null : v === 1),
        type: "BOOLEAN"
      };
    }
    if (type === "long") {
      return {
        name: column.name,
        data: Array.from(values, (v) => Number.isNaN(v) ? null : BigInt(v)),
        type: "INT64"
      };
    }
    return {
      name: column.name,
      data: Array.from(values, (v) => Number.isNaN(v) ? null : v),
      type: "DOUBLE"
    };
  });
  const buffer = parquetWriteBuffer({ columnData });
  writeFileAtomic(path, new Uint8Array(buffer));
}

// src/data/read-dataset.ts
var BUILTIN_FORMATS = ["csv", "parquet", "json", "arrow"];
function isBuiltinFormat(value) {
  return typeof value === "string" && BUILTIN_FORMATS.includes(value);
}
async function readDataset(options) {
  const { format, files } = options;
  switch (format) {
    case "csv":
      return readCsvDataset(files);
    case "parquet":
      return readParquetDataset(files);
    case "json":
      return readJsonDataset(files);
    case "arrow":
      return concatDatasets(
        files.map((f) => readArrowDataset(f)),
        files
      );
  }
}
function concatDatasets(parts, names = []) {
  if (parts.length === 1) return parts[0];
  if (parts.length === 0) throw new DataError("no data to combine");
  const first = parts[0];
  const columnNames = first.frame.columns.map((c) => c.name);
  parts.forEach((part, k) => {
    const these = part.frame.columns.map((c) => c.name);
    if (these.join("\0") !== columnNames.join("\0")) {
      throw new DataError(
        `${names[k] ?? `part ${k + 1}`}: columns ${JSON.stringify(these)} differ from ${JSON.stringify(columnNames)} in ${names[0] ?? "the first part"}`,
        {
          hint: "every file of one dataset must have the same columns in the same order"
        }
      );
    }
  });
  const nRows = parts.reduce((s, p) => s + p.frame.nRows, 0);
  const columns = [];
  const columnTypes = [];
  columnNames.forEach((name, j) => {
    const types = parts.map((p) => p.columnTypes[j]);
    const anyString = parts.some((p) => p.frame.columns[j].type === "string");
    if (anyString) {
      const values2 = new Array(nRows);
      let row2 = 0;
      for (const p of parts) {
        const col = p.frame.columns[j];
        for (let i = 0; i < p.frame.nRows; i++) {
          const v = col.values[i];
          values2[row2++] = v === null || v === void 0 || typeof v === "number" && Number.isNaN(v) ? null : String(v);
        }
      }
      columns.push({ name, type: "string", values: values2 });
      columnTypes.push("string");
      return;
    }
    const values = new Float64Array(nRows);
    let row = 0;
    for (const p of parts) {
      values.set(p.frame.columns[j].values, row);
      row += p.frame.nRows;
    }
    columns.push({ name, type: "number", values });
    columnTypes.push(types.every((t) => t === types[0]) ? types[0] : "double");
  });
  return { frame: { nRows, columns }, columnTypes };
}

export {
  readCsvDataset,
  readCsvFrame,
  frameToCsv,
  readJsonDataset,
  readJsonFrame,
  readParquetDataset,
  readParquetFrame,
  writeFrameParquet,
  BUILTIN_FORMATS,
  isBuiltinFormat,
  readDataset,
  concatDatasets
};
