import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/tracking/types.ts
var RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];
var MAX_METRICS_PER_BATCH = 1e3;
var MAX_PARAMS_PER_BATCH = 100;
var MAX_TAGS_PER_BATCH = 100;
var MAX_ENTITIES_PER_BATCH = 1e3;
var MAX_PARAM_VALUE_LENGTH = 6e3;
var MAX_TAG_VALUE_LENGTH = 5e3;
var MAX_ENTITY_KEY_LENGTH = 250;
var MAX_DATASET_NAME_LENGTH = 500;
var MAX_DATASET_DIGEST_LENGTH = 36;
var MAX_DATASET_SOURCE_LENGTH = 65535;
var MAX_DATASET_SCHEMA_LENGTH = 65535;
var MAX_DATASET_PROFILE_LENGTH = 16777215;
var MAX_INPUT_TAG_KEY_LENGTH = 255;
var MAX_INPUT_TAG_VALUE_LENGTH = 500;
var DATASET_CONTEXT_TAG = "mlflow.data.context";
var DEFAULT_EXPERIMENT_ID = "0";
var DEFAULT_EXPERIMENT_NAME = "Default";
var TAGS = {
  runName: "mlflow.runName",
  parentRunId: "mlflow.parentRunId",
  user: "mlflow.user",
  sourceType: "mlflow.source.type",
  sourceName: "mlflow.source.name",
  gitCommit: "mlflow.source.git.commit",
  gitBranch: "mlflow.source.git.branch",
  gitRepoUrl: "mlflow.source.git.repoURL",
  projectEntryPoint: "mlflow.project.entryPoint",
  projectBackend: "mlflow.project.backend",
  note: "mlflow.note.content"
};

export {
  RUN_STATUSES,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  MAX_ENTITIES_PER_BATCH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_PROFILE_LENGTH,
  MAX_INPUT_TAG_KEY_LENGTH,
  MAX_INPUT_TAG_VALUE_LENGTH,
  DATASET_CONTEXT_TAG,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  TAGS
};
