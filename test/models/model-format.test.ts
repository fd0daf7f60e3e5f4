import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DataError, UsageError } from '../../src/errors.js';
import { createRegressor } from '../../src/ml/estimators.js';
import type { Frame } from '../../src/ml/types.js';
import {
  enforceSignature,
  loadModel,
  ModelPipeline,
  PassthroughTransformer,
  registerModelUriResolver,
  saveModel,
} from '../../src/models/index.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-model-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/** y = 2a - 3b + 1 with a little deterministic noise; `n` a whole-number column. */
function trainingFrame(nRows = 40): Frame {
  const a = new Float64Array(nRows);
  const b = new Float64Array(nRows);
  const n = new Float64Array(nRows);
  const y = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    a[i] = i / 7;
    b[i] = Math.sin(i) * 3;
    n[i] = i % 5;
    y[i] = 2 * a[i] - 3 * b[i] + 0.5 * n[i] + 1 + Math.cos(i * 13) * 0.01;
  }
  return {
    nRows,
    columns: [
      { name: 'a', type: 'number', values: a },
      { name: 'b', type: 'number', values: b },
      { name: 'n', type: 'number', values: n },
      { name: 'y', type: 'number', values: y },
    ],
  };
}

function fitPipeline(frame: Frame): ModelPipeline {
  const transformer = new PassthroughTransformer(['a', 'b', 'n']);
  const estimator = createRegressor('linear_regression');
  const yColumn = frame.columns[3];
  if (yColumn.type !== 'number') throw new Error('y must be numeric');
  estimator.fit(transformer.transform(frame), yColumn.values);
  return new ModelPipeline({
    problemType: 'regression',
    targetCol: 'y',
    inputColumns: ['a', 'b', 'n'],
    transformer,
    estimator,
  });
}

describe('saveModel / loadModel', () => {
  it('writes an MLflow-style MLmodel, pipeline.json and input example', () => {
    const frame = trainingFrame();
    const dir = join(work, 'model');
    const saved = saveModel({
      dir,
      pipeline: fitPipeline(frame),
      inputExample: frame,
      runId: 'abc123',
      artifactPath: 'model',
      now: new Date('2024-01-01T12:00:00.123Z'),
    });
    expect(readdirSync(dir).sort()).toEqual(['MLmodel', 'code', 'input_example.json', 'pipeline.json']);
    expect(readdirSync(join(dir, 'code'))).toEqual(['mlrecipe_pyfunc.py']);
    const text = readFileSync(join(dir, 'MLmodel'), 'utf8');
    expect(text).toContain("utc_time_created: '2024-01-01 12:00:00.123000'");
    const mlmodel = parseYaml(text) as Record<string, unknown>;
    expect(Object.keys(mlmodel)).toEqual([...Object.keys(mlmodel)].sort());
    expect(mlmodel.artifact_path).toBe('model');
    expect(mlmodel.run_id).toBe('abc123');
    expect(mlmodel.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(mlmodel.model_uuid).toBe(saved.modelUuid);
    expect(mlmodel.flavors).toEqual({
      mlrecipe: {
        pipeline: 'pipeline.json',
        mlrecipe_version: expect.any(String),
        estimator: 'linear_regression',
        problem_type: 'regression',
      },
      python_function: {
        loader_module: 'mlrecipe_pyfunc',
        code: 'code',
        data: 'pipeline.json',
        python_version: '3.8',
      },
    });
    expect(saved.pythonFunction).toEqual({ available: true });
    expect(mlmodel.saved_input_example_info).toEqual({
      artifact_path: 'input_example.json',
      type: 'dataframe',
      pandas_orient: 'split',
    });
    const signature = mlmodel.signature as Record<string, unknown>;
    // MLflow keeps the column specs as a JSON string, formatted like Python's json.dumps.
    expect(signature.inputs).toBe(
      '[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}, ' +
        '{"type": "long", "name": "n", "required": true}]',
    );
    expect(signature.outputs).toBe('[{"type": "double", "required": true}]');
    expect(signature.params).toBeNull();
    const example = JSON.parse(readFileSync(join(dir, 'input_example.json'), 'utf8'));
    expect(example.columns).toEqual(['a', 'b', 'n']);
    expect(example.data).toHaveLength(5);
    expect(example.data[1]).toEqual([1 / 7, Math.sin(1) * 3, 1]);
    const pipeline = JSON.parse(readFileSync(join(dir, 'pipeline.json'), 'utf8'));
    expect(pipeline).toMatchObject({
      format: 'mlrecipe.pipeline',
      format_version: 1,
      problem_type: 'regression',
      target_col: 'y',
      input_columns: ['a', 'b', 'n'],
      transformer: { kind: 'passthrough', columns: ['a', 'b', 'n'] },
      estimator: { kind: 'builtin', name: 'linear_regression' },
    });
  });

  it('loads a model that predicts exactly what the in-process pipeline predicted', async () => {
    const frame = trainingFrame();
    const pipeline = fitPipeline(frame);
    const expected = pipeline.predict(frame) as Float64Array;
    const dir = join(work, 'model');
    saveModel({ dir, pipeline, inputExample: frame });
    const model = await loadModel(dir);
    expect(model.problemType).toBe('regression');
    expect(model.targetCol).toBe('y');
    const got = model.predict(frame) as Float64Array;
    expect(Array.from(got)).toEqual(Array.from(expected));
    // Column order and extra columns do not matter; names do.
    const shuffled: Frame = {
      nRows: frame.nRows,
      columns: [frame.columns[2], frame.columns[0], frame.columns[1]],
    };
    expect(Array.from(model.predict(shuffled) as Float64Array)).toEqual(Array.from(expected));
    expect(model.inputExample()?.columns.map((c) => c.name)).toEqual(['a', 'b', 'n']);
    expect(model.predictProba).toBeUndefined();
    // file: URIs resolve to the same directory.
    const viaUri = await loadModel(pathToFileURL(dir).href);
    expect(Array.from(viaUri.predict(frame) as Float64Array)).toEqual(Array.from(expected));
  });

  it('refuses to overwrite an existing directory and leaves no temp directory behind', () => {
    const frame = trainingFrame();
    const dir = join(work, 'model');
    saveModel({ dir, pipeline: fitPipeline(frame), inputExample: frame });
    expect(() => saveModel({ dir, pipeline: fitPipeline(frame), inputExample: frame })).toThrow(
      /already exists/,
    );
    // A failing save (input example lacks a pipeline column) cleans up after itself.
    const broken: Frame = { nRows: frame.nRows, columns: frame.columns.slice(0, 2) };
    expect(() =>
      saveModel({ dir: join(work, 'other'), pipeline: fitPipeline(frame), inputExample: broken }),
    ).toThrow(DataError);
    expect(readdirSync(work)).toEqual(['model']);
  });

  it('rejects a missing or mistyped column with the column, expected and actual type', async () => {
    const frame = trainingFrame();
    const dir = join(work, 'model');
    saveModel({ dir, pipeline: fitPipeline(frame), inputExample: frame });
    const model = await loadModel(dir);
    const missing: Frame = { nRows: frame.nRows, columns: [frame.columns[0], frame.columns[2]] };
    expect(() => model.predict(missing)).toThrow(/missing required column "b" \(double\)/);
    const text: Frame = {
      nRows: 2,
      columns: [
        { name: 'a', type: 'number', values: Float64Array.of(1, 2) },
        { name: 'b', type: 'string', values: ['x', 'y'] },
        { name: 'n', type: 'number', values: Float64Array.of(1, 2) },
      ],
    };
    expect(() => model.predict(text)).toThrow(/column "b": expected double, got string \(row 1 is "x"\)/);
    const fractional: Frame = {
      nRows: 2,
      columns: [
        { name: 'a', type: 'number', values: Float64Array.of(1, 2) },
        { name: 'b', type: 'number', values: Float64Array.of(1, 2) },
        { name: 'n', type: 'number', values: Float64Array.of(1, 2.5) },
      ],
    };
    expect(() => model.predict(fractional)).toThrow(/column "n": expected long, got double \(row 2 is 2.5/);
    // Missing values are the transformer's business, not a type error.
    const withGaps: Frame = {
      nRows: 2,
      columns: [
        { name: 'a', type: 'number', values: Float64Array.of(1, Number.NaN) },
        { name: 'b', type: 'string', values: [null, null] },
        { name: 'n', type: 'number', values: Float64Array.of(Number.NaN, 2) },
      ],
    };
    const checked = enforceSignature(withGaps, model.signature.inputs);
    // An all-missing text column matches a numeric spec and arrives as NaN.
    expect(checked.columns.map((c) => c.type)).toEqual(['number', 'number', 'number']);
    expect(Number.isNaN(checked.columns[1].values[0] as number)).toBe(true);
  });

  it('resolves URI schemes through pluggable resolvers', async () => {
    const frame = trainingFrame();
    const dir = join(work, 'model');
    saveModel({ dir, pipeline: fitPipeline(frame), inputExample: frame });
    await expect(loadModel('runs:/0123/model')).rejects.toThrow(UsageError);
    await expect(loadModel('runs:/0123/model')).rejects.toThrow(/no resolver for "runs:"/);
    const seen: string[] = [];
    const model = await loadModel('runs:/0123/model', {
      resolvers: {
        runs: async (uri) => {
          seen.push(uri);
          return dir;
        },
      },
    });
    expect(seen).toEqual(['runs:/0123/model']);
    expect(model.dir).toBe(dir);
    registerModelUriResolver('models', async () => dir);
    expect((await loadModel('models:/m/1')).dir).toBe(dir);
  });

  it('reports a directory without MLmodel and a model of a foreign flavor', async () => {
    await expect(loadModel(work)).rejects.toThrow(/has no MLmodel file/);
    await expect(loadModel(join(work, 'nope'))).rejects.toThrow(/does not exist/);
    const frame = trainingFrame();
    const dir = join(work, 'model');
    saveModel({ dir, pipeline: fitPipeline(frame), inputExample: frame });
    const mlmodelPath = join(dir, 'MLmodel');
    const original = readFileSync(mlmodelPath, 'utf8');
    writeFileSync(mlmodelPath, original.replace('pipeline: pipeline.json', 'pipeline: ../../etc/passwd'));
    await expect(loadModel(dir)).rejects.toThrow(
      /flavors.mlrecipe.pipeline "..\/..\/etc\/passwd" points outside/,
    );
    writeFileSync(mlmodelPath, original.replace(/flavors:\n {2}mlrecipe:/, 'flavors:\n  sklearn:'));
    await expect(loadModel(dir)).rejects.toThrow(
      /has no "mlrecipe" flavor \(it has sklearn, python_function\)/,
    );
  });
});
