import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import type { Frame } from '../../src/ml/types.js';
import { frameFromSplit } from '../../src/models/load.js';
import { frameFromScoringPayload } from '../../src/models/scoring-payload.js';
import type { ColSpec } from '../../src/models/signature.js';

const inputs: ColSpec[] = [
  { type: 'double', name: 'hp', required: true },
  { type: 'string', name: 'origin', required: true },
];

/** A frame as plain rows, for comparing the formats with each other. */
function rows(frame: Frame): unknown[][] {
  return Array.from({ length: frame.nRows }, (_, i) =>
    frame.columns.map((c) => {
      const v = c.values[i];
      return typeof v === 'number' && Number.isNaN(v) ? null : v;
    }),
  );
}

describe('frameFromScoringPayload', () => {
  const expected = [
    [130, 'USA'],
    [null, 'Japan'],
  ];
  it.each([
    [
      'dataframe_split',
      {
        dataframe_split: {
          columns: ['hp', 'origin'],
          data: [
            [130, 'USA'],
            [null, 'Japan'],
          ],
        },
      },
    ],
    [
      'dataframe_split with index',
      {
        dataframe_split: {
          index: [7, 8],
          columns: ['hp', 'origin'],
          data: [
            [130, 'USA'],
            [null, 'Japan'],
          ],
        },
      },
    ],
    ['dataframe_records', { dataframe_records: [{ hp: 130, origin: 'USA' }, { origin: 'Japan' }] }],
    [
      'instances as objects',
      {
        instances: [
          { hp: 130, origin: 'USA' },
          { hp: null, origin: 'Japan' },
        ],
      },
    ],
    [
      'instances as lists',
      {
        instances: [
          [130, 'USA'],
          [null, 'Japan'],
        ],
      },
    ],
    ['inputs as columns', { inputs: { hp: [130, null], origin: ['USA', 'Japan'] } }],
    [
      'inputs as lists',
      {
        inputs: [
          [130, 'USA'],
          [null, 'Japan'],
        ],
      },
    ],
  ])('reads %s', (_name, payload) => {
    const frame = frameFromScoringPayload(payload, inputs);
    expect(frame.columns.map((c) => [c.name, c.type])).toEqual([
      ['hp', 'number'],
      ['origin', 'string'],
    ]);
    expect(rows(frame)).toEqual(expected);
  });

  it.each([
    ['not an object', [1, 2], /must be a JSON object/],
    ['no format', { data: [] }, /names no input format/],
    ['two formats', { instances: [], inputs: [] }, /several input formats \(instances, inputs\)/],
    ['split without data', { dataframe_split: { columns: ['hp'] } }, /needs "columns".*and "data"/],
    [
      'a short row',
      { dataframe_split: { columns: ['hp', 'origin'], data: [[1]] } },
      /data\[0\] must be a list of 2 values/,
    ],
    ['a nested value', { dataframe_records: [{ hp: { a: 1 } }] }, /row 1, column "hp" holds object/],
    [
      'list rows of the wrong width',
      { instances: [[1, 'a', 3]] },
      /instances\[0\] has 3 values, but the model takes 2 columns/,
    ],
    [
      'ragged columns',
      { inputs: { hp: [1, 2], origin: ['a'] } },
      /column "origin" has 1 values, but "hp" has 2/,
    ],
  ])('rejects %s with a DataError', (_name, payload, message) => {
    expect(() => frameFromScoringPayload(payload, inputs)).toThrow(DataError);
    expect(() => frameFromScoringPayload(payload, inputs)).toThrow(message);
  });

  it('needs the schema for rows given as lists', () => {
    expect(() => frameFromScoringPayload({ instances: [[1, 'a']] })).toThrow(
      /need the model's named input columns/,
    );
  });
});

describe('dataframe_split built one column at a time', () => {
  it('gives the frame frameFromSplit gives for any mix of numbers, strings, booleans and nulls', () => {
    let state = 12345;
    const next = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const pick = (): unknown => {
      const r = next();
      if (r < 0.5) return Math.round(next() * 1000) / 8;
      if (r < 0.65) return null;
      if (r < 0.8) return next() < 0.5;
      return `v${Math.floor(next() * 5)}`;
    };
    for (let round = 0; round < 50; round++) {
      const columns = ['a', 'b', 'c'];
      // Column a numbers only, b numbers and nulls, c anything: all three kinds of column.
      const data = Array.from({ length: 1 + Math.floor(next() * 20) }, () => [
        Math.round(next() * 100) / 4,
        next() < 0.3 ? null : next(),
        pick(),
      ]);
      const frame = frameFromScoringPayload({ dataframe_split: { columns, data } });
      const expected = frameFromSplit(columns, data);
      expect(frame.nRows).toBe(expected.nRows);
      frame.columns.forEach((column, j) => {
        const want = expected.columns[j];
        expect(column.name).toBe(want?.name);
        expect(column.type).toBe(want?.type);
        expect(Array.from(column.values as ArrayLike<unknown>)).toEqual(Array.from(want?.values as ArrayLike<unknown>));
      });
    }
  });

  it('still names the first bad value in row order when several are bad', () => {
    const payload = { dataframe_split: { columns: ['hp', 'origin'], data: [[1, 'x'], [2, ['list']], [{}, 'y']] } };
    expect(() => frameFromScoringPayload(payload, inputs)).toThrow(/row 2, column "origin" holds a list/);
    const bool = { dataframe_split: { columns: ['hp', 'origin'], data: [[1, 'x'], [2, 'y'], [true, 'z']] } };
    expect(() => frameFromScoringPayload(bool, inputs)).toThrow(/row 3, column "hp" holds the boolean true/);
  });
});
