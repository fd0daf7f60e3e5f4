import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  Bool,
  DateDay,
  Float16,
  Int64,
  Table,
  TimestampMillisecond,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import {
  concatDatasets,
  readArrowDataset,
  readCsvDataset,
  readDataset,
  readJsonDataset,
  readParquetDataset,
  writeFrameArrow,
  writeFrameParquet,
} from '../../src/data/index.js';
import { DataError } from '../../src/errors.js';
import type { Frame, FrameColumn } from '../../src/ml/types.js';

const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function col(frame: Frame, name: string): FrameColumn {
  const c = frame.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

const nums = (c: FrameColumn) => Array.from(c.values as Float64Array);

describe('JSON', () => {
  it('reads an array of records: typed values, null and absent keys missing, columns united in order', async () => {
    const path = join(dir, 'records.json');
    writeFileSync(
      path,
      JSON.stringify([
        { a: 1, b: 'x', c: true },
        { a: 2.5, b: null, c: false, d: { nested: 1 } },
        { a: null, b: '12', d: [1, 2] },
      ]),
    );
    const { frame, columnTypes } = await readJsonDataset(path);
    expect(frame.columns.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(columnTypes).toEqual(['double', 'string', 'boolean', 'string']);
    expect(nums(col(frame, 'a'))).toEqual([1, 2.5, Number.NaN]);
    // JSON strings stay strings, even when they look like numbers.
    expect(col(frame, 'b').values).toEqual(['x', null, '12']);
    expect(nums(col(frame, 'c'))).toEqual([1, 0, Number.NaN]);
    expect(col(frame, 'd').values).toEqual([null, '{"nested":1}', '[1,2]']);
  });

  it('reads JSON lines and names the line of a broken record', async () => {
    const path = join(dir, 'lines.jsonl');
    writeFileSync(path, '{"x": 1, "y": "a"}\n\n{"x": 2}\n');
    const { frame, columnTypes } = await readJsonDataset(path);
    expect(frame.nRows).toBe(2);
    expect(columnTypes).toEqual(['long', 'string']);
    expect(col(frame, 'y').values).toEqual(['a', null]);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"x": 1}\n{"x": 2,,}\n');
    await expect(readJsonDataset(bad)).rejects.toThrow(new RegExp(`${bad}:2: invalid JSON line`));
    const notRecords = join(dir, 'scalars.json');
    writeFileSync(notRecords, '[{"x": 1}, 5]');
    await expect(readJsonDataset(notRecords)).rejects.toThrow(/record 2: expected an object/);
  });

  it('turns a column with numbers and strings into a string column', async () => {
    const path = join(dir, 'mixed.json');
    writeFileSync(path, '[{"v": 1}, {"v": "two"}, {"v": 3.5}]');
    const { frame, columnTypes } = await readJsonDataset(path);
    expect(columnTypes).toEqual(['string']);
    expect(col(frame, 'v').values).toEqual(['1', 'two', '3.5']);
  });
});

describe('Parquet', () => {
  it('reads a file written by hyparquet-writer with ints, doubles, booleans, strings and nulls', async () => {
    const path = join(dir, 'typed.parquet');
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'i', data: [1, 2, null, 4], type: 'INT32' },
        { name: 'big', data: [10n, null, 30n, 40n], type: 'INT64' },
        { name: 'f', data: [0.5, null, 2.25, -1], type: 'DOUBLE' },
        { name: 'b', data: [true, false, null, true], type: 'BOOLEAN' },
        { name: 's', data: ['x', null, 'z', 'x'], type: 'STRING' },
      ],
    });
    writeFileSync(path, new Uint8Array(buffer));
    const { frame, columnTypes } = await readParquetDataset(path);
    expect(frame.nRows).toBe(4);
    expect(columnTypes).toEqual(['long', 'long', 'double', 'boolean', 'string']);
    expect(nums(col(frame, 'i'))).toEqual([1, 2, Number.NaN, 4]);
    expect(nums(col(frame, 'big'))).toEqual([10, Number.NaN, 30, 40]);
    expect(nums(col(frame, 'f'))).toEqual([0.5, Number.NaN, 2.25, -1]);
    expect(nums(col(frame, 'b'))).toEqual([1, 0, Number.NaN, 1]);
    expect(col(frame, 's').values).toEqual(['x', null, 'z', 'x']);
  });

  it('reads timestamps as ISO-8601 strings', async () => {
    const path = join(dir, 'times.parquet');
    const when = [new Date('2001-01-01T00:01:00Z'), null, new Date('2024-02-29T23:59:59.123Z')];
    writeFileSync(
      path,
      new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 't', data: when, type: 'TIMESTAMP' }] })),
    );
    const { frame, columnTypes } = await readParquetDataset(path);
    expect(columnTypes).toEqual(['string']);
    expect(col(frame, 't').values).toEqual(['2001-01-01T00:01:00.000Z', null, '2024-02-29T23:59:59.123Z']);
  });

  it('round-trips a frame through writeFrameParquet and reads several files as one', async () => {
    const frame: Frame = {
      nRows: 3,
      columns: [
        { name: 'n', type: 'number', values: new Float64Array([1, Number.NaN, 3]) },
        { name: 's', type: 'string', values: ['a', null, 'c'] },
      ],
    };
    const a = join(dir, 'a.parquet');
    const b = join(dir, 'b.parquet');
    await writeFrameParquet(a, frame, { columnTypes: ['long', 'string'] });
    await writeFrameParquet(b, frame, { columnTypes: ['long', 'string'] });
    const { frame: back, columnTypes } = await readParquetDataset([a, b]);
    expect(back.nRows).toBe(6);
    expect(columnTypes).toEqual(['long', 'string']);
    expect(nums(col(back, 'n'))).toEqual([1, Number.NaN, 3, 1, Number.NaN, 3]);
    expect(col(back, 's').values).toEqual(['a', null, 'c', 'a', null, 'c']);
  });

  it('reports a file that is not Parquet by name', async () => {
    const path = join(dir, 'fake.parquet');
    writeFileSync(path, 'not parquet at all');
    const error = await readParquetDataset(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(path);
  });
});

describe('Arrow IPC', () => {
  const frame: Frame = {
    nRows: 5,
    columns: [
      { name: 'x', type: 'number', values: new Float64Array([1.5, Number.NaN, -0, 1e300, 7]) },
      { name: 'label', type: 'string', values: ['a', 'b', null, 'a', 'é ünïcode'] },
      { name: 'flag', type: 'number', values: new Float64Array([1, 0, 1, Number.NaN, 0]) },
    ],
  };

  it('writes and reads back the same frame and types (Arrow in → Arrow out)', () => {
    const path = join(dir, 'frame.arrow');
    writeFrameArrow(path, frame, { columnTypes: ['double', 'string', 'boolean'] });
    const back = readArrowDataset(path);
    expect(back.columnTypes).toEqual(['double', 'string', 'boolean']);
    expect(back.frame.nRows).toBe(5);
    expect(back.frame.columns.map((c) => [c.name, c.type])).toEqual([
      ['x', 'number'],
      ['label', 'string'],
      ['flag', 'number'],
    ]);
    expect(nums(col(back.frame, 'x'))).toEqual([1.5, Number.NaN, -0, 1e300, 7]);
    expect(col(back.frame, 'label').values).toEqual(frame.columns[1]?.values);
    // A second write of the read frame gives identical bytes: the format is stable.
    const again = join(dir, 'frame2.arrow');
    writeFrameArrow(again, back.frame, { columnTypes: back.columnTypes });
    expect(readFileSync(again).equals(readFileSync(path))).toBe(true);
  });

  it('reads Arrow files written by other tools: ints as long, strings, booleans', async () => {
    const table = tableFromArrays({
      id: Int32Array.from([1, 2, 3]),
      value: Float64Array.from([0.25, 0.5, 0.75]),
      name: ['p', 'q', 'r'],
    });
    const path = join(dir, 'foreign.arrow');
    writeFileSync(path, tableToIPC(table, 'file'));
    const { frame, columnTypes } = readArrowDataset(path);
    expect(columnTypes).toEqual(['long', 'double', 'string']);
    expect(nums(col(frame, 'id'))).toEqual([1, 2, 3]);
    expect(col(frame, 'name').values).toEqual(['p', 'q', 'r']);
    const viaReadDataset = await readDataset({ format: 'arrow', files: [path, path] });
    expect(viaReadDataset.frame.nRows).toBe(6);
  });

  it('maps Arrow types: half floats, Int64, booleans, dates and timestamps', () => {
    const table = new Table({
      h: vectorFromArray([1.5, null, -2], new Float16()),
      i: vectorFromArray([1n, null, 3n], new Int64()),
      b: vectorFromArray([true, null, false], new Bool()),
      d: vectorFromArray([new Date('2020-01-02'), null, new Date('2021-03-04')], new DateDay()),
      ts: vectorFromArray(
        [new Date('2020-01-02T03:04:05Z'), null, new Date('2021-03-04T00:00:00Z')],
        new TimestampMillisecond(),
      ),
    });
    const path = join(dir, 'types.arrow');
    writeFileSync(path, tableToIPC(table, 'file'));
    const { frame, columnTypes } = readArrowDataset(path);
    expect(columnTypes).toEqual(['double', 'long', 'boolean', 'string', 'string']);
    expect(nums(col(frame, 'h'))).toEqual([1.5, Number.NaN, -2]);
    expect(nums(col(frame, 'i'))).toEqual([1, Number.NaN, 3]);
    expect(nums(col(frame, 'b'))).toEqual([1, Number.NaN, 0]);
    expect(col(frame, 'd').values).toEqual(['2020-01-02', null, '2021-03-04']);
    expect(col(frame, 'ts').values).toEqual(['2020-01-02T03:04:05.000Z', null, '2021-03-04T00:00:00.000Z']);
  });

  it('reads vega-datasets flights-200k.arrow', () => {
    const flights = readArrowDataset(
      new URL('../../node_modules/vega-datasets/data/flights-200k.arrow', import.meta.url).pathname,
    );
    expect(flights.frame.nRows).toBe(200_000);
    expect(flights.frame.columns.length).toBeGreaterThan(0);
  });

  it('names the file that is not Arrow', () => {
    const path = join(dir, 'fake.arrow');
    writeFileSync(path, 'nope');
    expect(() => readArrowDataset(path)).toThrow(new RegExp(`${path}: not a readable Arrow IPC file`));
  });

  it('refuses a frame whose columns have the wrong length', () => {
    const broken: Frame = { nRows: 3, columns: [{ name: 'x', type: 'number', values: new Float64Array(2) }] };
    expect(() => writeFrameArrow(join(dir, 'broken.arrow'), broken)).toThrow(
      /column "x" has 2 values but the frame has 3 rows/,
    );
  });
});

describe('concatDatasets', () => {
  it('widens long + double to double and number + string to string', () => {
    const a = {
      frame: { nRows: 1, columns: [{ name: 'v', type: 'number' as const, values: new Float64Array([1]) }] },
      columnTypes: ['long' as const],
    };
    const b = {
      frame: { nRows: 1, columns: [{ name: 'v', type: 'number' as const, values: new Float64Array([1.5]) }] },
      columnTypes: ['double' as const],
    };
    const c = {
      frame: { nRows: 1, columns: [{ name: 'v', type: 'string' as const, values: ['x'] }] },
      columnTypes: ['string' as const],
    };
    expect(concatDatasets([a, b]).columnTypes).toEqual(['double']);
    const mixed = concatDatasets([a, c]);
    expect(mixed.columnTypes).toEqual(['string']);
    expect(mixed.frame.columns[0]?.values).toEqual(['1', 'x']);
  });
});

describe('gzip-compressed files', () => {
  it('reads .csv.gz, .tsv.gz, .json.gz and .jsonl.gz', async () => {
    const put = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, gzipSync(Buffer.from(text)));
      return path;
    };
    const csv = await readCsvDataset(put('a.csv.gz', 'x,y\n1,"a,b"\n2,c\n'), { chunkBytes: 5 });
    expect(csv.columnTypes).toEqual(['long', 'string']);
    expect(col(csv.frame, 'y').values).toEqual(['a,b', 'c']);
    const tsv = await readCsvDataset(put('a.tsv.gz', 'x\ty\n1\ta,b\n'));
    expect(col(tsv.frame, 'y').values).toEqual(['a,b']);
    const json = await readJsonDataset(put('a.json.gz', '[{"x": 1}, {"x": 2.5}]'));
    expect(nums(col(json.frame, 'x'))).toEqual([1, 2.5]);
    const lines = await readJsonDataset(put('a.jsonl.gz', '{"x": "p"}\n{"x": "q"}\n'));
    expect(col(lines.frame, 'x').values).toEqual(['p', 'q']);
  });

  it('names a corrupt .gz file', async () => {
    const path = join(dir, 'broken.csv.gz');
    writeFileSync(path, 'definitely not gzip');
    await expect(readCsvDataset(path)).rejects.toThrow(new RegExp(`${path}: cannot read`));
    const json = join(dir, 'broken.jsonl.gz');
    writeFileSync(json, 'nope');
    await expect(readJsonDataset(json)).rejects.toThrow(DataError);
  });
});
