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
  renderSql,
  sql
} from "./chunk-chunk-GIG4EP5J.js";
import "./chunk-chunk-T77SP7Q2.js";
import "./chunk-chunk-5AC5CY3N.js";
import {
  StoreError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/tracking/postgres-store.ts
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
var INT8_OID = 20;
var NUMERIC_OID = 1700;
var SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
var MIGRATION_LOCK_KEY = 7261947;
var typeParsers = {
  getTypeParser: ((oid, format) => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value) => Number(value);
    return pg.types.getTypeParser(oid, format);
  })
};
function executorFor(client, where) {
  const query = async (fragment) => {
    const { text, values } = renderSql(fragment, "postgres");
    try {
      return await client.query(text, values);
    } catch (error) {
      throw databaseError(error, `PostgreSQL tracking store ${where}`);
    }
  };
  return {
    dialect: "postgres",
    all: async (fragment) => (await query(fragment)).rows,
    run: async (fragment) => (await query(fragment)).rowCount ?? 0
  };
}
var heldTransaction = new AsyncLocalStorage();
var PostgresDriver = class {
  constructor(pool, where) {
    this.pool = pool;
    this.where = where;
    this.pooled = executorFor(pool, where);
  }
  pool;
  where;
  dialect = "postgres";
  pooled;
  current() {
    const held = heldTransaction.getStore();
    return held?.driver === this ? held.tx : this.pooled;
  }
  all(query) {
    return this.current().all(query);
  }
  run(query) {
    return this.current().run(query);
  }
  async transaction(work) {
    const held = heldTransaction.getStore();
    if (held?.driver === this) return work(held.tx);
    let client;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw databaseError(error, `PostgreSQL tracking store ${this.where}`);
    }
    let broken = false;
    try {
      await client.query("BEGIN");
      const tx = executorFor(client, this.where);
      const result = await heldTransaction.run({ driver: this, tx }, () => work(tx));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
  isUniqueViolation(error) {
    return databaseErrorCode(error) === "23505";
  }
  async close() {
    await this.pool.end();
  }
};
var PostgresTrackingStore = class extends SqlTrackingStore {
  /** The schema the tables live in, when one was chosen. */
  schema;
  constructor(options) {
    super({ driver: options.driver, uri: options.uri, defaultArtifactRoot: options.defaultArtifactRoot });
    this.schema = options.schema;
  }
  /** Serialises logBatch-style writes to one run across connections (see logBatch). */
  async lockRun(tx, runId) {
    await tx.all(sql`SELECT run_uuid FROM runs WHERE run_uuid = ${runId} FOR UPDATE`);
  }
};
function redact(connectionString) {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "postgresql://\u2026";
  }
}
async function openPostgresTrackingStore(options) {
  let connectionString = options.connectionString;
  let schema = options.schema;
  try {
    const url = new URL(connectionString);
    const fromUrl = url.searchParams.get("schema");
    if (fromUrl !== null) {
      url.searchParams.delete("schema");
      connectionString = url.toString();
      schema ??= fromUrl;
    }
  } catch {
    throw new UsageError(`tracking URI "${redact(connectionString)}" is not a valid PostgreSQL URL`, {
      hint: "write it as postgresql://user:password@host:port/database"
    });
  }
  if (schema !== void 0 && !SCHEMA_NAME.test(schema)) {
    throw new UsageError(`PostgreSQL schema name "${schema}" is not a plain identifier`, {
      hint: "use letters, digits and underscores, starting with a letter or underscore"
    });
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    types: typeParsers,
    // The schema name was checked against SCHEMA_NAME above, so it cannot break out of the option.
    ...schema === void 0 ? {} : { options: `-c search_path=${schema}` }
  });
  pool.on("error", () => void 0);
  const driver = new PostgresDriver(pool, redact(connectionString));
  const defaultArtifactRoot = normalizeArtifactLocation(options.defaultArtifactRoot);
  try {
    if (schema !== void 0) {
      try {
        await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } catch (error) {
        const code = error.code;
        if (code !== "23505" && code !== "42P06") throw error;
      }
    }
    await driver.transaction(async (tx) => {
      await tx.all(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      await prepareTrackingSchema(tx, `PostgreSQL tracking store ${redact(connectionString)}`);
      await ensureDefaultExperiment(tx, defaultArtifactRoot);
    });
  } catch (error) {
    await pool.end().catch(() => void 0);
    if (error instanceof StoreError && error.cause === void 0) throw error;
    const underlying = error instanceof StoreError ? error.cause : error;
    throw new StoreError(
      "INTERNAL_ERROR",
      `Cannot open the PostgreSQL tracking store ${redact(connectionString)}: ${underlying.message}`,
      {
        cause: underlying,
        hint: "check that the server runs, the database exists and the user may create tables"
      }
    );
  }
  return new PostgresTrackingStore({
    driver,
    uri: redact(options.connectionString),
    defaultArtifactRoot,
    schema
  });
}
export {
  PostgresTrackingStore,
  openPostgresTrackingStore
};
