/**
 * The register step run directly (no engine) on real steps' outputs and a real SQLite registry
 * in a temp directory.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowDataset } from '../../src/data/index.js';
import { BaselineScoringError, ConfigError, GateRejectedError } from '../../src/errors.js';
import { regressionMetrics } from '../../src/ml/metrics/regression.js';
import { loadModel } from '../../src/models/load.js';
import type { GateReport } from '../../src/registry/gate-report.js';
import { openModelRegistry } from '../../src/registry/index.js';
import type { ModelVersion } from '../../src/registry/types.js';
import { type RegisterConfig, registerStep } from '../../src/steps/register.js';
import type { StepResult } from '../../src/steps/types.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import {
  carsRows,
  createCarsRecipe,
  type RecipeFixture,
  removeRecipesAfterEach,
  runSteps,
  WITHIN_TWO_MPG_METRIC,
} from './model-recipe-fixture.js';

removeRecipesAfterEach();

async function trainedCars(options: {
  estimator: Record<string, unknown>;
  evaluate?: Record<string, unknown>;
}): Promise<RecipeFixture> {
  const fixture = createCarsRecipe({
    recipe: {
      primary_metric: 'root_mean_squared_error',
      model_registry: { model_name: 'cars' },
      custom_metrics: [{ name: 'within_two_mpg', function: 'within_two_mpg', greater_is_better: true }],
    },
    steps: {
      split: { split_ratios: [0.7, 0.15, 0.15] },
      train: { estimator: options.estimator },
      evaluate: options.evaluate ?? {},
    },
    modules: { custom_metrics: WITHIN_TWO_MPG_METRIC },
  });
  return runSteps(fixture, ['ingest', 'split', 'transform', 'train', 'evaluate']);
}

/** Trains another model in the same recipe directory (same split), replacing train and evaluate. */
async function retrain(fixture: RecipeFixture, estimator: Record<string, unknown>): Promise<void> {
  (fixture.recipe.steps as Record<string, unknown>).train = { estimator };
  await runSteps(fixture, ['train', 'evaluate']);
}

// The registry on SQLite always, and on PostgreSQL (one fresh schema per recipe directory) when
// RECIPE_TEST_POSTGRES_URL is set.
const POSTGRES_URL = process.env.RECIPE_TEST_POSTGRES_URL;
const BACKENDS = [
  { name: 'sqlite' as const, available: true },
  { name: 'postgres' as const, available: POSTGRES_URL !== undefined && POSTGRES_URL !== '' },
];
let backend: 'sqlite' | 'postgres' = 'sqlite';
const schemas = new Map<string, string>();
afterAll(async () => {
  if (schemas.size === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  // Each schema is this suite's own (random name); drop exactly those.
  for (const schema of schemas.values()) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

function trackingUri(fixture: RecipeFixture): string {
  if (backend === 'sqlite') return sqliteUriForPath(join(fixture.recipeDir, 'mlruns', 'tracking.db'));
  let schema = schemas.get(fixture.recipeDir);
  if (schema === undefined) {
    schema = `t_${randomBytes(6).toString('hex')}`;
    schemas.set(fixture.recipeDir, schema);
  }
  const url = POSTGRES_URL as string;
  return `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
}

let outCount = 0;
async function register(
  fixture: RecipeFixture,
  cfg: RegisterConfig,
): Promise<{ result: StepResult; outDir: string }> {
  const outDir = join(fixture.recipeDir, '.out', `register-${outCount++}`);
  mkdirSync(outDir, { recursive: true });
  const result = await registerStep.run(cfg, {
    recipeDir: fixture.recipeDir,
    recipe: fixture.recipe,
    outDir,
    inputDirs: { split: fixture.dirs.split, train: fixture.dirs.train, evaluate: fixture.dirs.evaluate },
    log: (message) => fixture.logs.push(`register: ${message}`),
    trackingUri: trackingUri(fixture),
    runId: '0123456789abcdef0123456789abcdef',
  });
  return { result, outDir };
}

async function versions(fixture: RecipeFixture): Promise<{ versions: ModelVersion[]; champion?: string }> {
  const registry = await openModelRegistry(trackingUri(fixture), {
    defaultArtifactRoot: join(fixture.recipeDir, 'mlruns', 'artifacts'),
  });
  try {
    const { model_versions } = await registry.searchModelVersions({ filter: "name = 'cars'" });
    let champion: string | undefined;
    try {
      champion = (await registry.getModelVersionByAlias('cars', 'champion')).version;
    } catch {
      champion = undefined;
    }
    return {
      versions: model_versions.sort((a, b) => Number(a.version) - Number(b.version)),
      ...(champion ? { champion } : {}),
    };
  } finally {
    await registry.close();
  }
}

function tags(version: ModelVersion | undefined): Record<string, string> {
  return Object.fromEntries((version?.tags ?? []).map((t) => [t.key, t.value]));
}

async function rejection(promise: Promise<unknown>): Promise<GateRejectedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GateRejectedError);
    return error as GateRejectedError;
  }
  throw new Error('expected the gate to reject the model');
}

describe.each(BACKENDS)('register step on $name', ({ name, available }) => {
  if (!available) {
    it.skip('needs RECIPE_TEST_POSTGRES_URL', () => {});
    return;
  }
  beforeAll(() => {
    backend = name;
  });

  it('registers the first model as champion, then compares a worse one with it on the same test split', async () => {
    const fixture = await trainedCars({ estimator: { name: 'linear_regression' } });
    const thresholds = {
      root_mean_squared_error: { threshold: 10, min_absolute_change: 0 },
      within_two_mpg: { min_absolute_change: 0 },
    };
    const first = await register(fixture, { validation_thresholds: thresholds });
    expect(first.result.tags).toMatchObject({
      'mlrecipe.gate.status': 'PROMOTED',
      'mlrecipe.registered_model_name': 'cars',
      'mlrecipe.registered_model_version': '1',
    });
    const report1 = JSON.parse(readFileSync(join(first.outDir, 'report.json'), 'utf8')) as GateReport;
    expect(report1.decision).toBe('PROMOTE');
    expect(report1.gate.has_baseline).toBe(false);
    let state = await versions(fixture);
    expect(state.versions.map((v) => v.version)).toEqual(['1']);
    expect(state.champion).toBe('1');
    expect(state.versions[0]?.run_id).toBe('0123456789abcdef0123456789abcdef');

    // A one-split tree is far worse than least squares.
    await retrain(fixture, { name: 'decision_tree_regressor', params: { max_depth: 1 } });
    const error = await rejection(register(fixture, { validation_thresholds: thresholds }));
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('against cars@champion (version 1)');
    expect(error.message).toMatch(
      /root_mean_squared_error: root_mean_squared_error = [\d.]+ is not <= baseline/,
    );
    expect(error.message).toMatch(/within_two_mpg: within_two_mpg = [\d.]+ is not >= baseline/);
    expect(error.message).toContain('The registry is unchanged: champion stays version 1.');
    state = await versions(fixture);
    expect(state.versions.map((v) => v.version)).toEqual(['1']);
    expect(state.champion).toBe('1');

    // The baseline was re-scored on this run's test split: its rmse is v1's on these rows.
    const outDir = join(fixture.recipeDir, '.out', `register-${outCount - 1}`);
    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as GateReport;
    const test = readArrowDataset(join(fixture.dirs.split as string, 'test.arrow')).frame;
    const v1 = await loadModel(state.versions[0]?.source as string);
    const y = test.columns.find((c) => c.name === 'Miles_per_Gallon')?.values as Float64Array;
    expect(report.baseline_metrics?.root_mean_squared_error).toBe(
      regressionMetrics(y, v1.predict(test) as Float64Array).root_mean_squared_error,
    );
    expect(report.decision).toBe('REJECT');
  });

  it('with allow_non_validated_model registers a rejected model tagged REJECTED, without the alias, and succeeds', async () => {
    const fixture = await trainedCars({ estimator: { name: 'linear_regression' } });
    await register(fixture, {});
    await retrain(fixture, { name: 'decision_tree_regressor', params: { max_depth: 1 } });
    // No thresholds: primary_metric must be at least as good as the champion's.
    await rejection(register(fixture, {}));
    // As MLflow 2.12's register step with a model it could not validate: registered, no error.
    const allowed = await register(fixture, { allow_non_validated_model: true });
    expect(allowed.result.tags?.['mlrecipe.gate.status']).toBe('NOT_VALIDATED');
    expect(allowed.result.tags?.['mlrecipe.registered_model_version']).toBe('2');
    const state = await versions(fixture);
    expect(state.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(state.champion).toBe('1');
    expect(tags(state.versions[1])).toMatchObject({
      validation_status: 'REJECTED',
      'mlrecipe.previous_champion_version': '1',
    });
  });

  it("with allow_non_validated_model still registers nothing evaluate's validation_criteria REJECTED (as MLflow)", async () => {
    const fixture = await trainedCars({
      estimator: { name: 'linear_regression' },
      evaluate: { validation_criteria: [{ metric: 'root_mean_squared_error', threshold: 0.01 }] },
    });
    const error = await rejection(register(fixture, { allow_non_validated_model: true }));
    expect(error.message).toContain('never one the validation_criteria REJECTED');
    expect((await versions(fixture)).versions).toEqual([]);
  });

  it("never promotes a model evaluate's validation_criteria rejected", async () => {
    const fixture = await trainedCars({
      estimator: { name: 'linear_regression' },
      evaluate: { validation_criteria: [{ metric: 'root_mean_squared_error', threshold: 0.01 }] },
    });
    const error = await rejection(register(fixture, {}));
    expect(error.message).toContain("evaluate's validation_criteria REJECTED the model");
    const state = await versions(fixture);
    expect(state.versions).toEqual([]);
  });

  it('registers nothing when the candidate already holds the alias, and a better model takes it over', async () => {
    const fixture = await trainedCars({
      estimator: { name: 'decision_tree_regressor', params: { max_depth: 2 } },
    });
    await register(fixture, { baseline_alias: 'prod' });
    const again = await register(fixture, { baseline_alias: 'prod' });
    expect(again.result.tags?.['mlrecipe.gate.status']).toBe('UNCHANGED');
    await retrain(fixture, { name: 'linear_regression' });
    const better = await register(fixture, {
      baseline_alias: 'prod',
      validation_thresholds: { r2_score: { min_relative_change: 0.01 } },
    });
    expect(better.result.tags?.['mlrecipe.registered_model_version']).toBe('2');
    const registry = await openModelRegistry(trackingUri(fixture), {
      defaultArtifactRoot: join(fixture.recipeDir, 'mlruns', 'artifacts'),
    });
    try {
      const holder = await registry.getModelVersionByAlias('cars', 'prod');
      expect(holder.version).toBe('2');
      expect(tags(holder)['mlrecipe.previous_prod_version']).toBe('1');
    } finally {
      await registry.close();
    }
  });

  it("reports a retrained model with the champion's bytes as unchanged, whatever its model_uuid", async () => {
    const fixture = await trainedCars({ estimator: { name: 'linear_regression' } });
    const thresholds = { root_mean_squared_error: { min_relative_change: 0.01 } };
    await register(fixture, { validation_thresholds: thresholds });
    const first = (await versions(fixture)).versions[0];
    expect(tags(first)['mlrecipe.model_digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The same estimator trained again (as after `recipe clean`): a new model directory and uuid.
    await retrain(fixture, { name: 'linear_regression' });
    const before = await loadModel(first?.source as string);
    const retrained = await loadModel(join(fixture.dirs.train as string, 'model'));
    expect(retrained.mlmodel.model_uuid).not.toBe(before.mlmodel.model_uuid);
    const again = await register(fixture, { validation_thresholds: thresholds });
    expect(again.result.tags?.['mlrecipe.gate.status']).toBe('UNCHANGED');
    expect(fixture.logs.at(-1)).toContain('unchanged: the model is identical to cars@champion (version 1');
    expect((await versions(fixture)).versions.map((v) => v.version)).toEqual(['1']);

    // A champion registered without the digest tag (before mlrecipe recorded it) is compared by
    // its files, with the same answer.
    const registry = await openModelRegistry(trackingUri(fixture), {
      defaultArtifactRoot: join(fixture.recipeDir, 'mlruns', 'artifacts'),
    });
    try {
      await registry.deleteModelVersionTag('cars', '1', 'mlrecipe.model_digest');
    } finally {
      await registry.close();
    }
    const untagged = await register(fixture, { validation_thresholds: thresholds });
    expect(untagged.result.tags?.['mlrecipe.gate.status']).toBe('UNCHANGED');
  });

  it('says so with both schemas when the champion cannot score the new data (exit 2); on_baseline_error: promote goes on', async () => {
    const fixture = await trainedCars({ estimator: { name: 'linear_regression' } });
    const thresholds = { root_mean_squared_error: { threshold: 10, min_relative_change: 0.01 } };
    await register(fixture, { validation_thresholds: thresholds });
    // The data renames a column: the champion (trained with Horsepower) cannot score it.
    const renamed = carsRows().map(({ Horsepower, ...rest }) => ({ ...rest, HP: Horsepower }));
    writeFileSync(join(fixture.recipeDir, 'data', 'cars.json'), JSON.stringify(renamed));
    await runSteps(fixture, ['ingest', 'split', 'transform', 'train', 'evaluate']);

    const error = await register(fixture, { validation_thresholds: thresholds }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaselineScoringError);
    const failure = error as BaselineScoringError;
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toContain('the baseline (cars version 1 (@champion)) cannot score test split');
    expect(failure.message).toMatch(/cars version 1 \(@champion\) expects +\| test split has/);
    expect(failure.message).toMatch(/Horsepower double +\| — +<- missing/);
    expect(failure.message).toMatch(/— +\| HP long +<- new/);
    expect(failure.message).toMatch(/Cylinders long +\| Cylinders long\n/);
    expect(failure.hint).toContain('on_baseline_error: promote');
    let state = await versions(fixture);
    expect(state.versions.map((v) => v.version)).toEqual(['1']);

    const promoted = await register(fixture, {
      validation_thresholds: thresholds,
      on_baseline_error: 'promote',
    });
    expect(promoted.result.tags?.['mlrecipe.gate.status']).toBe('PROMOTED');
    state = await versions(fixture);
    expect(state.champion).toBe('2');
    expect(tags(state.versions[1])['mlrecipe.gate.forced']).toMatch(
      /^on_baseline_error: promote; cars version 1 could not score the test split \(the baseline .*missing required column "Horsepower"/,
    );
    const report = readFileSync(join(promoted.outDir, 'report.md'), 'utf8');
    expect(report).toContain('⚠️ the baseline (cars version 1 (@champion)) cannot score test split');
    expect(report).toContain('Gated on the absolute thresholds alone (on_baseline_error: promote).');
    expect(fixture.logs.join('\n')).toContain('gating on the absolute thresholds alone');
  });

  it('reports a missing model name and bad thresholds as config errors', async () => {
    const fixture = await trainedCars({ estimator: { name: 'linear_regression' } });
    fixture.recipe.model_registry = undefined;
    await expect(register(fixture, {})).rejects.toThrow(/model_registry.model_name: is missing/);
    fixture.recipe.model_registry = { model_name: 'cars' };
    await expect(
      register(fixture, { validation_thresholds: { root_mean_squared_error: { min_relative_change: 2 } } }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect((await versions(fixture)).versions).toEqual([]);
  });
});
