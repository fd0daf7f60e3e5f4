import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MODEL_STAGES,
  canonicalStage,
  parseVersion,
  validateAlias,
  validateDescription,
  validateModelName,
  validateRegistryTag
} from "./chunk-chunk-EDN5TED2.js";
import {
  SqlTrackingStore,
  decodePageToken,
  encodePageToken,
  filterSyntaxError,
  joinSql,
  parseFilter,
  parseOrderBy,
  rawSql,
  sql,
  sqlList
} from "./chunk-chunk-GIG4EP5J.js";
import {
  StoreError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/registry/registry-search.ts
var STRING_COMPARATORS = ["=", "!=", "LIKE", "ILIKE"];
var EQUALITY_COMPARATORS = ["=", "!=", "IN", "NOT IN"];
var NUMERIC_COMPARATORS = ["=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"];
var ATTRIBUTES = {
  registered_models: {
    name: { column: "rm.name", comparators: [...STRING_COMPARATORS, "IN", "NOT IN"] }
  },
  model_versions: {
    name: { column: "mv.name", comparators: [...STRING_COMPARATORS, "IN", "NOT IN"] },
    run_id: { column: "mv.run_id", comparators: EQUALITY_COMPARATORS },
    source_path: { column: "mv.source", comparators: [...STRING_COMPARATORS, "IN", "NOT IN"] },
    version_number: { column: "mv.version", comparators: NUMERIC_COMPARATORS, numeric: true },
    current_stage: { column: "mv.current_stage", comparators: EQUALITY_COMPARATORS },
    status: { column: "mv.status", comparators: EQUALITY_COMPARATORS }
  }
};
var ORDER_COLUMNS = {
  registered_models: {
    name: "rm.name",
    timestamp: "rm.last_updated_time",
    last_updated_timestamp: "rm.last_updated_time",
    creation_timestamp: "rm.creation_time"
  },
  model_versions: {
    name: "mv.name",
    version_number: "mv.version",
    timestamp: "mv.last_updated_time",
    last_updated_timestamp: "mv.last_updated_time",
    creation_timestamp: "mv.creation_time",
    run_id: "mv.run_id",
    current_stage: "mv.current_stage"
  }
};
var DEFAULT_ORDER = {
  registered_models: ["name ASC"],
  model_versions: ["last_updated_timestamp DESC", "name ASC", "version_number DESC"]
};
var TIE_BREAK = {
  registered_models: ["rm.name ASC"],
  model_versions: ["mv.name ASC", "mv.version DESC"]
};
function comparison(column, comparator, value, dialect) {
  if (value.kind === "list") {
    const list = sqlList(value.values);
    return comparator === "IN" ? sql`${column} IN ${list}` : sql`${column} NOT IN ${list}`;
  }
  const bound = value.value;
  switch (comparator) {
    case "LIKE":
      return sql`${column} LIKE ${bound} ESCAPE '\\'`;
    case "ILIKE":
      return dialect === "postgres" ? sql`${column} ILIKE ${bound} ESCAPE '\\'` : sql`lower(${column}) LIKE lower(${bound}) ESCAPE '\\'`;
    default:
      return sql`${column} ${rawSql(comparator)} ${bound}`;
  }
}
function compileClause(clause, target, source, dialect) {
  const fail = (position, message) => filterSyntaxError("filter", source, position, message);
  if (clause.entity === "tag") {
    if (!STRING_COMPARATORS.includes(clause.comparator) || clause.value.kind !== "string") {
      throw fail(
        clause.comparatorPosition,
        `tags support ${STRING_COMPARATORS.join(", ")} against a quoted string`
      );
    }
    const value = comparison(rawSql("t.value"), clause.comparator, clause.value, dialect);
    return target === "registered_models" ? sql`EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = rm.name AND t.key = ${clause.key} AND ${value})` : sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = mv.name AND t.version = mv.version AND t.key = ${clause.key} AND ${value})`;
  }
  if (clause.entity !== "attribute") {
    throw fail(
      clause.keyPosition,
      `${clause.entity}s cannot be searched in the model registry; use name, tags.<key>${target === "model_versions" ? ", run_id, source_path, version_number" : ""}`
    );
  }
  const spec = ATTRIBUTES[target][clause.key];
  if (spec === void 0) {
    throw fail(
      clause.keyPosition,
      `invalid attribute '${clause.key}'; searchable here: ${Object.keys(ATTRIBUTES[target]).join(", ")}, tags.<key>`
    );
  }
  if (!spec.comparators.includes(clause.comparator)) {
    throw fail(
      clause.comparatorPosition,
      `'${clause.key}' supports ${spec.comparators.join(", ")}, not ${clause.comparator}`
    );
  }
  const column = rawSql(spec.column);
  if (spec.numeric) {
    if (clause.value.kind === "list") {
      const numbers = clause.value.values.map((text) => {
        if (!/^\d{1,9}$/.test(text)) throw fail(clause.valuePosition, `'${text}' is not a version number`);
        return Number(text);
      });
      const list = sqlList(numbers);
      return clause.comparator === "IN" ? sql`${column} IN ${list}` : sql`${column} NOT IN ${list}`;
    }
    const number = clause.value.kind === "number" ? clause.value.value : Number(clause.value.value);
    if (!Number.isInteger(number)) {
      throw fail(clause.valuePosition, `'${clause.key}' compares with an integer`);
    }
    return comparison(column, clause.comparator, { kind: "number", value: number }, dialect);
  }
  if (clause.value.kind === "number") {
    throw fail(
      clause.valuePosition,
      `'${clause.key}' compares with a quoted string, e.g. '${clause.value.value}'`
    );
  }
  return comparison(column, clause.comparator, clause.value, dialect);
}
function compileRegistryFilter(filter, target, dialect) {
  const parsed = parseFilter(filter, { unescapeStrings: true });
  return parsed.clauses.map((clause) => compileClause(clause, target, parsed.source, dialect));
}
function compileRegistryOrderBy(orderBy, target) {
  const clauses = orderBy.length > 0 ? orderBy : DEFAULT_ORDER[target];
  const terms = [];
  for (const text of clauses) {
    const clause = parseOrderBy(text);
    const column = clause.entity === "attribute" ? ORDER_COLUMNS[target][clause.key] : void 0;
    if (column === void 0) {
      throw filterSyntaxError(
        "order_by clause",
        text,
        clause.keyPosition,
        `cannot order by '${clause.key}'; use one of ${Object.keys(ORDER_COLUMNS[target]).join(", ")}`
      );
    }
    terms.push(`${column} ${clause.ascending ? "ASC" : "DESC"}`);
  }
  for (const tie of TIE_BREAK[target]) {
    if (!terms.some((term) => term.split(" ")[0] === tie.split(" ")[0])) terms.push(tie);
  }
  return joinSql(terms.map(rawSql), ", ");
}

// src/registry/sql-registry.ts
var STAGE_DELETED_INTERNAL = "Deleted_Internal";
var ACTIVE_STAGES = ["Staging", "Production"];
var STATUSES = ["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"];
var SEARCH_MODELS_DEFAULT = 100;
var SEARCH_MODELS_MAX = 1e3;
var SEARCH_VERSIONS_DEFAULT = 1e4;
var SEARCH_VERSIONS_MAX = 2e5;
var CHUNK = 200;
var MV_COLUMNS = sql`mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, mv.user_id,
  mv.current_stage, mv.source, mv.run_id, mv.run_link, mv.status, mv.status_message`;
var NOT_DELETED = sql`mv.current_stage <> ${STAGE_DELETED_INTERNAL}`;
function modelNotFound(name) {
  return new StoreError("RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`, {
    hint: "`recipe models list` shows the registered models"
  });
}
function versionNotFound(name, version) {
  return new StoreError(
    "RESOURCE_DOES_NOT_EXIST",
    `Model Version (name=${name}, version=${version}) not found`,
    {
      hint: `\`recipe models show ${name}\` lists its versions`
    }
  );
}
function modelExists(name) {
  return new StoreError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${name}) already exists.`, {
    hint: "choose another name, or register a new version of the existing model"
  });
}
function maxResultsOf(value, fallback, limit) {
  if (value === void 0) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > limit) {
    throw new StoreError(
      "INVALID_PARAMETER_VALUE",
      `Invalid value ${JSON.stringify(value)} for parameter 'max_results' supplied. It must be a positive integer at most ${limit}.`
    );
  }
  return value;
}
function chunks(items) {
  const out = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
function versionKey(name, version) {
  return `${name}\0${version}`;
}
function asStage(stage) {
  return MODEL_STAGES.find((each) => each === stage) ?? "None";
}
function asStatus(status) {
  return STATUSES.find((each) => each === status) ?? "READY";
}
var SqlModelRegistryStore = class {
  artifactRoot;
  driver;
  onClose;
  constructor(options) {
    this.driver = options.driver;
    this.artifactRoot = options.artifactRoot;
    this.onClose = options.close;
  }
  /** Closes the connection when this store opened it (openModelRegistry); a no-op otherwise. */
  async close() {
    await this.onClose?.();
  }
  // ---- registered models ---------------------------------------------------------------------
  async createRegisteredModel(name, options = {}) {
    validateModelName(name);
    const tags = options.tags ?? [];
    for (const tag of tags) validateRegistryTag(tag);
    if (options.description !== void 0) validateDescription(options.description);
    const now = Date.now();
    try {
      return await this.driver.transaction(async (tx) => {
        const existing = await tx.all(
          sql`SELECT name FROM registered_models WHERE name = ${name}`
        );
        if (existing.length > 0) throw modelExists(name);
        await tx.run(
          sql`INSERT INTO registered_models (name, creation_time, last_updated_time, description)
              VALUES (${name}, ${now}, ${now}, ${options.description ?? ""})`
        );
        for (const tag of tags) await this.upsertModelTag(tx, name, tag);
        return this.loadModelOrThrow(tx, name);
      });
    } catch (error) {
      if (this.driver.isUniqueViolation(error)) throw modelExists(name);
      throw error;
    }
  }
  async getRegisteredModel(name) {
    validateModelName(name);
    return this.loadModelOrThrow(this.driver, name);
  }
  async renameRegisteredModel(name, newName) {
    validateModelName(name);
    validateModelName(newName, "new name");
    try {
      return await this.driver.transaction(async (tx) => {
        await this.requireModel(tx, name);
        if (name !== newName) {
          const clash = await tx.all(
            sql`SELECT name FROM registered_models WHERE name = ${newName}`
          );
          if (clash.length > 0) throw modelExists(newName);
          await tx.run(
            sql`UPDATE registered_models SET name = ${newName}, last_updated_time = ${Date.now()} WHERE name = ${name}`
          );
        }
        return this.loadModelOrThrow(tx, newName);
      });
    } catch (error) {
      if (this.driver.isUniqueViolation(error)) throw modelExists(newName);
      throw error;
    }
  }
  async updateRegisteredModel(name, description) {
    validateModelName(name);
    validateDescription(description);
    return this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(
        sql`UPDATE registered_models SET description = ${description}, last_updated_time = ${Date.now()} WHERE name = ${name}`
      );
      return this.loadModelOrThrow(tx, name);
    });
  }
  async deleteRegisteredModel(name) {
    validateModelName(name);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(sql`DELETE FROM model_version_tags WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM registered_model_aliases WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM model_versions WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM registered_model_tags WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM registered_models WHERE name = ${name}`);
    });
  }
  async searchRegisteredModels(options = {}) {
    const maxResults = maxResultsOf(options.maxResults, SEARCH_MODELS_DEFAULT, SEARCH_MODELS_MAX);
    const offset = decodePageToken(options.pageToken);
    const conditions = compileRegistryFilter(options.filter ?? "", "registered_models", this.driver.dialect);
    const where = conditions.length > 0 ? sql`WHERE ${joinSql(conditions, " AND ")}` : sql``;
    const order = compileRegistryOrderBy(options.orderBy ?? [], "registered_models");
    const rows = await this.driver.all(
      sql`SELECT rm.name, rm.creation_time, rm.last_updated_time, rm.description FROM registered_models rm
          ${where} ORDER BY ${order} LIMIT ${maxResults + 1} OFFSET ${offset}`
    );
    const registered_models = await this.modelsFromRows(this.driver, rows.slice(0, maxResults));
    return rows.length > maxResults ? { registered_models, next_page_token: encodePageToken(offset + maxResults) } : { registered_models };
  }
  async setRegisteredModelTag(name, tag) {
    validateModelName(name);
    validateRegistryTag(tag);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await this.upsertModelTag(tx, name, tag);
    });
  }
  /** As in MLflow, deleting a tag the model does not have is not an error. */
  async deleteRegisteredModelTag(name, key) {
    validateModelName(name);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(sql`DELETE FROM registered_model_tags WHERE name = ${name} AND key = ${key}`);
    });
  }
  // ---- model versions ------------------------------------------------------------------------
  async createModelVersion(options) {
    validateModelName(options.name);
    if (typeof options.source !== "string") {
      throw new StoreError("INVALID_PARAMETER_VALUE", "Parameter 'source' must be a string.");
    }
    const tags = options.tags ?? [];
    for (const tag of tags) validateRegistryTag(tag);
    if (options.description !== void 0) validateDescription(options.description);
    const status = options.status ?? "READY";
    if (!STATUSES.includes(status)) {
      throw new StoreError("INVALID_PARAMETER_VALUE", `Invalid model version status '${String(status)}'.`);
    }
    const name = options.name;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.driver.transaction(async (tx) => {
          await this.lockModel(tx, name);
          const [row] = await tx.all(
            sql`SELECT MAX(version) AS version FROM model_versions WHERE name = ${name}`
          );
          const version = (row?.version === null || row === void 0 ? 0 : Number(row.version)) + 1;
          const now = Date.now();
          await tx.run(
            sql`INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id,
                  current_stage, source, run_id, run_link, status, status_message, storage_location)
                VALUES (${name}, ${version}, ${now}, ${now}, ${options.description ?? ""}, ${options.userId ?? ""},
                  ${"None"}, ${options.source}, ${options.runId ?? ""}, ${options.runLink ?? ""}, ${status},
                  ${""}, ${options.source})`
          );
          for (const tag of tags) await this.upsertVersionTag(tx, name, version, tag);
          await tx.run(sql`UPDATE registered_models SET last_updated_time = ${now} WHERE name = ${name}`);
          return this.loadVersionOrThrow(tx, name, version);
        });
      } catch (error) {
        if (attempt < 5 && this.driver.isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }
  async getModelVersion(name, version) {
    validateModelName(name);
    return this.loadVersionOrThrow(this.driver, name, parseVersion(version));
  }
  async updateModelVersion(name, version, description) {
    validateModelName(name);
    const number = parseVersion(version);
    validateDescription(description);
    return this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(
        sql`UPDATE model_versions SET description = ${description}, last_updated_time = ${Date.now()}
            WHERE name = ${name} AND version = ${number}`
      );
      return this.loadVersionOrThrow(tx, name, number);
    });
  }
  async updateModelVersionStatus(name, version, update) {
    validateModelName(name);
    const number = parseVersion(version);
    if (!STATUSES.includes(update.status)) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `Invalid model version status '${String(update.status)}'.`
      );
    }
    return this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      const sets = [
        sql`status = ${update.status}`,
        sql`status_message = ${update.statusMessage ?? ""}`,
        sql`last_updated_time = ${Date.now()}`
      ];
      if (update.source !== void 0) {
        sets.push(sql`source = ${update.source}`, sql`storage_location = ${update.source}`);
      }
      await tx.run(
        sql`UPDATE model_versions SET ${joinSql(sets, ", ")} WHERE name = ${name} AND version = ${number}`
      );
      return this.loadVersionOrThrow(tx, name, number);
    });
  }
  /**
   * Leaves a tombstone (MLflow's Deleted_Internal stage, lineage fields redacted) so the number
   * is never reused; tags and aliases of the version go.
   */
  async deleteModelVersion(name, version) {
    validateModelName(name);
    const number = parseVersion(version);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(sql`DELETE FROM model_version_tags WHERE name = ${name} AND version = ${number}`);
      await tx.run(sql`DELETE FROM registered_model_aliases WHERE name = ${name} AND version = ${number}`);
      const now = Date.now();
      await tx.run(
        sql`UPDATE model_versions SET current_stage = ${STAGE_DELETED_INTERNAL}, last_updated_time = ${now},
              description = ${null}, user_id = ${null}, source = ${"REDACTED-SOURCE-PATH"}, run_id = ${"REDACTED-RUN-ID"},
              run_link = ${"REDACTED-RUN-LINK"}, status_message = ${null}, storage_location = ${null}
            WHERE name = ${name} AND version = ${number}`
      );
      await tx.run(sql`UPDATE registered_models SET last_updated_time = ${now} WHERE name = ${name}`);
    });
  }
  async transitionModelVersionStage(name, version, stage, archiveExistingVersions) {
    validateModelName(name);
    const number = parseVersion(version);
    const target = canonicalStage(stage);
    if (archiveExistingVersions && !ACTIVE_STAGES.includes(target)) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(", ")}`,
        { hint: "drop --archive-existing, or transition to Staging or Production" }
      );
    }
    return this.driver.transaction(async (tx) => {
      await this.lockModel(tx, name);
      await this.requireVersion(tx, name, number);
      const now = Date.now();
      if (archiveExistingVersions) {
        await tx.run(
          sql`UPDATE model_versions SET current_stage = ${"Archived"}, last_updated_time = ${now}
              WHERE name = ${name} AND current_stage = ${target} AND version <> ${number}`
        );
      }
      await tx.run(
        sql`UPDATE model_versions SET current_stage = ${target}, last_updated_time = ${now}
            WHERE name = ${name} AND version = ${number}`
      );
      await tx.run(sql`UPDATE registered_models SET last_updated_time = ${now} WHERE name = ${name}`);
      return this.loadVersionOrThrow(tx, name, number);
    });
  }
  /**
   * The newest version in each stage asked for (all four when none are), in the order asked, as
   * MLflow's get_latest_versions.
   */
  async getLatestVersions(name, stages) {
    validateModelName(name);
    const wanted = stages === void 0 || stages.length === 0 ? [...MODEL_STAGES] : stages.map(canonicalStage);
    await this.requireModel(this.driver, name);
    return this.latestVersions(this.driver, name, wanted);
  }
  async searchModelVersions(options = {}) {
    const maxResults = maxResultsOf(options.maxResults, SEARCH_VERSIONS_DEFAULT, SEARCH_VERSIONS_MAX);
    const offset = decodePageToken(options.pageToken);
    const conditions = [
      NOT_DELETED,
      ...compileRegistryFilter(options.filter ?? "", "model_versions", this.driver.dialect)
    ];
    const order = compileRegistryOrderBy(options.orderBy ?? [], "model_versions");
    const rows = await this.driver.all(
      sql`SELECT ${MV_COLUMNS} FROM model_versions mv WHERE ${joinSql(conditions, " AND ")}
          ORDER BY ${order} LIMIT ${maxResults + 1} OFFSET ${offset}`
    );
    const model_versions = await this.versionsFromRows(this.driver, rows.slice(0, maxResults));
    return rows.length > maxResults ? { model_versions, next_page_token: encodePageToken(offset + maxResults) } : { model_versions };
  }
  async setModelVersionTag(name, version, tag) {
    validateModelName(name);
    const number = parseVersion(version);
    validateRegistryTag(tag);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await this.upsertVersionTag(tx, name, number, tag);
    });
  }
  async deleteModelVersionTag(name, version, key) {
    validateModelName(name);
    const number = parseVersion(version);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(
        sql`DELETE FROM model_version_tags WHERE name = ${name} AND version = ${number} AND key = ${key}`
      );
    });
  }
  // ---- aliases -------------------------------------------------------------------------------
  /** Points `alias` at `version`, moving it if another version held it. */
  async setRegisteredModelAlias(name, alias, version) {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(version);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(
        sql`INSERT INTO registered_model_aliases (alias, version, name) VALUES (${alias}, ${number}, ${name})
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version`
      );
    });
  }
  /**
   * Moves `alias` to `version` only if it still points at `expectedVersion` (null: only if it is
   * unset), in one transaction; answers whether it moved. A promotion that compared against one
   * holder uses this so it never overrides a holder it did not see (not part of MLflow's API).
   */
  async setRegisteredModelAliasIf(name, alias, version, expectedVersion) {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(version);
    const expected = expectedVersion === null ? null : parseVersion(expectedVersion);
    return this.driver.transaction(async (tx) => {
      await this.lockModel(tx, name);
      await this.requireVersion(tx, name, number);
      const rows = await tx.all(
        sql`SELECT version FROM registered_model_aliases WHERE name = ${name} AND alias = ${alias}`
      );
      const current = rows.length === 0 ? null : Number(rows[0].version);
      if (current !== expected) return false;
      await tx.run(
        sql`INSERT INTO registered_model_aliases (alias, version, name) VALUES (${alias}, ${number}, ${name})
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version`
      );
      return true;
    });
  }
  /** As in MLflow, deleting an alias the model does not have is not an error. */
  async deleteRegisteredModelAlias(name, alias) {
    validateModelName(name);
    validateAlias(alias);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(sql`DELETE FROM registered_model_aliases WHERE name = ${name} AND alias = ${alias}`);
    });
  }
  async getModelVersionByAlias(name, alias) {
    validateModelName(name);
    validateAlias(alias);
    await this.requireModel(this.driver, name);
    const rows = await this.driver.all(
      sql`SELECT version FROM registered_model_aliases WHERE name = ${name} AND alias = ${alias}`
    );
    if (rows.length === 0) {
      throw new StoreError("RESOURCE_DOES_NOT_EXIST", `Registered model alias ${alias} not found.`, {
        hint: `set it with \`recipe models alias ${name} ${alias} <version>\``
      });
    }
    return this.loadVersionOrThrow(this.driver, name, Number(rows[0].version));
  }
  // ---- internals -----------------------------------------------------------------------------
  /**
   * Makes writers that number or re-stage versions of one model take turns. SQLite needs
   * nothing: BEGIN IMMEDIATE already holds the database's single write lock.
   */
  async lockModel(tx, name) {
    const rows = tx.dialect === "postgres" ? await tx.all(
      sql`SELECT name FROM registered_models WHERE name = ${name} FOR UPDATE`
    ) : await tx.all(sql`SELECT name FROM registered_models WHERE name = ${name}`);
    if (rows.length === 0) throw modelNotFound(name);
  }
  async requireModel(db, name) {
    const rows = await db.all(
      sql`SELECT name, creation_time, last_updated_time, description FROM registered_models WHERE name = ${name}`
    );
    if (rows.length === 0) throw modelNotFound(name);
    return rows[0];
  }
  async requireVersion(db, name, version) {
    const rows = await db.all(
      sql`SELECT ${MV_COLUMNS} FROM model_versions mv WHERE mv.name = ${name} AND mv.version = ${version} AND ${NOT_DELETED}`
    );
    if (rows.length === 0) {
      await this.requireModel(db, name);
      throw versionNotFound(name, version);
    }
    return rows[0];
  }
  async upsertModelTag(tx, name, tag) {
    await tx.run(
      sql`INSERT INTO registered_model_tags (key, value, name) VALUES (${tag.key}, ${tag.value}, ${name})
          ON CONFLICT (key, name) DO UPDATE SET value = excluded.value`
    );
  }
  async upsertVersionTag(tx, name, version, tag) {
    await tx.run(
      sql`INSERT INTO model_version_tags (key, value, name, version) VALUES (${tag.key}, ${tag.value}, ${name}, ${version})
          ON CONFLICT (key, name, version) DO UPDATE SET value = excluded.value`
    );
  }
  async loadModelOrThrow(db, name) {
    const row = await this.requireModel(db, name);
    const [model] = await this.modelsFromRows(db, [row]);
    return model;
  }
  async loadVersionOrThrow(db, name, version) {
    const row = await this.requireVersion(db, name, version);
    const [modelVersion] = await this.versionsFromRows(db, [row]);
    return modelVersion;
  }
  async latestVersions(db, name, stages) {
    const rows = await db.all(
      sql`SELECT ${MV_COLUMNS} FROM model_versions mv
          JOIN (SELECT name, MAX(version) AS version FROM model_versions
                WHERE name = ${name} AND current_stage IN ${sqlList([...new Set(stages)])}
                GROUP BY name, current_stage) newest
            ON newest.name = mv.name AND newest.version = mv.version`
    );
    const byStage = new Map(rows.map((row) => [asStage(row.current_stage), row]));
    const ordered = stages.map((stage) => byStage.get(stage)).filter((row) => row !== void 0);
    return this.versionsFromRows(db, ordered);
  }
  async modelsFromRows(db, rows) {
    const names = rows.map((row) => row.name);
    const tags = /* @__PURE__ */ new Map();
    const aliases = /* @__PURE__ */ new Map();
    const latest = /* @__PURE__ */ new Map();
    for (const part of chunks(names)) {
      if (part.length === 0) continue;
      const list = sqlList(part);
      for (const tag of await db.all(
        sql`SELECT name, key, value FROM registered_model_tags WHERE name IN ${list} ORDER BY key`
      )) {
        const each = tags.get(tag.name) ?? [];
        each.push({ key: tag.key, value: tag.value ?? "" });
        tags.set(tag.name, each);
      }
      for (const alias of await db.all(
        sql`SELECT name, alias, version FROM registered_model_aliases WHERE name IN ${list} ORDER BY alias`
      )) {
        const each = aliases.get(alias.name) ?? [];
        each.push({ alias: alias.alias, version: String(alias.version) });
        aliases.set(alias.name, each);
      }
      for (const row of await db.all(
        // One grouped pass, then primary-key lookups: a correlated MAX per row grows with n².
        sql`SELECT ${MV_COLUMNS} FROM model_versions mv
            JOIN (SELECT name, MAX(version) AS version FROM model_versions
                  WHERE name IN ${list} AND current_stage <> ${STAGE_DELETED_INTERNAL}
                  GROUP BY name, current_stage) newest
              ON newest.name = mv.name AND newest.version = mv.version`
      )) {
        const each = latest.get(row.name) ?? [];
        each.push(row);
        latest.set(row.name, each);
      }
    }
    const stageOrder = (row) => MODEL_STAGES.indexOf(asStage(row.current_stage));
    const latestRows = names.flatMap(
      (name) => (latest.get(name) ?? []).sort((a, b) => stageOrder(a) - stageOrder(b))
    );
    const latestVersions = await this.versionsFromRows(db, latestRows);
    const latestByName = /* @__PURE__ */ new Map();
    for (const version of latestVersions) {
      const each = latestByName.get(version.name) ?? [];
      each.push(version);
      latestByName.set(version.name, each);
    }
    return rows.map((row) => ({
      name: row.name,
      creation_timestamp: Number(row.creation_time ?? 0),
      last_updated_timestamp: Number(row.last_updated_time ?? 0),
      description: row.description ?? "",
      latest_versions: latestByName.get(row.name) ?? [],
      tags: tags.get(row.name) ?? [],
      aliases: aliases.get(row.name) ?? []
    }));
  }
  async versionsFromRows(db, rows) {
    const tags = /* @__PURE__ */ new Map();
    const aliases = /* @__PURE__ */ new Map();
    for (const part of chunks(rows)) {
      if (part.length === 0) continue;
      const pairs = joinSql(
        part.map((row) => sql`(name = ${row.name} AND version = ${Number(row.version)})`),
        " OR "
      );
      for (const tag of await db.all(
        sql`SELECT name, version, key, value FROM model_version_tags WHERE ${pairs} ORDER BY key`
      )) {
        const key = versionKey(tag.name, Number(tag.version));
        const each = tags.get(key) ?? [];
        each.push({ key: tag.key, value: tag.value ?? "" });
        tags.set(key, each);
      }
      for (const alias of await db.all(
        sql`SELECT name, version, alias FROM registered_model_aliases WHERE ${pairs} ORDER BY alias`
      )) {
        const key = versionKey(alias.name, Number(alias.version));
        const each = aliases.get(key) ?? [];
        each.push(alias.alias);
        aliases.set(key, each);
      }
    }
    return rows.map((row) => {
      const key = versionKey(row.name, Number(row.version));
      return {
        name: row.name,
        version: String(row.version),
        creation_timestamp: Number(row.creation_time ?? 0),
        last_updated_timestamp: Number(row.last_updated_time ?? 0),
        current_stage: asStage(row.current_stage),
        description: row.description ?? "",
        user_id: row.user_id ?? "",
        source: row.source ?? "",
        run_id: row.run_id ?? "",
        run_link: row.run_link ?? "",
        status: asStatus(row.status),
        status_message: row.status_message ?? "",
        tags: tags.get(key) ?? [],
        aliases: aliases.get(key) ?? []
      };
    });
  }
};
function registryForTrackingStore(store, options = {}) {
  if (!(store instanceof SqlTrackingStore)) {
    throw new UsageError("this tracking store has no model registry mlrecipe can open", {
      hint: "use a sqlite:/// or postgresql:// tracking URI"
    });
  }
  return new SqlModelRegistryStore({
    driver: store.sqlDriver,
    artifactRoot: store.defaultArtifactRoot,
    ...options.closesStore ? { close: () => store.close() } : {}
  });
}

export {
  SqlModelRegistryStore,
  registryForTrackingStore
};
