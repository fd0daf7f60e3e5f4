/**
 * Opening stores: URI forms, SQLite settings and migrations, several processes opening one fresh
 * database at once, PostgreSQL schemas. Real files, real child processes, real PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '../../src/errors.js';
import { openTrackingStore, sqliteDatabasePath } from '../../src/tracking/open-store.js';
import { sql } from '../../src/tracking/sql-fragment.js';
import { LATEST_OWN_SCHEMA_VERSION } from '../../src/tracking/sql-schema.js';
import { openSqliteTrackingStore } from '../../src/tracking/sqlite-store.js';
import { POSTGRES_URL } from './store-backends.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

let dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-open-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('openTrackingStore URIs', () => {
  it.each([
    ['sqlite:////abs/dir/t.db', '/abs/dir/t.db'],
    ['sqlite:///rel/t.db', resolve('rel/t.db')],
    ['sqlite:/abs/t.db', '/abs/t.db'],
    ['sqlite:rel/t.db', resolve('rel/t.db')],
  ])('reads %s as the file %s', (uri, path) => {
    expect(sqliteDatabasePath(uri)).toBe(path);
  });

  it('opens sqlite:////abs, creating parent directories, artifacts next to the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'deep', 'er', 'tracking.db');
    const store = await openTrackingStore(`sqlite:///${path}`);
    try {
      expect(existsSync(path)).toBe(true);
      expect(store.uri).toBe(`sqlite:///${path}`);
      expect((await store.getExperiment('0')).artifact_location).toBe(
        join(dir, 'deep', 'er', 'artifacts', '0'),
      );
    } finally {
      await store.close();
    }
    const again = await openTrackingStore(`sqlite:${path}`, { defaultArtifactRoot: '/elsewhere' });
    // The Default experiment keeps the location it was created with.
    expect((await again.getExperiment('0')).artifact_location).toBe(
      join(dir, 'deep', 'er', 'artifacts', '0'),
    );
    const id = await again.createExperiment('later');
    expect((await again.getExperiment(id)).artifact_location).toBe(`/elsewhere/${id}`);
    await again.close();
  });

  it('opens http(s) URIs as a REST store talking to a tracking server', async () => {
    const store = await openTrackingStore('http://127.0.0.1:5000');
    expect(store.constructor.name).toBe('RestTrackingStore');
    expect(store.uri).toBe('http://127.0.0.1:5000');
    await store.close();
  });

  it.each<[string, RegExp]>([
    ['mysql://db/x', /unsupported scheme "mysql:".*sqlite:, postgresql:/],
    ['just/a/path', /has no scheme/],
    ['sqlite:', /names no database file/],
  ])('refuses %s with a UsageError naming the schemes', async (uri, message) => {
    const error = await openTrackingStore(uri).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).exitCode).toBe(2);
  });
});

describe('SQLite store setup', () => {
  it('runs in WAL mode with foreign keys, busy timeout and recorded migrations, applied once', async () => {
    const path = join(tempDir(), 't.db');
    const store = await openSqliteTrackingStore({ path, busyTimeoutMs: 7000 });
    const second = await openSqliteTrackingStore({ path });
    await store.close();
    await second.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('SELECT version FROM mlrecipe_schema ORDER BY version').all();
      expect(versions).toEqual(
        Array.from({ length: LATEST_OWN_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
      );
      expect(db.prepare('SELECT version_num FROM alembic_version').all()).toEqual([
        { version_num: 'acf3f17fdcc7' },
      ]);
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => (row as { name: string }).name);
      expect(tables).toEqual(
        expect.arrayContaining([
          'experiments',
          'experiment_tags',
          'runs',
          'params',
          'tags',
          'metrics',
          'latest_metrics',
          'registered_models',
          'model_versions',
          'registered_model_aliases',
          'datasets',
          'inputs',
          'input_tags',
          'alembic_version',
        ]),
      );
    } finally {
      db.close();
    }
  });

  it('lets code inside a transaction use the driver or nest a transaction without waiting for itself', async () => {
    const path = join(tempDir(), 't.db');
    const store = await openSqliteTrackingStore({ path });
    const other = await openSqliteTrackingStore({ path });
    try {
      const driver = store.sqlDriver;
      const result = await driver.transaction(async (tx) => {
        await tx.run(
          sql`INSERT INTO experiment_tags (key, value, experiment_id) VALUES (${'a'}, ${'1'}, ${0})`,
        );
        // Reaching for the driver (not tx) inside the transaction sees the transaction's own write.
        const [row] = await driver.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM experiment_tags`);
        const nested = await driver.transaction(async (inner) =>
          inner.run(
            sql`INSERT INTO experiment_tags (key, value, experiment_id) VALUES (${'b'}, ${'2'}, ${0})`,
          ),
        );
        // A second store on the same file cannot join; it fails at once instead of hanging.
        const refused = await other.sqlDriver.all(sql`SELECT 1 AS one`).catch((error: unknown) => error);
        return { count: row.n, nested, refused };
      });
      expect(result.count).toBe(1);
      expect(result.nested).toBe(1);
      expect(result.refused).toBeInstanceOf(StoreError);
      expect((await store.getExperiment('0')).tags.map((t) => t.key)).toEqual(['a', 'b']);
      // Outside the transaction the second store works normally again.
      expect((await other.getExperiment('0')).tags).toHaveLength(2);
    } finally {
      await store.close();
      await other.close();
    }
  });

  it('checkpoints the WAL on a worker thread for a server, not inside its commits', async () => {
    const path = join(tempDir(), 't.db');
    const store = await openTrackingStore(`sqlite:///${path}`, { backgroundCheckpoint: true });
    try {
      // The store's own connection only checkpoints past 16,000 pages (64 MiB)…
      const raw = new Database(path, { readonly: true });
      const before = statSync(path).size;
      const run = await store.createRun({ experimentId: '0' });
      // …so logging ~1,300 pages (well under that) grows the database file only if the worker
      // copied the WAL into it.
      for (let b = 0; b < 30; b++) {
        await store.logBatch(run.info.run_id, {
          metrics: Array.from({ length: 1000 }, (_, i) => ({
            key: `a-rather-long-metric-name-to-fill-pages-${i % 50}`,
            value: i,
            timestamp: b,
            step: i,
          })),
        });
      }
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(4096 * 1000);
      const deadline = Date.now() + 30_000;
      while (statSync(path).size <= before && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 100));
      }
      expect(statSync(path).size).toBeGreaterThan(before);
      expect(raw.prepare('SELECT count(*) AS n FROM metrics').get()).toEqual({ n: 30_000 });
      raw.close();
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer schema, saying what to do', async () => {
    const path = join(tempDir(), 't.db');
    await (await openSqliteTrackingStore({ path })).close();
    const db = new Database(path);
    db.prepare('INSERT INTO mlrecipe_schema (version, name, applied_at) VALUES (?, ?, ?)').run(
      999,
      'future',
      0,
    );
    db.close();
    const error = await openSqliteTrackingStore({ path }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain('mlrecipe schema version 999');
    expect((error as StoreError).hint).toMatch(/upgrade mlrecipe/);
  });

  it('refuses a file that is not a database with a StoreError naming it', async () => {
    const dir = tempDir();
    const path = join(dir, 'not-a-db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'this is text, not SQLite '.repeat(100));
    const error = await openSqliteTrackingStore({ path }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(path);
  });

  it('lets four processes open one fresh database at once and write without losing anything', async () => {
    const path = join(tempDir(), 'fresh.db');
    const script = `
      import { openTrackingStore } from ${JSON.stringify(join(root, 'src/tracking/open-store.ts'))};
      const store = await openTrackingStore(${JSON.stringify(`sqlite:///${path}`)});
      const id = await store.createExperiment('process-' + process.pid);
      const run = await store.createRun({ experimentId: id });
      for (let step = 0; step < 25; step++) {
        await store.logBatch(run.info.run_id, {
          metrics: [{ key: 'loss', value: step, step, timestamp: step }],
          params: [{ key: 'p' + step, value: String(step) }],
        });
      }
      await store.close();
    `;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root }),
      ),
    );
    const store = await openSqliteTrackingStore({ path });
    try {
      const experiments = (await store.searchExperiments({ filter: "name LIKE 'process-%'" })).experiments;
      expect(experiments).toHaveLength(4);
      const runs = await store.searchRuns({ experimentIds: experiments.map((e) => e.experiment_id) });
      expect(runs.runs).toHaveLength(4);
      for (const each of runs.runs) {
        expect(each.data.params).toHaveLength(25);
        expect(await store.getMetricHistory(each.info.run_id, 'loss')).toHaveLength(25);
      }
    } finally {
      await store.close();
    }
  });
});

(POSTGRES_URL ? describe : describe.skip)('PostgreSQL store setup', () => {
  it('keeps its tables in the ?schema= of the URL and drops nothing it did not create', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`CREATE TABLE "${schema}".keep_me (id integer)`);
      const url = new URL(POSTGRES_URL as string);
      url.searchParams.set('schema', schema);
      const store = await openTrackingStore(url.toString(), { defaultArtifactRoot: '/pg-artifacts' });
      const id = await store.createExperiment('in-schema');
      expect((await store.getExperiment(id)).artifact_location).toBe(`/pg-artifacts/${id}`);
      await store.close();
      const reopened = await openTrackingStore(url.toString(), { defaultArtifactRoot: '/pg-artifacts' });
      expect((await reopened.getExperimentByName('in-schema'))?.experiment_id).toBe(id);
      await reopened.close();
      const tables = await admin.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      const names = tables.rows.map((row: { table_name: string }) => row.table_name);
      expect(names).toEqual(
        expect.arrayContaining([
          'keep_me',
          'experiments',
          'runs',
          'latest_metrics',
          'alembic_version',
          'mlrecipe_schema',
        ]),
      );
      const versions = await admin.query(`SELECT version FROM "${schema}".mlrecipe_schema ORDER BY version`);
      expect(versions.rows.map((row: { version: number }) => row.version)).toEqual(
        Array.from({ length: LATEST_OWN_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('lets four processes open one fresh schema at once (migrations run once)', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = new URL(POSTGRES_URL as string);
    url.searchParams.set('schema', schema);
    const script = `
      import { openTrackingStore } from ${JSON.stringify(join(root, 'src/tracking/open-store.ts'))};
      const store = await openTrackingStore(${JSON.stringify(url.toString())}, { defaultArtifactRoot: '/a' });
      await store.createExperiment('process-' + process.pid);
      await store.close();
    `;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await Promise.all(
        Array.from({ length: 4 }, () =>
          run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root }),
        ),
      );
      const versions = await admin.query(`SELECT version FROM "${schema}".mlrecipe_schema`);
      expect(versions.rows).toHaveLength(LATEST_OWN_SCHEMA_VERSION);
      const stamps = await admin.query(`SELECT version_num FROM "${schema}".alembic_version`);
      expect(stamps.rows).toEqual([{ version_num: 'acf3f17fdcc7' }]);
      const experiments = await admin.query(
        `SELECT name FROM "${schema}".experiments WHERE name LIKE 'process-%'`,
      );
      expect(experiments.rows).toHaveLength(4);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const url = new URL(POSTGRES_URL as string);
    url.searchParams.set('schema', 'x"; DROP SCHEMA public; --');
    const error = await openTrackingStore(url.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
  });

  it('reports an unreachable server as a StoreError with a hint', async () => {
    const error = await openTrackingStore('postgresql://nobody@127.0.0.1:1/none', {
      defaultArtifactRoot: '/x',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain('127.0.0.1:1');
    expect((error as StoreError).hint).toMatch(/server runs/);
  });
});
