import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/ml/estimator-catalog.ts
var SGD_COMMON = {
  penalty: "l2",
  alpha: 1e-4,
  max_iter: 1e3,
  tol: 1e-3,
  shuffle: true,
  random_state: null,
  early_stopping: false,
  validation_fraction: 0.1,
  n_iter_no_change: 5,
  fit_intercept: true,
  epsilon: 0.1
};
var TREE_COMMON = {
  max_depth: null,
  min_samples_split: 2,
  min_samples_leaf: 1,
  max_features: null,
  min_impurity_decrease: 0,
  random_state: null
};
var ESTIMATOR_CATALOG = {
  linear_regression: {
    kind: "regressor",
    description: "ordinary least squares (scikit-learn LinearRegression)",
    params: { fit_intercept: true }
  },
  ridge: {
    kind: "regressor",
    description: "L2-penalised least squares (scikit-learn Ridge)",
    params: { alpha: 1, fit_intercept: true }
  },
  sgd_regressor: {
    kind: "regressor",
    description: "stochastic gradient descent (scikit-learn SGDRegressor)",
    params: { loss: "squared_error", learning_rate: "invscaling", eta0: 0.01, power_t: 0.25, ...SGD_COMMON }
  },
  decision_tree_regressor: {
    kind: "regressor",
    description: "histogram CART (scikit-learn DecisionTreeRegressor)",
    params: { criterion: "squared_error", ...TREE_COMMON }
  },
  polynomial: {
    kind: "regressor",
    description: "polynomial in one feature, small data (ml-regression)",
    params: { degree: 2 }
  },
  theil_sen: {
    kind: "regressor",
    description: "Theil-Sen robust line, one feature, small data (ml-regression)",
    params: {}
  },
  kernel_ridge: {
    kind: "regressor",
    description: "kernel ridge regression, small data (ml-regression)",
    params: { alpha: 1, kernel: "linear", gamma: null, degree: 3, coef0: 1 }
  },
  logistic_regression: {
    kind: "classifier",
    description: "L2 logistic regression, binary and multinomial",
    params: { penalty: "l2", C: 1, fit_intercept: true, max_iter: 100, tol: 1e-4, multi_class: "auto" }
  },
  sgd_classifier: {
    kind: "classifier",
    description: "stochastic gradient descent (scikit-learn SGDClassifier)",
    params: { loss: "hinge", learning_rate: "optimal", eta0: 0, power_t: 0.5, ...SGD_COMMON }
  },
  decision_tree_classifier: {
    kind: "classifier",
    description: "histogram CART (scikit-learn DecisionTreeClassifier)",
    params: { criterion: "gini", ...TREE_COMMON }
  }
};
function catalogNames(kind) {
  return Object.entries(ESTIMATOR_CATALOG).filter(([, spec]) => kind === void 0 || spec.kind === kind).map(([name]) => name);
}

export {
  ESTIMATOR_CATALOG,
  catalogNames
};
