/**
 * Building the train step's estimator from its config: a registry estimator (`estimator: {name,
 * params}`) or a user's `estimator_method` (`using: custom`). Shared by the step and by sweep
 * trials on worker threads, which build the same estimator with a trial's params merged over
 * the fixed ones.
 */
import { ConfigError, configFieldError, MlrecipeError } from '../errors.js';
import {
  createEstimator,
  estimatorNames,
  getEstimatorEntry,
  isRegistryState,
  loadEstimator,
  UnknownEstimatorError,
} from '../ml/estimators.js';
import type { Estimator } from '../ml/types.js';
import { asEstimatorState, CustomClassifier, CustomRegressor } from '../models/custom-components.js';
import type { ComponentSource } from '../models/pipeline.js';
import { findUserModule, loadUserFunction } from './user-module.js';
import type { TrainConfig } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { TrainConfig };

/** Estimators used when the recipe names none. */
export const DEFAULT_ESTIMATORS = {
  regression: 'linear_regression',
  classification: 'logistic_regression',
} as const;

export function configIssue(path: string, message: string, hint?: string): ConfigError {
  return new ConfigError([
    { file: 'recipe.yaml', line: 0, column: 0, path, message, ...(hint ? { hint } : {}) },
  ]);
}

export function isCustom(cfg: TrainConfig | undefined): boolean {
  return cfg?.using === 'custom';
}

/** The params fixed by the recipe: `estimator.params`, else `estimator_params` (MLflow's name). */
export function fixedParams(cfg: TrainConfig | undefined): Record<string, unknown> {
  if (isCustom(cfg)) return cfg?.estimator_params ?? {};
  return cfg?.estimator?.params ?? cfg?.estimator_params ?? {};
}

/**
 * Whether the recipe's registry estimator reads one-hot columns as category codes
 * (HistGradientBoosting with categorical_features), known before it is built: sweep trials get
 * the matrix it reads. A custom estimator's trials get the dense matrix.
 */
export function categoryCodesWanted(cfg: TrainConfig | undefined): boolean {
  if (isCustom(cfg) || !cfg?.estimator?.name?.startsWith('hist_gradient_boosting')) return false;
  const spec = fixedParams(cfg).categorical_features;
  return Array.isArray(spec) && spec.length > 0;
}

export interface BuiltEstimator {
  estimator: Estimator;
  source: ComponentSource;
  description: string;
  params: Record<string, string>;
}

export async function buildEstimator(options: {
  cfg: TrainConfig | undefined;
  recipeDir: string;
  kind: 'regressor' | 'classifier';
  problemType: 'regression' | 'classification';
  /** The params to build with (a trial's merged over the fixed ones); default fixedParams(cfg). */
  params?: Record<string, unknown>;
}): Promise<BuiltEstimator> {
  const { cfg, recipeDir, kind, problemType } = options;
  const params = options.params ?? fixedParams(cfg);
  if (isCustom(cfg)) {
    const method = cfg?.estimator_method;
    if (!method) {
      throw configIssue(
        'steps.train.estimator_method',
        'using: custom needs estimator_method',
        'name a function exported by steps/train.ts',
      );
    }
    const fn = await loadUserFunction({ recipeDir, step: 'train', name: method });
    const object = await fn(params);
    const origin = `steps/train.ts:${method}()`;
    const estimator =
      kind === 'regressor' ? new CustomRegressor(object, origin) : new CustomClassifier(object, origin);
    const modulePath = findUserModule({ recipeDir, module: 'train' }) ?? '';
    return {
      estimator,
      source: { kind: 'custom', modulePath, method, ...(Object.keys(params).length ? { params } : {}) },
      description: `custom:${method}`,
      params: stringParams(params),
    };
  }
  if (cfg?.using !== undefined && cfg.using !== 'estimator') {
    throw configIssue(
      'steps.train.using',
      `unknown value ${JSON.stringify(cfg.using)}`,
      'leave it out and set estimator: {name, params}, or use `custom` with estimator_method',
    );
  }
  const name = cfg?.estimator?.name ?? DEFAULT_ESTIMATORS[problemType];
  try {
    const estimator = createEstimator(name, params, kind);
    return {
      estimator,
      source: { kind: 'builtin' },
      description: name,
      params: stringParams((estimator as { params?: Record<string, unknown> }).params ?? params),
    };
  } catch (error) {
    if (error instanceof UnknownEstimatorError) {
      const unknownName = !estimatorNames().includes(name) || getEstimatorKind(name) !== kind;
      throw configFieldError(
        unknownName ? 'steps.train.estimator.name' : 'steps.train.estimator.params',
        error.message,
        error.hint ?? `use one of: ${error.names.join(', ')}`,
      );
    }
    // Nothing but the params reached the constructor: a value it refuses (ridge's alpha: -1) is a
    // config problem at the params, not a data problem.
    if (error instanceof MlrecipeError) {
      throw configFieldError(
        cfg?.estimator?.params !== undefined
          ? 'steps.train.estimator.params'
          : 'steps.train.estimator_params',
        error.message,
        error.hint ?? 'see docs/model-steps.md for the parameters each estimator takes',
      );
    }
    throw error;
  }
}

function getEstimatorKind(name: string): string | undefined {
  try {
    return getEstimatorEntry(name).kind;
  } catch {
    return undefined;
  }
}

export function stringParams(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))]),
  );
}

/**
 * A custom estimator that is really a registry estimator (its toJSON() returns a registry state)
 * is saved as that estimator: the model then loads without the user's module.
 */
export function unwrapBuiltin(built: BuiltEstimator): BuiltEstimator {
  const est = built.estimator;
  if (!(est instanceof CustomRegressor || est instanceof CustomClassifier)) return built;
  // Without toJSON() it cannot be a registry estimator; saveModel will say what is missing.
  if (!est.hasState) return built;
  const state = asEstimatorState(est.userState());
  if (!state || !isRegistryState(state)) return built;
  return { ...built, estimator: loadEstimator(state), source: { kind: 'builtin' } };
}
