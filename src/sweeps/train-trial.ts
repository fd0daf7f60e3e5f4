/**
 * One train-step trial, the part that does not care where it runs: fit the estimator with the
 * trial's params and predict the validation rows (on a worker thread, `train-trial-worker.ts`),
 * then score the predictions with the built-in metrics. The in-process sweep (train-sweep.ts) and
 * a queue worker on another machine (src/queue) both run trials through these functions, so a
 * trial scores the same wherever it ran.
 *
 * `TrialExecutor` is the seam a scale-out executor plugs into: train-sweep.ts hands it the
 * sweep's inputs once and each trial's params, and gets the trial's metrics back.
 */
import { classificationMetrics } from '../ml/metrics/classification.js';
import { regressionMetrics } from '../ml/metrics/regression.js';
import type { FeatureMatrix } from '../ml/types.js';
import { buildEstimator, type TrainConfig } from '../steps/train-estimator.js';
import type { TrackingStore } from '../tracking/types.js';
import { WorkerPool } from './worker-pool.js';

export interface TrialWorkerPayload {
  recipeDir: string;
  cfg: TrainConfig;
  kind: 'regressor' | 'classifier';
  problemType: 'regression' | 'classification';
  X: FeatureMatrix;
  /** Regression targets, or class indices. */
  y: Float64Array | Int32Array;
  nClasses: number;
  Xval: FeatureMatrix;
  /**
   * Score on the worker: the validation truth travels once with the payload and each trial sends
   * back its built-in metrics instead of its predictions, so predicting and scoring happen beside
   * the fit rather than on the sweep's main thread (which proposes and records trials one at a
   * time). `predictions` keeps the predictions in the result too (custom metrics need them).
   */
  score?: { truth: ValidationTruth; positiveClass: number; predictions: boolean };
}

export interface TrialWorkerTask {
  /** The fixed params with the trial's merged over them. */
  params: Record<string, unknown>;
}

export interface TrialWorkerResult {
  /**
   * Regression predictions, or predicted class indices; absent when the worker scored the trial
   * and the payload did not ask for them (TrialWorkerPayload.score).
   */
  yPred?: Float64Array | Int32Array;
  proba?: Float64Array[];
  /** The built-in validation metrics, when the worker scored the trial. */
  metrics?: Record<string, number>;
  fitSeconds: number;
}

/** The validation split's truth: regression targets, or class indices. */
export interface ValidationTruth {
  number?: Float64Array;
  index?: Int32Array;
}

/**
 * Fits one trial's estimator and predicts the validation rows (runs on a worker thread); with
 * `payload.score`, also scores them.
 */
export async function fitTrainTrial(
  payload: TrialWorkerPayload,
  task: TrialWorkerTask,
): Promise<TrialWorkerResult> {
  const built = await buildEstimator({
    cfg: payload.cfg,
    recipeDir: payload.recipeDir,
    kind: payload.kind,
    problemType: payload.problemType,
    params: task.params,
  });
  const estimator = built.estimator;
  const started = performance.now();
  let result: TrialWorkerResult & { yPred: Float64Array | Int32Array };
  if (estimator.kind === 'regressor') {
    estimator.fit(payload.X, payload.y as Float64Array);
    const fitSeconds = (performance.now() - started) / 1000;
    result = { yPred: Float64Array.from(estimator.predict(payload.Xval)), fitSeconds };
  } else {
    estimator.fit(payload.X, payload.y as Int32Array, payload.nClasses);
    const fitSeconds = (performance.now() - started) / 1000;
    const yPred = Int32Array.from(estimator.predict(payload.Xval));
    const proba = estimator.predictProba(payload.Xval).map((column) => Float64Array.from(column));
    result = { yPred, proba, fitSeconds };
  }
  const score = payload.score;
  if (!score) return result;
  const metrics = builtinTrialMetrics({
    kind: payload.kind,
    truth: score.truth,
    result,
    nClasses: payload.nClasses,
    positiveClass: score.positiveClass,
  });
  if (score.predictions) return { ...result, metrics };
  return { metrics, fitSeconds: result.fitSeconds };
}

/** The built-in validation metrics of one trial's predictions (custom metrics are the caller's). */
export function builtinTrialMetrics(options: {
  kind: 'regressor' | 'classifier';
  truth: ValidationTruth;
  result: TrialWorkerResult;
  nClasses: number;
  /** The class index counted as positive in binary metrics (default 1, mlrecipe's order). */
  positiveClass?: number;
}): Record<string, number> {
  const { kind, truth, result } = options;
  if (result.metrics) return { ...result.metrics };
  if (result.yPred === undefined) throw new Error('the trial result has neither metrics nor predictions');
  if (kind === 'regressor')
    return regressionMetrics(truth.number as Float64Array, result.yPred as Float64Array);
  return classificationMetrics({
    yTrue: truth.index as Int32Array,
    yPred: result.yPred as Int32Array,
    ...(result.proba ? { proba: result.proba } : {}),
    nClasses: options.nClasses,
    positiveClass: options.positiveClass ?? 1,
  });
}

/** A pool of `size` worker threads that fit trials on `payload` (share its arrays: sharedCopy). */
export function trainTrialPool(
  payload: TrialWorkerPayload,
  size: number,
): WorkerPool<TrialWorkerTask, TrialWorkerResult> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new WorkerPool({ entry: new URL(`./train-trial-worker${ext}`, import.meta.url), size, payload });
}

/** Everything a trial needs besides its params: what a remote worker downloads once per sweep. */
export interface TrainTrialInputs {
  payload: TrialWorkerPayload;
  truth: ValidationTruth;
  /** The positive class's index for binary metrics. */
  positiveClass: number;
  /** The primary metric (built-in) and whether greater is better: the loss is derived from it. */
  primary: string;
  greater: boolean;
}

export interface RemoteTrialRequest {
  index: number;
  /** The trial's fingerprint: the job's key, so a trial is queued and run once. */
  fingerprint: string;
  /** The fixed params with the trial's merged over them. */
  params: Record<string, unknown>;
  /** The RUNNING child run the sweep created for the trial; the worker finishes it. */
  runId?: string;
}

/**
 * A trial's outcome from an executor. `recordedRunId` is the child run that holds the trial's
 * metrics when the executor finished it (the request's runId); when it differs (the result was
 * computed earlier, for another run), the sweep records its own child run from the metrics.
 */
export type RemoteTrialOutcome =
  | { status: 'ok'; metrics: Record<string, number>; fitSeconds: number; recordedRunId?: string }
  | { status: 'failed'; error: string; recordedRunId?: string };

export interface TrialSession {
  /** A result already computed for this fingerprint (another sweep's, or an earlier run's). */
  lookup(fingerprint: string): Promise<RemoteTrialOutcome | undefined>;
  /** Runs one trial; aborting `signal` cancels it (a queued job is removed). */
  run(request: RemoteTrialRequest, signal?: AbortSignal): Promise<RemoteTrialOutcome>;
  close(): Promise<void>;
}

export interface OpenTrialSessionOptions {
  inputs: TrainTrialInputs;
  /** The sweep's parent run, which holds the uploaded inputs among its artifacts. */
  parentRunId: string;
  store: TrackingStore;
  trackingUri?: string;
  /** The sweep's own progress lines. */
  log(message: string): void;
}

/** Runs a train sweep's trials somewhere else (the PostgreSQL queue: src/queue). */
export interface TrialExecutor {
  readonly name: string;
  open(options: OpenTrialSessionOptions): Promise<TrialSession>;
}

/**
 * A trial's metrics as its child run records them: `val_<metric>` for each validation metric, and
 * for an ok trial `loss` and `fit_seconds` (docs/sweeps.md, "What a sweep records").
 */
export function trialRunMetrics(trial: {
  status: 'ok' | 'failed';
  metrics: Record<string, number>;
  loss: number;
  fitSeconds: number;
}): Array<{ key: string; value: number; timestamp: number; step: number }> {
  const now = Date.now();
  const out = Object.entries(trial.metrics).map(([name, value]) => ({
    key: `val_${name}`,
    value,
    timestamp: now,
    step: 0,
  }));
  if (trial.status === 'ok') {
    out.push({ key: 'loss', value: trial.loss, timestamp: now, step: 0 });
    out.push({ key: 'fit_seconds', value: trial.fitSeconds, timestamp: now, step: 0 });
  }
  return out;
}
