import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readArrowDataset } from '../../src/data/arrow-io.js';
import { readCsvDataset } from '../../src/data/csv.js';
import { readParquetDataset } from '../../src/data/parquet.js';
import { ConfigError, DataError, type MlrecipeError, StepError } from '../../src/errors.js';
import { loadModel } from '../../src/models/index.js';
import { StepCache } from '../../src/recipes/cache.js';
import { openModelRegistry, registerModel } from '../../src/registry/index.js';
import { ingestScoringStep } from '../../src/steps/ingest-scoring.js';
import { predictStep } from '../../src/steps/predict.js';
import type { StepKind } from '../../src/steps/types.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import {
  carsRows,
  createCarsRecipe,
  createPenguinsRecipe,
  type RecipeFixture,
  removeRecipesAfterEach,
  runSteps,
} from './model-recipe-fixture.js';

removeRecipesAfterEach();

/** Puts a train output where the engine would: a cache entry plus the step state. */
function putInTrainCache(recipeDir: string, trainDir: string): void {
  const cache = new StepCache(recipeDir);
  const fingerprint = 'a'.repeat(64);
  const tmp = cache.createTempDir('train');
  rmSync(tmp, { recursive: true });
  cpSync(trainDir, tmp, { recursive: true });
  const now = new Date().toISOString();
  cache.commit(tmp, {
    format: 1,
    step: 'train',
    fingerprint,
    inputs: {} as never,
    outputs: { model: 'model' },
    metrics: {},
    params: {},
    tags: {},
    durationMs: 1,
    startedAt: now,
    finishedAt: now,
  });
  cache.writeState({
    step: 'train',
    fingerprint,
    inputs: {} as never,
    finishedAt: now,
    durationMs: 1,
    outcome: 'ran',
  });
}

/** Runs ingest_scoring then predict on `fixture` (steps not in the shared fixture runner). */
async function score(fixture: RecipeFixture, predict: Record<string, unknown>): Promise<void> {
  const steps = fixture.recipe.steps as Record<string, unknown>;
  steps.predict = predict;
  for (const [kind, step] of [
    ['ingest_scoring', ingestScoringStep],
    ['predict', predictStep],
  ] as const) {
    const outDir = join(fixture.recipeDir, '.out', `${kind}-${Date.now()}-${Math.random()}`);
    mkdirSync(outDir, { recursive: true });
    const result = await step.run(steps[kind] as never, {
      recipeDir: fixture.recipeDir,
      recipe: fixture.recipe,
      outDir,
      inputDirs: kind === 'predict' ? { ingest_scoring: fixture.dirs.ingest_scoring } : {},
      log: (m) => fixture.logs.push(`${kind}: ${m}`),
    });
    fixture.dirs[kind as StepKind] = outDir;
    fixture.results[kind as StepKind] = result;
  }
}

async function trainedCars(): Promise<RecipeFixture> {
  // Score the rows without the target, as new data would come.
  const fixture = createCarsRecipe({
    steps: { split: {}, ingest_scoring: { using: 'csv', location: 'data/score.csv' } },
  });
  const rows = carsRows().slice(0, 50);
  const header = [
    'Cylinders',
    'Displacement',
    'Horsepower',
    'Weight_in_lbs',
    'Acceleration',
    'Year',
    'Origin',
  ];
  const csv = [
    header.join(','),
    ...rows.map((r) => header.map((h) => (r[h] === null ? '' : String(r[h]))).join(',')),
  ];
  writeFileSync(join(fixture.recipeDir, 'data', 'score.csv'), `${csv.join('\n')}\n`);
  return runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
}

describe('ingest_scoring + predict steps', () => {
  it('scores a CSV with the trained model and writes the rows plus a prediction column', async () => {
    const fixture = await trainedCars();
    const modelDir = join(fixture.dirs.train as string, 'model');
    await score(fixture, { model_uri: modelDir, output: { using: 'csv', location: 'out/predictions.csv' } });
    const written = await readCsvDataset(join(fixture.recipeDir, 'out', 'predictions.csv'));
    expect(written.frame.nRows).toBe(50);
    expect(written.frame.columns.map((c) => c.name)).toEqual([
      'Cylinders',
      'Displacement',
      'Horsepower',
      'Weight_in_lbs',
      'Acceleration',
      'Year',
      'Origin',
      'prediction',
    ]);
    // The same numbers as the model predicts on the same rows read another way.
    const model = await loadModel(modelDir);
    const scoring = readArrowDataset(join(fixture.dirs.ingest_scoring as string, 'dataset.arrow')).frame;
    const expected = model.predict(scoring) as Float64Array;
    const got = written.frame.columns[7].values as Float64Array;
    expect(Array.from(got)).toEqual(Array.from(expected));
    expect(fixture.results.predict?.outputs).toEqual({ predictions: 'predictions.csv' });
    expect(existsSync(join(fixture.dirs.predict as string, 'predictions.csv'))).toBe(true);
    expect(fixture.results.predict?.metrics?.scored_rows).toBe(50);

    // The model's files are part of predict's fingerprint, whichever way the URI names them.
    const output = { using: 'csv' as const, location: 'p.csv' };
    const files = await predictStep.inputFiles({ model_uri: modelDir, output }, fixture.recipeDir);
    expect(files).toContain(join(modelDir, 'MLmodel'));
    expect(files).toContain(join(modelDir, 'pipeline.json'));
    expect(
      await predictStep.inputFiles({ model_uri: pathToFileURL(modelDir).href, output }, fixture.recipeDir),
    ).toEqual(files);
    expect(
      await predictStep.inputFiles({ model_uri: 's3://bucket/model', output }, fixture.recipeDir),
    ).toEqual([]);
  });

  it('without model_uri scores the registered champion, never the cached candidate or a REJECTED version', async () => {
    const fixture = await trainedCars();
    const trackingUri = sqliteUriForPath(join(fixture.recipeDir, 'mlruns', 'tracking.db'));
    fixture.recipe.model_registry = { model_name: 'cars', registry_uri: trackingUri };
    const registry = await openModelRegistry(trackingUri, {
      defaultArtifactRoot: join(fixture.recipeDir, 'mlruns', 'artifacts'),
    });
    try {
      // v1: the champion (train's first model).
      const champion = join(fixture.dirs.train as string, 'model');
      await registerModel({ store: registry, localDir: champion, name: 'cars' });
      await registry.setRegisteredModelAlias('cars', 'champion', '1');
      // A one-split tree, registered as v2 tagged REJECTED (allow_non_validated_model) and also
      // left in train's cache entry as the newest, unregistered candidate.
      (fixture.recipe.steps as Record<string, unknown>).train = {
        estimator: { name: 'decision_tree_regressor', params: { max_depth: 1 } },
      };
      await runSteps(fixture, ['train']);
      const rejected = join(fixture.dirs.train as string, 'model');
      await registerModel({
        store: registry,
        localDir: rejected,
        name: 'cars',
        tags: [{ key: 'validation_status', value: 'REJECTED' }],
      });
      putInTrainCache(fixture.recipeDir, fixture.dirs.train as string);

      const expected = async (dir: string) => {
        const frame = (await readCsvDataset(join(fixture.recipeDir, 'data', 'score.csv'))).frame;
        return Array.from((await loadModel(dir)).predict(frame) as Float64Array);
      };
      const scored = async () => {
        await score(fixture, { output: { using: 'parquet', location: 'p.parquet' } });
        const written = await readParquetDataset(join(fixture.recipeDir, 'p.parquet'));
        const column = written.frame.columns.at(-1);
        expect(column?.name).toBe('prediction');
        return Array.from(column?.values as Float64Array);
      };
      expect(await scored()).toEqual(await expected(champion));
      expect(fixture.results.predict?.params?.model_uri).toBe('models:/cars/1');
      expect(fixture.logs.at(-2)).toContain('scoring with models:/cars/1: cars@champion (version 1)');
      // The registry is state outside the recipe: predict is never served from the cache.
      expect(predictStep.alwaysRun).toBe(true);

      // Without the alias: the newest version the gate did not reject (MLflow's latest, minus v2).
      await registry.deleteRegisteredModelAlias('cars', 'champion');
      expect(await scored()).toEqual(await expected(champion));
      expect(fixture.results.predict?.params?.model_uri).toBe('models:/cars/1');

      // Only rejected versions: nothing to score with, and the error says what to do.
      await registry.setModelVersionTag('cars', '1', { key: 'validation_status', value: 'REJECTED' });
      const none = await score(fixture, { output: { location: 'q.csv', using: 'csv' } }).catch(
        (e: unknown) => e,
      );
      expect((none as Error).message).toContain('has no version to score with');
      expect((none as MlrecipeError).hint).toContain('steps.predict.model_uri');
    } finally {
      await registry.close();
    }
  });

  it('honours save_mode and explains a missing model or a mismatching input', async () => {
    const fixture = await trainedCars();
    const modelDir = join(fixture.dirs.train as string, 'model');
    writeFileSync(join(fixture.recipeDir, 'keep.csv'), 'old\n');
    await score(fixture, {
      model_uri: modelDir,
      output: { using: 'csv', location: 'keep.csv' },
      save_mode: 'ignore',
    });
    expect(readFileSync(join(fixture.recipeDir, 'keep.csv'), 'utf8')).toBe('old\n');
    const refused = await score(fixture, {
      model_uri: modelDir,
      output: { using: 'csv', location: 'keep.csv' },
      save_mode: 'error',
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StepError);
    expect((refused as Error).message).toContain('keep.csv already exists');

    // No model_uri and no registered model named: a config error that says what to set.
    const noModel = await score(fixture, { output: { using: 'csv', location: 'x.csv' } }).catch(
      (e: unknown) => e,
    );
    expect(noModel).toBeInstanceOf(ConfigError);
    expect((noModel as ConfigError).message).toContain('steps.predict.model_uri');
    expect((noModel as ConfigError).message).toContain('model_registry.model_name');

    // A scoring file without the Horsepower column fails on the signature, naming the column.
    writeFileSync(join(fixture.recipeDir, 'data', 'score.csv'), 'Cylinders,Origin\n4,USA\n');
    const mismatch = await score(fixture, {
      model_uri: modelDir,
      output: { location: 'y.csv', using: 'csv' },
    }).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(DataError);
    expect((mismatch as Error).message).toMatch(
      /missing required columns "Displacement" \(double\), "Horsepower" \(double\)/,
    );
    expect(existsSync(join(fixture.recipeDir, 'y.csv'))).toBe(false);
  });

  it('writes class labels for a classifier', async () => {
    const fixture = createPenguinsRecipe({
      steps: { split: {}, ingest_scoring: { using: 'json', location: 'data/penguins.json' } },
    });
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train']);
    await score(fixture, {
      model_uri: join(fixture.dirs.train as string, 'model'),
      output: { using: 'arrow', location: 'labels.arrow' },
    });
    const written = readArrowDataset(join(fixture.recipeDir, 'labels.arrow')).frame;
    const predicted = written.columns.find((c) => c.name === 'prediction')?.values as string[];
    const truth = written.columns.find((c) => c.name === 'Species')?.values as string[];
    expect(new Set(predicted)).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
    const accuracy = predicted.filter((p, i) => p === truth[i]).length / predicted.length;
    expect(accuracy).toBeGreaterThan(0.95);
    // MLflow Recipes' probability columns (predict_scores_for_all_classes defaults to true).
    const names = written.columns.map((c) => c.name);
    expect(names.slice(-5)).toEqual([
      'prediction',
      'predicted_score',
      'predicted_score_Adelie',
      'predicted_score_Chinstrap',
      'predicted_score_Gentoo',
    ]);
    const col = (name: string) => written.columns.find((c) => c.name === name)?.values as Float64Array;
    const i = predicted.indexOf('Gentoo');
    expect(col('predicted_score')[i]).toBe(col('predicted_score_Gentoo')[i]);
    expect(
      col('predicted_score_Adelie')[i] +
        col('predicted_score_Chinstrap')[i] +
        col('predicted_score_Gentoo')[i],
    ).toBeCloseTo(1, 12);

    (fixture.recipe.steps as Record<string, unknown>).train = { predict_scores_for_all_classes: false };
    await score(fixture, {
      model_uri: join(fixture.dirs.train as string, 'model'),
      output: { using: 'arrow', location: 'labels-only.arrow' },
    });
    const labelsOnly = readArrowDataset(join(fixture.recipeDir, 'labels-only.arrow')).frame;
    expect(labelsOnly.columns.at(-1)?.name).toBe('prediction');
    expect(labelsOnly.columns.some((c) => c.name.startsWith('predicted_'))).toBe(false);
  });
});
