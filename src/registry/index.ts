/**
 * mlrecipe's model registry: registered models, versions, stages, aliases and tags in the
 * tracking store's database or on a tracking server; model URIs (`runs:/`, `models:/`); registering a model's files.
 * Importing it has no side effects: model URIs resolve through `resolveModelDirectory` and
 * `loadModelFromUri`.
 */

export {
  getModelVersionForUri,
  loadModelFromUri,
  modelUriResolvers,
  modelVersionFiles,
  type ParsedModelsUri,
  type ParsedRunsUri,
  parseModelsUri,
  parseRunsUri,
  quoteFilterString,
  registeredModelToScore,
  resolveModelDirectory,
  resolveModelsUri,
  resolveRunsUri,
} from './model-uri.js';
export { modelVersionDirectory } from './version-files.js';
export { type OpenModelRegistryOptions, openModelRegistry, openModelRegistryFor } from './open-registry.js';
export {
  modelDirectoryName,
  type RegisterModelOptions,
  type RegistryWithArtifacts,
  registerModel,
  registryModelsRoot,
  removeRegisteredCopies,
  removeRegisteredFiles,
} from './register-model.js';
export { canonicalStage, parseVersion, validateAlias, validateModelName } from './registry-validation.js';
export { type OpenedModelRegistry, registryForTrackingStore } from './registry-for-store.js';
export { RestModelRegistryStore, type RestModelRegistryStoreOptions } from './rest-registry.js';
export { SqlModelRegistryStore, type SqlModelRegistryStoreOptions } from './sql-registry.js';
export * from './types.js';
