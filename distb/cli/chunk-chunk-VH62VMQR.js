import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  findUserModule
} from "./chunk-chunk-2HMFR572.js";

// src/steps/tuning.ts
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
var TRIAL_CACHE_DIR = join(".recipe", "trials");
function enabledTuning(cfg) {
  const tuning = cfg?.tuning;
  return tuning !== null && typeof tuning === "object" && tuning.enabled === true ? tuning : void 0;
}
function tuningRecipeKeys(cfg) {
  return enabledTuning(cfg) ? ["primary_metric", "custom_metrics"] : [];
}
function earlyStopModule(value) {
  if (typeof value !== "string") return void 0;
  const text = value.trim();
  if (/^(?:hyperopt\.early_stop\.)?no_progress_loss\b/.test(text)) return void 0;
  const dot = text.lastIndexOf(".");
  return dot > 0 ? text.slice(0, dot) : "train";
}
function tuningCodeFiles(cfg, recipeDir) {
  const tuning = enabledTuning(cfg);
  if (!tuning) return [];
  const files = [];
  const metrics = findUserModule({ recipeDir, module: "custom_metrics" });
  if (metrics) files.push(metrics);
  const stopModule = earlyStopModule(tuning.early_stop_fn);
  if (stopModule) {
    const file = findUserModule({ recipeDir, module: stopModule });
    if (file && !files.includes(file)) files.push(file);
  }
  return files;
}
function tuningStatusNotes(cfg, recipeDir) {
  const tuning = enabledTuning(cfg);
  if (!tuning) return [];
  const dir = join(recipeDir, TRIAL_CACHE_DIR);
  const kept = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).length : 0;
  const max = typeof tuning.max_trials === "number" ? `up to ${tuning.max_trials}` : "several";
  return [
    kept > 0 ? `a sweep of ${max} trials: trials whose data, config, params and code are unchanged are reused from the ${kept} finished in ${TRIAL_CACHE_DIR}` : `a sweep of ${max} trials, none finished yet`
  ];
}

export {
  TRIAL_CACHE_DIR,
  enabledTuning,
  tuningRecipeKeys,
  tuningCodeFiles,
  tuningStatusNotes
};
