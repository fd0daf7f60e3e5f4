import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  tuningCodeFiles
} from "./chunk-chunk-VH62VMQR.js";
import {
  findUserModule
} from "./chunk-chunk-2HMFR572.js";

// src/steps/code-files.ts
function userModule(recipeDir, module) {
  const file = findUserModule({ recipeDir, module });
  return file ? [file] : [];
}
function transformCodeFiles(cfg, recipeDir) {
  return cfg?.using === "custom" ? userModule(recipeDir, "transform") : [];
}
function trainCodeFiles(cfg, recipeDir) {
  const files = cfg?.using === "custom" ? userModule(recipeDir, "train") : [];
  for (const file of tuningCodeFiles(cfg, recipeDir)) if (!files.includes(file)) files.push(file);
  return files;
}
function customMetricsCodeFiles(_cfg, recipeDir) {
  return userModule(recipeDir, "custom_metrics");
}

export {
  transformCodeFiles,
  trainCodeFiles,
  customMetricsCodeFiles
};
