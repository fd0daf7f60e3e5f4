/**
 * The model registry service of MLflow's REST API 2.0 (mlflow/protos/model_registry.proto,
 * handlers in mlflow/server/handlers.py, 2.12): registered models, versions, stages, tags and
 * aliases over a ModelRegistryStore.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../../errors.js';
import { canonicalStage, type ModelVersion, type RegisteredModel } from '../../registry/index.js';
import { type Endpoint, type HandlerContext, int, required, str, strings, tagsOf } from './endpoint.js';
import { invalidParameter } from './request.js';
import { schemas } from './schemas.js';

function isLocalSource(source: string): boolean {
  return source.startsWith('file:') || isAbsolute(source) || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(source);
}

function localPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : resolve(uri);
}

/**
 * MLflow's `_validate_source` (2.12): a local source is only accepted with a run_id and inside
 * that run's artifact directory (otherwise any client could register, and later download, any
 * file on the server); a remote source must not climb with `..` or hide a NUL byte.
 */
async function validateSource(source: string, runId: string | undefined, ctx: HandlerContext): Promise<void> {
  if (isLocalSource(source)) {
    if (runId) {
      const run = await ctx.store.getRun(runId);
      if (isLocalSource(run.info.artifact_uri)) {
        const root = localPath(run.info.artifact_uri);
        const candidate = localPath(source);
        if (candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep)) return;
      }
    }
    throw invalidParameter(
      `Invalid model version source: '${source}'. A local path is accepted as a model version source only with run_id, and only inside that run's artifact directory.`,
    );
  }
  let decoded = source;
  for (let previous = ''; previous !== decoded;) {
    previous = decoded;
    try {
      decoded = decodeURIComponent(decoded.replace(/\+/g, ' '));
    } catch {
      break;
    }
  }
  const path = decoded
    .replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:(\/\/[^/]*)?/, '')
    .replace(/\/+/g, '/')
    .replace(/\/$/, '');
  const segments = path.split('/');
  if (decoded.includes('\0') || segments.includes('..') || segments.includes('.')) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. Give an absolute location without relative path references.`,
    );
  }
}

/**
 * MLflow 2.12's SQL registry fills a version's `aliases` only where it answers for that one
 * version (create, get, get-by-alias, update, transition-stage); the versions in search results,
 * get-latest-versions and a registered model's `latest_versions` come without them (the model's
 * own `aliases` list has them all). MLflow's clients see exactly that, so the server answers so.
 */
function listedVersion(version: ModelVersion): ModelVersion {
  return { ...version, aliases: [] };
}

function listedModel(model: RegisteredModel): RegisteredModel {
  return { ...model, latest_versions: model.latest_versions.map(listedVersion) };
}

export const registryEndpoints: Endpoint[] = [
  {
    method: 'POST',
    path: '/mlflow/registered-models/create',
    schema: schemas.createRegisteredModel,
    permission: { resource: 'create' },
    async handle(args, { registry }) {
      const model = await registry.createRegisteredModel(required(args, 'name'), {
        tags: tagsOf(args),
        description: str(args, 'description'),
      });
      return { registered_model: listedModel(model) };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/registered-models/get',
    schema: schemas.modelName,
    permission: { resource: 'model', from: 'name', level: 'read' },
    async handle(args, { registry }) {
      return { registered_model: listedModel(await registry.getRegisteredModel(required(args, 'name'))) };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/registered-models/rename',
    schema: schemas.renameRegisteredModel,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      return {
        registered_model: listedModel(
          await registry.renameRegisteredModel(required(args, 'name'), required(args, 'new_name')),
        ),
      };
    },
  },
  {
    method: 'PATCH',
    path: '/mlflow/registered-models/update',
    schema: schemas.updateRegisteredModel,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      return {
        registered_model: listedModel(
          await registry.updateRegisteredModel(required(args, 'name'), str(args, 'description') ?? ''),
        ),
      };
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/registered-models/delete',
    schema: schemas.modelName,
    permission: { resource: 'model', from: 'name', level: 'delete' },
    async handle(args, { registry }) {
      await registry.deleteRegisteredModel(required(args, 'name'));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/registered-models/search',
    schema: schemas.searchRegistry,
    permission: { resource: 'none' },
    async handle(args, { registry }) {
      const page = await registry.searchRegisteredModels({
        filter: str(args, 'filter') || undefined,
        maxResults: int(args, 'max_results'),
        orderBy: strings(args, 'order_by'),
        pageToken: str(args, 'page_token') || undefined,
      });
      return { ...page, registered_models: page.registered_models.map(listedModel) };
    },
  },
  ...(['POST', 'GET'] as const).map((method): Endpoint => ({
    method,
    path: '/mlflow/registered-models/get-latest-versions',
    schema: schemas.getLatestVersions,
    permission: { resource: 'model', from: 'name', level: 'read' },
    async handle(args, { registry }) {
      const stages = strings(args, 'stages');
      const versions = await registry.getLatestVersions(
        required(args, 'name'),
        stages && stages.length > 0 ? stages.map((stage) => canonicalStage(stage)) : undefined,
      );
      return { model_versions: versions.map(listedVersion) };
    },
  })),
  {
    method: 'POST',
    path: '/mlflow/registered-models/set-tag',
    schema: schemas.modelTag,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      await registry.setRegisteredModelTag(required(args, 'name'), {
        key: required(args, 'key'),
        value: str(args, 'value') ?? '',
      });
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/registered-models/delete-tag',
    schema: schemas.deleteModelTag,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      await registry.deleteRegisteredModelTag(required(args, 'name'), required(args, 'key'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/registered-models/alias',
    schema: schemas.setAlias,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      await registry.setRegisteredModelAlias(
        required(args, 'name'),
        required(args, 'alias'),
        required(args, 'version'),
      );
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/registered-models/alias',
    schema: schemas.alias,
    permission: { resource: 'model', from: 'name', level: 'delete' },
    async handle(args, { registry }) {
      await registry.deleteRegisteredModelAlias(required(args, 'name'), required(args, 'alias'));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/registered-models/alias',
    schema: schemas.alias,
    permission: { resource: 'model', from: 'name', level: 'read' },
    async handle(args, { registry }) {
      const name = required(args, 'name');
      try {
        return { model_version: await registry.getModelVersionByAlias(name, required(args, 'alias')) };
      } catch (error) {
        // MLflow 2.12's server answers a missing alias of an existing model with
        // INVALID_PARAMETER_VALUE (400), a missing model with RESOURCE_DOES_NOT_EXIST (404).
        if (error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST') {
          await registry.getRegisteredModel(name);
          throw new StoreError('INVALID_PARAMETER_VALUE', error.message, { hint: error.hint, cause: error });
        }
        throw error;
      }
    },
  },
  {
    method: 'POST',
    path: '/mlflow/model-versions/create',
    schema: schemas.createModelVersion,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, ctx) {
      const source = required(args, 'source');
      const runId = str(args, 'run_id') || undefined;
      await validateSource(source, runId, ctx);
      const version = await ctx.registry.createModelVersion({
        name: required(args, 'name'),
        source,
        runId,
        runLink: str(args, 'run_link') || undefined,
        tags: tagsOf(args),
        description: str(args, 'description'),
        userId: ctx.username,
      });
      return { model_version: version };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/model-versions/get',
    schema: schemas.modelVersion,
    permission: { resource: 'model', from: 'name', level: 'read' },
    async handle(args, { registry }) {
      return {
        model_version: await registry.getModelVersion(required(args, 'name'), required(args, 'version')),
      };
    },
  },
  {
    method: 'PATCH',
    path: '/mlflow/model-versions/update',
    schema: schemas.updateModelVersion,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      return {
        model_version: await registry.updateModelVersion(
          required(args, 'name'),
          required(args, 'version'),
          str(args, 'description') ?? '',
        ),
      };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/model-versions/transition-stage',
    schema: schemas.transitionStage,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      return {
        model_version: await registry.transitionModelVersionStage(
          required(args, 'name'),
          required(args, 'version'),
          canonicalStage(required(args, 'stage')),
          args.archive_existing_versions === true,
        ),
      };
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/model-versions/delete',
    schema: schemas.modelVersion,
    permission: { resource: 'model', from: 'name', level: 'delete' },
    async handle(args, { registry }) {
      await registry.deleteModelVersion(required(args, 'name'), required(args, 'version'));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/model-versions/search',
    schema: schemas.searchRegistry,
    permission: { resource: 'none' },
    async handle(args, { registry }) {
      const page = await registry.searchModelVersions({
        filter: str(args, 'filter') || undefined,
        maxResults: int(args, 'max_results'),
        orderBy: strings(args, 'order_by'),
        pageToken: str(args, 'page_token') || undefined,
      });
      return { ...page, model_versions: page.model_versions.map(listedVersion) };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/model-versions/get-download-uri',
    schema: schemas.modelVersion,
    permission: { resource: 'model', from: 'name', level: 'read' },
    async handle(args, { registry }) {
      const version = await registry.getModelVersion(required(args, 'name'), required(args, 'version'));
      // MLflow's SQL registry answers the version's source as stored.
      return { artifact_uri: version.source };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/model-versions/set-tag',
    schema: schemas.modelVersionTag,
    permission: { resource: 'model', from: 'name', level: 'update' },
    async handle(args, { registry }) {
      await registry.setModelVersionTag(required(args, 'name'), required(args, 'version'), {
        key: required(args, 'key'),
        value: str(args, 'value') ?? '',
      });
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/model-versions/delete-tag',
    schema: schemas.deleteModelVersionTag,
    permission: { resource: 'model', from: 'name', level: 'delete' },
    async handle(args, { registry }) {
      await registry.deleteModelVersionTag(
        required(args, 'name'),
        required(args, 'version'),
        required(args, 'key'),
      );
      return {};
    },
  },
];
