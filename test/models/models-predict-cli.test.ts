import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { datasetFromRecords } from '../../src/data/infer-types.js';
import { ColumnTransformer } from '../../src/ml/column-transformer.js';
import { createRegressor } from '../../src/ml/estimators.js';
import { dropColumn, ModelPipeline, saveModel } from '../../src/models/index.js';
import { localPathFromArtifactUri, openTrackingStore, sqliteUriForPath } from '../../src/tracking/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { carsRows } from '../steps/model-recipe-fixture.js';

/** `recipe ...args` in-process; throws on a non-zero exit, with its stderr. */
async function recipeOk(args: string[]): Promise<CliResult> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`recipe ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

let work: string;
let modelDir: string;
let expected: number[];
const header = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Year', 'Origin'];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-cli-predict-'));
  const training = carsRows().filter((r) => r.Miles_per_Gallon !== null);
  const { frame, columnTypes } = datasetFromRecords(training, 'cars.json');
  const inputs = dropColumn(frame, 'Miles_per_Gallon');
  const transformer = new ColumnTransformer().fit(inputs);
  const y = frame.columns.find((c) => c.name === 'Miles_per_Gallon')?.values as Float64Array;
  const estimator = createRegressor('ridge', { alpha: 1 });
  estimator.fit(transformer.transform(inputs), y);
  const pipeline = new ModelPipeline({
    problemType: 'regression',
    targetCol: 'Miles_per_Gallon',
    inputColumns: inputs.columns.map((c) => c.name),
    transformer,
    estimator,
  });
  modelDir = join(work, 'model');
  saveModel({ dir: modelDir, pipeline, inputExample: frame, columnTypes });
  const scoring = carsRows().slice(0, 20);
  const csv = [
    header.join(','),
    ...scoring.map((r) => header.map((h) => (r[h] === null ? '' : String(r[h]))).join(',')),
  ];
  writeFileSync(join(work, 'in.csv'), `${csv.join('\n')}\n`);
  const scoringFrame = datasetFromRecords(scoring, 'scoring').frame;
  expected = Array.from(pipeline.predict(scoringFrame) as Float64Array);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('recipe models predict', () => {
  it('writes the input rows plus a prediction column to CSV', async () => {
    const out = join(work, 'out.csv');
    const { stderr } = await recipeOk([
      'models',
      'predict',
      '-m',
      modelDir,
      '-i',
      join(work, 'in.csv'),
      '-o',
      out,
    ]);
    expect(stderr).toContain('scored 20 rows');
    const written = await readCsvDataset(out);
    expect(written.frame.columns.map((c) => c.name)).toEqual([...header, 'prediction']);
    expect(Array.from(written.frame.columns[7].values as Float64Array)).toEqual(expected);
  });

  it('prints {"predictions": [...]} without -o, and reads an MLflow dataframe_split payload', async () => {
    const { stdout } = await recipeOk(['models', 'predict', '-m', modelDir, '-i', join(work, 'in.csv')]);
    expect(JSON.parse(stdout)).toEqual({ predictions: expected });
    const rows = carsRows().slice(0, 20);
    writeFileSync(
      join(work, 'payload.json'),
      JSON.stringify({
        dataframe_split: { columns: header, data: rows.map((r) => header.map((h) => r[h] ?? null)) },
      }),
    );
    const fromJson = await recipeOk(['models', 'predict', '-m', modelDir, '-i', join(work, 'payload.json')]);
    expect(JSON.parse(fromJson.stdout)).toEqual({ predictions: expected });
  });

  it('loads a model logged to a run through a runs:/ URI', async () => {
    const trackingUri = sqliteUriForPath(join(work, 'mlruns', 'tracking.db'));
    const store = await openTrackingStore(trackingUri, {
      defaultArtifactRoot: join(work, 'mlruns', 'artifacts'),
    });
    let runId: string;
    try {
      const experimentId = await store.createExperiment('cli-predict');
      const run = await store.createRun({ experimentId, startTime: Date.now(), tags: [] });
      runId = run.info.run_id;
      cpSync(modelDir, join(localPathFromArtifactUri(run.info.artifact_uri), 'model'), { recursive: true });
    } finally {
      await store.close();
    }
    const { stdout } = await recipeOk([
      '--tracking-uri',
      trackingUri,
      'models',
      'predict',
      '-m',
      `runs:/${runId}/model`,
      '-i',
      join(work, 'in.csv'),
    ]);
    expect(JSON.parse(stdout)).toEqual({ predictions: expected });
  });

  it('fails with exit 1 naming a missing column, and exit 2 for bad usage', async () => {
    writeFileSync(join(work, 'bad.csv'), 'Cylinders,Origin\n4,USA\n');
    const missing = await runCli(['models', 'predict', '-m', modelDir, '-i', join(work, 'bad.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: the input is missing required columns "Displacement"/);
    const usage = await runCli(['models', 'predict', '-m', modelDir]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--input-path');
    expect(readFileSync(join(work, 'in.csv'), 'utf8')).toContain('Cylinders');
  });
});
