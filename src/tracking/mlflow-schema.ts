/**
 * MLflow's tracking and model-registry schema at MLflow 2.12's alembic head, written out as the
 * DDL that leaves a database in exactly the state MLflow's own migrations leave it in
 * (mlflow/store/db_migrations/versions/*.py applied on top of the initial tables): the same
 * tables, column order, declared types, nullability, defaults, keys, constraint names, checks and
 * indexes, per database. That is what lets MLflow's client, `mlflow ui` and `mlflow server` open
 * a database mlrecipe created without migrating it, and mlrecipe open theirs.
 *
 * The quirks are MLflow's and kept on purpose: most `runs` columns are nullable, `status` is
 * VARCHAR(9) (the longest status), `artifact_uri` VARCHAR(200), `artifact_location` VARCHAR(256),
 * run tag values VARCHAR(5000), param values VARCHAR(8000); on SQLite `is_nan` has a CHECK that
 * PostgreSQL's native BOOLEAN does not need. test/tracking/mlflow-2.12-schema.json holds the
 * same facts as each database reports them, and a test compares the two on both databases.
 */
import type { SqlDialect } from './sql-fragment.js';

/** The alembic revision MLflow 2.12 stamps into `alembic_version` ("add storage location field to model versions"). */
export const MLFLOW_ALEMBIC_HEAD = 'acf3f17fdcc7';

/**
 * Every revision before MLflow 2.12's head, oldest first. A database stamped with one of these
 * needs `mlflow db upgrade`; a revision missing from this list and not the head is a later
 * MLflow's (2.13+), whose additions mlrecipe leaves alone.
 */
export const MLFLOW_OLDER_REVISIONS: readonly string[] = [
  '451aebb31d03',
  '90e64c465722',
  '181f10493468',
  'df50e92ffc5e',
  '7ac759974ad8',
  '89d4b8295536',
  '2b4d017a5e9b',
  'cfd24bdc0731',
  '0a8213491aaa',
  '728d730b5ebd',
  '27a6a02d2cf1',
  '84291f40a231',
  'a8c4a736bde6',
  '39d1c3be5f05',
  'c48cb773bb87',
  'bd07f7e963c5',
  '0c779009ac13',
  'cc1f77228345',
  '97727af70f4d',
  '3500859a5d39',
  '7f2a7d5fae7d',
  '2d6e25af4d3e',
];

/** The tables MLflow 2.12 creates, parents before children (the order to create and fill them in). */
export const MLFLOW_TABLES = [
  'experiments',
  'experiment_tags',
  'runs',
  'tags',
  'params',
  'metrics',
  'latest_metrics',
  'registered_models',
  'registered_model_tags',
  'model_versions',
  'model_version_tags',
  'registered_model_aliases',
  'datasets',
  'inputs',
  'input_tags',
] as const;

export type MlflowTable = (typeof MLFLOW_TABLES)[number];

/** The largest finite double: MLflow stores +Infinity metric values as this, -Infinity as its negation. */
export const MLFLOW_INFINITY_VALUE = 1.7976931348623157e308;

interface DialectWords {
  /** The experiments key: a rowid alias on SQLite, SERIAL on PostgreSQL (MLflow's autoincrement). */
  experimentId: string;
  double: string;
  /** SQLite keeps booleans as integers, and MLflow's Boolean(create_constraint=True) checks them. */
  isNanCheck: string;
}

const WORDS: Record<SqlDialect, DialectWords> = {
  sqlite: {
    experimentId: 'INTEGER NOT NULL',
    double: 'FLOAT',
    isNanCheck: ',\n    CHECK (is_nan IN (0, 1))',
  },
  postgres: { experimentId: 'SERIAL NOT NULL', double: 'DOUBLE PRECISION', isNanCheck: '' },
};

function ddl(words: DialectWords): string[] {
  return [
    `CREATE TABLE experiments (
    experiment_id ${words.experimentId},
    name VARCHAR(256) NOT NULL,
    artifact_location VARCHAR(256),
    lifecycle_stage VARCHAR(32),
    creation_time BIGINT,
    last_update_time BIGINT,
    CONSTRAINT experiment_pk PRIMARY KEY (experiment_id),
    CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    UNIQUE (name))`,
    `CREATE TABLE experiment_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    experiment_id INTEGER NOT NULL,
    CONSTRAINT experiment_tag_pk PRIMARY KEY (key, experiment_id),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
    `CREATE TABLE runs (
    run_uuid VARCHAR(32) NOT NULL,
    name VARCHAR(250),
    source_type VARCHAR(20),
    source_name VARCHAR(500),
    entry_point_name VARCHAR(50),
    user_id VARCHAR(256),
    status VARCHAR(9),
    start_time BIGINT,
    end_time BIGINT,
    source_version VARCHAR(50),
    lifecycle_stage VARCHAR(20),
    artifact_uri VARCHAR(200),
    experiment_id INTEGER,
    deleted_time BIGINT,
    CONSTRAINT run_pk PRIMARY KEY (run_uuid),
    CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')),
    CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
    `CREATE TABLE tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    'CREATE INDEX index_tags_run_uuid ON tags (run_uuid)',
    `CREATE TABLE params (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(8000) NOT NULL,
    run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT param_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    'CREATE INDEX index_params_run_uuid ON params (run_uuid)',
    `CREATE TABLE metrics (
    key VARCHAR(250) NOT NULL,
    value ${words.double} NOT NULL,
    timestamp BIGINT NOT NULL,
    run_uuid VARCHAR(32) NOT NULL,
    step BIGINT DEFAULT '0' NOT NULL,
    is_nan BOOLEAN DEFAULT '0' NOT NULL,
    CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan)${words.isNanCheck},
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    'CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)',
    `CREATE TABLE latest_metrics (
    key VARCHAR(250) NOT NULL,
    value ${words.double} NOT NULL,
    timestamp BIGINT,
    step BIGINT NOT NULL,
    is_nan BOOLEAN NOT NULL,
    run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT latest_metric_pk PRIMARY KEY (key, run_uuid)${words.isNanCheck},
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
    'CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid)',
    `CREATE TABLE registered_models (
    name VARCHAR(256) NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    CONSTRAINT registered_model_pk PRIMARY KEY (name),
    UNIQUE (name))`,
    `CREATE TABLE registered_model_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_tag_pk PRIMARY KEY (key, name),
    FOREIGN KEY (name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
    `CREATE TABLE model_versions (
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    user_id VARCHAR(256),
    current_stage VARCHAR(20),
    source VARCHAR(500),
    run_id VARCHAR(32),
    status VARCHAR(20),
    status_message VARCHAR(500),
    run_link VARCHAR(500),
    storage_location VARCHAR(500),
    CONSTRAINT model_version_pk PRIMARY KEY (name, version),
    FOREIGN KEY (name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
    `CREATE TABLE model_version_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT model_version_tag_pk PRIMARY KEY (key, name, version),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE)`,
    `CREATE TABLE registered_model_aliases (
    alias VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias),
    CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY (name) REFERENCES registered_models (name)
      ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE datasets (
    dataset_uuid VARCHAR(36) NOT NULL,
    experiment_id INTEGER NOT NULL,
    name VARCHAR(500) NOT NULL,
    digest VARCHAR(36) NOT NULL,
    dataset_source_type VARCHAR(36) NOT NULL,
    dataset_source TEXT NOT NULL,
    dataset_schema TEXT,
    dataset_profile TEXT,
    CONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
    'CREATE INDEX index_datasets_dataset_uuid ON datasets (dataset_uuid)',
    'CREATE INDEX index_datasets_experiment_id_dataset_source_type ON datasets (experiment_id, dataset_source_type)',
    `CREATE TABLE inputs (
    input_uuid VARCHAR(36) NOT NULL,
    source_type VARCHAR(36) NOT NULL,
    source_id VARCHAR(36) NOT NULL,
    destination_type VARCHAR(36) NOT NULL,
    destination_id VARCHAR(36) NOT NULL,
    CONSTRAINT inputs_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id))`,
    'CREATE INDEX index_inputs_input_uuid ON inputs (input_uuid)',
    'CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, destination_id, source_type)',
    `CREATE TABLE input_tags (
    input_uuid VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    value VARCHAR(500) NOT NULL,
    CONSTRAINT input_tags_pk PRIMARY KEY (input_uuid, name))`,
    `CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`,
  ];
}

/** The statements that create MLflow 2.12's tables (alembic_version included, not yet stamped). */
export function mlflowSchemaStatements(dialect: SqlDialect): readonly string[] {
  return ddl(WORDS[dialect]);
}

/**
 * The statements of {@link mlflowSchemaStatements} that make one table: its CREATE TABLE and
 * CREATE INDEX statements, in order. Upgrades from an older MLflow head create or rebuild single
 * tables with these, so that an upgraded database ends up exactly as a new one.
 */
export function mlflowTableStatements(dialect: SqlDialect, table: MlflowTable): readonly string[] {
  return mlflowSchemaStatements(dialect).filter(
    (statement) =>
      statement.startsWith(`CREATE TABLE ${table} (`) ||
      new RegExp(`^CREATE INDEX \\w+ ON ${table} \\(`).test(statement),
  );
}
