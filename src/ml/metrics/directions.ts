/**
 * The built-in metrics a recipe can rank or gate on, per problem type, and which way is better:
 * the names MLflow's default evaluator logs (and regressionMetrics / classificationMetrics
 * compute). `primary_metric`, `validation_criteria` and `custom_metrics` are checked against these
 * before any step runs. Counts such as example_count are logged but rank nothing, so they are not
 * here.
 */
export type MetricProblemType = 'regression' | 'classification';

export const BUILTIN_METRIC_DIRECTIONS: Readonly<
  Record<MetricProblemType, Readonly<Record<string, boolean>>>
> = {
  regression: {
    mean_absolute_error: false,
    mean_squared_error: false,
    root_mean_squared_error: false,
    max_error: false,
    mean_absolute_percentage_error: false,
    r2_score: true,
  },
  classification: {
    accuracy_score: true,
    precision_score: true,
    recall_score: true,
    f1_score: true,
    roc_auc: true,
    precision_recall_auc: true,
    log_loss: false,
    true_positives: true,
    true_negatives: true,
    false_positives: false,
    false_negatives: false,
  },
};

/** Every built-in metric of either problem type → whether greater is better. */
export const ALL_BUILTIN_METRIC_DIRECTIONS: Readonly<Record<string, boolean>> = {
  ...BUILTIN_METRIC_DIRECTIONS.regression,
  ...BUILTIN_METRIC_DIRECTIONS.classification,
};

/** MLflow Recipes' default primary metric (recipes/utils/metrics.py DEFAULT_METRICS). */
export const DEFAULT_PRIMARY_METRIC: Readonly<Record<MetricProblemType, string>> = {
  regression: 'root_mean_squared_error',
  classification: 'f1_score',
};
