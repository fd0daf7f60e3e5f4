/**
 * One database, two programs: what mlrecipe creates is MLflow 2.12's schema, compared table by
 * table with the checked-in facts (mlflow-2.12-schema.json) on real SQLite and PostgreSQL;
 * MLflow's databases open without their tables being touched; an older MLflow head is refused
 * with the upgrade command; mlrecipe's earlier layout is converted in place, rows kept, or not
 * at all.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { MLFLOW_ALEMBIC_HEAD } from '../../src/tracking/mlflow-schema.js';
import { openPostgresTrackingStore } from '../../src/tracking/postgres-store.js';
import { describeTrackingSchema, type SchemaDescription } from '../../src/tracking/schema-description.js';
import type { SchemaOpenOptions } from '../../src/tracking/schema-setup.js';
import { rawSql as sqlText, renderSql, type SqlFragment } from '../../src/tracking/sql-fragment.js';
import { OWN_MIGRATIONS } from '../../src/tracking/sql-schema.js';
import type { SqlExecutor, SqlTrackingStore } from '../../src/tracking/sql-tracking-store.js';
import { openSqliteTrackingStore } from '../../src/tracking/sqlite-store.js';
import {
  MIGRATIONS as LEGACY_MIGRATIONS,
  SCHEMA_VERSION_TABLE as LEGACY_VERSION_TABLE,
} from './legacy-layout.js';
import { POSTGRES_URL } from './store-backends.js';

interface Facts {
  alembicHead: string;
  sqlite: SchemaDescription;
  postgres: SchemaDescription;
}
const facts = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'mlflow-2.12-schema.json'), 'utf8'),
) as Facts;

/** Raw access to a database, beside the store: what MLflow (or a user's tool) would see. */
interface RawDatabase {
  executor: SqlExecutor;
  exec(text: string): Promise<void>;
  open(options?: SchemaOpenOptions): Promise<SqlTrackingStore>;
  close(): Promise<void>;
}

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function sqliteRaw(): RawDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-schema-'));
  dirs.push(dir);
  const path = join(dir, 'tracking.db');
  const db = new Database(path);
  return {
    executor: {
      dialect: 'sqlite',
      all: async <T extends object>(query: SqlFragment) => {
        const { text, values } = renderSql(query, 'sqlite');
        const statement = db.prepare(text);
        return (statement.reader ? statement.all(...values) : (statement.run(...values), [])) as T[];
      },
      run: async (query: SqlFragment) => {
        const { text, values } = renderSql(query, 'sqlite');
        return db.prepare(text).run(...values).changes;
      },
    },
    exec: async (text) => void db.exec(text),
    open: (options) => openSqliteTrackingStore({ path, defaultArtifactRoot: join(dir, 'artifacts'), ...options }),
    close: async () => void db.close(),
  };
}

const admin =
  POSTGRES_URL === undefined ? undefined : new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin?.end();
});

async function postgresRaw(): Promise<RawDatabase> {
  const schema = `mlschema_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  const url = new URL(POSTGRES_URL as string);
  url.searchParams.set('schema', schema);
  await admin?.query(`CREATE SCHEMA "${schema}"`);
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  const query = async (fragment: SqlFragment) => {
    const { text, values } = renderSql(fragment, 'postgres');
    return client.query(text, values);
  };
  return {
    executor: {
      dialect: 'postgres',
      all: async <T extends object>(fragment: SqlFragment) => (await query(fragment)).rows as T[],
      run: async (fragment: SqlFragment) => (await query(fragment)).rowCount ?? 0,
    },
    exec: async (text) => void (await client.query(text)),
    open: (options) =>
      openPostgresTrackingStore({ connectionString: url.toString(), defaultArtifactRoot: '/pg-art', ...options }),
    close: () => client.end(),
  };
}

/** Builds a database the way mlrecipe did before this layout, with a little of everything in it. */
async function seedLegacy(raw: RawDatabase, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await raw.exec(LEGACY_VERSION_TABLE);
  for (const migration of LEGACY_MIGRATIONS) {
    for (const statement of migration[dialect]) await raw.exec(statement);
    await raw.exec(
      `INSERT INTO schema_version (version, name, applied_at) VALUES (${migration.version}, '${migration.name}', 1)`,
    );
  }
  const t = dialect === 'sqlite' ? '1' : 'true';
  const f = dialect === 'sqlite' ? '0' : 'false';
  const inf = dialect === 'sqlite' ? '9e999' : "'Infinity'::float8";
  await raw.exec(`
    INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
      VALUES (0, 'Default', '/a/0', 'active', 1, 1), (1, 'legacy', '/a/1', 'active', 2, 3), (4, 'gone', '/a/4', 'deleted', 4, 5);
    INSERT INTO experiment_tags (key, value, experiment_id) VALUES ('team', 'blue', 1);
    INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
                      deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
      VALUES ('${'a'.repeat(32)}', 'old-run', 'UNKNOWN', '', '', 'ann', 'FINISHED', 100, 200, NULL, '', 'active',
              '/a/1/${'a'.repeat(32)}/artifacts', 1);
    INSERT INTO params (key, value, run_uuid) VALUES ('alpha', '0.5', '${'a'.repeat(32)}');
    INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', 'old-run', '${'a'.repeat(32)}');
    INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES
      ('rmse', 1.5, 10, '${'a'.repeat(32)}', 0, ${f}),
      ('rmse', ${inf}, 11, '${'a'.repeat(32)}', 1, ${f}),
      ('rmse', -${inf}, 12, '${'a'.repeat(32)}', 2, ${f}),
      ('loss', 0, 13, '${'a'.repeat(32)}', 0, ${t});
    INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES
      ('rmse', -${inf}, 12, 2, ${f}, '${'a'.repeat(32)}'), ('loss', 0, 13, 0, ${t}, '${'a'.repeat(32)}');
    INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES ('cars', 5, 6, 'd');
    INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
                                source, run_id, run_link, status, status_message, storage_location)
      VALUES ('cars', 1, 5, 6, NULL, 'ann', 'None', '/a/m', '${'a'.repeat(32)}', NULL, 'READY', NULL, '/a/m');
    INSERT INTO model_version_tags (key, value, name, version) VALUES ('k', 'v', 'cars', 1);
    INSERT INTO registered_model_aliases (alias, version, name) VALUES ('champion', 1, 'cars');
  `);
}

/**
 * Undoes, on a new 2.12 database, what MLflow's migrations after 1.25's head (bd07f7e963c5) did,
 * so that the database is as MLflow 1.25 to 1.27 left it: no deleted_time, params.value
 * VARCHAR(250), no experiment times, no aliases or dataset tables, no storage_location.
 */
async function downgradeToMlflow125(raw: RawDatabase, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await raw.exec(`
    DROP TABLE mlrecipe_schema;
    DROP TABLE input_tags; DROP TABLE inputs; DROP TABLE datasets; DROP TABLE registered_model_aliases;
    ALTER TABLE model_versions DROP COLUMN storage_location;
    ALTER TABLE experiments DROP COLUMN creation_time;
    ALTER TABLE experiments DROP COLUMN last_update_time;
    ALTER TABLE runs DROP COLUMN deleted_time;
    UPDATE alembic_version SET version_num = 'bd07f7e963c5';
  `);
  await raw.exec(
    dialect === 'postgres'
      ? 'ALTER TABLE params ALTER COLUMN value TYPE VARCHAR(250)'
      : `CREATE TABLE old_params (key VARCHAR(250) NOT NULL, value VARCHAR(250) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
           CONSTRAINT param_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid));
         DROP TABLE params; ALTER TABLE old_params RENAME TO params;
         CREATE INDEX index_params_run_uuid ON params (run_uuid);`,
  );
}

const backends = [
  { name: 'sqlite' as const, available: true, raw: async () => sqliteRaw() },
  { name: 'postgres' as const, available: POSTGRES_URL !== undefined, raw: postgresRaw },
];

describe.each(backends)('MLflow 2.12 schema on $name', ({ name, available, raw: makeRaw }) => {
  const maybe = available ? it : it.skip;
  let raw: RawDatabase;
  afterEach(async () => {
    await raw?.close();
  });

  maybe('creates exactly the tables, columns, types, keys and indexes MLflow 2.12 does', async () => {
    raw = await makeRaw();
    const store = await raw.open();
    await store.close();
    expect(await describeTrackingSchema(raw.executor)).toEqual(facts[name]);
    expect(await raw.executor.all(sqlText('SELECT version_num FROM alembic_version'))).toEqual([
      { version_num: facts.alembicHead },
    ]);
    expect(facts.alembicHead).toBe(MLFLOW_ALEMBIC_HEAD);
    const own = await raw.executor.all<{ version: number }>(sqlText('SELECT version FROM mlrecipe_schema'));
    expect(own.map((row) => Number(row.version)).sort()).toEqual(OWN_MIGRATIONS.map((m) => m.version));
    // mlrecipe's own search indexes sit on MLflow's tables (SQLite only) and the comparison above
    // leaves them out by their prefix.
    const ownIndexes = await raw.executor.all<{ name: string; table: string }>(
      sqlText(
        name === 'sqlite'
          ? "SELECT name, tbl_name AS \"table\" FROM sqlite_master WHERE type = 'index' AND name LIKE 'mlrecipe%' AND tbl_name NOT LIKE 'mlrecipe%' ORDER BY name"
          : "SELECT indexname AS name, tablename AS \"table\" FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'mlrecipe%' AND tablename NOT LIKE 'mlrecipe%' ORDER BY indexname",
      ),
    );
    expect(ownIndexes).toEqual(
      name === 'sqlite'
        ? [
            { name: 'mlrecipe_latest_metrics_key_value', table: 'latest_metrics' },
            { name: 'mlrecipe_params_key_value', table: 'params' },
            { name: 'mlrecipe_tags_key_value', table: 'tags' },
          ]
        : [],
    );
  });

  maybe(
    'stores values as MLflow does: ±Infinity as ±max double, NaN as 0 with is_nan, ms times',
    async () => {
      raw = await makeRaw();
      const store = await raw.open();
      const run = await store.createRun({ experimentId: '0', startTime: 1_700_000_000_123 });
      await store.logBatch(run.info.run_id, {
        metrics: [
          { key: 'up', value: Number.POSITIVE_INFINITY, timestamp: 1_700_000_000_124, step: 0 },
          { key: 'down', value: Number.NEGATIVE_INFINITY, timestamp: 1_700_000_000_124, step: 0 },
          { key: 'nan', value: Number.NaN, timestamp: 1_700_000_000_124, step: 0 },
        ],
      });
      await store.close();
      const rows = await raw.executor.all<{ key: string; value: number; is_nan: number | boolean }>(
        sqlText('SELECT key, value, is_nan FROM metrics ORDER BY key'),
      );
      expect(rows.map((row) => [row.key, Number(row.value), Boolean(row.is_nan)])).toEqual([
        ['down', -1.7976931348623157e308, false],
        ['nan', 0, true],
        ['up', 1.7976931348623157e308, false],
      ]);
      const [stored] = await raw.executor.all<{
        run_uuid: string;
        start_time: number;
        experiment_id: number;
      }>(sqlText('SELECT run_uuid, start_time, experiment_id, lifecycle_stage, status FROM runs'));
      expect(stored).toMatchObject({
        run_uuid: run.info.run_id,
        lifecycle_stage: 'active',
        status: 'RUNNING',
      });
      expect(Number(stored.start_time)).toBe(1_700_000_000_123);
      expect(stored.run_uuid).toMatch(/^[0-9a-f]{32}$/);
      expect(typeof stored.experiment_id).toBe('number');
    },
  );

  maybe("opens MLflow's database at the head or later without touching MLflow's tables", async () => {
    raw = await makeRaw();
    await (await raw.open()).close();
    // A later MLflow (2.13+) stamps a revision this list does not know and adds tables of its own.
    await raw.exec("UPDATE alembic_version SET version_num = '867495a8f9d4'");
    await raw.exec('DROP TABLE mlrecipe_schema');
    await raw.exec('CREATE TABLE trace_info (request_id VARCHAR(50) NOT NULL PRIMARY KEY)');
    const before = await describeTrackingSchema(raw.executor);
    const store = await raw.open();
    const id = await store.createExperiment('after-mlflow');
    expect((await store.getExperiment(id)).name).toBe('after-mlflow');
    await store.close();
    expect(await describeTrackingSchema(raw.executor)).toEqual(before);
    expect(await raw.executor.all(sqlText('SELECT version_num FROM alembic_version'))).toEqual([
      { version_num: '867495a8f9d4' },
    ]);
  });

  maybe('refuses a database at an older MLflow head, naming `mlflow db upgrade`', async () => {
    raw = await makeRaw();
    await (await raw.open()).close();
    await raw.exec("UPDATE alembic_version SET version_num = '2d6e25af4d3e'");
    const error = await raw.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      /revision 2d6e25af4d3e, older than MLflow 2\.12's acf3f17fdcc7/,
    );
    expect((error as StoreError).hint).toMatch(/mlflow db upgrade/);
  });

  maybe("`recipe db upgrade` brings MLflow 1.25's schema to 2.12's exactly, keeping every row", async () => {
    raw = await makeRaw();
    await (await raw.open()).close();
    await downgradeToMlflow125(raw, name);
    const longValue = 'v'.repeat(250);
    const run = 'b'.repeat(32);
    await raw.exec(`
      INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (7, 'old', '/a/7', 'active');
      INSERT INTO runs (run_uuid, name, status, start_time, lifecycle_stage, artifact_uri, experiment_id)
        VALUES ('${run}', 'r', 'FINISHED', 100, 'active', '/a/7/${run}/artifacts', 7);
      INSERT INTO params (key, value, run_uuid) VALUES ('p', '${longValue}', '${run}');
      INSERT INTO registered_models (name, creation_time, last_updated_time) VALUES ('m', 1, 1);
      INSERT INTO model_versions (name, version, creation_time, last_updated_time, current_stage, source, run_id, status)
        VALUES ('m', 1, 1, 1, 'None', '/a/m', '${run}', 'READY');
    `);
    // Refused without being asked, with the command that upgrades it.
    const error = await raw.open().catch((caught: unknown) => caught);
    expect((error as StoreError).hint).toMatch(/recipe db upgrade/);

    let applied: string[] = [];
    const store = await raw.open({
      upgradeMlflowSchema: true,
      onSchemaPrepared: (prepared) => {
        applied = prepared.mlflowMigrationsApplied.map((migration) => migration.revision);
      },
    });
    try {
      expect(applied).toEqual([
        '0c779009ac13',
        'cc1f77228345',
        '97727af70f4d',
        '3500859a5d39',
        '7f2a7d5fae7d',
        '2d6e25af4d3e',
        'acf3f17fdcc7',
      ]);
      expect(await describeTrackingSchema(raw.executor)).toEqual(facts[name]);
      expect(await raw.executor.all(sqlText('SELECT version_num FROM alembic_version'))).toEqual([
        { version_num: facts.alembicHead },
      ]);
      expect((await store.getRun(run)).data.params).toEqual([{ key: 'p', value: longValue }]);
      expect((await store.getExperiment('7')).name).toBe('old');
      // What the new columns and tables are for works on the upgraded database.
      await store.logParam(run, { key: 'wide', value: 'w'.repeat(6000) });
      await store.deleteRun(run);
    } finally {
      await store.close();
    }
    const [deleted] = await raw.executor.all<{ deleted_time: number | null }>(
      sqlText(`SELECT deleted_time FROM runs WHERE run_uuid = '${run}'`),
    );
    expect(deleted.deleted_time).not.toBeNull();
  });

  maybe('refuses to upgrade a head from before MLflow 1.25, naming `mlflow db upgrade`', async () => {
    raw = await makeRaw();
    await (await raw.open()).close();
    await raw.exec("UPDATE alembic_version SET version_num = 'c48cb773bb87'");
    const error = await raw.open({ upgradeMlflowSchema: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/c48cb773bb87, from before MLflow 1\.25/);
    expect((error as StoreError).hint).toMatch(/mlflow db upgrade/);
    expect(await raw.executor.all(sqlText('SELECT version_num FROM alembic_version'))).toEqual([
      { version_num: 'c48cb773bb87' },
    ]);
  });

  maybe("converts mlrecipe's earlier layout in place, keeping every row", async () => {
    raw = await makeRaw();
    await seedLegacy(raw, name);
    const store = await raw.open();
    try {
      expect(await describeTrackingSchema(raw.executor)).toEqual(facts[name]);
      const experiment = await store.getExperimentByName('legacy');
      expect(experiment).toMatchObject({ experiment_id: '1', tags: [{ key: 'team', value: 'blue' }] });
      expect((await store.getExperiment('4')).lifecycle_stage).toBe('deleted');
      const run = await store.getRun('a'.repeat(32));
      expect(run.info).toMatchObject({
        run_name: 'old-run',
        status: 'FINISHED',
        end_time: 200,
        user_id: 'ann',
      });
      expect(run.data.params).toEqual([{ key: 'alpha', value: '0.5' }]);
      const history = await store.getMetricHistory('a'.repeat(32), 'rmse');
      expect(history.map((point) => point.value)).toEqual([1.5, Number.MAX_VALUE, -Number.MAX_VALUE]);
      const loss = run.data.metrics.find((metric) => metric.key === 'loss');
      expect(Number.isNaN(loss?.value)).toBe(true);
      // New experiments continue after the largest id that was carried over.
      expect(await store.createExperiment('next')).toBe('5');
      const aliases = await raw.executor.all(
        sqlText('SELECT alias, version, name FROM registered_model_aliases'),
      );
      expect(aliases).toEqual([{ alias: 'champion', version: 1, name: 'cars' }]);
      const versions = await raw.executor.all(
        sqlText('SELECT name, version, storage_location FROM model_versions'),
      );
      expect(versions).toEqual([{ name: 'cars', version: 1, storage_location: '/a/m' }]);
      const tables = await raw.executor.all(
        sqlText(
          name === 'sqlite'
            ? "SELECT name FROM sqlite_master WHERE name IN ('schema_version') OR name LIKE 'mlrecipe\\_legacy%' ESCAPE '\\'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND (table_name = 'schema_version' OR table_name LIKE 'mlrecipe\\_legacy%')",
        ),
      );
      expect(tables).toEqual([]);
    } finally {
      await store.close();
    }
  });

  maybe('leaves an earlier-layout database exactly as it was when the conversion fails', async () => {
    raw = await makeRaw();
    await seedLegacy(raw, name);
    // A table in the way of the conversion's scratch copy makes it fail midway.
    await raw.exec('CREATE TABLE mlrecipe_legacy_runs (x INTEGER)');
    const before = await describeTrackingSchema(raw.executor);
    const error = await raw.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(await describeTrackingSchema(raw.executor)).toEqual(before);
    const runs = await raw.executor.all(sqlText('SELECT run_uuid FROM runs'));
    expect(runs).toEqual([{ run_uuid: 'a'.repeat(32) }]);
    const versions = await raw.executor.all(sqlText('SELECT version FROM schema_version ORDER BY version'));
    expect(versions.map((row) => Number((row as { version: number }).version))).toEqual([1, 2]);
  });
});
