/**
 * Arrow files not written by mlrecipe: a null double's slot holds whatever the writer left there
 * (arrow-js writes 0), so the validity bitmap, not the value, must make it NaN — also in a
 * column split over several record batches and in a sliced chunk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { readArrowDataset } from '../../src/data/index.js';

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
    expect(Array.from(frame.columns[0].values as Float64Array)).toEqual([1.5, Number.NaN, 3, Number.NaN, 5.25]);
  });

  it('reads doubles without nulls unchanged', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i / 7 - 50);
    const path = join(dir, 'plain.arrow');
    writeFileSync(path, arrow.tableToIPC(arrow.tableFromArrays({ x: values }), 'file'));
    expect(Array.from(readArrowDataset(path).frame.columns[0].values as Float64Array)).toEqual(Array.from(values));
  });
});
