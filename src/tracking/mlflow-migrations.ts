/**
 * `recipe db upgrade`: MLflow's own schema migrations from MLflow 1.25's head to 2.12's, for a
 * database MLflow created and last upgraded before 2.12. Each step does what the alembic script
 * of the same revision does (mlflow/store/db_migrations/versions/<revision>_*.py), per database:
 * a column added is appended as MLflow appends it; a column whose type changes is altered on
 * PostgreSQL and, on SQLite (which cannot alter a column), rebuilt through a scratch copy as
 * alembic's batch mode does. The result is the same schema a new MLflow 2.12 database has, which
 * test/tracking/mlflow-schema.test.ts checks against the recorded facts.
 *
 * Older heads (MLflow ≤ 1.24) also transform data (user ids into tags, metric steps, the
 * latest-metrics table): those are left to `mlflow db upgrade`, and the error says so.
 */
import { StoreError } from '../errors.js';
import {
  MLFLOW_ALEMBIC_HEAD,
  MLFLOW_OLDER_REVISIONS,
  type MlflowTable,
  mlflowTableStatements,
} from './mlflow-schema.js';
import { listColumns } from './schema-description.js';
import { rawSql, sql } from './sql-fragment.js';
import type { SqlExecutor } from './sql-tracking-store.js';

interface Migration {
  /** The revision this step brings the database to. */
  revision: string;
  /** What MLflow's script is called, for the report. */
  description: string;
  apply(tx: SqlExecutor): Promise<void>;
}

/** The oldest revision these steps start from: MLflow 1.25's "create index on run_uuid". */
export const OLDEST_UPGRADABLE_REVISION = 'bd07f7e963c5';

const MIGRATIONS: readonly Migration[] = [
  {
    revision: '0c779009ac13',
    description: 'add deleted_time field to runs table',
    apply: (tx) => addColumn(tx, 'runs', 'deleted_time BIGINT'),
  },
  {
    revision: 'cc1f77228345',
    description: 'change param value length to 500',
    apply: (tx) => widenParamValue(tx, 500),
  },
  {
    revision: '97727af70f4d',
    description: 'creation_time and last_update_time on experiments',
    apply: async (tx) => {
      await addColumn(tx, 'experiments', 'creation_time BIGINT');
      await addColumn(tx, 'experiments', 'last_update_time BIGINT');
    },
  },
  {
    revision: '3500859a5d39',
    description: 'add model aliases table',
    apply: (tx) => createTables(tx, ['registered_model_aliases']),
  },
  {
    revision: '7f2a7d5fae7d',
    description: 'add datasets, inputs and input_tags tables',
    apply: (tx) => createTables(tx, ['datasets', 'inputs', 'input_tags']),
  },
  {
    revision: '2d6e25af4d3e',
    description: 'increase max param value length to 8000',
    apply: (tx) => widenParamValue(tx, 8000),
  },
  {
    revision: MLFLOW_ALEMBIC_HEAD,
    description: 'add storage_location field to model_versions',
    apply: (tx) => addColumn(tx, 'model_versions', 'storage_location VARCHAR(500)'),
  },
];

export interface AppliedMigration {
  revision: string;
  description: string;
}

/**
 * Applies the steps from `revision` (an older head than 2.12's) to 2.12's head and stamps
 * `alembic_version`; call in the write transaction that opens the store, so that a failure
 * leaves the database as it was.
 */
export async function upgradeMlflowSchema(
  tx: SqlExecutor,
  revision: string,
  where: string,
): Promise<AppliedMigration[]> {
  const oldest = MLFLOW_OLDER_REVISIONS.indexOf(OLDEST_UPGRADABLE_REVISION);
  const position = MLFLOW_OLDER_REVISIONS.indexOf(revision);
  if (position < oldest) {
    throw new StoreError(
      'INTERNAL_ERROR',
      `${where} is at MLflow schema revision ${revision}, from before MLflow 1.25; mlrecipe upgrades databases from revision ${OLDEST_UPGRADABLE_REVISION} (MLflow 1.25) on.`,
      {
        hint: 'upgrade it with MLflow: `mlflow db upgrade <uri>` (back it up first); the older migrations rewrite data that only MLflow knows how to move',
      },
    );
  }
  // The steps after `revision`: the list above starts right after OLDEST_UPGRADABLE_REVISION.
  const pending = MIGRATIONS.slice(position - oldest);
  for (const migration of pending) {
    await migration.apply(tx);
    await tx.run(sql`UPDATE alembic_version SET version_num = ${migration.revision}`);
  }
  return pending.map(({ revision: applied, description }) => ({ revision: applied, description }));
}

async function addColumn(tx: SqlExecutor, table: MlflowTable, definition: string): Promise<void> {
  const column = definition.split(' ')[0];
  // MLflow's scripts add these unconditionally; a column already there (a hand-repaired
  // database) is left as it is rather than failing the whole upgrade.
  if ((await listColumns(tx, table)).includes(column)) return;
  await tx.run(rawSql(`ALTER TABLE ${table} ADD COLUMN ${definition}`));
}

async function createTables(tx: SqlExecutor, tables: readonly MlflowTable[]): Promise<void> {
  for (const table of tables) {
    // 3500859a5d39 checks for an existing aliases table too: some 2.x pre-releases created it early.
    if ((await listColumns(tx, table)).length > 0) continue;
    for (const statement of mlflowTableStatements(tx.dialect, table)) await tx.run(rawSql(statement));
  }
}

/**
 * `params.value` to VARCHAR(length). PostgreSQL alters the column in place; SQLite rebuilds the
 * table through `_alembic_tmp_params` (alembic's batch mode), keeping every row and the index.
 */
async function widenParamValue(tx: SqlExecutor, length: 500 | 8000): Promise<void> {
  if (tx.dialect === 'postgres') {
    await tx.run(rawSql(`ALTER TABLE params ALTER COLUMN value TYPE VARCHAR(${length})`));
    return;
  }
  const [create, ...indexes] = mlflowTableStatements('sqlite', 'params');
  const scratch = create
    .replace('CREATE TABLE params (', 'CREATE TABLE _alembic_tmp_params (')
    .replace('value VARCHAR(8000) NOT NULL', `value VARCHAR(${length}) NOT NULL`);
  await tx.run(rawSql(scratch));
  await tx.run(
    rawSql('INSERT INTO _alembic_tmp_params (key, value, run_uuid) SELECT key, value, run_uuid FROM params'),
  );
  await tx.run(rawSql('DROP TABLE params'));
  await tx.run(rawSql('ALTER TABLE _alembic_tmp_params RENAME TO params'));
  for (const statement of indexes) await tx.run(rawSql(statement));
}
