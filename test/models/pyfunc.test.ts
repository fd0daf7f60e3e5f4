/**
 * The python_function flavor: every model mlrecipe saves (with built-in components) carries
 * code/mlrecipe_pyfunc.py, and Debian's Python with numpy and pandas loads it as MLflow's pyfunc
 * does — import the loader module from the flavor's `code` path, `_load_pyfunc(<data path>)`,
 * `.predict(pandas.DataFrame)` — and predicts what `recipe models predict` predicts: numbers to
 * 1e-9, class labels exactly. The scoring rows hold missing numbers, missing and unseen
 * categories, and numbers sent as text.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFromRecords } from '../../src/data/infer-types.js';
import { ColumnTransformer } from '../../src/ml/column-transformer.js';
import { createEstimator, estimatorEntries } from '../../src/ml/estimators.js';
import type { Frame } from '../../src/ml/types.js';
import {
  dropColumn,
  MLMODEL_FILE,
  modelContentDigest,
  ModelPipeline,
  PassthroughTransformer,
  readMLmodel,
  saveModel,
} from '../../src/models/index.js';
import { PYFUNC_ESTIMATORS, pyfuncModulePath } from '../../src/models/pyfunc.js';
import { runCli } from '../helpers/cli.js';

const exec = promisify(execFile);
const PYTHON = '/usr/bin/python3';

/** A deterministic stream in [0, 1) (a small LCG: the data must not change between runs). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const COLORS = ['red', 'green', 'blue', 'amber', 'violet', 'teal'];

function trainingRecords(): Record<string, unknown>[] {
  const rand = lcg(7);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 160; i++) {
    const x1 = rand() * 10 - 5;
    const x2 = Math.floor(rand() * 6);
    // 'teal' is rare, so a max_categories cap groups it into the infrequent column.
    const color = i % 40 === 0 ? 'teal' : COLORS[Math.floor(rand() * 5)];
    const shift = COLORS.indexOf(color) * 1.5;
    const y = 2 * x1 - 0.7 * x2 + shift + (rand() - 0.5);
    const score = x1 + shift - x2 * 0.5 + (rand() - 0.5) * 2;
    rows.push({
      x1: i % 17 === 3 ? null : x1,
      x2,
      color: i % 23 === 5 ? null : color,
      y,
      label3: score < -1 ? 'low' : score < 3 ? 'mid' : 'high',
      label2: score < 1.5 ? 'no' : 'yes',
    });
  }
  return rows;
}

/** Missing numbers, a missing and an unseen category, numeric text, a number where text was. */
const SCORING = {
  columns: ['x1', 'x2', 'color'],
  data: [
    [1.25, 3, 'red'],
    [null, 2, 'green'],
    [-4.5, null, 'blue'],
    [3.3, 5, null],
    [0.1, 1, 'ultraviolet'],
    [-2.2, 0, 'teal'],
    ['2.5', '4', 'amber'],
    [4.9, 5, 7],
    [null, null, null],
    [-0.75, 2, 'violet'],
  ],
};

interface Case {
  name: string;
  dir: string;
  problem: 'regression' | 'classification';
  /** Scoring rows (SCORING.data unless the model cannot take missing values). */
  rows: unknown[][];
}

let work: string;
const cases: Case[] = [];

function fitPipeline(options: {
  estimator: string;
  params?: Record<string, unknown>;
  target: 'y' | 'label3' | 'label2';
  inputs: string[];
  passthrough?: boolean;
  maxCategories?: number | null;
}): {
  pipeline: ModelPipeline;
  frame: Frame;
  columnTypes: ReturnType<typeof datasetFromRecords>['columnTypes'];
} {
  const records = trainingRecords().map((r) =>
    Object.fromEntries([...options.inputs, options.target].map((k) => [k, r[k]])),
  );
  const { frame, columnTypes } = datasetFromRecords(records, 'training');
  const inputs = dropColumn(frame, options.target);
  const transformer = options.passthrough
    ? new PassthroughTransformer(options.inputs)
    : new ColumnTransformer({ max_categories: options.maxCategories ?? 4 }).fit(inputs);
  const estimator = createEstimator(options.estimator, options.params ?? {});
  const X = transformer.transform(inputs);
  const target = frame.columns.find((c) => c.name === options.target);
  if (!target) throw new Error('no target');
  let classes: string[] | undefined;
  if (estimator.kind === 'regressor') {
    estimator.fit(X, target.values as Float64Array);
  } else {
    const labels = target.values as (string | null)[];
    classes = [...new Set(labels.map(String))].sort();
    const y = Int32Array.from(labels, (l) => (classes as string[]).indexOf(String(l)));
    estimator.fit(X, y, classes.length);
  }
  const pipeline = new ModelPipeline({
    problemType: estimator.kind === 'regressor' ? 'regression' : 'classification',
    targetCol: options.target,
    inputColumns: options.inputs,
    transformer,
    estimator,
    ...(classes ? { classes } : {}),
  });
  return { pipeline, frame, columnTypes };
}

function save(name: string, fitted: ReturnType<typeof fitPipeline>, rows = SCORING.data): void {
  const dir = join(work, name);
  saveModel({ dir, pipeline: fitted.pipeline, inputExample: fitted.frame, columnTypes: fitted.columnTypes });
  writeFileSync(
    join(work, `${name}.json`),
    JSON.stringify({ dataframe_split: { columns: SCORING.columns, data: rows } }),
  );
  cases.push({ name, dir, problem: fitted.pipeline.problemType, rows });
}

const ALL = ['x1', 'x2', 'color'];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-pyfunc-'));
  for (const entry of estimatorEntries()) {
    const oneFeature = entry.name === 'polynomial' || entry.name === 'theil_sen';
    if (entry.kind === 'regressor') {
      save(
        entry.name,
        fitPipeline({
          estimator: entry.name,
          target: 'y',
          inputs: oneFeature ? ['x1'] : ALL,
          ...(entry.name === 'polynomial' ? { params: { degree: 3 } } : {}),
          ...(entry.name === 'sgd_regressor' ? { params: { random_state: 3 } } : {}),
        }),
      );
    } else {
      const params = entry.name === 'sgd_classifier' ? { random_state: 3 } : {};
      save(
        `${entry.name}-binary`,
        fitPipeline({ estimator: entry.name, params, target: 'label2', inputs: ALL }),
      );
      save(
        `${entry.name}-3class`,
        fitPipeline({ estimator: entry.name, params, target: 'label3', inputs: ALL }),
      );
    }
  }
  // Variants: other kernels, depth-limited trees, one-vs-rest, log loss, no category cap,
  // and a passthrough transformer (numbers as they are).
  for (const kernel of ['rbf', 'polynomial', 'sigmoid']) {
    save(
      `kernel_ridge-${kernel}`,
      fitPipeline({ estimator: 'kernel_ridge', params: { kernel, alpha: 0.5 }, target: 'y', inputs: ALL }),
    );
  }
  save(
    'decision_tree_regressor-depth3',
    fitPipeline({ estimator: 'decision_tree_regressor', params: { max_depth: 3 }, target: 'y', inputs: ALL }),
  );
  save(
    'random_forest_regressor-small',
    fitPipeline({
      estimator: 'random_forest_regressor',
      params: { n_estimators: 7, max_depth: 4, max_samples: 0.5, max_features: 'sqrt', random_state: 5 },
      target: 'y',
      inputs: ALL,
    }),
  );
  save(
    'extra_trees_classifier-bootstrap',
    fitPipeline({
      estimator: 'extra_trees_classifier',
      params: { n_estimators: 9, bootstrap: true, criterion: 'entropy', random_state: 2 },
      target: 'label3',
      inputs: ALL,
    }),
  );
  save(
    'logistic_regression-ovr',
    fitPipeline({
      estimator: 'logistic_regression',
      params: { multi_class: 'ovr' },
      target: 'label3',
      inputs: ALL,
    }),
  );
  save(
    'sgd_classifier-log_loss',
    fitPipeline({
      estimator: 'sgd_classifier',
      params: { loss: 'log_loss', random_state: 1 },
      target: 'label3',
      inputs: ALL,
    }),
  );
  save('ridge-uncapped', fitPipeline({ estimator: 'ridge', target: 'y', inputs: ALL, maxCategories: null }));
  // A passthrough model has no imputer: both sides refuse missing values, so score complete rows.
  save(
    'linear_regression-passthrough',
    fitPipeline({ estimator: 'linear_regression', target: 'y', inputs: ['x2'], passthrough: true }),
    SCORING.data.filter((row) => row[1] !== null),
  );
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Loads each model as MLflow's pyfunc does and prints its predictions as JSON, one per model. */
const PYFUNC_DRIVER = `
import importlib, json, os, sys
import pandas as pd
jobs = json.load(sys.stdin)
out = {}
for job in jobs:
    sys.path.insert(0, os.path.join(job["dir"], job["code"]))
    sys.modules.pop(job["loader_module"], None)
    module = importlib.import_module(job["loader_module"])
    model = module._load_pyfunc(os.path.join(job["dir"], job["data"]))
    frame = pd.DataFrame(job["rows"], columns=job["columns"])
    predictions = model.predict(frame)
    out[job["name"]] = [p if isinstance(p, str) else float(p) for p in predictions.tolist()]
    sys.path.pop(0)
print(json.dumps(out))
`;

async function pythonPredictions(): Promise<Record<string, Array<number | string>>> {
  const jobs = cases.map((c) => {
    const flavor = readMLmodel(c.dir).flavors.python_function as Record<string, string>;
    return { name: c.name, dir: c.dir, ...flavor, columns: SCORING.columns, rows: c.rows };
  });
  const child = exec(PYTHON, ['-c', PYFUNC_DRIVER], { maxBuffer: 1 << 24 });
  child.child.stdin?.end(JSON.stringify(jobs));
  const { stdout } = await child;
  return JSON.parse(stdout) as Record<string, Array<number | string>>;
}

async function recipePredictions(c: Case): Promise<Array<number | string>> {
  const result = await runCli(['models', 'predict', '-m', c.dir, '-i', join(work, `${c.name}.json`)]);
  if (result.code !== 0) throw new Error(`recipe models predict ${c.dir}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { predictions: Array<number | string> }).predictions;
}

describe('the python_function flavor', () => {
  it('is in every model with built-in components, with MLflow pyfunc keys and the module in code/', () => {
    for (const c of cases) {
      const mlmodel = readMLmodel(c.dir);
      expect(mlmodel.flavors.python_function, c.name).toEqual({
        loader_module: 'mlrecipe_pyfunc',
        code: 'code',
        data: 'pipeline.json',
        python_version: '3.8',
      });
      expect(readFileSync(join(c.dir, 'code', 'mlrecipe_pyfunc.py'), 'utf8')).toBe(
        readFileSync(pyfuncModulePath(), 'utf8'),
      );
    }
    expect(readFileSync(join(cases[0].dir, MLMODEL_FILE), 'utf8')).toContain(
      'python_function:\n    code: code\n    data: pipeline.json\n    loader_module: mlrecipe_pyfunc\n',
    );
  });

  it('covers every estimator in the registry', () => {
    for (const entry of estimatorEntries()) {
      expect(PYFUNC_ESTIMATORS.has(entry.name), entry.name).toBe(true);
      expect(PYFUNC_ESTIMATORS.has(entry.stateName), entry.stateName).toBe(true);
    }
  });

  it('predicts what recipe models predict does: numbers to 1e-9, labels exactly', async () => {
    const fromPython = await pythonPredictions();
    expect(Object.keys(fromPython).sort()).toEqual(cases.map((c) => c.name).sort());
    for (const c of cases) {
      const expected = await recipePredictions(c);
      const actual = fromPython[c.name];
      expect(actual, c.name).toHaveLength(c.rows.length);
      if (c.problem === 'classification') {
        expect(actual, c.name).toEqual(expected);
        continue;
      }
      for (let i = 0; i < expected.length; i++) {
        const want = expected[i] as number;
        const got = actual[i] as number;
        expect(typeof want, `${c.name} row ${i}`).toBe('number');
        expect(Math.abs(got - want), `${c.name} row ${i}: python ${got}, recipe ${want}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(want)),
        );
      }
    }
    // The cases exercise both sides of the comparison: classifiers predict more than one label.
    const labels = new Set(
      cases.filter((c) => c.problem === 'classification').flatMap((c) => fromPython[c.name]),
    );
    expect(labels.size).toBeGreaterThan(2);
  });

  it('keeps identical models identical: the same content digest for two savings', () => {
    const fitted = fitPipeline({ estimator: 'ridge', target: 'y', inputs: ALL });
    const a = join(work, 'digest-a');
    const b = join(work, 'digest-b');
    saveModel({ dir: a, pipeline: fitted.pipeline, inputExample: fitted.frame, runId: 'a'.repeat(32) });
    saveModel({ dir: b, pipeline: fitted.pipeline, inputExample: fitted.frame, runId: 'b'.repeat(32) });
    expect(modelContentDigest(a)).toBe(modelContentDigest(b));
    // The loader module is part of the digest: a changed loader is a changed model.
    writeFileSync(join(b, 'code', 'mlrecipe_pyfunc.py'), '# edited\n', { flag: 'a' });
    expect(modelContentDigest(b)).not.toBe(modelContentDigest(a));
  });
});
