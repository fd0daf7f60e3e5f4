/**
 * The recipe engine's public surface: load (recipe.yaml + profile → validated config with source
 * positions), plan (DAG + fingerprints), execute (cache-aware runner), status/inspect/clean/gc,
 * tracking of recipe runs, progress output, step cards and user modules.
 */

export { type CacheEntry, type CacheManifest, StepCache, type StepState } from './cache.js';
export * from '../steps/cards.js';
export type * from './config.js';
export {
  type RecipeRunRecorder,
  type RecorderFactory,
  recipeRunStatus,
  type RunRecipeOptions,
  type RunRecipeResult,
  runRecipe,
  type StepOutcome,
} from './execute.js';
export { canonicalJson, explainChange, type FingerprintInputs, fingerprintStep } from './fingerprint.js';
export { type GitLineage, gitLineage, gitLineageTags } from './git-lineage.js';
export {
  DEFAULT_PROFILE,
  type LoadedRecipe,
  type LoadRecipeOptions,
  type Locator,
  loadRecipe,
  RECIPE_FILE,
} from './load.js';
export { acquireRecipeLock, LockedError, type LockOwner, type RecipeLock } from './lock.js';
export {
  allTargets,
  defaultTargets,
  isStepKind,
  mlrecipeVersion,
  type PlanNode,
  planRecipe,
  type RecipePlan,
  stepsToRun,
} from './plan.js';
export { listProfiles, PROFILE_DIR } from './profiles.js';
export {
  createProgressReporter,
  detectProgressMode,
  formatDuration,
  type ProgressMode,
  type ProgressReporter,
  type StepRunState,
} from './progress.js';
export {
  endAbandonedRuns,
  flattenConfig,
  RUN_TAGS,
  recipeTrackingTarget,
  startRecipeRun,
  type TrackingRecorderOptions,
  trackingRecorder,
} from './record.js';
export { StatCache } from './stat-cache.js';
export { type RemoteCacheOptions, RemoteStepCache, remoteCacheUriFrom } from './remote-cache.js';
export {
  ALWAYS_RUNS,
  cleanRecipe,
  gcRecipe,
  type InspectStep,
  inspectRecipe,
  type RecipeStatusOptions,
  recipeStatus,
  type StepCacheState,
  type StepStatus,
  stepArtifactPath,
} from './status.js';
export { findUserModule, importUserModule, loadUserFunction, USER_MODULE_DIR } from '../steps/user-module.js';
export { didYouMean, recipeSchema, validateRecipeConfig } from './validate.js';
