/**
 * MLflow's REST API 2.0 on a real `buildTrackingApp` server (127.0.0.1, free port): field names,
 * defaults, limits, page tokens, statuses and error bodies as MLflow 2.12's server answers them.
 */
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

async function createExperiment(name = unique('exp')): Promise<string> {
  const response = await api(server, 'POST', '/experiments/create', { name });
  expect(response.status).toBe(200);
  return response.body.experiment_id as string;
}

async function createRun(experimentId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await api(server, 'POST', '/runs/create', {
    experiment_id: experimentId,
    start_time: 1000,
    ...extra,
  });
  expect(response.status).toBe(200);
  return (response.body.run as { info: { run_id: string } }).info.run_id;
}

describe('experiments', () => {
  it('creates, reads by id and by name, renames, tags, deletes and restores', async () => {
    const name = unique('lifecycle');
    const id = await createExperiment(name);
    expect(id).toMatch(/^\d+$/);
    const got = await api(server, 'GET', '/experiments/get', { experiment_id: id });
    expect(got.status).toBe(200);
    expect(got.body.experiment).toMatchObject({
      experiment_id: id,
      name,
      artifact_location: `mlflow-artifacts:/${id}`,
      lifecycle_stage: 'active',
    });
    const byName = await api(server, 'GET', '/experiments/get-by-name', { experiment_name: name });
    expect((byName.body.experiment as { experiment_id: string }).experiment_id).toBe(id);

    expect(
      (await api(server, 'POST', '/experiments/update', { experiment_id: id, new_name: `${name}-b` })).status,
    ).toBe(200);
    expect(
      (
        await api(server, 'POST', '/experiments/set-experiment-tag', {
          experiment_id: id,
          key: 'team',
          value: 'ml',
        })
      ).status,
    ).toBe(200);
    const renamed = await api(server, 'GET', '/experiments/get', { experiment_id: id });
    expect(renamed.body.experiment).toMatchObject({
      name: `${name}-b`,
      tags: [{ key: 'team', value: 'ml' }],
    });

    expect((await api(server, 'POST', '/experiments/delete', { experiment_id: id })).body).toEqual({});
    const deleted = await api(server, 'GET', '/experiments/get', { experiment_id: id });
    expect((deleted.body.experiment as { lifecycle_stage: string }).lifecycle_stage).toBe('deleted');
    await api(server, 'POST', '/experiments/restore', { experiment_id: id });
    const restored = await api(server, 'GET', '/experiments/get', { experiment_id: id });
    expect((restored.body.experiment as { lifecycle_stage: string }).lifecycle_stage).toBe('active');
  });

  it('answers MLflow error bodies and statuses', async () => {
    const missing = await api(server, 'GET', '/experiments/get', { experiment_id: '987654' });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(typeof missing.body.message).toBe('string');

    const byName = await api(server, 'GET', '/experiments/get-by-name', {
      experiment_name: 'no-such-experiment',
    });
    expect(byName.status).toBe(404);
    expect(byName.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "Could not find experiment with name 'no-such-experiment'",
    });

    const name = unique('dup');
    await createExperiment(name);
    const duplicate = await api(server, 'POST', '/experiments/create', { name });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

    const noName = await api(server, 'POST', '/experiments/create', {});
    expect(noName.status).toBe(400);
    expect(noName.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(noName.body.message).toContain("'name'");

    const emptyName = await api(server, 'POST', '/experiments/create', { name: '' });
    expect(emptyName.body.message).toContain("Missing value for required parameter 'name'");

    const wrongType = await api(server, 'POST', '/experiments/create', { name: 5 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain("parameter 'name'");
  });

  it('refuses POST bodies that are not application/json, and malformed JSON', async () => {
    const form = await api(
      server,
      'POST',
      '/experiments/create',
      { name: unique('x') },
      { headers: { 'Content-Type': 'text/plain' } },
    );
    expect(form.status).toBe(400);
    expect(form.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(form.body.message).toContain('application/json');

    const broken = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name": ',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error_code: string }).error_code).toBe('MALFORMED_REQUEST');
  });

  it('searches with filter, order_by, max_results and page tokens, over POST and GET', async () => {
    const prefix = unique('search');
    for (const suffix of ['a', 'b', 'c']) await createExperiment(`${prefix}-${suffix}`);
    const first = await api(server, 'POST', '/experiments/search', {
      filter: `name LIKE '${prefix}-%'`,
      order_by: ['name DESC'],
      max_results: 2,
    });
    expect(first.status).toBe(200);
    const names = (first.body.experiments as Array<{ name: string }>).map((e) => e.name);
    expect(names).toEqual([`${prefix}-c`, `${prefix}-b`]);
    expect(typeof first.body.next_page_token).toBe('string');
    const second = await api(server, 'GET', '/experiments/search', {
      filter: `name LIKE '${prefix}-%'`,
      order_by: 'name DESC',
      max_results: '2',
      page_token: first.body.next_page_token,
    });
    expect((second.body.experiments as Array<{ name: string }>).map((e) => e.name)).toEqual([`${prefix}-a`]);
    expect(second.body.next_page_token).toBeUndefined();
    // Nothing found: protobuf leaves the empty list out.
    const none = await api(server, 'POST', '/experiments/search', { filter: "name = 'nothing-like-this'" });
    expect(none.body).toEqual({});
  });

  it('answers under /ajax-api/2.0/mlflow/ as well', async () => {
    const response = await api(
      server,
      'GET',
      '/experiments/get',
      { experiment_id: '0' },
      { prefix: '/ajax-api/2.0/mlflow' },
    );
    expect(response.status).toBe(200);
    expect((response.body.experiment as { name: string }).name).toBe('Default');
  });
});

describe('runs', () => {
  it('creates, logs, updates, reads, deletes and restores a run', async () => {
    const experimentId = await createExperiment();
    const created = await api(server, 'POST', '/runs/create', {
      experiment_id: experimentId,
      start_time: 1234,
      run_name: 'first',
      tags: [{ key: 'origin', value: 'test' }],
      user_id: 'ada',
    });
    const run = created.body.run as {
      info: Record<string, unknown>;
      data: Record<string, unknown>;
      inputs: object;
    };
    const runId = run.info.run_id as string;
    expect(run.info).toMatchObject({
      run_uuid: runId,
      run_name: 'first',
      experiment_id: experimentId,
      user_id: 'ada',
      status: 'RUNNING',
      start_time: 1234,
      lifecycle_stage: 'active',
      artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
    });
    expect(run.info.end_time).toBeUndefined();
    expect(run.inputs).toEqual({});

    await api(server, 'POST', '/runs/log-metric', {
      run_id: runId,
      key: 'rmse',
      value: 0.5,
      timestamp: 10,
      step: 1,
    });
    await api(server, 'POST', '/runs/log-metric', {
      run_uuid: runId,
      key: 'rmse',
      value: 'NaN',
      timestamp: '11',
      step: '2',
    });
    await api(server, 'POST', '/runs/log-metric', {
      run_id: runId,
      key: 'inf',
      value: 'Infinity',
      timestamp: 11,
    });
    await api(server, 'POST', '/runs/log-parameter', { run_id: runId, key: 'alpha', value: '0.1' });
    await api(server, 'POST', '/runs/set-tag', { run_id: runId, key: 'note', value: 'x' });
    await api(server, 'POST', '/runs/set-tag', { run_id: runId, key: 'gone', value: 'y' });
    expect((await api(server, 'POST', '/runs/delete-tag', { run_id: runId, key: 'gone' })).status).toBe(200);

    const history = await api(server, 'GET', '/metrics/get-history', { run_id: runId, metric_key: 'rmse' });
    expect(history.body.metrics).toEqual([
      { key: 'rmse', value: 0.5, timestamp: 10, step: 1 },
      { key: 'rmse', value: 'NaN', timestamp: 11, step: 2 },
    ]);

    const updated = await api(server, 'POST', '/runs/update', {
      run_id: runId,
      status: 'FINISHED',
      end_time: 5000,
      run_name: 'renamed',
    });
    expect(updated.body.run_info).toMatchObject({ status: 'FINISHED', end_time: 5000, run_name: 'renamed' });

    const got = await api(server, 'GET', '/runs/get', { run_id: runId });
    const data = (
      got.body.run as { data: { metrics: unknown[]; params: unknown[]; tags: Array<{ key: string }> } }
    ).data;
    expect(data.params).toEqual([{ key: 'alpha', value: '0.1' }]);
    expect(data.metrics).toEqual(
      expect.arrayContaining([
        // MLflow's SQL stores keep +Infinity as the largest double.
        { key: 'inf', value: Number.MAX_VALUE, timestamp: 11, step: 0 },
        { key: 'rmse', value: 'NaN', timestamp: 11, step: 2 },
      ]),
    );
    expect(data.tags.map((t) => t.key)).toEqual(expect.arrayContaining(['note', 'origin', 'mlflow.runName']));
    expect(data.tags.map((t) => t.key)).not.toContain('gone');

    await api(server, 'POST', '/runs/delete', { run_id: runId });
    expect(
      (
        (await api(server, 'GET', '/runs/get', { run_id: runId })).body.run as {
          info: { lifecycle_stage: string };
        }
      ).info.lifecycle_stage,
    ).toBe('deleted');
    await api(server, 'POST', '/runs/restore', { run_id: runId });
    expect(
      (
        (await api(server, 'GET', '/runs/get', { run_id: runId })).body.run as {
          info: { lifecycle_stage: string };
        }
      ).info.lifecycle_stage,
    ).toBe('active');
  });

  it('puts runs without an experiment id into the Default experiment', async () => {
    const response = await api(server, 'POST', '/runs/create', { start_time: 1 });
    expect((response.body.run as { info: { experiment_id: string } }).info.experiment_id).toBe('0');
  });

  it('answers a missing run with 404 and a bad metric with 400', async () => {
    const missing = await api(server, 'GET', '/runs/get', { run_id: 'f'.repeat(32) });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const noTimestamp = await api(server, 'POST', '/runs/log-metric', {
      run_id: 'f'.repeat(32),
      key: 'a',
      value: 1,
    });
    expect(noTimestamp.status).toBe(400);
    expect(noTimestamp.body.message).toContain("'timestamp'");
    const badValue = await api(server, 'POST', '/runs/log-metric', {
      run_id: 'f'.repeat(32),
      key: 'a',
      value: 'abc',
      timestamp: 1,
    });
    expect(badValue.status).toBe(400);
    expect(badValue.body.message).toContain("'value'");
  });

  it('logs a batch in one go, and refuses one over MLflow’s limits without writing any of it', async () => {
    const runId = await createRun(await createExperiment());
    const metrics = Array.from({ length: 998 }, (_, i) => ({
      key: `m${i % 10}`,
      value: i,
      timestamp: 1,
      step: i,
    }));
    const ok = await api(server, 'POST', '/runs/log-batch', {
      run_id: runId,
      metrics,
      params: [{ key: 'p', value: 'v' }],
      tags: [{ key: 't', value: 'w' }],
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    expect((await server.store.getMetricHistory(runId, 'm3')).length).toBe(100);
    expect((await server.store.getMetricHistory(runId, 'm9')).length).toBe(99);

    const tooMany = await api(server, 'POST', '/runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'over', value: i, timestamp: 1, step: i })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(await server.store.getMetricHistory(runId, 'over')).toEqual([]);

    const missingKey = await api(server, 'POST', '/runs/log-batch', {
      run_id: runId,
      metrics: [{ value: 1, timestamp: 1 }],
    });
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.message).toContain("'metrics[0].key'");
  });

  it('refuses a log-batch request over 1 MB, and any body over the server limit, in MLflow’s shape', async () => {
    const runId = await createRun(await createExperiment());
    const big = await api(server, 'POST', '/runs/log-batch', {
      run_id: runId,
      tags: [{ key: 'big', value: 'x'.repeat(1_100_000) }],
    });
    expect(big.status).toBe(400);
    expect(big.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(big.body.message).toContain('at most 1000000 bytes');

    const small = await startTestTrackingServer({ maxBodyBytes: 1000 });
    try {
      const huge = await api(small, 'POST', '/experiments/create', { name: 'x'.repeat(5000) });
      expect(huge.status).toBe(413);
      expect(huge.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(huge.body.message).toContain('1000 bytes');
    } finally {
      await small.close();
    }
  });

  it('searches runs with filter, order_by and page tokens', async () => {
    const experimentId = await createExperiment();
    for (let i = 0; i < 5; i++) {
      const runId = await createRun(experimentId);
      await api(server, 'POST', '/runs/log-batch', {
        run_id: runId,
        metrics: [{ key: 'rmse', value: i / 10, timestamp: 1 }],
        params: [{ key: 'alpha', value: String(i) }],
      });
    }
    const first = await api(server, 'POST', '/runs/search', {
      experiment_ids: [experimentId],
      filter: 'metrics.rmse >= 0.1',
      order_by: ['metrics.rmse DESC'],
      max_results: 3,
    });
    expect(first.status).toBe(200);
    const values = (first.body.runs as Array<{ data: { metrics: Array<{ value: number }> } }>).map(
      (r) => r.data.metrics[0]?.value,
    );
    expect(values).toEqual([0.4, 0.3, 0.2]);
    const second = await api(server, 'POST', '/runs/search', {
      experiment_ids: [experimentId],
      filter: 'metrics.rmse >= 0.1',
      order_by: ['metrics.rmse DESC'],
      max_results: 3,
      page_token: first.body.next_page_token,
    });
    expect((second.body.runs as unknown[]).length).toBe(1);
    expect(second.body.next_page_token).toBeUndefined();

    const badFilter = await api(server, 'POST', '/runs/search', {
      experiment_ids: [experimentId],
      filter: 'metrics.rmse >>> 1',
    });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const tooMany = await api(server, 'POST', '/runs/search', {
      experiment_ids: [experimentId],
      max_results: 50001,
    });
    expect(tooMany.status).toBe(400);
  });

  it('records log-model in the mlflow.log-model.history tag', async () => {
    const runId = await createRun(await createExperiment());
    const model = {
      artifact_path: 'model',
      flavors: { python_function: {} },
      utc_time_created: '2024-01-01 00:00:00.000000',
      run_id: runId,
    };
    expect(
      (await api(server, 'POST', '/runs/log-model', { run_id: runId, model_json: JSON.stringify(model) }))
        .status,
    ).toBe(200);
    expect(
      (
        await api(server, 'POST', '/runs/log-model', {
          run_id: runId,
          model_json: JSON.stringify({ ...model, artifact_path: 'm2' }),
        })
      ).status,
    ).toBe(200);
    const run = await server.store.getRun(runId);
    const tag = run.data.tags.find((t) => t.key === 'mlflow.log-model.history');
    expect(JSON.parse(tag?.value ?? '[]')).toEqual([model, { ...model, artifact_path: 'm2' }]);
    const missing = await api(server, 'POST', '/runs/log-model', {
      run_id: runId,
      model_json: '{"flavors": {}}',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('artifact_path');
  });

  it('logs dataset inputs and returns them with the run', async () => {
    const runId = await createRun(await createExperiment());
    const dataset = {
      name: 'cars',
      digest: 'abc123',
      source_type: 'local',
      source: '{"uri": "/data/cars.csv"}',
    };
    const logged = await api(server, 'POST', '/runs/log-inputs', {
      run_id: runId,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
    expect(logged.status).toBe(200);
    const run = await api(server, 'GET', '/runs/get', { run_id: runId });
    expect((run.body.run as { inputs: unknown }).inputs).toEqual({
      dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
    const missing = await api(server, 'POST', '/runs/log-inputs', {
      run_id: runId,
      datasets: [{ dataset: { name: 'x' } }],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain("'datasets[0].dataset.digest'");
  });

  it('samples metric histories for the UI (get-history-bulk-interval)', async () => {
    const runA = await createRun(await createExperiment());
    const runB = await createRun(await createExperiment());
    const metrics = Array.from({ length: 100 }, (_, step) => ({
      key: 'loss',
      value: step,
      timestamp: 1,
      step,
    }));
    await api(server, 'POST', '/runs/log-batch', { run_id: runA, metrics });
    await api(server, 'POST', '/runs/log-batch', { run_id: runB, metrics: metrics.slice(0, 10) });
    const response = await api(
      server,
      'GET',
      '/metrics/get-history-bulk-interval',
      { run_ids: [runA, runB], metric_key: 'loss', max_results: 10 },
      { prefix: '/ajax-api/2.0/mlflow' },
    );
    expect(response.status).toBe(200);
    const points = response.body.metrics as Array<{ run_id: string; step: number }>;
    const stepsA = points.filter((p) => p.run_id === runA).map((p) => p.step);
    // Evenly spaced samples over the union of steps, plus each run's first and last step.
    expect(stepsA).toEqual([0, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]);
    expect(points.filter((p) => p.run_id === runB).map((p) => p.step)).toEqual([0, 9]);
    const bad = await api(server, 'GET', '/metrics/get-history-bulk-interval', {
      run_ids: [runA],
      metric_key: 'loss',
      start_step: 5,
    });
    expect(bad.status).toBe(400);
  });
});

describe('unknown endpoints', () => {
  it('answers ENDPOINT_NOT_FOUND as JSON', async () => {
    const response = await api(server, 'GET', '/no/such/thing');
    expect(response.status).toBe(404);
    expect(response.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
