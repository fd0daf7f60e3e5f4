/**
 * The embedded tracking store: one SQLite file that several processes (parallel steps, training
 * scripts, the UI server) read and write at once. WAL lets readers run beside a writer;
 * busy_timeout makes a writer wait for the lock instead of failing with SQLITE_BUSY; every write
 * transaction starts with BEGIN IMMEDIATE, taking the write lock up front, because a deferred
 * transaction that upgrades from reading to writing can fail with SQLITE_BUSY_SNAPSHOT without
 * ever waiting (SQLite's busy handler is not invoked for it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { renderSql, type SqlFragment, type SqlValue } from './sql-fragment.js';
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
import type { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteTrackingStoreOptions extends SchemaOpenOptions {
  /** The database file; created with its parent directories when missing. */
  path: string;
  /** Defaults to `artifacts/` next to the database file. */
  defaultArtifactRoot?: string;
  /** How long a writer waits for another process's lock. Defaults to 10 s. */
  busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL on a worker thread rather than inside a commit (wal-checkpointer.ts): for
   * a long-running process that writes a lot, such as the tracking server. Default false.
   */
  backgroundCheckpoint?: boolean;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
const STATEMENT_CACHE_LIMIT = 500;

type Statement = Database.Statement<unknown[], unknown>;

/**
 * Turn-taking shared by every connection this process opens on one database file. Each call is
 * synchronous underneath but the store's logic awaits between statements; without a shared
 * queue, a second connection in the same process could start BEGIN IMMEDIATE while the first
 * holds the write lock, and its busy wait would block the very thread that must commit.
 */
interface TurnQueue {
  tail: Promise<unknown>;
  users: number;
}
const queuesByPath = new Map<string, TurnQueue>();

/**
 * The turn held by the current async context while a transaction's work runs. Code inside the
 * work that reaches for the driver instead of its `tx` (or opens a nested transaction) would
 * otherwise queue behind its own transaction and wait forever; with this it joins it.
 */
const heldTurn = new AsyncLocalStorage<{ turns: TurnQueue; driver: SqliteDriver }>();

/**
 * Transactions of this process in flight, on any file. On Node 20 an AsyncLocalStorage that has
 * entered a context keeps Node's promise hooks on for every later promise of the process (a
 * measurable cost on a short command such as a no-op `recipe run`, whose file and module-loader
 * work is promises); once the last transaction ends no context needs the store, so it is
 * disabled and the hooks go off until the next transaction's `run` turns them on again.
 */
let transactionsInFlight = 0;

class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly turns: TurnQueue;
  private readonly statements = new Map<string, Statement>();
  /** Runs statements at once; only used while this driver holds its turn. */
  private readonly direct: SqlExecutor;
  /** Set when the WAL is checkpointed on a worker thread; stopped before the connection closes. */
  checkpointer?: WalCheckpointer;

  constructor(
    readonly db: Database.Database,
    private readonly path: string,
  ) {
    let turns = queuesByPath.get(path);
    if (turns === undefined) {
      turns = { tail: Promise.resolve(), users: 0 };
      queuesByPath.set(path, turns);
    }
    turns.users++;
    this.turns = turns;
    this.direct = {
      dialect: 'sqlite',
      all: async <T extends object>(query: SqlFragment) => this.allNow<T>(query),
      run: async (query: SqlFragment) => this.runNow(query),
      runPerRow: async (head, rows, tail) => this.runPerRowNow(head, rows, tail),
    };
  }

  /**
   * One connection serves the whole process, so operations take turns: otherwise the statements
   * of one async call could land inside another call's open transaction.
   */
  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const held = heldTurn.getStore();
    if (held !== undefined && held.turns === this.turns) {
      if (held.driver === this) return Promise.resolve().then(work);
      return Promise.reject(
        new StoreError(
          'INTERNAL_ERROR',
          `A second store on ${this.path} was used inside a transaction of the first; it would wait for itself.`,
          { hint: 'use one store per database file in a process, and the transaction executor inside it' },
        ),
      );
    }
    const result = this.turns.tail.then(work);
    this.turns.tail = result.catch(() => undefined);
    return result;
  }

  private prepare(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  allNow<T extends object>(query: SqlFragment): T[] {
    const { text, values } = renderSql(query, 'sqlite');
    try {
      const statement = this.prepare(text);
      if (statement.reader) return statement.all(...values) as T[];
      statement.run(...values);
      return [];
    } catch (error) {
      throw this.wrap(error);
    }
  }

  runNow(query: SqlFragment): number {
    const { text, values } = renderSql(query, 'sqlite');
    try {
      const statement = this.prepare(text);
      if (statement.reader) {
        statement.all(...values);
        return 0;
      }
      return statement.run(...values).changes;
    } catch (error) {
      throw this.wrap(error);
    }
  }

  runPerRowNow(head: string, rows: readonly (readonly SqlValue[])[], tail: string): number {
    const width = rows[0]?.length ?? 0;
    if (width === 0) return 0;
    try {
      const statement = this.prepare(`${head} VALUES (${'?, '.repeat(width - 1)}?) ${tail}`);
      let changes = 0;
      const bound: (string | number | null)[] = new Array(width);
      for (const row of rows) {
        // better-sqlite3 cannot bind booleans (see renderSql).
        for (let i = 0; i < width; i++) {
          const value = row[i] as SqlValue;
          bound[i] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
        }
        changes += statement.run(bound).changes;
      }
      return changes;
    } catch (error) {
      throw this.wrap(error);
    }
  }

  wrap(error: unknown): StoreError {
    if (isBusy(error)) {
      return databaseError(
        error,
        `SQLite database ${this.path} stayed locked by another writer for longer than the busy timeout`,
        'another process holds a long write transaction; retry, or raise busyTimeoutMs',
      );
    }
    return databaseError(error, `SQLite database ${this.path}`);
  }

  all<T extends object>(query: SqlFragment): Promise<T[]> {
    return this.exclusive(() => this.allNow<T>(query));
  }

  run(query: SqlFragment): Promise<number> {
    return this.exclusive(() => this.runNow(query));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // Nested in one of our own transactions: become part of it (SQLite has no nested BEGIN).
    if (heldTurn.getStore()?.driver === this) return Promise.resolve().then(() => work(this.direct));
    return this.exclusive(async () => {
      transactionsInFlight++;
      try {
        return await heldTurn.run({ turns: this.turns, driver: this }, () => this.runTransaction(work));
      } finally {
        if (--transactionsInFlight === 0) heldTurn.disable();
      }
    });
  }

  private async runTransaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw this.wrap(error);
    }
    try {
      const result = await work(this.direct);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  isUniqueViolation(error: unknown): boolean {
    const code = databaseErrorCode(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    await this.exclusive(() => {
      this.statements.clear();
      if (!this.db.open) return;
      this.db.close();
      this.turns.users--;
      if (this.turns.users === 0 && queuesByPath.get(this.path) === this.turns)
        queuesByPath.delete(this.path);
    });
  }
}

export class SqliteTrackingStore extends SqlTrackingStore {
  /** Absolute path of the database file. */
  readonly path: string;

  constructor(options: { driver: SqliteDriver; path: string; defaultArtifactRoot: string }) {
    super({
      driver: options.driver,
      uri: `sqlite:///${options.path}`,
      defaultArtifactRoot: options.defaultArtifactRoot,
    });
    this.path = options.path;
  }
}

let addon: string | object | null | undefined;

/**
 * better-sqlite3's compiled addon, found directly. Its default loader (the `bindings` package)
 * walks a stack trace and tries candidate paths by require() until one loads: 10-20 ms of every
 * command that opens a store, measured. The CLI's builds also bundle better-sqlite3's JavaScript
 * (scripts/bundle-cli.mjs), where that stack trace would name the bundle, not the package: so
 * where the addon is not at its usual place (a debug build), `bindings` is asked here with the
 * package's own directory as its root, which is the search better-sqlite3 itself would make.
 * Undefined only when even that fails (better-sqlite3 then reports the missing addon).
 */
function nativeAddon(): string | object | undefined {
  if (addon === undefined) {
    const require = createRequire(import.meta.url);
    try {
      addon = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    } catch {
      try {
        const pkg = require.resolve('better-sqlite3/package.json');
        const bindings = createRequire(pkg)('bindings') as (options: object) => object;
        addon = bindings({ bindings: 'better_sqlite3.node', module_root: dirname(pkg) });
      } catch {
        addon = null;
      }
    }
  }
  return addon ?? undefined;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Switching to WAL needs a moment of exclusive access; busy_timeout does not cover every case. */
async function withBusyRetry<T>(work: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, Math.min(5 * 2 ** attempt, 100)));
    }
  }
}

/**
 * Opens (creating when missing) a SQLite tracking database, brings its schema up to date in one
 * transaction and makes sure the Default experiment exists.
 */
export async function openSqliteTrackingStore(
  options: SqliteTrackingStoreOptions,
): Promise<SqliteTrackingStore> {
  const path = resolve(options.path);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const defaultArtifactRoot = normalizeArtifactLocation(
    options.defaultArtifactRoot ?? join(dirname(path), 'artifacts'),
  );
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // better-sqlite3 takes the addon object too (lib/database.js); @types/better-sqlite3 lists
    // only the path.
    db = new Database(path, { timeout: busyTimeoutMs, nativeBinding: nativeAddon() as string | undefined });
  } catch (error) {
    throw new StoreError(
      'INTERNAL_ERROR',
      `Cannot open the SQLite tracking database ${path}: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'check that the directory exists and is writable, or pass another --tracking-uri',
      },
    );
  }
  const driver = new SqliteDriver(db, path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    await withBusyRetry(() => db.pragma('journal_mode = WAL'), busyTimeoutMs);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // MLflow's LIKE is case-sensitive; SQLite's is not unless asked (ILIKE lowercases both sides).
    db.pragma('case_sensitive_like = ON');
    // Statement journals and sorts in memory, not in temp files: a no-op `recipe run` wrote
    // about 600 pages to /var/tmp files it unlinked at once (each multi-row INSERT … ON CONFLICT
    // keeps a statement journal). Searches are bounded by max_results, so memory stays small.
    db.pragma('temp_store = MEMORY');
    const prepared: PreparedSchema = await driver.transaction(async (tx) => {
      const result = await prepareTrackingSchema(tx, `SQLite database ${path}`, {
        upgradeMlflow: options.upgradeMlflowSchema,
      });
      await ensureDefaultExperiment(tx, defaultArtifactRoot);
      return result;
    });
    options.onSchemaPrepared?.(prepared);
    if (options.backgroundCheckpoint) {
      // Loaded only here: a CLI command that opens the store must not pay for worker_threads.
      const { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer } = await import('./wal-checkpointer.js');
      db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      driver.checkpointer = startWalCheckpointer(path);
    }
  } catch (error) {
    await driver.close();
    // StoreErrors of our own making (no cause) already say what to do; driver failures get context.
    if (error instanceof StoreError && error.cause === undefined) throw error;
    const underlying = error instanceof StoreError ? error.cause : error;
    throw new StoreError(
      'INTERNAL_ERROR',
      `Cannot prepare the SQLite tracking database ${path}: ${(underlying as Error).message}`,
      {
        cause: underlying,
        hint: 'is it an mlrecipe/MLflow tracking database? Point --tracking-uri at another file',
      },
    );
  }
  return new SqliteTrackingStore({ driver, path, defaultArtifactRoot });
}
