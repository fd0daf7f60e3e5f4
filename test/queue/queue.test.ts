/**
 * The queue module against a real PostgreSQL: payloads and the inputs file round-trip, and a
 * worker started in this process runs trials queued by the executor — recording the trial's
 * child run, keeping the result for reuse, and running a trial queued twice once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeTrialInputs,
  encodeTrialInputs,
  parseTrialPayload,
  type QueueWorker,
  queueStatus,
  queueTrialExecutor,
  startQueueWorker,
} from '../../src/queue/index.js';
import { builtinTrialMetrics, fitTrainTrial, type TrainTrialInputs } from '../../src/sweeps/index.js';
import { artifactRepositoryForUri, openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';
import { startLocalS3 } from '../helpers/s3-server.js';
import { createQueueDatabase, POSTGRES_URL, type QueueDatabase } from './queue-database.js';

/** y = 3·x0 − 2·x1 + noise-free offset: ridge fits it closely, so metrics are checkable. */
function regressionInputs(): TrainTrialInputs {
  const n = 200;
  const x0 = new Float64Array(n);
  const x1 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x0[i] = (i % 17) / 17;
    x1[i] = (i % 5) / 5;
    y[i] = 3 * (x0[i] as number) - 2 * (x1[i] as number) + 1;
  }
  const val = 50;
  const v0 = Float64Array.from({ length: val }, (_, i) => (i % 7) / 7);
  const v1 = Float64Array.from({ length: val }, (_, i) => (i % 3) / 3);
  const truth = Float64Array.from(
    { length: val },
    (_, i) => 3 * (v0[i] as number) - 2 * (v1[i] as number) + 1,
  );
  return {
    payload: {
      recipeDir: process.cwd(),
      cfg: { estimator: { name: 'ridge', params: { alpha: 1 } } },
      kind: 'regressor',
      problemType: 'regression',
      X: { nRows: n, columns: [x0, x1] },
      y,
      nClasses: 0,
      Xval: { nRows: val, columns: [v0, v1] },
    },
    truth: { number: truth },
    positiveClass: 1,
    primary: 'root_mean_squared_error',
    greater: false,
  };
}

const fingerprint = (c: string) => c.repeat(64);

describe('trial payloads and inputs', () => {
  it('a payload of another format or with a bad field is refused, naming it', () => {
    const good = {
      format: 1,
      task: 'trial',
      fingerprint: fingerprint('a'),
      index: 3,
      params: { alpha: 0.5 },
      inputs: {
        artifactUri: 'mlflow-artifacts:/1/r/artifacts',
        path: 'mlrecipe-queue/x.bin',
        sha256: fingerprint('b'),
      },
    };
    expect(parseTrialPayload(good).index).toBe(3);
    expect(() => parseTrialPayload({ ...good, format: 2 })).toThrow(/format 2, this worker reads format 1/);
    expect(() => parseTrialPayload({ ...good, index: 'x' })).toThrow(/field "index"/);
    expect(() => parseTrialPayload({ ...good, inputs: { ...good.inputs, sha256: 'zz' } })).toThrow(
      /inputs.sha256/,
    );
  });

  it('the inputs file decodes to the same matrices, and a trial scores the same from it', async () => {
    const inputs = regressionInputs();
    const decoded = decodeTrialInputs(encodeTrialInputs(inputs), process.cwd());
    expect(Array.from(decoded.payload.X.columns[1] as Float64Array)).toEqual(
      Array.from(inputs.payload.X.columns[1] as Float64Array),
    );
    expect(Array.from(decoded.truth.number as Float64Array)).toEqual(
      Array.from(inputs.truth.number as Float64Array),
    );
    expect(decoded.payload.cfg).toEqual(inputs.payload.cfg);
    const score = async (i: TrainTrialInputs) =>
      builtinTrialMetrics({
        kind: 'regressor',
        truth: i.truth,
        result: await fitTrainTrial(i.payload, { params: { alpha: 0.01 } }),
        nClasses: 0,
      }).root_mean_squared_error;
    expect(await score(decoded)).toBe(await score(inputs));
    expect(() => decodeTrialInputs(Buffer.from('not it'), '.')).toThrow(/not in the format/);
  });
});

describe.skipIf(!POSTGRES_URL)('a worker in this process, on a real PostgreSQL queue', () => {
  let db: QueueDatabase;
  let dir: string;
  let store: TrackingStore;
  let worker: QueueWorker;
  let trackingUri: string;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createQueueDatabase('mlrecipe_queue_mod');
    dir = mkdtempSync(join(tmpdir(), 'mlrecipe-queue-mod-'));
    trackingUri = `sqlite:///${join(dir, 'tracking.db')}`;
    store = await openTrackingStore(trackingUri, { defaultArtifactRoot: join(dir, 'artifacts') });
    worker = await startQueueWorker({
      connectionString: db.url,
      concurrency: 2,
      trackingUri,
      lockTimeoutMs: 5000,
      pollIntervalMs: 200,
      log: (m) => logs.push(m),
    });
  });
  afterAll(async () => {
    await worker?.stop(1000);
    await store?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a queued trial, finishes its child run, and keeps the result for the next sweep', async () => {
    const experimentId = await store.createExperiment('queue');
    const parent = await store.createRun({ experimentId, runName: 'sweep' });
    const child = await store.createRun({ experimentId, runName: 'sweep-trial-0' });
    const session = await queueTrialExecutor({ connectionString: db.url, pollIntervalMs: 50 }).open({
      inputs: regressionInputs(),
      parentRunId: parent.info.run_id,
      store,
      trackingUri,
      log: () => undefined,
    });
    try {
      const fp = fingerprint('c');
      expect(await session.lookup(fp)).toBeUndefined();
      const outcome = await session.run({
        index: 0,
        fingerprint: fp,
        params: { alpha: 0.01 },
        runId: child.info.run_id,
      });
      expect(outcome.status).toBe('ok');
      expect(outcome.recordedRunId).toBe(child.info.run_id);
      const local = builtinTrialMetrics({
        kind: 'regressor',
        truth: regressionInputs().truth,
        result: await fitTrainTrial(regressionInputs().payload, { params: { alpha: 0.01 } }),
        nClasses: 0,
      });
      expect(outcome.status === 'ok' && outcome.metrics.root_mean_squared_error).toBe(
        local.root_mean_squared_error,
      );
      const recorded = await store.getRun(child.info.run_id);
      expect(recorded.info.status).toBe('FINISHED');
      const metric = (key: string) => recorded.data.metrics.find((m) => m.key === key)?.value;
      expect(metric('val_root_mean_squared_error')).toBe(local.root_mean_squared_error);
      expect(metric('loss')).toBe(local.root_mean_squared_error);
      expect(recorded.data.tags.find((t) => t.key === 'mlrecipe.trial.worker')?.value).toBe(worker.workerId);
      // The result is a cache entry now: the next sweep's lookup gets it without a job.
      const again = await session.lookup(fp);
      expect(again).toEqual(outcome);
    } finally {
      await session.close();
    }
  });

  it('a trial queued twice at once runs once', async () => {
    const experimentId = await store.createExperiment('queue-twice');
    const parent = await store.createRun({ experimentId, runName: 'sweep' });
    const open = () =>
      queueTrialExecutor({ connectionString: db.url, pollIntervalMs: 50 }).open({
        inputs: regressionInputs(),
        parentRunId: parent.info.run_id,
        store,
        trackingUri,
        log: () => undefined,
      });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const before =
        (await queueStatus(db.url)).workers.find((w) => w.workerId === worker.workerId)?.jobsDone ?? 0;
      const fp = fingerprint('d');
      const [ra, rb] = await Promise.all([
        a.run({ index: 1, fingerprint: fp, params: { alpha: 2 } }),
        b.run({ index: 1, fingerprint: fp, params: { alpha: 2 } }),
      ]);
      expect(ra).toEqual(rb);
      const status = await queueStatus(db.url);
      expect(status.workers.find((w) => w.workerId === worker.workerId)?.jobsDone).toBe(before + 1);
      expect(status.jobs).toEqual({ queued: 0, running: 0, retrying: 0, failed: 0 });
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const rows = await client.query(
          'SELECT count(*)::int AS n FROM mlrecipe_queue_results WHERE job_key = $1',
          [fp],
        );
        expect(rows.rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a trial whose fit fails is a failed outcome, recorded, not retried', async () => {
    const experimentId = await store.createExperiment('queue-failed');
    const parent = await store.createRun({ experimentId, runName: 'sweep' });
    const child = await store.createRun({ experimentId, runName: 'sweep-trial-2' });
    const session = await queueTrialExecutor({ connectionString: db.url, pollIntervalMs: 50 }).open({
      inputs: regressionInputs(),
      parentRunId: parent.info.run_id,
      store,
      trackingUri,
      log: () => undefined,
    });
    try {
      const outcome = await session.run({
        index: 2,
        fingerprint: fingerprint('e'),
        params: { alpha: 'not a number' },
        runId: child.info.run_id,
      });
      expect(outcome.status).toBe('failed');
      const recorded = await store.getRun(child.info.run_id);
      expect(recorded.info.status).toBe('FAILED');
      expect(recorded.data.tags.find((t) => t.key === 'mlrecipe.trial.error')?.value).toBe(
        outcome.status === 'failed' ? outcome.error : '',
      );
    } finally {
      await session.close();
    }
  });
  it('inputs travel through an s3:// artifact root: the worker downloads them from S3', async () => {
    const s3 = await startLocalS3('queue-inputs');
    // The worker in this process reads the S3 settings from its environment, as a real one does.
    const saved = Object.fromEntries(Object.keys(s3.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, s3.env);
    try {
      const experimentId = await store.createExperiment('queue-s3', `s3://${s3.bucket}/experiments/q`);
      const parent = await store.createRun({ experimentId, runName: 'sweep' });
      expect(parent.info.artifact_uri).toMatch(/^s3:\/\/queue-inputs\/experiments\/q\//);
      const child = await store.createRun({ experimentId, runName: 'sweep-trial-3' });
      const session = await queueTrialExecutor({ connectionString: db.url, pollIntervalMs: 50 }).open({
        inputs: regressionInputs(),
        parentRunId: parent.info.run_id,
        store,
        trackingUri,
        log: () => undefined,
      });
      try {
        const outcome = await session.run({
          index: 3,
          fingerprint: fingerprint('f'),
          params: { alpha: 0.5 },
          runId: child.info.run_id,
        });
        expect(outcome.status).toBe('ok');
        expect((await store.getRun(child.info.run_id)).info.status).toBe('FINISHED');
        const listed = await artifactRepositoryForUri(parent.info.artifact_uri, {
          env: s3.env,
        }).listArtifacts('mlrecipe-queue');
        expect(listed).toHaveLength(1);
        expect(listed[0]?.path).toMatch(/^mlrecipe-queue\/[0-9a-f]{64}\.bin$/);
      } finally {
        await session.close();
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await s3.close();
    }
  });
});

describe.skipIf(!POSTGRES_URL)('a worker that dies right after taking a job', () => {
  let db: QueueDatabase;
  let dir: string;
  let store: TrackingStore;
  let worker: QueueWorker | undefined;
  let trackingUri: string;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createQueueDatabase('mlrecipe_queue_gap');
    dir = mkdtempSync(join(tmpdir(), 'mlrecipe-queue-gap-'));
    trackingUri = `sqlite:///${join(dir, 'tracking.db')}`;
    store = await openTrackingStore(trackingUri, { defaultArtifactRoot: join(dir, 'artifacts') });
  });
  afterAll(async () => {
    await worker?.stop(1000);
    await store?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no job locked for hours: a lock that no worker names is released by the next heartbeat', async () => {
    const experimentId = await store.createExperiment('queue-gap');
    const parent = await store.createRun({ experimentId, runName: 'sweep' });
    const child = await store.createRun({ experimentId, runName: 'sweep-trial-0' });
    const session = await queueTrialExecutor({ connectionString: db.url, pollIntervalMs: 50 }).open({
      inputs: regressionInputs(),
      parentRunId: parent.info.run_id,
      store,
      trackingUri,
      log: () => undefined,
    });
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      // No worker runs yet: the job waits in the queue.
      const fp = fingerprint('9');
      const pending = session.run({
        index: 0,
        fingerprint: fp,
        params: { alpha: 0.1 },
        runId: child.info.run_id,
      });
      for (let i = 0; ; i++) {
        const queued = await sql.query('SELECT 1 FROM graphile_worker.jobs WHERE key = $1', [fp]);
        if (queued.rowCount) break;
        if (i > 400) throw new Error('the job was never queued');
        await new Promise((r) => setTimeout(r, 25));
      }
      // The state a worker SIGKILLed between taking the job and recording its lock leaves: the
      // job locked (as graphile-worker's get_job locks it) by a pool id that no worker row names,
      // its row registered with no ids and its heartbeat stopped long ago.
      await sql.query(
        `INSERT INTO mlrecipe_queue_workers (worker_id, host, pid, concurrency, tasks, lock_timeout_ms, last_seen_at)
         VALUES ('dead-host-1-aaaaaa', 'dead-host', 1, 1, 'trial', 1000, now() - interval '1 hour')`,
      );
      await sql.query(
        `UPDATE graphile_worker._private_jobs
         SET locked_by = 'pool-0123456789abcdef01', locked_at = now() - interval '1 hour', attempts = attempts + 1
         WHERE key = $1`,
        [fp],
      );
      worker = await startQueueWorker({
        connectionString: db.url,
        concurrency: 2,
        trackingUri,
        lockTimeoutMs: 2000,
        pollIntervalMs: 100,
        log: (m) => logs.push(m),
      });
      // Its first heartbeat releases the job no worker names, and it runs the trial.
      const outcome = await pending;
      expect(outcome.status).toBe('ok');
      expect(logs).toContain(
        'worker dead-host-1-aaaaaa missed its heartbeats: its jobs go back to the queue',
      );
      expect((await store.getRun(child.info.run_id)).info.status).toBe('FINISHED');
      const results = await sql.query('SELECT worker_id FROM mlrecipe_queue_results WHERE job_key = $1', [
        fp,
      ]);
      expect(results.rows).toEqual([{ worker_id: worker.workerId }]);
    } finally {
      await sql.end();
      await session.close();
    }
  });
});
