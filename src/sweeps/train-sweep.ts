/**
 * The train step's hyperparameter sweep (MLflow Recipes' `train.tuning`, docs/sweeps.md).
 *
 * As MLflow 2.12 does: one child run per trial under the recipe run (tag `mlflow.parentRunId`,
 * the parent's run name as prefix), the trial's params merged over `estimator_params`, the loss
 * the primary metric on the validation split (negated when greater is better), and when
 * `estimator_params` fixes more than one value the untuned configuration is scored too and kept
 * if the best trial does not beat it.
 *
 * Beyond MLflow: trials run on worker threads (`parallelism` of them), the sampler is seeded so
 * the same recipe proposes the same trials at any parallelism, and every finished trial is cached
 * under `.recipe/trials/` by its own fingerprint (data, estimator config, params, code), so a
 * sweep killed half-way re-runs only the missing trials.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { ConfigError, StepError } from '../errors.js';
import type { FeatureMatrix, Frame } from '../ml/types.js';
import { selectColumns } from '../models/pipeline.js';
import { columnType, encodeLabels, labelStrings, regressionTarget, targetColumn } from '../models/targets.js';
import { greaterIsBetter } from '../registry/gate.js';
import { escapeHtml, formatNumber, htmlTable, svgLinePlot, svgScatterPlot } from '../steps/cards.js';
import {
  type CustomMetricConfig,
  type CustomMetricFunction,
  loadCustomMetricFunction,
} from '../steps/evaluate.js';
import { fitClasses, inputDir, readSplitDataset } from '../steps/recipe-problem.js';
import { fixedParams, isCustom, stringParams, type TrainConfig } from '../steps/train-estimator.js';
import {
  type PythonTrialFitter,
  TRIAL_CACHE_DIR,
  type TuneRequest,
  type TuneResult,
} from '../steps/tuning.js';
import type { CardSection, StepContext } from '../steps/types.js';
import {
  displayUserFile,
  findPythonModule,
  findUserModule,
  loadUserFunction,
  locateUserFunction,
} from '../steps/user-module.js';
import { positiveClassIndex } from '../models/score-predictions.js';
import type { FinishedRunOptions, Tag, TrackingStore } from '../tracking/types.js';
import { MAX_TAG_VALUE_LENGTH, TAGS } from '../tracking/types.js';
import { type EarlyStopFunction, noProgressLoss } from './early-stop.js';
import { createSampler } from './samplers.js';
import { describeDistribution, type ParamValue } from './space.js';
import { runSweep, type TrialSpec } from './run-sweep.js';
import { parseTuningConfig, type TuningConfig } from './tuning-config.js';
import { sharedCopy, type WorkerPool } from './worker-pool.js';
import { TRIAL_TAGS } from './trial-tags.js';
import {
  builtinTrialMetrics,
  type RemoteTrialOutcome,
  type TrialExecutor,
  type TrialSession,
  type TrialWorkerPayload,
  type TrialWorkerResult,
  type TrialWorkerTask,
  trainTrialPool,
  trialRunMetrics,
} from './train-trial.js';

export const TRIALS_FILE = 'trials.json';
/** MLflow's `df.sample(frac, random_state=42)`: the same rows for every trial. */
const SAMPLE_SEED = 42;
/** Cached trials recorded per transaction. */
const CACHED_BATCH = 200;
/**
 * A trial running longer than this gets its RUNNING child run while it runs; a shorter one is
 * recorded once, finished (see evaluate).
 */
const RUNNING_CHILD_AFTER_MS = 1000;

export { TRIAL_TAGS };

/** One trial as recorded in trials.json, the trial cache and the card. */
export interface TrialRecord {
  /** Trial index, or -1 for the untuned configuration. */
  index: number;
  params: Record<string, ParamValue>;
  status: 'ok' | 'failed';
  loss: number;
  /** Validation metrics without prefix. */
  metrics: Record<string, number>;
  fitSeconds: number;
  error?: string;
  fingerprint: string;
  /** The child run that recorded it (absent without a tracking store). */
  runId?: string;
  /** The run that first computed a trial served from the cache. */
  reusedFrom?: string;
  cached: boolean;
}

interface Scoring {
  primary: string;
  greater: boolean;
  custom: Array<{ config: CustomMetricConfig; fn: CustomMetricFunction }>;
}

async function scoringFor(
  recipe: Record<string, unknown>,
  problem: TuneRequest['problem'],
  recipeDir: string,
): Promise<Scoring> {
  const primary =
    typeof recipe.primary_metric === 'string'
      ? recipe.primary_metric
      : problem.problemType === 'regression'
        ? 'root_mean_squared_error'
        : 'f1_score';
  const configs = Array.isArray(recipe.custom_metrics) ? (recipe.custom_metrics as CustomMetricConfig[]) : [];
  const custom: Scoring['custom'] = [];
  for (const config of configs) {
    custom.push({
      config,
      // Python ones are called as MLflow calls them: function(eval_df, builtin_metrics).
      fn: await loadCustomMetricFunction({ recipeDir, name: config.function, python: recipe.python }),
    });
  }
  const greater = configs.find((c) => c.name === primary)?.greater_is_better ?? greaterIsBetter(primary);
  if (greater === undefined) {
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: 'primary_metric',
        message: `unknown metric "${primary}": the sweep cannot score trials by it`,
        hint: 'name a built-in metric (root_mean_squared_error, f1_score, ...) or one of custom_metrics',
      },
    ]);
  }
  return { primary, greater, custom };
}

function hashFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

let packageVersion: string | undefined;
function mlrecipeVersion(): string {
  packageVersion ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return packageVersion;
}

/** Rows MLflow's `sample(frac, random_state=42)` would keep, in order (seeded partial shuffle). */
export function sampleRows(nRows: number, fraction: number): Int32Array | undefined {
  if (fraction >= 1) return undefined;
  const keep = Math.max(1, Math.round(nRows * fraction));
  const order = Int32Array.from({ length: nRows }, (_, i) => i);
  // xorshift32 from a fixed seed: the sample must never depend on the sweep's seed or timing.
  let s = SAMPLE_SEED >>> 0 || 1;
  for (let i = 0; i < keep; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = i + ((s >>> 0) % (nRows - i));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order.slice(0, keep).sort();
}

function takeRows(X: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  return {
    ...(X.featureNames ? { featureNames: X.featureNames } : {}),
    nRows: rows.length,
    columns: X.columns.map((c) => {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = c[rows[i] as number] as number;
      return out;
    }),
  };
}

function sharedMatrix(X: FeatureMatrix): FeatureMatrix {
  return {
    nRows: X.nRows,
    columns: X.columns.map((c) => sharedCopy(c)),
    ...(X.featureNames ? { featureNames: [...X.featureNames] } : {}),
  };
}

function trialEntry(runName: string, index: number): string {
  return index < 0 ? `${runName}-untuned` : `${runName}-trial-${index}`;
}

function formatParams(params: Record<string, ParamValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`)
    .join(' ');
}

/**
 * Runs the sweep for the train step (the engine passes it in as StepContext.tune); `ctx` is the
 * train step's own context.
 */
export interface TrainSweepOptions {
  /** Runs the trials elsewhere (the PostgreSQL queue) instead of on this process's worker threads. */
  executor?: TrialExecutor;
}

export async function runTrainSweep(
  request: TuneRequest,
  ctx: StepContext,
  options: TrainSweepOptions = {},
): Promise<TuneResult> {
  const { cfg, problem, train, kind } = request;
  const parsed = parseTuningConfig(cfg?.tuning);
  const tuning = parsed.config;
  if (!tuning) {
    const first = parsed.issues[0];
    throw new ConfigError([
      {
        file: 'recipe.yaml',
        line: 0,
        column: 0,
        path: ['steps.train.tuning', ...(first?.path ?? [])].join('.'),
        message: first?.message ?? 'tuning is not enabled',
        ...(first?.hint ? { hint: first.hint } : {}),
      },
    ]);
  }
  const scoring = await scoringFor(ctx.recipe, problem, ctx.recipeDir);
  const splitDir = inputDir(ctx, 'split', 'train');
  const validation = readSplitDataset(splitDir, 'validation.arrow');
  if (validation.frame.nRows === 0) {
    throw new StepError('train', 'tuning scores trials on the validation split, which is empty', {
      hint: 'give the validation split rows (steps.split.split_ratios), or set tuning.enabled: false',
    });
  }
  const target = targetColumn(train.frame, problem.targetCol, 'train.arrow');
  const valTarget = targetColumn(validation.frame, problem.targetCol, 'validation.arrow');
  let y: Float64Array | Int32Array;
  let classes: string[] = [];
  let valTruth: { number?: Float64Array; index?: Int32Array; labels?: string[] };
  if (kind === 'regressor') {
    y = regressionTarget(target, 'train.arrow');
    valTruth = { number: regressionTarget(valTarget, 'validation.arrow') };
  } else {
    const labels = labelStrings(target, columnType(train, problem.targetCol), 'train.arrow');
    classes = fitClasses(
      labels,
      target.type === 'number' && columnType(train, problem.targetCol) !== 'boolean',
      // scikit-learn orders classes_ by value (np.unique), positive class or not.
      request.engine === 'python' ? undefined : problem.positiveClass,
    );
    y = encodeLabels(labels, classes, 'train.arrow');
    const valLabels = labelStrings(valTarget, columnType(validation, problem.targetCol), 'validation.arrow');
    valTruth = { labels: valLabels, index: encodeLabels(valLabels, classes, 'validation.arrow') };
  }
  // mlrecipe's training puts a binary positive class at index 1; scikit-learn's may be at 0.
  const positiveIndex = positiveClassIndex(classes, problem.positiveClass);
  const nRows = train.frame.nRows;
  const rows = sampleRows(nRows, tuning.sampleFraction);

  const fixed = fixedParams(cfg);
  const identity = {
    format: 1,
    data: {
      split: basename(ctx.inputDirs.split ?? ''),
      transform: basename(ctx.inputDirs.transform ?? ''),
    },
    estimator: isCustom(cfg)
      ? { using: 'custom', method: cfg?.estimator_method }
      : { name: cfg?.estimator?.name ?? null, problem: problem.problemType },
    fixed,
    sample: { fraction: tuning.sampleFraction, seed: SAMPLE_SEED },
    scoring: { primary: scoring.primary, custom: scoring.custom.map((c) => c.config) },
    code: {
      mlrecipe: mlrecipeVersion(),
      files: Object.fromEntries(
        [
          ...['train', 'custom_metrics']
            .flatMap((m) => [
              findUserModule({ recipeDir: ctx.recipeDir, module: m }),
              findPythonModule({ recipeDir: ctx.recipeDir, module: m }),
            ])
            .filter((f): f is string => f !== undefined && (isCustom(cfg) || !f.includes(`${'/'}train.`))),
          ...(request.engine === 'python' ? request.codeFiles : []),
        ].map((f) => [basename(f), hashFile(f)]),
      ),
      ...(request.engine === 'python' ? { python: request.environment } : {}),
    },
  };
  // The identity is the same for every trial: canonicalised once, the params appended per trial
  // (the same bytes as canonical({...identity, params}): "params" sorts after every identity key).
  const identityText = canonical(identity);
  const fingerprintOf = (params: Record<string, unknown>) =>
    createHash('sha256')
      .update(`${identityText.slice(0, -1)},"params":${canonical(params)}}`)
      .digest('hex');
  const cacheDir = join(ctx.recipeDir, TRIAL_CACHE_DIR);

  // Tracking: child runs need the parent's name and the tags that identify the source.
  const store: TrackingStore | undefined = ctx.runId && ctx.experimentId ? ctx.store : undefined;
  let parentName = 'train';
  let inherited: Tag[] = [];
  if (store && ctx.runId) {
    const parent = await store.getRun(ctx.runId);
    parentName = parent.info.run_name || 'train';
    inherited = parent.data.tags.filter(
      (t) =>
        t.key.startsWith('mlflow.source.') ||
        t.key === TAGS.user ||
        (t.key.startsWith('mlrecipe.') && !t.key.startsWith('mlrecipe.step.')),
    );
  }

  const payload = (): TrialWorkerPayload => {
    if (request.engine === 'python') throw new Error('a Python sweep has no worker threads');
    const { fitted, X } = request;
    const Xfit = rows ? takeRows(X, rows) : X;
    const yFit = rows
      ? y instanceof Float64Array
        ? Float64Array.from(rows, (r) => y[r] as number)
        : Int32Array.from(rows, (r) => y[r] as number)
      : y;
    const Xval = fitted.transformer.transform(selectColumns(validation.frame, fitted.inputColumns));
    return {
      recipeDir: ctx.recipeDir,
      cfg: JSON.parse(JSON.stringify(cfg ?? {})) as TrainConfig,
      kind,
      problemType: problem.problemType,
      X: sharedMatrix(Xfit),
      y: sharedCopy(yFit),
      nClasses: classes.length,
      Xval: sharedMatrix(Xval),
    };
  };
  let pool: WorkerPool<TrialWorkerTask, TrialWorkerResult> | undefined;
  // A promise, not the fitter: with parallelism > 1 the first trials ask for it at the same time.
  let pythonFitter: Promise<PythonTrialFitter> | undefined;
  const workerPool = () => {
    pool ??= trainTrialPool(
      {
        ...payload(),
        // Trials are scored on the worker (predicting and scoring beside the fit, off the main
        // thread); the predictions come back only for custom metrics.
        score: {
          truth:
            kind === 'regressor'
              ? { number: valTruth.number as Float64Array }
              : { index: valTruth.index as Int32Array },
          positiveClass: positiveIndex,
          predictions: scoring.custom.length > 0,
        },
      },
      tuning.parallelism,
    );
    return pool;
  };
  /** One trial's fit and validation predictions, on a worker thread or in the Python worker. */
  const runTrialFit = async (
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<TrialWorkerResult> => {
    if (request.engine !== 'python') return workerPool().run({ params }, signal);
    pythonFitter ??= request.prepare(rows, { parallelism: tuning.parallelism });
    const fit = await (await pythonFitter).fit(params);
    const where = 'validation.arrow (predictions)';
    return {
      yPred:
        kind === 'regressor'
          ? (fit.predictions as Float64Array)
          : encodeLabels(
              fit.predictions instanceof Float64Array ? Array.from(fit.predictions, String) : fit.predictions,
              classes,
              where,
            ),
      ...(fit.proba ? { proba: fit.proba } : {}),
      fitSeconds: fit.fitSeconds,
    };
  };

  // Scaled out: the inputs are uploaded once, each trial becomes a queue job (src/queue).
  let session: TrialSession | undefined;
  if (options.executor) {
    checkRemoteTrials(options.executor.name, request, scoring);
    if (!store || !ctx.runId) {
      throw new StepError(
        'train',
        `the ${options.executor.name} executor needs a tracking run: its workers read the sweep's inputs from the run's artifacts and record each trial as its child run`,
        {
          hint: 'run without --no-tracking (a tracking server URI lets workers on other machines reach it)',
        },
      );
    }
    session = await options.executor.open({
      inputs: {
        payload: payload(),
        truth: valTruth,
        positiveClass: positiveIndex,
        primary: scoring.primary,
        greater: scoring.greater,
      },
      parentRunId: ctx.runId,
      store,
      ...(ctx.trackingUri ? { trackingUri: ctx.trackingUri } : {}),
      log: (message) => ctx.log(message),
    });
  }

  const score = async (result: TrialWorkerResult): Promise<Record<string, number>> => {
    const metrics = builtinTrialMetrics({
      kind,
      truth: valTruth,
      result,
      nClasses: classes.length,
      positiveClass: positiveIndex,
    });
    if (scoring.custom.length === 0) return metrics;
    const yPredLabels =
      kind === 'classifier' ? Array.from(result.yPred as Int32Array, (k) => classes[k] as string) : undefined;
    for (const { config, fn } of scoring.custom) {
      const value = await fn({
        split: 'validation',
        yTrue: kind === 'regressor' ? (valTruth.number as Float64Array) : (valTruth.labels as string[]),
        yPred: kind === 'regressor' ? (result.yPred as Float64Array) : (yPredLabels as string[]),
        frame: validation.frame as Frame,
        metrics: { ...metrics },
        ...(kind === 'classifier'
          ? { classes, yTrueIndex: valTruth.index as Int32Array, yPredIndex: result.yPred as Int32Array }
          : {}),
        ...(result.proba ? { proba: result.proba } : {}),
      });
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw new Error(`custom metric "${config.name}" returned ${String(value)}, not a number`);
      }
      metrics[config.name] = value;
    }
    return metrics;
  };

  const running = new Map<number, { started: number; params: Record<string, ParamValue> }>();
  const finished: TrialRecord[] = [];
  let best: TrialRecord | undefined;
  const metricLabel = `val_${scoring.primary}`;
  const showLive = () => {
    if (!ctx.liveStatus) return;
    const lines = [...running.entries()]
      .sort(([a], [b]) => a - b)
      .map(
        ([i, r]) =>
          `${i < 0 ? 'untuned' : `trial ${i}`} running ${((Date.now() - r.started) / 1000).toFixed(1)}s  ${formatParams(r.params)}`,
      );
    if (best) {
      lines.push(
        `best so far: ${best.index < 0 ? 'untuned' : `trial ${best.index}`} ${metricLabel}=${formatNumber(best.metrics[scoring.primary] as number)}  (${finished.length} done)`,
      );
    }
    ctx.liveStatus(lines);
  };
  const ticker = ctx.liveStatus ? setInterval(showLive, 250) : undefined;
  ticker?.unref();

  /** Evaluates one configuration (a trial, or the untuned params), from the cache when it can. */
  /** Cached trials waiting to be recorded as child runs (see flushCached). */
  const pendingCached: Array<{ record: TrialRecord; run: FinishedRunOptions }> = [];
  const flushCached = async (): Promise<void> => {
    const batch = pendingCached.splice(0);
    if (!store || batch.length === 0) return;
    if (store.createFinishedRuns) {
      const infos = await store.createFinishedRuns(batch.map((b) => b.run));
      batch.forEach((b, i) => {
        b.record.runId = (infos[i] as { run_id: string }).run_id;
      });
      return;
    }
    // A store without the call (REST): a created run, then finished with its metrics.
    for (const { record, run } of batch) {
      const created = await store.createRun({
        experimentId: run.experimentId,
        ...(run.runName ? { runName: run.runName } : {}),
        ...(run.tags ? { tags: run.tags } : {}),
        ...(run.params ? { params: run.params } : {}),
      });
      record.runId = created.info.run_id;
      await store.finishRun(record.runId, {
        status: run.status,
        endTime: run.endTime,
        metrics: run.metrics ?? [],
      });
    }
  };

  let cacheDirMade = false;
  const writeTrialCache = (record: TrialRecord) => {
    if (!cacheDirMade) mkdirSync(cacheDir, { recursive: true });
    cacheDirMade = true;
    writeFileAtomic(
      join(cacheDir, `${record.fingerprint}.json`),
      `${JSON.stringify({ ...record, loss: Number.isFinite(record.loss) ? record.loss : null }, null, 2)}\n`,
    );
  };
  const recordFromOutcome = (
    outcome: RemoteTrialOutcome,
    trial: { index: number; params: Record<string, ParamValue>; fingerprint: string },
  ): TrialRecord => {
    if (outcome.status === 'failed') {
      return {
        ...trial,
        status: 'failed',
        loss: Number.POSITIVE_INFINITY,
        metrics: {},
        fitSeconds: 0,
        error: outcome.error,
        cached: false,
      };
    }
    const value = outcome.metrics[scoring.primary];
    if (value === undefined || Number.isNaN(value)) {
      return {
        ...trial,
        status: 'failed',
        loss: Number.POSITIVE_INFINITY,
        metrics: outcome.metrics,
        fitSeconds: outcome.fitSeconds,
        error: `the primary metric ${scoring.primary} is not defined for these predictions`,
        cached: false,
      };
    }
    return {
      ...trial,
      status: 'ok',
      loss: scoring.greater ? -value : value,
      metrics: outcome.metrics,
      fitSeconds: outcome.fitSeconds,
      cached: false,
    };
  };

  const evaluate = async (
    index: number,
    params: Record<string, ParamValue>,
    signal?: AbortSignal,
  ): Promise<TrialRecord> => {
    const merged = { ...fixed, ...params };
    const fingerprint = fingerprintOf(merged);
    const cacheFile = join(cacheDir, `${fingerprint}.json`);
    const childTags = (extra: Tag[]): Tag[] => [
      ...inherited,
      { key: TAGS.parentRunId, value: ctx.runId as string },
      { key: TRIAL_TAGS.index, value: String(index) },
      { key: TRIAL_TAGS.fingerprint, value: fingerprint },
      { key: TRIAL_TAGS.algorithm, value: tuning.algorithm },
      ...extra,
    ];
    const logParams = Object.entries(stringParams(merged)).map(([key, value]) => ({ key, value }));
    /**
     * A reused trial (trial cache, or a result the queue holds) is a finished child run, recorded
     * in batches (see flushCached): one transaction for many such trials instead of one or more
     * per trial. The record gets its runId when its batch is written.
     */
    const recordReused = async (record: TrialRecord): Promise<void> => {
      if (!store) return;
      pendingCached.push({
        record,
        run: {
          experimentId: ctx.experimentId as string,
          runName: trialEntry(parentName, index),
          tags: childTags([
            ...(record.reusedFrom ? [{ key: TRIAL_TAGS.reusedFrom, value: record.reusedFrom }] : []),
            ...(record.error
              ? [{ key: TRIAL_TAGS.error, value: record.error.slice(0, MAX_TAG_VALUE_LENGTH) }]
              : []),
          ]),
          params: logParams.slice(0, 100),
          metrics: metricsOf(record),
          status: record.status === 'ok' ? 'FINISHED' : 'FAILED',
          startTime: Date.now(),
          endTime: Date.now(),
        },
      });
      if (pendingCached.length >= CACHED_BATCH) await flushCached();
    };
    if (existsSync(cacheFile)) {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as TrialRecord;
      const record: TrialRecord = { ...cached, index, params, cached: true };
      if (cached.runId) record.reusedFrom = cached.reusedFrom ?? cached.runId;
      delete record.runId;
      await recordReused(record);
      return record;
    }
    // Scaled out: a result the queue already holds (another sweep's, or an earlier run on another
    // machine) is reused like a cache entry.
    const known = session ? await session.lookup(fingerprint) : undefined;
    if (known) {
      const record = recordFromOutcome(known, { index, params, fingerprint });
      record.cached = true;
      if (known.recordedRunId) record.reusedFrom = known.recordedRunId;
      writeTrialCache(record);
      await recordReused(record);
      return record;
    }
    const startTime = Date.now();
    const childRun = {
      experimentId: ctx.experimentId as string,
      runName: trialEntry(parentName, index),
      tags: childTags([]),
      params: logParams.slice(0, 100),
      startTime,
    };
    let runId: string | undefined;
    // A queue worker finishes the child run it is given, so it is created first.
    if (store && session) runId = (await store.createRun(childRun)).info.run_id;
    running.set(index, { started: startTime, params });
    let record: TrialRecord;
    if (session) {
      // The queue worker fits, scores and finishes the child run; aborting removes the job.
      let outcome: RemoteTrialOutcome;
      try {
        outcome = await session.run(
          { index, fingerprint, params: merged, ...(runId ? { runId } : {}) },
          signal,
        );
      } catch (error) {
        running.delete(index);
        if (store && runId && (signal?.aborted || ctx.signal?.aborted)) {
          await store
            .finishRun(runId, {
              status: 'KILLED',
              tags: [{ key: TRIAL_TAGS.error, value: 'stopped: the sweep ended before this trial finished' }],
            })
            .catch(() => undefined);
        }
        throw error;
      }
      running.delete(index);
      record = recordFromOutcome(outcome, { index, params, fingerprint });
      if (runId) record.runId = runId;
      writeTrialCache(record);
      if (store && runId && outcome.recordedRunId !== runId) {
        // Computed for another run (the same trial queued by another sweep): recorded here too.
        await store.finishRun(runId, {
          status: record.status === 'ok' ? 'FINISHED' : 'FAILED',
          metrics: metricsOf(record),
          tags: [
            ...(outcome.recordedRunId ? [{ key: TRIAL_TAGS.reusedFrom, value: outcome.recordedRunId }] : []),
            ...(record.error
              ? [{ key: TRIAL_TAGS.error, value: record.error.slice(0, MAX_TAG_VALUE_LENGTH) }]
              : []),
          ],
        });
      }
      return record;
    }
    /*
     * The child run of a trial on this process's worker threads is written once, when the trial
     * ends: created finished, with its params, metrics and tags, in one transaction (half the
     * store's work of create-then-finish; bench/sweep measures the overhead per trial). A trial
     * still running after RUNNING_CHILD_AFTER_MS gets its RUNNING child then, which a user watching
     * the tracking UI sees, and finishes it at its end. A trial is recorded before it is reported
     * (and before its trial-cache file), so a killed sweep never loses a finished trial.
     */
    let created: Promise<string> | undefined;
    const timer = store
      ? setTimeout(() => {
          created = store.createRun(childRun).then((run) => run.info.run_id);
          created.catch(() => undefined); // awaited (and thrown) by recordChild
        }, RUNNING_CHILD_AFTER_MS)
      : undefined;
    const recordChild = async (end: {
      status: 'FINISHED' | 'FAILED' | 'KILLED';
      metrics?: ReturnType<typeof trialRunMetrics>;
      tags?: Tag[];
    }): Promise<string | undefined> => {
      clearTimeout(timer);
      if (!store) return undefined;
      const finish = {
        status: end.status,
        metrics: end.metrics ?? [],
        ...(end.tags ? { tags: end.tags } : {}),
      };
      if (created) {
        const id = await created;
        await store.finishRun(id, finish);
        return id;
      }
      if (store.createFinishedRuns) {
        const [info] = await store.createFinishedRuns([
          {
            ...childRun,
            tags: [...childRun.tags, ...(end.tags ?? [])],
            status: end.status,
            endTime: Date.now(),
            metrics: finish.metrics,
          },
        ]);
        return (info as { run_id: string }).run_id;
      }
      // A store without the call (REST): created, then finished.
      const id = (await store.createRun(childRun)).info.run_id;
      await store.finishRun(id, finish);
      return id;
    };
    try {
      const result = await runTrialFit(merged, signal);
      const metrics = await score(result);
      const value = metrics[scoring.primary];
      if (value === undefined || Number.isNaN(value)) {
        throw new Error(`the primary metric ${scoring.primary} is not defined for these predictions`);
      }
      record = {
        index,
        params,
        status: 'ok',
        loss: scoring.greater ? -value : value,
        metrics,
        fitSeconds: result.fitSeconds,
        fingerprint,
        cached: false,
      };
    } catch (error) {
      running.delete(index);
      if (signal?.aborted || ctx.signal?.aborted) {
        const killed = await recordChild({
          status: 'KILLED',
          tags: [{ key: TRIAL_TAGS.error, value: 'stopped: the sweep ended before this trial finished' }],
        }).catch(() => undefined);
        if (ctx.signal?.aborted) throw error;
        // Aborted by early stopping: outside the sweep's result, and not cached.
        return {
          index,
          params,
          status: 'failed',
          loss: Number.POSITIVE_INFINITY,
          metrics: {},
          fitSeconds: 0,
          error: 'stopped early',
          fingerprint,
          cached: false,
          ...(killed ? { runId: killed } : {}),
        };
      }
      record = {
        index,
        params,
        status: 'failed',
        loss: Number.POSITIVE_INFINITY,
        metrics: {},
        fitSeconds: 0,
        error: error instanceof Error ? error.message : String(error),
        fingerprint,
        cached: false,
      };
    }
    running.delete(index);
    const recordedRunId = await recordChild({
      status: record.status === 'ok' ? 'FINISHED' : 'FAILED',
      metrics: metricsOf(record),
      ...(record.error
        ? { tags: [{ key: TRIAL_TAGS.error, value: record.error.slice(0, MAX_TAG_VALUE_LENGTH) }] }
        : {}),
    });
    if (recordedRunId) record.runId = recordedRunId;
    // A failed trial is cached too: the same params and code fail the same way.
    writeTrialCache(record);
    return record;
  };

  const record = (r: TrialRecord) => {
    if (r.loss === null || r.loss === undefined) r.loss = Number.POSITIVE_INFINITY;
    finished.push(r);
    if (r.status === 'ok' && (!best || r.loss < best.loss)) best = r;
    const what = r.index < 0 ? 'untuned' : `trial ${r.index} (${finished.length}/${tuning.maxTrials})`;
    const outcome =
      r.status === 'ok'
        ? `${metricLabel}=${formatNumber(r.metrics[scoring.primary] as number)}`
        : `failed: ${r.error ?? ''}`;
    ctx.log(
      `${what} ${outcome}${r.cached ? ' (cached)' : ''}  ${formatParams(r.params)}` +
        (best
          ? `  | best ${formatNumber(best.metrics[scoring.primary] as number)} (${best.index < 0 ? 'untuned' : `trial ${best.index}`})`
          : ''),
    );
  };

  const earlyStop = await earlyStopFunction(tuning, ctx);
  const sampler = createSampler({
    algorithm: tuning.algorithm,
    space: tuning.space,
    seed: tuning.seed,
    ...(tuning.tpe ? { tpe: tuning.tpe } : {}),
  });
  ctx.log(
    `tuning: ${tuning.algorithm}, up to ${tuning.maxTrials} trials, ${tuning.parallelism} at a time, by ${metricLabel}` +
      (rows ? `, each fitted on ${rows.length} of ${nRows} rows` : ''),
  );
  let sweep;
  let untuned: TrialRecord | undefined;
  try {
    sweep = await runSweep<TrialRecord>({
      space: tuning.space,
      sampler,
      maxTrials: tuning.maxTrials,
      parallelism: tuning.parallelism,
      ...(earlyStop ? { earlyStop } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      runTrial: (spec: TrialSpec, signal: AbortSignal) => evaluate(spec.index, spec.params, signal),
      failedResult: (spec, error) => {
        // Only tracking/cache I/O gets here (a failing fit is a failed record): that is the sweep's failure.
        throw error instanceof Error ? error : new Error(`trial ${spec.index}: ${String(error)}`);
      },
      onTrialEnd: (_spec, result) => record(result),
    });
    // MLflow 2.12 scores the untuned configuration only when it fixes more than one param.
    if (Object.keys(fixed).length > 1 && sweep.best) {
      untuned = await evaluate(-1, {}, ctx.signal);
      record(untuned);
    }
    await flushCached();
  } finally {
    if (ticker) clearInterval(ticker);
    ctx.liveStatus?.([]);
    await pool?.close();
    await (await pythonFitter?.catch(() => undefined))?.release();
    await session?.close();
  }

  const trials = sweep.trials.map((t) => t.result);
  const failedCount = trials.filter((t) => t.status === 'failed').length;
  const bestTrial = sweep.best?.result;
  if (!bestTrial) {
    const first = trials.find((t) => t.error)?.error ?? 'no trial ran';
    throw new StepError('train', `all ${trials.length} tuning trials failed; the first error: ${first}`, {
      hint: 'check the search space against the estimator (see the FAILED child runs for each error)',
    });
  }
  const untunedWins = untuned !== undefined && untuned.status === 'ok' && !(bestTrial.loss < untuned.loss);
  const winner = untunedWins ? (untuned as TrialRecord) : bestTrial;
  const finalParams = untunedWins ? { ...fixed } : { ...fixed, ...bestTrial.params };
  const reused = trials.filter((t) => t.cached).length;
  ctx.log(
    `tuning done: ${trials.length} trials (${reused} from the cache, ${failedCount} failed)` +
      (sweep.stoppedAfter !== undefined ? `, stopped early after trial ${sweep.stoppedAfter}` : '') +
      `; best ${metricLabel}=${formatNumber(winner.metrics[scoring.primary] as number)} (${untunedWins ? 'the untuned configuration' : `trial ${bestTrial.index}`})`,
  );

  const all = untuned ? [...trials, untuned] : trials;
  const trialsFile = TRIALS_FILE;
  writeFileSync(
    join(ctx.outDir, trialsFile),
    `${JSON.stringify(
      {
        primary_metric: scoring.primary,
        greater_is_better: scoring.greater,
        algorithm: tuning.algorithm,
        seed: tuning.seed,
        best_trial: winner.index,
        best_run_id: winner.runId ?? null,
        ...(sweep.stoppedAfter !== undefined ? { stopped_after: sweep.stoppedAfter } : {}),
        trials: all.map((t) => ({ ...t, loss: Number.isFinite(t.loss) ? t.loss : null })),
      },
      null,
      2,
    )}\n`,
  );

  const tags: Record<string, string> = {
    [TRIAL_TAGS.bestTrial]: untunedWins ? 'untuned' : String(bestTrial.index),
    [TRIAL_TAGS.algorithm]: tuning.algorithm,
  };
  if (winner.runId) tags[TRIAL_TAGS.bestRunId] = winner.runId;
  const metrics: Record<string, number> = {
    tuning_trials: trials.length,
    tuning_failed_trials: failedCount,
    tuning_cached_trials: reused,
    [`tuning_best_${metricLabel}`]: winner.metrics[scoring.primary] as number,
  };
  return {
    finalParams,
    metrics,
    tags,
    sections: tuningSections({ tuning, trials, untuned, winner, scoring, stoppedAfter: sweep.stoppedAfter }),
    cardData: {
      algorithm: tuning.algorithm,
      max_trials: tuning.maxTrials,
      parallelism: tuning.parallelism,
      seed: tuning.seed,
      sample_fraction: tuning.sampleFraction,
      primary_metric: scoring.primary,
      space: Object.fromEntries(tuning.space.map((p) => [p.name, describeDistribution(p.distribution)])),
      trials: trials.length,
      failed_trials: failedCount,
      cached_trials: reused,
      best_trial: untunedWins ? 'untuned' : bestTrial.index,
      best_params: untunedWins ? {} : bestTrial.params,
      best_metric: winner.metrics[scoring.primary],
      ...(untuned ? { untuned_metric: untuned.metrics[scoring.primary] ?? null } : {}),
      ...(sweep.stoppedAfter !== undefined ? { stopped_after: sweep.stoppedAfter } : {}),
    },
    trialsFile,
  };
}

/**
 * What a queue worker cannot do yet (issue 21's first slice): run the user's own code, which would
 * have to travel with the job. Checked before any trial is queued.
 */
function checkRemoteTrials(executor: string, request: TuneRequest, scoring: Scoring): void {
  const issue =
    request.engine === 'python'
      ? { path: 'steps.train.estimator', message: 'a scikit-learn estimator from steps/train.py' }
      : isCustom(request.cfg)
        ? { path: 'steps.train.using', message: 'a custom estimator (using: custom)' }
        : scoring.custom.length > 0
          ? { path: 'custom_metrics', message: 'custom metrics' }
          : undefined;
  if (!issue) return;
  throw new ConfigError([
    {
      file: 'recipe.yaml',
      line: 0,
      column: 0,
      path: issue.path,
      message: `the ${executor} executor runs trials of registry estimators scored by built-in metrics; this recipe has ${issue.message}, whose code its workers do not have`,
      hint: 'run the sweep in-process (without --executor queue), or use a registry estimator and a built-in primary_metric',
    },
  ]);
}

function metricsOf(record: TrialRecord): ReturnType<typeof trialRunMetrics> {
  return trialRunMetrics(record);
}

async function earlyStopFunction(
  tuning: TuningConfig,
  ctx: StepContext,
): Promise<EarlyStopFunction | undefined> {
  const spec = tuning.earlyStop;
  if (!spec) return undefined;
  if (spec.kind === 'no_progress_loss') return noProgressLoss(spec.iterationStopCount, spec.percentIncrease);
  const recipeDir = ctx.recipeDir;
  const location = locateUserFunction({ recipeDir, module: spec.module, name: spec.name });
  if (location?.language !== 'python') {
    return loadUserFunction<EarlyStopFunction>({ recipeDir, step: spec.module, name: spec.name });
  }
  // A Python function gets hyperopt's Trials and keeps its own args in the worker.
  const py = await import('../python/index.js');
  const worker = await py.sharedPythonWorker({ configured: ctx.recipe.python, recipeDir });
  const add = await py.pythonEarlyStop(worker, {
    file: location.file,
    name: spec.name,
    recipeDir,
    shownFile: displayUserFile(recipeDir, location.file),
  });
  return async (trials) => {
    const last = trials[trials.length - 1];
    return [last ? await add(last) : false, []];
  };
}

function tuningSections(options: {
  tuning: TuningConfig;
  trials: TrialRecord[];
  untuned: TrialRecord | undefined;
  winner: TrialRecord;
  scoring: Scoring;
  stoppedAfter: number | undefined;
}): CardSection[] {
  const { tuning, trials, untuned, winner, scoring } = options;
  const metricLabel = `val_${scoring.primary}`;
  const value = (t: TrialRecord) => t.metrics[scoring.primary];
  const ok = trials.filter((t) => t.status === 'ok');
  const sorted = [...trials, ...(untuned ? [untuned] : [])].sort(
    (a, b) =>
      (a.status === 'ok' ? a.loss : Number.POSITIVE_INFINITY) -
        (b.status === 'ok' ? b.loss : Number.POSITIVE_INFINITY) || a.index - b.index,
  );
  const names = tuning.space.map((p) => p.name);
  const summary =
    `<p>${escapeHtml(tuning.algorithm)} search, ${trials.length} trials` +
    ` (${trials.filter((t) => t.cached).length} from the cache, ${trials.filter((t) => t.status === 'failed').length} failed)` +
    (options.stoppedAfter !== undefined ? `, stopped early after trial ${options.stoppedAfter}` : '') +
    `, seed ${tuning.seed}. Best ${escapeHtml(metricLabel)} = ${escapeHtml(formatNumber(value(winner) as number))}` +
    ` from ${winner.index < 0 ? 'the untuned configuration (estimator_params alone)' : `trial ${winner.index}`}.</p>` +
    htmlTable({
      headers: ['parameter', 'search space', 'best'],
      rows: tuning.space.map((p) => [
        p.name,
        describeDistribution(p.distribution),
        winner.index < 0 ? '(untuned)' : JSON.stringify(winner.params[p.name]),
      ]),
    });
  const table = htmlTable({
    headers: ['rank', 'trial', ...names, metricLabel, 'status', 'run'],
    rows: sorted.map((t, rank) => [
      t.status === 'ok' ? rank + 1 : '-',
      t.index < 0 ? 'untuned' : t.index,
      ...names.map((n) => {
        const v = t.params[n];
        return typeof v === 'number' ? v : v === undefined ? '' : JSON.stringify(v);
      }),
      t.status === 'ok' ? (value(t) as number) : '',
      t.status === 'ok' ? (t.cached ? 'ok (cached)' : 'ok') : `failed: ${t.error ?? ''}`,
      t.runId ?? '',
    ]),
  });
  const sections: CardSection[] = [
    { title: 'Tuning', html: summary },
    { title: `Trials by ${metricLabel}`, html: table },
  ];
  if (ok.length > 0) {
    const charts = tuning.space.map((p) => {
      const d = p.distribution;
      const xs = ok.map((t) => {
        const v = t.params[p.name];
        return d.kind === 'choice'
          ? d.options.findIndex((o) => JSON.stringify(o) === JSON.stringify(v))
          : Number(v);
      });
      const logScale =
        d.kind === 'loguniform' ||
        d.kind === 'qloguniform' ||
        d.kind === 'lognormal' ||
        d.kind === 'qlognormal';
      return svgScatterPlot({
        title: `${metricLabel} vs ${p.name}`,
        x: logScale ? xs.map((x) => Math.log10(x)) : xs,
        y: ok.map((t) => value(t) as number),
        xLabel:
          d.kind === 'choice'
            ? `${p.name} (option index: ${d.options.map((o, i) => `${i}=${JSON.stringify(o)}`).join(', ')})`
            : logScale
              ? `log10 ${p.name}`
              : p.name,
        yLabel: metricLabel,
      });
    });
    sections.push({ title: `${metricLabel} against each parameter`, html: charts.join('\n') });
    const bestSoFar: number[] = [];
    const xs: number[] = [];
    let current = Number.NaN;
    for (const t of trials) {
      if (t.status === 'ok') {
        const v = value(t) as number;
        if (Number.isNaN(current) || (scoring.greater ? v > current : v < current)) current = v;
      }
      if (!Number.isNaN(current)) {
        xs.push(t.index);
        bestSoFar.push(current);
      }
    }
    sections.push({
      title: 'Best so far',
      html: svgLinePlot({
        title: `best ${metricLabel} after each trial`,
        series: [{ name: 'best so far', x: xs, y: bestSoFar }],
        xLabel: 'trial',
        yLabel: metricLabel,
      }),
    });
  }
  return sections;
}
