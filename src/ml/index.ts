/**
 * The machine-learning surface: estimators (by class or through the registry by name), the
 * default ColumnTransformer, metrics with MLflow's names, and the shared shapes.
 */
export {
  HistGradientBoostingClassifier,
  type HistGradientBoostingParams,
  HistGradientBoostingRegressor,
} from './boosting.js';
export { ColumnTransformer, type InputColumn } from './column-transformer.js';
export { DecisionTreeClassifier, type DecisionTreeParams, DecisionTreeRegressor } from './decision-tree.js';
export {
  categoryCodeFeatureNames,
  categoryCodeFeatures,
  densify,
  encodedWidth,
  fromDense,
  readsCategoryCodes,
  readsCodes,
  transformEncoded,
} from './encoded-matrix.js';
export {
  createClassifier,
  createEstimator,
  createRegressor,
  type EstimatorEntry,
  type EstimatorKind,
  estimatorEntries,
  estimatorNames,
  getEstimatorEntry,
  isRegistryState,
  loadEstimator,
  UnknownEstimatorError,
} from './estimators.js';
export {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  type ForestParams,
  RandomForestClassifier,
  RandomForestRegressor,
} from './forest.js';
export { SimpleImputer } from './impute.js';
export { LinearRegression, type LinearRegressionParams } from './linear-regression.js';
export { LogisticRegression, type LogisticRegressionParams } from './logistic-regression.js';
export {
  accuracy_score,
  auc,
  type ClassificationMetricsInput,
  classificationMetrics,
  confusion_matrix,
  f1_score,
  log_loss,
  precision_recall_curve,
  precision_score,
  recall_score,
  roc_auc,
  roc_curve,
} from './metrics/classification.js';
export {
  max_error,
  mean_absolute_error,
  mean_absolute_percentage_error,
  mean_squared_error,
  r2_score,
  regressionMetrics,
  root_mean_squared_error,
} from './metrics/regression.js';
export { OneHotEncoder } from './one-hot.js';
export { Ridge, type RidgeParams } from './ridge.js';
export { StandardScaler } from './scale.js';
export { SGDClassifier, SGDRegressor } from './sgd.js';
export { KernelRidgeRegressor, PolynomialRegressor, TheilSenRegressor } from './small-data-models.js';
export type {
  Classifier,
  EncodedMatrix,
  EncodedRegressor,
  Estimator,
  EstimatorState,
  FeatureMatrix,
  Frame,
  FrameColumn,
  OneHotBlock,
  Regressor,
} from './types.js';
