/**
 * Scale-out on PostgreSQL (issue 21): graphile-worker jobs in the team's database, `recipe worker`
 * processes that run them, and the executor that puts a train sweep's trials on the queue.
 */
export {
  type TrialJobInputs,
  type ProjectJobPayload,
  type TrialJobPayload,
  TRIAL_JOB_FORMAT,
  parseProjectPayload,
  parseTrialPayload,
  PayloadError,
} from './payloads.js';
export { PROJECT_MAX_ATTEMPTS, queueProjectExecutor } from './project-executor.js';
export { packProject, unpackProject } from './project-bundle.js';
export { PROJECT_TASK, prepareQueueSchema, QUEUE_WORKER_TAG, TRIAL_TASK } from './schema.js';
export { type QueueStatus, queueStatus, type QueueWorkerRow } from './status.js';
export {
  type QueueExecutorOptions,
  QUEUE_INPUTS_DIR,
  queueTrialExecutor,
  TRIAL_MAX_ATTEMPTS,
} from './trial-executor.js';
export { decodeTrialInputs, encodeTrialInputs } from './trial-inputs.js';
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  type QueueWorker,
  type QueueWorkerOptions,
  startQueueWorker,
  WORKER_TASKS,
  type WorkerTaskKind,
} from './worker.js';
