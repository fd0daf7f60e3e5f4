/**
 * MLflow Recipes' `steps.train.tuning` section, checked and resolved (MLflow 2.12's TrainStep
 * defaults: algorithm hyperopt.rand.suggest, parallelism 1, sample_fraction 1; max_trials and
 * parameters required when enabled). Pure: issues carry paths relative to the section, and the
 * recipe validator turns them into file:line:column.
 */
import { type EarlyStopSpec, parseEarlyStopSpec } from './early-stop.js';
import {
  ALGORITHM_NAMES,
  type AlgorithmName,
  gridValues,
  MAX_GRID_POINTS,
  parseAlgorithm,
} from './samplers.js';
import { parseSearchSpace, type SearchParameter, type SpaceIssue } from './space.js';
import { HYPEROPT_TPE, MLRECIPE_TPE, type TpeOptions } from './tpe.js';

export interface TuningConfig {
  maxTrials: number;
  algorithm: AlgorithmName;
  parallelism: number;
  /** Fraction of the training rows each trial fits on, sampled with a fixed seed. */
  sampleFraction: number;
  earlyStop?: EarlyStopSpec;
  seed: number;
  space: SearchParameter[];
  /** TPE's settings (`tuning.tpe`, mlrecipe's own); hyperopt's `tpe.suggest` defaults when absent. */
  tpe?: Required<TpeOptions>;
}

/** The seed when the recipe sets none (hyperopt's fmin would draw one; a recipe must repeat). */
export const DEFAULT_TUNING_SEED = 42;

export type TuningIssue = SpaceIssue;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `undefined` config when tuning is absent or `enabled: false`; otherwise the resolved config, or
 * the issues that prevent it.
 */
export function parseTuningConfig(raw: unknown): { config?: TuningConfig; issues: TuningIssue[] } {
  if (raw === undefined || raw === null) return { issues: [] };
  const issues: TuningIssue[] = [];
  if (!isRecord(raw) || typeof raw.enabled !== 'boolean') {
    // MLflow 2.12's wording (TrainStep._validate_and_apply_step_config).
    issues.push({
      path: isRecord(raw) && raw.enabled !== undefined ? ['enabled'] : [],
      message:
        "The 'tuning' configuration in the train step must include an 'enabled' key whose value is either true or false.",
      hint: 'add `enabled: true` to run the sweep, or `enabled: false` to keep the section without running it',
    });
    return { issues };
  }
  if (!raw.enabled) return { issues };
  const maxTrials = raw.max_trials;
  if (maxTrials === undefined) {
    issues.push({
      path: [],
      message: "The 'max_trials' configuration in the train step must be provided.",
      hint: 'add e.g. `max_trials: 40` under tuning',
    });
  } else if (typeof maxTrials !== 'number' || !Number.isInteger(maxTrials) || maxTrials < 1) {
    issues.push({
      path: ['max_trials'],
      message: `max_trials must be a positive integer, not ${JSON.stringify(maxTrials)}`,
    });
  }
  const algorithmText = raw.algorithm ?? 'hyperopt.rand.suggest';
  const algorithm = typeof algorithmText === 'string' ? parseAlgorithm(algorithmText) : undefined;
  if (!algorithm) {
    issues.push({
      path: ['algorithm'],
      message: `unknown tuning algorithm ${JSON.stringify(algorithmText)}`,
      hint: `use one of: ${ALGORITHM_NAMES.join(', ')}`,
    });
  }
  const parallelism = raw.parallelism ?? 1;
  if (typeof parallelism !== 'number' || !Number.isInteger(parallelism) || parallelism < 1) {
    issues.push({
      path: ['parallelism'],
      message: `parallelism must be a positive integer, not ${JSON.stringify(parallelism)}`,
    });
  }
  const sampleFraction = raw.sample_fraction ?? 1;
  if (typeof sampleFraction !== 'number' || !(sampleFraction > 0 && sampleFraction <= 1)) {
    issues.push({
      path: ['sample_fraction'],
      message: "The tuning 'sample_fraction' configuration in the train step must be between 0 and 1.",
      hint: 'a fraction of the training rows such as 0.5; 1 (the default) uses them all',
    });
  }
  const seed = raw.seed ?? DEFAULT_TUNING_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) {
    issues.push({
      path: ['seed'],
      message: `seed must be a non-negative integer, not ${JSON.stringify(seed)}`,
    });
  }
  let earlyStop: EarlyStopSpec | undefined;
  if (raw.early_stop_fn !== undefined) {
    const parsed =
      typeof raw.early_stop_fn === 'string'
        ? parseEarlyStopSpec(raw.early_stop_fn)
        : { error: 'must be a string' };
    if ('error' in parsed) {
      issues.push({
        path: ['early_stop_fn'],
        message: `early_stop_fn: ${parsed.error}`,
        hint: 'use no_progress_loss(N) or the name of a function exported by steps/train.ts',
      });
    } else earlyStop = parsed;
  }
  let tpe: Required<TpeOptions> | undefined;
  if (raw.tpe !== undefined) {
    if (algorithm !== undefined && algorithm !== 'tpe') {
      issues.push({
        path: ['tpe'],
        message: `tpe settings apply to algorithm hyperopt.tpe.suggest, not ${JSON.stringify(algorithmText)}`,
        hint: 'remove the tpe section, or set algorithm: hyperopt.tpe.suggest',
      });
    } else {
      const parsed = parseTpeSettings(raw.tpe);
      for (const issue of parsed.issues) issues.push({ ...issue, path: ['tpe', ...issue.path] });
      tpe = parsed.tpe;
    }
  }
  if (raw.parameters === undefined) {
    issues.push({
      path: [],
      message: "The 'parameters' configuration in the train step must be provided when tuning is enabled.",
      hint: 'add parameters: {name: {values: [...]} or {distribution: ..., ...}}',
    });
    return { issues };
  }
  const { space, issues: spaceIssues } = parseSearchSpace(raw.parameters);
  for (const issue of spaceIssues) issues.push({ ...issue, path: ['parameters', ...issue.path] });
  if (algorithm === 'grid' && spaceIssues.length === 0) {
    const grid = gridValues(space);
    if ('error' in grid) {
      issues.push({
        path: ['parameters', grid.error.name],
        message: grid.error.message,
        hint: 'give it values: [...], or a quniform/randint distribution, or use algorithm tpe or random',
      });
    } else {
      const size = grid.values.reduce((n, v) => n * v.length, 1);
      if (size > MAX_GRID_POINTS) {
        issues.push({
          path: ['parameters'],
          message: `the grid has ${size} points, more than ${MAX_GRID_POINTS}`,
        });
      }
    }
  }
  if (issues.length > 0) return { issues };
  return {
    config: {
      maxTrials: maxTrials as number,
      algorithm: algorithm as AlgorithmName,
      parallelism: parallelism as number,
      sampleFraction: sampleFraction as number,
      ...(earlyStop ? { earlyStop } : {}),
      seed: seed as number,
      space,
      ...(tpe ? { tpe } : {}),
    },
    issues,
  };
}

/** `tuning.tpe` presets: hyperopt's `tpe.suggest` defaults, and mlrecipe's tuned settings. */
export const TPE_PRESETS: Readonly<Record<string, Required<TpeOptions>>> = {
  hyperopt: HYPEROPT_TPE,
  mlrecipe: MLRECIPE_TPE,
};

/** `tuning.tpe`'s keys (mlrecipe's own names; hyperopt's suggest() takes the same settings as arguments). */
const TPE_KNOBS = [
  'preset',
  'startup_trials',
  'gamma',
  'good_trials',
  'candidates',
  'multivariate',
  'prior_weight',
];

/**
 * `tuning.tpe`: a preset name (`hyperopt`, the default, or `mlrecipe`), or a mapping of a `preset`
 * and knobs that override it. Paths in the issues are relative to the `tpe` key.
 */
export function parseTpeSettings(raw: unknown): { tpe?: Required<TpeOptions>; issues: TuningIssue[] } {
  const presetHint = `use one of: ${Object.keys(TPE_PRESETS).join(', ')}`;
  if (typeof raw === 'string') {
    const preset = TPE_PRESETS[raw];
    if (preset) return { tpe: { ...preset }, issues: [] };
    return { issues: [{ path: [], message: `unknown tpe preset ${JSON.stringify(raw)}`, hint: presetHint }] };
  }
  if (!isRecord(raw)) {
    return {
      issues: [
        {
          path: [],
          message: 'tpe must be a preset name or a mapping of settings',
          hint: 'e.g. tpe: mlrecipe, or tpe: {startup_trials: 10, gamma: 0.25, candidates: 24, multivariate: false}',
        },
      ],
    };
  }
  const issues: TuningIssue[] = [];
  for (const key of Object.keys(raw)) {
    if (!TPE_KNOBS.includes(key)) {
      issues.push({
        path: [key],
        message: `unknown tpe setting "${key}"`,
        hint: `use one of: ${TPE_KNOBS.join(', ')}`,
      });
    }
  }
  let base: Required<TpeOptions> = HYPEROPT_TPE;
  if (raw.preset !== undefined) {
    const preset = typeof raw.preset === 'string' ? TPE_PRESETS[raw.preset] : undefined;
    if (preset) base = preset;
    else
      issues.push({
        path: ['preset'],
        message: `unknown tpe preset ${JSON.stringify(raw.preset)}`,
        hint: presetHint,
      });
  }
  const tpe: Required<TpeOptions> = { ...base };
  const integer = (key: string, min: number, hint: string, set: (v: number) => void) => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) set(v);
    else
      issues.push({
        path: [key],
        message: `${key} must be an integer of at least ${min}, not ${JSON.stringify(v)}`,
        hint,
      });
  };
  integer('startup_trials', 0, "hyperopt's is 20; mlrecipe's preset 8", (v) => {
    tpe.nStartupJobs = v;
  });
  integer('candidates', 1, "hyperopt's is 24", (v) => {
    tpe.nEiCandidates = v;
  });
  if (raw.gamma !== undefined) {
    if (typeof raw.gamma === 'number' && raw.gamma > 0 && raw.gamma <= 1) tpe.gamma = raw.gamma;
    else
      issues.push({
        path: ['gamma'],
        message: `gamma must be a number in (0, 1], not ${JSON.stringify(raw.gamma)}`,
        hint: "hyperopt's is 0.25 (good trials: ceil(0.25 * sqrt(n))); Optuna's 0.1 with good_trials: linear",
      });
  }
  if (raw.good_trials !== undefined) {
    if (raw.good_trials === 'sqrt' || raw.good_trials === 'linear') tpe.split = raw.good_trials;
    else
      issues.push({
        path: ['good_trials'],
        message: `good_trials must be sqrt or linear, not ${JSON.stringify(raw.good_trials)}`,
        hint: 'sqrt: ceil(gamma * sqrt(n)) trials are good (hyperopt); linear: ceil(gamma * n) (Optuna)',
      });
  }
  if (raw.multivariate !== undefined) {
    if (typeof raw.multivariate === 'boolean') tpe.multivariate = raw.multivariate;
    else
      issues.push({
        path: ['multivariate'],
        message: `multivariate must be true or false, not ${JSON.stringify(raw.multivariate)}`,
        hint: 'false models each parameter alone (hyperopt); true models them jointly',
      });
  }
  if (raw.prior_weight !== undefined) {
    if (typeof raw.prior_weight === 'number' && raw.prior_weight > 0) tpe.priorWeight = raw.prior_weight;
    else
      issues.push({
        path: ['prior_weight'],
        message: `prior_weight must be a positive number, not ${JSON.stringify(raw.prior_weight)}`,
        hint: "hyperopt's is 1.0",
      });
  }
  return issues.length > 0 ? { issues } : { tpe, issues };
}
