/**
 * Arrow files not written by mlrecipe: a null double's slot holds whatever the writer left there
 * (arrow-js writes 0), so the validity bitmap, not the value, must make it NaN — also in a
 * column split over several record batches and in a sliced chunk.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { readArrowDataset, writeFrameArrow, writeFrameArrowFile } from '../../src/data/index.js';
import type { Frame } from '../../src/ml/types.js';

const arrow = createRequire(import.meta.url)('apache-arrow') as typeof Arrow;
const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-arrow-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readArrowDataset', () => {
  it('reads null doubles as NaN from the validity bitmap, across record batches', () => {
    const first = new arrow.Table({ x: arrow.vectorFromArray([1.5, null, 3], new arrow.Float64()) });
    const second = new arrow.Table({ x: arrow.vectorFromArray([null, 5.25], new arrow.Float64()) });
    const table = first.concat(second);
    expect(table.data.length).toBe(2);
    const path = join(dir, 'nulls.arrow');
    writeFileSync(path, arrow.tableToIPC(table, 'file'));
    const { frame, columnTypes } = readArrowDataset(path);
    expect(columnTypes).toEqual(['double']);
    expect(Array.from(frame.columns[0].values as Float64Array)).toEqual([
      1.5,
      Number.NaN,
      3,
      Number.NaN,
      5.25,
    ]);
  });

  it('reads doubles without nulls unchanged', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i / 7 - 50);
    const path = join(dir, 'plain.arrow');
    writeFileSync(path, arrow.tableToIPC(arrow.tableFromArrays({ x: values }), 'file'));
    expect(Array.from(readArrowDataset(path).frame.columns[0].values as Float64Array)).toEqual(
      Array.from(values),
    );
  });
});

describe('writeFrameArrowFile (streamed to disk)', () => {
  const frame: Frame = {
    nRows: 5,
    columns: [
      { name: 'x', type: 'number', values: Float64Array.from([1.5, Number.NaN, 3, -0.25, 7]) },
      { name: 'n', type: 'number', values: Float64Array.from([1, 2, 3, 4, 5]) },
      { name: 'c', type: 'string', values: ['a', null, 'b', 'a', 'c,d'] },
    ],
  };

  it('writes the bytes writeFrameArrow writes, and returns their SHA-256 and size', async () => {
    const whole = join(dir, 'whole.arrow');
    const streamed = join(dir, 'streamed.arrow');
    writeFrameArrow(whole, frame, { columnTypes: ['double', 'long', 'string'] });
    const result = await writeFrameArrowFile(streamed, frame, { columnTypes: ['double', 'long', 'string'] });
    const bytes = readFileSync(streamed);
    expect(bytes.equals(readFileSync(whole))).toBe(true);
    expect(result).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads back as it was written: NaN in the view onto the file bytes, types from the metadata', async () => {
    const path = join(dir, 'roundtrip.arrow');
    await writeFrameArrowFile(path, frame, { columnTypes: ['double', 'long', 'string'] });
    const { frame: back, columnTypes } = readArrowDataset(path);
    expect(columnTypes).toEqual(['double', 'long', 'string']);
    expect(Array.from(back.columns[0].values as Float64Array)).toEqual([1.5, Number.NaN, 3, -0.25, 7]);
    expect(Array.from(back.columns[1].values as Float64Array)).toEqual([1, 2, 3, 4, 5]);
    expect(back.columns[2].values).toEqual(['a', null, 'b', 'a', 'c,d']);
  });

  it('leaves no file and no temp behind when the write fails', async () => {
    const bad: Frame = { nRows: 2, columns: [{ name: 'x', type: 'number', values: Float64Array.from([1]) }] };
    const target = join(dir, 'sub-bad.arrow');
    await expect(writeFrameArrowFile(target, bad)).rejects.toThrow(/has 1 values but the frame has 2 rows/);
    expect(readdirSync(dir).filter((f) => f.includes('sub-bad'))).toEqual([]);
  });
});
