/**
 * The estimator registry: the names recipe.yaml's `estimator: {name, params}` accepts, each
 * mapped to its class. A saved model names its estimator the same way (EstimatorState.name), so
 * `loadEstimator` rebuilds any estimator from pipeline.json.
 */
import { EXIT_USAGE, MlrecipeError } from '../errors.js';
import { catalogNames, ESTIMATOR_CATALOG, type EstimatorKind } from './estimator-catalog.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './boosting.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js';
import {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
} from './forest.js';
import { LinearRegression } from './linear-regression.js';
import { LogisticRegression } from './logistic-regression.js';
import { Ridge } from './ridge.js';
import { SGDClassifier, SGDRegressor } from './sgd.js';
import { KernelRidgeRegressor, PolynomialRegressor, TheilSenRegressor } from './small-data-models.js';
import type { Classifier, Estimator, EstimatorState, Regressor } from './types.js';

export type { EstimatorKind } from './estimator-catalog.js';

interface EstimatorClass<E extends Estimator> {
  /** The name the class writes into EstimatorState.name. */
  readonly estimatorName: string;
  new (params?: Record<string, unknown>): E;
  fromJSON(state: EstimatorState): E;
}

export interface EstimatorEntry {
  name: string;
  kind: EstimatorKind;
  /** One line for `--help` output and docs. */
  description: string;
  /** The class's own state name when it differs from the registry name (polynomial_regression). */
  stateName: string;
  create(params: Record<string, unknown>): Estimator;
  fromJSON(state: EstimatorState): Estimator;
}

/** A registry entry: kind and description come from the catalog, the code from `cls`. */
function entry<E extends Estimator>(name: string, cls: EstimatorClass<E>): EstimatorEntry {
  const spec = ESTIMATOR_CATALOG[name];
  if (!spec) throw new Error(`internal: estimator "${name}" is not in src/ml/estimator-catalog.ts`);
  return {
    name,
    kind: spec.kind,
    description: spec.description,
    stateName: cls.estimatorName,
    create: (params) => new cls(params),
    fromJSON: (state) => cls.fromJSON(state),
  };
}

const CLASSES: Readonly<Record<string, EstimatorClass<Estimator>>> = {
  linear_regression: LinearRegression,
  ridge: Ridge,
  sgd_regressor: SGDRegressor,
  decision_tree_regressor: DecisionTreeRegressor,
  random_forest_regressor: RandomForestRegressor,
  extra_trees_regressor: ExtraTreesRegressor,
  hist_gradient_boosting_regressor: HistGradientBoostingRegressor,
  polynomial: PolynomialRegressor,
  theil_sen: TheilSenRegressor,
  kernel_ridge: KernelRidgeRegressor,
  logistic_regression: LogisticRegression,
  sgd_classifier: SGDClassifier,
  decision_tree_classifier: DecisionTreeClassifier,
  random_forest_classifier: RandomForestClassifier,
  extra_trees_classifier: ExtraTreesClassifier,
  hist_gradient_boosting_classifier: HistGradientBoostingClassifier,
};

const ENTRIES: readonly EstimatorEntry[] = catalogNames().map((name) => {
  const cls = CLASSES[name];
  if (!cls) throw new Error(`internal: no class for the catalog's estimator "${name}"`);
  return entry(name, cls);
});

const REGISTRY: ReadonlyMap<string, EstimatorEntry> = new Map(ENTRIES.map((e) => [e.name, e]));
/** Saved states carry the class's name; most equal the registry name. */
const BY_STATE_NAME: ReadonlyMap<string, EstimatorEntry> = new Map(ENTRIES.map((e) => [e.stateName, e]));

/**
 * An estimator name that is not in the registry, or params it does not take. Exit 2, like a
 * config error; the train step turns it into a ConfigError pointing at recipe.yaml.
 */
export class UnknownEstimatorError extends MlrecipeError {
  override readonly code = 'UNKNOWN_ESTIMATOR';
  override readonly exitCode = EXIT_USAGE;
  /** The names that would have been accepted. */
  readonly names: string[];
  constructor(message: string, names: string[], hint?: string) {
    super(message, { hint: hint ?? `use one of: ${names.join(', ')}` });
    this.names = names;
  }
}

/** Registered names, optionally only regressors or only classifiers. */
export function estimatorNames(kind?: EstimatorKind): string[] {
  return ENTRIES.filter((e) => kind === undefined || e.kind === kind).map((e) => e.name);
}

export function estimatorEntries(): readonly EstimatorEntry[] {
  return ENTRIES;
}

export function getEstimatorEntry(name: string, kind?: EstimatorKind): EstimatorEntry {
  const found = REGISTRY.get(name);
  const names = estimatorNames(kind);
  if (!found) {
    throw new UnknownEstimatorError(`unknown estimator "${name}"`, names);
  }
  if (kind !== undefined && found.kind !== kind) {
    throw new UnknownEstimatorError(
      `estimator "${name}" is a ${found.kind}, but this recipe needs a ${kind}`,
      names,
      `use one of: ${names.join(', ')}`,
    );
  }
  return found;
}

/**
 * A new, unfitted estimator. Params use scikit-learn's names; a name the estimator does not take
 * is an error listing the ones it does (a typo would otherwise silently train with the default).
 */
export function createEstimator(
  name: string,
  params: Record<string, unknown> = {},
  kind?: EstimatorKind,
): Estimator {
  const found = getEstimatorEntry(name, kind);
  const estimator = found.create(params);
  const known = knownParams(estimator);
  if (known) {
    const unknown = Object.keys(params).filter((key) => !known.includes(key));
    if (unknown.length > 0) {
      throw new UnknownEstimatorError(
        `estimator "${name}" has no parameter${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')}`,
        estimatorNames(kind),
        known.length ? `its parameters are ${known.join(', ')}` : `${name} takes no parameters`,
      );
    }
  }
  return estimator;
}

function knownParams(estimator: Estimator): string[] | undefined {
  const params = (estimator as { params?: unknown }).params;
  return params !== null && typeof params === 'object' ? Object.keys(params) : undefined;
}

export function createRegressor(name: string, params: Record<string, unknown> = {}): Regressor {
  return createEstimator(name, params, 'regressor') as Regressor;
}

export function createClassifier(name: string, params: Record<string, unknown> = {}): Classifier {
  return createEstimator(name, params, 'classifier') as Classifier;
}

/** Rebuilds a fitted estimator from its `toJSON()` state. */
export function loadEstimator(state: EstimatorState): Estimator {
  const found = BY_STATE_NAME.get(state.name) ?? REGISTRY.get(state.name);
  if (!found) {
    throw new UnknownEstimatorError(
      `the saved estimator "${state.name}" is not one this mlrecipe knows`,
      estimatorNames(),
      'the model was saved by a newer mlrecipe, or is corrupted',
    );
  }
  return found.fromJSON(state);
}

/** True when a saved state names a registry estimator (so it loads without user code). */
export function isRegistryState(state: EstimatorState): boolean {
  return BY_STATE_NAME.has(state.name);
}
