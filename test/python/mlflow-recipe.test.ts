/**
 * Acceptance for issue 19: test/fixtures/mlflow-recipe, a recipe written for these tests in the
 * shape of MLflow's recipes-regression-template (Python steps for ingest, split filter,
 * transform, train and custom metrics; a Jinja profile with `default()` and `{% if %}`; a
 * scikit-learn ColumnTransformer pipeline and GradientBoostingRegressor), runs with
 * `recipe run --profile local` as it is, with Debian's Python (RECIPE_PYTHON). The model is saved
 * with MLflow's sklearn and python_function flavors, registered, served by `recipe models serve`
 * (dataframe_split, dataframe_records and inputs answer what scikit-learn answers in a separate
 * Python process), scored by `recipe models
 * predict` through the worker, and the second run is served from the cache.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runCli } from '../helpers/cli.js';
import { pythonRecipeEnv } from '../helpers/python-recipe.js';

const fixture = fileURLToPath(new URL('../fixtures/mlflow-recipe', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-mlflow-shape-'));
  cpSync(fixture, dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = pythonRecipeEnv;

function stepStates(stdout: string): Record<string, string> {
  const states: Record<string, string> = {};
  for (const m of stdout.matchAll(/^(ingest|split|transform|train|evaluate|register)\s+(\w+)/gm)) {
    states[m[1] as string] = m[2] as string;
  }
  return states;
}

describe('an MLflow-shaped recipe with Python steps and scikit-learn', () => {
  it('runs with recipe run --profile local unchanged and registers a scikit-learn model', async () => {
    const first = await runCli(['run', '--profile', 'local'], { cwd: dir, env: env() });
    expect(first.code).toBe(0);
    expect(stepStates(first.stdout)).toEqual({
      ingest: 'ran',
      split: 'ran',
      transform: 'ran',
      train: 'ran',
      evaluate: 'ran',
      register: 'ran',
    });
    expect(first.stderr).toContain(
      '[transform] fitted sklearn.pipeline.Pipeline (steps/transform.py:transformer_fn())',
    );
    expect(first.stderr).toContain(
      '[train] fitted sklearn.ensemble._gb.GradientBoostingRegressor (steps/train.py:estimator_fn())',
    );
    expect(first.stderr).toContain('registered trip-fares version 1 as @champion');
  }, 240_000);

  it('saves the model as MLflow saves a scikit-learn model', async () => {
    const modelDir = (
      await runCli(['get-artifact', '--step', 'train', '--name', 'model'], { cwd: dir, env: env() })
    ).stdout.trim();
    expect(readdirSync(modelDir).sort()).toEqual([
      'MLmodel',
      'conda.yaml',
      'input_example.json',
      'model.pkl',
      'python_env.yaml',
      'requirements.txt',
    ]);
    const mlmodel = parseYaml(readFileSync(join(modelDir, 'MLmodel'), 'utf8')) as {
      flavors: Record<string, Record<string, unknown>>;
      signature: { inputs: string };
    };
    expect(mlmodel.flavors.sklearn).toEqual({
      code: null,
      pickled_model: 'model.pkl',
      serialization_format: 'cloudpickle',
      sklearn_version: expect.stringMatching(/^\d+\.\d+/) as unknown,
    });
    expect(mlmodel.flavors.python_function).toMatchObject({
      loader_module: 'mlflow.sklearn',
      model_path: 'model.pkl',
      predict_fn: 'predict',
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
    });
    expect(JSON.parse(mlmodel.signature.inputs)).toContainEqual({
      type: 'string',
      name: 'pickup_zone',
      required: true,
    });
    expect(readFileSync(join(modelDir, 'requirements.txt'), 'utf8')).toMatch(
      /^mlflow==2\.12\.2\ncloudpickle==.+\nscikit-learn==.+\n$/,
    );
  }, 120_000);

  it('scores rows with the registered model through the Python worker', async () => {
    const input = join(dir, 'score.csv');
    writeFileSync(
      input,
      'trip_id,distance_km,passengers,pickup_zone,hour\n1,10,1,Centre,12\n2,10,1,Airport,12\n3,1,2,Nord,23\n',
    );
    // The profile's experiment.tracking_uri, relative to the recipe directory as in MLflow.
    const trackingUri = `sqlite:///${join(dir, 'metadata', 'mlflow', 'mlruns.db')}`;
    const scored = await runCli(
      ['models', 'predict', '--tracking-uri', trackingUri, '-m', 'models:/trip-fares@champion', '-i', input],
      { cwd: dir, env: env() },
    );
    expect(scored.stderr).toBe('');
    expect(scored.code).toBe(0);
    const predictions = (JSON.parse(scored.stdout) as { predictions: number[] }).predictions;
    expect(predictions).toHaveLength(3);
    // fare ≈ 3.5 + 2.1·km + 0.5·passengers (+8 from the airport): the model learnt the surcharge.
    expect(predictions[1] as number).toBeGreaterThan((predictions[0] as number) + 4);
    expect(predictions[0] as number).toBeGreaterThan(15);
    expect(predictions[0] as number).toBeLessThan(35);
  }, 120_000);

  it('recipe models serve scores MLflow payloads as scikit-learn does in its own process', async () => {
    const trackingUri = `sqlite:///${join(dir, 'metadata', 'mlflow', 'mlruns.db')}`;
    const rows = [
      { trip_id: 11, distance_km: 3.5, passengers: 1, pickup_zone: 'Centre', hour: 8 },
      { trip_id: 12, distance_km: 12, passengers: 3, pickup_zone: 'Airport', hour: 17 },
      { trip_id: 13, distance_km: 0.8, passengers: 2, pickup_zone: 'Nord', hour: 23 },
      { trip_id: 14, distance_km: 25, passengers: 1, pickup_zone: 'Airport', hour: 5 },
    ];
    const columns = Object.keys(rows[0] as object);
    // scikit-learn's own answer: the registered model.pkl unpickled by a separate Python process.
    const modelDir = (
      await runCli(['get-artifact', '--step', 'train', '--name', 'model'], { cwd: dir, env: env() })
    ).stdout.trim();
    const reference = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import json, sys, pickle, pandas as pd',
          'model = pickle.load(open(sys.argv[1], "rb"))',
          'df = pd.DataFrame(json.loads(sys.argv[2]))',
          'print(json.dumps([float(v) for v in model.predict(df)]))',
        ].join('\n'),
        join(modelDir, 'model.pkl'),
        JSON.stringify(rows),
      ],
      { encoding: 'utf8' },
    );
    const expected = JSON.parse(reference) as number[];
    expect(expected).toHaveLength(4);

    const child = spawn(
      process.execPath,
      [
        cli,
        'models',
        'serve',
        '--tracking-uri',
        trackingUri,
        '-m',
        'models:/trip-fares@champion',
        '--port',
        '0',
      ],
      { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
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
      const bodies = {
        dataframe_split: { dataframe_split: { columns, data: rows.map((r) => Object.values(r)) } },
        dataframe_records: { dataframe_records: rows },
        inputs: {
          inputs: Object.fromEntries(columns.map((c) => [c, rows.map((r) => r[c as keyof typeof r])])),
        },
      };
      for (const [format, body] of Object.entries(bodies)) {
        const response = await fetch(`${url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, `${format}: ${stderr}`).toBe(200);
        expect((await response.json()) as unknown, format).toEqual({ predictions: expected });
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)));
    }
  }, 120_000);

  it('serves every step from the cache on the second run', async () => {
    const second = await runCli(['run', '--profile', 'local'], { cwd: dir, env: env() });
    expect(second.code).toBe(0);
    const states = stepStates(second.stdout);
    for (const step of ['ingest', 'split', 'transform', 'train', 'evaluate'])
      expect(states[step]).toBe('cached');
  }, 240_000);

  it('re-runs train and what follows, not transform, when steps/train.py changes', async () => {
    const file = join(dir, 'steps', 'train.py');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'GradientBoostingRegressor(**',
        'GradientBoostingRegressor(subsample=0.9, **',
      ),
    );
    const third = await runCli(['run', '--profile', 'local', '--step', 'evaluate'], { cwd: dir, env: env() });
    expect(third.code).toBe(0);
    const states = stepStates(third.stdout);
    expect(states.transform).toBe('cached');
    expect(states.train).toBe('ran');
    expect(states.evaluate).toBe('ran');
  }, 240_000);
});
