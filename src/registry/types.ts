/**
 * MLflow's model registry model (mlflow/entities/model_registry, REST API 2.0
 * `/api/2.0/mlflow/registered-models/*`, `/model-versions/*`). Field names are MLflow's JSON
 * names so these objects go unchanged into `--output json` and REST responses.
 *
 * Versions are decimal strings counted per model from "1". Stages are MLflow's four; aliases
 * (MLflow ≥ 2.3) name exactly one version each. Times are ms since the epoch.
 */
import type { Tag } from '../tracking/types.js';

export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived';
export const MODEL_STAGES: readonly ModelStage[] = ['None', 'Staging', 'Production', 'Archived'];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: ModelStage;
  description: string;
  user_id: string;
  /** Where the version's files are (an absolute path or URI the artifact layer can read). */
  source: string;
  run_id: string;
  run_link: string;
  status: ModelVersionStatus;
  status_message: string;
  tags: Tag[];
  aliases: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  /** The newest version per stage, as MLflow's `latest_versions`. */
  latest_versions: ModelVersion[];
  tags: Tag[];
  aliases: RegisteredModelAlias[];
}

export interface CreateModelVersionOptions {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  userId?: string;
  tags?: Tag[];
  description?: string;
  /**
   * READY by default (MLflow's SQL store creates versions READY). `registerModel` on a SQL
   * registry creates PENDING_REGISTRATION, copies the files, then marks the version READY with
   * `SqlModelRegistryStore.updateModelVersionStatus`. MLflow's REST API has no status: a
   * tracking server's registry (rest-registry.ts) accepts READY only.
   */
  status?: ModelVersionStatus;
}

export interface UpdateModelVersionStatusOptions {
  status: ModelVersionStatus;
  statusMessage?: string;
  /** Replaces the version's source, e.g. with the final location of its copied files. */
  source?: string;
}

export interface SearchRegistryOptions {
  /** `name = '…'`, `name LIKE '…'`, `tags.k = '…'`; for versions also `run_id = '…'`, `source_path = '…'`. */
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

/**
 * The registry lives in the tracking store's database (SqlModelRegistryStore), or behind a
 * tracking server's REST API (RestModelRegistryStore); the same behavioural tests run on each.
 * Failures are StoreErrors with MLflow's error codes (RESOURCE_DOES_NOT_EXIST,
 * RESOURCE_ALREADY_EXISTS, INVALID_PARAMETER_VALUE).
 */
export interface ModelRegistryStore {
  createRegisteredModel(
    name: string,
    options?: { tags?: Tag[]; description?: string },
  ): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(
    options?: SearchRegistryOptions,
  ): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  /** Where the version's files can be downloaded from (MLflow's get-download-uri). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: string): Promise<void>;
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]>;
  searchModelVersions(
    options?: SearchRegistryOptions,
  ): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }>;
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;

  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}
