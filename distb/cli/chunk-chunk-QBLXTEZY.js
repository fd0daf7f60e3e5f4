import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  openTrackingStore
} from "./chunk-chunk-7Y5GNMMB.js";
import {
  LocalArtifactRepository
} from "./chunk-chunk-BGKV5I2Y.js";
import {
  resolveTrackingUri
} from "./chunk-chunk-IPY3WFCW.js";
import {
  DATASET_CONTEXT_TAG,
  DEFAULT_EXPERIMENT_ID,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  TAGS
} from "./chunk-chunk-5AC5CY3N.js";
import {
  MlrecipeError,
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/client.ts
import { existsSync, readFileSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
var TrackingClient = class _TrackingClient {
  store;
  env;
  activeRuns = [];
  experimentIdsByName = /* @__PURE__ */ new Map();
  activeExperimentId;
  constructor(store, options = {}) {
    this.store = store;
    this.env = options.env ?? process.env;
  }
  /** Opens the store the tracking URI names (see `resolveTrackingUri`). */
  static async open(options = {}) {
    const env = options.env ?? process.env;
    const resolved = resolveTrackingUri({
      flag: options.trackingUri,
      cwd: options.cwd ?? process.cwd(),
      env
    });
    const store = await openTrackingStore(resolved.uri, {
      defaultArtifactRoot: resolved.defaultArtifactRoot
    });
    return new _TrackingClient(store, { env });
  }
  /** The innermost run started through this client and not yet ended. */
  get activeRun() {
    return this.activeRuns[this.activeRuns.length - 1];
  }
  /**
   * The id of the experiment called `name`, creating it if it does not exist. A concurrent
   * creator winning the race is fine: its experiment is used.
   */
  async getOrCreateExperiment(name) {
    const cached = this.experimentIdsByName.get(name);
    if (cached !== void 0) return cached;
    let experiment = await this.store.getExperimentByName(name);
    if (experiment === null) {
      try {
        await this.store.createExperiment(name);
      } catch (error) {
        if (!(error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_ALREADY_EXISTS"))
          throw error;
      }
      experiment = await this.store.getExperimentByName(name);
      if (experiment === null) {
        throw new StoreError("INTERNAL_ERROR", `experiment "${name}" vanished right after it was created`);
      }
    }
    if (experiment.lifecycle_stage === "deleted") {
      throw new StoreError(
        "INVALID_STATE",
        `experiment "${name}" (id ${experiment.experiment_id}) is deleted; runs cannot be logged to it`,
        {
          hint: `restore it with \`recipe experiments restore ${experiment.experiment_id}\`, or use another name`
        }
      );
    }
    this.experimentIdsByName.set(name, experiment.experiment_id);
    return experiment.experiment_id;
  }
  /**
   * Makes `name` the experiment of runs started without an experiment of their own, creating it
   * if needed (MLflow's `set_experiment`); returns its id.
   */
  async setExperiment(name) {
    this.activeExperimentId = await this.getOrCreateExperiment(name);
    return this.activeExperimentId;
  }
  /**
   * Starts a run, or resumes one: `options.runId`, else `$MLFLOW_RUN_ID` when no run is active
   * (a parent such as `recipe project run` created it). The experiment is `experimentId`, else
   * `experimentName`, else the one `setExperiment` chose, else `$MLFLOW_EXPERIMENT_ID`, else
   * `$MLFLOW_EXPERIMENT_NAME`, else Default.
   */
  async startRun(options = {}) {
    const parent = options.parentRunId ?? (options.nested ? this.activeRun?.runId : void 0);
    const active = this.activeRun;
    if (active && !options.nested && options.parentRunId === void 0) {
      throw new MlrecipeError(`run ${active.runId} is already active`, {
        hint: "end it first, or pass { nested: true } to start a child run"
      });
    }
    let resumeId = options.runId;
    if (resumeId === void 0 && active === void 0 && this.env.MLFLOW_RUN_ID) {
      resumeId = this.env.MLFLOW_RUN_ID;
      delete this.env.MLFLOW_RUN_ID;
    }
    const inherited = options.nested && active && options.experimentId === void 0 && options.experimentName === void 0 ? { ...options, experimentId: active.experimentId } : options;
    const run = resumeId !== void 0 ? await this.resumeRun(resumeId, options) : await this.createRun(inherited, parent);
    const handle = new ActiveRun(this, run);
    this.activeRuns.push(handle);
    return handle;
  }
  /**
   * Runs `fn` inside a run that ends FINISHED when `fn` resolves and FAILED when it throws
   * (the error is rethrown), like MLflow's `with mlflow.start_run():`.
   */
  async withRun(options, fn) {
    const run = await this.startRun(options);
    try {
      const result = await fn(run);
      await run.end("FINISHED");
      return result;
    } catch (error) {
      await run.end("FAILED");
      throw error;
    }
  }
  /** Ends every active run (innermost first) with `status`. */
  async endAllRuns(status = "FINISHED") {
    for (let run = this.activeRun; run !== void 0; run = this.activeRun) await run.end(status);
  }
  async close() {
    await this.store.close();
  }
  /** @internal called by ActiveRun.end */
  forget(run) {
    const index = this.activeRuns.lastIndexOf(run);
    if (index >= 0) this.activeRuns.splice(index, 1);
  }
  async resolveExperimentId(options) {
    if (options.experimentId !== void 0) return options.experimentId;
    if (options.experimentName !== void 0) return this.getOrCreateExperiment(options.experimentName);
    if (this.activeExperimentId !== void 0) return this.activeExperimentId;
    if (this.env.MLFLOW_EXPERIMENT_ID) return this.env.MLFLOW_EXPERIMENT_ID;
    if (this.env.MLFLOW_EXPERIMENT_NAME) return this.getOrCreateExperiment(this.env.MLFLOW_EXPERIMENT_NAME);
    return DEFAULT_EXPERIMENT_ID;
  }
  async createRun(options, parentRunId) {
    const experimentId = await this.resolveExperimentId(options);
    const user = currentUser(this.env);
    const tags = [...sourceTags(user)];
    if (parentRunId !== void 0) tags.push({ key: TAGS.parentRunId, value: parentRunId });
    for (const [key, value] of Object.entries(options.tags ?? {})) tags.push({ key, value: String(value) });
    return this.store.createRun({
      experimentId,
      userId: user,
      runName: options.runName,
      tags: dedupeTags(tags)
    });
  }
  async resumeRun(runId, options) {
    const run = await this.store.getRun(runId);
    if (run.info.lifecycle_stage === "deleted") {
      throw new StoreError("INVALID_STATE", `run ${runId} is deleted and cannot be resumed`, {
        hint: `restore it with \`recipe runs restore ${runId}\``
      });
    }
    const wanted = options.experimentId;
    if (wanted !== void 0 && wanted !== run.info.experiment_id) {
      throw new StoreError(
        "INVALID_PARAMETER_VALUE",
        `run ${runId} belongs to experiment ${run.info.experiment_id}, not to the requested experiment ${wanted}`
      );
    }
    if (run.info.status !== "RUNNING" || options.runName !== void 0) {
      await this.store.updateRun(runId, { status: "RUNNING", runName: options.runName });
    }
    const tags = Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value: String(value) }));
    if (tags.length > 0) await logBatchChunked(this.store, runId, { tags });
    return this.store.getRun(runId);
  }
};
var ActiveRun = class {
  runId;
  experimentId;
  artifactUri;
  client;
  ended = false;
  constructor(client, run) {
    this.client = client;
    this.runId = run.info.run_id;
    this.experimentId = run.info.experiment_id;
    this.artifactUri = run.info.artifact_uri;
  }
  /** The run as stored now (info, latest metrics, params, tags). */
  getRun() {
    return this.client.store.getRun(this.runId);
  }
  logParam(key, value) {
    return this.client.store.logParam(this.runId, { key, value: String(value) });
  }
  /** One logBatch (chunked at MLflow's 100-params limit). */
  logParams(params) {
    const list = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
    return logBatchChunked(this.client.store, this.runId, { params: list });
  }
  logMetric(key, value, options = {}) {
    return this.client.store.logMetric(this.runId, {
      key,
      value,
      step: options.step ?? 0,
      timestamp: options.timestamp ?? Date.now()
    });
  }
  /** One logBatch (chunked at MLflow's 1000-metrics limit); every metric shares step and time. */
  logMetrics(metrics, options = {}) {
    const step = options.step ?? 0;
    const timestamp = options.timestamp ?? Date.now();
    const list = Object.entries(metrics).map(([key, value]) => ({ key, value, step, timestamp }));
    return logBatchChunked(this.client.store, this.runId, { metrics: list });
  }
  setTag(key, value) {
    return this.client.store.setTag(this.runId, { key, value: String(value) });
  }
  setTags(tags) {
    const list = Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
    return logBatchChunked(this.client.store, this.runId, { tags: list });
  }
  /** MLflow's `log_input`: records that this run used `dataset`, tagged `mlflow.data.context` when given. */
  logInput(dataset, context) {
    const tags = context === void 0 ? [] : [{ key: DATASET_CONTEXT_TAG, value: context }];
    return this.logInputs([{ dataset, tags }]);
  }
  /** MLflow's `log_inputs`: several dataset inputs at once, in one transaction. */
  async logInputs(datasets) {
    const store = this.client.store;
    if (store.logInputs === void 0) {
      throw new StoreError("INVALID_STATE", `The tracking store ${store.uri} does not record datasets.`, {
        hint: "log to a SQLite or PostgreSQL tracking store to record dataset inputs"
      });
    }
    await store.logInputs(this.runId, datasets);
  }
  logArtifact(localFile, artifactPath) {
    return new LocalArtifactRepository(this.artifactUri).logArtifact(localFile, artifactPath);
  }
  logArtifacts(localDir, artifactPath) {
    return new LocalArtifactRepository(this.artifactUri).logArtifacts(localDir, artifactPath);
  }
  listArtifacts(path) {
    return new LocalArtifactRepository(this.artifactUri).listArtifacts(path);
  }
  /** Sets the status and end time and leaves the active-run stack. Ending twice is a no-op. */
  async end(status = "FINISHED") {
    if (this.ended) return;
    this.ended = true;
    this.client.forget(this);
    await this.client.store.updateRun(this.runId, { status, endTime: Date.now() });
  }
};
async function logBatchChunked(store, runId, batch) {
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
      tags: tags.slice(t, t + takeT)
    });
    m += takeM;
    p += takeP;
    t += takeT;
  }
}
function currentUser(env) {
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const value = env[name];
    if (value) return value;
  }
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
function sourceTags(user) {
  const script = process.argv[1];
  const sourceName = script ? isAbsolute(script) ? script : resolve(script) : process.argv0;
  const tags = [
    { key: TAGS.user, value: user },
    { key: TAGS.sourceName, value: sourceName },
    { key: TAGS.sourceType, value: "LOCAL" }
  ];
  const commit = script ? gitCommitOf(dirname(sourceName)) : void 0;
  if (commit) tags.push({ key: TAGS.gitCommit, value: commit });
  return tags;
}
function dedupeTags(tags) {
  const byKey = /* @__PURE__ */ new Map();
  for (const tag of tags) byKey.set(tag.key, tag);
  return [...byKey.values()];
}
function gitCommitOf(dir) {
  try {
    let current = dir;
    for (; ; ) {
      const dotGit = join(current, ".git");
      if (existsSync(dotGit)) return readHead(gitDirOf(dotGit, current));
      const parent = dirname(current);
      if (parent === current) return void 0;
      current = parent;
    }
  } catch {
    return void 0;
  }
}
function gitDirOf(dotGit, worktree) {
  if (statSync(dotGit).isDirectory()) return dotGit;
  const target = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
  if (!target) throw new Error("unreadable .git file");
  return resolve(worktree, target);
}
function readHead(gitDir) {
  const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
  if (ref === void 0) return /^[0-9a-f]{40,64}$/.test(head) ? head : void 0;
  const commonFile = join(gitDir, "commondir");
  const common = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, "utf8").trim()) : gitDir;
  for (const base of [gitDir, common]) {
    const loose = join(base, ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
  }
  const packed = join(common, "packed-refs");
  if (!existsSync(packed)) return void 0;
  for (const line of readFileSync(packed, "utf8").split("\n")) {
    const [sha, name] = line.split(" ");
    if (name === ref && sha) return sha;
  }
  return void 0;
}
var defaultClient;
var defaultTrackingUri;
var exitHookInstalled = false;
async function setTrackingUri(uri) {
  const previous = defaultClient;
  defaultClient = void 0;
  defaultTrackingUri = uri;
  if (previous) await (await previous).close();
}
function getTrackingClient() {
  if (defaultClient === void 0) {
    const opening = TrackingClient.open({ trackingUri: defaultTrackingUri });
    defaultClient = opening;
    opening.catch(() => {
      if (defaultClient === opening) defaultClient = void 0;
    });
    installExitHook();
  }
  return defaultClient;
}
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("beforeExit", () => {
    const pending = defaultClient;
    defaultClient = void 0;
    if (!pending) return;
    void pending.then(async (client) => {
      await client.endAllRuns("FINISHED");
      await client.close();
    }).catch((error) => {
      process.stderr.write(`error: could not end the active MLflow run: ${String(error)}
`);
      process.exitCode = 1;
    });
  });
}
async function setExperiment(name) {
  return (await getTrackingClient()).setExperiment(name);
}
async function startRun(options = {}) {
  return (await getTrackingClient()).startRun(options);
}
async function activeRun() {
  return defaultClient === void 0 ? void 0 : (await defaultClient).activeRun;
}
async function endRun(status = "FINISHED") {
  const run = await activeRun();
  if (run) await run.end(status);
}
async function currentOrNewRun() {
  const client = await getTrackingClient();
  return client.activeRun ?? client.startRun();
}
async function logParam(key, value) {
  await (await currentOrNewRun()).logParam(key, value);
}
async function logParams(params) {
  await (await currentOrNewRun()).logParams(params);
}
async function logMetric(key, value, options = {}) {
  await (await currentOrNewRun()).logMetric(key, value, options);
}
async function logMetrics(metrics, options = {}) {
  await (await currentOrNewRun()).logMetrics(metrics, options);
}
async function logInput(dataset, context) {
  await (await currentOrNewRun()).logInput(dataset, context);
}
async function setTag(key, value) {
  await (await currentOrNewRun()).setTag(key, value);
}
async function setTags(tags) {
  await (await currentOrNewRun()).setTags(tags);
}
async function logArtifact(localFile, artifactPath) {
  await (await currentOrNewRun()).logArtifact(localFile, artifactPath);
}
async function logArtifacts(localDir, artifactPath) {
  await (await currentOrNewRun()).logArtifacts(localDir, artifactPath);
}

export {
  TrackingClient,
  ActiveRun,
  logBatchChunked,
  setTrackingUri,
  getTrackingClient,
  setExperiment,
  startRun,
  activeRun,
  endRun,
  logParam,
  logParams,
  logMetric,
  logMetrics,
  logInput,
  setTag,
  setTags,
  logArtifact,
  logArtifacts
};
