/**
 * The tracking schema mlrecipe created before it adopted MLflow's exact layout (src/tracking/
 * sql-schema.ts up to commit 491ebcb), kept verbatim as a fixture: tests build databases in this
 * layout to check that opening one converts it in place without losing rows.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

/** Portable DDL: the few spots that differ are substituted per dialect. */
function both(statements: readonly string[]): { sqlite: string[]; postgres: string[] } {
  return {
    sqlite: statements.map((s) => s.replaceAll('{BOOL}', 'INTEGER').replaceAll('{FALSE}', '0')),
    postgres: statements.map((s) => s.replaceAll('{BOOL}', 'BOOLEAN').replaceAll('{FALSE}', 'false')),
  };
}

const trackingTables = [
  `CREATE TABLE experiment_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
    PRIMARY KEY (key, experiment_id))`,
  `CREATE TABLE runs (
    run_uuid VARCHAR(32) NOT NULL PRIMARY KEY,
    name VARCHAR(250),
    source_type VARCHAR(20),
    source_name VARCHAR(500),
    entry_point_name VARCHAR(50),
    user_id VARCHAR(256),
    status VARCHAR(9) NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    deleted_time BIGINT,
    source_version VARCHAR(50),
    lifecycle_stage VARCHAR(20) NOT NULL,
    artifact_uri VARCHAR(2000),
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
    CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')),
    CHECK (lifecycle_stage IN ('active', 'deleted')))`,
  'CREATE INDEX index_runs_experiment_id ON runs (experiment_id, lifecycle_stage, start_time)',
  `CREATE TABLE tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(8000),
    run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
    PRIMARY KEY (key, run_uuid))`,
  'CREATE INDEX index_tags_run_uuid ON tags (run_uuid)',
  `CREATE TABLE params (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(8000) NOT NULL,
    run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
    PRIMARY KEY (key, run_uuid))`,
  'CREATE INDEX index_params_run_uuid ON params (run_uuid)',
  `CREATE TABLE metrics (
    key VARCHAR(250) NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    timestamp BIGINT NOT NULL,
    run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
    step BIGINT NOT NULL DEFAULT 0,
    is_nan {BOOL} NOT NULL DEFAULT {FALSE},
    PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan))`,
  'CREATE INDEX index_metrics_run_uuid_key ON metrics (run_uuid, key)',
  `CREATE TABLE latest_metrics (
    key VARCHAR(250) NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    timestamp BIGINT,
    step BIGINT NOT NULL,
    is_nan {BOOL} NOT NULL,
    run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
    PRIMARY KEY (key, run_uuid))`,
  'CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid)',
];

const trackingCore = both(trackingTables);

/** The model registry's tables (MLflow's columns), created now so the registry issue only adds code. */
const registryTables = both([
  `CREATE TABLE registered_models (
    name VARCHAR(256) NOT NULL PRIMARY KEY,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000))`,
  `CREATE TABLE registered_model_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE,
    PRIMARY KEY (key, name))`,
  `CREATE TABLE model_versions (
    name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE,
    version INTEGER NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    user_id VARCHAR(256),
    current_stage VARCHAR(20),
    source VARCHAR(500),
    run_id VARCHAR(32),
    run_link VARCHAR(500),
    status VARCHAR(20),
    status_message VARCHAR(500),
    storage_location VARCHAR(500),
    PRIMARY KEY (name, version))`,
  `CREATE TABLE model_version_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (key, name, version),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE)`,
  `CREATE TABLE registered_model_aliases (
    alias VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    PRIMARY KEY (name, alias))`,
]);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tracking tables',
    sqlite: [
      `CREATE TABLE experiments (
        experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
        name VARCHAR(256) NOT NULL UNIQUE,
        artifact_location VARCHAR(2000),
        lifecycle_stage VARCHAR(32) NOT NULL,
        creation_time BIGINT,
        last_update_time BIGINT,
        CHECK (lifecycle_stage IN ('active', 'deleted')))`,
      ...trackingCore.sqlite,
    ],
    postgres: [
      `CREATE TABLE experiments (
        experiment_id SERIAL PRIMARY KEY,
        name VARCHAR(256) NOT NULL UNIQUE,
        artifact_location VARCHAR(2000),
        lifecycle_stage VARCHAR(32) NOT NULL,
        creation_time BIGINT,
        last_update_time BIGINT,
        CHECK (lifecycle_stage IN ('active', 'deleted')))`,
      ...trackingCore.postgres,
    ],
  },
  { version: 2, name: 'model registry tables', ...registryTables },
];

export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at BIGINT NOT NULL)`;

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
