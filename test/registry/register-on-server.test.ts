/**
 * Registering and loading models through a tracking server, with no shared file system: the
 * registry client over REST uploads a version's files through the artifact proxy before the
 * version exists, and `runs:/` / `models:/` URIs download through the proxy into the local
 * artifact cache. The server's `--artifacts-destination` is a directory of its own.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadModelFromUri,
  registerModel,
  registryForTrackingStore,
  RestModelRegistryStore,
  removeRegisteredCopies,
  resolveModelDirectory,
} from '../../src/registry/index.js';
import { artifactRepositoryForUri, RestTrackingStore } from '../../src/tracking/index.js';
import { type RunningTrackingServer, startTestTrackingServer } from '../server/tracking-server-fixture.js';
import { type FixtureModel, saveFixtureModel } from './model-fixture.js';

describe('registering and loading models on a tracking server', () => {
  let server: RunningTrackingServer;
  let store: RestTrackingStore;
  let registry: RestModelRegistryStore;
  let work: string;
  let cache: string;
  let model: FixtureModel;
  let runId: string;
  const previousCache = process.env.RECIPE_ARTIFACT_CACHE;

  beforeAll(async () => {
    server = await startTestTrackingServer();
    store = new RestTrackingStore({ uri: server.url, env: {}, maxRetries: 0 });
    const opened = registryForTrackingStore(store);
    if (!(opened instanceof RestModelRegistryStore)) throw new Error('http(s) stores get the REST registry');
    registry = opened;
    work = mkdtempSync(join(tmpdir(), 'mlrecipe-register-server-'));
    cache = join(work, 'cache');
    process.env.RECIPE_ARTIFACT_CACHE = cache;
    const run = await store.createRun({ experimentId: '0' });
    runId = run.info.run_id;
    model = saveFixtureModel(join(work, 'model'), { runId });
    await artifactRepositoryForUri(run.info.artifact_uri, { trackingUri: server.url }).logArtifacts(
      model.dir,
      'model',
    );
    await store.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
  });
  afterAll(async () => {
    if (previousCache === undefined) delete process.env.RECIPE_ARTIFACT_CACHE;
    else process.env.RECIPE_ARTIFACT_CACHE = previousCache;
    await store?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('loads runs:/ through the proxy into the local cache', async () => {
    const dir = await resolveModelDirectory(`runs:/${runId}/model`, { trackingUri: server.url });
    expect(dir.startsWith(cache)).toBe(true);
    expect(existsSync(join(dir, 'MLmodel'))).toBe(true);
    const loaded = await loadModelFromUri(`runs:/${runId}/model`, { trackingUri: server.url });
    expect(Array.from(loaded.predict(model.scoring) as Float64Array)).toEqual(model.expected);
  });

  it('uploads the registry copy before creating the version, and models:/ loads it back', async () => {
    const version = await registerModel({
      store: registry,
      modelUri: `runs:/${runId}/model`,
      name: 'server model',
      trackingStore: store,
      tags: [{ key: 'team', value: 'pricing' }],
    });
    expect(version).toMatchObject({ name: 'server model', version: '1', status: 'READY', run_id: runId });
    expect(version.source).toMatch(/^mlflow-artifacts:\/models\/server%2520model\/[0-9a-f]{16}$/);
    // On the server: the copy sits under its own artifacts destination, as the SQL registry's
    // copies sit under <artifact root>/models.
    const copies = readdirSync(join(server.artifactsDestination, 'models', 'server%20model'));
    expect(copies).toHaveLength(1);
    expect(
      existsSync(join(server.artifactsDestination, 'models', 'server%20model', copies[0], 'MLmodel')),
    ).toBe(true);
    expect(await registry.getModelVersionDownloadUri('server model', '1')).toBe(version.source);

    await registry.setRegisteredModelAlias('server model', 'champion', '1');
    const dir = await resolveModelDirectory('models:/server model@champion', { trackingUri: server.url });
    expect(dir.startsWith(cache)).toBe(true);
    // A registered version never changes: a second resolution reuses the cached copy.
    expect(await resolveModelDirectory('models:/server model/1', { trackingUri: server.url })).toBe(dir);
    const loaded = await loadModelFromUri('models:/server model@champion', { trackingUri: server.url });
    expect(Array.from(loaded.predict(model.scoring) as Float64Array)).toEqual(model.expected);

    await registry.deleteModelVersion('server model', '1');
    await removeRegisteredCopies(registry, [version]);
    expect(readdirSync(join(server.artifactsDestination, 'models', 'server%20model'))).toEqual([]);
  });

  it('creates no version when the upload fails', async () => {
    const noArtifacts = await startTestTrackingServer({ serveArtifacts: false });
    try {
      // The 503 is transient to MLflow's clients; no retries here (the uploads share the store's env).
      const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
      const other = registryForTrackingStore(new RestTrackingStore({ uri: noArtifacts.url, env }));
      await expect(registerModel({ store: other, localDir: model.dir, name: 'never' })).rejects.toThrow(
        /--serve-artifacts/,
      );
      expect(
        (await noArtifacts.registry.searchModelVersions({ filter: "name = 'never'" })).model_versions,
      ).toEqual([]);
    } finally {
      await noArtifacts.close();
    }
  });
});
