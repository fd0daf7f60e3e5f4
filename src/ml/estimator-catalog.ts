/**
 * What recipe.yaml may say about each registry estimator: its kind, a one-line description and
 * its parameters with scikit-learn's names and defaults. It imports no estimator code, so a recipe
 * is checked (unknown estimator, unknown parameter, wrong type) before any step runs without
 * loading the training code; src/ml/estimators.ts builds its registry from these entries, and
 * test/ml/estimator-catalog.test.ts checks that every class takes exactly these parameters.
 */
export type EstimatorKind = 'regressor' | 'classifier';

/** A parameter's default; `null` means "none" (e.g. max_depth, random_state). */
export type ParamDefault = number | string | boolean | null;

/** The JSON type of a parameter's value, as recipe validation checks it. */
export type ParamType = 'number' | 'string' | 'boolean' | 'list';

export interface EstimatorSpec {
  kind: EstimatorKind;
  /** One line for `--help` output and docs. */
  description: string;
  params: Readonly<Record<string, ParamDefault>>;
  /**
   * Parameters that take more than their default's type (max_features: 'sqrt' or a number;
   * early_stopping: 'auto' or a boolean). Others take their default's type, or a number when
   * the default is null; null is accepted everywhere.
   */
  paramTypes?: Readonly<Record<string, readonly ParamType[]>>;
}

/** The types a parameter's value may have (see EstimatorSpec.paramTypes). */
export function paramTypesOf(spec: EstimatorSpec, param: string): readonly ParamType[] {
  const listed = spec.paramTypes?.[param];
  if (listed) return listed;
  const fallback = spec.params[param];
  return [fallback === null ? 'number' : (typeof fallback as ParamType)];
}

const SGD_COMMON = {
  penalty: 'l2',
  alpha: 0.0001,
  max_iter: 1000,
  tol: 0.001,
  shuffle: true,
  random_state: null,
  early_stopping: false,
  validation_fraction: 0.1,
  n_iter_no_change: 5,
  fit_intercept: true,
  epsilon: 0.1,
} as const;

const TREE_COMMON = {
  max_depth: null,
  min_samples_split: 2,
  min_samples_leaf: 1,
  max_features: null,
  min_impurity_decrease: 0,
  random_state: null,
} as const;

const MAX_FEATURES_TYPES = { max_features: ['number', 'string'] } as const;

/** scikit-learn's forest parameters shared by random forests and extra trees. */
const FOREST_COMMON = {
  n_estimators: 100,
  max_depth: null,
  min_samples_split: 2,
  min_samples_leaf: 1,
  min_impurity_decrease: 0,
  max_samples: null,
  oob_score: false,
  random_state: null,
  n_jobs: null,
} as const;

/** scikit-learn 1.2's HistGradientBoosting parameters. */
const BOOSTING_COMMON = {
  learning_rate: 0.1,
  max_iter: 100,
  max_leaf_nodes: 31,
  max_depth: null,
  min_samples_leaf: 20,
  l2_regularization: 0,
  max_bins: 255,
  early_stopping: 'auto',
  categorical_features: null,
  validation_fraction: 0.1,
  n_iter_no_change: 10,
  tol: 1e-7,
  random_state: null,
  n_jobs: null,
} as const;

const BOOSTING_TYPES = { early_stopping: ['string', 'boolean'], categorical_features: ['list'] } as const;

export const ESTIMATOR_CATALOG: Readonly<Record<string, EstimatorSpec>> = {
  linear_regression: {
    kind: 'regressor',
    description: 'ordinary least squares (scikit-learn LinearRegression)',
    params: { fit_intercept: true },
  },
  ridge: {
    kind: 'regressor',
    description: 'L2-penalised least squares (scikit-learn Ridge)',
    params: { alpha: 1, fit_intercept: true },
  },
  sgd_regressor: {
    kind: 'regressor',
    description: 'stochastic gradient descent (scikit-learn SGDRegressor)',
    params: { loss: 'squared_error', learning_rate: 'invscaling', eta0: 0.01, power_t: 0.25, ...SGD_COMMON },
  },
  decision_tree_regressor: {
    kind: 'regressor',
    description: 'histogram CART (scikit-learn DecisionTreeRegressor)',
    params: { criterion: 'squared_error', ...TREE_COMMON },
    paramTypes: MAX_FEATURES_TYPES,
  },
  random_forest_regressor: {
    kind: 'regressor',
    description: 'random forest of histogram trees (scikit-learn RandomForestRegressor)',
    params: { criterion: 'squared_error', max_features: null, bootstrap: true, ...FOREST_COMMON },
    paramTypes: MAX_FEATURES_TYPES,
  },
  extra_trees_regressor: {
    kind: 'regressor',
    description: 'extremely randomised trees (scikit-learn ExtraTreesRegressor)',
    params: { criterion: 'squared_error', max_features: null, bootstrap: false, ...FOREST_COMMON },
    paramTypes: MAX_FEATURES_TYPES,
  },
  hist_gradient_boosting_regressor: {
    kind: 'regressor',
    description: 'histogram gradient boosting (scikit-learn HistGradientBoostingRegressor)',
    params: { loss: 'squared_error', ...BOOSTING_COMMON },
    paramTypes: BOOSTING_TYPES,
  },
  polynomial: {
    kind: 'regressor',
    description: 'polynomial in one feature, small data (ml-regression)',
    params: { degree: 2 },
  },
  theil_sen: {
    kind: 'regressor',
    description: 'Theil-Sen robust line, one feature, small data (ml-regression)',
    params: {},
  },
  kernel_ridge: {
    kind: 'regressor',
    description: 'kernel ridge regression, small data (ml-regression)',
    params: { alpha: 1, kernel: 'linear', gamma: null, degree: 3, coef0: 1 },
  },
  logistic_regression: {
    kind: 'classifier',
    description: 'L2 logistic regression, binary and multinomial',
    params: { penalty: 'l2', C: 1, fit_intercept: true, max_iter: 100, tol: 0.0001, multi_class: 'auto' },
  },
  sgd_classifier: {
    kind: 'classifier',
    description: 'stochastic gradient descent (scikit-learn SGDClassifier)',
    params: { loss: 'hinge', learning_rate: 'optimal', eta0: 0, power_t: 0.5, ...SGD_COMMON },
  },
  decision_tree_classifier: {
    kind: 'classifier',
    description: 'histogram CART (scikit-learn DecisionTreeClassifier)',
    params: { criterion: 'gini', ...TREE_COMMON },
    paramTypes: MAX_FEATURES_TYPES,
  },
  random_forest_classifier: {
    kind: 'classifier',
    description: 'random forest of histogram trees (scikit-learn RandomForestClassifier)',
    params: { criterion: 'gini', max_features: 'sqrt', bootstrap: true, ...FOREST_COMMON },
    paramTypes: MAX_FEATURES_TYPES,
  },
  extra_trees_classifier: {
    kind: 'classifier',
    description: 'extremely randomised trees (scikit-learn ExtraTreesClassifier)',
    params: { criterion: 'gini', max_features: 'sqrt', bootstrap: false, ...FOREST_COMMON },
    paramTypes: MAX_FEATURES_TYPES,
  },
  hist_gradient_boosting_classifier: {
    kind: 'classifier',
    description:
      'histogram gradient boosting, binary and multiclass (scikit-learn HistGradientBoostingClassifier)',
    params: { loss: 'log_loss', ...BOOSTING_COMMON },
    paramTypes: BOOSTING_TYPES,
  },
};

/** Registered names, optionally only regressors or only classifiers, in registry order. */
export function catalogNames(kind?: EstimatorKind): string[] {
  return Object.entries(ESTIMATOR_CATALOG)
    .filter(([, spec]) => kind === undefined || spec.kind === kind)
    .map(([name]) => name);
}
