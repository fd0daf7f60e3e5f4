/**
 * JSON Schemas of the REST API 2.0 requests (mlflow/protos/service.proto, model_registry.proto,
 * MLflow 2.12). They encode what protobuf's JSON parser plus MLflow's handler checks accept:
 * int64 fields as numbers or decimal strings, doubles also as "NaN"/"Infinity"/"-Infinity",
 * required strings non-empty (MLflow treats "" as missing), unknown fields ignored.
 */
import type { JsonSchema, RequestSchema } from './request.js';

const str: JsonSchema = { type: 'string' };
const nonEmpty: JsonSchema = { type: 'string', minLength: 1 };
export const int64: JsonSchema = { type: ['integer', 'string'], pattern: '^-?[0-9]+$' };
const double: JsonSchema = {
  type: ['number', 'string'],
  pattern: '^(NaN|-?Infinity|[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?)$',
};
const bool: JsonSchema = { type: 'boolean' };
const strings: JsonSchema = { type: 'array', items: str };
const tag: JsonSchema = { type: 'object', required: ['key'], properties: { key: nonEmpty, value: str } };
const tags: JsonSchema = { type: 'array', items: tag };
const viewType: JsonSchema = { enum: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL', 1, 2, 3, '1', '2', '3'] };

function object(properties: Record<string, JsonSchema>, required: string[] = []): RequestSchema {
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}

/** The largest log-batch request MLflow accepts (mlflow/utils/validation.py MAX_BATCH_LOG_REQUEST_SIZE). */
export const MAX_BATCH_LOG_REQUEST_BYTES = 1_000_000;
/** runs/search max_results ceiling (MLflow's handler). */
export const MAX_SEARCH_RUNS_RESULTS = 50_000;

export const schemas = {
  createExperiment: object({ name: nonEmpty, artifact_location: str, tags }, ['name']),
  getExperiment: object({ experiment_id: nonEmpty }, ['experiment_id']),
  getExperimentByName: object({ experiment_name: nonEmpty }, ['experiment_name']),
  searchExperiments: object({
    max_results: int64,
    page_token: str,
    filter: str,
    order_by: strings,
    view_type: viewType,
  }),
  experimentId: object({ experiment_id: nonEmpty }, ['experiment_id']),
  updateExperiment: object({ experiment_id: nonEmpty, new_name: nonEmpty }, ['experiment_id', 'new_name']),
  setExperimentTag: object({ experiment_id: nonEmpty, key: nonEmpty, value: str }, ['experiment_id', 'key']),

  createRun: object({ experiment_id: str, user_id: str, run_name: str, start_time: int64, tags }),
  updateRun: object({ run_id: nonEmpty, status: str, end_time: int64, run_name: str }, ['run_id']),
  runId: object({ run_id: nonEmpty }, ['run_id']),
  logMetric: object({ run_id: nonEmpty, key: nonEmpty, value: double, timestamp: int64, step: int64 }, [
    'run_id',
    'key',
    'value',
    'timestamp',
  ]),
  logParam: object({ run_id: nonEmpty, key: nonEmpty, value: str }, ['run_id', 'key']),
  setTag: object({ run_id: nonEmpty, key: nonEmpty, value: str }, ['run_id', 'key']),
  deleteTag: object({ run_id: nonEmpty, key: nonEmpty }, ['run_id', 'key']),
  logBatch: object(
    {
      run_id: nonEmpty,
      metrics: {
        type: 'array',
        items: {
          type: 'object',
          required: ['key', 'value', 'timestamp'],
          properties: { key: nonEmpty, value: double, timestamp: int64, step: int64 },
        },
      },
      params: tags,
      tags,
    },
    ['run_id'],
  ),
  logModel: object({ run_id: nonEmpty, model_json: nonEmpty }, ['run_id', 'model_json']),
  logInputs: object(
    {
      run_id: nonEmpty,
      datasets: {
        type: 'array',
        items: {
          type: 'object',
          required: ['dataset'],
          properties: {
            tags,
            dataset: {
              type: 'object',
              required: ['name', 'digest', 'source_type', 'source'],
              properties: {
                name: nonEmpty,
                digest: nonEmpty,
                source_type: nonEmpty,
                source: nonEmpty,
                schema: str,
                profile: str,
              },
            },
          },
        },
      },
    },
    ['run_id', 'datasets'],
  ),
  searchRuns: object({
    experiment_ids: { type: 'array', items: { type: ['string', 'integer'] } },
    filter: str,
    run_view_type: viewType,
    max_results: int64,
    order_by: strings,
    page_token: str,
  }),
  listArtifacts: object({ run_id: nonEmpty, path: str, page_token: str }, ['run_id']),
  getMetricHistory: object({ run_id: nonEmpty, metric_key: nonEmpty, page_token: str, max_results: int64 }, [
    'run_id',
    'metric_key',
  ]),
  getMetricHistoryBulkInterval: object(
    {
      run_ids: { type: 'array', items: str, minItems: 1 },
      metric_key: nonEmpty,
      start_step: int64,
      end_step: int64,
      max_results: int64,
    },
    ['run_ids', 'metric_key'],
  ),

  createRegisteredModel: object({ name: nonEmpty, tags, description: str }, ['name']),
  modelName: object({ name: nonEmpty }, ['name']),
  renameRegisteredModel: object({ name: nonEmpty, new_name: nonEmpty }, ['name', 'new_name']),
  updateRegisteredModel: object({ name: nonEmpty, description: str }, ['name']),
  searchRegistry: object({ filter: str, max_results: int64, order_by: strings, page_token: str }),
  getLatestVersions: object({ name: nonEmpty, stages: strings }, ['name']),
  modelTag: object({ name: nonEmpty, key: nonEmpty, value: str }, ['name', 'key']),
  deleteModelTag: object({ name: nonEmpty, key: nonEmpty }, ['name', 'key']),
  createModelVersion: object(
    { name: nonEmpty, source: nonEmpty, run_id: str, tags, run_link: str, description: str },
    ['name', 'source'],
  ),
  modelVersion: object({ name: nonEmpty, version: nonEmpty }, ['name', 'version']),
  updateModelVersion: object({ name: nonEmpty, version: nonEmpty, description: str }, ['name', 'version']),
  transitionStage: object(
    { name: nonEmpty, version: nonEmpty, stage: nonEmpty, archive_existing_versions: bool },
    ['name', 'version', 'stage'],
  ),
  modelVersionTag: object({ name: nonEmpty, version: nonEmpty, key: nonEmpty, value: str }, [
    'name',
    'version',
    'key',
  ]),
  deleteModelVersionTag: object({ name: nonEmpty, version: nonEmpty, key: nonEmpty }, [
    'name',
    'version',
    'key',
  ]),
  setAlias: object({ name: nonEmpty, alias: nonEmpty, version: nonEmpty }, ['name', 'alias', 'version']),
  alias: object({ name: nonEmpty, alias: nonEmpty }, ['name', 'alias']),

  listProxiedArtifacts: object({ path: str }),
  getArtifact: object({ run_id: nonEmpty, path: nonEmpty }, ['run_id', 'path']),
  getModelVersionArtifact: object({ name: nonEmpty, version: nonEmpty, path: nonEmpty }, [
    'name',
    'version',
    'path',
  ]),
} satisfies Record<string, RequestSchema>;
