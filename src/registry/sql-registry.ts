/**
 * The model registry over the tracking store's SQL database (SQLite or PostgreSQL): the tables
 * registered_models, registered_model_tags, model_versions, model_version_tags and
 * registered_model_aliases created by migration 2 (src/tracking/sql-schema.ts). It runs on the
 * tracking store's own connection (`SqlTrackingStore.sqlDriver`), so one database, one pool and
 * one lock serve runs and models alike.
 *
 * Semantics follow MLflow's SqlAlchemyStore for the registry (2.x):
 * - versions count from 1 per model as max(version) + 1 over every row ever created, so a
 *   deleted version's number is never handed out again (MLflow keeps a tombstone row with stage
 *   `Deleted_Internal`; so do we, and every read skips it);
 * - transitioning with archive_existing_versions (only to Staging or Production) archives the
 *   other versions in the target stage in the same transaction;
 * - an alias names one version; setting it again moves it; deleting a version drops its aliases;
 * - deleting a registered model deletes its versions, tags and aliases.
 */
import { StoreError } from '../errors.js';
import { decodePageToken, encodePageToken } from '../tracking/page-token.js';
import { joinSql, type SqlFragment, sql, sqlList } from '../tracking/sql-fragment.js';
import type { SqlDriver, SqlExecutor } from '../tracking/sql-tracking-store.js';
import type { Tag } from '../tracking/types.js';
import { compileRegistryFilter, compileRegistryOrderBy } from './registry-search.js';
import {
  canonicalStage,
  parseVersion,
  validateAlias,
  validateDescription,
  validateModelName,
  validateRegistryTag,
} from './registry-validation.js';
import {
  type CreateModelVersionOptions,
  MODEL_STAGES,
  type ModelRegistryStore,
  type ModelStage,
  type ModelVersion,
  type ModelVersionStatus,
  type RegisteredModel,
  type RegisteredModelAlias,
  type SearchRegistryOptions,
  type UpdateModelVersionStatusOptions,
} from './types.js';

/** MLflow's internal stage for deleted versions: the row stays so its number is never reused. */
const STAGE_DELETED_INTERNAL = 'Deleted_Internal';
/** Stages archive_existing_versions may be combined with (MLflow's DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS). */
const ACTIVE_STAGES: readonly ModelStage[] = ['Staging', 'Production'];
const STATUSES: readonly ModelVersionStatus[] = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'];

const SEARCH_MODELS_DEFAULT = 100;
const SEARCH_MODELS_MAX = 1000;
const SEARCH_VERSIONS_DEFAULT = 10_000;
const SEARCH_VERSIONS_MAX = 200_000;
/** Versions per IN list: well under both databases' bind limits. */
const CHUNK = 200;

interface RegisteredModelRow {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

interface ModelVersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string | null;
  status_message: string | null;
}

const MV_COLUMNS = sql`mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, mv.user_id,
  mv.current_stage, mv.source, mv.run_id, mv.run_link, mv.status, mv.status_message`;
const NOT_DELETED = sql`mv.current_stage <> ${STAGE_DELETED_INTERNAL}`;

function modelNotFound(name: string): StoreError {
  return new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`, {
    hint: '`recipe models list` shows the registered models',
  });
}

function versionNotFound(name: string, version: number | string): StoreError {
  return new StoreError(
    'RESOURCE_DOES_NOT_EXIST',
    `Model Version (name=${name}, version=${version}) not found`,
    {
      hint: `\`recipe models show ${name}\` lists its versions`,
    },
  );
}

function modelExists(name: string): StoreError {
  return new StoreError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`, {
    hint: 'choose another name, or register a new version of the existing model',
  });
}

function maxResultsOf(value: number | undefined, fallback: number, limit: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > limit) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value ${JSON.stringify(value)} for parameter 'max_results' supplied. It must be a positive integer at most ${limit}.`,
    );
  }
  return value;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function versionKey(name: string, version: number | string): string {
  return `${name}\u0000${version}`;
}

function asStage(stage: string | null): ModelStage {
  return MODEL_STAGES.find((each) => each === stage) ?? 'None';
}

function asStatus(status: string | null): ModelVersionStatus {
  return STATUSES.find((each) => each === status) ?? 'READY';
}

export interface SqlModelRegistryStoreOptions {
  driver: SqlDriver;
  /** Root under which `registerModel` keeps registered copies (`<root>/models/<name>/<version>`). */
  artifactRoot: string;
  /** Closes what this store owns; absent when it borrows another store's connection. */
  close?: () => Promise<void>;
}

export class SqlModelRegistryStore implements ModelRegistryStore {
  readonly artifactRoot: string;
  private readonly driver: SqlDriver;
  private readonly onClose?: () => Promise<void>;

  constructor(options: SqlModelRegistryStoreOptions) {
    this.driver = options.driver;
    this.artifactRoot = options.artifactRoot;
    this.onClose = options.close;
  }

  /** Closes the connection when this store opened it (openModelRegistry); a no-op otherwise. */
  async close(): Promise<void> {
    await this.onClose?.();
  }

  // ---- registered models ---------------------------------------------------------------------

  async createRegisteredModel(
    name: string,
    options: { tags?: Tag[]; description?: string } = {},
  ): Promise<RegisteredModel> {
    validateModelName(name);
    const tags = options.tags ?? [];
    for (const tag of tags) validateRegistryTag(tag);
    if (options.description !== undefined) validateDescription(options.description);
    const now = Date.now();
    try {
      return await this.driver.transaction(async (tx) => {
        const existing = await tx.all<{ name: string }>(
          sql`SELECT name FROM registered_models WHERE name = ${name}`,
        );
        if (existing.length > 0) throw modelExists(name);
        await tx.run(
          sql`INSERT INTO registered_models (name, creation_time, last_updated_time, description)
              VALUES (${name}, ${now}, ${now}, ${options.description ?? ''})`,
        );
        for (const tag of tags) await this.upsertModelTag(tx, name, tag);
        return this.loadModelOrThrow(tx, name);
      });
    } catch (error) {
      // Another process created the same name between our check and the insert.
      if (this.driver.isUniqueViolation(error)) throw modelExists(name);
      throw error;
    }
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    return this.loadModelOrThrow(this.driver, name);
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, 'new name');
    try {
      return await this.driver.transaction(async (tx) => {
        await this.requireModel(tx, name);
        if (name !== newName) {
          const clash = await tx.all<{ name: string }>(
            sql`SELECT name FROM registered_models WHERE name = ${newName}`,
          );
          if (clash.length > 0) throw modelExists(newName);
          // ON UPDATE CASCADE carries versions, tags and aliases over to the new name.
          await tx.run(
            sql`UPDATE registered_models SET name = ${newName}, last_updated_time = ${Date.now()} WHERE name = ${name}`,
          );
        }
        return this.loadModelOrThrow(tx, newName);
      });
    } catch (error) {
      if (this.driver.isUniqueViolation(error)) throw modelExists(newName);
      throw error;
    }
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    validateModelName(name);
    validateDescription(description);
    return this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(
        sql`UPDATE registered_models SET description = ${description}, last_updated_time = ${Date.now()} WHERE name = ${name}`,
      );
      return this.loadModelOrThrow(tx, name);
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    validateModelName(name);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      // Children first: not every foreign key in MLflow's schema cascades on delete.
      await tx.run(sql`DELETE FROM model_version_tags WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM registered_model_aliases WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM model_versions WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM registered_model_tags WHERE name = ${name}`);
      await tx.run(sql`DELETE FROM registered_models WHERE name = ${name}`);
    });
  }

  async searchRegisteredModels(
    options: SearchRegistryOptions = {},
  ): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }> {
    const maxResults = maxResultsOf(options.maxResults, SEARCH_MODELS_DEFAULT, SEARCH_MODELS_MAX);
    const offset = decodePageToken(options.pageToken);
    const conditions = compileRegistryFilter(options.filter ?? '', 'registered_models', this.driver.dialect);
    const where = conditions.length > 0 ? sql`WHERE ${joinSql(conditions, ' AND ')}` : sql``;
    const order = compileRegistryOrderBy(options.orderBy ?? [], 'registered_models');
    const rows = await this.driver.all<RegisteredModelRow>(
      sql`SELECT rm.name, rm.creation_time, rm.last_updated_time, rm.description FROM registered_models rm
          ${where} ORDER BY ${order} LIMIT ${maxResults + 1} OFFSET ${offset}`,
    );
    const registered_models = await this.modelsFromRows(this.driver, rows.slice(0, maxResults));
    return rows.length > maxResults
      ? { registered_models, next_page_token: encodePageToken(offset + maxResults) }
      : { registered_models };
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateModelName(name);
    validateRegistryTag(tag);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await this.upsertModelTag(tx, name, tag);
    });
  }

  /** As in MLflow, deleting a tag the model does not have is not an error. */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(sql`DELETE FROM registered_model_tags WHERE name = ${name} AND key = ${key}`);
    });
  }

  // ---- model versions ------------------------------------------------------------------------

  async createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    validateModelName(options.name);
    if (typeof options.source !== 'string') {
      throw new StoreError('INVALID_PARAMETER_VALUE', "Parameter 'source' must be a string.");
    }
    const tags = options.tags ?? [];
    for (const tag of tags) validateRegistryTag(tag);
    if (options.description !== undefined) validateDescription(options.description);
    const status = options.status ?? 'READY';
    if (!STATUSES.includes(status)) {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid model version status '${String(status)}'.`);
    }
    const name = options.name;
    // Two writers may pick the same next number on PostgreSQL despite the row lock (a model
    // created in the same instant); the primary key catches it and we simply try again.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.driver.transaction(async (tx) => {
          await this.lockModel(tx, name);
          const [row] = await tx.all<{ version: number | null }>(
            sql`SELECT MAX(version) AS version FROM model_versions WHERE name = ${name}`,
          );
          const version = (row?.version === null || row === undefined ? 0 : Number(row.version)) + 1;
          const now = Date.now();
          await tx.run(
            sql`INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id,
                  current_stage, source, run_id, run_link, status, status_message, storage_location)
                VALUES (${name}, ${version}, ${now}, ${now}, ${options.description ?? ''}, ${options.userId ?? ''},
                  ${'None'}, ${options.source}, ${options.runId ?? ''}, ${options.runLink ?? ''}, ${status},
                  ${''}, ${options.source})`,
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

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name);
    return this.loadVersionOrThrow(this.driver, name, parseVersion(version));
  }

  /** Where the version's files can be downloaded from: its source, as MLflow's SQL registry answers. */
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return (await this.getModelVersion(name, version)).source;
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(version);
    validateDescription(description);
    return this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(
        sql`UPDATE model_versions SET description = ${description}, last_updated_time = ${Date.now()}
            WHERE name = ${name} AND version = ${number}`,
      );
      return this.loadVersionOrThrow(tx, name, number);
    });
  }

  async updateModelVersionStatus(
    name: string,
    version: string,
    update: UpdateModelVersionStatusOptions,
  ): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(version);
    if (!STATUSES.includes(update.status)) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Invalid model version status '${String(update.status)}'.`,
      );
    }
    return this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      const sets: SqlFragment[] = [
        sql`status = ${update.status}`,
        sql`status_message = ${update.statusMessage ?? ''}`,
        sql`last_updated_time = ${Date.now()}`,
      ];
      if (update.source !== undefined) {
        sets.push(sql`source = ${update.source}`, sql`storage_location = ${update.source}`);
      }
      await tx.run(
        sql`UPDATE model_versions SET ${joinSql(sets, ', ')} WHERE name = ${name} AND version = ${number}`,
      );
      return this.loadVersionOrThrow(tx, name, number);
    });
  }

  /**
   * Leaves a tombstone (MLflow's Deleted_Internal stage, lineage fields redacted) so the number
   * is never reused; tags and aliases of the version go.
   */
  async deleteModelVersion(name: string, version: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(sql`DELETE FROM model_version_tags WHERE name = ${name} AND version = ${number}`);
      await tx.run(sql`DELETE FROM registered_model_aliases WHERE name = ${name} AND version = ${number}`);
      const now = Date.now();
      await tx.run(
        sql`UPDATE model_versions SET current_stage = ${STAGE_DELETED_INTERNAL}, last_updated_time = ${now},
              description = ${null}, user_id = ${null}, source = ${'REDACTED-SOURCE-PATH'}, run_id = ${'REDACTED-RUN-ID'},
              run_link = ${'REDACTED-RUN-LINK'}, status_message = ${null}, storage_location = ${null}
            WHERE name = ${name} AND version = ${number}`,
      );
      await tx.run(sql`UPDATE registered_models SET last_updated_time = ${now} WHERE name = ${name}`);
    });
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(version);
    const target = canonicalStage(stage);
    if (archiveExistingVersions && !ACTIVE_STAGES.includes(target)) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
          `Valid stages are ${ACTIVE_STAGES.join(', ')}`,
        { hint: 'drop --archive-existing, or transition to Staging or Production' },
      );
    }
    return this.driver.transaction(async (tx) => {
      await this.lockModel(tx, name);
      await this.requireVersion(tx, name, number);
      const now = Date.now();
      if (archiveExistingVersions) {
        await tx.run(
          sql`UPDATE model_versions SET current_stage = ${'Archived'}, last_updated_time = ${now}
              WHERE name = ${name} AND current_stage = ${target} AND version <> ${number}`,
        );
      }
      await tx.run(
        sql`UPDATE model_versions SET current_stage = ${target}, last_updated_time = ${now}
            WHERE name = ${name} AND version = ${number}`,
      );
      await tx.run(sql`UPDATE registered_models SET last_updated_time = ${now} WHERE name = ${name}`);
      return this.loadVersionOrThrow(tx, name, number);
    });
  }

  /**
   * The newest version in each stage asked for (all four when none are), in the order asked, as
   * MLflow's get_latest_versions.
   */
  async getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted =
      stages === undefined || stages.length === 0 ? [...MODEL_STAGES] : stages.map(canonicalStage);
    await this.requireModel(this.driver, name);
    return this.latestVersions(this.driver, name, wanted);
  }

  async searchModelVersions(
    options: SearchRegistryOptions = {},
  ): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
    const maxResults = maxResultsOf(options.maxResults, SEARCH_VERSIONS_DEFAULT, SEARCH_VERSIONS_MAX);
    const offset = decodePageToken(options.pageToken);
    const conditions = [
      NOT_DELETED,
      ...compileRegistryFilter(options.filter ?? '', 'model_versions', this.driver.dialect),
    ];
    const order = compileRegistryOrderBy(options.orderBy ?? [], 'model_versions');
    const rows = await this.driver.all<ModelVersionRow>(
      sql`SELECT ${MV_COLUMNS} FROM model_versions mv WHERE ${joinSql(conditions, ' AND ')}
          ORDER BY ${order} LIMIT ${maxResults + 1} OFFSET ${offset}`,
    );
    const model_versions = await this.versionsFromRows(this.driver, rows.slice(0, maxResults));
    return rows.length > maxResults
      ? { model_versions, next_page_token: encodePageToken(offset + maxResults) }
      : { model_versions };
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateRegistryTag(tag);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await this.upsertVersionTag(tx, name, number, tag);
    });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(
        sql`DELETE FROM model_version_tags WHERE name = ${name} AND version = ${number} AND key = ${key}`,
      );
    });
  }

  // ---- aliases -------------------------------------------------------------------------------

  /** Points `alias` at `version`, moving it if another version held it. */
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(version);
    await this.driver.transaction(async (tx) => {
      await this.requireVersion(tx, name, number);
      await tx.run(
        sql`INSERT INTO registered_model_aliases (alias, version, name) VALUES (${alias}, ${number}, ${name})
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version`,
      );
    });
  }

  /**
   * Moves `alias` to `version` only if it still points at `expectedVersion` (null: only if it is
   * unset), in one transaction; answers whether it moved. A promotion that compared against one
   * holder uses this so it never overrides a holder it did not see (not part of MLflow's API).
   */
  async setRegisteredModelAliasIf(
    name: string,
    alias: string,
    version: string,
    expectedVersion: string | null,
  ): Promise<boolean> {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(version);
    const expected = expectedVersion === null ? null : parseVersion(expectedVersion);
    return this.driver.transaction(async (tx) => {
      await this.lockModel(tx, name);
      await this.requireVersion(tx, name, number);
      const rows = await tx.all<{ version: number }>(
        sql`SELECT version FROM registered_model_aliases WHERE name = ${name} AND alias = ${alias}`,
      );
      const current = rows.length === 0 ? null : Number(rows[0].version);
      if (current !== expected) return false;
      await tx.run(
        sql`INSERT INTO registered_model_aliases (alias, version, name) VALUES (${alias}, ${number}, ${name})
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version`,
      );
      return true;
    });
  }

  /** As in MLflow, deleting an alias the model does not have is not an error. */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    await this.driver.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run(sql`DELETE FROM registered_model_aliases WHERE name = ${name} AND alias = ${alias}`);
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAlias(alias);
    await this.requireModel(this.driver, name);
    const rows = await this.driver.all<{ version: number }>(
      sql`SELECT version FROM registered_model_aliases WHERE name = ${name} AND alias = ${alias}`,
    );
    if (rows.length === 0) {
      throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered model alias ${alias} not found.`, {
        hint: `set it with \`recipe models alias ${name} ${alias} <version>\``,
      });
    }
    return this.loadVersionOrThrow(this.driver, name, Number(rows[0].version));
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Makes writers that number or re-stage versions of one model take turns. SQLite needs
   * nothing: BEGIN IMMEDIATE already holds the database's single write lock.
   */
  private async lockModel(tx: SqlExecutor, name: string): Promise<void> {
    const rows =
      tx.dialect === 'postgres'
        ? await tx.all<{ name: string }>(
            sql`SELECT name FROM registered_models WHERE name = ${name} FOR UPDATE`,
          )
        : await tx.all<{ name: string }>(sql`SELECT name FROM registered_models WHERE name = ${name}`);
    if (rows.length === 0) throw modelNotFound(name);
  }

  private async requireModel(db: SqlExecutor, name: string): Promise<RegisteredModelRow> {
    const rows = await db.all<RegisteredModelRow>(
      sql`SELECT name, creation_time, last_updated_time, description FROM registered_models WHERE name = ${name}`,
    );
    if (rows.length === 0) throw modelNotFound(name);
    return rows[0];
  }

  private async requireVersion(db: SqlExecutor, name: string, version: number): Promise<ModelVersionRow> {
    const rows = await db.all<ModelVersionRow>(
      sql`SELECT ${MV_COLUMNS} FROM model_versions mv WHERE mv.name = ${name} AND mv.version = ${version} AND ${NOT_DELETED}`,
    );
    if (rows.length === 0) {
      await this.requireModel(db, name);
      throw versionNotFound(name, version);
    }
    return rows[0];
  }

  private async upsertModelTag(tx: SqlExecutor, name: string, tag: Tag): Promise<void> {
    await tx.run(
      sql`INSERT INTO registered_model_tags (key, value, name) VALUES (${tag.key}, ${tag.value}, ${name})
          ON CONFLICT (key, name) DO UPDATE SET value = excluded.value`,
    );
  }

  private async upsertVersionTag(tx: SqlExecutor, name: string, version: number, tag: Tag): Promise<void> {
    await tx.run(
      sql`INSERT INTO model_version_tags (key, value, name, version) VALUES (${tag.key}, ${tag.value}, ${name}, ${version})
          ON CONFLICT (key, name, version) DO UPDATE SET value = excluded.value`,
    );
  }

  private async loadModelOrThrow(db: SqlExecutor, name: string): Promise<RegisteredModel> {
    const row = await this.requireModel(db, name);
    const [model] = await this.modelsFromRows(db, [row]);
    return model;
  }

  private async loadVersionOrThrow(db: SqlExecutor, name: string, version: number): Promise<ModelVersion> {
    const row = await this.requireVersion(db, name, version);
    const [modelVersion] = await this.versionsFromRows(db, [row]);
    return modelVersion;
  }

  private async latestVersions(
    db: SqlExecutor,
    name: string,
    stages: readonly ModelStage[],
  ): Promise<ModelVersion[]> {
    const rows = await db.all<ModelVersionRow>(
      sql`SELECT ${MV_COLUMNS} FROM model_versions mv
          JOIN (SELECT name, MAX(version) AS version FROM model_versions
                WHERE name = ${name} AND current_stage IN ${sqlList([...new Set(stages)])}
                GROUP BY name, current_stage) newest
            ON newest.name = mv.name AND newest.version = mv.version`,
    );
    const byStage = new Map(rows.map((row) => [asStage(row.current_stage), row]));
    const ordered = stages
      .map((stage) => byStage.get(stage))
      .filter((row): row is ModelVersionRow => row !== undefined);
    return this.versionsFromRows(db, ordered);
  }

  private async modelsFromRows(db: SqlExecutor, rows: RegisteredModelRow[]): Promise<RegisteredModel[]> {
    const names = rows.map((row) => row.name);
    const tags = new Map<string, Tag[]>();
    const aliases = new Map<string, RegisteredModelAlias[]>();
    const latest = new Map<string, ModelVersionRow[]>();
    for (const part of chunks(names)) {
      if (part.length === 0) continue;
      const list = sqlList(part);
      for (const tag of await db.all<{ name: string; key: string; value: string | null }>(
        sql`SELECT name, key, value FROM registered_model_tags WHERE name IN ${list} ORDER BY key`,
      )) {
        const each = tags.get(tag.name) ?? [];
        each.push({ key: tag.key, value: tag.value ?? '' });
        tags.set(tag.name, each);
      }
      for (const alias of await db.all<{ name: string; alias: string; version: number }>(
        sql`SELECT name, alias, version FROM registered_model_aliases WHERE name IN ${list} ORDER BY alias`,
      )) {
        const each = aliases.get(alias.name) ?? [];
        each.push({ alias: alias.alias, version: String(alias.version) });
        aliases.set(alias.name, each);
      }
      for (const row of await db.all<ModelVersionRow>(
        // One grouped pass, then primary-key lookups: a correlated MAX per row grows with n².
        sql`SELECT ${MV_COLUMNS} FROM model_versions mv
            JOIN (SELECT name, MAX(version) AS version FROM model_versions
                  WHERE name IN ${list} AND current_stage <> ${STAGE_DELETED_INTERNAL}
                  GROUP BY name, current_stage) newest
              ON newest.name = mv.name AND newest.version = mv.version`,
      )) {
        const each = latest.get(row.name) ?? [];
        each.push(row);
        latest.set(row.name, each);
      }
    }
    const stageOrder = (row: ModelVersionRow) => MODEL_STAGES.indexOf(asStage(row.current_stage));
    const latestRows = names.flatMap((name) =>
      (latest.get(name) ?? []).sort((a, b) => stageOrder(a) - stageOrder(b)),
    );
    const latestVersions = await this.versionsFromRows(db, latestRows);
    const latestByName = new Map<string, ModelVersion[]>();
    for (const version of latestVersions) {
      const each = latestByName.get(version.name) ?? [];
      each.push(version);
      latestByName.set(version.name, each);
    }
    return rows.map((row) => ({
      name: row.name,
      creation_timestamp: Number(row.creation_time ?? 0),
      last_updated_timestamp: Number(row.last_updated_time ?? 0),
      description: row.description ?? '',
      latest_versions: latestByName.get(row.name) ?? [],
      tags: tags.get(row.name) ?? [],
      aliases: aliases.get(row.name) ?? [],
    }));
  }

  private async versionsFromRows(db: SqlExecutor, rows: ModelVersionRow[]): Promise<ModelVersion[]> {
    const tags = new Map<string, Tag[]>();
    const aliases = new Map<string, string[]>();
    for (const part of chunks(rows)) {
      if (part.length === 0) continue;
      const pairs = joinSql(
        part.map((row) => sql`(name = ${row.name} AND version = ${Number(row.version)})`),
        ' OR ',
      );
      for (const tag of await db.all<{ name: string; version: number; key: string; value: string | null }>(
        sql`SELECT name, version, key, value FROM model_version_tags WHERE ${pairs} ORDER BY key`,
      )) {
        const key = versionKey(tag.name, Number(tag.version));
        const each = tags.get(key) ?? [];
        each.push({ key: tag.key, value: tag.value ?? '' });
        tags.set(key, each);
      }
      for (const alias of await db.all<{ name: string; version: number; alias: string }>(
        sql`SELECT name, version, alias FROM registered_model_aliases WHERE ${pairs} ORDER BY alias`,
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
        description: row.description ?? '',
        user_id: row.user_id ?? '',
        source: row.source ?? '',
        run_id: row.run_id ?? '',
        run_link: row.run_link ?? '',
        status: asStatus(row.status),
        status_message: row.status_message ?? '',
        tags: tags.get(key) ?? [],
        aliases: aliases.get(key) ?? [],
      };
    });
  }
}
