/**
 * The user modules that make up each step's code identity (`Step.codeFiles`), kept apart from the
 * steps' run() code: planning a recipe fingerprints every step, and must not load the training
 * code (estimators, the model stack) to do so. The step modules use these same functions, so the
 * plan-time and run-time views of a step cannot drift (test/recipes/step-registry.test.ts checks both).
 */
import { tuningCodeFiles } from './tuning.js';
import { userModuleFiles } from './user-module.js';
import type { SplitConfig, TrainConfig } from './recipe-config.js';

/** `steps/<module>.{ts,js,…}` and `steps/<module>.py`, those that exist. */
function userModule(recipeDir: string, module: string): string[] {
  return userModuleFiles({ recipeDir, module });
}

/** split: `steps/split.*` when a `post_split_filter_method` or a custom `split_method` comes from it. */
export function splitCodeFiles(cfg: SplitConfig | undefined, recipeDir: string): string[] {
  if (!cfg?.post_split_filter_method && !(cfg?.using === 'custom' && cfg.split_method)) return [];
  return userModule(recipeDir, 'split');
}

/** transform: `steps/transform.*` when `using: custom`. */
export function transformCodeFiles(cfg: { using?: string } | undefined, recipeDir: string): string[] {
  return cfg?.using === 'custom' ? userModule(recipeDir, 'transform') : [];
}

/**
 * train: `steps/train.*` when `using: custom`; with tuning enabled also the modules a sweep runs
 * (custom metrics, an early-stop function's module).
 */
export function trainCodeFiles(cfg: TrainConfig | undefined, recipeDir: string): string[] {
  const files = cfg?.using === 'custom' ? userModule(recipeDir, 'train') : [];
  for (const file of tuningCodeFiles(cfg, recipeDir)) if (!files.includes(file)) files.push(file);
  return files;
}

/** evaluate and register: `steps/custom_metrics.*`, which `custom_metrics` functions come from. */
export function customMetricsCodeFiles(_cfg: unknown, recipeDir: string): string[] {
  return userModule(recipeDir, 'custom_metrics');
}
