import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/recipes/execute.js';
import { flattenConfig, trackingRecorder } from '../../src/recipes/record.js';
import { openTrackingStore } from '../../src/tracking/open-store.js';
import type { Run, TrackingStore } from '../../src/tracking/types.js';
import { testRegistry } from './fixtures/test-steps.js';
import { makeRecipeRepo, removeDir, setProfile, spawnEngine, waitFor } from './helpers.js';

const dirs: string[] = [];
const stores: TrackingStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) removeDir(d);
});

function setup(trainParams?: Record<string, unknown>): { dir: string; uri: string } {
  const dir = makeRecipeRepo({ trainParams });
  const db = mkdtempSync(join(tmpdir(), 'mlrecipe-track-'));
  dirs.push(dir, db);
  return { dir, uri: `sqlite:///${join(db, 'tracking.db')}` };
}

async function getRun(uri: string, runId: string): Promise<Run> {
  const store = await openTrackingStore(uri);
  stores.push(store);
  return store.getRun(runId);
}

const tagsOf = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const paramsOf = (run: Run) => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
const metricsOf = (run: Run) => Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));

const PG = process.env.RECIPE_TEST_POSTGRES_URL;

/** SQLite always; PostgreSQL when the environment provides one (CI does), in a fresh schema. */
const backends: Array<[string, (dir: string, sqliteUri: string) => string]> = [
  ['sqlite', (_dir, uri) => uri],
];
if (PG) {
  backends.push([
    'postgresql',
    () => `${PG}${PG.includes('?') ? '&' : '?'}schema=recipe_${process.pid}_${Date.now().toString(36)}`,
  ]);
}

describe.each(backends)('recording a recipe run (%s)', (_name, uriFor) => {
  it('logs config params, step metrics and durations, git lineage, cards and the model; cached steps name their run', async () => {
    const setupResult = setup();
    const dir = setupResult.dir;
    const uri = uriFor(dir, setupResult.uri);
    const first = await runRecipe({
      recipeDir: dir,
      registry: testRegistry,
      recorder: trackingRecorder({ trackingUri: uri }),
    });
    expect(first.runId).toMatch(/^[0-9a-f]{32}$/);
    const run = await getRun(uri, first.runId ?? '');
    expect(run.info.status).toBe('FINISHED');
    const params = paramsOf(run);
    expect(params['steps.split.split_ratios']).toBe('[0.5,0.25,0.25]');
    expect(params.target_col).toBe('y');
    expect(params.estimator).toBe('test');
    const metrics = metricsOf(run);
    expect(metrics.training_score).toBe(11);
    expect(metrics.val_score).toBeGreaterThan(0);
    expect(metrics['step.train.duration_s']).toBeGreaterThanOrEqual(0);
    const tags = tagsOf(run);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();
    expect(tags).toMatchObject({
      'mlflow.source.git.commit': head,
      'mlflow.source.git.branch': 'main',
      'mlrecipe.git.dirty': 'false',
      'mlflow.source.type': 'RECIPE',
      'mlrecipe.step.train.state': 'ran',
      'mlrecipe.pid': String(process.pid),
    });
    const artifacts = run.info.artifact_uri.replace(/^file:\/\//, '');
    expect(readFileSync(join(artifacts, 'cards', 'train', 'card.html'), 'utf8')).toContain('<h2>Test</h2>');
    expect(existsSync(join(artifacts, 'cards', 'ingest', 'card.json'))).toBe(true);
    expect(readFileSync(join(artifacts, 'model', 'model.txt'), 'utf8')).toContain('model over');

    writeFileSync(join(dir, 'untracked.txt'), 'x');
    const second = await runRecipe({
      recipeDir: dir,
      registry: testRegistry,
      recorder: trackingRecorder({ trackingUri: uri }),
    });
    const again = await getRun(uri, second.runId ?? '');
    expect(again.info.experiment_id).toBe(run.info.experiment_id);
    expect(tagsOf(again)).toMatchObject({
      'mlrecipe.step.train.state': 'cached',
      'mlrecipe.step.train.reused_from': first.runId,
      'mlrecipe.git.dirty': 'true',
    });
    expect(metricsOf(again).training_score).toBe(11);
    // A cached step's cards and model are linked from its cache entry into each run, not copied:
    // both runs' files are the entry's own (one inode), and still read as before.
    const trainOutcome = second.outcomes.find((o) => o.step === 'train');
    const entryCard = join(trainOutcome?.dir ?? '', 'card.html');
    const againArtifacts = again.info.artifact_uri.replace(/^file:\/\//, '');
    for (const file of [
      join(artifacts, 'cards', 'train', 'card.html'),
      join(againArtifacts, 'cards', 'train', 'card.html'),
    ])
      expect(statSync(file).ino).toBe(statSync(entryCard).ino);
    expect(statSync(join(againArtifacts, 'model', 'model.txt')).ino).toBe(
      statSync(join(trainOutcome?.dir ?? '', trainOutcome?.outputs.model ?? '')).ino,
    );
    expect(readFileSync(join(againArtifacts, 'cards', 'train', 'card.html'), 'utf8')).toContain(
      '<h2>Test</h2>',
    );
  });
});

describe('recording a recipe run', () => {
  it('a run whose steps are all cached writes their records in one batch, with nothing left out', async () => {
    const { dir, uri } = setup();
    await runRecipe({
      recipeDir: dir,
      registry: testRegistry,
      recorder: trackingRecorder({ trackingUri: uri }),
    });
    const calls: string[] = [];
    // The real store, with each write method counted.
    const counting = async (): Promise<TrackingStore> => {
      const store = await openTrackingStore(uri);
      return new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (typeof key === 'string' && /^(log|set|create|update)/.test(key)) calls.push(key);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    };
    const second = await runRecipe({
      recipeDir: dir,
      registry: testRegistry,
      recorder: trackingRecorder({ trackingUri: uri, openStore: counting }),
    });
    expect(Object.values(Object.fromEntries(second.outcomes.map((o) => [o.step, o.state])))).toEqual(
      Array(6).fill('cached'),
    );
    // The config's params and every step's metrics and tags: one logBatch, not one per step.
    expect(calls).toEqual(['createRun', 'logBatch', 'updateRun']);
    const run = await getRun(uri, second.runId ?? '');
    expect(run.info.status).toBe('FINISHED');
    const tags = tagsOf(run);
    for (const step of ['ingest', 'split', 'transform', 'train', 'evaluate', 'register'])
      expect(tags[`mlrecipe.step.${step}.state`]).toBe('cached');
    expect(metricsOf(run).training_score).toBe(11);
    expect(paramsOf(run)['steps.split.split_ratios']).toBe('[0.5,0.25,0.25]');
  });

  it('a failed step ends the run FAILED with the error as a tag', async () => {
    const { dir, uri } = setup({ fail: true });
    const result = await runRecipe({
      recipeDir: dir,
      registry: testRegistry,
      recorder: trackingRecorder({ trackingUri: uri }),
    });
    const run = await getRun(uri, result.runId ?? '');
    expect(run.info.status).toBe('FAILED');
    expect(tagsOf(run)['mlrecipe.step.train.error']).toBe('step train failed: estimator exploded');
    expect(tagsOf(run)['mlrecipe.step.evaluate.state']).toBe('skipped');
  });

  it('a SIGKILLed run is marked KILLED by the next run; a SIGTERMed one ends itself KILLED', async () => {
    const { dir, uri } = setup({ block_until: 'release' });
    const env = { MLRECIPE_TEST_TRACKING_URI: uri };
    const killed = spawnEngine(dir, [], env);
    await waitFor(() => existsSync(join(dir, 'train-started')), 'train to start');
    killed.child.kill('SIGKILL');
    await killed.done;
    const store = await openTrackingStore(uri);
    stores.push(store);
    const experiment = await store.getExperimentByName(dir.split('/').pop() ?? '');
    expect(experiment).not.toBeNull();
    const runs = async () =>
      (await store.searchRuns({ experimentIds: [experiment?.experiment_id ?? ''] })).runs.map(
        (r) => r.info.status,
      );
    expect(await runs()).toEqual(['RUNNING']);

    const terminated = spawnEngine(dir, [], env);
    await waitFor(() => terminated.stderr().includes('[train] started'), 'the second run to start train');
    terminated.child.kill('SIGTERM');
    expect((await terminated.done).code).toBe(143);
    expect((await runs()).sort()).toEqual(['KILLED', 'KILLED']);

    writeFileSync(join(dir, 'release'), '');
    setProfile(dir, {});
    const finished = await spawnEngine(dir, [], env).done;
    expect(finished.code).toBe(0);
    expect((await runs()).sort()).toEqual(['FINISHED', 'KILLED', 'KILLED']);
  });

  it('flattens nested config into dotted params', () => {
    expect(flattenConfig({ a: { b: [1, 2], c: 'x' }, d: true })).toEqual({
      'a.b': '[1,2]',
      'a.c': 'x',
      d: 'true',
    });
  });
});
