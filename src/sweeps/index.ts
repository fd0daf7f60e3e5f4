/**
 * Hyperparameter sweeps: search spaces (hyperopt's distributions), samplers (TPE, random, grid),
 * early stopping, and the trial loop. Nothing here knows what a trial runs: the train step runs
 * recipe trials on worker threads, `recipe sweep` runs MLproject entry points.
 */
export {
  type Distribution,
  type DistributionKind,
  DISTRIBUTION_NAMES,
  describeDistribution,
  isIntegerDistribution,
  type ParamValue,
  parseSearchSpace,
  quantize,
  type SearchParameter,
  type SearchSpace,
  type SpaceIssue,
} from './space.js';
export { type Point, paramsToPoint, pointToParams, sampleFromPrior, samplePoint } from './prior.js';
export { deriveSeed, SweepRandom } from './rng.js';
export { HYPEROPT_TPE, MLRECIPE_TPE, type Observation, suggestTpe, type TpeOptions } from './tpe.js';
export {
  ALGORITHM_NAMES,
  type AlgorithmName,
  createSampler,
  gridValues,
  MAX_GRID_POINTS,
  parseAlgorithm,
  type Sampler,
  type SamplerOptions,
  TPE_IN_FLIGHT,
} from './samplers.js';
export {
  type EarlyStopFunction,
  type EarlyStopSpec,
  EarlyStopper,
  type FinishedTrial,
  noProgressLoss,
  parseEarlyStopSpec,
} from './early-stop.js';
export {
  runSweep,
  type RunSweepOptions,
  type SweepResult,
  type SweepTrial,
  type TrialResult,
  type TrialSpec,
} from './run-sweep.js';
export {
  DEFAULT_TUNING_SEED,
  parseTpeSettings,
  parseTuningConfig,
  TPE_PRESETS,
  type TuningConfig,
  type TuningIssue,
} from './tuning-config.js';
export {
  serveWorkerTasks,
  sharedCopy,
  WorkerPool,
  type WorkerPoolOptions,
  WorkerTaskError,
  type WorkerTaskHandler,
} from './worker-pool.js';
export {
  parameterText,
  type ProjectSweepOptions,
  type ProjectSweepResult,
  type ProjectSweepTrial,
  runProjectSweep,
  type SweepGoal,
} from './project-sweep.js';
export { TRIAL_TAGS } from './trial-tags.js';
export {
  builtinTrialMetrics,
  fitTrainTrial,
  type OpenTrialSessionOptions,
  type RemoteTrialOutcome,
  type RemoteTrialRequest,
  type TrainTrialInputs,
  trainTrialPool,
  type TrialExecutor,
  trialRunMetrics,
  type TrialSession,
  type TrialWorkerPayload,
  type TrialWorkerResult,
  type TrialWorkerTask,
  type ValidationTruth,
} from './train-trial.js';
