/**
 * mlrecipe's model registry: registered models, versions, stages, aliases and tags in the
 * tracking store's database; model URIs (`runs:/`, `models:/`); registering a model's files.
 * Importing this module makes `loadModel` understand `runs:/` and `models:/` URIs.
 */
import { registerModelUriResolvers } from './model-uri.js';

export {
  getModelVersionForUri,
  type ParsedModelsUri,
  type ParsedRunsUri,
  parseModelsUri,
  parseRunsUri,
  quoteFilterString,
  registerModelUriResolvers,
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
  removeRegisteredFiles,
} from './register-model.js';
export { canonicalStage, parseVersion, validateAlias, validateModelName } from './registry-validation.js';
export {
  registryForTrackingStore,
  SqlModelRegistryStore,
  type SqlModelRegistryStoreOptions,
} from './sql-registry.js';
export * from './types.js';

registerModelUriResolvers();
