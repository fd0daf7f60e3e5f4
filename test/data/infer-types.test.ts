import { describe, expect, it } from 'vitest';
import { ColumnBuilder, type DataType, isMissingToken, parseNumberCell } from '../../src/data/index.js';
import { parseDecimalSpan } from '../../src/data/infer-types.js';

describe('type inference over text cells', () => {
  const cases: Array<{ cells: string[]; type: DataType; values: Array<number | string | null> }> = [
    { cells: ['1', '2', '-3'], type: 'long', values: [1, 2, -3] },
    { cells: ['1', '2.5', ''], type: 'double', values: [1, 2.5, Number.NaN] },
    { cells: ['1.0', '2'], type: 'double', values: [1, 2] },
    { cells: ['1e3', '+4'], type: 'double', values: [1000, 4] },
    { cells: ['.5', '-.25'], type: 'double', values: [0.5, -0.25] },
    {
      cells: ['NA', 'null', 'NaN', 'N/A', ''],
      type: 'double',
      values: [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    },
    { cells: ['true', 'False', 'NA'], type: 'boolean', values: [1, 0, Number.NaN] },
    { cells: ['true', '1'], type: 'string', values: ['true', '1'] },
    { cells: ['1', 'true'], type: 'string', values: ['1', 'true'] },
    { cells: ['0x10', '1'], type: 'string', values: ['0x10', '1'] },
    { cells: ['Infinity', '1'], type: 'string', values: ['Infinity', '1'] },
    { cells: [' 1', '2.5 '], type: 'double', values: [1, 2.5] },
    { cells: ['a', '', 'NA'], type: 'string', values: ['a', null, null] },
    { cells: ['', 'b'], type: 'string', values: [null, 'b'] },
  ];

  it.each(cases)('$cells → $type', ({ cells, type, values }) => {
    const builder = new ColumnBuilder('c');
    for (const cell of cells) builder.pushText(cell);
    expect(builder.type).toBe(type);
    const column = builder.finish();
    expect(Array.from(column.values as ArrayLike<number | string | null>)).toEqual(values);
  });

  it('flags a number column that turns into text after holding values (its spelling was lost)', () => {
    const lost = new ColumnBuilder('c');
    lost.pushText('007');
    lost.pushText('x');
    expect(lost.lostText).toBe(true);
    const fine = new ColumnBuilder('c');
    fine.pushText('');
    fine.pushText('x');
    expect(fine.lostText).toBe(false);
  });

  it('typed values: numbers, booleans, bigints, null; strings win a mixed column', () => {
    const b = new ColumnBuilder('v');
    for (const v of [1, 2n, null, undefined]) b.pushValue(v);
    expect(b.type).toBe('long');
    const s = new ColumnBuilder('v');
    for (const v of [1.5, true, 'x']) s.pushValue(v);
    expect(s.type).toBe('string');
    expect(s.finish().values).toEqual(['1.5', 'true', 'x']);
  });

  it('parseNumberCell and isMissingToken', () => {
    expect(parseNumberCell('12.5')).toBe(12.5);
    expect(parseNumberCell('-0')).toBe(-0);
    expect(Number.isNaN(parseNumberCell('1,5'))).toBe(true);
    expect(Number.isNaN(parseNumberCell('0b101'))).toBe(true);
    expect(Number.isNaN(parseNumberCell('-Infinity'))).toBe(true);
    expect(isMissingToken('')).toBe(true);
    expect(isMissingToken('NA')).toBe(true);
    expect(isMissingToken('none')).toBe(false);
  });

  it('parses plain decimals from a span exactly as Number() does, and declines the rest', () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const samples = [
      '0',
      '-0',
      '+3',
      '1.',
      '.5',
      '007',
      '123456789012345',
      '0.000000000000000000001',
      '99.999',
    ];
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + Math.floor(rand() * 17);
      let text = rand() < 0.3 ? '-' : '';
      for (let d = 0; d < digits; d++) text += String(Math.floor(rand() * 10));
      if (rand() < 0.7) {
        const at = 1 + Math.floor(rand() * digits);
        text = `${text.slice(0, at)}.${text.slice(at)}`;
      }
      samples.push(text);
    }
    let fast = 0;
    for (const text of samples) {
      const padded = `x,${text},y`;
      const value = parseDecimalSpan(padded, 2, 2 + text.length);
      if (Number.isNaN(value)) continue;
      fast++;
      expect(Object.is(value, Number(text))).toBe(true);
    }
    expect(fast).toBeGreaterThan(samples.length / 2);
    for (const text of ['1e5', '0x10', '1.2.3', '', '-', '.', '1234567890123456789']) {
      expect(Number.isNaN(parseDecimalSpan(text, 0, text.length))).toBe(true);
    }
  });

  it('pushSpan gives the same column as pushText', () => {
    const cells = ['12', '', '3.25', '1234567890123456789', '1e3', 'NA', '-0.5'];
    const text = cells.join(',');
    const a = new ColumnBuilder('a');
    const b = new ColumnBuilder('b');
    let at = 0;
    for (const cell of cells) {
      a.pushSpan(text, at, at + cell.length);
      b.pushText(cell);
      at += cell.length + 1;
    }
    expect(a.type).toBe(b.type);
    expect(Array.from(a.finish().values as Float64Array)).toEqual(
      Array.from(b.finish().values as Float64Array),
    );
  });
});
