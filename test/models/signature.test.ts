import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import type { Frame } from '../../src/ml/types.js';
import {
  type ColSpec,
  enforceSignature,
  inferInputSchema,
  parseSchemaJson,
  schemaToJson,
  signatureFromDocument,
} from '../../src/models/signature.js';

const num = (name: string, ...values: number[]) => ({
  name,
  type: 'number' as const,
  values: Float64Array.from(values),
});
const str = (name: string, ...values: (string | null)[]) => ({ name, type: 'string' as const, values });
const frameOf = (...columns: Frame['columns']): Frame => ({ nRows: columns[0]?.values.length ?? 0, columns });

describe('signature inference and JSON', () => {
  it('infers long, double and string, or takes the types ingest recorded', () => {
    const frame = frameOf(num('n', 1, 2, 3), num('x', 1.5, 2, 4), str('s', 'a', null, 'b'));
    expect(inferInputSchema(frame).map((c) => c.type)).toEqual(['long', 'double', 'string']);
    expect(inferInputSchema(frame, ['boolean', 'double', 'string']).map((c) => c.type)).toEqual([
      'boolean',
      'double',
      'string',
    ]);
  });

  it('types a whole-number column with a missing value as double, as pandas holds it and MLflow serves it', () => {
    const frame = frameOf(num('n', 1, Number.NaN, 3), num('m', 1, 2, 3));
    expect(inferInputSchema(frame).map((c) => c.type)).toEqual(['double', 'long']);
    expect(inferInputSchema(frame, ['long', 'long']).map((c) => c.type)).toEqual(['double', 'long']);
  });

  it("writes MLflow's JSON string (Python json.dumps spacing, ASCII escapes) and reads it back", () => {
    const specs: ColSpec[] = [
      { type: 'double', name: 'Beak Length (mm)', required: true },
      { type: 'string', name: 'Île', required: true },
    ];
    const text = schemaToJson(specs);
    expect(text).toBe(
      '[{"type": "double", "name": "Beak Length (mm)", "required": true}, {"type": "string", "name": "\\u00cele", "required": true}]',
    );
    expect(parseSchemaJson(text, 'MLmodel')).toEqual(specs);
    expect(schemaToJson([{ type: 'double', required: true }])).toBe('[{"type": "double", "required": true}]');
  });

  it('reads MLflow specs without `required` as required, and refuses tensor specs', () => {
    expect(parseSchemaJson('[{"name": "a", "type": "long"}]', 'MLmodel')).toEqual([
      { type: 'long', name: 'a', required: true },
    ]);
    expect(() =>
      parseSchemaJson('[{"type": "tensor", "tensor-spec": {"dtype": "float64"}}]', 'MLmodel'),
    ).toThrow(/column type "tensor" is not supported/);
    expect(() => parseSchemaJson('{oops', 'MLmodel')).toThrow(DataError);
  });

  it('reads the tensor output schema of an MLflow-made model as no column outputs, still refusing tensor inputs', () => {
    const tensor = '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]';
    expect(
      signatureFromDocument({ inputs: '[{"type": "double", "name": "a", "required": true}]', outputs: tensor }, 'MLmodel'),
    ).toEqual({ inputs: [{ type: 'double', name: 'a', required: true }], outputs: [] });
    expect(() => signatureFromDocument({ inputs: tensor, outputs: tensor }, 'MLmodel')).toThrow(
      /signature\.inputs\[0\]: column type "tensor" is not supported/,
    );
  });
});

describe('enforceSignature', () => {
  const inputs: ColSpec[] = [
    { type: 'double', name: 'x', required: true },
    { type: 'long', name: 'n', required: true },
    { type: 'string', name: 'cat', required: true },
    { type: 'boolean', name: 'flag', required: true },
    { type: 'double', name: 'opt', required: false },
  ];

  it('selects and orders the schema columns, ignoring extras; an absent optional column is all missing', () => {
    const out = enforceSignature(
      frameOf(num('extra', 9, 9), num('flag', 1, 0), str('cat', 'a', 'b'), num('n', 1, 2), num('x', 0.5, 1)),
      inputs,
    );
    expect(out.columns.map((c) => c.name)).toEqual(['x', 'n', 'cat', 'flag', 'opt']);
    expect(Array.from(out.columns[4].values as Float64Array).every(Number.isNaN)).toBe(true);
  });

  it.each([
    [
      'numeric text is parsed',
      frameOf(str('x', '1.5', ''), num('n', 1, 2), str('cat', 'a', 'b'), num('flag', 0, 1)),
      'x',
      [1.5, Number.NaN],
    ],
    [
      'numbers become text',
      frameOf(num('x', 1, 2), num('n', 1, 2), num('cat', 4, Number.NaN), num('flag', 0, 1)),
      'cat',
      ['4', null],
    ],
    [
      'true/false text is a boolean',
      frameOf(num('x', 1, 2), num('n', 1, 2), str('cat', 'a', 'b'), str('flag', 'true', 'False')),
      'flag',
      [1, 0],
    ],
  ])('%s', (_name, frame, column, expected) => {
    const out = enforceSignature(frame, inputs);
    expect(Array.from(out.columns.find((c) => c.name === column)?.values as ArrayLike<unknown>)).toEqual(
      expected,
    );
  });

  it.each([
    [
      'non-numeric text',
      frameOf(str('x', '1', 'abc'), num('n', 1, 2), str('cat', 'a', 'b'), num('flag', 0, 1)),
      /column "x": expected double, got string \(row 2 is "abc"\)/,
    ],
    [
      'a fraction in a long column',
      frameOf(num('x', 1, 2), num('n', 1, 2.5), str('cat', 'a', 'b'), num('flag', 0, 1)),
      /column "n": expected long, got double \(row 2 is 2.5/,
    ],
    [
      'a 2 in a boolean column',
      frameOf(num('x', 1, 2), num('n', 1, 2), str('cat', 'a', 'b'), num('flag', 0, 2)),
      /column "flag": expected boolean, got long \(row 2 is 2\)/,
    ],
    [
      'missing columns',
      frameOf(num('x', 1, 2)),
      /missing required columns "n" \(long\), "cat" \(string\), "flag" \(boolean\)/,
    ],
  ])('rejects %s', (_name, frame, message) => {
    expect(() => enforceSignature(frame, inputs)).toThrow(message);
  });
});
