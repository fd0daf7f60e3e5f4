/**
 * Column builders with type inference, shared by every reader in src/data.
 *
 * A column is a number column when every non-missing value parses as a finite number; a boolean
 * column (stored as 0/1 numbers) when every non-missing value is true/false; otherwise a string
 * column. Values go straight into a growable Float64Array or a string array, never through one
 * object per row.
 *
 * The inferred types use MLflow's signature type names (`double`, `long`, `boolean`, `string`)
 * so that a dataset's types carry over into a model signature unchanged.
 */
import { DataError } from '../errors.js';
import type { Frame, FrameColumn } from '../ml/types.js';

/** A column's inferred type, named as in MLflow's model signatures. */
export type DataType = 'double' | 'long' | 'boolean' | 'string';

/** A Frame plus the inferred type of each column (same order as `frame.columns`). */
export interface Dataset {
  frame: Frame;
  columnTypes: DataType[];
}

/**
 * Text cells that mean "missing" in CSV/TSV, the same set pandas' `read_csv` uses by default, so a
 * recipe moved from MLflow reads the same values as missing.
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const TRUE_TOKENS: ReadonlySet<string> = new Set(['true', 'True', 'TRUE']);
const FALSE_TOKENS: ReadonlySet<string> = new Set(['false', 'False', 'FALSE']);

export function isMissingToken(text: string): boolean {
  return text.length <= 8 && MISSING_TOKENS.has(text);
}

/**
 * Parses a text cell as a finite number, or returns NaN. Stricter than `Number()`: no hex, binary
 * or octal literals (they stay strings, as in pandas) and no `Infinity` (a column is numeric when
 * every present value is a finite number).
 */
export function parseNumberCell(cell: string): number {
  // Spaces around a number are allowed (pandas reads " 2.5 " as 2.5); string values keep theirs.
  const first = cell.charCodeAt(0);
  const last = cell.charCodeAt(cell.length - 1);
  const text = first === 32 || first === 9 || last === 32 || last === 9 ? cell.trim() : cell;
  const c = text.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46)) return Number.NaN;
  if (text.length > 1 && c === 48) {
    const c1 = text.charCodeAt(1) | 0x20;
    if (c1 === 120 || c1 === 98 || c1 === 111) return Number.NaN;
  }
  const value = +text;
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Exact powers of ten as doubles (10^0 … 10^22 are all exactly representable). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Set by parseDecimalSpan: whether the last parsed span had a decimal point. */
let spanHasDot = false;

/**
 * Parses `text[start, end)` when it is a plain decimal — optional sign, digits, at most one dot,
 * at most 15 significant digits, no exponent — else returns NaN (the caller falls back to
 * parseNumberCell). With an integer mantissa below 2^53 and a power of ten ≤ 10^22, one
 * division is correctly rounded (Clinger's fast path), so the result equals `Number(text)`.
 */
export function parseDecimalSpan(text: string, start: number, end: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  let negative = false;
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  let digits = 0;
  let dot = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (mantissa !== 0 || c !== 48) significant++;
      mantissa = mantissa * 10 + (c - 48);
      if (dot) scale++;
    } else if (c === 46 && !dot) dot = true;
    else return Number.NaN;
  }
  if (digits === 0 || significant > 15 || scale > 22) return Number.NaN;
  spanHasDot = dot;
  const value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number);
  return negative ? -value : value;
}

type BuilderState = 'empty' | 'boolean' | 'number' | 'string';

const INTERN_LIMIT = 1 << 16;

/**
 * Builds one column from a stream of values. Starts numeric and falls back to strings at the
 * first value that is neither missing nor a number. A fallback after numbers were already seen
 * sets `lostText`: the earlier values were kept as numbers, so their original spelling ("007",
 * "1.50") is gone — text readers then read the file again with the column forced to string.
 */
export class ColumnBuilder {
  readonly name: string;
  private state: BuilderState = 'empty';
  private numbers: Float64Array;
  private strings: (string | null)[] | null = null;
  private length = 0;
  private integral = true;
  private readonly forceString: boolean;
  private readonly interned = new Map<string, string>();
  /** True when a number/boolean column turned into a string column after holding values. */
  lostText = false;

  constructor(name: string, options: { forceString?: boolean; capacity?: number } = {}) {
    this.name = name;
    this.forceString = options.forceString ?? false;
    this.numbers = new Float64Array(this.forceString ? 0 : Math.max(16, options.capacity ?? 1024));
    if (this.forceString) {
      this.state = 'string';
      this.strings = [];
    }
  }

  get size(): number {
    return this.length;
  }

  /** Appends a text cell (CSV): missing tokens, numbers, booleans, else strings. */
  pushText(text: string): void {
    if (this.state === 'string') {
      const map = this.interned;
      let value: string | null;
      if (map.size < INTERN_LIMIT) {
        // A value already interned is known not to be a missing token: one lookup, not two.
        const known = map.get(text);
        if (known !== undefined) value = known;
        else if (isMissingToken(text)) value = null;
        else {
          map.set(text, text);
          value = text;
        }
      } else value = isMissingToken(text) ? null : text;
      (this.strings as (string | null)[]).push(value);
      this.length++;
      return;
    }
    if (text.length === 0) {
      this.pushNumber(Number.NaN);
      return;
    }
    // Numbers first: no missing token parses as a number, and a numeric cell then skips the set
    // lookup (the hot path of a numeric CSV).
    if (this.state !== 'boolean') {
      const value = parseNumberCell(text);
      if (!Number.isNaN(value)) {
        if (
          this.integral &&
          (!Number.isInteger(value) || text.includes('.') || text.includes('e') || text.includes('E'))
        ) {
          this.integral = false;
        }
        this.state = 'number';
        this.pushNumber(value);
        return;
      }
    }
    if (isMissingToken(text)) {
      this.pushNumber(Number.NaN);
      return;
    }
    if (this.state !== 'number') {
      if (TRUE_TOKENS.has(text)) {
        this.state = 'boolean';
        this.pushNumber(1);
        return;
      }
      if (FALSE_TOKENS.has(text)) {
        this.state = 'boolean';
        this.pushNumber(0);
        return;
      }
    }
    this.toStrings();
    (this.strings as (string | null)[]).push(this.intern(text));
    this.length++;
  }

  /**
   * Appends the text cell `text[start, end)`. Plain decimals in a number column are parsed from
   * the text without cutting a string out of it; everything else goes through pushText.
   */
  pushSpan(text: string, start: number, end: number): void {
    if (this.state === 'number' || this.state === 'empty') {
      if (start === end) {
        this.pushNumber(Number.NaN);
        return;
      }
      const value = parseDecimalSpan(text, start, end);
      if (!Number.isNaN(value)) {
        if (this.integral && spanHasDot) this.integral = false;
        this.state = 'number';
        this.pushNumber(value);
        return;
      }
    }
    this.pushText(text.slice(start, end));
  }

  /** Appends a typed value (JSON, custom loaders): null/undefined/NaN missing, objects as JSON. */
  pushValue(value: unknown): void {
    if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
      if (this.state === 'string') {
        (this.strings as (string | null)[]).push(null);
        this.length++;
      } else {
        this.pushNumber(Number.NaN);
      }
      return;
    }
    if (
      typeof value === 'number' &&
      this.state !== 'string' &&
      this.state !== 'boolean' &&
      Number.isFinite(value)
    ) {
      if (this.integral && !Number.isInteger(value)) this.integral = false;
      this.state = 'number';
      this.pushNumber(value);
      return;
    }
    if (typeof value === 'boolean' && (this.state === 'empty' || this.state === 'boolean')) {
      this.state = 'boolean';
      this.pushNumber(value ? 1 : 0);
      return;
    }
    if (typeof value === 'bigint' && this.state !== 'string' && this.state !== 'boolean') {
      this.state = 'number';
      this.pushNumber(Number(value));
      return;
    }
    // Typed sources keep their values' spelling when converted, so no re-read is needed.
    this.toStrings(false);
    (this.strings as (string | null)[]).push(stringifyValue(value));
    this.length++;
  }

  /**
   * One string instance per distinct value (up to INTERN_LIMIT values): a categorical column of
   * millions of rows then holds a handful of strings instead of one per row, and a substring cut
   * from a read chunk no longer keeps that whole chunk alive.
   */
  private intern(text: string): string {
    const map = this.interned;
    // Past the limit the column is high-cardinality (ids, timestamps): lookups would only cost.
    if (map.size >= INTERN_LIMIT) return text;
    const found = map.get(text);
    if (found !== undefined) return found;
    map.set(text, text);
    return text;
  }

  /**
   * Makes room for `rows` values in all, once, when a reader can estimate the row count (a CSV
   * file's size over the first chunk's bytes per row): the array then is not grown by doubling,
   * which copied every column about once more and touched twice the memory.
   */
  reserve(rows: number): void {
    if (this.state === 'string' || rows <= this.numbers.length) return;
    const grown = new Float64Array(rows);
    grown.set(this.numbers.subarray(0, this.length));
    this.numbers = grown;
  }

  private pushNumber(value: number): void {
    if (this.length === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[this.length++] = value;
  }

  private toStrings(markLost = true): void {
    if (this.state === 'string') return;
    const strings: (string | null)[] = new Array(this.length);
    const wasBoolean = this.state === 'boolean';
    for (let i = 0; i < this.length; i++) {
      const v = this.numbers[i] as number;
      if (Number.isNaN(v)) strings[i] = null;
      else {
        strings[i] = wasBoolean ? (v === 1 ? 'true' : 'false') : String(v);
        if (markLost) this.lostText = true;
      }
    }
    this.strings = strings;
    this.numbers = new Float64Array(0);
    this.state = 'string';
  }

  /** The inferred type: all-missing columns are `double` (all NaN), as in pandas. */
  get type(): DataType {
    switch (this.state) {
      case 'string':
        return 'string';
      case 'boolean':
        return 'boolean';
      case 'number':
        return this.integral ? 'long' : 'double';
      default:
        return 'double';
    }
  }

  finish(): FrameColumn {
    if (this.state === 'string')
      return { name: this.name, type: 'string', values: this.strings as (string | null)[] };
    // A view when the spare capacity is small (at most 1/8: doubling growth leaves a little past
    // the last row), else a trimmed copy. Either way the builder lets go of its array, so a
    // 2M-row file's columns are not held twice while the frame is put together.
    const numbers = this.numbers;
    this.numbers = new Float64Array(0);
    const values =
      this.length >= numbers.length - (numbers.length >> 3)
        ? numbers.subarray(0, this.length)
        : numbers.slice(0, this.length);
    return { name: this.name, type: 'number', values };
  }
}

function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Finishes a set of builders into a Dataset, checking they all have the same length. */
export function finishBuilders(builders: ColumnBuilder[], nRows: number): Dataset {
  return {
    frame: { nRows, columns: builders.map((b) => b.finish()) },
    columnTypes: builders.map((b) => b.type),
  };
}

/**
 * Types of a Frame that came without inference (e.g. from a custom loader returning a Frame):
 * number columns are `long` when every present value is an integer, else `double`.
 */
export function typesOfFrame(frame: Frame): DataType[] {
  return frame.columns.map((column) => {
    if (column.type === 'string') return 'string';
    const values = column.values;
    let sawValue = false;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) continue;
      sawValue = true;
      if (!Number.isInteger(v)) return 'double';
    }
    return sawValue ? 'long' : 'double';
  });
}

/**
 * Makes column names unique the way pandas does (`a`, `a.1`, `a.2`) and names empty headers
 * `Unnamed: <index>`, so that every column can be addressed by name in recipe.yaml.
 */
export function uniqueColumnNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, index) => {
    let name = raw === '' ? `Unnamed: ${index}` : raw;
    if (seen.has(name)) {
      let k = 1;
      while (seen.has(`${name}.${k}`)) k++;
      name = `${name}.${k}`;
    }
    seen.add(name);
    return name;
  });
}

/** Builds a Dataset from an array of row objects (custom loaders, JSON records). */
export function datasetFromRecords(records: readonly unknown[], where: string): Dataset {
  const builders: ColumnBuilder[] = [];
  const index = new Map<string, ColumnBuilder>();
  let row = 0;
  for (const record of records) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataError(
        `${where}: record ${row + 1} is ${Array.isArray(record) ? 'an array' : JSON.stringify(record)}, not an object with one key per column`,
        { hint: 'return an array of objects such as [{"x": 1, "y": "a"}], or a Frame' },
      );
    }
    for (const key of Object.keys(record)) {
      let builder = index.get(key);
      if (!builder) {
        builder = new ColumnBuilder(key, { capacity: records.length });
        // A column first seen at a later row is missing in the rows before it.
        for (let i = 0; i < row; i++) builder.pushValue(null);
        index.set(key, builder);
        builders.push(builder);
      }
    }
    for (const builder of builders) builder.pushValue((record as Record<string, unknown>)[builder.name]);
    row++;
  }
  return finishBuilders(builders, row);
}
