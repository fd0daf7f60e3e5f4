import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlrecipeError, StoreError } from '../../src/errors.js';
import {
  endRun,
  getTrackingClient,
  localPathFromArtifactUri,
  logMetric,
  logParam,
  setTrackingUri,
  startRun,
  TAGS,
  TrackingClient,
} from '../../src/tracking/index.js';

const POSTGRES_URL = process.env.RECIPE_TEST_POSTGRES_URL;

interface Backend {
  name: string;
  /** A tracking URI for a fresh, empty store. */
  freshUri(dir: string): string;
}

const BACKENDS: Backend[] = [
  { name: 'sqlite', freshUri: (dir) => `sqlite:///${join(dir, 'mlruns', 'tracking.db')}` },
  ...(POSTGRES_URL
    ? [
        {
          name: 'postgresql',
          // A schema of its own per test keeps tests apart on one database.
          freshUri: () => {
            const schema = `client_${randomBytes(6).toString('hex')}`;
            pgSchemas.push(schema);
            return `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
          },
        },
      ]
    : []),
];
const pgSchemas: string[] = [];

let tmp: string;
let uri: string;
let clients: TrackingClient[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-client-'));
  uri = `sqlite:///${join(tmp, 'mlruns', 'tracking.db')}`;
  clients = [];
});
afterEach(async () => {
  for (const client of clients) await client.close();
  await rm(tmp, { recursive: true, force: true });
});
afterAll(async () => {
  if (!POSTGRES_URL || pgSchemas.length === 0) return;
  const db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  for (const schema of pgSchemas) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

async function open(env: Record<string, string | undefined> = {}): Promise<TrackingClient> {
  // The same object goes in, so a test can see the client remove MLFLOW_RUN_ID from it.
  env.USER ??= 'ada';
  const client = await TrackingClient.open({ trackingUri: uri, cwd: tmp, env });
  clients.push(client);
  return client;
}

function tagMap(tags: Array<{ key: string; value: string }>): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}

describe.each(BACKENDS)('TrackingClient on $name', (backend) => {
  beforeEach(() => {
    uri = backend.freshUri(tmp);
  });

  it('creates the experiment on first use and logs params, metrics and tags into a run', async () => {
    const client = await open();
    const run = await client.startRun({
      experimentName: 'wine',
      runName: 'ridge',
      tags: { team: 'ml', seed: 7 },
    });
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    await run.logParam('alpha', 0.1);
    await run.logParams({ fit_intercept: true, solver: 'cholesky' });
    for (let step = 0; step < 5; step++)
      await run.logMetric('loss', 1 / (step + 1), { step, timestamp: 1000 + step });
    await run.logMetrics({ rmse: 0.72, r2: Number.NaN }, { step: 3 });
    await run.setTag('stage', 'dev');
    await run.setTags({ note: 'first try', attempt: 1 });
    await run.end();

    const experiment = await client.store.getExperimentByName('wine');
    expect(experiment?.experiment_id).toBe(run.experimentId);
    const stored = await client.store.getRun(run.runId);
    expect(stored.info).toMatchObject({ status: 'FINISHED', run_name: 'ridge', user_id: 'ada' });
    expect(stored.info.end_time).toBeGreaterThanOrEqual(stored.info.start_time);
    expect(Object.fromEntries(stored.data.params.map((p) => [p.key, p.value]))).toEqual({
      alpha: '0.1',
      fit_intercept: 'true',
      solver: 'cholesky',
    });
    const latest = Object.fromEntries(stored.data.metrics.map((m) => [m.key, m]));
    expect(latest.loss).toMatchObject({ value: 0.2, step: 4, timestamp: 1004 });
    expect(latest.rmse?.value).toBe(0.72);
    expect(Number.isNaN(latest.r2?.value)).toBe(true);
    expect((await client.store.getMetricHistory(run.runId, 'loss')).map((m) => m.step)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    const tags = tagMap(stored.data.tags);
    expect(tags).toMatchObject({
      team: 'ml',
      seed: '7',
      stage: 'dev',
      note: 'first try',
      attempt: '1',
      [TAGS.user]: 'ada',
      [TAGS.sourceType]: 'LOCAL',
      [TAGS.sourceName]: resolve(process.argv[1] ?? ''),
      [TAGS.runName]: 'ridge',
    });
    expect(client.activeRun).toBeUndefined();
  });

  it('reuses an existing experiment by name and refuses a deleted one', async () => {
    const client = await open();
    const id = await client.store.createExperiment('exists');
    expect(await client.getOrCreateExperiment('exists')).toBe(id);
    const gone = await client.store.createExperiment('gone');
    await client.store.deleteExperiment(gone);
    const error = await client.startRun({ experimentName: 'gone' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/"gone" .* is deleted/);
    expect((error as StoreError).hint).toMatch(/experiments restore/);
  });

  it('nests runs only when asked, tagging the child with mlflow.parentRunId', async () => {
    const client = await open();
    const parent = await client.startRun({ experimentName: 'nest' });
    const refused = await client.startRun({ experimentName: 'nest' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MlrecipeError);
    expect((refused as Error).message).toContain(`run ${parent.runId} is already active`);

    const child = await client.startRun({ experimentName: 'nest', nested: true });
    expect(client.activeRun).toBe(child);
    const grandchild = await client.startRun({ nested: true, experimentId: parent.experimentId });
    expect(tagMap((await child.getRun()).data.tags)[TAGS.parentRunId]).toBe(parent.runId);
    expect(tagMap((await grandchild.getRun()).data.tags)[TAGS.parentRunId]).toBe(child.runId);
    expect(tagMap((await parent.getRun()).data.tags)[TAGS.parentRunId]).toBeUndefined();
    await client.endAllRuns('KILLED');
    expect((await client.store.getRun(parent.runId)).info.status).toBe('KILLED');
    expect((await client.store.getRun(grandchild.runId)).info.status).toBe('KILLED');
    expect(client.activeRun).toBeUndefined();
  });

  it('resumes the run named by MLFLOW_RUN_ID once, then starts fresh ones', async () => {
    const setup = await open();
    const experimentId = await setup.store.createExperiment('projects');
    const created = await setup.store.createRun({ experimentId, runName: 'from-parent' });
    await setup.store.updateRun(created.info.run_id, { status: 'SCHEDULED' });

    const env: Record<string, string | undefined> = { USER: 'ada', MLFLOW_RUN_ID: created.info.run_id };
    const client = await open(env);
    const resumed = await client.startRun({ tags: { resumed: 'yes' } });
    expect(resumed.runId).toBe(created.info.run_id);
    expect(env.MLFLOW_RUN_ID).toBeUndefined();
    const stored = await resumed.getRun();
    expect(stored.info.status).toBe('RUNNING');
    expect(tagMap(stored.data.tags).resumed).toBe('yes');
    // Resuming does not add the source tags of this process: the parent recorded its own.
    expect(tagMap(stored.data.tags)[TAGS.sourceType]).toBeUndefined();
    await resumed.end();

    const fresh = await client.startRun({ experimentId });
    expect(fresh.runId).not.toBe(created.info.run_id);
    await fresh.end();
  });

  it('refuses to resume a run into another experiment or a deleted run', async () => {
    const client = await open();
    const a = await client.store.createExperiment('a');
    const b = await client.store.createExperiment('b');
    const run = await client.store.createRun({ experimentId: a });
    await expect(client.startRun({ runId: run.info.run_id, experimentId: b })).rejects.toThrow(
      /belongs to experiment/,
    );
    await client.store.deleteRun(run.info.run_id);
    await expect(client.startRun({ runId: run.info.run_id })).rejects.toThrow(/is deleted/);
  });

  it('picks the experiment from setExperiment, MLFLOW_EXPERIMENT_ID, MLFLOW_EXPERIMENT_NAME, else Default', async () => {
    const byName = await open({ MLFLOW_EXPERIMENT_NAME: 'from-env' });
    const run = await byName.startRun();
    expect((await byName.store.getExperiment(run.experimentId)).name).toBe('from-env');
    await run.end();

    const byId = await open({ MLFLOW_EXPERIMENT_ID: run.experimentId, MLFLOW_EXPERIMENT_NAME: 'ignored' });
    const second = await byId.startRun();
    expect(second.experimentId).toBe(run.experimentId);
    await second.end();
    expect(await byId.store.getExperimentByName('ignored')).toBeNull();

    const plain = await open();
    const third = await plain.startRun();
    expect(third.experimentId).toBe('0');
    await third.end();

    // setExperiment wins over the environment, an explicit experimentName over both.
    const chosen = await byName.setExperiment('chosen');
    const fourth = await byName.startRun();
    expect(fourth.experimentId).toBe(chosen);
    await fourth.end();
    const fifth = await byName.startRun({ experimentName: 'explicit' });
    expect((await byName.store.getExperiment(fifth.experimentId)).name).toBe('explicit');
    await fifth.end();
  });

  it('splits large logParams/logMetrics/setTags calls into batches within MLflow limits', async () => {
    const client = await open();
    const run = await client.startRun({ experimentName: 'big' });
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i]));
    const metrics = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`m${i}`, i / 2]));
    const tags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${i}`, `v${i}`]));
    await run.logParams(params);
    await run.logMetrics(metrics, { step: 2 });
    await run.setTags(tags);
    const stored = await run.getRun();
    expect(stored.data.params).toHaveLength(250);
    expect(stored.data.metrics).toHaveLength(2500);
    expect(stored.data.metrics.find((m) => m.key === 'm2499')).toMatchObject({ value: 1249.5, step: 2 });
    expect(Object.keys(tagMap(stored.data.tags)).filter((k) => k.startsWith('t'))).toHaveLength(150);
    await run.end();
  });

  it('logs artifacts under the run’s artifact_uri, by default next to the database', async () => {
    const client = await open();
    const run = await client.startRun({ experimentName: 'arts' });
    const file = join(tmp, 'model.txt');
    await writeFile(file, 'weights');
    await run.logArtifact(file, 'model');
    const dir = localPathFromArtifactUri(run.artifactUri);
    expect(dir.startsWith(join(tmp, 'mlruns', 'artifacts'))).toBe(true);
    expect(await readFile(join(dir, 'model', 'model.txt'), 'utf8')).toBe('weights');
    expect(await run.listArtifacts()).toEqual([{ path: 'model', is_dir: true }]);
    await run.end();
  });

  it('withRun ends the run FAILED when the body throws and FINISHED otherwise', async () => {
    const client = await open();
    let failedId = '';
    await expect(
      client.withRun({ experimentName: 'with' }, async (run) => {
        failedId = run.runId;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await client.store.getRun(failedId)).info.status).toBe('FAILED');
    const okId = await client.withRun({ experimentName: 'with' }, async (run) => run.runId);
    expect((await client.store.getRun(okId)).info.status).toBe('FINISHED');
  });
});

describe('module-level API', () => {
  afterAll(async () => {
    await setTrackingUri(undefined);
  });

  it('logs through one process-wide active-run stack', async () => {
    await setTrackingUri(uri);
    const parent = await startRun({ experimentName: 'fluent' });
    await logParam('lr', 0.01);
    const child = await startRun({ nested: true });
    await logMetric('acc', 0.9, { step: 1 });
    await endRun();
    await logMetric('acc', 0.8);
    await endRun('FAILED');

    const client = await getTrackingClient();
    expect(client.activeRun).toBeUndefined();
    const p = await client.store.getRun(parent.runId);
    const c = await client.store.getRun(child.runId);
    expect(p.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(p.data.metrics.map((m) => [m.key, m.value])).toEqual([['acc', 0.8]]);
    expect(p.info.status).toBe('FAILED');
    expect(c.data.metrics.map((m) => [m.key, m.value, m.step])).toEqual([['acc', 0.9, 1]]);
    expect(c.info.status).toBe('FINISHED');
    expect(tagMap(c.data.tags)[TAGS.parentRunId]).toBe(parent.runId);
    // A child without an experiment of its own goes where its parent is.
    expect(c.info.experiment_id).toBe(p.info.experiment_id);
  });

  it('starts a run on demand when logging with none active, like mlflow.log_param', async () => {
    await setTrackingUri(uri);
    await logParam('auto', 'yes');
    const client = await getTrackingClient();
    const run = client.activeRun;
    expect(run).toBeDefined();
    expect((await run?.getRun())?.data.params).toEqual([{ key: 'auto', value: 'yes' }]);
    await endRun();
    expect(client.activeRun).toBeUndefined();
  });
});

describe('a training script in a child process', () => {
  const distTracking = pathToFileURL(
    fileURLToPath(new URL('../../dist/tracking/index.js', import.meta.url)),
  ).href;

  it('resumes the parent’s run from MLFLOW_RUN_ID and ends it FINISHED when the script exits', async () => {
    const setup = await open();
    const experimentId = await setup.store.createExperiment('parent-made');
    const created = await setup.store.createRun({ experimentId, runName: 'made-by-parent' });
    const script = join(tmp, 'train.mjs');
    await writeFile(
      script,
      `import { startRun, logMetric, logParam } from ${JSON.stringify(distTracking)};
const run = await startRun();
await logParam('lr', 0.5);
await logMetric('loss', 0.25, { step: 1 });
process.stdout.write(run.runId);
// No endRun(): the exit hook must end the run.
`,
    );
    const env = {
      ...process.env,
      MLFLOW_TRACKING_URI: uri,
      RECIPE_TRACKING_URI: '',
      MLFLOW_RUN_ID: created.info.run_id,
      MLFLOW_EXPERIMENT_ID: experimentId,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: tmp, env });
    expect(stdout).toBe(created.info.run_id);
    const run = await setup.store.getRun(created.info.run_id);
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.end_time).toBeGreaterThan(0);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.5' }]);
    expect(run.data.metrics.map((m) => [m.key, m.value, m.step])).toEqual([['loss', 0.25, 1]]);
  });

  it('tags a new run with its user, source script and the git commit it was run from', async () => {
    const repo = join(tmp, 'repo');
    const git = (...args: string[]) => promisify(execFile)('git', args, { cwd: repo });
    await mkdir(repo);
    await git('init', '-q');
    await writeFile(
      join(repo, 'train.mjs'),
      `import { startRun, endRun } from ${JSON.stringify(distTracking)};
const run = await startRun({ experimentName: 'git' });
await endRun();
process.stdout.write(run.runId);
`,
    );
    await git('add', 'train.mjs');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'train');
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();
    const env = {
      ...process.env,
      MLFLOW_TRACKING_URI: uri,
      RECIPE_TRACKING_URI: '',
      LOGNAME: 'grace',
      MLFLOW_RUN_ID: '',
    };
    const { stdout } = await promisify(execFile)(process.execPath, [join(repo, 'train.mjs')], {
      cwd: tmp,
      env,
    });
    const client = await open();
    const run = await client.store.getRun(stdout);
    expect(tagMap(run.data.tags)).toMatchObject({
      [TAGS.user]: 'grace',
      [TAGS.sourceName]: join(repo, 'train.mjs'),
      [TAGS.sourceType]: 'LOCAL',
      [TAGS.gitCommit]: head,
    });
    expect(run.info.user_id).toBe('grace');
  });
});
