import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/steps/output-files.ts
var MODEL_DIR = "model";
var VALIDATION_FILE = "validation.json";
var METRICS_FILE = "metrics.json";

export {
  MODEL_DIR,
  VALIDATION_FILE,
  METRICS_FILE
};
