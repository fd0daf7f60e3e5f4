import { existsSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MlrecipeError, StoreError } from '../errors.js';
import type { FileInfo } from './artifact-repo.js';
import { type ArtifactRepository, artifactRepositoryForUri } from './artifact-repository.js';
import { openTrackingStore } from './open-store.js';
import { resolveTrackingUri } from './tracking-uri.js';
import {
  DATASET_CONTEXT_TAG,
  type Dataset,
  type DatasetInput,
  DEFAULT_EXPERIMENT_ID,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  type Metric,
  type Param,
  type Run,
  type RunStatus,
  TAGS,
  type Tag,
  type TrackingStore,
} from './types.js';

/** A param or tag value; stored as its string form, as MLflow does with `str(value)`. */
export type LoggableValue = string | number | boolean;

export interface TrackingClientOptions {
  /** Overrides `$RECIPE_TRACKING_URI` / `$MLFLOW_TRACKING_URI` / the default SQLite file. */
  trackingUri?: string;
  /** Where the repository root (and thus the default store) is looked up; default `process.cwd()`. */
  cwd?: string;
  /**
   * Environment read for the tracking URI and `MLFLOW_RUN_ID` / `MLFLOW_EXPERIMENT_ID` /
   * `MLFLOW_EXPERIMENT_NAME`; default `process.env`. `MLFLOW_RUN_ID` is removed from it once
   * used, as MLflow does, so runs started later (and child processes) do not resume it again.
   */
  env?: Record<string, string | undefined>;
}

export interface StartRunOptions {
  /** Used (and created on first use) when no experimentId is given. */
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  tags?: Record<string, LoggableValue>;
  /**
   * Start a child of the innermost active run (tag `mlflow.parentRunId`). Without it, starting a
   * run while another is active is an error, as in MLflow.
   */
  nested?: boolean;
  /** Nest under this run explicitly, whatever is active. */
  parentRunId?: string;
  /** Resume this existing run instead of creating one. */
  runId?: string;
}

export interface LogMetricOptions {
  /** Default 0, as in MLflow. */
  step?: number;
  /** ms since epoch; default now. */
  timestamp?: number;
}

/**
 * Logs runs to a tracking store from training scripts: MLflow's fluent API in camelCase.
 *
 * ```ts
 * const client = await TrackingClient.open();
 * const run = await client.startRun({ experimentName: 'wine', runName: 'ridge' });
 * await run.logParams({ alpha: 0.1 });
 * await run.logMetric('rmse', 0.72, { step: 3 });
 * await run.end();
 * await client.close();
 * ```
 *
 * A client keeps a stack of its active runs; the module-level `startRun`/`logMetric`/… use one
 * process-wide client and therefore one process-wide stack.
 */
export class TrackingClient {
  readonly store: TrackingStore;
  private readonly env: Record<string, string | undefined>;
  private readonly activeRuns: ActiveRun[] = [];
  private readonly experimentIdsByName = new Map<string, string>();
  private activeExperimentId: string | undefined;

  constructor(store: TrackingStore, options: { env?: Record<string, string | undefined> } = {}) {
    this.store = store;
    this.env = options.env ?? process.env;
  }

  /** Opens the store the tracking URI names (see `resolveTrackingUri`). */
  static async open(options: TrackingClientOptions = {}): Promise<TrackingClient> {
    const env = options.env ?? process.env;
    const resolved = resolveTrackingUri({
      flag: options.trackingUri,
      cwd: options.cwd ?? process.cwd(),
      env,
    });
    const store = await openTrackingStore(resolved.uri, {
      defaultArtifactRoot: resolved.defaultArtifactRoot,
    });
    return new TrackingClient(store, { env });
  }

  /** The innermost run started through this client and not yet ended. */
  get activeRun(): ActiveRun | undefined {
    return this.activeRuns[this.activeRuns.length - 1];
  }

  /**
   * The id of the experiment called `name`, creating it if it does not exist. A concurrent
   * creator winning the race is fine: its experiment is used.
   */
  async getOrCreateExperiment(name: string): Promise<string> {
    const cached = this.experimentIdsByName.get(name);
    if (cached !== undefined) return cached;
    let experiment = await this.store.getExperimentByName(name);
    if (experiment === null) {
      try {
        await this.store.createExperiment(name);
      } catch (error) {
        if (!(error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_ALREADY_EXISTS'))
          throw error;
      }
      experiment = await this.store.getExperimentByName(name);
      if (experiment === null) {
        throw new StoreError('INTERNAL_ERROR', `experiment "${name}" vanished right after it was created`);
      }
    }
    if (experiment.lifecycle_stage === 'deleted') {
      throw new StoreError(
        'INVALID_STATE',
        `experiment "${name}" (id ${experiment.experiment_id}) is deleted; runs cannot be logged to it`,
        {
          hint: `restore it with \`recipe experiments restore ${experiment.experiment_id}\`, or use another name`,
        },
      );
    }
    this.experimentIdsByName.set(name, experiment.experiment_id);
    return experiment.experiment_id;
  }

  /**
   * Makes `name` the experiment of runs started without an experiment of their own, creating it
   * if needed (MLflow's `set_experiment`); returns its id.
   */
  async setExperiment(name: string): Promise<string> {
    this.activeExperimentId = await this.getOrCreateExperiment(name);
    return this.activeExperimentId;
  }

  /**
   * Starts a run, or resumes one: `options.runId`, else `$MLFLOW_RUN_ID` when no run is active
   * (a parent such as `recipe project run` created it). The experiment is `experimentId`, else
   * `experimentName`, else the one `setExperiment` chose, else `$MLFLOW_EXPERIMENT_ID`, else
   * `$MLFLOW_EXPERIMENT_NAME`, else Default.
   */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    const parent = options.parentRunId ?? (options.nested ? this.activeRun?.runId : undefined);
    const active = this.activeRun;
    if (active && !options.nested && options.parentRunId === undefined) {
      throw new MlrecipeError(`run ${active.runId} is already active`, {
        hint: 'end it first, or pass { nested: true } to start a child run',
      });
    }
    let resumeId = options.runId;
    if (resumeId === undefined && active === undefined && this.env.MLFLOW_RUN_ID) {
      resumeId = this.env.MLFLOW_RUN_ID;
      // MLflow deletes the variable once used, so nested runs and child processes start fresh.
      delete this.env.MLFLOW_RUN_ID;
    }
    // A child run with no experiment of its own goes where its parent is.
    const inherited =
      options.nested && active && options.experimentId === undefined && options.experimentName === undefined
        ? { ...options, experimentId: active.experimentId }
        : options;
    const run =
      resumeId !== undefined
        ? await this.resumeRun(resumeId, options)
        : await this.createRun(inherited, parent);
    const handle = new ActiveRun(this, run);
    this.activeRuns.push(handle);
    return handle;
  }

  /**
   * Runs `fn` inside a run that ends FINISHED when `fn` resolves and FAILED when it throws
   * (the error is rethrown), like MLflow's `with mlflow.start_run():`.
   */
  async withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => Promise<T>): Promise<T> {
    const run = await this.startRun(options);
    try {
      const result = await fn(run);
      await run.end('FINISHED');
      return result;
    } catch (error) {
      await run.end('FAILED');
      throw error;
    }
  }

  /** Ends every active run (innermost first) with `status`. */
  async endAllRuns(status: RunStatus = 'FINISHED'): Promise<void> {
    for (let run = this.activeRun; run !== undefined; run = this.activeRun) await run.end(status);
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** @internal called by ActiveRun.end */
  forget(run: ActiveRun): void {
    const index = this.activeRuns.lastIndexOf(run);
    if (index >= 0) this.activeRuns.splice(index, 1);
  }

  private async resolveExperimentId(options: StartRunOptions): Promise<string> {
    if (options.experimentId !== undefined) return options.experimentId;
    if (options.experimentName !== undefined) return this.getOrCreateExperiment(options.experimentName);
    if (this.activeExperimentId !== undefined) return this.activeExperimentId;
    if (this.env.MLFLOW_EXPERIMENT_ID) return this.env.MLFLOW_EXPERIMENT_ID;
    if (this.env.MLFLOW_EXPERIMENT_NAME) return this.getOrCreateExperiment(this.env.MLFLOW_EXPERIMENT_NAME);
    return DEFAULT_EXPERIMENT_ID;
  }

  private async createRun(options: StartRunOptions, parentRunId: string | undefined): Promise<Run> {
    const experimentId = await this.resolveExperimentId(options);
    const user = currentUser(this.env);
    const tags: Tag[] = [...sourceTags(user)];
    if (parentRunId !== undefined) tags.push({ key: TAGS.parentRunId, value: parentRunId });
    for (const [key, value] of Object.entries(options.tags ?? {})) tags.push({ key, value: String(value) });
    return this.store.createRun({
      experimentId,
      userId: user,
      runName: options.runName,
      tags: dedupeTags(tags),
    });
  }

  private async resumeRun(runId: string, options: StartRunOptions): Promise<Run> {
    const run = await this.store.getRun(runId);
    if (run.info.lifecycle_stage === 'deleted') {
      throw new StoreError('INVALID_STATE', `run ${runId} is deleted and cannot be resumed`, {
        hint: `restore it with \`recipe runs restore ${runId}\``,
      });
    }
    const wanted = options.experimentId;
    if (wanted !== undefined && wanted !== run.info.experiment_id) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `run ${runId} belongs to experiment ${run.info.experiment_id}, not to the requested experiment ${wanted}`,
      );
    }
    if (run.info.status !== 'RUNNING' || options.runName !== undefined) {
      await this.store.updateRun(runId, { status: 'RUNNING', runName: options.runName });
    }
    const tags = Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value: String(value) }));
    if (tags.length > 0) await logBatchChunked(this.store, runId, { tags });
    return this.store.getRun(runId);
  }
}

/** A run being logged to. Every method writes through to the store before resolving. */
export class ActiveRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly artifactUri: string;
  private readonly client: TrackingClient;
  private ended = false;

  constructor(client: TrackingClient, run: Run) {
    this.client = client;
    this.runId = run.info.run_id;
    this.experimentId = run.info.experiment_id;
    this.artifactUri = run.info.artifact_uri;
  }

  /** The run as stored now (info, latest metrics, params, tags). */
  getRun(): Promise<Run> {
    return this.client.store.getRun(this.runId);
  }

  logParam(key: string, value: LoggableValue): Promise<void> {
    return this.client.store.logParam(this.runId, { key, value: String(value) });
  }

  /** One logBatch (chunked at MLflow's 100-params limit). */
  logParams(params: Record<string, LoggableValue>): Promise<void> {
    const list: Param[] = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
    return logBatchChunked(this.client.store, this.runId, { params: list });
  }

  logMetric(key: string, value: number, options: LogMetricOptions = {}): Promise<void> {
    return this.client.store.logMetric(this.runId, {
      key,
      value,
      step: options.step ?? 0,
      timestamp: options.timestamp ?? Date.now(),
    });
  }

  /** One logBatch (chunked at MLflow's 1000-metrics limit); every metric shares step and time. */
  logMetrics(metrics: Record<string, number>, options: LogMetricOptions = {}): Promise<void> {
    const step = options.step ?? 0;
    const timestamp = options.timestamp ?? Date.now();
    const list: Metric[] = Object.entries(metrics).map(([key, value]) => ({ key, value, step, timestamp }));
    return logBatchChunked(this.client.store, this.runId, { metrics: list });
  }

  setTag(key: string, value: LoggableValue): Promise<void> {
    return this.client.store.setTag(this.runId, { key, value: String(value) });
  }

  setTags(tags: Record<string, LoggableValue>): Promise<void> {
    const list: Tag[] = Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
    return logBatchChunked(this.client.store, this.runId, { tags: list });
  }

  /** MLflow's `log_input`: records that this run used `dataset`, tagged `mlflow.data.context` when given. */
  logInput(dataset: Dataset, context?: string): Promise<void> {
    const tags = context === undefined ? [] : [{ key: DATASET_CONTEXT_TAG, value: context }];
    return this.logInputs([{ dataset, tags }]);
  }

  /** MLflow's `log_inputs`: several dataset inputs at once, in one transaction. */
  async logInputs(datasets: DatasetInput[]): Promise<void> {
    const store = this.client.store;
    if (store.logInputs === undefined) {
      throw new StoreError('INVALID_STATE', `The tracking store ${store.uri} does not record datasets.`, {
        hint: 'log to a SQLite or PostgreSQL tracking store to record dataset inputs',
      });
    }
    await store.logInputs(this.runId, datasets);
  }

  logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    return this.artifacts().logArtifact(localFile, artifactPath);
  }

  logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    return this.artifacts().logArtifacts(localDir, artifactPath);
  }

  listArtifacts(path?: string): Promise<FileInfo[]> {
    return this.artifacts().listArtifacts(path);
  }

  /** The run's artifact URI decides: a local directory or a tracking server's artifact proxy. */
  private artifacts(): ArtifactRepository {
    return artifactRepositoryForUri(this.artifactUri, { trackingUri: this.client.store.uri });
  }

  /** Sets the status and end time and leaves the active-run stack. Ending twice is a no-op. */
  async end(status: RunStatus = 'FINISHED'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.client.forget(this);
    await this.client.store.updateRun(this.runId, { status, endTime: Date.now() });
  }
}

/**
 * Splits a batch into pieces within MLflow's log-batch limits (1000 metrics, 100 params, 100
 * tags, 1000 entities per request) and logs them in order. Each piece is one transaction.
 */
export async function logBatchChunked(
  store: TrackingStore,
  runId: string,
  batch: { metrics?: Metric[]; params?: Param[]; tags?: Tag[] },
): Promise<void> {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  let m = 0;
  let p = 0;
  let t = 0;
  while (m < metrics.length || p < params.length || t < tags.length) {
    const takeP = Math.min(MAX_PARAMS_PER_BATCH, params.length - p);
    const takeT = Math.min(MAX_TAGS_PER_BATCH, tags.length - t);
    const takeM = Math.min(MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH - takeP - takeT, metrics.length - m);
    await store.logBatch(runId, {
      metrics: metrics.slice(m, m + takeM),
      params: params.slice(p, p + takeP),
      tags: tags.slice(t, t + takeT),
    });
    m += takeM;
    p += takeP;
    t += takeT;
  }
}

/** MLflow's getpass.getuser(): LOGNAME, USER, LNAME, USERNAME, then the password database. */
function currentUser(env: Record<string, string | undefined>): string {
  for (const name of ['LOGNAME', 'USER', 'LNAME', 'USERNAME']) {
    const value = env[name];
    if (value) return value;
  }
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The tags MLflow's default run context providers add: user, source name and type, git commit. */
function sourceTags(user: string): Tag[] {
  const script = process.argv[1];
  const sourceName = script ? (isAbsolute(script) ? script : resolve(script)) : process.argv0;
  const tags: Tag[] = [
    { key: TAGS.user, value: user },
    { key: TAGS.sourceName, value: sourceName },
    { key: TAGS.sourceType, value: 'LOCAL' },
  ];
  const commit = script ? gitCommitOf(dirname(sourceName)) : undefined;
  if (commit) tags.push({ key: TAGS.gitCommit, value: commit });
  return tags;
}

/** Later tags win, so a caller's explicit tag overrides a default one. */
function dedupeTags(tags: Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const tag of tags) byKey.set(tag.key, tag);
  return [...byKey.values()];
}

/**
 * The commit checked out in the repository holding `dir`, read from `.git` directly: running
 * git for every run would cost a process spawn, and a missing commit tag is harmless.
 */
function gitCommitOf(dir: string): string | undefined {
  try {
    let current = dir;
    for (;;) {
      const dotGit = join(current, '.git');
      if (existsSync(dotGit)) return readHead(gitDirOf(dotGit, current));
      const parent = dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  } catch {
    return undefined;
  }
}

function gitDirOf(dotGit: string, worktree: string): string {
  if (statSync(dotGit).isDirectory()) return dotGit;
  // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
  const target = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  if (!target) throw new Error('unreadable .git file');
  return resolve(worktree, target);
}

function readHead(gitDir: string): string | undefined {
  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
  if (ref === undefined) return /^[0-9a-f]{40,64}$/.test(head) ? head : undefined;
  // Linked worktrees keep refs in the common directory.
  const commonFile = join(gitDir, 'commondir');
  const common = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
  for (const base of [gitDir, common]) {
    const loose = join(base, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
  }
  const packed = join(common, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, 'utf8').split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && sha) return sha;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Module-level API over one process-wide client, like `mlflow.start_run()` / `mlflow.log_metric()`.

let defaultClient: Promise<TrackingClient> | undefined;
let defaultTrackingUri: string | undefined;
let exitHookInstalled = false;

/** Makes later module-level calls use `uri` (closing the client opened for an earlier one). */
export async function setTrackingUri(uri: string | undefined): Promise<void> {
  const previous = defaultClient;
  defaultClient = undefined;
  defaultTrackingUri = uri;
  if (previous) await (await previous).close();
}

/** The process-wide client, opened on first use from the tracking URI in effect. */
export function getTrackingClient(): Promise<TrackingClient> {
  if (defaultClient === undefined) {
    const opening = TrackingClient.open({ trackingUri: defaultTrackingUri });
    defaultClient = opening;
    // A failed open must not poison later attempts (e.g. after fixing the URI).
    opening.catch(() => {
      if (defaultClient === opening) defaultClient = undefined;
    });
    installExitHook();
  }
  return defaultClient;
}

/**
 * Ends runs still active when the event loop drains (FINISHED, as MLflow's atexit hook does) and
 * closes the store. `process.exit()` skips this; call `endRun()` first in that case.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('beforeExit', () => {
    const pending = defaultClient;
    defaultClient = undefined;
    if (!pending) return;
    void pending
      .then(async (client) => {
        await client.endAllRuns('FINISHED');
        await client.close();
      })
      .catch((error: unknown) => {
        process.stderr.write(`error: could not end the active MLflow run: ${String(error)}\n`);
        process.exitCode = 1;
      });
  });
}

/** MLflow's `set_experiment`: later runs without an experiment of their own go to `name`. */
export async function setExperiment(name: string): Promise<string> {
  return (await getTrackingClient()).setExperiment(name);
}

export async function startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  return (await getTrackingClient()).startRun(options);
}

/** The innermost active run of the process-wide client, if any. */
export async function activeRun(): Promise<ActiveRun | undefined> {
  return defaultClient === undefined ? undefined : (await defaultClient).activeRun;
}

/** Ends the innermost active run; nothing happens when none is active. */
export async function endRun(status: RunStatus = 'FINISHED'): Promise<void> {
  const run = await activeRun();
  if (run) await run.end(status);
}

/** Like MLflow's fluent API, logging without an active run starts one. */
async function currentOrNewRun(): Promise<ActiveRun> {
  const client = await getTrackingClient();
  return client.activeRun ?? client.startRun();
}

export async function logParam(key: string, value: LoggableValue): Promise<void> {
  await (await currentOrNewRun()).logParam(key, value);
}

export async function logParams(params: Record<string, LoggableValue>): Promise<void> {
  await (await currentOrNewRun()).logParams(params);
}

export async function logMetric(key: string, value: number, options: LogMetricOptions = {}): Promise<void> {
  await (await currentOrNewRun()).logMetric(key, value, options);
}

export async function logMetrics(
  metrics: Record<string, number>,
  options: LogMetricOptions = {},
): Promise<void> {
  await (await currentOrNewRun()).logMetrics(metrics, options);
}

/** `mlflow.log_input`: the active run (one is started if none is) used `dataset`. */
export async function logInput(dataset: Dataset, context?: string): Promise<void> {
  await (await currentOrNewRun()).logInput(dataset, context);
}

export async function setTag(key: string, value: LoggableValue): Promise<void> {
  await (await currentOrNewRun()).setTag(key, value);
}

export async function setTags(tags: Record<string, LoggableValue>): Promise<void> {
  await (await currentOrNewRun()).setTags(tags);
}

export async function logArtifact(localFile: string, artifactPath?: string): Promise<void> {
  await (await currentOrNewRun()).logArtifact(localFile, artifactPath);
}

export async function logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
  await (await currentOrNewRun()).logArtifacts(localDir, artifactPath);
}
