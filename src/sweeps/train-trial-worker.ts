/**
 * Worker-thread entry for sweep trials (train-sweep.ts): builds the train step's
 * estimator with a trial's params, fits it on the (shared-memory) training matrix and predicts
 * the validation rows. Metrics are computed by the caller, which owns the labels and the user's
 * custom metric functions.
 */
import type { FeatureMatrix } from '../ml/types.js';
import { buildEstimator, type TrainConfig } from '../steps/train-estimator.js';
import { serveWorkerTasks } from './worker-pool.js';

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
}

export interface TrialWorkerTask {
  /** The fixed params with the trial's merged over them. */
  params: Record<string, unknown>;
}

export interface TrialWorkerResult {
  /** Regression predictions, or predicted class indices. */
  yPred: Float64Array | Int32Array;
  proba?: Float64Array[];
  fitSeconds: number;
}

serveWorkerTasks<TrialWorkerTask, TrialWorkerResult>(async (task, payload) => {
  const p = payload as TrialWorkerPayload;
  const built = await buildEstimator({
    cfg: p.cfg,
    recipeDir: p.recipeDir,
    kind: p.kind,
    problemType: p.problemType,
    params: task.params,
  });
  const estimator = built.estimator;
  const started = performance.now();
  if (estimator.kind === 'regressor') {
    estimator.fit(p.X, p.y as Float64Array);
    const fitSeconds = (performance.now() - started) / 1000;
    return { yPred: Float64Array.from(estimator.predict(p.Xval)), fitSeconds };
  }
  estimator.fit(p.X, p.y as Int32Array, p.nClasses);
  const fitSeconds = (performance.now() - started) / 1000;
  const yPred = Int32Array.from(estimator.predict(p.Xval));
  const proba = estimator.predictProba(p.Xval).map((column) => Float64Array.from(column));
  return { yPred, proba, fitSeconds };
});
