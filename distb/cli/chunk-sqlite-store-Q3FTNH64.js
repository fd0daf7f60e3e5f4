import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  prepareTrackingSchema
} from "./chunk-chunk-MXS3A7W4.js";
import {
  SqlTrackingStore,
  databaseError,
  databaseErrorCode,
  ensureDefaultExperiment,
  normalizeArtifactLocation,
  renderSql
} from "./chunk-chunk-GIG4EP5J.js";
import "./chunk-chunk-T77SP7Q2.js";
import "./chunk-chunk-5AC5CY3N.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/tracking/sqlite-store.ts
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
var DEFAULT_BUSY_TIMEOUT_MS = 1e4;
var STATEMENT_CACHE_LIMIT = 500;
var queuesByPath = /* @__PURE__ */ new Map();
var heldTurn = new AsyncLocalStorage();
var SqliteDriver = class {
  constructor(db, path) {
    this.db = db;
    this.path = path;
    let turns = queuesByPath.get(path);
    if (turns === void 0) {
      turns = { tail: Promise.resolve(), users: 0 };
      queuesByPath.set(path, turns);
    }
    turns.users++;
    this.turns = turns;
    this.direct = {
      dialect: "sqlite",
      all: async (query) => this.allNow(query),
      run: async (query) => this.runNow(query)
    };
  }
  db;
  path;
  dialect = "sqlite";
  turns;
  statements = /* @__PURE__ */ new Map();
  /** Runs statements at once; only used while this driver holds its turn. */
  direct;
  /**
   * One connection serves the whole process, so operations take turns: otherwise the statements
   * of one async call could land inside another call's open transaction.
   */
  exclusive(work) {
    const held = heldTurn.getStore();
    if (held !== void 0 && held.turns === this.turns) {
      if (held.driver === this) return Promise.resolve().then(work);
      return Promise.reject(
        new StoreError(
          "INTERNAL_ERROR",
          `A second store on ${this.path} was used inside a transaction of the first; it would wait for itself.`,
          { hint: "use one store per database file in a process, and the transaction executor inside it" }
        )
      );
    }
    const result = this.turns.tail.then(work);
    this.turns.tail = result.catch(() => void 0);
    return result;
  }
  prepare(text) {
    let statement = this.statements.get(text);
    if (statement === void 0) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
  allNow(query) {
    const { text, values } = renderSql(query, "sqlite");
    try {
      const statement = this.prepare(text);
      if (statement.reader) return statement.all(...values);
      statement.run(...values);
      return [];
    } catch (error) {
      throw this.wrap(error);
    }
  }
  runNow(query) {
    const { text, values } = renderSql(query, "sqlite");
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
  wrap(error) {
    if (isBusy(error)) {
      return databaseError(
        error,
        `SQLite database ${this.path} stayed locked by another writer for longer than the busy timeout`,
        "another process holds a long write transaction; retry, or raise busyTimeoutMs"
      );
    }
    return databaseError(error, `SQLite database ${this.path}`);
  }
  all(query) {
    return this.exclusive(() => this.allNow(query));
  }
  run(query) {
    return this.exclusive(() => this.runNow(query));
  }
  transaction(work) {
    if (heldTurn.getStore()?.driver === this) return Promise.resolve().then(() => work(this.direct));
    return this.exclusive(
      () => heldTurn.run({ turns: this.turns, driver: this }, () => this.runTransaction(work))
    );
  }
  async runTransaction(work) {
    try {
      this.db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      throw this.wrap(error);
    }
    try {
      const result = await work(this.direct);
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }
  isUniqueViolation(error) {
    const code = databaseErrorCode(error);
    return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  }
  async close() {
    await this.exclusive(() => {
      this.statements.clear();
      if (!this.db.open) return;
      this.db.close();
      this.turns.users--;
      if (this.turns.users === 0 && queuesByPath.get(this.path) === this.turns)
        queuesByPath.delete(this.path);
    });
  }
};
var SqliteTrackingStore = class extends SqlTrackingStore {
  /** Absolute path of the database file. */
  path;
  constructor(options) {
    super({
      driver: options.driver,
      uri: `sqlite:///${options.path}`,
      defaultArtifactRoot: options.defaultArtifactRoot
    });
    this.path = options.path;
  }
};
function isBusy(error) {
  const code = error?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}
async function withBusyRetry(work, timeoutMs) {
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
async function openSqliteTrackingStore(options) {
  const path = resolve(options.path);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const defaultArtifactRoot = normalizeArtifactLocation(
    options.defaultArtifactRoot ?? join(dirname(path), "artifacts")
  );
  let db;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new StoreError(
      "INTERNAL_ERROR",
      `Cannot open the SQLite tracking database ${path}: ${error.message}`,
      {
        cause: error,
        hint: "check that the directory exists and is writable, or pass another --tracking-uri"
      }
    );
  }
  const driver = new SqliteDriver(db, path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    await withBusyRetry(() => db.pragma("journal_mode = WAL"), busyTimeoutMs);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("case_sensitive_like = ON");
    await driver.transaction(async (tx) => {
      await prepareTrackingSchema(tx, `SQLite database ${path}`);
      await ensureDefaultExperiment(tx, defaultArtifactRoot);
    });
  } catch (error) {
    await driver.close();
    if (error instanceof StoreError && error.cause === void 0) throw error;
    const underlying = error instanceof StoreError ? error.cause : error;
    throw new StoreError(
      "INTERNAL_ERROR",
      `Cannot prepare the SQLite tracking database ${path}: ${underlying.message}`,
      {
        cause: underlying,
        hint: "is it an mlrecipe/MLflow tracking database? Point --tracking-uri at another file"
      }
    );
  }
  return new SqliteTrackingStore({ driver, path, defaultArtifactRoot });
}
export {
  SqliteTrackingStore,
  openSqliteTrackingStore
};
