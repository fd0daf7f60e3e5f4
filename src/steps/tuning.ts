/**
 * The train step's side of a hyperparameter sweep (`steps.train.tuning`). The sweep itself lives
 * in src/sweeps (samplers, worker threads, child runs), a layer above the steps; the engine hands
 * it to the train step as `StepContext.tune`. What the step needs to know without running a sweep
 * — whether one is configured, which recipe keys and user modules it reads, where its trials are
 * cached — is here, read from the (already validated) config.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/index.js';
import type { FeatureMatrix, Frame } from '../ml/types.js';
import type { TrainConfig } from './train-estimator.js';
import { userModuleFiles } from './user-module.js';

/** Where finished trials are kept, one JSON file per trial fingerprint. */
export const TRIAL_CACHE_DIR = join('.recipe', 'trials');

/** What the train step hands the sweep: its config and the data it already prepared. */
export type TuneRequest = NodeTuneRequest | PythonTuneRequest;

interface TuneRequestBase {
  cfg: TrainConfig | undefined;
  /** recipeProblem(): spelled out here, as types.ts imports this file. */
  problem: { problemType: 'regression' | 'classification'; targetCol: string; positiveClass?: string };
  train: Dataset;
  kind: 'regressor' | 'classifier';
}

/** mlrecipe's own estimators: trials fit on worker threads over the transformed features. */
export interface NodeTuneRequest extends TuneRequestBase {
  engine?: 'node';
  /** The fitted transformer and the columns it reads. */
  fitted: { transformer: { transform(frame: Frame): FeatureMatrix }; inputColumns: string[] };
  /** The transformed training features. */
  X: FeatureMatrix;
}

/**
 * A scikit-learn estimator from steps/train.py: trials fit in Python workers (the run's own, and
 * up to `parallelism - 1` more, started when that many trials are in flight), on rows sent to
 * each worker once.
 */
export interface PythonTuneRequest extends TuneRequestBase {
  engine: 'python';
  /** Interpreter, scikit-learn and pandas versions (part of every trial's fingerprint). */
  environment: Record<string, string>;
  /** The user modules the trials run (steps/train.py, steps/transform.py), for their fingerprints. */
  codeFiles: string[];
  /**
   * Sends the training rows (only `rows` of them, when given: sample_fraction) and the validation
   * rows to a worker; `parallelism` is how many trials may be fitted at once.
   */
  prepare(rows: Int32Array | undefined, options: { parallelism: number }): Promise<PythonTrialFitter>;
}

export interface PythonTrialFitter {
  /** estimator_method(params), fitted on the held rows; its validation predictions. */
  fit(params: Record<string, unknown>): Promise<{
    predictions: Float64Array | string[];
    proba?: Float64Array[];
    fitSeconds: number;
  }>;
  release(): Promise<void>;
}

export interface TuneResult {
  /** Fixed params merged with the winning trial's (or the fixed params alone if untuned won). */
  finalParams: Record<string, unknown>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  /** Card sections (CardSection) placed after the train card's summary. */
  sections: Array<{ title: string; html: string }>;
  cardData: Record<string, unknown>;
  /** A file the sweep wrote into the step's outDir (trials.json). */
  trialsFile: string;
}

export type Tuner = (request: TuneRequest) => Promise<TuneResult>;

interface RawTuning {
  enabled?: unknown;
  max_trials?: unknown;
  early_stop_fn?: unknown;
}

/** The tuning section when it is present and enabled. */
export function enabledTuning(cfg: TrainConfig | undefined): RawTuning | undefined {
  const tuning = cfg?.tuning as RawTuning | undefined;
  return tuning !== null && typeof tuning === 'object' && tuning.enabled === true ? tuning : undefined;
}

/** Recipe keys a tuned train step reads (its trials are scored by the primary metric). */
export function tuningRecipeKeys(cfg: TrainConfig | undefined): string[] {
  return enabledTuning(cfg) ? ['primary_metric', 'custom_metrics'] : [];
}

/** The module of a user early-stop function (`fn` → train, `module.fn` → module), if any. */
export function earlyStopModule(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^(?:hyperopt\.early_stop\.)?no_progress_loss\b/.test(trimmed)) return undefined;
  // MLflow's `steps.train.fn` form names the same module as `train.fn`.
  const text = trimmed.startsWith('steps.') ? trimmed.slice('steps.'.length) : trimmed;
  const dot = text.lastIndexOf('.');
  return dot > 0 ? text.slice(0, dot) : 'train';
}

/** User modules a tuned train step runs: custom metrics and an early-stop function's module. */
export function tuningCodeFiles(cfg: TrainConfig | undefined, recipeDir: string): string[] {
  const tuning = enabledTuning(cfg);
  if (!tuning) return [];
  const files: string[] = [];
  files.push(...userModuleFiles({ recipeDir, module: 'custom_metrics' }));
  const stopModule = earlyStopModule(tuning.early_stop_fn);
  if (stopModule) {
    for (const file of userModuleFiles({ recipeDir, module: stopModule })) {
      if (!files.includes(file)) files.push(file);
    }
  }
  return files;
}

/** For `recipe status`: a stale sweep resumes from the trials it already finished. */
export function tuningStatusNotes(cfg: TrainConfig | undefined, recipeDir: string): string[] {
  const tuning = enabledTuning(cfg);
  if (!tuning) return [];
  const dir = join(recipeDir, TRIAL_CACHE_DIR);
  const kept = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).length : 0;
  const max = typeof tuning.max_trials === 'number' ? `up to ${tuning.max_trials}` : 'several';
  return [
    kept > 0
      ? `a sweep of ${max} trials: trials whose data, config, params and code are unchanged are reused from the ${kept} finished in ${TRIAL_CACHE_DIR}`
      : `a sweep of ${max} trials, none finished yet`,
  ];
}
