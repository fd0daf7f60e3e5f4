/**
 * Python user functions in a recipe, run by `recipe run` through the Python worker with Debian's
 * Python: a `loader_method` reading a `;`-separated CSV (declared with MLflow's template's one
 * argument), a custom `split_method` and a `post_split_filter_method` in steps/split.py, and a
 * custom metric `function(eval_df, builtin_metrics)` in steps/custom_metrics.py, next to built-in
 * transform and train. Checks: the run succeeds; a second run is all cached; editing
 * steps/split.py re-runs split and what follows but not ingest; a Python exception fails the run
 * with the file, line and function; a missing function is a config error at its recipe.yaml line.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const RECIPE = `recipe: "regression/v1"
target_col: "price"
primary_metric: "root_mean_squared_error"
steps:
  ingest: {{INGEST_CONFIG}}
  split:
    using: custom
    split_method: split_by_id
    post_split_filter_method: create_dataset_filter
  transform:
    using: default
  train:
    estimator:
      name: linear_regression
  evaluate:
    validation_criteria:
      - metric: mean_abs_pct_error
        threshold: 50
custom_metrics:
  - name: mean_abs_pct_error
    function: mean_abs_pct_error
    greater_is_better: false
`;

const PROFILE = `experiment:
  name: "houses"
python: /usr/bin/python3
INGEST_CONFIG:
  using: custom
  location: "data/houses.csv"
  loader_method: load_file_as_dataframe
`;

const INGEST_PY = `import pandas as pd


def load_file_as_dataframe(location):
    return pd.read_csv(location, sep=";", decimal=",")
`;

const SPLIT_PY = `import numpy as np
from pandas import DataFrame, Series


def split_by_id(df: DataFrame) -> Series:
    labels = np.where(df["id"] % 8 == 0, "TEST", np.where(df["id"] % 8 == 1, "VALIDATION", "TRAINING"))
    return Series(labels, index=df.index)


def create_dataset_filter(dataset: DataFrame) -> Series(bool):
    return dataset["sqft"] < 3900
`;

const METRICS_PY = `from typing import Dict

import numpy as np
from pandas import DataFrame


def mean_abs_pct_error(eval_df: DataFrame, builtin_metrics: Dict[str, float]) -> float:
    assert "root_mean_squared_error" in builtin_metrics
    return float(np.mean(np.abs(eval_df["prediction"] - eval_df["target"]) / eval_df["target"]) * 100)
`;

function housesCsv(): string {
  const lines = ['id;sqft;rooms;city;price'];
  const cities = ['Lyon', 'Zürich', 'Kraków'];
  for (let i = 0; i < 240; i++) {
    const sqft = 500 + ((i * 37) % 3500);
    const rooms = 1 + (i % 5);
    const city = cities[i % 3] as string;
    const price = 50 + sqft * 0.2 + rooms * 10 + (i % 3) * 30 + ((i * 13) % 7);
    lines.push(`${i};${sqft};${rooms};${city};${price.toFixed(2).replace('.', ',')}`);
  }
  return `${lines.join('\n')}\n`;
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-pysteps-'));
  for (const sub of ['steps', 'profiles', 'data']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'profiles', 'local.yaml'), PROFILE);
  writeFileSync(join(dir, 'steps', 'ingest.py'), INGEST_PY);
  writeFileSync(join(dir, 'steps', 'split.py'), SPLIT_PY);
  writeFileSync(join(dir, 'steps', 'custom_metrics.py'), METRICS_PY);
  writeFileSync(join(dir, 'data', 'houses.csv'), housesCsv());
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ ...process.env, RECIPE_TRACKING_URI: `sqlite:///${join(dir, 'mlruns.db')}` });
const run = (...args: string[]) =>
  runCli(['run', '--profile', 'local', '--step', 'evaluate', ...args], { cwd: dir, env: env() });

function stepStates(stdout: string): Record<string, string> {
  const states: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\s*(?:[✓✗↺•-]\s+)?(ingest|split|transform|train|evaluate)\b\s+(\w+)/gm)) {
    states[m[1] as string] = m[2] as string;
  }
  return states;
}

describe('python user functions in a recipe', () => {
  it('runs a recipe whose loader, split, filter and custom metric are Python', async () => {
    const first = await run();
    expect(first.code).toBe(0);
    // The loader read the ;-separated file with decimal commas (price is a number: the run trained).
    expect(first.stderr).toContain('[ingest] read 240 rows × 5 columns');
    // split_by_id: id % 8 == 0 → TEST, == 1 → VALIDATION (30 each); the filter drops the 6
    // training rows with sqft >= 3900.
    expect(first.stderr).toContain('[split] train 174, validation 30, test 30 rows');
    const metricsFile = (
      await runCli(['get-artifact', '--step', 'evaluate', '--name', 'metrics'], { cwd: dir, env: env() })
    ).stdout.trim();
    const metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as Record<string, number>;
    expect(metrics.test_mean_abs_pct_error).toBeGreaterThan(0);
    expect(metrics.test_mean_abs_pct_error).toBeLessThan(5);
    expect(metrics.val_mean_abs_pct_error).toBeGreaterThan(0);
  }, 120_000);

  it('is served from the cache on the second run', async () => {
    const second = await run();
    expect(second.code).toBe(0);
    expect(stepStates(second.stdout)).toEqual({
      ingest: 'cached',
      split: 'cached',
      transform: 'cached',
      train: 'cached',
      evaluate: 'cached',
    });
  }, 120_000);

  it('re-runs split and what follows, not ingest, when steps/split.py changes', async () => {
    writeFileSync(join(dir, 'steps', 'split.py'), SPLIT_PY.replace('< 3900', '< 3800'));
    const third = await run();
    expect(third.code).toBe(0);
    const states = stepStates(third.stdout);
    expect(states.ingest).toBe('cached');
    expect(states.split).not.toBe('cached');
    expect(states.train).not.toBe('cached');
    expect(third.stderr).toContain('[split] train 171, validation 30, test 30 rows');
  }, 120_000);

  it('fails the run with the Python file, line and function of an exception', async () => {
    const broken = SPLIT_PY.replace('return dataset["sqft"] < 3900', 'return dataset["square_feet"] < 3900');
    writeFileSync(join(dir, 'steps', 'split.py'), broken);
    const failed = await run();
    expect(failed.code).toBe(1);
    const line = broken.split('\n').findIndex((l) => l.includes('square_feet')) + 1;
    expect(failed.stderr).toContain(
      `steps/split.py: create_dataset_filter() raised KeyError: 'square_feet' at steps/split.py:${line} in create_dataset_filter()`,
    );
    expect(failed.stderr).toContain(`hint: fix steps/split.py line ${line}`);
    writeFileSync(join(dir, 'steps', 'split.py'), SPLIT_PY);
  }, 120_000);

  it('refuses a function steps/split.py does not define, at its recipe.yaml line', async () => {
    writeFileSync(
      join(dir, 'recipe.yaml'),
      RECIPE.replace('split_method: split_by_id', 'split_method: split_by_idx'),
    );
    const failed = await run();
    expect(failed.code).toBe(2);
    const line = RECIPE.split('\n').findIndex((l) => l.includes('split_method: split_by_id')) + 1;
    expect(failed.stderr).toContain(`recipe.yaml:${line}:`);
    expect(failed.stderr).toContain('steps/split.py does not define a function "split_by_idx"');
    expect(failed.stderr).toContain('did you mean `split_by_id`?');
    writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  }, 120_000);
});
