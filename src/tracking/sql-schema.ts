/**
 * mlrecipe's own tables, kept apart from MLflow's (src/tracking/mlflow-schema.ts) under the
 * `mlrecipe_` prefix that MLflow never looks at. `mlrecipe_schema` records which of the
 * migrations below a database has had; each runs once, at open, in the opening transaction.
 *
 * Rules: a migration is never edited once released; add a new one with the next version. A
 * migration may only create or change `mlrecipe_*` tables, never MLflow's.
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
