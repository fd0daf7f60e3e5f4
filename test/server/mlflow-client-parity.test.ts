/**
 * Differences scripts/mlflow-client-vs-server.sh found between MLflow 2.12.2's own server and
 * `recipe server` when MLflow's Python client drove both, each pinned here with the plain HTTP
 * requests a third-party client sends, so CI checks them without MLflow's source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RunningTrackingServer, startTestTrackingServer } from './tracking-server-fixture.js';

let server: RunningTrackingServer;
const name = 'parity-model';

interface Version {
  version: string;
  aliases?: string[];
}

beforeAll(async () => {
  server = await startTestTrackingServer();
  const experimentId = (await api(server, 'POST', '/experiments/create', { name: 'parity' })).body
    .experiment_id as string;
  const run = await api(server, 'POST', '/runs/create', { experiment_id: experimentId, start_time: 1 });
  const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
  await api(server, 'POST', '/registered-models/create', { name });
  await api(server, 'POST', '/model-versions/create', {
    name,
    source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
    run_id: runId,
  });
  await api(server, 'POST', '/model-versions/transition-stage', {
    name,
    version: '1',
    stage: 'Staging',
    archive_existing_versions: false,
  });
  await api(server, 'POST', '/registered-models/alias', { name, alias: 'champion', version: '1' });
});
afterAll(async () => {
  await server?.close();
});

describe('registry answers as MLflow 2.12.2’s server does', () => {
  it('versions in lists carry no aliases; a single version does; the model lists them all', async () => {
    const single = await api(server, 'GET', '/model-versions/get', { name, version: '1' });
    expect((single.body.model_version as Version).aliases).toEqual(['champion']);
    const byAlias = await api(server, 'GET', '/registered-models/alias', { name, alias: 'champion' });
    expect((byAlias.body.model_version as Version).aliases).toEqual(['champion']);

    const latest = await api(server, 'POST', '/registered-models/get-latest-versions', {
      name,
      stages: ['Staging'],
    });
    expect((latest.body.model_versions as Version[]).map((v) => [v.version, v.aliases ?? []])).toEqual([
      ['1', []],
    ]);
    const searched = await api(server, 'GET', '/model-versions/search', { filter: `name='${name}'` });
    expect((searched.body.model_versions as Version[]).map((v) => [v.version, v.aliases ?? []])).toEqual([
      ['1', []],
    ]);

    const model = (await api(server, 'GET', '/registered-models/get', { name })).body.registered_model as {
      aliases: { alias: string; version: string }[];
      latest_versions: Version[];
    };
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(model.latest_versions.map((v) => v.aliases ?? [])).toEqual([[]]);
    const models = (await api(server, 'GET', '/registered-models/search', {})).body.registered_models as {
      latest_versions: Version[];
    }[];
    expect(models.flatMap((m) => m.latest_versions.map((v) => v.aliases ?? []))).toEqual([[]]);
  });

  it('a missing alias of an existing model is INVALID_PARAMETER_VALUE (400); of a missing model, 404', async () => {
    const missing = await api(server, 'GET', '/registered-models/alias', { name, alias: 'nobody' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('Registered model alias nobody not found.'),
    });
    const noModel = await api(server, 'GET', '/registered-models/alias', {
      name: 'no-such-model',
      alias: 'x',
    });
    expect(noModel.status).toBe(404);
    expect(noModel.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
