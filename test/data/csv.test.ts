import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameToCsv, readCsvDataset, readCsvText } from '../../src/data/index.js';
import { DataError } from '../../src/errors.js';
import type { Frame, FrameColumn } from '../../src/ml/types.js';

const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function col(frame: Frame, name: string): FrameColumn {
  const c = frame.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

describe('readCsvDataset', () => {
  it('reads quotes, doubled quotes, embedded newlines, CRLF and missing values', async () => {
    const path = file(
      'quoted.csv',
      'id,name,score,flag\r\n1,"Smith, J.",1.5,true\r\n2,"say ""hi""",,False\r\n3,"two\nlines",NA,\r\n4,plain,-2e3,TRUE\r\n',
    );
    const { frame, columnTypes } = await readCsvDataset(path);
    expect(frame.nRows).toBe(4);
    expect(frame.columns.map((c) => c.name)).toEqual(['id', 'name', 'score', 'flag']);
    expect(columnTypes).toEqual(['long', 'string', 'double', 'boolean']);
    expect(col(frame, 'name').values).toEqual(['Smith, J.', 'say "hi"', 'two\nlines', 'plain']);
    expect(Array.from(col(frame, 'score').values as Float64Array)).toEqual([
      1.5,
      Number.NaN,
      Number.NaN,
      -2000,
    ]);
    expect(Array.from(col(frame, 'flag').values as Float64Array)).toEqual([1, 0, Number.NaN, 1]);
    expect(Array.from(col(frame, 'id').values as Float64Array)).toEqual([1, 2, 3, 4]);
  });

  it('gives the same result whatever the chunk boundaries (a file larger than one read chunk)', async () => {
    const rows: string[] = ['a,b,c'];
    for (let i = 0; i < 60_000; i++) rows.push(`${i},"x${i % 7},\n""q""",${i % 3 === 0 ? '' : i / 4}`);
    const path = file('big.csv', `${rows.join('\n')}\n`);
    const { frame, columnTypes } = await readCsvDataset(path);
    expect(frame.nRows).toBe(60_000);
    expect(columnTypes).toEqual(['long', 'string', 'double']);
    const b = col(frame, 'b').values as string[];
    const c = col(frame, 'c').values as Float64Array;
    for (const i of [0, 1, 12_345, 59_999]) {
      expect(b[i]).toBe(`x${i % 7},\n"q"`);
      expect(Number.isNaN(c[i] as number)).toBe(i % 3 === 0);
      if (i % 3 !== 0) expect(c[i]).toBe(i / 4);
    }
  });

  it('reads lone-CR line ends (old Mac files) and an empty last field before CRLF', async () => {
    const mac = await readCsvDataset(file('mac.csv', 'a,b\r1,x\r2,\r'));
    expect(mac.frame.nRows).toBe(2);
    expect(col(mac.frame, 'b').values).toEqual(['x', null]);
    const crlf = await readCsvDataset(file('crlf.csv', 'a,b\r\n1,\r\n,y\r\n'));
    expect(Array.from(col(crlf.frame, 'a').values as Float64Array)).toEqual([1, Number.NaN]);
    expect(col(crlf.frame, 'b').values).toEqual([null, 'y']);
  });

  it('reads a last row without a line end, ending in a quoted field', async () => {
    const { frame } = await readCsvDataset(file('noeol.csv', 'a,b\n1,"x, ""y"""'));
    expect(col(frame, 'b').values).toEqual(['x, "y"']);
    const header = await readCsvDataset(file('header-only.csv', 'a,b\n'));
    expect(header.frame.nRows).toBe(0);
    expect(header.frame.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('keeps the original spelling when a column turns out to be text after numbers', async () => {
    const path = file('mixed.csv', 'zip,n,s\n007,1, 1\n1.50, 2 , x\nabc,3,y\n');
    const { frame, columnTypes } = await readCsvDataset(path);
    expect(columnTypes).toEqual(['string', 'long', 'string']);
    expect(col(frame, 'zip').values).toEqual(['007', '1.50', 'abc']);
    // Spaces around numbers are fine (as in pandas); text keeps its spaces.
    expect(Array.from(col(frame, 'n').values as Float64Array)).toEqual([1, 2, 3]);
    expect(col(frame, 's').values).toEqual([' 1', ' x', 'y']);
  });

  it('reads several files with one header as one dataset, inferring types over all of them', async () => {
    const a = file('part-a.csv', 'x,y\n1,a\n2,b\n');
    const b = file('part-b.csv', 'x,y\n3.5,c\n');
    const { frame, columnTypes } = await readCsvDataset([a, b]);
    expect(frame.nRows).toBe(3);
    expect(columnTypes).toEqual(['double', 'string']);
    expect(Array.from(col(frame, 'x').values as Float64Array)).toEqual([1, 2, 3.5]);
  });

  it('names the file, line and column of a row with the wrong number of fields', async () => {
    const path = file('short.csv', 'a,b,c\n1,2,3\n"multi\nline",5,6\n7,8\n');
    const error = await readCsvDataset(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(`${path}:5:`);
    expect((error as Error).message).toContain('column "c" is missing');
  });

  it('names the line of an unterminated quote and of text after a closing quote', async () => {
    const open = file('open.csv', 'a,b\n1,2\n3,"never closed\n4,5\n');
    await expect(readCsvDataset(open)).rejects.toThrow(
      new RegExp(`${open}:3: unterminated quoted field in column 2`),
    );
    const junk = file('junk.csv', 'a,b\n1,"x"y\n');
    await expect(readCsvDataset(junk)).rejects.toThrow(
      new RegExp(`${junk}:2: unexpected character "y" after the closing quote of column 2`),
    );
  });

  it('rejects files whose headers differ, and empty files', async () => {
    const a = file('h1.csv', 'x,y\n1,2\n');
    const b = file('h2.csv', 'x,z\n1,2\n');
    await expect(readCsvDataset([a, b])).rejects.toThrow(/differs from the first file's header/);
    await expect(readCsvDataset(file('empty.csv', ''))).rejects.toThrow(/empty/);
  });

  it('strips a BOM, mangles duplicate and empty header names like pandas, and reads TSV', async () => {
    const path = file('dup.csv', '\uFEFFa,a,\n1,2,3\n');
    const { frame } = await readCsvDataset(path);
    expect(frame.columns.map((c) => c.name)).toEqual(['a', 'a.1', 'Unnamed: 2']);
    const tsv = file('t.tsv', 'p\tq\n1\thello, world\n');
    const t = await readCsvDataset(tsv);
    expect(col(t.frame, 'q').values).toEqual(['hello, world']);
  });

  it('round-trips through frameToCsv', async () => {
    const frame: Frame = {
      nRows: 3,
      columns: [
        { name: 'n', type: 'number', values: new Float64Array([1.25, Number.NaN, -3]) },
        { name: 's', type: 'string', values: ['a,"b"', null, 'line\nbreak'] },
      ],
    };
    const path = file('round.csv', frameToCsv(frame));
    const back = await readCsvDataset(path);
    expect(Array.from(col(back.frame, 'n').values as Float64Array)).toEqual([1.25, Number.NaN, -3]);
    expect(col(back.frame, 's').values).toEqual(['a,"b"', null, 'line\nbreak']);
  });

  it('matches a reference parser on random CSV text, whatever the chunk size', async () => {
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const pieces = ['a', 'xyz', '12', '-3.5', '', 'NA', 'é', 'true', '1e3', '007', ' ', '€uro'];
    const cell = (): { raw: string; value: string } => {
      const value = Array.from(
        { length: Math.floor(rand() * 3) },
        () => pieces[Math.floor(rand() * pieces.length)],
      ).join('');
      const special = rand() < 0.3;
      const inner = special
        ? `${value}${['"', ',', '\n', '\r\n', ''][Math.floor(rand() * 5)]}${value}`
        : value;
      const needsQuotes = /["\r\n,]/.test(inner) || rand() < 0.1;
      return { raw: needsQuotes ? `"${inner.replace(/"/g, '""')}"` : inner, value: inner };
    };
    for (let round = 0; round < 8; round++) {
      const nCols = 1 + Math.floor(rand() * 4);
      const eol = rand() < 0.5 ? '\n' : '\r\n';
      const header = Array.from({ length: nCols }, (_, j) => `c${j}`);
      const expected: string[][] = [];
      const lines = [header.join(',')];
      for (let r = 0; r < 60; r++) {
        const cells = Array.from({ length: nCols }, cell);
        // A one-column row whose only field is unquoted and empty is a blank line: skipped.
        if (nCols === 1 && cells[0]?.raw === '') continue;
        expected.push(cells.map((c) => c.value));
        lines.push(cells.map((c) => c.raw).join(','));
      }
      const path = file(`fuzz-${round}.csv`, lines.join(eol) + (rand() < 0.5 ? eol : ''));
      // Every column read as text, so values compare one to one with what was written.
      const stringColumns = new Set(header);
      const reference = await readCsvDataset(path, { stringColumns });
      for (const chunkBytes of [1, 2, 3, 7, 64]) {
        const { frame } = await readCsvDataset(path, { stringColumns, chunkBytes });
        expect(frame.nRows).toBe(expected.length);
        frame.columns.forEach((column, j) => {
          expect(column.values).toEqual(reference.frame.columns[j]?.values);
          const want = expected.map((row) => {
            const v = row[j] as string;
            return v === '' || ['NA', 'nan', 'null'].includes(v) ? null : v;
          });
          expect(column.values).toEqual(want);
        });
      }
    }
  });
});

describe('readCsvDataset sizing its columns from the file size', () => {
  it('reads every value when the rows after the first chunk are longer than the estimate', async () => {
    // Short rows first (the estimate comes from them), then long ones: the columns outgrow the
    // reserved room and grow again; a numeric column that turns to text late is read again.
    const n = 20_000;
    const lines = ['a,b,c'];
    for (let i = 0; i < n; i++) {
      const long = i >= 1000;
      lines.push(`${i},${long ? (i / 7).toFixed(9) : i % 10},${i === n - 1 ? 'text' : i}`);
    }
    const path = join(dir, 'sizing.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { frame, columnTypes } = await readCsvDataset(path, { chunkBytes: 4096 });
    expect(frame.nRows).toBe(n);
    expect(columnTypes).toEqual(['long', 'double', 'string']);
    const a = frame.columns[0].values as Float64Array;
    const b = frame.columns[1].values as Float64Array;
    expect(a.length).toBe(n);
    expect(a[n - 1]).toBe(n - 1);
    expect(b[999]).toBe(999 % 10);
    expect(b[n - 1]).toBe(Number(((n - 1) / 7).toFixed(9)));
    expect(frame.columns[2].values[5]).toBe('5');
    expect(frame.columns[2].values[n - 1]).toBe('text');
  });
});

describe('readCsvText (a scoring request body: the same reader as files)', () => {
  // Quotes with the delimiter inside, doubled quotes, an embedded CRLF, CRLF line ends, a BOM,
  // empty fields and a blank line.
  const text =
    '\uFEFFid,name,score,note\r\n1,"Smith, J.",1.5,\r\n2,"say ""hi""",,"two\r\nlines"\r\n\r\n3,,-2e3,x\r\n';

  it('reads every case a file read handles, with the same values and types', async () => {
    const fromText = readCsvText(text, { source: 'request body' });
    const fromFile = await readCsvDataset(file('same-as-text.csv', text));
    expect(fromText).toEqual(fromFile);
    expect(fromText.frame.columns.map((c) => c.name)).toEqual(['id', 'name', 'score', 'note']);
    expect(col(fromText.frame, 'name').values).toEqual(['Smith, J.', 'say "hi"', null]);
    expect(col(fromText.frame, 'note').values).toEqual([null, 'two\r\nlines', 'x']);
    expect(Array.from(col(fromText.frame, 'score').values as Float64Array)).toEqual([1.5, Number.NaN, -2000]);
  });

  it('names the source and line of a ragged row or a broken quote, with a hint', () => {
    const ragged = (() => {
      try {
        readCsvText('a,b\n1,2\n3,4,5\n', { source: 'request body' });
      } catch (error) {
        return error;
      }
    })();
    expect(ragged).toBeInstanceOf(DataError);
    expect((ragged as DataError).message).toMatch(/^request body:3: row has 3 fields but the header has 2/);
    expect((ragged as DataError).hint).toMatch(/quote fields/);
    expect(() => readCsvText('a\n"open\n', { source: 'request body' })).toThrow(
      /request body:2: unterminated quoted field/,
    );
    expect(() => readCsvText('', { source: 'request body' })).toThrow(/request body: the file is empty/);
  });
});
