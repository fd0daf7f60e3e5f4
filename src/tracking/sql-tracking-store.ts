/**
 * The tracking store's logic, written once over a small async SQL driver interface and shared by
 * the SQLite and PostgreSQL backends (sqlite-store.ts, postgres-store.ts), which differ only in
 * how they connect, lock and bind. Semantics follow MLflow's SqlAlchemyStore (2.x); comments name
 * the behaviours mirrored.
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { StoreError } from '../errors.js';
import { parseFilter } from './filter-parser.js';
import { parseOrderBy } from './order-by.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { generateRunName } from './run-name.js';
import { compileExperimentSearch, compileRunSearch } from './search-compiler.js';
import {
  joinSql,
  rawSql,
  type SqlDialect,
  type SqlFragment,
  type SqlValue,
  sql,
  sqlList,
} from './sql-fragment.js';
import { MLFLOW_INFINITY_VALUE } from './mlflow-schema.js';
import {
  type CreateRunOptions,
  type Dataset,
  type DatasetInput,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
  type FinishedRunOptions,
  type FinishRunOptions,
  type ImportedRun,
  type LifecycleStage,
  type LogBatch,
  type Metric,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type SearchExperimentsOptions,
  type SearchExperimentsResult,
  type SearchRunsOptions,
  type SearchRunsResult,
  TAGS,
  type Tag,
  type TrackingStore,
  type UpdateRunOptions,
} from './types.js';
import {
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateMaxResults,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunName,
  validateRunStatus,
  validateTag,
  validateTimestamp,
  validateUserId,
} from './validation.js';

/** Runs statements; inside a transaction every call belongs to it. */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  all<T extends object>(query: SqlFragment): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(query: SqlFragment): Promise<number>;
  /**
   * Optional: `<head> VALUES (?, …) <tail>` run once per row of `rows`, the statement prepared
   * once. SQLite steps a prepared one-row INSERT faster than it binds a multi-row one (measured:
   * 1,000 metric rows in 3.2 ms against 5.5 ms in chunks of 200); executors without it get
   * multi-row INSERTs in chunks, which suit a database across a network. `head` and `tail` are
   * SQL text written in this code base, never user input; values are always bound.
   */
  runPerRow?(head: string, rows: readonly (readonly SqlValue[])[], tail: string): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  /** Runs `work` in one write transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** True for a unique / primary-key constraint violation (a lost race against another writer). */
  isUniqueViolation(error: unknown): boolean;
  close(): Promise<void>;
}

/** The driver's own error code (`SQLITE_BUSY`, PostgreSQL's `23505`…), also behind a wrapping StoreError. */
export function databaseErrorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (error instanceof StoreError) return typeof cause === 'string' ? cause : undefined;
  return typeof own === 'string' ? own : undefined;
}

/**
 * Turns a database driver's error into a StoreError (INTERNAL_ERROR) naming the database, so the
 * CLI prints one line instead of a stack; the original stays available as `cause`.
 */
export function databaseError(error: unknown, where: string, hint?: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError('INTERNAL_ERROR', `${where}: ${message}`, {
    cause: error,
    hint: hint ?? 'see the database error above; rerun with --verbose for details',
  });
}

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: LifecycleStage;
  creation_time: number | null;
  last_update_time: number | null;
}

interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: LifecycleStage;
  artifact_uri: string | null;
  experiment_id: number;
}

interface MetricRow {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: number | boolean;
}

interface InputRow {
  input_uuid: string;
  run_uuid: string;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

interface KeyValueRow {
  run_uuid: string;
  key: string;
  value: string | null;
}

/** Rows per multi-row INSERT / ids per IN list: well under both databases' bind limits. */
const CHUNK = 200;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function notFound(message: string): StoreError {
  return new StoreError('RESOURCE_DOES_NOT_EXIST', message);
}

/** Experiment ids are decimal integers as strings; anything else names no experiment. */
function parseExperimentId(experimentId: string | number): number | undefined {
  // JSON callers sometimes send the id as a number; MLflow's server accepts both.
  const text = typeof experimentId === 'number' ? String(experimentId) : experimentId;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}

/** Keeps URIs (s3://, file://…) as given and makes local paths absolute. */
export function normalizeArtifactLocation(location: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) && !/^[a-zA-Z]:[\\/]/.test(location)) return location;
  return isAbsolute(location) ? location : resolve(location);
}

function joinUri(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts].join('/');
}

/** A metric as MLflow stores it: NaN as 0 with is_nan, ±Infinity as ±max double (SqlAlchemyStore 2.12). */
interface StoredMetric {
  key: string;
  value: number;
  isNan: boolean;
  timestamp: number;
  step: number;
}

function storedMetric(metric: Metric): StoredMetric {
  const isNan = Number.isNaN(metric.value);
  let value = metric.value;
  if (isNan) value = 0;
  else if (value === Number.POSITIVE_INFINITY) value = MLFLOW_INFINITY_VALUE;
  else if (value === Number.NEGATIVE_INFINITY) value = -MLFLOW_INFINITY_VALUE;
  return { key: metric.key, value, isNan, timestamp: metric.timestamp, step: metric.step };
}

/**
 * MLflow's latest_metrics rule: the greatest (step, timestamp, stored value); a NaN compares as
 * the 0 it is stored as, exactly as MLflow's _compare_metrics does.
 */
function isNewer(
  candidate: Pick<StoredMetric, 'step' | 'timestamp' | 'value'>,
  current: Pick<StoredMetric, 'step' | 'timestamp' | 'value'>,
): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step;
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp;
  return candidate.value > current.value;
}

function metricFromRow(row: MetricRow): Metric {
  return {
    key: row.key,
    value: row.is_nan === true || row.is_nan === 1 ? Number.NaN : Number(row.value),
    timestamp: row.timestamp === null ? 0 : Number(row.timestamp),
    step: Number(row.step),
  };
}

function runInfoFromRow(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name ?? '',
    experiment_id: String(row.experiment_id),
    user_id: row.user_id ?? '',
    status: row.status,
    start_time: Number(row.start_time),
    artifact_uri: row.artifact_uri ?? '',
    lifecycle_stage: row.lifecycle_stage,
  };
  if (row.end_time !== null) info.end_time = Number(row.end_time);
  return info;
}

const RUN_COLUMNS = rawSql(
  'r.run_uuid, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri, r.experiment_id',
);

/**
 * MLflow creates experiment 0 "Default" when it opens a database that has no experiment at all
 * (SqlAlchemyStore.__init__); a database whose experiments were all purged gets it back the same way.
 */
export async function ensureDefaultExperiment(tx: SqlExecutor, defaultArtifactRoot: string): Promise<void> {
  const [any] = await tx.all<{ experiment_id: number }>(sql`SELECT experiment_id FROM experiments LIMIT 1`);
  if (any !== undefined) return;
  const now = Date.now();
  await tx.run(
    sql`INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
        VALUES (${0}, ${DEFAULT_EXPERIMENT_NAME}, ${joinUri(defaultArtifactRoot, DEFAULT_EXPERIMENT_ID)}, ${'active'}, ${now}, ${now})`,
  );
}

export interface SqlTrackingStoreOptions {
  driver: SqlDriver;
  /** Shown in logs, e.g. `sqlite:/repo/mlruns/tracking.db`. */
  uri: string;
  /** Absolute path (or URI) under which new experiments get `<root>/<experiment_id>`. */
  defaultArtifactRoot: string;
}

export class SqlTrackingStore implements TrackingStore {
  readonly uri: string;
  readonly defaultArtifactRoot: string;
  protected readonly driver: SqlDriver;

  constructor(options: SqlTrackingStoreOptions) {
    this.driver = options.driver;
    this.uri = options.uri;
    this.defaultArtifactRoot = options.defaultArtifactRoot;
  }

  // ---- experiments -------------------------------------------------------------------------

  async createExperiment(name: string, givenLocation?: string, tags: Tag[] = []): Promise<string> {
    // MLflow's clients send artifact_location "" when none was chosen: that means the default.
    const artifactLocation = givenLocation === '' ? undefined : givenLocation;
    validateExperimentName(name);
    tags.forEach(validateExperimentTag);
    const now = Date.now();
    try {
      return await this.driver.transaction(async (tx) => {
        const existing = await tx.all<{ experiment_id: number }>(
          sql`SELECT experiment_id FROM experiments WHERE name = ${name}`,
        );
        if (existing.length > 0) throw this.experimentExists(name);
        const [row] = await tx.all<{ experiment_id: number }>(
          sql`INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
              VALUES (${name}, ${artifactLocation === undefined ? null : normalizeArtifactLocation(artifactLocation)},
                      ${'active'}, ${now}, ${now})
              RETURNING experiment_id`,
        );
        const id = String(row.experiment_id);
        if (artifactLocation === undefined) {
          await tx.run(
            sql`UPDATE experiments SET artifact_location = ${joinUri(this.defaultArtifactRoot, id)} WHERE experiment_id = ${row.experiment_id}`,
          );
        }
        for (const tag of tags) {
          await tx.run(
            sql`INSERT INTO experiment_tags (key, value, experiment_id) VALUES (${tag.key}, ${tag.value}, ${row.experiment_id})
                ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value`,
          );
        }
        return id;
      });
    } catch (error) {
      // Another process created the same name between our check and insert.
      if (this.driver.isUniqueViolation(error)) throw this.experimentExists(name);
      throw error;
    }
  }

  private experimentExists(name: string): StoreError {
    return new StoreError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`, {
      hint: 'choose another name, or use the existing experiment (getExperimentByName)',
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const experiment = await this.findExperiment(this.driver, experimentId);
    if (experiment === undefined) throw notFound(`No Experiment with id=${experimentId} exists`);
    return experiment;
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    const rows = await this.driver.all<ExperimentRow>(sql`SELECT * FROM experiments WHERE name = ${name}`);
    if (rows.length === 0) return null;
    const [experiment] = await this.experimentsFromRows(this.driver, rows);
    return experiment;
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<SearchExperimentsResult> {
    const maxResults = validateMaxResults(options.maxResults);
    const offset = decodePageToken(options.pageToken);
    const query = compileExperimentSearch({
      filter: parseFilter(options.filter ?? ''),
      orderBy: (options.orderBy ?? []).map(parseOrderBy),
      viewType: options.viewType,
      limit: maxResults + 1,
      offset,
      dialect: this.driver.dialect,
    });
    const idRows = await this.driver.all<{ experiment_id: number }>(query);
    const page = idRows.slice(0, maxResults).map((row) => row.experiment_id);
    const experiments = await this.loadExperiments(this.driver, page);
    const result: SearchExperimentsResult = { experiments };
    if (idRows.length > maxResults) result.next_page_token = encodePageToken(offset + maxResults);
    return result;
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, experimentId);
      if (experiment.lifecycle_stage !== 'active') {
        throw new StoreError('INVALID_STATE', `Experiment ${experimentId} is already deleted.`, {
          hint: 'restore it first with restoreExperiment',
        });
      }
      const now = Date.now();
      const id = Number(experimentId);
      await tx.run(
        sql`UPDATE experiments SET lifecycle_stage = ${'deleted'}, last_update_time = ${now} WHERE experiment_id = ${id}`,
      );
      // MLflow marks every run of a deleted experiment deleted too, so ACTIVE_ONLY searches skip them.
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${'deleted'}, deleted_time = ${now} WHERE experiment_id = ${id} AND lifecycle_stage = ${'active'}`,
      );
    });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, experimentId);
      if (experiment.lifecycle_stage !== 'deleted') {
        throw new StoreError(
          'INVALID_STATE',
          `Cannot restore experiment ${experimentId}: it is not deleted.`,
        );
      }
      const id = Number(experimentId);
      await tx.run(
        sql`UPDATE experiments SET lifecycle_stage = ${'active'}, last_update_time = ${Date.now()} WHERE experiment_id = ${id}`,
      );
      // As MLflow does, restoring an experiment restores all of its runs.
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${'active'}, deleted_time = ${null} WHERE experiment_id = ${id} AND lifecycle_stage = ${'deleted'}`,
      );
    });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    try {
      await this.driver.transaction(async (tx) => {
        const experiment = await this.requireExperiment(tx, experimentId);
        if (experiment.lifecycle_stage !== 'active') {
          throw new StoreError(
            'INVALID_STATE',
            `Cannot rename a non-active experiment (id=${experimentId}).`,
            {
              hint: 'restore it first with restoreExperiment',
            },
          );
        }
        if (experiment.name === newName) return;
        const clash = await tx.all<{ experiment_id: number }>(
          sql`SELECT experiment_id FROM experiments WHERE name = ${newName}`,
        );
        if (clash.length > 0) throw this.experimentExists(newName);
        await tx.run(
          sql`UPDATE experiments SET name = ${newName}, last_update_time = ${Date.now()} WHERE experiment_id = ${Number(experimentId)}`,
        );
      });
    } catch (error) {
      if (this.driver.isUniqueViolation(error)) throw this.experimentExists(newName);
      throw error;
    }
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    validateExperimentTag(tag);
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, experimentId);
      if (experiment.lifecycle_stage !== 'active') {
        throw new StoreError(
          'INVALID_STATE',
          `The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
        );
      }
      await tx.run(
        sql`INSERT INTO experiment_tags (key, value, experiment_id) VALUES (${tag.key}, ${tag.value}, ${Number(experimentId)})
            ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value`,
      );
    });
  }

  private async findExperiment(db: SqlExecutor, experimentId: string): Promise<Experiment | undefined> {
    const id = parseExperimentId(experimentId);
    if (id === undefined) return undefined;
    const rows = await db.all<ExperimentRow>(sql`SELECT * FROM experiments WHERE experiment_id = ${id}`);
    if (rows.length === 0) return undefined;
    const [experiment] = await this.experimentsFromRows(db, rows);
    return experiment;
  }

  private async requireExperiment(db: SqlExecutor, experimentId: string): Promise<ExperimentRow> {
    const id = parseExperimentId(experimentId);
    const rows =
      id === undefined
        ? []
        : await db.all<ExperimentRow>(sql`SELECT * FROM experiments WHERE experiment_id = ${id}`);
    if (rows.length === 0) throw notFound(`No Experiment with id=${experimentId} exists`);
    return rows[0];
  }

  private async loadExperiments(db: SqlExecutor, ids: number[]): Promise<Experiment[]> {
    const byId = new Map<number, ExperimentRow>();
    for (const part of chunks(ids)) {
      for (const row of await db.all<ExperimentRow>(
        sql`SELECT * FROM experiments WHERE experiment_id IN ${sqlList(part)}`,
      )) {
        byId.set(Number(row.experiment_id), row);
      }
    }
    const rows = ids.map((id) => byId.get(id)).filter((row): row is ExperimentRow => row !== undefined);
    return this.experimentsFromRows(db, rows);
  }

  private async experimentsFromRows(db: SqlExecutor, rows: ExperimentRow[]): Promise<Experiment[]> {
    const tags = new Map<number, Tag[]>();
    for (const part of chunks(rows.map((row) => Number(row.experiment_id)))) {
      if (part.length === 0) continue;
      for (const tag of await db.all<{ experiment_id: number; key: string; value: string | null }>(
        sql`SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ${sqlList(part)} ORDER BY key`,
      )) {
        const list = tags.get(Number(tag.experiment_id)) ?? [];
        list.push({ key: tag.key, value: tag.value ?? '' });
        tags.set(Number(tag.experiment_id), list);
      }
    }
    return rows.map((row) => ({
      experiment_id: String(row.experiment_id),
      name: row.name,
      artifact_location: row.artifact_location ?? '',
      lifecycle_stage: row.lifecycle_stage,
      creation_time: Number(row.creation_time ?? 0),
      last_update_time: Number(row.last_update_time ?? 0),
      tags: tags.get(Number(row.experiment_id)) ?? [],
    }));
  }

  // ---- runs ----------------------------------------------------------------------------------

  async createRun(options: CreateRunOptions): Promise<Run> {
    const tags = options.tags ?? [];
    tags.forEach(validateTag);
    if (options.userId !== undefined) validateUserId(options.userId);
    if (options.runName !== undefined) validateRunName(options.runName);
    const startTime = options.startTime ?? Date.now();
    validateTimestamp(startTime, 'start_time');
    const params = options.params ?? [];
    if (params.length > 0) validateLogBatch({ params });
    const tagName = tags.find((tag) => tag.key === TAGS.runName)?.value;
    if (options.runName && tagName && tagName !== options.runName) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Both 'run_name' argument and '${TAGS.runName}' tag are specified, but with different values ` +
          `(run_name='${options.runName}', ${TAGS.runName}='${tagName}').`,
        { hint: 'give the name once, or the same value in both' },
      );
    }
    // An empty name counts as none, as in MLflow: the run gets a generated one.
    const runName = options.runName || tagName || generateRunName();
    const userId = options.userId ?? '';
    const runId = randomUUID().replaceAll('-', '');
    return this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, options.experimentId);
      if (experiment.lifecycle_stage !== 'active') {
        throw new StoreError(
          'INVALID_STATE',
          `The experiment ${options.experimentId} must be in the 'active' state to create runs in it. ` +
            `Current state is ${experiment.lifecycle_stage}.`,
          { hint: 'restore the experiment (restoreExperiment) or log to another one' },
        );
      }
      const artifactUri = joinUri(
        experiment.artifact_location ?? this.defaultArtifactRoot,
        runId,
        'artifacts',
      );
      await tx.run(
        sql`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                              end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
            VALUES (${runId}, ${runName}, ${'UNKNOWN'}, ${''}, ${''}, ${userId}, ${'RUNNING'}, ${startTime},
                    ${null}, ${null}, ${''}, ${'active'}, ${artifactUri}, ${Number(experiment.experiment_id)})`,
      );
      const allTags = new Map<string, string>();
      for (const tag of tags) allTags.set(tag.key, tag.value);
      allTags.set(TAGS.runName, runName);
      if (options.userId !== undefined && !allTags.has(TAGS.user)) allTags.set(TAGS.user, options.userId);
      await this.upsertRunTags(
        tx,
        runId,
        [...allTags].map(([key, value]) => ({ key, value })),
      );
      if (params.length > 0) await this.insertParams(tx, runId, params);
      return this.loadRunOrThrow(tx, runId);
    });
  }

  async createFinishedRuns(runs: FinishedRunOptions[]): Promise<RunInfo[]> {
    // Everything is checked before the transaction opens, as in logBatch: a bad run writes nothing.
    const prepared = runs.map((options) => {
      const tags = options.tags ?? [];
      tags.forEach(validateTag);
      if (options.userId !== undefined) validateUserId(options.userId);
      if (options.runName !== undefined) validateRunName(options.runName);
      validateRunStatus(options.status);
      const startTime = options.startTime ?? Date.now();
      validateTimestamp(startTime, 'start_time');
      validateTimestamp(options.endTime, 'end_time');
      validateLogBatch({ params: options.params ?? [], metrics: options.metrics ?? [] });
      const runName =
        options.runName || tags.find((tag: Tag) => tag.key === TAGS.runName)?.value || generateRunName();
      const allTags = new Map<string, string>();
      for (const tag of tags) allTags.set(tag.key, tag.value);
      allTags.set(TAGS.runName, runName);
      if (options.userId !== undefined && !allTags.has(TAGS.user)) allTags.set(TAGS.user, options.userId);
      return {
        options,
        runId: randomUUID().replaceAll('-', ''),
        runName,
        startTime,
        tags: [...allTags].map(([key, value]) => ({ key, value })),
      };
    });
    if (prepared.length === 0) return [];
    return this.driver.transaction(async (tx) => {
      const infos: RunInfo[] = [];
      const experiments = new Map<string, Awaited<ReturnType<typeof this.requireExperiment>>>();
      for (const run of prepared) {
        const { options, runId } = run;
        let experiment = experiments.get(options.experimentId);
        if (experiment === undefined) {
          experiment = await this.requireExperiment(tx, options.experimentId);
          if (experiment.lifecycle_stage !== 'active') {
            throw new StoreError(
              'INVALID_STATE',
              `The experiment ${options.experimentId} must be in the 'active' state to create runs in it. ` +
                `Current state is ${experiment.lifecycle_stage}.`,
              { hint: 'restore the experiment (restoreExperiment) or log to another one' },
            );
          }
          experiments.set(options.experimentId, experiment);
        }
        const found = experiment;
        const artifactUri = joinUri(found.artifact_location ?? this.defaultArtifactRoot, runId, 'artifacts');
        await tx.run(
          sql`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                                end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
              VALUES (${runId}, ${run.runName}, ${'UNKNOWN'}, ${''}, ${''}, ${options.userId ?? ''}, ${options.status},
                      ${run.startTime}, ${options.endTime}, ${null}, ${''}, ${'active'}, ${artifactUri},
                      ${Number(found.experiment_id)})`,
        );
        // The run is new (its id was drawn above): nothing of it exists to check or merge with, and
        // its info is what was just inserted. A sweep records one such run per trial, so the reads
        // a logBatch into an existing run needs are left out (bench/sweep's overhead per trial).
        await this.upsertRunTags(tx, runId, run.tags, { newRun: true });
        if (options.metrics && options.metrics.length > 0)
          await this.insertMetrics(tx, runId, options.metrics, { newRun: true });
        if (options.params && options.params.length > 0)
          await this.insertParams(tx, runId, options.params, { newRun: true });
        const info: RunInfo = {
          run_id: runId,
          run_uuid: runId,
          run_name: run.runName,
          experiment_id: String(found.experiment_id),
          user_id: options.userId ?? '',
          status: options.status,
          start_time: run.startTime,
          artifact_uri: artifactUri,
          lifecycle_stage: 'active',
        };
        info.end_time = options.endTime;
        infos.push(info);
      }
      return infos;
    });
  }

  async getRun(runId: string): Promise<Run> {
    validateRunId(runId);
    return this.loadRunOrThrow(this.driver, runId);
  }

  async updateRun(runId: string, options: UpdateRunOptions): Promise<RunInfo> {
    validateRunId(runId);
    if (options.status !== undefined) validateRunStatus(options.status);
    if (options.endTime !== undefined) validateTimestamp(options.endTime, 'end_time');
    if (options.runName !== undefined) validateTag({ key: TAGS.runName, value: options.runName });
    return this.driver.transaction(async (tx) => {
      await this.requireActiveRun(tx, runId);
      const sets: SqlFragment[] = [];
      if (options.status !== undefined) sets.push(sql`status = ${options.status}`);
      if (options.endTime !== undefined) sets.push(sql`end_time = ${options.endTime}`);
      if (options.runName !== undefined && options.runName !== '') sets.push(sql`name = ${options.runName}`);
      if (sets.length > 0)
        await tx.run(sql`UPDATE runs SET ${joinSql(sets, ', ')} WHERE run_uuid = ${runId}`);
      if (options.runName !== undefined && options.runName !== '') {
        await this.upsertRunTags(tx, runId, [{ key: TAGS.runName, value: options.runName }]);
      }
      return (await this.loadRunOrThrow(tx, runId)).info;
    });
  }

  async deleteRun(runId: string): Promise<void> {
    validateRunId(runId);
    await this.driver.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${'deleted'}, deleted_time = ${Date.now()} WHERE run_uuid = ${runId}`,
      );
    });
  }

  async restoreRun(runId: string): Promise<void> {
    validateRunId(runId);
    await this.driver.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      await tx.run(
        sql`UPDATE runs SET lifecycle_stage = ${'active'}, deleted_time = ${null} WHERE run_uuid = ${runId}`,
      );
    });
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.logBatch(runId, { metrics: [metric] });
  }

  async logParam(runId: string, param: Param): Promise<void> {
    await this.logBatch(runId, { params: [param] });
  }

  async setTag(runId: string, tag: Tag): Promise<void> {
    await this.logBatch(runId, { tags: [tag] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    validateRunId(runId);
    await this.driver.transaction(async (tx) => {
      await this.requireActiveRun(tx, runId);
      const changed = await tx.run(sql`DELETE FROM tags WHERE run_uuid = ${runId} AND key = ${key}`);
      if (changed === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    });
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateRunId(runId);
    // Everything is checked before the transaction opens, so a rejected batch writes nothing.
    validateLogBatch(batch);
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    if (metrics.length + params.length + tags.length === 0) {
      await this.requireRun(this.driver, runId);
      return;
    }
    await this.driver.transaction((tx) => this.writeBatch(tx, runId, { metrics, params, tags }));
  }

  /** A checked batch's writes, inside the caller's transaction: the run locked and active first. */
  private async writeBatch(tx: SqlExecutor, runId: string, batch: Required<LogBatch>): Promise<void> {
    await this.lockRun(tx, runId);
    await this.requireActiveRun(tx, runId);
    if (batch.tags.length > 0) await this.upsertRunTags(tx, runId, batch.tags);
    if (batch.metrics.length > 0) await this.insertMetrics(tx, runId, batch.metrics);
    // Params last: a changed param value aborts the transaction after the other writes, which
    // the rollback then undoes (a test relies on exercising exactly that path).
    if (batch.params.length > 0) await this.insertParams(tx, runId, batch.params);
  }

  async finishRun(runId: string, options: FinishRunOptions): Promise<void> {
    validateRunId(runId);
    validateRunStatus(options.status);
    const endTime = options.endTime ?? Date.now();
    validateTimestamp(endTime, 'end_time');
    // Everything is checked before the transaction opens, as in logBatch: a bad batch writes
    // nothing and leaves the run as it was.
    validateLogBatch(options);
    const { metrics = [], params = [], tags = [] } = options;
    await this.driver.transaction(async (tx) => {
      await this.writeBatch(tx, runId, { metrics, params, tags });
      await tx.run(
        sql`UPDATE runs SET status = ${options.status}, end_time = ${endTime} WHERE run_uuid = ${runId}`,
      );
    });
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    validateRunId(runId);
    await this.requireRun(this.driver, runId);
    const rows = await this.driver.all<MetricRow>(
      sql`SELECT run_uuid, key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ${runId} AND key = ${key}
          ORDER BY step, timestamp, value`,
    );
    return rows.map(metricFromRow);
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    validateRunId(runId);
    validateDatasetInputs(datasets);
    // MLflow keeps the first of several inputs with the same dataset name and digest.
    const unique = new Map<string, DatasetInput>();
    for (const input of datasets) {
      const key = JSON.stringify([input.dataset.name, input.dataset.digest]);
      if (!unique.has(key)) unique.set(key, input);
    }
    await this.driver.transaction(async (tx) => {
      await this.lockRun(tx, runId);
      const run = await this.requireActiveRun(tx, runId);
      await this.insertInputs(tx, runId, Number(run.experiment_id), [...unique.values()]);
    });
  }

  private async insertInputs(
    tx: SqlExecutor,
    runId: string,
    experimentId: number,
    inputs: DatasetInput[],
  ): Promise<void> {
    for (const input of inputs) {
      const datasetUuid = await this.datasetUuid(tx, experimentId, input.dataset);
      const [existing] = await tx.all<{ input_uuid: string }>(
        sql`SELECT input_uuid FROM inputs WHERE source_type = ${'DATASET'} AND source_id = ${datasetUuid}
            AND destination_type = ${'RUN'} AND destination_id = ${runId}`,
      );
      // The same dataset logged again for the same run adds nothing, tags included (as in MLflow).
      if (existing !== undefined) continue;
      const inputUuid = randomUUID().replaceAll('-', '');
      await tx.run(
        sql`INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id)
            VALUES (${inputUuid}, ${'DATASET'}, ${datasetUuid}, ${'RUN'}, ${runId})`,
      );
      const tags = new Map(input.tags.map((tag) => [tag.key, tag.value]));
      for (const [name, value] of tags) {
        await tx.run(
          sql`INSERT INTO input_tags (input_uuid, name, value) VALUES (${inputUuid}, ${name}, ${value})`,
        );
      }
    }
  }

  async importRun(run: ImportedRun): Promise<void> {
    const info = run.info;
    validateRunId(info.run_id);
    validateRunStatus(info.status);
    validateTimestamp(info.start_time, 'start_time');
    if (info.end_time !== undefined) validateTimestamp(info.end_time, 'end_time');
    if (info.lifecycle_stage !== 'active' && info.lifecycle_stage !== 'deleted') {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Invalid lifecycle_stage '${String(info.lifecycle_stage)}' for run ${info.run_id}: expected active or deleted`,
      );
    }
    // Everything is checked before the transaction opens, as in logBatch: a bad run writes nothing.
    run.metrics.forEach(validateMetric);
    run.params.forEach(validateParam);
    run.tags.forEach(validateTag);
    validateDatasetInputs(run.inputs);
    const deletedTime =
      info.lifecycle_stage === 'deleted' ? (run.deletedTime ?? info.end_time ?? Date.now()) : null;
    await this.driver.transaction(async (tx) => {
      const experiment = await this.requireExperiment(tx, info.experiment_id);
      const [taken] = await tx.all<{ run_uuid: string }>(
        sql`SELECT run_uuid FROM runs WHERE run_uuid = ${info.run_id}`,
      );
      if (taken !== undefined) {
        throw new StoreError('RESOURCE_ALREADY_EXISTS', `Run with id=${info.run_id} already exists`, {
          hint: 'import it under a new id (recipe runs import --new-ids)',
        });
      }
      await tx.run(
        sql`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                              end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
            VALUES (${info.run_id}, ${info.run_name}, ${'UNKNOWN'}, ${''}, ${''}, ${info.user_id}, ${info.status},
                    ${info.start_time}, ${info.end_time ?? null}, ${deletedTime}, ${''}, ${info.lifecycle_stage},
                    ${info.artifact_uri}, ${Number(experiment.experiment_id)})`,
      );
      if (run.tags.length > 0) await this.upsertRunTags(tx, info.run_id, run.tags);
      if (run.metrics.length > 0) await this.insertMetrics(tx, info.run_id, run.metrics);
      if (run.params.length > 0) await this.insertParams(tx, info.run_id, run.params);
      await this.insertInputs(tx, info.run_id, Number(experiment.experiment_id), run.inputs);
    });
  }

  /**
   * The uuid of the dataset with this name and digest, created in the run's experiment when there
   * is none. Like MLflow 2.12, an existing dataset of that name and digest is reused even when it
   * was first logged in another experiment; one in the run's own experiment is preferred.
   */
  private async datasetUuid(tx: SqlExecutor, experimentId: number, dataset: Dataset): Promise<string> {
    const found = await tx.all<{ dataset_uuid: string; experiment_id: number }>(
      sql`SELECT dataset_uuid, experiment_id FROM datasets WHERE name = ${dataset.name} AND digest = ${dataset.digest}
          ORDER BY CASE WHEN experiment_id = ${experimentId} THEN 0 ELSE 1 END, experiment_id`,
    );
    if (found.length > 0) return found[0].dataset_uuid;
    const uuid = randomUUID().replaceAll('-', '');
    await tx.run(
      sql`INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source,
                                dataset_schema, dataset_profile)
          VALUES (${uuid}, ${experimentId}, ${dataset.name}, ${dataset.digest}, ${dataset.source_type},
                  ${dataset.source}, ${dataset.schema ?? null}, ${dataset.profile ?? null})`,
    );
    return uuid;
  }

  async searchRuns(options: SearchRunsOptions): Promise<SearchRunsResult> {
    // MLflow 2.12 accepts max_results 0 (an empty page, with a token).
    const maxResults = validateMaxResults(options.maxResults, { allowZero: true });
    const offset = decodePageToken(options.pageToken);
    const experimentIds = (options.experimentIds ?? [])
      .map(parseExperimentId)
      .filter((id): id is number => id !== undefined);
    const query = compileRunSearch({
      experimentIds,
      filter: parseFilter(options.filter ?? ''),
      orderBy: (options.orderBy ?? []).map(parseOrderBy),
      viewType: options.runViewType,
      limit: maxResults,
      offset,
      dialect: this.driver.dialect,
    });
    const idRows = await this.driver.all<{ run_uuid: string }>(query);
    const runs = await this.loadRuns(
      this.driver,
      idRows.map((row) => row.run_uuid),
    );
    const result: SearchRunsResult = { runs };
    // MLflow's compute_next_token: a full page gets a token, even when nothing follows it.
    if (idRows.length === maxResults) result.next_page_token = encodePageToken(offset + maxResults);
    return result;
  }

  /**
   * The connection this store runs on, for modules that keep their own tables in the same
   * database (the model registry, src/registry/sql-registry.ts), so both share one pool and lock.
   */
  get sqlDriver(): SqlDriver {
    return this.driver;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Makes concurrent writers to one run take turns, so the params check and the latest_metrics
   * comparison see each other's results. SQLite needs nothing: BEGIN IMMEDIATE already holds the
   * database's single write lock.
   */
  protected async lockRun(_tx: SqlExecutor, _runId: string): Promise<void> {}

  private async requireRun(db: SqlExecutor, runId: string): Promise<RunRow> {
    const rows = await db.all<RunRow>(sql`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid = ${runId}`);
    if (rows.length === 0) throw notFound(`Run with id=${runId} not found`);
    return rows[0];
  }

  private async requireActiveRun(db: SqlExecutor, runId: string): Promise<RunRow> {
    const row = await this.requireRun(db, runId);
    if (row.lifecycle_stage !== 'active') {
      // MLflow's _check_run_is_active answers INVALID_PARAMETER_VALUE with this wording.
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
        { hint: 'restore the run first (restoreRun)' },
      );
    }
    return row;
  }

  /** `newRun`: the run was inserted in this transaction, so it has no params to compare with. */
  private async insertParams(
    tx: SqlExecutor,
    runId: string,
    params: Param[],
    options: { newRun?: boolean } = {},
  ): Promise<void> {
    const unique = new Map<string, string>();
    for (const param of params) unique.set(param.key, param.value);
    const keys = options.newRun ? [] : [...unique.keys()];
    for (const part of chunks(keys)) {
      const existing = await tx.all<{ key: string; value: string }>(
        sql`SELECT key, value FROM params WHERE run_uuid = ${runId} AND key IN ${sqlList(part)}`,
      );
      for (const row of existing) {
        const wanted = unique.get(row.key);
        if (wanted !== undefined && wanted !== row.value) {
          throw new StoreError(
            'INVALID_PARAMETER_VALUE',
            `Changing param values is not allowed. Param with key='${row.key}' was already logged with ` +
              `value='${row.value}' for run ID='${runId}'. Attempted logging new value '${wanted}'.`,
            { hint: 'params are immutable: log the new value under another key or in a new run' },
          );
        }
        unique.delete(row.key);
      }
    }
    for (const part of chunks([...unique])) {
      const rows = part.map(([key, value]) => sql`(${key}, ${value}, ${runId})`);
      await tx.run(
        sql`INSERT INTO params (key, value, run_uuid) VALUES ${joinSql(rows, ', ')} ON CONFLICT (key, run_uuid) DO NOTHING`,
      );
    }
  }

  /** `newRun`: the run was inserted in this transaction with its name, which needs no update. */
  private async upsertRunTags(
    tx: SqlExecutor,
    runId: string,
    tags: Tag[],
    options: { newRun?: boolean } = {},
  ): Promise<void> {
    const unique = new Map<string, string>();
    for (const tag of tags) unique.set(tag.key, tag.value);
    for (const part of chunks([...unique])) {
      const rows = part.map(([key, value]) => sql`(${key}, ${value}, ${runId})`);
      await tx.run(
        sql`INSERT INTO tags (key, value, run_uuid) VALUES ${joinSql(rows, ', ')}
            ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value`,
      );
    }
    // MLflow keeps runs.name and the mlflow.runName tag in step whichever one is written.
    const runName = unique.get(TAGS.runName);
    if (!options.newRun && runName !== undefined && runName !== '') {
      await tx.run(sql`UPDATE runs SET name = ${runName} WHERE run_uuid = ${runId}`);
    }
  }

  /** `newRun`: the run was inserted in this transaction, so it has no latest metrics yet. */
  private async insertMetrics(
    tx: SqlExecutor,
    runId: string,
    metrics: Metric[],
    options: { newRun?: boolean } = {},
  ): Promise<void> {
    const stored = metrics.map(storedMetric);
    // MLflow ignores an exact duplicate of an already logged metric point.
    const head = 'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)';
    const tail = 'ON CONFLICT DO NOTHING';
    if (tx.runPerRow !== undefined) {
      await tx.runPerRow(
        head,
        stored.map((metric) => [
          metric.key,
          metric.value,
          metric.timestamp,
          runId,
          metric.step,
          metric.isNan,
        ]),
        tail,
      );
    } else {
      for (const part of chunks(stored)) {
        const rows = part.map(
          (metric) =>
            sql`(${metric.key}, ${metric.value}, ${metric.timestamp}, ${runId}, ${metric.step}, ${metric.isNan})`,
        );
        await tx.run(sql`${rawSql(head)} VALUES ${joinSql(rows, ', ')} ${rawSql(tail)}`);
      }
    }
    const newest = new Map<string, StoredMetric>();
    for (const metric of stored) {
      const current = newest.get(metric.key);
      if (current === undefined || isNewer(metric, current)) newest.set(metric.key, metric);
    }
    for (const part of chunks(options.newRun ? [] : [...newest.keys()])) {
      const existing = await tx.all<MetricRow>(
        sql`SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics
            WHERE run_uuid = ${runId} AND key IN ${sqlList(part)}`,
      );
      for (const row of existing) {
        const candidate = newest.get(row.key);
        const current = {
          step: Number(row.step),
          timestamp: Number(row.timestamp ?? 0),
          value: Number(row.value),
        };
        if (candidate !== undefined && !isNewer(candidate, current)) newest.delete(row.key);
      }
    }
    for (const part of chunks([...newest.values()])) {
      const rows = part.map(
        (metric) =>
          sql`(${metric.key}, ${metric.value}, ${metric.timestamp}, ${metric.step}, ${metric.isNan}, ${runId})`,
      );
      await tx.run(
        sql`INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES ${joinSql(rows, ', ')}
            ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
              step = excluded.step, is_nan = excluded.is_nan`,
      );
    }
  }

  /** Each run's dataset inputs with their tags, datasets by name then digest, tags by key. */
  private async loadInputs(db: SqlExecutor, ids: SqlFragment, runs: Map<string, Run>): Promise<void> {
    const rows = await db.all<InputRow>(
      sql`SELECT i.input_uuid, i.destination_id AS run_uuid, d.name, d.digest, d.dataset_source_type,
                 d.dataset_source, d.dataset_schema, d.dataset_profile
          FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
          WHERE i.destination_type = ${'RUN'} AND i.destination_id IN ${ids}
          ORDER BY i.destination_id, d.name, d.digest`,
    );
    if (rows.length === 0) return;
    const tags = new Map<string, { key: string; value: string }[]>();
    for (const part of chunks(rows.map((row) => row.input_uuid))) {
      for (const tag of await db.all<{ input_uuid: string; name: string; value: string }>(
        sql`SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN ${sqlList(part)} ORDER BY name`,
      )) {
        const list = tags.get(tag.input_uuid) ?? [];
        list.push({ key: tag.name, value: tag.value });
        tags.set(tag.input_uuid, list);
      }
    }
    for (const row of rows) {
      const dataset: Dataset = {
        name: row.name,
        digest: row.digest,
        source_type: row.dataset_source_type,
        source: row.dataset_source,
      };
      if (row.dataset_schema !== null) dataset.schema = row.dataset_schema;
      if (row.dataset_profile !== null) dataset.profile = row.dataset_profile;
      runs.get(row.run_uuid)?.inputs?.dataset_inputs.push({ tags: tags.get(row.input_uuid) ?? [], dataset });
    }
  }

  private async loadRunOrThrow(db: SqlExecutor, runId: string): Promise<Run> {
    const [run] = await this.loadRuns(db, [runId]);
    if (run === undefined) throw notFound(`Run with id=${runId} not found`);
    return run;
  }

  /** Full runs (info + latest metrics, params, tags) in the order of `runIds`. */
  private async loadRuns(db: SqlExecutor, runIds: string[]): Promise<Run[]> {
    const runs = new Map<string, Run>();
    for (const part of chunks(runIds)) {
      const ids = sqlList(part);
      for (const row of await db.all<RunRow>(
        sql`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid IN ${ids}`,
      )) {
        runs.set(row.run_uuid, {
          info: runInfoFromRow(row),
          data: { metrics: [], params: [], tags: [] },
          inputs: { dataset_inputs: [] },
        });
      }
      for (const row of await db.all<MetricRow>(
        sql`SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN ${ids} ORDER BY key`,
      )) {
        runs.get(row.run_uuid)?.data.metrics.push(metricFromRow(row));
      }
      for (const row of await db.all<KeyValueRow>(
        sql`SELECT run_uuid, key, value FROM params WHERE run_uuid IN ${ids} ORDER BY key`,
      )) {
        runs.get(row.run_uuid)?.data.params.push({ key: row.key, value: row.value ?? '' });
      }
      for (const row of await db.all<KeyValueRow>(
        sql`SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ${ids} ORDER BY key`,
      )) {
        runs.get(row.run_uuid)?.data.tags.push({ key: row.key, value: row.value ?? '' });
      }
      await this.loadInputs(db, ids, runs);
    }
    return runIds.map((id) => runs.get(id)).filter((run): run is Run => run !== undefined);
  }
}
