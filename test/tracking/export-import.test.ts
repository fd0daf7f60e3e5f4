/**
 * `recipe runs export --format mlflow` / `recipe runs import`: MLflow's file-store layout, written
 * and read back on SQLite and PostgreSQL, plus a directory MLflow 2.12.2's own FileStore wrote
 * (test/fixtures/mlflow-file-store, made by scripts/mlflow-file-store-fixture.sh).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../src/errors.js';
import { exportRuns } from '../../src/tracking/export-runs.js';
import { importRuns } from '../../src/tracking/import-runs.js';
import { openSqliteTrackingStore } from '../../src/tracking/sqlite-store.js';
import type { Metric, Run, TrackingStore } from '../../src/tracking/types.js';
import { LocalArtifactRepository } from '../../src/tracking/index.js';
import { type CliResult, envWithoutTrackingUri, runCli } from '../helpers/cli.js';
import { BACKENDS, noticeSkipped, type StoreHandle } from './store-backends.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/mlflow-file-store/mlruns', import.meta.url));
const T = 1_700_000_000_000;

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-export-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

/** Everything a run holds, as comparable data: info (without its artifact_uri), data, histories, inputs. */
async function snapshot(store: TrackingStore, run: Run, experimentId: string) {
  const histories: Record<string, Metric[]> = {};
  for (const m of run.data.metrics) histories[m.key] = await store.getMetricHistory(run.info.run_id, m.key);
  const { artifact_uri: _ignored, ...info } = run.info;
  return { info: { ...info, experiment_id: experimentId }, data: run.data, inputs: run.inputs, histories };
}

async function allRuns(store: TrackingStore, experimentId: string): Promise<Run[]> {
  const page = await store.searchRuns({
    experimentIds: [experimentId],
    runViewType: 'ALL',
    orderBy: ['attributes.start_time ASC'],
  });
  return page.runs;
}

/** A source store's content: a sweep parent with full histories, a child, a deleted run, artifacts. */
async function populate(store: TrackingStore, artifactsDir: string) {
  const experimentId = await store.createExperiment('wine', undefined, [{ key: 'team', value: 'ml' }]);
  const parent = await store.createRun({ experimentId, runName: 'sweep', startTime: T, userId: 'alice' });
  const id = parent.info.run_id;
  await store.logBatch(id, {
    params: [
      { key: 'alpha', value: '0.1' },
      { key: 'model/depth', value: '6' },
      { key: 'empty', value: '' },
    ],
    metrics: [
      { key: 'rmse', value: 0.5, timestamp: T + 1, step: 0 },
      { key: 'rmse', value: 0.25, timestamp: T + 2, step: 1 },
      { key: 'rmse', value: 0.3, timestamp: T + 3, step: 1 },
      { key: 'loss/train', value: Number.NaN, timestamp: T + 4, step: 0 },
      { key: 'loss/train', value: Number.POSITIVE_INFINITY, timestamp: T + 5, step: 1 },
      { key: 'loss/train', value: Number.NEGATIVE_INFINITY, timestamp: T + 6, step: 2 },
      { key: 'tiny', value: 1.5e-12, timestamp: T + 7, step: -4 },
    ],
    tags: [
      { key: 'note', value: 'two\nlines, ünïcode' },
      { key: 'mlflow.source.git.commit', value: 'abc123' },
    ],
  });
  await store.logInputs?.(id, [
    {
      dataset: {
        name: 'wine-train',
        digest: 'abcd1234',
        source_type: 'local',
        source: '{"uri": "/data/wine.csv"}',
        schema: '{"mlflow_colspec": []}',
        profile: '{"num_rows": 10}',
      },
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
    },
  ]);
  const src = join(artifactsDir, 'src');
  await mkdir(join(src, 'model'), { recursive: true });
  await writeFile(join(src, 'model', 'MLmodel'), 'flavors: {}\n');
  await writeFile(join(src, 'card.html'), '<h1>card</h1>');
  await new LocalArtifactRepository(parent.info.artifact_uri).logArtifacts(src);
  await store.updateRun(id, { status: 'FINISHED', endTime: T + 100 });

  const child = await store.createRun({
    experimentId,
    runName: 'trial-0',
    startTime: T + 10,
    tags: [{ key: 'mlflow.parentRunId', value: id }],
  });
  await store.logMetric(child.info.run_id, { key: 'rmse', value: 0.7, timestamp: T + 11, step: 0 });
  await store.updateRun(child.info.run_id, { status: 'FAILED', endTime: T + 20 });

  const gone = await store.createRun({ experimentId, runName: 'gone', startTime: T + 30 });
  await store.deleteRun(gone.info.run_id);
  return { experimentId, parentId: id, childId: child.info.run_id, goneId: gone.info.run_id };
}

for (const backend of BACKENDS.filter((b) => b.sql)) noticeSkipped(backend);

describe.each(BACKENDS.filter((b) => b.sql))('export and import on $name', (backend) => {
  let source: StoreHandle;
  let target: StoreHandle;
  beforeEach(async () => {
    if (!backend.available) return;
    source = await backend.open();
    target = await backend.open();
  });
  afterEach(async () => {
    await source?.dispose();
    await target?.dispose();
  });

  it.skipIf(!backend.available)(
    'round-trips every experiment and run, losing nothing, and re-importing changes nothing',
    async () => {
      const made = await populate(source.store, tmp);
      const dir = join(tmp, 'export');
      const exported = await exportRuns({ store: source.store, dir });
      expect(exported).toMatchObject({ experiments: 2, runs: 3, metricPoints: 8, artifactFiles: 2 });

      const first = await importRuns({ store: target.store, dir });
      expect(first.runs.map((r) => r.outcome)).toEqual(['imported', 'imported', 'imported']);
      const wine = await target.store.getExperimentByName('wine');
      expect(wine?.tags).toEqual([{ key: 'team', value: 'ml' }]);
      const before = await allRuns(source.store, made.experimentId);
      const after = await allRuns(target.store, wine?.experiment_id as string);
      expect(after.map((r) => r.info.run_id)).toEqual(before.map((r) => r.info.run_id));
      for (let i = 0; i < before.length; i++) {
        expect(await snapshot(target.store, after[i], 'x')).toEqual(
          await snapshot(source.store, before[i], 'x'),
        );
      }
      // The sweep's history, NaN and ±Infinity included, point by point.
      expect(await target.store.getMetricHistory(made.parentId, 'rmse')).toHaveLength(3);
      const loss = await target.store.getMetricHistory(made.parentId, 'loss/train');
      expect(loss.map((m) => m.value)).toEqual([Number.NaN, 1.7976931348623157e308, -1.7976931348623157e308]);
      // Artifacts land under the target experiment's artifact location, byte for byte.
      const imported = await target.store.getRun(made.parentId);
      expect(imported.info.artifact_uri.startsWith(wine?.artifact_location as string)).toBe(true);
      const repo = new LocalArtifactRepository(imported.info.artifact_uri);
      expect((await repo.listArtifacts()).map((f) => f.path)).toEqual(['card.html', 'model']);
      const out = await repo.downloadArtifacts('model/MLmodel', join(tmp, 'dl'));
      expect(await readFile(out, 'utf8')).toBe('flavors: {}\n');
      expect((await target.store.getRun(made.goneId)).info.lifecycle_stage).toBe('deleted');

      const again = await importRuns({ store: target.store, dir });
      expect(again.runs.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(again.experiments.every((e) => !e.created)).toBe(true);
      expect(await allRuns(target.store, wine?.experiment_id as string)).toHaveLength(3);
    },
  );

  it.skipIf(!backend.available)('reads a directory MLflow 2.12.2’s own FileStore wrote', async () => {
    const result = await importRuns({ store: target.store, dir: FIXTURE });
    expect(result.runs).toHaveLength(5);
    expect(result.runs.every((r) => r.outcome === 'imported')).toBe(true);
    const exp = await target.store.getExperimentByName('fixture-regression');
    expect(exp?.tags).toEqual([
      { key: 'mlflow.note.content', value: 'a note' },
      { key: 'team', value: 'forecasting' },
    ]);
    const sweep = await target.store.getRun('000000000000000000000000000000a2');
    expect(sweep.info).toMatchObject({
      run_name: 'sweep',
      user_id: 'alice',
      status: 'FINISHED',
      start_time: T,
      end_time: T + 1000,
      lifecycle_stage: 'active',
    });
    expect(sweep.data.params).toEqual([
      { key: 'alpha', value: '0.1' },
      { key: 'empty', value: '' },
      { key: 'layers/hidden', value: '64' },
    ]);
    expect(sweep.data.tags).toContainEqual({ key: 'multi', value: 'line one\nline two' });
    expect(await target.store.getMetricHistory(sweep.info.run_id, 'rmse')).toEqual([
      { key: 'rmse', value: 0.5, timestamp: T + 10, step: 0 },
      { key: 'rmse', value: 0.25, timestamp: T + 20, step: 1 },
      { key: 'rmse', value: 0.125, timestamp: T + 30, step: 2 },
    ]);
    expect(
      (await target.store.getMetricHistory(sweep.info.run_id, 'loss/train')).map((m) => m.value),
    ).toEqual([Number.NaN, 1.7976931348623157e308]);
    expect(await target.store.getMetricHistory(sweep.info.run_id, 'tiny')).toEqual([
      { key: 'tiny', value: 1e-7, timestamp: T + 60, step: -3 },
    ]);
    expect(sweep.inputs?.dataset_inputs).toEqual([
      {
        dataset: {
          name: 'cars',
          digest: 'd1g3st',
          source_type: 'local',
          source: '{"uri": "/data/cars.csv"}',
          schema: '{"mlflow_colspec": [{"type": "double", "name": "x"}]}',
          profile: '{"num_rows": 3, "num_elements": 3}',
        },
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
      },
    ]);
    // The fixture's artifact_uri names /tmp paths that are gone; the run's own artifacts/ is read.
    const files = await readdir(join(new URL(`file://${sweep.info.artifact_uri}`).pathname, 'plots'));
    expect(files).toEqual(['residuals.csv']);
    expect((await target.store.getRun('000000000000000000000000000000a3')).info.status).toBe('FAILED');
    expect((await target.store.getRun('000000000000000000000000000000a4')).info.lifecycle_stage).toBe(
      'deleted',
    );
    const running = await target.store.getRun('000000000000000000000000000000a5');
    expect(running.info.status).toBe('RUNNING');
    expect(running.info.end_time).toBeUndefined();
    expect(running.info.experiment_id).toBe('0');
    const archived = await target.store.getExperimentByName('fixture-archived');
    expect(archived?.lifecycle_stage).toBe('deleted');
    const [acc] = (await target.store.getRun('000000000000000000000000000000a7')).data.metrics;
    expect(acc).toEqual({ key: 'acc', value: 0.9, timestamp: T + 610, step: 0 });
  });

  it.skipIf(!backend.available)(
    'refuses ids taken by other runs before writing anything; --new-ids re-links children',
    async () => {
      const made = await populate(source.store, tmp);
      const dir = join(tmp, 'export');
      await exportRuns({ store: source.store, dir });
      // The target already has different runs under the parent's and the child's ids.
      await importRuns({ store: target.store, dir });
      await target.store.logParam(made.parentId, { key: 'extra', value: 'x' });
      await target.store.setTag(made.childId, { key: 'changed', value: 'yes' });

      const error = await failure(importRuns({ store: target.store, dir }));
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).mlflowErrorCode).toBe('RESOURCE_ALREADY_EXISTS');
      expect((error as StoreError).message).toContain(made.parentId);
      expect((error as StoreError).hint).toContain('--new-ids');

      const result = await importRuns({ store: target.store, dir, newIds: true });
      const byId = new Map(result.runs.map((r) => [r.source_run_id, r]));
      expect(byId.get(made.parentId)?.outcome).toBe('renamed');
      expect(byId.get(made.childId)?.outcome).toBe('renamed');
      expect(byId.get(made.goneId)?.outcome).toBe('unchanged');
      const newParent = byId.get(made.parentId)?.run_id as string;
      const newChild = await target.store.getRun(byId.get(made.childId)?.run_id as string);
      expect(newChild.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: newParent });
      expect((await target.store.getRun(newParent)).data.params.map((p) => p.key)).toEqual([
        'alpha',
        'empty',
        'model/depth',
      ]);
    },
  );
});

describe('import is atomic per run (SQLite)', () => {
  it('a run whose transaction fails leaves no row and no artifacts behind', async () => {
    const path = join(tmp, 'db', 'tracking.db');
    const artifactRoot = join(tmp, 'artifacts');
    const store = await openSqliteTrackingStore({ path, defaultArtifactRoot: artifactRoot });
    try {
      // The last write of a run with a dataset input fails inside the transaction.
      const db = new Database(path);
      db.exec(
        `CREATE TRIGGER refuse_input_tags BEFORE INSERT ON input_tags BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
      );
      db.close();
      const error = await failure(importRuns({ store, dir: FIXTURE }));
      expect(String((error as Error).message)).toContain('disk full');
      const exp = await store.getExperimentByName('fixture-regression');
      const id = exp?.experiment_id as string;
      await expect(store.getRun('000000000000000000000000000000a2')).rejects.toMatchObject({
        mlflowErrorCode: 'RESOURCE_DOES_NOT_EXIST',
      });
      const check = new Database(path, { readonly: true });
      const count = (table: string) =>
        (
          check
            .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_uuid = ?`)
            .get('000000000000000000000000000000a2') as { n: number }
        ).n;
      expect([count('params'), count('metrics'), count('tags'), count('latest_metrics')]).toEqual([
        0, 0, 0, 0,
      ]);
      check.close();
      // Its artifacts were copied first and removed again.
      expect(await readdir(join(artifactRoot, id)).catch(() => [])).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('bad input and path traversal', () => {
  let store: TrackingStore;
  let dbPath: string;
  beforeEach(async () => {
    dbPath = join(tmp, 'db', 'tracking.db');
    store = await openSqliteTrackingStore({ path: dbPath, defaultArtifactRoot: join(tmp, 'artifacts') });
  });
  afterEach(async () => {
    await store.close();
  });

  async function copyFixture(): Promise<string> {
    const { cp } = await import('node:fs/promises');
    const dir = join(tmp, 'mlruns');
    await cp(FIXTURE, dir, { recursive: true });
    return dir;
  }
  const RUN = join('161', '000000000000000000000000000000a2');

  it('export refuses a key that would leave its folder, and leaves no directory behind', async () => {
    const exp = await store.createExperiment('x');
    const run = await store.createRun({ experimentId: exp });
    // Another client wrote the database; MLflow's validation would have refused this key.
    const db = new Database(dbPath);
    db.prepare(`INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)`).run(
      '../../escape',
      'v',
      run.info.run_id,
    );
    db.close();
    const dir = join(tmp, 'out');
    const error = await failure(exportRuns({ store, dir }));
    expect((error as StoreError).message).toMatch(/cannot export param key "\.\.\/\.\.\/escape"/);
    expect((error as StoreError).hint).toBeDefined();
    expect(await readdir(tmp)).not.toContain('out');
    expect((await readdir(tmp)).filter((f) => f.includes('out'))).toEqual([]);
  });

  it('import refuses symbolic links (they could point anywhere) and reads nothing into the store', async () => {
    const dir = await copyFixture();
    await symlink('/etc', join(dir, RUN, 'artifacts', 'etc'));
    const error = await failure(importRuns({ store, dir }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(join(dir, RUN, 'artifacts', 'etc'));
    expect((error as ConfigError).message).toContain('symbolic link');
    expect(await store.getExperimentByName('fixture-regression')).toBeNull();
  });

  it('a malformed metric line is reported with file, line and a hint', async () => {
    const dir = await copyFixture();
    const file = join(dir, RUN, 'metrics', 'rmse');
    await writeFile(file, `${T} 0.5 0\n${T + 1} zero 1\n`);
    const error = (await failure(importRuns({ store, dir }))) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues[0]).toMatchObject({ file, line: 2, path: 'rmse' });
    expect(error.message).toContain('hint: each line is "<timestamp ms> <value> <step>"');
  });

  it('a bad field in meta.yaml names its line; a key MLflow would refuse is refused', async () => {
    const dir = await copyFixture();
    const meta = join(dir, RUN, 'meta.yaml');
    await writeFile(meta, (await readFile(meta, 'utf8')).replace('status: 3', 'status: 9'));
    const error = (await failure(importRuns({ store, dir }))) as ConfigError;
    const line = (await readFile(meta, 'utf8')).split('\n').findIndex((l) => l.startsWith('status:')) + 1;
    expect(error.issues[0]).toMatchObject({ file: meta, line, path: 'status' });
    expect(error.issues[0].hint).toContain('FINISHED');

    await writeFile(meta, (await readFile(meta, 'utf8')).replace('status: 9', 'status: 3'));
    await writeFile(join(dir, RUN, 'tags', 'bad key!'), 'x');
    const bad = (await failure(importRuns({ store, dir }))) as ConfigError;
    expect(bad.issues[0].file).toBe(join(dir, RUN, 'tags', 'bad key!'));
    expect(bad.message).toContain('Invalid tag name');
  });

  it('a run folder whose meta.yaml names another run is refused', async () => {
    const dir = await copyFixture();
    const meta = join(dir, RUN, 'meta.yaml');
    await writeFile(
      meta,
      (await readFile(meta, 'utf8')).replace(/^run_id: .*$/m, 'run_id: 0000000000000000000000000000ffff'),
    );
    const error = (await failure(importRuns({ store, dir }))) as ConfigError;
    expect(error.issues[0]).toMatchObject({ file: meta, path: 'run_id' });
  });
});

describe('recipe runs export / import (CLI)', () => {
  let cliTmp: string;
  beforeAll(async () => {
    cliTmp = await mkdtemp(join(tmpdir(), 'mlrecipe-export-cli-'));
  });
  afterAll(async () => {
    await rm(cliTmp, { recursive: true, force: true });
  });
  const recipe = (uri: string, ...args: string[]): Promise<CliResult> =>
    runCli(['--tracking-uri', uri, ...args], { cwd: cliTmp, env: envWithoutTrackingUri() });

  it('imports MLflow’s directory, exports one experiment by name, and refuses a non-empty target', async () => {
    const uri = `sqlite:///${join(cliTmp, 'a.db')}`;
    const imported = await recipe(uri, 'runs', 'import', FIXTURE);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Imported 5 run(s) (0 under new ids), 0 already present');
    const again = await recipe(uri, 'runs', 'import', FIXTURE, '--output', 'json');
    expect(JSON.parse(again.stdout).runs.every((r: { outcome: string }) => r.outcome === 'unchanged')).toBe(
      true,
    );

    const out = join(cliTmp, 'one');
    const exported = await recipe(
      uri,
      'runs',
      'export',
      '--format',
      'mlflow',
      out,
      '--experiment-name',
      'fixture-regression',
    );
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('Exported 1 experiment(s), 3 run(s)');
    const refused = await recipe(uri, 'runs', 'export', out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not empty');
    expect(refused.stderr).toContain('hint:');

    const missing = await recipe(uri, 'runs', 'import', join(cliTmp, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a directory');
  });
});

describe('export from a tracking server over REST', () => {
  it('downloads mlflow-artifacts: through the proxy; import over REST is refused with a hint', async () => {
    const { startTestTrackingServer } = await import('../server/tracking-server-fixture.js');
    const { RestTrackingStore } = await import('../../src/tracking/rest-store.js');
    const server = await startTestTrackingServer();
    const store = new RestTrackingStore({ uri: server.url, env: {}, maxRetries: 0 });
    try {
      const experimentId = await store.createExperiment('served');
      const run = await store.createRun({ experimentId, runName: 'remote', startTime: T });
      await store.logMetric(run.info.run_id, { key: 'rmse', value: 0.5, timestamp: T, step: 0 });
      expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`);
      const put = await fetch(
        `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${run.info.run_id}/artifacts/model/MLmodel`,
        { method: 'PUT', body: 'flavors: {}\n' },
      );
      expect(put.status).toBe(200);

      const dir = join(tmp, 'from-server');
      const result = await exportRuns({ store, dir, experimentIds: [experimentId] });
      expect(result).toMatchObject({ experiments: 1, runs: 1, metricPoints: 1, artifactFiles: 1 });
      expect(
        await readFile(join(dir, experimentId, run.info.run_id, 'artifacts', 'model', 'MLmodel'), 'utf8'),
      ).toBe('flavors: {}\n');

      const refused = await failure(importRuns({ store, dir }));
      expect((refused as Error).message).toContain('cannot import runs with their ids');
      expect((refused as { hint?: string }).hint).toContain('sqlite');

      const local = await openSqliteTrackingStore({
        path: join(tmp, 'local.db'),
        defaultArtifactRoot: join(tmp, 'local'),
      });
      try {
        await importRuns({ store: local, dir });
        const copy = await local.getRun(run.info.run_id);
        expect(copy.data.metrics).toEqual([{ key: 'rmse', value: 0.5, timestamp: T, step: 0 }]);
        expect(await readFile(join(copy.info.artifact_uri, 'model', 'MLmodel'), 'utf8')).toBe(
          'flavors: {}\n',
        );
      } finally {
        await local.close();
      }
    } finally {
      await store.close();
      await server.close();
    }
  });
});
