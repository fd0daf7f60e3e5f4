import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { ColumnTransformer } from '../../../src/ml/column-transformer.js';
import { type ImputeStrategy, SimpleImputer } from '../../../src/ml/impute.js';
import { compareCodePoints, OneHotEncoder, type OneHotEncoderParams } from '../../../src/ml/one-hot.js';
import { StandardScaler } from '../../../src/ml/scale.js';
import type { FeatureMatrix, Frame, FrameColumn } from '../../../src/ml/types.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/ml/trees');

type JsonColumn =
  | { name: string; type: 'number'; values: (number | null)[] }
  | { name: string; type: 'string'; values: (string | null)[] };
interface JsonFrame {
  nRows: number;
  columns: JsonColumn[];
}
interface Fixture {
  train: JsonFrame;
  test: JsonFrame;
  numeric: string[];
  categorical: string[];
  imputer: Record<ImputeStrategy, { statistics: number[]; test: (number | null)[][] }>;
  imputer_categorical: { most_frequent: string[]; constant: string[]; most_frequent_test: string[][] };
  imputer_empty_column: {
    input: (number | null)[][];
    median_output: number[][];
    constant_output: number[][];
  };
  scaler: {
    mean: number[];
    scale: number[];
    test: (number | null)[][];
    test_with_mean_false: (number | null)[][];
    test_with_std_false: (number | null)[][];
  };
  onehot: {
    params: OneHotEncoderParams;
    categories: (string | null)[][];
    feature_names: string[];
    train: number[][];
    test: number[][];
  }[];
  column_transformer: { feature_names: string[]; train: number[][]; test: number[][] };
}

const fx = JSON.parse(readFileSync(join(fixtures, 'transformers.json'), 'utf8')) as Fixture;

const numbers = (values: (number | null)[]): Float64Array =>
  Float64Array.from(values, (v) => v ?? Number.NaN);
function toFrame(f: JsonFrame): Frame {
  return {
    nRows: f.nRows,
    columns: f.columns.map((c): FrameColumn =>
      c.type === 'number'
        ? { name: c.name, type: 'number', values: numbers(c.values) }
        : { name: c.name, type: 'string', values: [...c.values] },
    ),
  };
}
const train = toFrame(fx.train);
const test = toFrame(fx.test);
const pick = (frame: Frame, names: string[]) =>
  names.map((n) => frame.columns.find((c) => c.name === n) as FrameColumn);
const matrixOf = (frame: Frame, names: string[]): FeatureMatrix => ({
  nRows: frame.nRows,
  columns: pick(frame, names).map((c) => c.values as Float64Array),
});

/** Asserts column-major equality to 1e-9, NaN (null in JSON) matching NaN. */
function expectMatrix(actual: ArrayLike<number>[], expected: (number | null)[][]): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    expect(actual[j].length).toBe(expected[j].length);
    for (let i = 0; i < expected[j].length; i++) {
      const e = expected[j][i];
      if (e === null) expect(Number.isNaN(actual[j][i]), `[${j}][${i}] should be NaN`).toBe(true);
      else expect(Math.abs(actual[j][i] - e), `[${j}][${i}]: ${actual[j][i]} vs ${e}`).toBeLessThan(1e-9);
    }
  }
}

describe('SimpleImputer matches scikit-learn', () => {
  it.each(['mean', 'median', 'most_frequent', 'constant'] as ImputeStrategy[])(
    'strategy %s on numbers',
    (strategy) => {
      const imp = new SimpleImputer({ strategy, fill_value: strategy === 'constant' ? -1 : null });
      imp.fit(pick(train, fx.numeric));
      const stats = imp.columns.map((c) => c.fill as number);
      for (let j = 0; j < stats.length; j++)
        expect(stats[j]).toBeCloseTo(fx.imputer[strategy].statistics[j], 9);
      const back = SimpleImputer.fromJSON(JSON.parse(JSON.stringify(imp.toJSON())));
      const out = back.transform(test.columns).map((c) => c.values as Float64Array);
      expectMatrix(out, fx.imputer[strategy].test);
    },
  );

  it('most_frequent and constant on strings', () => {
    const cats = pick(train, fx.categorical);
    expect(new SimpleImputer({ strategy: 'most_frequent' }).fit(cats).columns.map((c) => c.fill)).toEqual(
      fx.imputer_categorical.most_frequent,
    );
    expect(new SimpleImputer({ strategy: 'constant' }).fit(cats).columns.map((c) => c.fill)).toEqual(
      fx.imputer_categorical.constant,
    );
    const out = new SimpleImputer({ strategy: 'most_frequent' }).fit(cats).transform(test.columns);
    expect(out.map((c) => c.values)).toEqual(fx.imputer_categorical.most_frequent_test);
  });

  it('drops a column that is entirely missing in training, except with strategy constant', () => {
    const cols: FrameColumn[] = fx.imputer_empty_column.input.map((v, j) => ({
      name: 'ab'[j],
      type: 'number',
      values: numbers(v),
    }));
    const median = new SimpleImputer({ strategy: 'median' }).fit(cols);
    expect(median.outputNames()).toEqual(['a']);
    expectMatrix(
      median.transform(cols).map((c) => c.values as Float64Array),
      fx.imputer_empty_column.median_output,
    );
    const constant = new SimpleImputer({ strategy: 'constant' }).fit(cols);
    expectMatrix(
      constant.transform(cols).map((c) => c.values as Float64Array),
      fx.imputer_empty_column.constant_output,
    );
  });

  it('rejects mean on strings, a non-numeric constant for numbers, and missing columns', () => {
    const cats = pick(train, fx.categorical);
    expect(() => new SimpleImputer({ strategy: 'median' }).fit(cats)).toThrow(
      /cannot use strategy 'median' on string column "origin"/,
    );
    expect(() =>
      new SimpleImputer({ strategy: 'constant', fill_value: 'x' }).fit(pick(train, ['hp'])),
    ).toThrow(/fill_value "x" is not a number, but column "hp" is numeric/);
    const imp = new SimpleImputer().fit(pick(train, ['hp', 'year']));
    expect(() => imp.transform(pick(test, ['hp']))).toThrow(/column "year" is missing/);
    expect(() => new SimpleImputer({ strategy: 'mode' as ImputeStrategy })).toThrow(DataError);
  });
});

describe('StandardScaler matches scikit-learn', () => {
  const imputed = (frame: Frame) => {
    const imp = new SimpleImputer({ strategy: 'median' }).fit(pick(train, fx.numeric));
    return { nRows: frame.nRows, columns: imp.transform(frame.columns).map((c) => c.values as Float64Array) };
  };

  it('learns mean and population scale ignoring NaN, scale 1 for a constant column', () => {
    const scaler = new StandardScaler().fit(matrixOf(train, fx.numeric));
    expectMatrix([scaler.mean as Float64Array], [fx.scaler.mean]);
    expectMatrix([scaler.scale as Float64Array], [fx.scaler.scale]);
    expect(scaler.scale?.[3]).toBe(1);
  });

  it('transforms test data (NaN stays NaN), with and without mean/std, after a JSON round trip', () => {
    for (const [params, expected] of [
      [{}, fx.scaler.test],
      [{ with_mean: false }, fx.scaler.test_with_mean_false],
      [{ with_std: false }, fx.scaler.test_with_std_false],
    ] as const) {
      const scaler = new StandardScaler(params).fit(matrixOf(train, fx.numeric));
      const back = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
      expectMatrix(back.transform(matrixOf(test, fx.numeric)).columns, expected);
    }
    expect(imputed(test).columns.length).toBe(4);
  });

  it('rejects a different column count', () => {
    const scaler = new StandardScaler().fit(matrixOf(train, fx.numeric));
    expect(() => scaler.transform(matrixOf(test, ['hp']))).toThrow(/fitted on 4 columns but got 1/);
  });
});

describe('OneHotEncoder matches scikit-learn', () => {
  it.each(fx.onehot.map((c) => [JSON.stringify(c.params), c] as const))('%s', (_, c) => {
    const enc = new OneHotEncoder(c.params).fit(pick(train, fx.categorical));
    expect(enc.columns.map((col) => col.categories)).toEqual(c.categories);
    expect(enc.featureNames()).toEqual(c.feature_names);
    expectMatrix(enc.transform(train.columns).columns, c.train);
    const back = OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expectMatrix(back.transform(test.columns).columns, c.test);
  });

  it("handle_unknown 'error' names the column, row and category", () => {
    const enc = new OneHotEncoder({ handle_unknown: 'error' }).fit(pick(train, fx.categorical));
    expect(() => enc.transform(test.columns)).toThrow(
      /column "origin" row 1: category "Mars" was not seen in training/,
    );
  });

  it('treats null as unknown when training saw none, and rejects number columns', () => {
    const enc = new OneHotEncoder().fit([{ name: 'c', type: 'string', values: ['b', 'a'] }]);
    const out = enc.transform([{ name: 'c', type: 'string', values: [null, 'a'] }]);
    expect(out.columns.map((c) => Array.from(c))).toEqual([
      [0, 1],
      [0, 0],
    ]);
    expect(() => enc.fit([{ name: 'n', type: 'number', values: Float64Array.of(1) }])).toThrow(
      /needs string columns, but "n" is a number column/,
    );
  });

  it('sorts categories by code point, as Python does', () => {
    const values = ['b', '\u{1F600}', '\uFF5E', 'B', 'a'];
    expect([...values].sort(compareCodePoints)).toEqual(['B', 'a', 'b', '\uFF5E', '\u{1F600}']);
  });
});

describe('ColumnTransformer (the default recipe transformer)', () => {
  const features = (frame: Frame): Frame => ({ nRows: frame.nRows, columns: frame.columns });

  it('matches scikit-learn on train and test, including unseen categories', () => {
    const ct = new ColumnTransformer().fit(features(train));
    expect(ct.featureNames()).toEqual(fx.column_transformer.feature_names);
    expectMatrix(ct.transform(train).columns, fx.column_transformer.train);
    expectMatrix(ct.transform(test).columns, fx.column_transformer.test);
  });

  it('transforms identically after toJSON -> JSON text -> fromJSON', () => {
    const ct = new ColumnTransformer().fit(train);
    const back = ColumnTransformer.fromJSON(JSON.parse(JSON.stringify(ct.toJSON())));
    expect(back.featureNames()).toEqual(ct.featureNames());
    expect(back.transform(test)).toEqual(ct.transform(test));
    expect(back.inputSchema()).toEqual([
      { name: 'hp', type: 'number' },
      { name: 'weight', type: 'number' },
      { name: 'year', type: 'number' },
      { name: 'flat', type: 'number' },
      { name: 'origin', type: 'string' },
      { name: 'make', type: 'string' },
    ]);
  });

  it('ignores extra columns and column order; accepts numbers sent as strings', () => {
    const ct = new ColumnTransformer().fit(train);
    const expected = ct.transform(test);
    const asText = test.columns.map((c): FrameColumn =>
      c.type === 'number'
        ? {
            name: c.name,
            type: 'string',
            values: Array.from(c.values, (v) => (Number.isNaN(v) ? '' : ` ${v} `)),
          }
        : c,
    );
    const extra: FrameColumn = {
      name: 'id',
      type: 'string',
      values: Array.from({ length: test.nRows }, () => 'x'),
    };
    const shuffled: Frame = { nRows: test.nRows, columns: [extra, ...asText.reverse()] };
    expect(ct.transform(shuffled)).toEqual(expected);
  });

  it('names a missing column and an unparseable number', () => {
    const ct = new ColumnTransformer().fit(train);
    const withoutYear: Frame = { nRows: test.nRows, columns: test.columns.filter((c) => c.name !== 'year') };
    expect(() => ct.transform(withoutYear)).toThrow(DataError);
    expect(() => ct.transform(withoutYear)).toThrow(/column "year" is missing from the data to transform/);
    const bad: Frame = {
      nRows: 2,
      columns: [
        ...(pick(test, ['weight', 'year', 'flat', 'origin', 'make']).map((c) => ({
          ...c,
          values: c.values.slice(0, 2),
        })) as FrameColumn[]),
        { name: 'hp', type: 'string', values: ['100', 'fast'] },
      ],
    };
    expect(() => ct.transform(bad)).toThrow(/column "hp" row 1: "fast" is not a number/);
  });

  it('refuses empty training data and unfitted use', () => {
    expect(() => new ColumnTransformer().fit({ nRows: 0, columns: [] })).toThrow(/0 rows/);
    expect(() => new ColumnTransformer().transform(test)).toThrow(/not fitted yet/);
    expect(() => ColumnTransformer.fromJSON({ name: 'column_transformer', params: {}, state: {} })).toThrow(
      /'inputs' must be a list/,
    );
  });
});

describe('ColumnTransformer edge cases', () => {
  const frame: Frame = {
    nRows: 4,
    columns: [
      { name: 'x', type: 'number', values: Float64Array.of(1, 2, Number.NaN, 5) },
      {
        name: 'empty',
        type: 'number',
        values: Float64Array.of(Number.NaN, Number.NaN, Number.NaN, Number.NaN),
      },
      { name: 'code', type: 'string', values: ['10', '20', null, '10'] },
      { name: 'none', type: 'string', values: [null, null, null, null] },
    ],
  };

  it('drops columns that are entirely missing in training, as scikit-learn does', () => {
    const ct = new ColumnTransformer().fit(frame);
    expect(ct.featureNames()).toEqual(['num__x', 'cat__code_10', 'cat__code_20']);
    const out = ct.transform(frame);
    expect(out.columns.length).toBe(3);
    // x: median 2 fills row 2; mean 2.5, population std sqrt(2.25) = 1.5 after imputation.
    expect(Array.from(out.columns[0])).toEqual([-1, -1 / 3, -1 / 3, 5 / 3]);
    expect(Array.from(out.columns[1])).toEqual([1, 0, 1, 1]);
    // The inputs still include the dropped columns: a scoring request must send them.
    expect(ct.inputSchema().map((c) => c.name)).toEqual(['x', 'empty', 'code', 'none']);
  });

  it('accepts category codes sent as numbers', () => {
    const ct = new ColumnTransformer().fit(frame);
    const scoring: Frame = {
      nRows: 2,
      columns: [
        { name: 'x', type: 'number', values: Float64Array.of(2, 2) },
        { name: 'empty', type: 'number', values: Float64Array.of(1, 1) },
        { name: 'code', type: 'number', values: Float64Array.of(20, 30) },
        { name: 'none', type: 'string', values: ['a', null] },
      ],
    };
    const out = ct.transform(scoring);
    expect(out.columns.map((c) => Array.from(c))).toEqual([
      [-1 / 3, -1 / 3],
      [0, 0],
      [1, 0],
    ]);
  });
});
