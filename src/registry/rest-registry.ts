/**
 * The model registry of a tracking server, over MLflow's REST API 2.0
 * (`/api/2.0/mlflow/registered-models/*`, `/model-versions/*`, mlflow/protos/model_registry.proto,
 * 2.12): what `registryForTrackingStore` hands out for `http(s)://` tracking URIs, so the register
 * step and `recipe models …` work against `recipe server` or MLflow's own server.
 *
 * Errors: input is checked here with the SQL registry's own validators before anything is sent,
 * so a malformed name, version, alias or tag fails with the same INVALID_PARAMETER_VALUE and
 * message on every backend; the server's answers become StoreErrors with its `error_code`
 * (RESOURCE_DOES_NOT_EXIST, RESOURCE_ALREADY_EXISTS, …) through RestClient, and mlrecipe's server
 * answers with the SQL registry's own messages.
 *
 * MLflow's REST API creates versions READY and has no call to change a version's status, so this
 * registry refuses `status` other than READY; `registerModel` uploads a version's files before
 * creating it instead (register-model.ts).
 */
import { StoreError } from '../errors.js';
import type { RestClient, Tag } from '../tracking/index.js';
import {
  canonicalStage,
  parseVersion,
  validateAlias,
  validateDescription,
  validateModelName,
  validateRegistryTag,
} from './registry-validation.js';
import {
  type CreateModelVersionOptions,
  MODEL_STAGES,
  type ModelRegistryStore,
  type ModelStage,
  type ModelVersion,
  type ModelVersionStatus,
  type RegisteredModel,
  type SearchRegistryOptions,
} from './types.js';

/** A model version as protobuf JSON carries it: unset strings and empty lists are left out. */
interface RawModelVersion {
  name: string;
  version: string | number;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  current_stage?: string;
  description?: string;
  user_id?: string;
  source?: string;
  run_id?: string;
  run_link?: string;
  status?: string;
  status_message?: string;
  tags?: Array<{ key: string; value?: string }>;
  aliases?: string[];
}

interface RawRegisteredModel {
  name: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  latest_versions?: RawModelVersion[];
  tags?: Array<{ key: string; value?: string }>;
  aliases?: Array<{ alias: string; version: string | number }>;
}

const STATUSES: readonly ModelVersionStatus[] = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'];

function tagsOf(raw: Array<{ key: string; value?: string }> | undefined): Tag[] {
  return (raw ?? []).map((tag) => ({ key: tag.key, value: tag.value ?? '' }));
}

function versionOf(raw: RawModelVersion): ModelVersion {
  return {
    name: raw.name,
    version: String(raw.version),
    creation_timestamp: Number(raw.creation_timestamp ?? 0),
    last_updated_timestamp: Number(raw.last_updated_timestamp ?? 0),
    current_stage: MODEL_STAGES.find((stage) => stage === raw.current_stage) ?? 'None',
    description: raw.description ?? '',
    user_id: raw.user_id ?? '',
    source: raw.source ?? '',
    run_id: raw.run_id ?? '',
    run_link: raw.run_link ?? '',
    // MLflow's server leaves the enum's default out: an absent status is READY's absence only
    // when the server never set one, and MLflow sets READY on create.
    status: STATUSES.find((status) => status === raw.status) ?? 'READY',
    status_message: raw.status_message ?? '',
    tags: tagsOf(raw.tags),
    aliases: raw.aliases ?? [],
  };
}

function modelOf(raw: RawRegisteredModel): RegisteredModel {
  return {
    name: raw.name,
    creation_timestamp: Number(raw.creation_timestamp ?? 0),
    last_updated_timestamp: Number(raw.last_updated_timestamp ?? 0),
    description: raw.description ?? '',
    latest_versions: (raw.latest_versions ?? []).map(versionOf),
    tags: tagsOf(raw.tags),
    aliases: (raw.aliases ?? []).map((alias) => ({ alias: alias.alias, version: String(alias.version) })),
  };
}

function searchArgs(options: SearchRegistryOptions): Record<string, unknown> {
  return {
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.maxResults !== undefined ? { max_results: options.maxResults } : {}),
    ...(options.orderBy && options.orderBy.length > 0 ? { order_by: options.orderBy } : {}),
    ...(options.pageToken ? { page_token: options.pageToken } : {}),
  };
}

export interface RestModelRegistryStoreOptions {
  client: RestClient;
  /** Closes what this registry owns; absent when it borrows an open tracking store's client. */
  close?: () => Promise<void>;
}

export class RestModelRegistryStore implements ModelRegistryStore {
  /** The server's base URL (`http(s)://host:port[/prefix]`). */
  readonly baseUrl: string;
  /** Credentials and retry settings, for artifact uploads next to the registry's calls. */
  readonly env: Record<string, string | undefined>;
  private readonly client: RestClient;
  private readonly onClose?: () => Promise<void>;

  constructor(options: RestModelRegistryStoreOptions) {
    this.client = options.client;
    this.baseUrl = options.client.baseUrl;
    this.env = options.client.env;
    this.onClose = options.close;
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }

  // ---- registered models ---------------------------------------------------------------------

  async createRegisteredModel(
    name: string,
    options: { tags?: Tag[]; description?: string } = {},
  ): Promise<RegisteredModel> {
    validateModelName(name);
    for (const tag of options.tags ?? []) validateRegistryTag(tag);
    if (options.description !== undefined) validateDescription(options.description);
    const answer = await this.client.call<{ registered_model: RawRegisteredModel }>(
      'POST',
      '/registered-models/create',
      {
        name,
        ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
      },
    );
    return modelOf(answer.registered_model);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const answer = await this.client.call<{ registered_model: RawRegisteredModel }>(
      'GET',
      '/registered-models/get',
      { name },
    );
    return modelOf(answer.registered_model);
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, 'new name');
    const answer = await this.client.call<{ registered_model: RawRegisteredModel }>(
      'POST',
      '/registered-models/rename',
      { name, new_name: newName },
    );
    return modelOf(answer.registered_model);
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    validateModelName(name);
    validateDescription(description);
    const answer = await this.client.call<{ registered_model: RawRegisteredModel }>(
      'PATCH',
      '/registered-models/update',
      { name, description },
    );
    return modelOf(answer.registered_model);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    validateModelName(name);
    await this.client.call('DELETE', '/registered-models/delete', { name });
  }

  async searchRegisteredModels(
    options: SearchRegistryOptions = {},
  ): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }> {
    const answer = await this.client.call<{
      registered_models?: RawRegisteredModel[];
      next_page_token?: string;
    }>('GET', '/registered-models/search', searchArgs(options));
    const registered_models = (answer.registered_models ?? []).map(modelOf);
    return answer.next_page_token
      ? { registered_models, next_page_token: answer.next_page_token }
      : { registered_models };
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateModelName(name);
    validateRegistryTag(tag);
    await this.client.call('POST', '/registered-models/set-tag', { name, key: tag.key, value: tag.value });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    await this.client.call('DELETE', '/registered-models/delete-tag', { name, key });
  }

  // ---- model versions ------------------------------------------------------------------------

  async createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    validateModelName(options.name);
    if (typeof options.source !== 'string') {
      throw new StoreError('INVALID_PARAMETER_VALUE', "Parameter 'source' must be a string.");
    }
    for (const tag of options.tags ?? []) validateRegistryTag(tag);
    if (options.description !== undefined) validateDescription(options.description);
    if (options.status !== undefined && options.status !== 'READY') {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `A tracking server creates model versions READY; status ${options.status} cannot be sent over MLflow's REST API.`,
        { hint: 'upload the files first, then create the version (registerModel does so)' },
      );
    }
    const answer = await this.client.call<{ model_version: RawModelVersion }>(
      'POST',
      '/model-versions/create',
      {
        name: options.name,
        source: options.source,
        ...(options.runId ? { run_id: options.runId } : {}),
        ...(options.runLink ? { run_link: options.runLink } : {}),
        ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
      },
    );
    return versionOf(answer.model_version);
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name);
    const answer = await this.client.call<{ model_version: RawModelVersion }>('GET', '/model-versions/get', {
      name,
      version: String(parseVersion(version)),
    });
    return versionOf(answer.model_version);
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(version);
    validateDescription(description);
    const answer = await this.client.call<{ model_version: RawModelVersion }>(
      'PATCH',
      '/model-versions/update',
      { name, version: String(number), description },
    );
    return versionOf(answer.model_version);
  }

  async deleteModelVersion(name: string, version: string): Promise<void> {
    validateModelName(name);
    await this.client.call('DELETE', '/model-versions/delete', {
      name,
      version: String(parseVersion(version)),
    });
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(version);
    const target = canonicalStage(stage);
    const answer = await this.client.call<{ model_version: RawModelVersion }>(
      'POST',
      '/model-versions/transition-stage',
      { name, version: String(number), stage: target, archive_existing_versions: archiveExistingVersions },
    );
    return versionOf(answer.model_version);
  }

  async getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted = stages === undefined || stages.length === 0 ? undefined : stages.map(canonicalStage);
    const answer = await this.client.call<{ model_versions?: RawModelVersion[] }>(
      'POST',
      '/registered-models/get-latest-versions',
      { name, ...(wanted ? { stages: wanted } : {}) },
    );
    return (answer.model_versions ?? []).map(versionOf);
  }

  async searchModelVersions(
    options: SearchRegistryOptions = {},
  ): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
    const answer = await this.client.call<{ model_versions?: RawModelVersion[]; next_page_token?: string }>(
      'GET',
      '/model-versions/search',
      searchArgs(options),
    );
    const model_versions = (answer.model_versions ?? []).map(versionOf);
    return answer.next_page_token
      ? { model_versions, next_page_token: answer.next_page_token }
      : { model_versions };
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateRegistryTag(tag);
    await this.client.call('POST', '/model-versions/set-tag', {
      name,
      version: String(number),
      key: tag.key,
      value: tag.value,
    });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    await this.client.call('DELETE', '/model-versions/delete-tag', { name, version: String(number), key });
  }

  /** Where the version's files can be downloaded from (MLflow's get-download-uri). */
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    validateModelName(name);
    const answer = await this.client.call<{ artifact_uri?: string }>(
      'GET',
      '/model-versions/get-download-uri',
      {
        name,
        version: String(parseVersion(version)),
      },
    );
    return answer.artifact_uri ?? '';
  }

  // ---- aliases -------------------------------------------------------------------------------

  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(version);
    await this.client.call('POST', '/registered-models/alias', { name, alias, version: String(number) });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    await this.client.call('DELETE', '/registered-models/alias', { name, alias });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAlias(alias);
    try {
      const answer = await this.client.call<{ model_version: RawModelVersion }>(
        'GET',
        '/registered-models/alias',
        { name, alias },
      );
      return versionOf(answer.model_version);
    } catch (error) {
      // MLflow 2.12's server (and ours, which answers as it does) reports a missing alias of an
      // existing model as INVALID_PARAMETER_VALUE; the store interface says RESOURCE_DOES_NOT_EXIST,
      // as the SQL registry does.
      if (
        error instanceof StoreError &&
        error.mlflowErrorCode === 'INVALID_PARAMETER_VALUE' &&
        /^Registered model alias .* not found\./.test(error.message)
      ) {
        throw new StoreError('RESOURCE_DOES_NOT_EXIST', error.message.split('\n')[0], {
          hint: `set it with \`recipe models alias ${name} ${alias} <version>\``,
          cause: error,
        });
      }
      throw error;
    }
  }
}
