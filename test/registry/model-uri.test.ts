/**
 * Model URIs: parsing each form (pure, table-driven) and resolving each form end to end through
 * a real SQLite tracking store, its registry and loadModel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlrecipeError, StoreError } from '../../src/errors.js';
import { loadModel } from '../../src/models/index.js';
import {
  loadModelFromUri,
  openModelRegistry,
  parseModelsUri,
  parseRunsUri,
  registerModel,
  type OpenedModelRegistry,
} from '../../src/registry/index.js';
import { localPathFromArtifactUri, openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';
import { type FixtureModel, saveFixtureModel } from './model-fixture.js';

describe('parseModelsUri', () => {
  it.each([
    ['models:/cars/3', { kind: 'version', name: 'cars', version: '3' }],
    ['models:/cars/007', { kind: 'version', name: 'cars', version: '7' }],
    ['models:/cars/Production', { kind: 'stage', name: 'cars', stage: 'Production' }],
    ['models:/cars/staging', { kind: 'stage', name: 'cars', stage: 'Staging' }],
    ['models:/cars/None', { kind: 'stage', name: 'cars', stage: 'None' }],
    ['models:/cars/latest', { kind: 'latest', name: 'cars' }],
    ['models:/cars/LATEST', { kind: 'latest', name: 'cars' }],
    ['models:/cars@champion', { kind: 'alias', name: 'cars', alias: 'champion' }],
    ['models:/my model@champion', { kind: 'alias', name: 'my model', alias: 'champion' }],
    ['models:/a@b@challenger', { kind: 'alias', name: 'a@b', alias: 'challenger' }],
  ])('%s', (uri, expected) => {
    expect(parseModelsUri(uri)).toEqual(expected);
  });

  it.each([
    ['models:cars/1', 'model name is missing'],
    ['models:/', 'model name is missing'],
    ['models://profile/cars/1', 'registry host'],
    ['models:/cars', 'no version, stage'],
    ['models:/cars/1/extra', 'exactly a name'],
    ['models:/cars/', 'exactly a name'],
    ['models:/cars/Prod', 'neither a version number'],
    ['models:/cars@', 'expected <name>@<alias>'],
    ['models:/@champion', 'expected <name>@<alias>'],
  ])('rejects %s', (uri, message) => {
    let error: unknown;
    try {
      parseModelsUri(uri);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MlrecipeError);
    expect((error as Error).message).toContain(message);
    expect((error as MlrecipeError).exitCode).toBe(2);
  });

  it('rejects reserved aliases in URIs', () => {
    expect(() => parseModelsUri('models:/cars@latest')).toThrow(/reserved/);
  });
});

describe('parseRunsUri', () => {
  it.each([
    ['runs:/abc123/model', { runId: 'abc123', path: 'model' }],
    ['runs:/abc123/nested/dir/', { runId: 'abc123', path: 'nested/dir' }],
    ['runs:/abc123', { runId: 'abc123', path: '' }],
    ['runs:/abc123/a/../model', { runId: 'abc123', path: 'model' }],
  ])('%s', (uri, expected) => {
    expect(parseRunsUri(uri)).toEqual(expected);
  });

  it.each(['runs:abc/model', 'runs://abc/model', 'runs:/', 'runs:/abc/../../etc'])('rejects %s', (uri) => {
    expect(() => parseRunsUri(uri)).toThrow(MlrecipeError);
  });
});

describe('resolving model URIs through a SQLite store', () => {
  let work: string;
  let trackingUri: string;
  let tracking: TrackingStore;
  let registry: OpenedModelRegistry;
  let runId: string;
  let first: FixtureModel;
  let second: FixtureModel;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mlrecipe-model-uri-'));
    // SQLAlchemy's form for an absolute path: four slashes.
    trackingUri = `sqlite:///${join(work, 'mlruns', 'tracking.db')}`;
    tracking = await openTrackingStore(trackingUri);
    registry = await openModelRegistry(trackingUri);
    const run = await tracking.createRun({ experimentId: '0' });
    runId = run.info.run_id;
    const artifacts = localPathFromArtifactUri(run.info.artifact_uri);
    first = saveFixtureModel(join(artifacts, 'model'), { alpha: 1, runId });
    second = saveFixtureModel(join(work, 'local-model'), { alpha: 50 });
    await registerModel({
      store: registry,
      modelUri: `runs:/${runId}/model`,
      name: 'cars',
      trackingStore: tracking,
    });
    await registerModel({ store: registry, localDir: second.dir, name: 'cars' });
    await registry.setRegisteredModelAlias('cars', 'champion', '1');
    await registry.transitionModelVersionStage('cars', '2', 'Production', false);
  });

  afterAll(async () => {
    await registry?.close();
    await tracking?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function predictions(uri: string): Promise<number[]> {
    const model = await loadModelFromUri(uri, { trackingUri });
    return Array.from(model.predict(first.scoring) as Float64Array);
  }

  it('importing the registry registers no resolver: loadModel alone knows paths and file: only', async () => {
    // The registry module is imported above; a side effect would make this resolve.
    const error = await loadModel('models:/cars/1', { trackingUri }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlrecipeError);
    expect((error as Error).message).toContain('no resolver for "models:" URIs');
    expect(await predictions('models:/cars/1')).toEqual(first.expected);
  });

  it('the two fixture models predict differently', () => {
    expect(first.expected).not.toEqual(second.expected);
  });

  it('loads runs:/<run_id>/model from the run’s artifacts', async () => {
    const model = await loadModelFromUri(`runs:/${runId}/model`, { trackingUri });
    expect(model.dir).toBe(first.dir);
    expect(Array.from(model.predict(first.scoring) as Float64Array)).toEqual(first.expected);
  });

  it('loads each models:/ form', async () => {
    expect(await predictions('models:/cars/1')).toEqual(first.expected);
    expect(await predictions('models:/cars/2')).toEqual(second.expected);
    expect(await predictions('models:/cars@champion')).toEqual(first.expected);
    expect(await predictions('models:/cars/Production')).toEqual(second.expected);
    expect(await predictions('models:/cars/production')).toEqual(second.expected);
    expect(await predictions('models:/cars/latest')).toEqual(second.expected);
  });

  it('loads the registry’s copy, not the original directory', async () => {
    const model = await loadModelFromUri('models:/cars/2', { trackingUri });
    expect(model.dir).toBe(join(work, 'mlruns', 'artifacts', 'models', 'cars', '2'));
  });

  it('follows an alias when it moves', async () => {
    await registry.setRegisteredModelAlias('cars', 'challenger', '1');
    expect(await predictions('models:/cars@challenger')).toEqual(first.expected);
    await registry.setRegisteredModelAlias('cars', 'challenger', '2');
    expect(await predictions('models:/cars@challenger')).toEqual(second.expected);
  });

  it('follows a version whose source is a runs:/ URI (as MLflow’s clients register them)', async () => {
    await registry.createRegisteredModel('by-mlflow');
    await registry.createModelVersion({ name: 'by-mlflow', source: `runs:/${runId}/model`, runId });
    const model = await loadModelFromUri('models:/by-mlflow/1', { trackingUri });
    expect(model.dir).toBe(first.dir);
  });

  it('skips versions that are not READY for latest, and refuses them by number', async () => {
    const pending = await registry.createModelVersion({
      name: 'cars',
      source: join(work, 'nowhere'),
      status: 'PENDING_REGISTRATION',
    });
    expect(await predictions('models:/cars/latest')).toEqual(second.expected);
    const error = await loadModelFromUri(`models:/cars/${pending.version}`, { trackingUri }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).mlflowErrorCode).toBe('INVALID_STATE');
    expect((error as Error).message).toContain('PENDING_REGISTRATION');
  });

  it('names what is missing: an empty stage, an unknown alias, model, run or artifact', async () => {
    const failures: Array<[string, string]> = [
      ['models:/cars/Staging', 'has no version in stage Staging'],
      ['models:/cars@nobody', 'alias nobody not found'],
      ['models:/unknown/1', 'Registered Model with name=unknown not found'],
      ['runs:/0123456789abcdef0123456789abcdef/model', 'not found'],
      [`runs:/${runId}/no-such-dir`, 'has no artifact "no-such-dir"'],
    ];
    for (const [uri, message] of failures) {
      const error = await loadModelFromUri(uri, { trackingUri }).catch((e: unknown) => e);
      expect(error, uri).toBeInstanceOf(StoreError);
      expect((error as StoreError).mlflowErrorCode, uri).toBe('RESOURCE_DOES_NOT_EXIST');
      expect((error as Error).message, uri).toContain(message);
    }
  });
});
