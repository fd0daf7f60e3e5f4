/**
 * The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`), run artifact listing, the UI's
 * get-artifact route, and the model registry endpoints, on a real server.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RunningTrackingServer, startTestTrackingServer } from './tracking-server-fixture.js';

let server: RunningTrackingServer;
beforeAll(async () => {
  server = await startTestTrackingServer();
});
afterAll(async () => {
  await server?.close();
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

async function newRun(): Promise<{ experimentId: string; runId: string }> {
  const experimentId = (await api(server, 'POST', '/experiments/create', { name: unique('exp') })).body
    .experiment_id as string;
  const created = await api(server, 'POST', '/runs/create', { experiment_id: experimentId, start_time: 1 });
  return { experimentId, runId: (created.body.run as { info: { run_id: string } }).info.run_id };
}

function proxyUrl(path: string): string {
  return `${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`;
}

describe('artifact proxy', () => {
  it('uploads, lists, downloads and deletes through mlflow-artifacts paths', async () => {
    const { experimentId, runId } = await newRun();
    const base = `${experimentId}/${runId}/artifacts`;
    const put = await fetch(proxyUrl(`${base}/model/MLmodel`), { method: 'PUT', body: 'flavors: {}\n' });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({});
    await fetch(proxyUrl(`${base}/metrics.json`), {
      method: 'PUT',
      body: '{"a": 1}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(
      readFileSync(
        join(server.artifactsDestination, experimentId, runId, 'artifacts', 'model', 'MLmodel'),
        'utf8',
      ),
    ).toBe('flavors: {}\n');

    // The proxy lists names relative to the directory asked about.
    const list = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(base)}`,
    );
    expect(await list.json()).toEqual({
      files: [
        { path: 'metrics.json', is_dir: false, file_size: 8 },
        { path: 'model', is_dir: true },
      ],
    });
    // The tracking API lists them relative to the run's root.
    const runList = await api(server, 'GET', '/artifacts/list', { run_id: runId, path: 'model' });
    expect(runList.body).toEqual({
      root_uri: `mlflow-artifacts:/${base}`,
      files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }],
    });

    const download = await fetch(proxyUrl(`${base}/metrics.json`));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="metrics.json"');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await download.text()).toBe('{"a": 1}');

    const ui = await fetch(`${server.url}/get-artifact?run_id=${runId}&path=model/MLmodel`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toBe('flavors: {}\n');

    expect((await fetch(proxyUrl(`${base}/model`), { method: 'DELETE' })).status).toBe(200);
    expect(existsSync(join(server.artifactsDestination, experimentId, runId, 'artifacts', 'model'))).toBe(
      false,
    );
    const gone = await fetch(proxyUrl(`${base}/model/MLmodel`));
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses paths that leave the artifact root, encoded or not', async () => {
    writeFileSync(join(server.dir, 'secret.txt'), 'secret');
    for (const path of [
      '..%2Fsecret.txt',
      '..%2F..%2Fetc%2Fpasswd',
      'a/..%2F..%2Fsecret.txt',
      '%2Fetc%2Fpasswd',
    ]) {
      const response = await fetch(proxyUrl(path));
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
      const upload = await fetch(proxyUrl(path), { method: 'PUT', body: 'x' });
      expect(upload.status, path).toBe(400);
    }
    const list = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=..`);
    expect(list.status).toBe(400);
    const { runId } = await newRun();
    const runList = await api(server, 'GET', '/artifacts/list', { run_id: runId, path: '../..' });
    expect(runList.status).toBe(400);
    const ui = await fetch(`${server.url}/get-artifact?run_id=${runId}&path=../../../secret.txt`);
    expect(ui.status).toBe(400);
  });

  it('does not follow a symbolic link out of the destination', async () => {
    mkdirSync(join(server.artifactsDestination, 'links'), { recursive: true });
    writeFileSync(join(server.dir, 'outside.txt'), 'outside');
    symlinkSync(join(server.dir, 'outside.txt'), join(server.artifactsDestination, 'links', 'out.txt'));
    const response = await fetch(proxyUrl('links/out.txt'));
    expect(response.status).toBe(400);
  });

  it('answers 503 for the proxy with --no-serve-artifacts and for tracking with --artifacts-only', async () => {
    const noProxy = await startTestTrackingServer({
      serveArtifacts: false,
      defaultArtifactRoot: '/tmp/unused-root',
    });
    const only = await startTestTrackingServer({ artifactsOnly: true });
    try {
      expect((await fetch(`${noProxy.url}/api/2.0/mlflow-artifacts/artifacts/1/x`)).status).toBe(503);
      expect((await api(only, 'GET', '/experiments/get', { experiment_id: '0' })).status).toBe(503);
      expect(
        (await fetch(`${only.url}/api/2.0/mlflow-artifacts/artifacts/1/a.txt`, { method: 'PUT', body: 'a' }))
          .status,
      ).toBe(200);
    } finally {
      await noProxy.close();
      await only.close();
    }
  });

  it('refuses multipart uploads with NOT_IMPLEMENTED (a local destination has none)', async () => {
    const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/mpu/create/1/a.bin`, {
      method: 'POST',
    });
    expect(response.status).toBe(501);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('NOT_IMPLEMENTED');
  });
});

describe('model registry', () => {
  it('creates models and versions, moves stages and aliases, searches, and deletes', async () => {
    const name = unique('model');
    const created = await api(server, 'POST', '/registered-models/create', {
      name,
      description: 'd',
      tags: [{ key: 'k', value: 'v' }],
    });
    expect(created.status).toBe(200);
    expect(created.body.registered_model).toMatchObject({
      name,
      description: 'd',
      tags: [{ key: 'k', value: 'v' }],
    });
    const duplicate = await api(server, 'POST', '/registered-models/create', { name });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

    const { runId, experimentId } = await newRun();
    const source = `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`;
    const v1 = await api(server, 'POST', '/model-versions/create', { name, source, run_id: runId });
    expect(v1.status).toBe(200);
    expect(v1.body.model_version).toMatchObject({
      name,
      version: '1',
      source,
      run_id: runId,
      current_stage: 'None',
      status: 'READY',
    });
    await api(server, 'POST', '/model-versions/create', { name, source, run_id: runId });

    const staged = await api(server, 'POST', '/model-versions/transition-stage', {
      name,
      version: '2',
      stage: 'production',
      archive_existing_versions: true,
    });
    expect((staged.body.model_version as { current_stage: string }).current_stage).toBe('Production');
    const latest = await api(server, 'POST', '/registered-models/get-latest-versions', {
      name,
      stages: ['Production'],
    });
    expect((latest.body.model_versions as Array<{ version: string }>).map((v) => v.version)).toEqual(['2']);
    const latestGet = await api(server, 'GET', '/registered-models/get-latest-versions', { name });
    expect(
      (latestGet.body.model_versions as Array<{ version: string }>).map((v) => v.version).sort(),
    ).toEqual(['1', '2']);

    expect(
      (await api(server, 'POST', '/registered-models/alias', { name, alias: 'champion', version: '1' }))
        .status,
    ).toBe(200);
    const byAlias = await api(server, 'GET', '/registered-models/alias', { name, alias: 'champion' });
    expect(byAlias.body.model_version as { version: string; aliases: string[] }).toMatchObject({
      version: '1',
      aliases: ['champion'],
    });
    await api(server, 'DELETE', '/registered-models/alias', { name, alias: 'champion' });
    // MLflow 2.12.2's server: a missing alias of an existing model is INVALID_PARAMETER_VALUE.
    expect((await api(server, 'GET', '/registered-models/alias', { name, alias: 'champion' })).status).toBe(
      400,
    );

    await api(server, 'POST', '/model-versions/set-tag', {
      name,
      version: '1',
      key: 'gate',
      value: 'passed',
    });
    await api(server, 'PATCH', '/model-versions/update', { name, version: '1', description: 'first' });
    const v1Again = await api(server, 'GET', '/model-versions/get', { name, version: '1' });
    expect(v1Again.body.model_version).toMatchObject({
      description: 'first',
      tags: [{ key: 'gate', value: 'passed' }],
    });
    await api(server, 'DELETE', '/model-versions/delete-tag', { name, version: '1', key: 'gate' });

    const uri = await api(server, 'GET', '/model-versions/get-download-uri', { name, version: '1' });
    expect(uri.body).toEqual({ artifact_uri: source });

    const search = await api(server, 'GET', '/model-versions/search', { filter: `name = '${name}'` });
    expect((search.body.model_versions as unknown[]).length).toBe(2);
    const models = await api(server, 'GET', '/registered-models/search', { filter: `name = '${name}'` });
    expect((models.body.registered_models as Array<{ name: string }>).map((m) => m.name)).toEqual([name]);

    await api(server, 'PATCH', '/registered-models/update', { name, description: 'new' });
    await api(server, 'POST', '/registered-models/set-tag', { name, key: 'x', value: 'y' });
    await api(server, 'DELETE', '/registered-models/delete-tag', { name, key: 'k' });
    const renamed = await api(server, 'POST', '/registered-models/rename', { name, new_name: `${name}-r` });
    expect(renamed.body.registered_model).toMatchObject({
      name: `${name}-r`,
      description: 'new',
      tags: [{ key: 'x', value: 'y' }],
    });

    await api(server, 'DELETE', '/model-versions/delete', { name: `${name}-r`, version: '1' });
    expect(
      (await api(server, 'GET', '/model-versions/get', { name: `${name}-r`, version: '1' })).status,
    ).toBe(404);
    await api(server, 'DELETE', '/registered-models/delete', { name: `${name}-r` });
    const gone = await api(server, 'GET', '/registered-models/get', { name: `${name}-r` });
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses model sources that point at server files (MLflow’s source validation)', async () => {
    const name = unique('guarded');
    await api(server, 'POST', '/registered-models/create', { name });
    for (const source of ['/etc', 'file:///etc/passwd', 'relative/path']) {
      const response = await api(server, 'POST', '/model-versions/create', { name, source });
      expect(response.status, source).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const { runId } = await newRun();
    const outsideRun = await api(server, 'POST', '/model-versions/create', {
      name,
      source: '/etc',
      run_id: runId,
    });
    expect(outsideRun.status).toBe(400);
    for (const source of [
      'mlflow-artifacts:/1/../../../etc',
      's3://bucket/a/../../b',
      'mlflow-artifacts:/1/..%2f..%2fetc',
    ]) {
      const response = await api(server, 'POST', '/model-versions/create', { name, source });
      expect(response.status, source).toBe(400);
    }
  });

  it('serves a version’s files through /model-versions/get-artifact', async () => {
    const { runId, experimentId } = await newRun();
    const base = `${experimentId}/${runId}/artifacts/model`;
    await fetch(proxyUrl(`${base}/MLmodel`), { method: 'PUT', body: 'artifact_path: model\n' });
    const name = unique('served');
    await api(server, 'POST', '/registered-models/create', { name });
    await api(server, 'POST', '/model-versions/create', {
      name,
      source: `mlflow-artifacts:/${base}`,
      run_id: runId,
    });
    const response = await fetch(
      `${server.url}/model-versions/get-artifact?name=${name}&version=1&path=MLmodel`,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('artifact_path: model\n');
  });
});
