/**
 * The team tracking store on PostgreSQL, over a `pg` Pool. Same schema and logic as SQLite
 * (sql-tracking-store.ts); every statement is parameterised ($1…). A `schema` option keeps a
 * store inside one PostgreSQL schema (created when missing, never dropped), which is how tests
 * and several teams share one database.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { StoreError, UsageError } from '../errors.js';
import { renderSql, type SqlFragment, sql } from './sql-fragment.js';
import {
  databaseError,
  databaseErrorCode,
  ensureDefaultExperiment,
  normalizeArtifactLocation,
  type SqlDriver,
  type SqlExecutor,
  SqlTrackingStore,
} from './sql-tracking-store.js';
import { type PreparedSchema, prepareTrackingSchema, type SchemaOpenOptions } from './schema-setup.js';

export interface PostgresTrackingStoreOptions extends SchemaOpenOptions {
  /** `postgresql://user:password@host:port/database[?schema=name]`. */
  connectionString: string;
  /** Absolute path (or URI) under which new experiments keep their artifacts. */
  defaultArtifactRoot: string;
  /** PostgreSQL schema holding the tables; overrides `?schema=` in the URL. Default: the server's search_path. */
  schema?: string;
  /** Pool size. Defaults to 10. */
  maxConnections?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK_KEY = 7_261_947;

/**
 * BIGINT columns hold epoch milliseconds and steps, far below 2^53, so they are parsed as
 * numbers; pg's default would hand back strings.
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

type Queryable = Pick<pg.PoolClient, 'query'>;

function executorFor(client: Queryable, where: string): SqlExecutor {
  const query = async (fragment: SqlFragment) => {
    const { text, values } = renderSql(fragment, 'postgres');
    try {
      return await client.query(text, values);
    } catch (error) {
      throw databaseError(error, `PostgreSQL tracking store ${where}`);
    }
  };
  return {
    dialect: 'postgres',
    all: async <T extends object>(fragment: SqlFragment) => (await query(fragment)).rows as T[],
    run: async (fragment: SqlFragment) => (await query(fragment)).rowCount ?? 0,
  };
}

/**
 * The transaction the current async context runs in. Code inside a transaction's work that uses
 * the driver instead of its `tx`, or nests a transaction, joins it on the same connection rather
 * than taking a second one that could wait on the first's row locks (or on an exhausted pool).
 */
const heldTransaction = new AsyncLocalStorage<{ driver: PostgresDriver; tx: SqlExecutor }>();

class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly pooled: SqlExecutor;

  constructor(
    readonly pool: pg.Pool,
    private readonly where: string,
  ) {
    this.pooled = executorFor(pool, where);
  }

  private current(): SqlExecutor {
    const held = heldTransaction.getStore();
    return held?.driver === this ? held.tx : this.pooled;
  }

  all<T extends object>(query: SqlFragment): Promise<T[]> {
    return this.current().all<T>(query);
  }

  run(query: SqlFragment): Promise<number> {
    return this.current().run(query);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const held = heldTransaction.getStore();
    if (held?.driver === this) return work(held.tx);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw databaseError(error, `PostgreSQL tracking store ${this.where}`);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const tx = executorFor(client, this.where);
      const result = await heldTransaction.run({ driver: this, tx }, () => work(tx));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection itself failed; do not hand it back to the pool.
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  isUniqueViolation(error: unknown): boolean {
    return databaseErrorCode(error) === '23505';
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export class PostgresTrackingStore extends SqlTrackingStore {
  /** The schema the tables live in, when one was chosen. */
  readonly schema?: string;

  constructor(options: {
    driver: PostgresDriver;
    uri: string;
    defaultArtifactRoot: string;
    schema?: string;
  }) {
    super({ driver: options.driver, uri: options.uri, defaultArtifactRoot: options.defaultArtifactRoot });
    this.schema = options.schema;
  }

  /** Serialises logBatch-style writes to one run across connections (see logBatch). */
  protected override async lockRun(tx: SqlExecutor, runId: string): Promise<void> {
    await tx.all(sql`SELECT run_uuid FROM runs WHERE run_uuid = ${runId} FOR UPDATE`);
  }
}

/** The URI without its password, for logs and error messages. */
function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgresql://…';
  }
}

export async function openPostgresTrackingStore(
  options: PostgresTrackingStoreOptions,
): Promise<PostgresTrackingStore> {
  let connectionString = options.connectionString;
  let schema = options.schema;
  try {
    const url = new URL(connectionString);
    const fromUrl = url.searchParams.get('schema');
    if (fromUrl !== null) {
      url.searchParams.delete('schema');
      connectionString = url.toString();
      schema ??= fromUrl;
    }
  } catch {
    throw new UsageError(`tracking URI "${redact(connectionString)}" is not a valid PostgreSQL URL`, {
      hint: 'write it as postgresql://user:password@host:port/database',
    });
  }
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new UsageError(`PostgreSQL schema name "${schema}" is not a plain identifier`, {
      hint: 'use letters, digits and underscores, starting with a letter or underscore',
    });
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    types: typeParsers,
    // The schema name was checked against SCHEMA_NAME above, so it cannot break out of the option.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const driver = new PostgresDriver(pool, redact(connectionString));
  const defaultArtifactRoot = normalizeArtifactLocation(options.defaultArtifactRoot);
  try {
    if (schema !== undefined) {
      try {
        await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } catch (error) {
        // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
        const code = (error as { code?: unknown }).code;
        if (code !== '23505' && code !== '42P06') throw error;
      }
    }
    const prepared: PreparedSchema = await driver.transaction(async (tx) => {
      await tx.all(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const result = await prepareTrackingSchema(
        tx,
        `PostgreSQL tracking store ${redact(connectionString)}`,
        {
          upgradeMlflow: options.upgradeMlflowSchema,
        },
      );
      await ensureDefaultExperiment(tx, defaultArtifactRoot);
      return result;
    });
    options.onSchemaPrepared?.(prepared);
  } catch (error) {
    await pool.end().catch(() => undefined);
    // StoreErrors of our own making (no cause) already say what to do; driver failures get context.
    if (error instanceof StoreError && error.cause === undefined) throw error;
    const underlying = error instanceof StoreError ? error.cause : error;
    throw new StoreError(
      'INTERNAL_ERROR',
      `Cannot open the PostgreSQL tracking store ${redact(connectionString)}: ${(underlying as Error).message}`,
      {
        cause: underlying,
        hint: 'check that the server runs, the database exists and the user may create tables',
      },
    );
  }
  return new PostgresTrackingStore({
    driver,
    uri: redact(options.connectionString),
    defaultArtifactRoot,
    schema,
  });
}
