/**
 * MLflow's tracking model (mlflow/entities, REST API 2.0). Field names are MLflow's own JSON
 * names on purpose: these objects go unchanged into `--output json`, the REST server's
 * responses and the REST client's requests, so no layer renames anything.
 *
 * Ids are strings, as in MLflow's REST API: experiment ids are decimal integers as strings
 * (`"0"` is the Default experiment), run ids are 32 lowercase hex characters. Times are
 * milliseconds since the Unix epoch.
 */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export type LifecycleStage = 'active' | 'deleted';

/** Which runs or experiments a search sees (MLflow's ViewType). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface Tag {
  key: string;
  value: string;
}

export type Param = Tag;

export interface Metric {
  key: string;
  /** NaN and ±Infinity are legal values; the SQL stores keep ±Infinity as MLflow does (±1.7976931348623157e308) and read that back. */
  value: number;
  /** ms since epoch */
  timestamp: number;
  step: number;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
  tags: Tag[];
}

export interface RunInfo {
  run_id: string;
  /** Deprecated alias of run_id that MLflow still sends; always equal to run_id. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  /** Absent while the run has not ended. */
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  /** Latest value per key (MLflow's `latest_metrics`: greatest step, then timestamp, then value). */
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

/**
 * A dataset as MLflow's `mlflow.data` records it (mlflow/entities/dataset.py): `digest` a short
 * content hash, `source_type` e.g. `local` / `http` / `s3`, `source` a JSON document naming where
 * the data came from (`{"uri": "/data/cars.csv"}`), `schema` and `profile` JSON documents
 * (`{"mlflow_colspec": [...]}`, `{"num_rows": …, "num_elements": …}`).
 */
export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A tag on one use of a dataset by a run; `mlflow.data.context` says how (training, validation…). */
export type InputTag = Tag;

export interface DatasetInput {
  tags: InputTag[];
  dataset: Dataset;
}

export interface RunInputs {
  dataset_inputs: DatasetInput[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  /** The datasets the run used (MLflow ≥ 2.4); stores that keep no datasets leave it out. */
  inputs?: RunInputs;
}

export interface CreateRunOptions {
  experimentId: string;
  userId?: string;
  /** Defaults to now. */
  startTime?: number;
  tags?: Tag[];
  /** Defaults to a generated `adjective-noun-NNN` name, recorded also as tag `mlflow.runName`. */
  runName?: string;
  /**
   * Params logged with the run: in the same transaction by the SQL stores, by a log-batch right
   * after create-run by the REST store (MLflow's create-run takes no params).
   */
  params?: Param[];
}

/** A run recorded whole: created, logged and ended at once (see TrackingStore.createFinishedRuns). */
export interface FinishedRunOptions extends CreateRunOptions {
  status: RunStatus;
  endTime: number;
  metrics?: Metric[];
}

/** How a run ends with its last batch (TrackingStore.finishRun). */
export interface FinishRunOptions extends LogBatch {
  status: RunStatus;
  /** Defaults to now. */
  endTime?: number;
}

export interface UpdateRunOptions {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface LogBatch {
  metrics?: Metric[];
  params?: Param[];
  tags?: Tag[];
}

/**
 * A whole run as an export holds it (`recipe runs import`): its own id, times, status and
 * lifecycle, every point of every metric's history (not only the latest), params, tags and
 * dataset inputs. `info.artifact_uri` is where the store is to record the run's artifacts.
 */
export interface ImportedRun {
  info: Omit<RunInfo, 'run_uuid'>;
  /** When a deleted run was deleted (ms); defaults to its end time, else now. */
  deletedTime?: number;
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
  inputs: DatasetInput[];
}

export interface SearchRunsOptions {
  experimentIds: string[];
  /** MLflow filter grammar, e.g. `metrics.rmse < 0.5 and params.alpha = '0.1'`. */
  filter?: string;
  runViewType?: ViewType;
  /** Defaults to 1000 (MLflow's SEARCH_MAX_RESULTS_DEFAULT); at most 50000. */
  maxResults?: number;
  /** e.g. `['metrics.rmse ASC', 'attributes.start_time DESC']`. */
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchRunsResult {
  runs: Run[];
  /** Present when more results exist. Opaque to callers. */
  next_page_token?: string;
}

export interface SearchExperimentsOptions {
  viewType?: ViewType;
  /** Supports `name = '…'`, `name LIKE '…'`, `tags.k = '…'`. */
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchExperimentsResult {
  experiments: Experiment[];
  next_page_token?: string;
}

/** MLflow's log-batch limits (mlflow/utils/validation.py). */
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_PER_BATCH = 100;
export const MAX_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
/** MLflow 2.x allows param values up to 6000 characters. */
export const MAX_PARAM_VALUE_LENGTH = 6000;
/** MLflow 2.12: run tag values up to 5000 characters (the column is VARCHAR(5000)). */
export const MAX_TAG_VALUE_LENGTH = 5000;
export const MAX_ENTITY_KEY_LENGTH = 250;
/** MLflow 2.12's dataset limits (mlflow/utils/validation.py), the sizes of its columns. */
export const MAX_DATASET_NAME_LENGTH = 500;
export const MAX_DATASET_DIGEST_LENGTH = 36;
export const MAX_DATASET_SOURCE_LENGTH = 65535;
export const MAX_DATASET_SCHEMA_LENGTH = 65535;
export const MAX_DATASET_PROFILE_LENGTH = 16777215;
export const MAX_INPUT_TAG_KEY_LENGTH = 255;
export const MAX_INPUT_TAG_VALUE_LENGTH = 500;
/** The input tag MLflow's `log_input(dataset, context=…)` sets. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Tag keys MLflow reserves and mlrecipe writes. */
export const TAGS = {
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  user: 'mlflow.user',
  sourceType: 'mlflow.source.type',
  sourceName: 'mlflow.source.name',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  projectEntryPoint: 'mlflow.project.entryPoint',
  projectBackend: 'mlflow.project.backend',
  note: 'mlflow.note.content',
} as const;

/**
 * One interface, several backends (SQLite, PostgreSQL, REST), one behavioural test suite run
 * against each. Every method is async so the same code drives local and remote stores.
 * Failures are `StoreError`s carrying MLflow's `error_code`.
 */
export interface TrackingStore {
  /** A short description for logs, e.g. `sqlite:/repo/mlruns/tracking.db`. */
  readonly uri: string;

  createExperiment(name: string, artifactLocation?: string, tags?: Tag[]): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  /** null when no experiment has that name (active or deleted). */
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(options?: SearchExperimentsOptions): Promise<SearchExperimentsResult>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>;

  createRun(options: CreateRunOptions): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, options: UpdateRunOptions): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;

  logMetric(runId: string, metric: Metric): Promise<void>;
  logParam(runId: string, param: Param): Promise<void>;
  setTag(runId: string, tag: Tag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  /** All of it in one transaction, or none of it. */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /**
   * Logs a last batch and ends the run: one transaction in the SQL stores (all of it or none),
   * a log-batch then an update-run on the REST store. What a short run (a sweep's trial) needs
   * at its end, without the two transactions and the run read back that logBatch + updateRun cost.
   */
  finishRun(runId: string, options: FinishRunOptions): Promise<void>;
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  /**
   * Records datasets the run used (MLflow's `log_inputs`): a dataset logged again by name and
   * digest is the same dataset, logged again for the same run adds nothing. Optional so that
   * stores without datasets stay valid; the SQL stores implement it.
   */
  logInputs?(runId: string, datasets: DatasetInput[]): Promise<void>;

  searchRuns(options: SearchRunsOptions): Promise<SearchRunsResult>;

  /**
   * Writes a whole run, id included, in one transaction: all of it or none of it. Refuses an id
   * that is taken (RESOURCE_ALREADY_EXISTS). The experiment may be deleted (an export keeps
   * deleted experiments' runs). Optional: MLflow's REST API has no call that keeps a run's id,
   * so only the SQL stores implement it.
   */
  importRun?(run: ImportedRun): Promise<void>;
  /**
   * Creates runs that are already over — each with its tags, params, metrics, status and end
   * time — in one transaction: all of them or none. For recording many small runs at once (a
   * sweep's cached trials: createRun + logBatch + updateRun each would be three transactions per
   * run). Returns their infos in order. Optional: the REST API has no such call.
   */
  createFinishedRuns?(runs: FinishedRunOptions[]): Promise<RunInfo[]>;

  close(): Promise<void>;
}
