/**
 * One behavioural suite for every TrackingStore backend (SQLite always, PostgreSQL when
 * RECIPE_TEST_POSTGRES_URL is set): MLflow's semantics for experiments, runs, params, metrics,
 * tags, batches and their errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { RUN_NAME_PATTERN } from '../../src/tracking/run-name.js';
import { sql } from '../../src/tracking/sql-fragment.js';
import type { SqlTrackingStore } from '../../src/tracking/sql-tracking-store.js';
import type { Dataset, DatasetInput, Metric, TrackingStore } from '../../src/tracking/types.js';
import { BACKENDS, noticeSkipped, type StoreHandle } from './store-backends.js';

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected the call to fail with a StoreError');
}

function metric(key: string, value: number, step: number, timestamp: number): Metric {
  return { key, value, step, timestamp };
}

describe.each(BACKENDS)('tracking store on $name', (backend) => {
  if (!backend.available) {
    noticeSkipped(backend);
    it.skip('needs RECIPE_TEST_POSTGRES_URL', () => {});
    return;
  }

  let handle: StoreHandle;
  let store: TrackingStore;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    handle = await backend.open();
    store = handle.store;
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function newRun(experimentId?: string) {
    const exp = experimentId ?? (await store.createExperiment(unique('exp')));
    return store.createRun({ experimentId: exp, startTime: 1000 });
  }

  describe('experiments', () => {
    it('has the Default experiment 0 after open', async () => {
      const experiment = await store.getExperiment('0');
      expect(experiment).toMatchObject({
        experiment_id: '0',
        name: 'Default',
        lifecycle_stage: 'active',
        artifact_location: `${handle.artifactRoot}/0`,
      });
      expect((await store.getExperimentByName('Default'))?.experiment_id).toBe('0');
    });

    it('creates experiments with increasing integer ids and default artifact locations', async () => {
      const first = await store.createExperiment(unique('a'));
      const second = await store.createExperiment(unique('b'), undefined, [{ key: 'team', value: 'ml' }]);
      expect(first).toMatch(/^[1-9]\d*$/);
      expect(Number(second)).toBeGreaterThan(Number(first));
      const experiment = await store.getExperiment(second);
      expect(experiment.artifact_location).toBe(`${handle.artifactRoot}/${second}`);
      expect(experiment.tags).toEqual([{ key: 'team', value: 'ml' }]);
      expect(experiment.creation_time).toBeGreaterThan(0);
    });

    it('treats an empty artifact location as none, as MLflow clients send it', async () => {
      const id = await store.createExperiment(unique('empty-loc'), '');
      expect((await store.getExperiment(id)).artifact_location).toBe(`${handle.artifactRoot}/${id}`);
    });

    it('keeps an explicit artifact location, made absolute', async () => {
      const id = await store.createExperiment(unique('loc'), '/data/artifacts/here');
      expect((await store.getExperiment(id)).artifact_location).toBe('/data/artifacts/here');
      const uriId = await store.createExperiment(unique('s3'), 's3://bucket/path');
      expect((await store.getExperiment(uriId)).artifact_location).toBe('s3://bucket/path');
    });

    it('rejects duplicate and empty names and reports missing ids', async () => {
      const name = unique('dup');
      await store.createExperiment(name);
      expect((await storeError(store.createExperiment(name))).mlflowErrorCode).toBe(
        'RESOURCE_ALREADY_EXISTS',
      );
      expect((await storeError(store.createExperiment(''))).mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      const missing = await storeError(store.getExperiment('987654'));
      expect(missing.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(missing.message).toContain('987654');
      expect((await storeError(store.getExperiment('not-a-number'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
      expect(await store.getExperimentByName(unique('nobody'))).toBeNull();
    });

    it('renames, tags, and refuses a rename onto a taken name', async () => {
      const taken = unique('taken');
      await store.createExperiment(taken);
      const id = await store.createExperiment(unique('old'));
      const renamed = unique('new');
      await store.renameExperiment(id, renamed);
      expect((await store.getExperiment(id)).name).toBe(renamed);
      expect((await store.getExperimentByName(renamed))?.experiment_id).toBe(id);
      expect((await storeError(store.renameExperiment(id, taken))).mlflowErrorCode).toBe(
        'RESOURCE_ALREADY_EXISTS',
      );
      await store.setExperimentTag(id, { key: 'k', value: 'v1' });
      await store.setExperimentTag(id, { key: 'k', value: 'v2' });
      expect((await store.getExperiment(id)).tags).toEqual([{ key: 'k', value: 'v2' }]);
    });

    it('deletes and restores softly, taking the runs along, and refuses new runs while deleted', async () => {
      const id = await store.createExperiment(unique('soft'));
      const run = await store.createRun({ experimentId: id });
      await store.deleteExperiment(id);
      const deleted = await store.getExperiment(id);
      expect(deleted.lifecycle_stage).toBe('deleted');
      expect((await store.getExperimentByName(deleted.name))?.lifecycle_stage).toBe('deleted');
      expect((await store.getRun(run.info.run_id)).info.lifecycle_stage).toBe('deleted');
      expect((await store.searchRuns({ experimentIds: [id] })).runs).toEqual([]);
      const refused = await storeError(store.createRun({ experimentId: id }));
      expect(refused.mlflowErrorCode).toBe('INVALID_STATE');
      expect((await storeError(store.renameExperiment(id, unique('x')))).mlflowErrorCode).toBe(
        'INVALID_STATE',
      );
      const active = await store.searchExperiments({ maxResults: 50000 });
      expect(active.experiments.map((e) => e.experiment_id)).not.toContain(id);
      const onlyDeleted = await store.searchExperiments({ viewType: 'DELETED_ONLY', maxResults: 50000 });
      expect(onlyDeleted.experiments.map((e) => e.experiment_id)).toContain(id);

      await store.restoreExperiment(id);
      expect((await store.getExperiment(id)).lifecycle_stage).toBe('active');
      expect((await store.getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
      expect((await store.searchRuns({ experimentIds: [id] })).runs).toHaveLength(1);
      expect((await storeError(store.deleteExperiment('424242'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
    });
  });

  describe('runs', () => {
    it('creates a run with a 32-hex id, its name as tag, user tag and artifact uri', async () => {
      const id = await store.createExperiment(unique('runs'));
      const run = await store.createRun({
        experimentId: id,
        userId: 'ada',
        runName: 'first',
        startTime: 1234,
      });
      expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
      expect(run.info).toMatchObject({
        run_uuid: run.info.run_id,
        run_name: 'first',
        experiment_id: id,
        user_id: 'ada',
        status: 'RUNNING',
        start_time: 1234,
        lifecycle_stage: 'active',
        artifact_uri: `${handle.artifactRoot}/${id}/${run.info.run_id}/artifacts`,
      });
      expect(run.info.end_time).toBeUndefined();
      expect(run.data.tags).toEqual(
        expect.arrayContaining([
          { key: 'mlflow.runName', value: 'first' },
          { key: 'mlflow.user', value: 'ada' },
        ]),
      );
      expect(await store.getRun(run.info.run_id)).toEqual(run);
    });

    it('generates adjective-animal-NNN names when none is given, or takes the mlflow.runName tag', async () => {
      const run = await newRun();
      expect(run.info.run_name).toMatch(RUN_NAME_PATTERN);
      expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: run.info.run_name });
      const tagged = await store.createRun({
        experimentId: run.info.experiment_id,
        tags: [{ key: 'mlflow.runName', value: 'from-tag' }],
      });
      expect(tagged.info.run_name).toBe('from-tag');
      const unnamed = await store.createRun({ experimentId: run.info.experiment_id, runName: '' });
      expect(unnamed.info.run_name).toMatch(RUN_NAME_PATTERN);
      const clash = await storeError(
        store.createRun({
          experimentId: run.info.experiment_id,
          runName: 'a',
          tags: [{ key: 'mlflow.runName', value: 'b' }],
        }),
      );
      expect(clash.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
    });

    it('updates status, end time and name (tag included); setTag on mlflow.runName renames too', async () => {
      const run = await newRun();
      const info = await store.updateRun(run.info.run_id, {
        status: 'FINISHED',
        endTime: 5000,
        runName: 'renamed',
      });
      expect(info).toMatchObject({ status: 'FINISHED', end_time: 5000, run_name: 'renamed' });
      let fetched = await store.getRun(run.info.run_id);
      expect(fetched.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'renamed' });
      await store.setTag(run.info.run_id, { key: 'mlflow.runName', value: 'via-tag' });
      fetched = await store.getRun(run.info.run_id);
      expect(fetched.info.run_name).toBe('via-tag');
      expect(
        (await storeError(store.updateRun(run.info.run_id, { status: 'DONE' as never }))).mlflowErrorCode,
      ).toBe('INVALID_PARAMETER_VALUE');
    });

    it('reports missing and malformed run ids with MLflow error codes', async () => {
      const missing = await storeError(store.getRun('0123456789abcdef0123456789abcdef'));
      expect(missing.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(missing.message).toContain('0123456789abcdef0123456789abcdef');
      expect((await storeError(store.getRun("x' OR '1'='1"))).mlflowErrorCode).toBe(
        'INVALID_PARAMETER_VALUE',
      );
      expect(
        (await storeError(store.logMetric('0123456789abcdef0123456789abcdef', metric('m', 1, 0, 1))))
          .mlflowErrorCode,
      ).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('sets, overwrites and deletes tags', async () => {
      const run = await newRun();
      await store.setTag(run.info.run_id, { key: 'stage', value: 'a' });
      await store.setTag(run.info.run_id, { key: 'stage', value: 'b' });
      expect((await store.getRun(run.info.run_id)).data.tags).toContainEqual({ key: 'stage', value: 'b' });
      await store.deleteTag(run.info.run_id, 'stage');
      expect((await store.getRun(run.info.run_id)).data.tags.map((t) => t.key)).not.toContain('stage');
      expect((await storeError(store.deleteTag(run.info.run_id, 'stage'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
    });

    it('soft-deletes and restores runs; a deleted run refuses writes', async () => {
      const run = await newRun();
      await store.deleteRun(run.info.run_id);
      expect((await store.getRun(run.info.run_id)).info.lifecycle_stage).toBe('deleted');
      const refused = await storeError(store.logParam(run.info.run_id, { key: 'p', value: '1' }));
      expect(refused.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(refused.message).toContain("must be in the 'active' state");
      await store.restoreRun(run.info.run_id);
      await store.logParam(run.info.run_id, { key: 'p', value: '1' });
      expect((await store.getRun(run.info.run_id)).data.params).toEqual([{ key: 'p', value: '1' }]);
      expect((await storeError(store.deleteRun('ffffffffffffffffffffffffffffffff'))).mlflowErrorCode).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
    });
  });

  describe('params', () => {
    it('accepts the same value again and refuses a changed value, naming key, old and new value', async () => {
      const run = await newRun();
      await store.logParam(run.info.run_id, { key: 'alpha', value: '0.1' });
      await store.logParam(run.info.run_id, { key: 'alpha', value: '0.1' });
      const error = await storeError(store.logParam(run.info.run_id, { key: 'alpha', value: '0.2' }));
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain("key='alpha'");
      expect(error.message).toContain("value='0.1'");
      expect(error.message).toContain("'0.2'");
      expect((await store.getRun(run.info.run_id)).data.params).toEqual([{ key: 'alpha', value: '0.1' }]);
    });

    it.each([
      ['a/../b', 'resolve'],
      ['../up', 'resolve'],
      ['/abs', 'resolve'],
      ['semi;colon', 'alphanumerics'],
      ["quote'd", 'alphanumerics'],
      ['x'.repeat(251), 'maximum length'],
    ])('rejects the key %j', async (key, fragment) => {
      const run = await newRun();
      const error = await storeError(store.logParam(run.info.run_id, { key, value: '1' }));
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain(fragment);
    });

    it('refuses values longer than the MLflow columns: experiment tag 5000, run name 250, user 256', async () => {
      const id = await store.createExperiment(unique('limits'));
      await store.setExperimentTag(id, { key: 'note', value: 'e'.repeat(5000) });
      for (const attempt of [
        store.setExperimentTag(id, { key: 'note', value: 'e'.repeat(5001) }),
        store.createExperiment(unique('limits'), undefined, [{ key: 'k', value: 'e'.repeat(5001) }]),
        store.createRun({ experimentId: id, runName: 'n'.repeat(251) }),
        store.createRun({ experimentId: id, userId: 'u'.repeat(257) }),
      ]) {
        expect((await storeError(attempt)).mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      }
      const run = await store.createRun({ experimentId: id, runName: 'n'.repeat(250) });
      const error = await storeError(
        store.setTag(run.info.run_id, { key: 'mlflow.runName', value: 'n'.repeat(251) }),
      );
      expect(error.message).toContain('Run name');
      expect((await store.getRun(run.info.run_id)).info.run_name).toBe('n'.repeat(250));
    });

    it('accepts MLflow key characters and enforces value lengths (param 6000, tag 5000 as MLflow 2.12)', async () => {
      const run = await newRun();
      await store.logParam(run.info.run_id, { key: 'model/sub-part.v 1_x', value: 'v'.repeat(6000) });
      expect(
        (await storeError(store.logParam(run.info.run_id, { key: 'long', value: 'v'.repeat(6001) })))
          .mlflowErrorCode,
      ).toBe('INVALID_PARAMETER_VALUE');
      await store.setTag(run.info.run_id, { key: 'note', value: 't'.repeat(5000) });
      expect(
        (await storeError(store.setTag(run.info.run_id, { key: 'note', value: 't'.repeat(5001) })))
          .mlflowErrorCode,
      ).toBe('INVALID_PARAMETER_VALUE');
    });
  });

  describe('metrics', () => {
    it('keeps the full history: NaN round-trips, ±Infinity reads back as ±max double (as MLflow stores it)', async () => {
      const run = await newRun();
      const points = [
        metric('loss', 1.5, 0, 10),
        metric('loss', Number.NaN, 1, 11),
        metric('loss', Number.POSITIVE_INFINITY, 2, 12),
        metric('loss', Number.NEGATIVE_INFINITY, 3, 13),
        metric('loss', -2.5e-300, 4, 14),
      ];
      for (const point of points) await store.logMetric(run.info.run_id, point);
      const history = await store.getMetricHistory(run.info.run_id, 'loss');
      // MLflow's SQL store keeps ±Infinity as ±1.7976931348623157e308 and hands that back.
      expect(history).toEqual([
        points[0],
        points[1],
        metric('loss', Number.MAX_VALUE, 2, 12),
        metric('loss', -Number.MAX_VALUE, 3, 13),
        points[4],
      ]);
      expect(Number.isNaN(history[1].value)).toBe(true);
      expect(await store.getMetricHistory(run.info.run_id, 'absent')).toEqual([]);
    });

    it('keeps latest_metrics at the greatest (step, timestamp, value)', async () => {
      const run = await newRun();
      const id = run.info.run_id;
      const latest = async (key: string) =>
        (await store.getRun(id)).data.metrics.find((m) => m.key === key) as Metric;

      await store.logMetric(id, metric('m', 5, 2, 100));
      await store.logMetric(id, metric('m', 9, 1, 999)); // lower step, later time: not latest
      expect(await latest('m')).toEqual(metric('m', 5, 2, 100));
      await store.logMetric(id, metric('m', 4, 2, 101)); // same step, later time: latest
      expect(await latest('m')).toEqual(metric('m', 4, 2, 101));
      await store.logMetric(id, metric('m', 7, 2, 101)); // same step and time, greater value
      expect(await latest('m')).toEqual(metric('m', 7, 2, 101));
      await store.logMetric(id, metric('m', 6, 2, 101)); // smaller value: unchanged
      expect(await latest('m')).toEqual(metric('m', 7, 2, 101));
      await store.logMetric(id, metric('m', Number.NaN, 2, 101)); // NaN is never greater
      expect((await latest('m')).value).toBe(7);
      await store.logMetric(id, metric('m', Number.NaN, 3, 50)); // higher step wins, even NaN
      expect(Number.isNaN((await latest('m')).value)).toBe(true);
      await store.logBatch(id, {
        metrics: [metric('b', 1, 0, 1), metric('b', 3, 5, 1), metric('b', 2, 4, 9)],
      });
      expect(await latest('b')).toEqual(metric('b', 3, 5, 1));
    });

    it.each([
      [{ key: 'm', value: '1' as unknown as number, step: 0, timestamp: 1 }, 'valid double'],
      [{ key: 'm', value: 1, step: 0.5, timestamp: 1 }, 'step'],
      [{ key: 'm', value: 1, step: 0, timestamp: 1.5 }, 'timestamp'],
    ])('rejects the metric %j', async (bad, fragment) => {
      const run = await newRun();
      const error = await storeError(store.logMetric(run.info.run_id, bad));
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain(fragment);
    });
  });

  describe('logBatch', () => {
    const many = (n: number, kind: 'metric' | 'param' | 'tag') =>
      Array.from({ length: n }, (_, i) =>
        kind === 'metric' ? metric(`m${i}`, i, 0, 1) : { key: `${kind}${i}`, value: String(i) },
      );

    it.each([
      ['1001 metrics', { metrics: many(1001, 'metric') as Metric[] }, 'at most 1000 metrics'],
      [
        '101 params',
        { params: many(101, 'param') as { key: string; value: string }[] },
        'at most 100 params',
      ],
      ['101 tags', { tags: many(101, 'tag') as { key: string; value: string }[] }, 'at most 100 tags'],
      [
        '1001 entities',
        {
          metrics: many(1000, 'metric') as Metric[],
          tags: many(1, 'tag') as { key: string; value: string }[],
        },
        'in total',
      ],
    ])('refuses %s before writing anything', async (_label, batch, fragment) => {
      const run = await newRun();
      const error = await storeError(store.logBatch(run.info.run_id, batch));
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain(fragment);
      const after = await store.getRun(run.info.run_id);
      expect(after.data.metrics).toEqual([]);
      expect(after.data.tags.map((t) => t.key).filter((k) => !k.startsWith('mlflow.'))).toEqual([]);
    });

    it('writes 1000 metrics, 100 params and tags in one call', async () => {
      const run = await newRun();
      await store.logBatch(run.info.run_id, { metrics: many(1000, 'metric') as Metric[] });
      await store.logBatch(run.info.run_id, {
        params: many(100, 'param') as { key: string; value: string }[],
        tags: many(100, 'tag') as { key: string; value: string }[],
      });
      const after = await store.getRun(run.info.run_id);
      expect(after.data.metrics).toHaveLength(1000);
      expect(after.data.params).toHaveLength(100);
      expect(after.data.tags.filter((t) => t.key.startsWith('tag'))).toHaveLength(100);
    });

    it('rolls back everything when a batch fails midway (changed param after tags and metrics)', async () => {
      const run = await newRun();
      await store.logParam(run.info.run_id, { key: 'fixed', value: 'old' });
      const error = await storeError(
        store.logBatch(run.info.run_id, {
          metrics: [metric('written-first', 1, 0, 1)],
          tags: [{ key: 'written-too', value: 'x' }],
          params: [
            { key: 'fresh', value: '1' },
            { key: 'fixed', value: 'new' },
          ],
        }),
      );
      expect(error.message).toContain("key='fixed'");
      const after = await store.getRun(run.info.run_id);
      expect(after.data.metrics).toEqual([]);
      expect(after.data.params).toEqual([{ key: 'fixed', value: 'old' }]);
      expect(after.data.tags.map((t) => t.key)).not.toContain('written-too');
      expect(await store.getMetricHistory(run.info.run_id, 'written-first')).toEqual([]);
    });

    it('accepts a repeated param with one value and refuses two values for one key', async () => {
      const run = await newRun();
      await store.logBatch(run.info.run_id, {
        params: [
          { key: 'p', value: '1' },
          { key: 'p', value: '1' },
        ],
      });
      const error = await storeError(
        store.logBatch(run.info.run_id, {
          params: [
            { key: 'q', value: '1' },
            { key: 'q', value: '2' },
          ],
        }),
      );
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain('Duplicate parameter keys');
      expect((await store.getRun(run.info.run_id)).data.params).toEqual([{ key: 'p', value: '1' }]);
    });

    it('refuses a batch with one invalid metric without writing the valid ones', async () => {
      const run = await newRun();
      const error = await storeError(
        store.logBatch(run.info.run_id, { metrics: [metric('ok', 1, 0, 1), metric('bad/../key', 1, 0, 1)] }),
      );
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect((await store.getRun(run.info.run_id)).data.metrics).toEqual([]);
    });
  });

  describe('createRun with params, and finishRun', () => {
    it('creates a run with its params at once', async () => {
      const exp = await store.createExperiment(unique('create-params'));
      const run = await store.createRun({
        experimentId: exp,
        params: [
          { key: 'beta', value: '2' },
          { key: 'alpha', value: '0.1' },
        ],
      });
      expect(run.info.status).toBe('RUNNING');
      expect(run.data.params).toEqual([
        { key: 'alpha', value: '0.1' },
        { key: 'beta', value: '2' },
      ]);
      expect((await store.getRun(run.info.run_id)).data.params).toEqual(run.data.params);
    });

    it('refuses bad params before creating anything', async () => {
      const exp = await store.createExperiment(unique('create-bad-params'));
      const error = await storeError(
        store.createRun({ experimentId: exp, params: [{ key: 'bad key!', value: 'x' }] }),
      );
      expect(error.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect((await store.searchRuns({ experimentIds: [exp] })).runs).toHaveLength(0);
    });

    it('logs the last batch and ends the run', async () => {
      const run = await newRun();
      const id = run.info.run_id;
      await store.finishRun(id, {
        status: 'FAILED',
        endTime: 5000,
        metrics: [metric('loss', 0.25, 0, 4000)],
        params: [{ key: 'alpha', value: '1' }],
        tags: [{ key: 'why', value: 'diverged' }],
      });
      const done = await store.getRun(id);
      expect(done.info.status).toBe('FAILED');
      expect(done.info.end_time).toBe(5000);
      expect(done.data.metrics.map((m) => [m.key, m.value])).toEqual([['loss', 0.25]]);
      expect(done.data.params).toEqual([{ key: 'alpha', value: '1' }]);
      expect(done.data.tags.find((t) => t.key === 'why')?.value).toBe('diverged');
    });

    it('ends the run now when no end time is given, and needs no batch', async () => {
      const run = await newRun();
      const before = Date.now();
      await store.finishRun(run.info.run_id, { status: 'KILLED' });
      const done = await store.getRun(run.info.run_id);
      expect(done.info.status).toBe('KILLED');
      expect(done.info.end_time).toBeGreaterThanOrEqual(before);
    });

    it('leaves the run as it was when the batch is invalid', async () => {
      const run = await newRun();
      const id = run.info.run_id;
      await storeError(
        store.finishRun(id, {
          status: 'FINISHED',
          metrics: [metric('ok', 1, 0, 1)],
          params: [{ key: 'bad key!', value: '1' }],
        }),
      );
      const same = await store.getRun(id);
      expect(same.info.status).toBe('RUNNING');
      expect(same.data.metrics).toEqual([]);
    });

    it('refuses an unknown run', async () => {
      const error = await storeError(store.finishRun('0'.repeat(32), { status: 'FINISHED' }));
      expect(error.mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('dataset inputs (log_inputs)', () => {
    const cars = (digest = 'd1', extra: Partial<Dataset> = {}): Dataset => ({
      name: 'cars',
      digest,
      source_type: 'local',
      source: '{"uri": "/data/cars.csv"}',
      schema: '{"mlflow_colspec": [{"type": "double", "name": "mpg", "required": true}]}',
      profile: '{"num_rows": 3, "num_elements": 3}',
      ...extra,
    });
    const context = (value: string) => [{ key: 'mlflow.data.context', value }];
    async function logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
      if (store.logInputs === undefined) throw new Error(`${backend.name} store has no logInputs`);
      await store.logInputs(runId, inputs);
    }

    it('records datasets with their tags, returned by getRun and searchRuns', async () => {
      const run = await newRun();
      const id = run.info.run_id;
      await logInputs(id, [
        { dataset: cars(), tags: context('training') },
        { dataset: cars('d1', { source: 'ignored: same name and digest' }), tags: context('eval') },
        { dataset: { name: 'bare', digest: 'b0', source_type: 'code', source: '{}' }, tags: [] },
      ]);
      const expected = [
        { dataset: { name: 'bare', digest: 'b0', source_type: 'code', source: '{}' }, tags: [] },
        { dataset: cars(), tags: context('training') },
      ];
      expect((await store.getRun(id)).inputs).toEqual({ dataset_inputs: expected });
      const [found] = (await store.searchRuns({ experimentIds: [run.info.experiment_id] })).runs;
      expect(found.inputs).toEqual({ dataset_inputs: expected });
      // Logging the same dataset for the same run again adds nothing, not even its new tags.
      await logInputs(id, [{ dataset: cars(), tags: context('validation') }]);
      expect((await store.getRun(id)).inputs?.dataset_inputs).toEqual(expected);
    });

    it.skipIf(!backend.sql)(
      'keeps one dataset row per name and digest, shared by the runs that use it',
      async () => {
        const first = await newRun();
        const second = await newRun(first.info.experiment_id);
        await logInputs(first.info.run_id, [{ dataset: cars('shared'), tags: [] }]);
        await logInputs(second.info.run_id, [{ dataset: cars('shared'), tags: context('training') }]);
        const driver = (store as SqlTrackingStore).sqlDriver;
        const rows = await driver.all<{ n: number }>(
          sql`SELECT COUNT(*) AS n FROM datasets WHERE name = ${'cars'} AND digest = ${'shared'}`,
        );
        expect(Number(rows[0].n)).toBe(1);
        const uses = await driver.all<{ n: number }>(
          sql`SELECT COUNT(*) AS n FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE d.digest = ${'shared'}`,
        );
        expect(Number(uses[0].n)).toBe(2);
      },
    );

    it('refuses what MLflow refuses: oversized fields, a deleted run, a missing one', async () => {
      const run = await newRun();
      const tooLongDigest = await storeError(
        logInputs(run.info.run_id, [{ dataset: cars('x'.repeat(37)), tags: [] }]),
      );
      expect(tooLongDigest.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(tooLongDigest.message).toContain('Dataset digest exceeds the maximum length of 36');
      const longTag = await storeError(
        logInputs(run.info.run_id, [{ dataset: cars(), tags: [{ key: 'k', value: 'v'.repeat(501) }] }]),
      );
      expect(longTag.message).toContain('InputTag value exceeds the maximum length of 500');
      await store.deleteRun(run.info.run_id);
      expect(
        (await storeError(logInputs(run.info.run_id, [{ dataset: cars(), tags: [] }]))).mlflowErrorCode,
      ).toBe('INVALID_PARAMETER_VALUE');
      expect(
        (await storeError(logInputs('f'.repeat(32), [{ dataset: cars(), tags: [] }]))).mlflowErrorCode,
      ).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('finds runs by datasets.name, datasets.digest and datasets.context', async () => {
      const experimentId = await store.createExperiment(unique('datasets'));
      const train = await newRun(experimentId);
      const score = await newRun(experimentId);
      const none = await newRun(experimentId);
      await logInputs(train.info.run_id, [{ dataset: cars('t1'), tags: context('training') }]);
      await logInputs(score.info.run_id, [
        { dataset: { ...cars('s1'), name: 'cars_scoring' }, tags: context('scoring') },
      ]);
      const ids = async (filter: string) =>
        (await store.searchRuns({ experimentIds: [experimentId], filter })).runs
          .map((r) => r.info.run_id)
          .sort();
      expect(await ids("datasets.name = 'cars'")).toEqual([train.info.run_id]);
      expect(await ids("datasets.name LIKE 'cars%'")).toEqual([train.info.run_id, score.info.run_id].sort());
      expect(await ids("dataset.digest IN ('s1', 'zz')")).toEqual([score.info.run_id]);
      expect(await ids("datasets.context = 'training'")).toEqual([train.info.run_id]);
      expect(await ids("datasets.context != 'training'")).toEqual([score.info.run_id]);
      expect(await ids("datasets.name = 'cars' and datasets.context = 'scoring'")).toEqual([]);
      expect(none.info.run_id).not.toBe('');
      const wrongKey = await storeError(ids("datasets.profile = 'x'"));
      expect(wrongKey.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
    });
  });

  describe('data, not SQL', () => {
    it('stores and finds values that look like SQL injection as plain data', async () => {
      const evil = "x'); DROP TABLE runs; --";
      const experimentName = `exp "${evil}"`;
      const id = await store.createExperiment(experimentName, undefined, [{ key: 'k', value: evil }]);
      expect((await store.getExperimentByName(experimentName))?.experiment_id).toBe(id);
      const run = await store.createRun({ experimentId: id, runName: evil });
      await store.logParam(run.info.run_id, { key: 'p', value: evil });
      await store.setTag(run.info.run_id, { key: 't', value: `${evil}\\%_` });
      const back = await store.getRun(run.info.run_id);
      expect(back.info.run_name).toBe(evil);
      expect(back.data.params).toEqual([{ key: 'p', value: evil }]);
      const other = await store.createRun({ experimentId: id });
      expect(other.info.run_id).not.toBe(run.info.run_id);
      // A second store on the same database sees the data too (tables intact, migrations idempotent).
      const again = await handle.reopen();
      expect((await again.getRun(run.info.run_id)).data.params).toEqual([{ key: 'p', value: evil }]);
    });
  });

  describe('the shared SQL driver', () => {
    it.skipIf(!backend.sql)(
      'lets code inside a transaction use the driver or nest a transaction on the same connection',
      async () => {
        const driver = (store as SqlTrackingStore).sqlDriver;
        const run = await newRun();
        const id = run.info.run_id;
        const seen = await driver.transaction(async (tx) => {
          // On PostgreSQL the row lock makes a second connection wait for this transaction forever.
          if (driver.dialect === 'postgres')
            await tx.all(sql`SELECT run_uuid FROM runs WHERE run_uuid = ${id} FOR UPDATE`);
          await tx.run(sql`UPDATE runs SET status = ${'KILLED'} WHERE run_uuid = ${id}`);
          const [row] = await driver.all<{ status: string }>(
            sql`SELECT status FROM runs WHERE run_uuid = ${id}`,
          );
          await driver.transaction((inner) =>
            inner.run(sql`UPDATE runs SET user_id = ${'nested'} WHERE run_uuid = ${id}`),
          );
          return row.status;
        });
        expect(seen).toBe('KILLED');
        expect((await store.getRun(id)).info).toMatchObject({ status: 'KILLED', user_id: 'nested' });
      },
    );
  });

  describe('several stores on one database', () => {
    it('interleaves writes from two stores without losing any', async () => {
      const second = await handle.reopen();
      const id = await store.createExperiment(unique('shared'));
      const runs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : second).createRun({ experimentId: id })),
      );
      await Promise.all(
        runs.flatMap((run, i) =>
          Array.from({ length: 5 }, (_, step) =>
            (step % 2 === 0 ? store : second).logBatch(run.info.run_id, {
              metrics: [metric('loss', i + step, step, 1000 + step)],
              params: [{ key: `p${step}`, value: String(i) }],
            }),
          ),
        ),
      );
      for (const run of runs) {
        expect(await second.getMetricHistory(run.info.run_id, 'loss')).toHaveLength(5);
        const fetched = await store.getRun(run.info.run_id);
        expect(fetched.data.params).toHaveLength(5);
        expect(fetched.data.metrics).toEqual([expect.objectContaining({ key: 'loss', step: 4 })]);
      }
    });
  });
});
