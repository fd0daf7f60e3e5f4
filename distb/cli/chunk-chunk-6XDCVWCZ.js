import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/ml/metrics/directions.ts
var BUILTIN_METRIC_DIRECTIONS = {
  regression: {
    mean_absolute_error: false,
    mean_squared_error: false,
    root_mean_squared_error: false,
    max_error: false,
    mean_absolute_percentage_error: false,
    r2_score: true
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
    false_negatives: false
  }
};
var ALL_BUILTIN_METRIC_DIRECTIONS = {
  ...BUILTIN_METRIC_DIRECTIONS.regression,
  ...BUILTIN_METRIC_DIRECTIONS.classification
};

export {
  BUILTIN_METRIC_DIRECTIONS,
  ALL_BUILTIN_METRIC_DIRECTIONS
};
