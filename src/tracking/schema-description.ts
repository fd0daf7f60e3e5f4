/**
 * Reads a tracking database's table layout back as plain data (tables, columns with their
 * declared types, nullability and defaults, keys, foreign keys, checks, indexes), in the form
 * the checked-in description of MLflow 2.12's schema (test/tracking/mlflow-2.12-schema.json)
 * is written in, so a test — or `scripts/mlflow-interop.sh` against a database MLflow created —
 * can compare two databases table by table. Tables and indexes named `mlrecipe_*` are
 * mlrecipe's own and are left out: MLflow never looks at them.
 */
import { rawSql, type SqlFragment, sql } from './sql-fragment.js';
import type { SqlExecutor } from './sql-tracking-store.js';

export interface ColumnDescription {
  name: string;
  /** As the database reports it: SQLite's declared type (`VARCHAR(250)`), PostgreSQL's `character varying(250)`. */
  type: string;
  nullable: boolean;
  /** The default's SQL text as the database keeps it, or null. */
  default: string | null;
}

export interface ForeignKeyDescription {
  columns: string[];
  references: string;
  referencedColumns: string[];
  onUpdate: string;
  onDelete: string;
}

export interface IndexDescription {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface TableDescription {
  columns: ColumnDescription[];
  primaryKey: string[];
  /** Column lists of UNIQUE constraints. */
  unique: string[][];
  foreignKeys: ForeignKeyDescription[];
  /** CHECK expressions, whitespace collapsed, sorted. */
  checks: string[];
  /** Indexes created on their own (CREATE INDEX), not those behind a key or UNIQUE. */
  indexes: IndexDescription[];
}

export type SchemaDescription = Record<string, TableDescription>;

/**
 * Tables mlrecipe keeps for itself, and its indexes on MLflow's tables (sql-schema.ts); MLflow
 * ignores them, and so does a schema comparison.
 */
export const OWN_TABLE_PREFIX = 'mlrecipe_';

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The bodies of the CHECK (...) clauses in a CREATE TABLE statement, parentheses balanced. */
function checkClauses(createTable: string): string[] {
  const found: string[] = [];
  const pattern = /\bCHECK\s*\(/gi;
  for (let match = pattern.exec(createTable); match !== null; match = pattern.exec(createTable)) {
    let depth = 1;
    let index = match.index + match[0].length;
    const start = index;
    let quoted = false;
    for (; index < createTable.length && depth > 0; index++) {
      const char = createTable[index];
      if (char === "'") quoted = !quoted;
      else if (!quoted && char === '(') depth++;
      else if (!quoted && char === ')') depth--;
    }
    found.push(squash(createTable.slice(start, index - 1)));
  }
  return found.sort();
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function foreignKeyOrder(a: ForeignKeyDescription, b: ForeignKeyDescription): number {
  const left = `${a.references}:${a.columns.join(',')}`;
  const right = `${b.references}:${b.columns.join(',')}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

async function describeSqlite(db: SqlExecutor): Promise<SchemaDescription> {
  const tables = await db.all<{ name: string; sql: string }>(
    sql`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
        ORDER BY name`,
  );
  const out: SchemaDescription = {};
  for (const table of tables) {
    if (table.name.startsWith(OWN_TABLE_PREFIX)) continue;
    const columns = await db.all<{
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }>(sql`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(${table.name}) ORDER BY cid`);
    const indexList = await db.all<{ name: string; unique: number; origin: string }>(
      sql`SELECT name, "unique", origin FROM pragma_index_list(${table.name})`,
    );
    const indexes: IndexDescription[] = [];
    const unique: string[][] = [];
    for (const index of indexList) {
      if (index.origin === 'pk' || index.name.startsWith(OWN_TABLE_PREFIX)) continue;
      const info = await db.all<{ name: string }>(
        sql`SELECT name FROM pragma_index_info(${index.name}) ORDER BY seqno`,
      );
      const indexColumns = info.map((row) => row.name);
      if (index.origin === 'u') unique.push(indexColumns);
      else indexes.push({ name: index.name, columns: indexColumns, unique: index.unique === 1 });
    }
    const keys = await db.all<{
      id: number;
      table: string;
      from: string;
      to: string | null;
      on_update: string;
      on_delete: string;
    }>(
      sql`SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(${table.name}) ORDER BY id, seq`,
    );
    const foreignKeys = new Map<number, ForeignKeyDescription>();
    for (const key of keys) {
      const entry = foreignKeys.get(key.id) ?? {
        columns: [],
        references: key.table,
        referencedColumns: [],
        onUpdate: key.on_update.toUpperCase(),
        onDelete: key.on_delete.toUpperCase(),
      };
      entry.columns.push(key.from);
      entry.referencedColumns.push(key.to ?? '');
      foreignKeys.set(key.id, entry);
    }
    out[table.name] = {
      columns: columns.map((column) => ({
        name: column.name,
        type: column.type,
        nullable: column.notnull === 0 && column.pk === 0,
        default: column.dflt_value,
      })),
      primaryKey: columns
        .filter((column) => column.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((column) => column.name),
      unique: unique.sort(),
      foreignKeys: [...foreignKeys.values()].sort(foreignKeyOrder),
      checks: checkClauses(table.sql),
      indexes: byName(indexes),
    };
  }
  return out;
}

const FK_ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** PostgreSQL's description of a column type, with the length where one was declared. */
function postgresType(dataType: string, length: number | null): string {
  return length === null ? dataType : `${dataType}(${length})`;
}

async function describePostgres(db: SqlExecutor): Promise<SchemaDescription> {
  const schema = sql`current_schema()`;
  const columns = await db.all<{
    table_name: string;
    column_name: string;
    data_type: string;
    character_maximum_length: number | null;
    is_nullable: string;
    column_default: string | null;
  }>(
    sql`SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = ${schema} ORDER BY table_name, ordinal_position`,
  );
  const out: SchemaDescription = {};
  for (const column of columns) {
    if (column.table_name.startsWith(OWN_TABLE_PREFIX)) continue;
    const table = (out[column.table_name] ??= {
      columns: [],
      primaryKey: [],
      unique: [],
      foreignKeys: [],
      checks: [],
      indexes: [],
    });
    // A SERIAL column's default names its sequence; the sequence's name is an implementation detail.
    const serial = column.column_default?.startsWith('nextval(') === true;
    table.columns.push({
      name: column.column_name,
      type: postgresType(column.data_type, column.character_maximum_length),
      nullable: column.is_nullable === 'YES',
      default: serial ? 'nextval' : column.column_default,
    });
  }
  const constraints = await db.all<{
    table_name: string;
    contype: string;
    columns: string[] | string;
    referenced: string | null;
    referenced_columns: string[] | string | null;
    confupdtype: string;
    confdeltype: string;
    definition: string;
  }>(
    sql`SELECT t.relname AS table_name, c.contype,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
               r.relname AS referenced,
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS referenced_columns,
               c.confupdtype, c.confdeltype, pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace ns ON ns.oid = t.relnamespace
        LEFT JOIN pg_class r ON r.oid = c.confrelid
        WHERE ns.nspname = ${schema}
        ORDER BY t.relname, c.conname`,
  );
  for (const constraint of constraints) {
    const table = out[constraint.table_name];
    if (table === undefined) continue;
    const keyColumns = pgArray(constraint.columns);
    if (constraint.contype === 'p') table.primaryKey = keyColumns;
    else if (constraint.contype === 'u') table.unique.push(keyColumns);
    else if (constraint.contype === 'c') table.checks.push(squash(constraint.definition));
    else if (constraint.contype === 'f') {
      table.foreignKeys.push({
        columns: keyColumns,
        references: constraint.referenced ?? '',
        referencedColumns: pgArray(constraint.referenced_columns ?? []),
        onUpdate: FK_ACTIONS[constraint.confupdtype] ?? constraint.confupdtype,
        onDelete: FK_ACTIONS[constraint.confdeltype] ?? constraint.confdeltype,
      });
    }
  }
  const indexes = await db.all<{
    table_name: string;
    index_name: string;
    unique: boolean;
    columns: string[] | string;
  }>(
    sql`SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS "unique",
               ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace ns ON ns.oid = t.relnamespace
        WHERE ns.nspname = ${schema}
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)`,
  );
  for (const index of indexes) {
    if (index.index_name.startsWith(OWN_TABLE_PREFIX)) continue;
    out[index.table_name]?.indexes.push({
      name: index.index_name,
      columns: pgArray(index.columns),
      unique: index.unique,
    });
  }
  for (const table of Object.values(out)) {
    table.unique.sort();
    table.checks.sort();
    table.foreignKeys.sort(foreignKeyOrder);
    byName(table.indexes);
  }
  return out;
}

/** pg hands back name[] arrays as strings (`{a,b}`) since it has no parser for that type. */
function pgArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((item) => item.replace(/^"|"$/g, ''));
}

/** Describes every table of the database (the current schema, on PostgreSQL) but mlrecipe's own. */
export async function describeTrackingSchema(db: SqlExecutor): Promise<SchemaDescription> {
  return db.dialect === 'sqlite' ? describeSqlite(db) : describePostgres(db);
}

/** Names of the tables present, mlrecipe's own included (the current schema, on PostgreSQL). */
export async function listTables(db: SqlExecutor): Promise<Set<string>> {
  const query: SqlFragment =
    db.dialect === 'sqlite'
      ? sql`SELECT name FROM sqlite_master WHERE type = 'table'`
      : sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${rawSql('current_schema()')}`;
  const rows = await db.all<{ name: string }>(query);
  return new Set(rows.map((row) => row.name));
}

/** A table's column names in order (the current schema, on PostgreSQL); empty when it does not exist. */
export async function listColumns(db: SqlExecutor, table: string): Promise<string[]> {
  const query: SqlFragment =
    db.dialect === 'sqlite'
      ? sql`SELECT name FROM pragma_table_info(${table}) ORDER BY cid`
      : sql`SELECT column_name AS name FROM information_schema.columns
            WHERE table_schema = ${rawSql('current_schema()')} AND table_name = ${table} ORDER BY ordinal_position`;
  const rows = await db.all<{ name: string }>(query);
  return rows.map((row) => row.name);
}
