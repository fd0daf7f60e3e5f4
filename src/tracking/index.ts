/**
 * mlrecipe's tracking module: MLflow's tracking model, its stores (SQLite, PostgreSQL), the
 * local artifact repository, tracking-URI resolution and the client API for training scripts.
 * Other modules import tracking only from here.
 */

// The artifact repository's own logArtifact(uri, …) / logArtifacts(uri, …) stay reachable through
// LocalArtifactRepository; the bare names belong to the fluent client API below, as in mlflow.
export {
  downloadArtifacts,
  type ArtifactLogOptions,
  type FileInfo,
  LocalArtifactRepository,
  listArtifacts,
  localPathFromArtifactUri,
  normaliseArtifactPath,
} from './artifact-repo.js';
export {
  type ArtifactRepository,
  type ArtifactRepositoryOptions,
  artifactRepositoryForUri,
  isLocalArtifactUri,
  proxiedArtifactLocation,
} from './artifact-repository.js';
export {
  ARTIFACT_CACHE_GRACE_MS,
  artifactCacheDir,
  artifactCacheMaxBytes,
  type CachedDownloadOptions,
  DEFAULT_ARTIFACT_CACHE_MAX_BYTES,
  downloadArtifactDirectory,
  type PruneArtifactCacheOptions,
  type PruneArtifactCacheResult,
  pruneArtifactCache,
} from './artifact-cache.js';
export { HttpArtifactRepository, type HttpArtifactRepositoryOptions } from './http-artifact-repo.js';
export { makeS3Client, parseS3Uri, S3ArtifactRepository, type S3ArtifactRepositoryOptions } from './s3-artifact-repo.js';
export {
  ActiveRun,
  activeRun,
  endRun,
  getTrackingClient,
  type LoggableValue,
  type LogMetricOptions,
  logArtifact,
  logArtifacts,
  logBatchChunked,
  logInput,
  logMetric,
  logMetrics,
  logParam,
  logParams,
  type StartRunOptions,
  setExperiment,
  setTag,
  setTags,
  setTrackingUri,
  startRun,
  TrackingClient,
  type TrackingClientOptions,
} from './client.js';
export { type ExportRunsOptions, type ExportRunsResult, exportRuns } from './export-runs.js';
export {
  type ImportedRunReport,
  type ImportRunsOptions,
  type ImportRunsResult,
  importRuns,
  readMlflowFileStore,
  type SourceExperiment,
  type SourceRun,
} from './import-runs.js';
export { type OpenTrackingStoreOptions, openTrackingStore } from './open-store.js';
export { RestClient, type RestClientOptions } from './rest-client.js';
export { RestTrackingStore, type RestTrackingStoreOptions } from './rest-store.js';
export { endOrphanedRuns, RUNNER_TAGS, runnerTags } from './orphaned-runs.js';
export {
  fileUriForPath,
  findRepoRoot,
  type ResolvedTrackingUri,
  type ResolveTrackingUriOptions,
  resolveTrackingUri,
  sqlitePathFromUri,
  sqliteUriForPath,
  type TrackingBackend,
  type TrackingUriSource,
} from './tracking-uri.js';
export * from './types.js';
