import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/steps/types.ts
var STEP_KINDS = [
  "ingest",
  "split",
  "transform",
  "train",
  "evaluate",
  "register",
  "ingest_scoring",
  "predict"
];
var STEP_INPUTS = {
  ingest: [],
  split: ["ingest"],
  transform: ["split"],
  train: ["split", "transform"],
  evaluate: ["split", "train"],
  // register re-scores the candidate and the baseline on split's test rows.
  register: ["split", "train", "evaluate"],
  ingest_scoring: [],
  predict: ["ingest_scoring"]
};
var STEP_RECIPE_KEYS = {
  ingest: [],
  split: ["recipe", "target_col"],
  transform: ["recipe", "target_col"],
  train: ["recipe", "target_col", "positive_class"],
  evaluate: ["recipe", "target_col", "positive_class", "primary_metric", "custom_metrics"],
  register: ["recipe", "primary_metric", "model_registry"],
  ingest_scoring: [],
  // predict names its score columns after train's settings.
  predict: [
    "recipe",
    "target_col",
    "positive_class",
    "steps.train.predict_scores_for_all_classes",
    "steps.train.predict_prefix"
  ]
};

export {
  STEP_KINDS,
  STEP_INPUTS,
  STEP_RECIPE_KEYS
};
