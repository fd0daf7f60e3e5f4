import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import type { Frame } from '../../src/ml/types.js';
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
