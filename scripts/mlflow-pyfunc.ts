/**
 * mlrecipe models loaded by MLflow itself (run by scripts/mlflow-pyfunc.sh): one model per
 * registry estimator (classifiers binary and 3-class) is saved by mlrecipe, scored by mlrecipe
 * (`loadModel().predict` on an MLflow dataframe_split payload, as `recipe models predict` reads
 * it), and scored by MLflow 2.12 through the python_function flavor — `mlflow.pyfunc.load_model`,
 * the scoring server's WSGI app, and `mlflow models predict --env-manager local` for one
 * regressor and one classifier (scripts/mlflow-pyfunc.py). Numbers must agree to 1e-9, labels
 * exactly.
 *
 * Needs MLFLOW_SRC (an MLflow 2.12 source tree); MLFLOW_PYTHONPATH adds extra paths,
 * MLFLOW_PYTHON picks the interpreter (default /usr/bin/python3).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetFromRecords } from '../src/data/infer-types.js';
import { ColumnTransformer } from '../src/ml/column-transformer.js';
import { createEstimator, estimatorEntries } from '../src/ml/estimators.js';
import {
  dropColumn,
  frameFromScoringPayload,
  loadModel,
  ModelPipeline,
  saveModel,
} from '../src/models/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const mlflowSrc = process.env.MLFLOW_SRC;
if (mlflowSrc === undefined || mlflowSrc === '') {
  console.log('skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the pyfunc checks');
  process.exit(0);
}
const python = process.env.MLFLOW_PYTHON ?? '/usr/bin/python3';
const pythonPath = [mlflowSrc, ...(process.env.MLFLOW_PYTHONPATH ?? '').split(':').filter(Boolean)].join(':');
const work = mkdtempSync(join(tmpdir(), 'mlflow-pyfunc-'));

/** A deterministic stream in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const COLORS = ['red', 'green', 'blue', 'amber', 'violet', 'teal'];
const rand = lcg(11);
const training = Array.from({ length: 160 }, (_, i) => {
  const x1 = rand() * 10 - 5;
  const x2 = Math.floor(rand() * 6);
  const color = i % 40 === 0 ? 'teal' : COLORS[Math.floor(rand() * 5)];
  const shift = COLORS.indexOf(color) * 1.5;
  const score = x1 + shift - x2 * 0.5 + (rand() - 0.5) * 2;
  return {
    x1: i % 17 === 3 ? null : x1,
    x2,
    color: i % 23 === 5 ? null : color,
    y: 2 * x1 - 0.7 * x2 + shift + (rand() - 0.5),
    label3: score < -1 ? 'low' : score < 3 ? 'mid' : 'high',
    label2: score < 1.5 ? 'no' : 'yes',
  };
});

// Missing values only where MLflow's signature check lets them through: MLflow refuses NaN in a
// `long` column (x2), its rule for integer columns; mlrecipe imputes it.
const columns = ['x1', 'x2', 'color'];
const rows: unknown[][] = [
  [1.25, 3, 'red'],
  [null, 2, 'green'],
  [-4.5, 1, 'blue'],
  [3.3, 5, null],
  [0.1, 1, 'ultraviolet'],
  [-2.2, 0, 'teal'],
  [null, 4, null],
  [-0.75, 2, 'violet'],
];

interface Job {
  name: string;
  dir: string;
  columns: string[];
  rows: unknown[][];
  cli: boolean;
  ours: Array<number | string>;
}

async function saveAndScore(
  name: string,
  estimatorName: string,
  target: string,
  inputs: string[],
): Promise<Job> {
  const records = training.map((r) =>
    Object.fromEntries([...inputs, target].map((k) => [k, (r as Record<string, unknown>)[k]])),
  );
  const { frame, columnTypes } = datasetFromRecords(records, 'training');
  const X0 = dropColumn(frame, target);
  const transformer = new ColumnTransformer({ max_categories: 4 }).fit(X0);
  const estimator = createEstimator(
    estimatorName,
    estimatorName.startsWith('sgd')
      ? { random_state: 3 }
      : estimatorName === 'polynomial'
        ? { degree: 3 }
        : {},
  );
  const X = transformer.transform(X0);
  const y = frame.columns.find((c) => c.name === target);
  if (!y) throw new Error(`no column ${target}`);
  let classes: string[] | undefined;
  if (estimator.kind === 'regressor') estimator.fit(X, y.values as Float64Array);
  else {
    const labels = (y.values as (string | null)[]).map(String);
    classes = [...new Set(labels)].sort();
    const known = classes;
    estimator.fit(
      X,
      Int32Array.from(labels, (l) => known.indexOf(l)),
      classes.length,
    );
  }
  const dir = join(work, name);
  saveModel({
    dir,
    pipeline: new ModelPipeline({
      problemType: estimator.kind === 'regressor' ? 'regression' : 'classification',
      targetCol: target,
      inputColumns: inputs,
      transformer,
      estimator,
      ...(classes ? { classes } : {}),
    }),
    inputExample: frame,
    columnTypes,
  });
  const model = await loadModel(dir);
  const scoringColumns = columns.filter((c) => inputs.includes(c));
  const scoringRows = rows.map((row) => scoringColumns.map((c) => row[columns.indexOf(c)]));
  const payload = { dataframe_split: { columns: scoringColumns, data: scoringRows } };
  const ours = Array.from(
    model.predict(frameFromScoringPayload(payload, model.signature.inputs)) as ArrayLike<number | string>,
  );
  return { name, dir, columns: scoringColumns, rows: scoringRows, cli: false, ours };
}

const jobs: Job[] = [];
for (const entry of estimatorEntries()) {
  if (entry.kind === 'regressor') {
    const oneFeature = entry.name === 'polynomial' || entry.name === 'theil_sen';
    jobs.push(await saveAndScore(entry.name, entry.name, 'y', oneFeature ? ['x1'] : columns));
  } else {
    jobs.push(await saveAndScore(`${entry.name}-binary`, entry.name, 'label2', columns));
    jobs.push(await saveAndScore(`${entry.name}-3class`, entry.name, 'label3', columns));
  }
}
for (const name of ['ridge', 'decision_tree_classifier-3class']) {
  const job = jobs.find((j) => j.name === name);
  if (job) job.cli = true;
}
writeFileSync(join(work, 'jobs.json'), JSON.stringify(jobs));

const stdout = execFileSync(python, [join(here, 'mlflow-pyfunc.py'), join(work, 'jobs.json')], {
  cwd: work,
  env: { ...process.env, PYTHONPATH: pythonPath, GIT_PYTHON_REFRESH: 'quiet' },
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  maxBuffer: 64 * 1024 * 1024,
});
const theirs = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<
  string,
  Record<string, unknown>
>;

let failures = 0;
let compared = 0;
let maxDiff = 0;
for (const job of jobs) {
  const result = theirs[job.name] ?? {};
  for (const path of ['load_model', 'serve', ...(job.cli ? ['cli', 'models_serve'] : [])]) {
    const got = result[path];
    let same = Array.isArray(got) && got.length === job.ours.length;
    if (same && Array.isArray(got)) {
      job.ours.forEach((want, i) => {
        const value = got[i] as number | string;
        if (typeof want === 'number' && typeof value === 'number') {
          const diff = Math.abs(value - want);
          maxDiff = Math.max(maxDiff, diff / Math.max(1, Math.abs(want)));
          if (diff > 1e-9 * Math.max(1, Math.abs(want))) same = false;
        } else if (value !== want) same = false;
      });
    }
    compared++;
    if (!same) failures++;
    console.log(`${same ? 'PASS' : 'FAIL'}  ${job.name}: MLflow ${path}`);
    if (!same) console.log(`  mlrecipe ${JSON.stringify(job.ours)}\n  MLflow   ${JSON.stringify(got)}`);
  }
}
console.log(
  `${compared - failures} of ${compared} MLflow predictions equal mlrecipe's (largest relative difference ${maxDiff.toExponential(2)})`,
);
process.exit(failures === 0 ? 0 : 1);
