/**
 * Worker-thread entry for sweep trials (train-sweep.ts, and the queue worker's trials): fits the
 * train step's estimator with a trial's params on the (shared-memory) training matrix and predicts
 * the validation rows. Metrics are computed by the caller, which owns the labels and the user's
 * custom metric functions.
 */
import {
  fitTrainTrial,
  type TrialWorkerPayload,
  type TrialWorkerResult,
  type TrialWorkerTask,
} from './train-trial.js';
import { serveWorkerTasks } from './worker-pool.js';

export type { TrialWorkerPayload, TrialWorkerResult, TrialWorkerTask } from './train-trial.js';

serveWorkerTasks<TrialWorkerTask, TrialWorkerResult>((task, payload) =>
  fitTrainTrial(payload as TrialWorkerPayload, task),
);
