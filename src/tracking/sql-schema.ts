/**
 * mlrecipe's own tables, kept apart from MLflow's (src/tracking/mlflow-schema.ts) under the
 * `mlrecipe_` prefix that MLflow never looks at. `mlrecipe_schema` records which of the
 * migrations below a database has had; each runs once, at open, in the opening transaction.
 *
 * Rules: a migration is never edited once released; add a new one with the next version. A
 * migration may only create or change `mlrecipe_*` tables, never MLflow's — with one exception:
 * it may add an index named `mlrecipe_*` to an MLflow table, because MLflow's schema check reads
 * only `alembic_version` and its migrations carry extra indexes along (checked with MLflow
 * 2.12's own alembic: scripts/mlflow-db-upgrade.sh, docs/compatibility.md).
 */

export interface OwnMigration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

export const OWN_SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS mlrecipe_schema (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at BIGINT NOT NULL)`;

export const OWN_MIGRATIONS: readonly OwnMigration[] = [
  // The first version holds no table of its own: it marks the move to MLflow's exact layout.
  { version: 1, name: 'MLflow 2.12 layout (alembic acf3f17fdcc7)', sqlite: [], postgres: [] },
  // Run search by value (`params.p = 'v'`, `metrics.m < 0.5`, the UI's `tags.mlflow.parentRunId
  // = '…'`): MLflow's schema indexes these tables only by run, so a filter had to probe every run
  // of the experiment. Covering (key, value, run_uuid) lets an equality collect its runs from the
  // index alone (bench/server search_10k, BENCHMARKS.md). SQLite only: a PostgreSQL B-tree entry
  // is limited to ~2.7 kB and MLflow allows 8,000-character param and tag values, so such an
  // index there would refuse long values; PostgreSQL's planner hash-joins the filter instead.
  {
    version: 2,
    name: 'indexes on params, tags and latest_metrics by key and value (SQLite)',
    sqlite: [
      'CREATE INDEX IF NOT EXISTS mlrecipe_params_key_value ON params (key, value, run_uuid)',
      'CREATE INDEX IF NOT EXISTS mlrecipe_tags_key_value ON tags (key, value, run_uuid)',
      'CREATE INDEX IF NOT EXISTS mlrecipe_latest_metrics_key_value ON latest_metrics (key, value, run_uuid)',
    ],
    postgres: [],
  },
];

export const LATEST_OWN_SCHEMA_VERSION = OWN_MIGRATIONS[OWN_MIGRATIONS.length - 1].version;

/**
 * The tables of the layout mlrecipe used before it adopted MLflow's schema (bookkept in
 * `schema_version`), children before parents: the order to drop them in.
 */
export const LEGACY_TABLES = [
  'registered_model_aliases',
  'model_version_tags',
  'model_versions',
  'registered_model_tags',
  'registered_models',
  'latest_metrics',
  'metrics',
  'params',
  'tags',
  'runs',
  'experiment_tags',
  'experiments',
] as const;

/** The bookkeeping table of that earlier layout; dropped once its database is converted. */
export const LEGACY_VERSION_TABLE = 'schema_version';
