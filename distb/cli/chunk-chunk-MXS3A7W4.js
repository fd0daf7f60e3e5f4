import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MLFLOW_ALEMBIC_HEAD,
  MLFLOW_INFINITY_VALUE,
  MLFLOW_OLDER_REVISIONS,
  MLFLOW_TABLES,
  joinSql,
  mlflowSchemaStatements,
  rawSql,
  sql
} from "./chunk-chunk-GIG4EP5J.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/schema-description.ts
async function listTables(db) {
  const query = db.dialect === "sqlite" ? sql`SELECT name FROM sqlite_master WHERE type = 'table'` : sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${rawSql("current_schema()")}`;
  const rows = await db.all(query);
  return new Set(rows.map((row) => row.name));
}
async function listColumns(db, table) {
  const query = db.dialect === "sqlite" ? sql`SELECT name FROM pragma_table_info(${table}) ORDER BY cid` : sql`SELECT column_name AS name FROM information_schema.columns
            WHERE table_schema = ${rawSql("current_schema()")} AND table_name = ${table} ORDER BY ordinal_position`;
  const rows = await db.all(query);
  return rows.map((row) => row.name);
}

// src/tracking/sql-schema.ts
var OWN_SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS mlrecipe_schema (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at BIGINT NOT NULL)`;
var OWN_MIGRATIONS = [
  // The first version holds no table of its own: it marks the move to MLflow's exact layout.
  { version: 1, name: "MLflow 2.12 layout (alembic acf3f17fdcc7)", sqlite: [], postgres: [] }
];
var LATEST_OWN_SCHEMA_VERSION = OWN_MIGRATIONS[OWN_MIGRATIONS.length - 1].version;
var LEGACY_TABLES = [
  "registered_model_aliases",
  "model_version_tags",
  "model_versions",
  "registered_model_tags",
  "registered_models",
  "latest_metrics",
  "metrics",
  "params",
  "tags",
  "runs",
  "experiment_tags",
  "experiments"
];
var LEGACY_VERSION_TABLE = "schema_version";

// src/tracking/schema-setup.ts
async function prepareTrackingSchema(tx, where) {
  const tables = await listTables(tx);
  let origin;
  let alembicRevision = MLFLOW_ALEMBIC_HEAD;
  if (tables.has("alembic_version")) {
    alembicRevision = await checkAlembicRevision(tx, where);
    origin = "mlflow";
  } else if (tables.has(LEGACY_VERSION_TABLE)) {
    await convertLegacyLayout(tx, tables);
    origin = "converted";
  } else if (tables.has("experiments") || tables.has("runs")) {
    throw new StoreError(
      "INTERNAL_ERROR",
      `${where} has tracking tables but neither MLflow's alembic_version nor mlrecipe's bookkeeping; mlrecipe cannot tell which schema they follow.`,
      {
        hint: "if MLflow created it, run `mlflow db upgrade <uri>` so it is stamped; otherwise point --tracking-uri at another database"
      }
    );
  } else {
    await createMlflowSchema(tx);
    origin = "created";
  }
  const ownMigrationsApplied = await applyOwnMigrations(tx, where);
  return { origin, alembicRevision, ownMigrationsApplied };
}
async function createMlflowSchema(tx) {
  for (const statement of mlflowSchemaStatements(tx.dialect)) await tx.run(rawSql(statement));
  await tx.run(sql`INSERT INTO alembic_version (version_num) VALUES (${MLFLOW_ALEMBIC_HEAD})`);
}
async function checkAlembicRevision(tx, where) {
  const rows = await tx.all(sql`SELECT version_num FROM alembic_version`);
  if (rows.length !== 1) {
    throw new StoreError(
      "INTERNAL_ERROR",
      `${where} has ${rows.length} rows in alembic_version; MLflow keeps exactly one (its schema revision).`,
      {
        hint: "run `mlflow db upgrade <uri>` to let MLflow repair it, or point --tracking-uri at another database"
      }
    );
  }
  const revision = rows[0].version_num;
  const position = MLFLOW_OLDER_REVISIONS.indexOf(revision);
  if (position >= 0) {
    throw new StoreError(
      "INTERNAL_ERROR",
      `${where} is at MLflow schema revision ${revision}, older than MLflow 2.12's ${MLFLOW_ALEMBIC_HEAD} (${MLFLOW_OLDER_REVISIONS.length - position} migrations behind).`,
      {
        hint: "upgrade it with MLflow first: `mlflow db upgrade <uri>` (back it up before); mlrecipe opens MLflow 2.12 databases and later"
      }
    );
  }
  return revision;
}
async function convertLegacyLayout(tx, tables) {
  const present = LEGACY_TABLES.filter((table) => tables.has(table));
  const columns = /* @__PURE__ */ new Map();
  for (const table of present) {
    columns.set(table, await listColumns(tx, table));
    await tx.run(rawSql(`CREATE TABLE mlrecipe_legacy_${table} AS SELECT * FROM ${table}`));
  }
  for (const table of present) await tx.run(rawSql(`DROP TABLE ${table}`));
  await createMlflowSchema(tx);
  for (const table of MLFLOW_TABLES) {
    const old = columns.get(table);
    if (old === void 0) continue;
    const wanted = await listColumns(tx, table);
    const shared = wanted.filter((column) => old.includes(column));
    const selected = shared.map(
      (column) => (table === "metrics" || table === "latest_metrics") && column === "value" ? sql`CASE WHEN value = ${Number.POSITIVE_INFINITY} THEN CAST(${MLFLOW_INFINITY_VALUE} AS DOUBLE PRECISION)
                   WHEN value = ${Number.NEGATIVE_INFINITY} THEN CAST(${-MLFLOW_INFINITY_VALUE} AS DOUBLE PRECISION)
                   ELSE value END` : rawSql(column)
    );
    await tx.run(
      sql`INSERT INTO ${rawSql(table)} (${rawSql(shared.join(", "))})
          SELECT ${joinSql(selected, ", ")} FROM ${rawSql(`mlrecipe_legacy_${table}`)}`
    );
  }
  for (const table of present) await tx.run(rawSql(`DROP TABLE mlrecipe_legacy_${table}`));
  if (tx.dialect === "postgres") {
    await tx.all(
      sql`SELECT setval(pg_get_serial_sequence('experiments', 'experiment_id'),
                        COALESCE(MAX(experiment_id), 0) + 1, false) FROM experiments`
    );
  }
  await tx.run(rawSql(`DROP TABLE ${LEGACY_VERSION_TABLE}`));
}
async function applyOwnMigrations(tx, where) {
  await tx.run(rawSql(OWN_SCHEMA_TABLE));
  const [row] = await tx.all(
    sql`SELECT MAX(version) AS version FROM mlrecipe_schema`
  );
  const current = row?.version === null || row === void 0 ? 0 : Number(row.version);
  if (current > LATEST_OWN_SCHEMA_VERSION) {
    throw new StoreError(
      "INTERNAL_ERROR",
      `${where} has mlrecipe schema version ${current}, newer than this mlrecipe understands (${LATEST_OWN_SCHEMA_VERSION}).`,
      { hint: "upgrade mlrecipe, or point --tracking-uri at another database" }
    );
  }
  const applied = [];
  for (const migration of OWN_MIGRATIONS) {
    if (migration.version <= current) continue;
    for (const statement of tx.dialect === "sqlite" ? migration.sqlite : migration.postgres) {
      await tx.run(rawSql(statement));
    }
    await tx.run(
      sql`INSERT INTO mlrecipe_schema (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${Date.now()})`
    );
    applied.push(migration.version);
  }
  return applied;
}

export {
  prepareTrackingSchema
};
