/**
 * Issue 19: a scikit-learn model directory made the way MLflow 2.12's `mlflow.sklearn.save_model`
 * lays it out — `model.pkl` pickled by cloudpickle, an MLmodel with the `sklearn` and
 * `python_function` flavors, `mlflow_version`, `model_uuid`, `utc_time_created`, a column
 * signature with a tensor output, the environment files, and no mlrecipe metadata — is scored by
 * `recipe models predict` and served by `recipe models serve` exactly as scikit-learn's own
 * `predict` answers. The pipeline is fitted and pickled by Debian's Python in this test, so
 * nothing here was made by mlrecipe.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runCli } from '../helpers/cli.js';
import { pythonRecipeEnv } from '../helpers/python-recipe.js';

const python = '/usr/bin/python3';
let dir: string;
let modelDir: string;

const columns = ['distance_km', 'passengers', 'zone'];
const rows: [number, number, string][] = [
  [3.5, 1, 'Centre'],
  [12, 3, 'Airport'],
  [0.8, 2, 'Nord'],
  [25, 1, 'Airport'],
  [7.25, 4, 'Centre'],
];
let expected: number[];

// Fits a real ColumnTransformer pipeline, pickles it with cloudpickle as mlflow.sklearn does by
// default, and prints the versions the MLmodel records plus sklearn's predictions for `rows`.
const fitScript = `
import json, platform, sys
import cloudpickle, numpy as np, pandas as pd, sklearn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
out, rows = sys.argv[1], json.loads(sys.argv[2])
rng = np.random.default_rng(7)
n = 200
train = pd.DataFrame({
    "distance_km": rng.uniform(0.5, 30, n),
    "passengers": rng.integers(1, 5, n).astype("float64"),
    "zone": rng.choice(["Centre", "Airport", "Nord"], n),
})
fare = 2.5 + 1.7 * train.distance_km + 0.4 * train.passengers + np.where(train.zone == "Airport", 8.0, 0.0)
model = Pipeline([
    ("prep", ColumnTransformer([
        ("num", StandardScaler(), ["distance_km", "passengers"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["zone"]),
    ])),
    ("ridge", Ridge(alpha=0.5)),
]).fit(train, fare + rng.normal(0, 0.3, n))
with open(out, "wb") as f:
    cloudpickle.dump(model, f)
frame = pd.DataFrame(rows, columns=["distance_km", "passengers", "zone"])
frame[["distance_km", "passengers"]] = frame[["distance_km", "passengers"]].astype("float64")
print(json.dumps({
    "predictions": [float(v) for v in model.predict(frame)],
    "sklearn": sklearn.__version__,
    "cloudpickle": cloudpickle.__version__,
    "python": platform.python_version(),
}))
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-mlflow-made-sklearn-'));
  modelDir = join(dir, 'model');
  execFileSync('mkdir', [modelDir]);
  const made = JSON.parse(
    execFileSync(python, ['-c', fitScript, join(modelDir, 'model.pkl'), JSON.stringify(rows)], {
      encoding: 'utf8',
    }),
  ) as { predictions: number[]; sklearn: string; cloudpickle: string; python: string };
  expected = made.predictions;
  // The MLmodel as mlflow.sklearn.save_model (MLflow 2.12.2) writes it: both flavors, the
  // signature's schemas as JSON strings, no mlrecipe_recipe metadata.
  const mlmodel = {
    flavors: {
      python_function: {
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        loader_module: 'mlflow.sklearn',
        model_path: 'model.pkl',
        predict_fn: 'predict',
        python_version: made.python,
      },
      sklearn: {
        code: null,
        pickled_model: 'model.pkl',
        serialization_format: 'cloudpickle',
        sklearn_version: made.sklearn,
      },
    },
    mlflow_version: '2.12.2',
    model_size_bytes: 2048,
    model_uuid: '6f1c2b9e8d7a4c3b9e0f1a2b3c4d5e6f',
    signature: {
      inputs: JSON.stringify([
        { type: 'double', name: 'distance_km', required: true },
        { type: 'double', name: 'passengers', required: true },
        { type: 'string', name: 'zone', required: true },
      ]),
      outputs: JSON.stringify([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1] } }]),
      params: null,
    },
    utc_time_created: '2026-12-08 04:27:31.088789',
  };
  writeFileSync(join(modelDir, 'MLmodel'), stringifyYaml(mlmodel));
  const pins = ['mlflow==2.12.2', `cloudpickle==${made.cloudpickle}`, `scikit-learn==${made.sklearn}`];
  writeFileSync(join(modelDir, 'requirements.txt'), `${pins.join('\n')}\n`);
  writeFileSync(
    join(modelDir, 'python_env.yaml'),
    `python: ${made.python}\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n`,
  );
  writeFileSync(
    join(modelDir, 'conda.yaml'),
    `channels:\n- conda-forge\ndependencies:\n- python=${made.python}\n- pip\n- pip:\n${pins
      .map((p) => `  - ${p}`)
      .join('\n')}\nname: mlflow-env\n`,
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an MLflow-made scikit-learn model directory', () => {
  it('recipe models predict scores it as scikit-learn predicts', async () => {
    const input = join(dir, 'rows.json');
    writeFileSync(input, JSON.stringify({ dataframe_split: { columns, data: rows } }));
    const scored = await runCli(['models', 'predict', '-m', modelDir, '-i', input], {
      cwd: dir,
      env: pythonRecipeEnv(),
    });
    expect(scored.code, scored.stderr).toBe(0);
    const predictions = (JSON.parse(scored.stdout) as { predictions: number[] }).predictions;
    expect(predictions).toHaveLength(rows.length);
    predictions.forEach((p, i) => expect(p).toBeCloseTo(expected[i] as number, 9));
  }, 120_000);

  it('recipe models serve answers MLflow payloads as scikit-learn predicts', async () => {
    const child = spawn(
      process.execPath,
      [cli, 'models', 'serve', '-m', modelDir, '--port', '0', '--host', '127.0.0.1'],
      { cwd: dir, env: pythonRecipeEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let stdout = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) resolveUrl(match[1] as string);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const records = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
      const bodies = {
        dataframe_split: { dataframe_split: { columns, data: rows } },
        dataframe_records: { dataframe_records: records },
      };
      for (const [format, body] of Object.entries(bodies)) {
        const response = await fetch(`${url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, `${format}: ${stderr}`).toBe(200);
        const answer = (await response.json()) as { predictions: number[] };
        expect(answer.predictions, format).toHaveLength(rows.length);
        answer.predictions.forEach((p, i) => expect(p, format).toBeCloseTo(expected[i] as number, 9));
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)));
    }
  }, 120_000);
});
