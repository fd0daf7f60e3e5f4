/**
 * The Python worker with Debian's Python (/usr/bin/python3: numpy, pandas): the column exchange
 * round-trips DataFrames with exact dtypes both ways (NaN, nulls in integer and boolean columns,
 * unicode strings, categoricals, naive and tz-aware datetimes), user exceptions name the user's
 * file, line and function, a missing function lists the ones defined, a missing package names
 * the interpreter, the module and the fix, and print() in user code leaves the protocol alone.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  type ExchangeTable,
  exchangeToFrame,
  fitModel,
  modelClasses,
  NAT,
  PythonError,
  PythonWorker,
  PythonWorkerError,
  readExchangeTable,
  writeExchangeTable,
} from '../../src/python/index.js';

const PYTHON = '/usr/bin/python3';
const interpreter = { command: PYTHON, source: 'RECIPE_PYTHON' as const };

const USER_MODULE = `import pandas as pd
import numpy as np


def make_frame():
    return pd.DataFrame({
        "f64": [1.5, np.nan, -0.0, 1e300],
        "f32": np.array([0.25, np.nan, 3.0, -1.0], dtype="float32"),
        "i64": np.array([1, -2, 2**62, 0], dtype="int64"),
        "i32": np.array([7, 8, 9, -10], dtype="int32"),
        "u8": np.array([0, 1, 255, 3], dtype="uint8"),
        "nullable_int": pd.array([1, None, 3, None], dtype="Int64"),
        "b": [True, False, True, True],
        "nullable_bool": pd.array([True, None, False, None], dtype="boolean"),
        "s": ["héllo", None, "日本語 🚀", ""],
        "ss": pd.array(["a", None, "c", "d"], dtype="string"),
        "cat": pd.Categorical(["x", "y", None, "x"], categories=["y", "x"], ordered=True),
        "when": pd.to_datetime(["2024-01-02 03:04:05.123456789", None, "1969-12-31 23:59:59", "2000-02-29"]),
        "when_tz": pd.to_datetime(["2024-06-01 12:00", "2024-12-01 12:00", None, "2024-03-31 01:30"]).tz_localize("Europe/Paris"),
    })


def check(df):
    pd.testing.assert_frame_equal(df, make_frame(), check_exact=True)
    return True


def dtypes(df):
    return {str(k): str(v) for k, v in df.dtypes.items()}


def fails(df):
    print("user output on stdout must not break the protocol")
    values = df["x"].tolist()
    return helper(values)


def helper(values):
    return values[10]


def first_arg_only(location):
    return location


def weighted_classifier(params):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**params)
`;

let dir: string;
let worker: PythonWorker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-pyworker-'));
  mkdirSync(join(dir, 'steps'));
  writeFileSync(join(dir, 'steps', 'frames.py'), USER_MODULE);
  worker = await PythonWorker.start({ interpreter, onStderr: () => {} });
});

afterAll(async () => {
  await worker?.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(fn: string, args: Parameters<PythonWorker['callFunction']>[0]['args'] = []) {
  return worker.callFunction({
    module: join(dir, 'steps', 'frames.py'),
    function: fn,
    args,
    recipeDir: dir,
    shownFile: 'steps/frames.py',
  });
}

describe('python worker', () => {
  it('reports the interpreter and its packages', () => {
    expect(worker.info.python).toBe(PYTHON);
    expect(worker.info.packages.numpy).toMatch(/^\d/);
    expect(worker.info.packages.pandas).toMatch(/^\d/);
  });

  it('brings a pandas DataFrame to Node with its dtypes and back unchanged', async () => {
    const made = await call('make_frame');
    expect(made.kind).toBe('table');
    const table = (made as { table: ExchangeTable }).table;
    const byName = Object.fromEntries(table.columns.map((c) => [c.name, c]));
    expect(table.nRows).toBe(4);
    const f64 = byName.f64;
    expect(f64?.kind === 'float' && f64.values instanceof Float64Array).toBe(true);
    if (f64?.kind === 'float') {
      expect(f64.values[0]).toBe(1.5);
      expect(Number.isNaN(f64.values[1])).toBe(true);
      expect(Object.is(f64.values[2], -0)).toBe(true);
    }
    const i64 = byName.i64;
    expect(i64?.kind === 'int' && i64.values[2]).toBe(2n ** 62n);
    const nullable = byName.nullable_int;
    expect(nullable?.kind === 'int' && Array.from(nullable.mask ?? [])).toEqual([0, 1, 0, 1]);
    const s = byName.s;
    expect(s?.kind === 'string' && s.values).toEqual(['héllo', null, '日本語 🚀', '']);
    const cat = byName.cat;
    expect(cat?.kind === 'category' && [Array.from(cat.codes), cat.categories, cat.ordered]).toEqual([
      [1, 0, -1, 1],
      ['y', 'x'],
      true,
    ]);
    const when = byName.when;
    expect(when?.kind === 'datetime' && when.values[1]).toBe(NAT);
    expect(byName.when_tz?.kind === 'datetime' && byName.when_tz.tz).toBe('Europe/Paris');

    // Through a file round trip on the Node side too, then back into pandas: assert_frame_equal.
    const copy = join(dir, 'copy');
    writeExchangeTable(copy, table);
    const back = await call('check', [{ table: readExchangeTable(copy) }]);
    expect(back).toEqual({ kind: 'json', value: true });
  });

  it('maps exchange columns onto Frames (numbers, strings, ISO datetimes)', async () => {
    const made = await call('make_frame');
    const frame = exchangeToFrame((made as { table: ExchangeTable }).table);
    const col = (name: string) => frame.columns.find((c) => c.name === name);
    expect(col('nullable_int')?.values).toEqual(new Float64Array([1, Number.NaN, 3, Number.NaN]));
    expect(col('cat')?.values).toEqual(['x', 'y', null, 'x']);
    expect(col('when')?.values).toEqual([
      '2024-01-02T03:04:05.123456789Z',
      null,
      '1969-12-31T23:59:59.000Z',
      '2000-02-29T00:00:00.000Z',
    ]);
  });

  it('sends a Frame as float64 and object columns and reads it back exactly', async () => {
    const frame = {
      nRows: 3,
      columns: [
        { name: 'x', type: 'number' as const, values: new Float64Array([0.1, Number.NaN, -1e-300]) },
        { name: 'név', type: 'string' as const, values: ['ünï', null, '"quoted"\n'] },
      ],
    };
    const types = await call('dtypes', [{ frame }]);
    expect(types).toEqual({ kind: 'json', value: { x: 'float64', név: 'object' } });
    const echoed = await worker.echoTable({
      nRows: 3,
      columns: [
        { name: 'x', kind: 'float', values: frame.columns[0]?.values as Float64Array },
        { name: 'név', kind: 'string', values: ['ünï', null, '"quoted"\n'] },
      ],
    });
    expect(exchangeToFrame(echoed)).toEqual(frame);
  });

  it('names the user file, line and function when Python raises', async () => {
    const frame = {
      nRows: 1,
      columns: [{ name: 'x', type: 'number' as const, values: new Float64Array([1]) }],
    };
    const error = await call('fails', [{ frame }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PythonError);
    const e = error as PythonError;
    expect(e.pythonType).toBe('IndexError');
    const line = USER_MODULE.split('\n').findIndex((l) => l.includes('return values[10]')) + 1;
    expect(e.message).toContain(
      `steps/frames.py: fails() raised IndexError: list index out of range at steps/frames.py:${line} in helper()`,
    );
    expect(e.message).toContain('`return values[10]`');
    expect(e.hint).toContain(`steps/frames.py line ${line}`);
    expect(e.traceback).toContain('Traceback');
    // The worker survives a user exception.
    expect(await call('first_arg_only', [{ json: 'a' }])).toEqual({ kind: 'json', value: 'a' });
  });

  it('passes only the arguments a function declares when asked to (MLflow loaders)', async () => {
    const value = await worker.callFunction({
      module: join(dir, 'steps', 'frames.py'),
      function: 'first_arg_only',
      args: [{ json: '/data/x.csv' }, { json: 'csv' }],
      fitArity: true,
      recipeDir: dir,
      shownFile: 'steps/frames.py',
    });
    expect(value).toEqual({ kind: 'json', value: '/data/x.csv' });
  });

  it('re-keys a class_weight from JSON (rebalancing) to the labels as y holds them, numbers or strings', async () => {
    worker.requirePackages(['sklearn', 'cloudpickle'], 'for this test');
    const X = {
      nRows: 8,
      columns: [{ name: 'x', type: 'number' as const, values: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]) }],
    };
    const fit = async (
      y: { kind: 'float'; values: Float64Array } | { kind: 'string'; values: string[] },
      weights: Record<string, number>,
    ) => {
      const made = await call('weighted_classifier', [{ json: { class_weight: weights } }]);
      if (made.kind !== 'object') throw new Error('no estimator');
      // Without re-keying scikit-learn refuses: "The classes, [0.0, 1.0], are not in class_weight".
      const model = await fitModel(worker, {
        estimator: made.object,
        X,
        y:
          y.kind === 'float'
            ? { name: 'y', type: 'number', values: y.values }
            : { name: 'y', type: 'string', values: y.values },
      });
      return modelClasses(worker, model);
    };
    expect(
      await fit(
        { kind: 'float', values: Float64Array.from([0, 0, 0, 0, 0, 0, 1, 1]) },
        { '0': 0.67, '1': 2 },
      ),
    ).toEqual(['0', '1']);
    expect(
      await fit(
        { kind: 'string', values: ['no', 'no', 'no', 'no', 'no', 'no', 'yes', 'yes'] },
        { no: 0.67, yes: 2 },
      ),
    ).toEqual(['no', 'yes']);
  });

  it('lists the functions a module defines when the named one is missing', async () => {
    const error = await call('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('steps/frames.py');
    expect((error as ConfigError).message).toContain('does not define a function "nope"');
    expect((error as ConfigError).issues[0]?.hint).toBe(
      'it defines: check, dtypes, fails, first_arg_only, helper, make_frame, weighted_classifier',
    );
  });

  it('names the interpreter, the missing module and the fix when pandas cannot be imported', async () => {
    const shadow = join(dir, 'shadow');
    mkdirSync(shadow, { recursive: true });
    writeFileSync(join(shadow, 'pandas.py'), 'raise ModuleNotFoundError("No module named \'pandas\'")\n');
    const error = await PythonWorker.start({
      interpreter,
      env: { ...process.env, PYTHONPATH: shadow },
      onStderr: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PythonWorkerError);
    const e = error as PythonWorkerError;
    expect(e.message).toContain(`the Python interpreter ${PYTHON}`);
    expect(e.message).toContain("cannot import pandas (ModuleNotFoundError: No module named 'pandas')");
    expect(e.hint).toContain('apt-get install python3-pandas');
    expect(e.hint).toContain('python3 -m venv .venv && .venv/bin/pip install pandas');
  });

  it('says which interpreter could not be started', async () => {
    const error = await PythonWorker.start({
      interpreter: { command: join(dir, 'no-such-python'), source: 'profile' },
      onStderr: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PythonWorkerError);
    expect((error as Error).message).toContain(
      `"${join(dir, 'no-such-python')}" (from the profile's python:): not found`,
    );
  });
});
