/**
 * Records a `recipe run` as one tracking run in the recipe's experiment (MLflow Recipes does the
 * same): the resolved config flattened as params, each step's metrics and duration, step cards and
 * the model as artifacts, git lineage tags, and for cached steps the run that produced them.
 *
 * A run killed with SIGKILL cannot end itself; it carries its pid and host as tags, and the next
 * `recipe run` of the same recipe (holding the lock, so no other run can be alive) marks such
 * RUNNING runs whose process is gone as KILLED.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { MlrecipeError } from '../errors.js';
import type { Dataset, DatasetInput, Metric, Param, Tag, TrackingStore } from '../tracking/types.js';
import {
  MAX_ENTITY_KEY_LENGTH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_BATCH,
  TAGS,
  DATASET_CONTEXT_TAG,
} from '../tracking/types.js';
import type { RecipeRunRecorder, RecorderFactory, StepOutcome } from './execute.js';
import { type GitLineage, gitLineage, gitLineageTags } from './git-lineage.js';
import type { LoadedRecipe } from './load.js';
import { isProcessAlive } from './lock.js';

export const RUN_TAGS = {
  pid: 'mlrecipe.pid',
  host: 'mlrecipe.host',
  recipeDir: 'mlrecipe.recipe_dir',
  profile: 'mlrecipe.profile',
  targets: 'mlrecipe.targets',
  endedBy: 'mlrecipe.ended_by',
} as const;

export interface TrackingTarget {
  uri: string;
  defaultArtifactRoot?: string;
}

/**
 * Where a recipe records: `--tracking-uri`, else `experiment.tracking_uri` from the recipe
 * (relative SQLite paths resolved against the recipe directory, as MLflow's templates mean them),
 * else `$RECIPE_TRACKING_URI` / `$MLFLOW_TRACKING_URI` / the repository's `mlruns/tracking.db`.
 */
export async function recipeTrackingTarget(recipe: LoadedRecipe, flag?: string): Promise<TrackingTarget> {
  const { findRepoRoot, resolveTrackingUri } = await import('../tracking/tracking-uri.js');
  const configured = recipe.config.experiment?.tracking_uri;
  const resolved = flag
    ? resolveTrackingUri({ flag, cwd: process.cwd() })
    : configured
      ? resolveTrackingUri({ flag: configured, cwd: recipe.recipeDir })
      : resolveTrackingUri({ cwd: recipe.recipeDir });
  // A database server has no directory of its own: keep the recipe's artifacts in its repository.
  const defaultArtifactRoot =
    resolved.backend === 'postgresql'
      ? join(findRepoRoot(recipe.recipeDir), 'mlruns', 'artifacts')
      : resolved.defaultArtifactRoot;
  return { uri: resolved.uri, defaultArtifactRoot };
}

/** Nested config → `{ 'steps.split.split_ratios': '[0.75,0.125,0.125]', ... }` (MLflow param values are strings). */
export function flattenConfig(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      Object.assign(out, flattenConfig(v, prefix ? `${prefix}.${k}` : k));
    return out;
  }
  if (prefix === '' || value === undefined) return out;
  out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface TrackingRecorderOptions {
  /** `--tracking-uri`, when given. */
  trackingUri?: string;
  /** Opens the store; defaults to `openTrackingStore` (tests may pass their own). */
  openStore?: (target: TrackingTarget) => Promise<TrackingStore>;
  /**
   * The recipe directory's git lineage, when the caller started reading it already (`recipe run`
   * starts the git process before it loads the engine, so the two overlap); else read here.
   */
  lineage?: Promise<GitLineage | undefined>;
}

export function trackingRecorder(options: TrackingRecorderOptions = {}): RecorderFactory {
  return async ({ recipe, targets }) => {
    // The git process runs while the store opens.
    const lineage = options.lineage ?? gitLineage(recipe.recipeDir);
    const target = await recipeTrackingTarget(recipe, options.trackingUri);
    const store = options.openStore
      ? await options.openStore(target)
      : await (
          await import('../tracking/open-store.js')
        ).openTrackingStore(target.uri, {
          defaultArtifactRoot: target.defaultArtifactRoot,
        });
    try {
      return await startRecipeRun({ store, recipe, targets, trackingUri: target.uri, lineage });
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  };
}

async function experimentIdFor(store: TrackingStore, recipe: LoadedRecipe): Promise<string> {
  const name = recipe.config.experiment?.name ?? basename(recipe.recipeDir);
  const existing = await store.getExperimentByName(name);
  if (existing) {
    if (existing.lifecycle_stage === 'deleted') {
      throw new MlrecipeError(`experiment "${name}" is deleted`, {
        hint: `restore it with \`recipe experiments restore ${existing.experiment_id}\` or set experiment.name to another name`,
      });
    }
    return existing.experiment_id;
  }
  const location = recipe.config.experiment?.artifact_location;
  // Relative artifact locations in a recipe mean relative to the recipe directory.
  const artifactLocation =
    location && !/^[a-z][a-z0-9+.-]*:/i.test(location) ? resolve(recipe.recipeDir, location) : location;
  try {
    return await store.createExperiment(name, artifactLocation);
  } catch (error) {
    // Another process created it in between.
    const again = await store.getExperimentByName(name);
    if (again) return again.experiment_id;
    throw error;
  }
}

/** Marks this recipe's RUNNING runs whose process (on this host) is gone as KILLED. */
export async function endAbandonedRuns(options: {
  store: TrackingStore;
  experimentId: string;
  recipeDir: string;
}): Promise<string[]> {
  const { store, experimentId, recipeDir } = options;
  const ended: string[] = [];
  let pageToken: string | undefined;
  do {
    // Only RUNNING runs: every `recipe run` adds a run, and loading them all (with their params,
    // metrics and tags) made each run slower than the one before.
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      filter: "attributes.status = 'RUNNING'",
      maxResults: 1000,
      pageToken,
    });
    for (const run of page.runs) {
      if (run.info.status !== 'RUNNING') continue;
      const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
      if (tags[RUN_TAGS.recipeDir] !== recipeDir || tags[RUN_TAGS.host] !== hostname()) continue;
      const pid = Number(tags[RUN_TAGS.pid]);
      if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && isProcessAlive(pid))) continue;
      if (pid === process.pid) continue;
      await store.setTag(run.info.run_id, {
        key: RUN_TAGS.endedBy,
        value: `process ${pid} ended without finishing the run; marked KILLED by the next recipe run (pid ${process.pid})`,
      });
      await store.updateRun(run.info.run_id, { status: 'KILLED', endTime: Date.now() });
      ended.push(run.info.run_id);
    }
    pageToken = page.next_page_token;
  } while (pageToken);
  return ended;
}

export async function startRecipeRun(options: {
  store: TrackingStore;
  recipe: LoadedRecipe;
  targets: readonly string[];
  trackingUri: string;
  /** The recipe's git lineage, when the caller already started reading it. */
  lineage?: Promise<GitLineage | undefined>;
}): Promise<RecipeRunRecorder & { abandoned: string[] }> {
  const { store, recipe } = options;
  const lineagePromise = options.lineage ?? gitLineage(recipe.recipeDir);
  const experimentId = await experimentIdFor(store, recipe);
  const abandoned = await endAbandonedRuns({ store, experimentId, recipeDir: recipe.recipeDir });
  const lineage = await lineagePromise;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  const tags: Tag[] = [
    { key: TAGS.sourceType, value: 'RECIPE' },
    { key: TAGS.sourceName, value: recipe.recipeDir },
    { key: TAGS.user, value: user },
    { key: RUN_TAGS.pid, value: String(process.pid) },
    { key: RUN_TAGS.host, value: hostname() },
    { key: RUN_TAGS.recipeDir, value: recipe.recipeDir },
    { key: RUN_TAGS.profile, value: recipe.profile },
    { key: RUN_TAGS.targets, value: options.targets.join(',') },
    ...gitLineageTags(lineage),
  ];
  // MLflow Recipes (2.12, utils/tracking.py `_get_run_name`): `<prefix>-` and 8 hex digits of a uuid4.
  const prefix = recipe.config.experiment?.run_name_prefix;
  const run = await store.createRun({
    experimentId,
    userId: user,
    tags,
    ...(prefix ? { runName: `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 8)}` } : {}),
  });
  const runId = run.info.run_id;
  const artifactUri = run.info.artifact_uri;

  const logged = new Map<string, string>();
  const params: Param[] = [];
  const addParam = (key: string, value: string) => {
    const k = clip(key, MAX_ENTITY_KEY_LENGTH);
    const v = clip(value, MAX_PARAM_VALUE_LENGTH);
    if (logged.has(k)) return logged.get(k) === v;
    logged.set(k, v);
    params.push({ key: k, value: v });
    return true;
  };
  for (const [k, v] of Object.entries(flattenConfig(recipe.config))) addParam(k, v);
  // What is not written yet: the config's params and the records of cached steps. A cached step
  // changes nothing while the run goes on, so its records wait and go into the store together
  // (one logBatch, one logInputs) before the next step that does work starts, or when the run
  // ends; a no-op run then writes a few transactions instead of several per step.
  const pendingMetrics: Metric[] = [];
  const pendingTags: Tag[] = [];
  const pendingInputs: DatasetInput[] = [];
  const flushPending = async () => {
    while (params.length > 0 || pendingMetrics.length > 0 || pendingTags.length > 0) {
      // At most MAX_ENTITIES_PER_BATCH (1000) in all, as MLflow's log-batch allows.
      await store.logBatch(runId, {
        params: params.splice(0, MAX_PARAMS_PER_BATCH),
        metrics: pendingMetrics.splice(0, MAX_METRICS_PER_BATCH - MAX_PARAMS_PER_BATCH - MAX_TAGS_PER_BATCH),
        tags: pendingTags.splice(0, MAX_TAGS_PER_BATCH),
      });
    }
    if (pendingInputs.length > 0 && store.logInputs) await store.logInputs(runId, pendingInputs.splice(0));
  };

  let artifactRepo: import('../tracking/artifact-repository.js').ArtifactRepository | undefined;
  const artifacts = async () => {
    if (!artifactRepo) {
      // The run's artifact URI decides: a local directory, or (mlflow-artifacts:/ from a tracking
      // server) uploads through the server's artifact proxy.
      const { artifactRepositoryForUri } = await import('../tracking/artifact-repository.js');
      artifactRepo = artifactRepositoryForUri(artifactUri, { trackingUri: store.uri });
    }
    return artifactRepo;
  };
  // Steps finish concurrently; serialise their writes so batches stay in order.
  let chain: Promise<void> = Promise.resolve();

  const recorder: RecipeRunRecorder & { abandoned: string[] } = {
    runId,
    experimentId,
    trackingUri: options.trackingUri,
    store,
    abandoned,
    stepFinished(outcome: StepOutcome) {
      const next = chain.then(async () => {
        await recordStep(outcome);
        if (outcome.state !== 'cached') await flushPending();
      });
      chain = next.catch(() => undefined);
      return next;
    },
    flush() {
      const next = chain.then(flushPending);
      chain = next.catch(() => undefined);
      return next;
    },
    async end(status) {
      try {
        await chain;
        // Callers flush first to hear of a failure (runRecipe warns); this keeps the run's
        // status right even when they did not or it failed.
        await flushPending().catch(() => undefined);
        await store.updateRun(runId, { status, endTime: Date.now() });
      } finally {
        await store.close().catch(() => undefined);
      }
    },
  };

  async function recordStep(outcome: StepOutcome): Promise<void> {
    const now = Date.now();
    const step = outcome.step;
    for (const [key, value] of Object.entries(outcome.metrics))
      pendingMetrics.push({ key, value, timestamp: now, step: 0 });
    if (outcome.state === 'ran' || outcome.state === 'cached' || outcome.state === 'failed') {
      pendingMetrics.push({
        key: `step.${step}.duration_s`,
        value: outcome.durationMs / 1000,
        timestamp: now,
        step: 0,
      });
    }
    pendingTags.push(
      { key: `mlrecipe.step.${step}.state`, value: outcome.state },
      { key: `mlrecipe.step.${step}.fingerprint`, value: outcome.fingerprint },
    );
    if (outcome.state === 'cached') {
      pendingTags.push({
        key: `mlrecipe.step.${step}.reused_from`,
        value: outcome.reusedFromRunId ?? 'unknown',
      });
    }
    if (outcome.error) {
      pendingTags.push({
        key: `mlrecipe.step.${step}.error`,
        value: clip(outcome.error.message, MAX_TAG_VALUE_LENGTH),
      });
    }
    for (const [key, value] of Object.entries(outcome.tags))
      pendingTags.push({ key, value: clip(value, MAX_TAG_VALUE_LENGTH) });
    // A step param that collides with a config param of another value goes under the step's name.
    for (const [key, value] of Object.entries(outcome.params)) {
      if (!addParam(key, value)) addParam(`${step}.${key}`, value);
    }
    if (!outcome.dir) return;
    queueDataset(outcome, outcome.dir);
    const repo = await artifacts();
    // outcome.dir is a committed cache entry (ran or cached), which is never written again: a
    // local artifact store links its files instead of copying them (see ArtifactLogOptions).
    const fromCache = { immutableSource: true };
    for (const name of ['card', 'card_json']) {
      const rel = outcome.outputs[name];
      if (rel && existsSync(join(outcome.dir, rel)))
        await repo.logArtifact(join(outcome.dir, rel), `cards/${step}`, fromCache);
    }
    const model = outcome.outputs.model;
    if (model) {
      const path = join(outcome.dir, model);
      if (existsSync(path)) {
        if (statSync(path).isDirectory()) await repo.logArtifacts(path, 'model', fromCache);
        else await repo.logArtifact(path, 'model', fromCache);
      }
    }
  }

  /**
   * The dataset an ingest step read, as the run's input (MLflow's `log_inputs`), with
   * `mlflow.data.context` saying how the recipe used it. Logged for cached steps too: each run
   * shows the data it stands on.
   */
  function queueDataset(outcome: StepOutcome, dir: string): void {
    const info = outcome.outputs.dataset_info;
    if (!info || !store.logInputs || !existsSync(join(dir, info))) return;
    const dataset = JSON.parse(readFileSync(join(dir, info), 'utf8')) as Dataset;
    const context = DATASET_CONTEXT[outcome.step] ?? outcome.step;
    pendingInputs.push({ dataset, tags: [{ key: DATASET_CONTEXT_TAG, value: context }] });
  }

  return recorder;
}

/** `mlflow.data.context` of each ingest step's dataset (MLflow's autologging says `training`). */
const DATASET_CONTEXT: Partial<Record<string, string>> = { ingest: 'training', ingest_scoring: 'scoring' };
