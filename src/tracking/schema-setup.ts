/**
 * What opening a tracking database does to its schema, in the opening transaction:
 *
 * - empty database: create MLflow 2.12's tables and stamp `alembic_version` with its head, so
 *   MLflow's client opens it without migrating anything;
 * - MLflow's database (has `alembic_version`): at 2.12's head or a later MLflow's, leave every
 *   MLflow table as it is; at an older head, refuse with the command that upgrades it, or, when
 *   asked to (`recipe db upgrade`), apply MLflow's migrations up to 2.12's head;
 * - mlrecipe's earlier layout (has `schema_version`, no `alembic_version`): rebuild its tables in
 *   MLflow's layout, rows kept, in place and all in one transaction;
 *
 * then create or update mlrecipe's own `mlrecipe_*` tables.
 */
import { StoreError } from '../errors.js';
import {
  MLFLOW_ALEMBIC_HEAD,
  MLFLOW_INFINITY_VALUE,
  MLFLOW_OLDER_REVISIONS,
  MLFLOW_TABLES,
  mlflowSchemaStatements,
} from './mlflow-schema.js';
import { type AppliedMigration, upgradeMlflowSchema } from './mlflow-migrations.js';
import { listColumns, listTables } from './schema-description.js';
import { joinSql, rawSql, sql } from './sql-fragment.js';
import {
  LATEST_OWN_SCHEMA_VERSION,
  LEGACY_TABLES,
  LEGACY_VERSION_TABLE,
  OWN_MIGRATIONS,
  OWN_SCHEMA_TABLE,
} from './sql-schema.js';
import type { SqlExecutor } from './sql-tracking-store.js';

export type SchemaOrigin = 'created' | 'mlflow' | 'converted';

export interface PreparedSchema {
  /** What the database was: new, MLflow's layout already, or mlrecipe's earlier layout (now converted). */
  origin: SchemaOrigin;
  /** The revision in `alembic_version` after preparing. */
  alembicRevision: string;
  /** Versions of mlrecipe's own migrations applied by this call. */
  ownMigrationsApplied: number[];
  /** MLflow's migrations applied by this call (only with `upgradeMlflow`), oldest first. */
  mlflowMigrationsApplied: AppliedMigration[];
}

export interface PrepareSchemaOptions {
  /** Apply MLflow's migrations to a database at an older head instead of refusing it. */
  upgradeMlflow?: boolean;
}

/** What a store opener accepts about its schema (`recipe db upgrade` sets both). */
export interface SchemaOpenOptions {
  /** Apply MLflow's migrations to a database at an older MLflow head instead of refusing it. */
  upgradeMlflowSchema?: boolean;
  /** Told what preparing the schema did, once it committed. */
  onSchemaPrepared?: (prepared: PreparedSchema) => void;
}

/** Brings the schema to MLflow 2.12's layout plus mlrecipe's own tables; call in a write transaction. */
export async function prepareTrackingSchema(
  tx: SqlExecutor,
  where: string,
  options: PrepareSchemaOptions = {},
): Promise<PreparedSchema> {
  const tables = await listTables(tx);
  let origin: SchemaOrigin;
  let alembicRevision = MLFLOW_ALEMBIC_HEAD;
  let mlflowMigrationsApplied: AppliedMigration[] = [];
  if (tables.has('alembic_version')) {
    alembicRevision = await checkAlembicRevision(tx, where, options.upgradeMlflow === true);
    if (MLFLOW_OLDER_REVISIONS.includes(alembicRevision)) {
      mlflowMigrationsApplied = await upgradeMlflowSchema(tx, alembicRevision, where);
      alembicRevision = MLFLOW_ALEMBIC_HEAD;
    }
    origin = 'mlflow';
  } else if (tables.has(LEGACY_VERSION_TABLE)) {
    await convertLegacyLayout(tx, tables);
    origin = 'converted';
  } else if (tables.has('experiments') || tables.has('runs')) {
    throw new StoreError(
      'INTERNAL_ERROR',
      `${where} has tracking tables but neither MLflow's alembic_version nor mlrecipe's bookkeeping; mlrecipe cannot tell which schema they follow.`,
      {
        hint: 'if MLflow created it, run `mlflow db upgrade <uri>` so it is stamped; otherwise point --tracking-uri at another database',
      },
    );
  } else {
    await createMlflowSchema(tx);
    origin = 'created';
  }
  const ownMigrationsApplied = await applyOwnMigrations(tx, where);
  return { origin, alembicRevision, ownMigrationsApplied, mlflowMigrationsApplied };
}

async function createMlflowSchema(tx: SqlExecutor): Promise<void> {
  for (const statement of mlflowSchemaStatements(tx.dialect)) await tx.run(rawSql(statement));
  await tx.run(sql`INSERT INTO alembic_version (version_num) VALUES (${MLFLOW_ALEMBIC_HEAD})`);
}

/** The revision in `alembic_version`; an older head than 2.12's is refused unless `upgrading`. */
async function checkAlembicRevision(tx: SqlExecutor, where: string, upgrading: boolean): Promise<string> {
  const rows = await tx.all<{ version_num: string }>(sql`SELECT version_num FROM alembic_version`);
  if (rows.length !== 1) {
    throw new StoreError(
      'INTERNAL_ERROR',
      `${where} has ${rows.length} rows in alembic_version; MLflow keeps exactly one (its schema revision).`,
      {
        hint: 'run `mlflow db upgrade <uri>` to let MLflow repair it, or point --tracking-uri at another database',
      },
    );
  }
  const revision = rows[0].version_num;
  const position = MLFLOW_OLDER_REVISIONS.indexOf(revision);
  if (position >= 0 && !upgrading) {
    throw new StoreError(
      'INTERNAL_ERROR',
      `${where} is at MLflow schema revision ${revision}, older than MLflow 2.12's ${MLFLOW_ALEMBIC_HEAD} ` +
        `(${MLFLOW_OLDER_REVISIONS.length - position} migrations behind).`,
      {
        hint: 'upgrade it: `recipe db upgrade --tracking-uri <uri>` or `mlflow db upgrade <uri>` (back it up first); mlrecipe opens MLflow 2.12 databases and later',
      },
    );
  }
  // The head, or a later MLflow's revision: its added tables and columns are left alone.
  return revision;
}

/**
 * Rebuilds mlrecipe's earlier tables in MLflow's layout. The rows move through `mlrecipe_legacy_*`
 * copies because both databases need the old tables gone before the new ones (same names, same
 * index names) can be created. ±Infinity metric values become MLflow's ±max double on the way.
 */
async function convertLegacyLayout(tx: SqlExecutor, tables: Set<string>): Promise<void> {
  const present = LEGACY_TABLES.filter((table) => tables.has(table));
  const columns = new Map<string, string[]>();
  for (const table of present) {
    columns.set(table, await listColumns(tx, table));
    await tx.run(rawSql(`CREATE TABLE mlrecipe_legacy_${table} AS SELECT * FROM ${table}`));
  }
  for (const table of present) await tx.run(rawSql(`DROP TABLE ${table}`));
  await createMlflowSchema(tx);
  for (const table of MLFLOW_TABLES) {
    const old = columns.get(table);
    if (old === undefined) continue;
    const wanted = await listColumns(tx, table);
    const shared = wanted.filter((column) => old.includes(column));
    const selected = shared.map((column) =>
      (table === 'metrics' || table === 'latest_metrics') && column === 'value'
        ? sql`CASE WHEN value = ${Number.POSITIVE_INFINITY} THEN CAST(${MLFLOW_INFINITY_VALUE} AS DOUBLE PRECISION)
                   WHEN value = ${Number.NEGATIVE_INFINITY} THEN CAST(${-MLFLOW_INFINITY_VALUE} AS DOUBLE PRECISION)
                   ELSE value END`
        : rawSql(column),
    );
    await tx.run(
      sql`INSERT INTO ${rawSql(table)} (${rawSql(shared.join(', '))})
          SELECT ${joinSql(selected, ', ')} FROM ${rawSql(`mlrecipe_legacy_${table}`)}`,
    );
  }
  for (const table of present) await tx.run(rawSql(`DROP TABLE mlrecipe_legacy_${table}`));
  if (tx.dialect === 'postgres') {
    // Rows came in with their ids; the SERIAL's sequence must continue after the largest.
    await tx.all(
      sql`SELECT setval(pg_get_serial_sequence('experiments', 'experiment_id'),
                        COALESCE(MAX(experiment_id), 0) + 1, false) FROM experiments`,
    );
  }
  await tx.run(rawSql(`DROP TABLE ${LEGACY_VERSION_TABLE}`));
}

async function applyOwnMigrations(tx: SqlExecutor, where: string): Promise<number[]> {
  await tx.run(rawSql(OWN_SCHEMA_TABLE));
  const [row] = await tx.all<{ version: number | null }>(
    sql`SELECT MAX(version) AS version FROM mlrecipe_schema`,
  );
  const current = row?.version === null || row === undefined ? 0 : Number(row.version);
  if (current > LATEST_OWN_SCHEMA_VERSION) {
    throw new StoreError(
      'INTERNAL_ERROR',
      `${where} has mlrecipe schema version ${current}, newer than this mlrecipe understands (${LATEST_OWN_SCHEMA_VERSION}).`,
      { hint: 'upgrade mlrecipe, or point --tracking-uri at another database' },
    );
  }
  const applied: number[] = [];
  for (const migration of OWN_MIGRATIONS) {
    if (migration.version <= current) continue;
    for (const statement of tx.dialect === 'sqlite' ? migration.sqlite : migration.postgres) {
      await tx.run(rawSql(statement));
    }
    await tx.run(
      sql`INSERT INTO mlrecipe_schema (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${Date.now()})`,
    );
    applied.push(migration.version);
  }
  return applied;
}
