/**
 * Input validation for the tracking stores, mirroring MLflow's mlflow/utils/validation.py (2.x):
 * the same limits, the same rules for key names and messages in the same style, so a request
 * MLflow's server would reject is rejected here too, with INVALID_PARAMETER_VALUE.
 */
import { StoreError } from '../errors.js';
import {
  type DatasetInput,
  type LogBatch,
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_PROFILE_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_INPUT_TAG_KEY_LENGTH,
  MAX_INPUT_TAG_VALUE_LENGTH,
  MAX_ENTITIES_PER_BATCH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_BATCH,
  type Metric,
  type Param,
  RUN_STATUSES,
  type RunStatus,
  type Tag,
} from './types.js';

/** Longest experiment name MLflow's SQL schema holds (experiments.name is VARCHAR(256)). */
export const MAX_EXPERIMENT_NAME_LENGTH = 256;
/** Column sizes of MLflow's SQL schema that a longer value would overflow on PostgreSQL. */
export const MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
export const MAX_RUN_NAME_LENGTH = 250;
export const MAX_USER_ID_LENGTH = 256;
/** MLflow's SEARCH_MAX_RESULTS_DEFAULT and SEARCH_MAX_RESULTS_THRESHOLD. */
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_THRESHOLD = 50000;

const KEY_PATTERN = /^[/\w.\- ]*$/;
const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;

function invalid(message: string): StoreError {
  return new StoreError('INVALID_PARAMETER_VALUE', message);
}

/** posixpath.normpath, enough of it to tell whether a key would name another file. */
function normalizePosixPath(path: string): string {
  if (path === '') return '.';
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  const joined = parts.join('/');
  if (absolute) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/**
 * Keys may become file names (the file store, artifact paths), so MLflow rejects keys that a
 * path normalisation would change: `a/../b`, `./a`, `/a`, `a//b`, `..`.
 */
function keyResolvesElsewhere(key: string): boolean {
  // The common case without splitting: one path segment that is neither `.` nor `..…` stays as it is.
  if (key !== '' && key !== '.' && !key.includes('/') && !key.startsWith('..')) return false;
  const normalized = normalizePosixPath(key);
  return (
    normalized !== key || normalized === '.' || normalized.startsWith('..') || normalized.startsWith('/')
  );
}

export function validateEntityKey(kind: 'metric' | 'param' | 'tag', key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw invalid(`Invalid ${kind} name: ${JSON.stringify(key)}. Names must be strings.`);
  }
  if (!KEY_PATTERN.test(key)) {
    throw invalid(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), ` +
        'periods (.), spaces ( ), and slashes (/).',
    );
  }
  if (keyResolvesElsewhere(key)) {
    throw invalid(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve ` +
        `to other names when treated as such. This name would resolve to '${normalizePosixPath(key)}'`,
    );
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) {
    throw invalid(
      `${kind[0].toUpperCase()}${kind.slice(1)} name '${key.slice(0, 40)}…' had length ${key.length}, which exceeds ` +
        `the maximum length of ${MAX_ENTITY_KEY_LENGTH}`,
    );
  }
}

function validateInteger(value: unknown, what: string, key: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid(
      `Got invalid ${what} ${JSON.stringify(value)} for metric '${key}'. ${what[0].toUpperCase()}${what.slice(1)} ` +
        'must be an integer (64-bit, within ±2^53 here).',
    );
  }
}

export function validateMetric(metric: Metric): void {
  validateEntityKey('metric', metric.key);
  if (typeof metric.value !== 'number') {
    throw invalid(
      `Got invalid value ${JSON.stringify(metric.value)} for metric '${metric.key}' (timestamp=${metric.timestamp}). ` +
        'Please specify value as a valid double (64-bit floating point)',
    );
  }
  validateInteger(metric.timestamp, 'timestamp', metric.key);
  validateInteger(metric.step, 'step', metric.key);
}

export function validateParam(param: Param): void {
  validateEntityKey('param', param.key);
  if (typeof param.value !== 'string') {
    throw invalid(
      `Got invalid value ${JSON.stringify(param.value)} for param '${param.key}'. Values must be strings.`,
    );
  }
  if (param.value.length > MAX_PARAM_VALUE_LENGTH) {
    throw invalid(
      `Param value '${param.value.slice(0, 40)}…' had length ${param.value.length}, which exceeded length limit of ` +
        `${MAX_PARAM_VALUE_LENGTH}`,
    );
  }
}

/** Also used as a forEach callback (by the registry too), so it takes exactly one argument. */
export function validateTag(tag: Tag): void {
  validateTagWithLimit(tag, MAX_TAG_VALUE_LENGTH);
  // The run name also lives in runs.name (VARCHAR(250), MLflow's schema).
  if (tag.key === 'mlflow.runName') validateRunName(tag.value);
}

function validateTagWithLimit(tag: Tag, maxValueLength: number): void {
  validateEntityKey('tag', tag.key);
  if (typeof tag.value !== 'string') {
    throw invalid(
      `Got invalid value ${JSON.stringify(tag.value)} for tag '${tag.key}'. Values must be strings.`,
    );
  }
  if (tag.value.length > maxValueLength) {
    throw invalid(
      `Tag value '${tag.value.slice(0, 40)}…' had length ${tag.value.length}, which exceeded length limit of ` +
        `${maxValueLength}`,
    );
  }
}

/** Experiment tag values are shorter in MLflow (experiment_tags.value is VARCHAR(5000)). */
export function validateExperimentTag(tag: Tag): void {
  validateTagWithLimit(tag, MAX_EXPERIMENT_TAG_VALUE_LENGTH);
}

export function validateRunName(name: string): void {
  if (name.length > MAX_RUN_NAME_LENGTH) {
    throw invalid(
      `Run name '${name.slice(0, 40)}…' had length ${name.length}, which exceeds the maximum length of ` +
        `${MAX_RUN_NAME_LENGTH}`,
    );
  }
}

export function validateUserId(userId: string): void {
  if (typeof userId !== 'string' || userId.length > MAX_USER_ID_LENGTH) {
    throw invalid(
      `Invalid user id ${JSON.stringify(userId.slice?.(0, 40) ?? userId)}: expected a string of at most ` +
        `${MAX_USER_ID_LENGTH} characters.`,
    );
  }
}

/**
 * Everything MLflow checks before a log-batch request touches the database: counts per kind and
 * in total, then every entity, then conflicting duplicate params inside the batch.
 */
export function validateLogBatch(batch: LogBatch): void {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const limits: [string, number, number][] = [
    ['metrics', metrics.length, MAX_METRICS_PER_BATCH],
    ['params', params.length, MAX_PARAMS_PER_BATCH],
    ['tags', tags.length, MAX_TAGS_PER_BATCH],
  ];
  for (const [kind, count, limit] of limits) {
    if (count > limit) {
      throw invalid(
        `A batch logging request can contain at most ${limit} ${kind}. Got ${count} ${kind}. ` +
          `Please split up ${kind} across multiple requests and try again.`,
      );
    }
  }
  const total = metrics.length + params.length + tags.length;
  if (total > MAX_ENTITIES_PER_BATCH) {
    throw invalid(
      `A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params, and tags in total. ` +
        `Got ${total} in total. Please split up entities across multiple requests and try again.`,
    );
  }
  metrics.forEach(validateMetric);
  params.forEach(validateParam);
  tags.forEach(validateTag);
  const seen = new Map<string, string>();
  for (const param of params) {
    const previous = seen.get(param.key);
    if (previous !== undefined && previous !== param.value) {
      throw invalid(
        `Duplicate parameter keys have been submitted: ['${param.key}'] with different values ` +
          `('${previous}' and '${param.value}'). Please ensure the request contains only one param value per param key.`,
      );
    }
    seen.set(param.key, param.value);
  }
}

export function validateRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw invalid(
      `Invalid run ID: ${JSON.stringify(runId)}. Run ids are 32 lowercase hexadecimal characters.`,
    );
  }
}

export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalid(`Invalid experiment name: ${JSON.stringify(name)}. Give a non-empty name.`);
  }
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalid(
      `Experiment name '${name.slice(0, 40)}…' had length ${name.length}, which exceeds the maximum length of ` +
        `${MAX_EXPERIMENT_NAME_LENGTH}`,
    );
  }
}

export function validateRunStatus(status: unknown): asserts status is RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus)) {
    throw invalid(
      `Invalid run status ${JSON.stringify(status)}. Valid statuses: ${RUN_STATUSES.join(', ')}.`,
    );
  }
}

export function validateTimestamp(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid(
      `Invalid ${what} ${JSON.stringify(value)}: expected an integer number of milliseconds since the epoch.`,
    );
  }
}

export function validateMaxResults(maxResults: unknown, options: { allowZero?: boolean } = {}): number {
  if (maxResults === undefined) return SEARCH_MAX_RESULTS_DEFAULT;
  const least = options.allowZero === true ? 0 : 1;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < least) {
    throw invalid(
      `Invalid value ${JSON.stringify(maxResults)} for parameter 'max_results' supplied. It must be a ${least === 0 ? 'non-negative' : 'positive'} integer.`,
    );
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw invalid(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ` +
        `${SEARCH_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`,
    );
  }
  return maxResults;
}

const DATASET_SOURCE_TYPE_COLUMN_LENGTH = 36;

function checkString(value: unknown, what: string, limit: number): asserts value is string {
  if (typeof value !== 'string') throw invalid(`${what} cannot be None`);
  if (value.length > limit) throw invalid(`${what} exceeds the maximum length of ${limit}`);
}

/** MLflow's _validate_dataset_inputs: required fields present and within the column sizes. */
export function validateDatasetInputs(inputs: unknown): asserts inputs is DatasetInput[] {
  if (!Array.isArray(inputs)) throw invalid(`Argument 'datasets' should be a list, got '${typeof inputs}'`);
  for (const input of inputs as Partial<DatasetInput>[]) {
    const dataset = input?.dataset;
    if (dataset === undefined || dataset === null) throw invalid('Dataset cannot be None');
    checkString(dataset.name, 'Dataset name', MAX_DATASET_NAME_LENGTH);
    checkString(dataset.digest, 'Dataset digest', MAX_DATASET_DIGEST_LENGTH);
    // MLflow does not check this one; its column (VARCHAR(36)) would refuse more on PostgreSQL.
    checkString(dataset.source_type, 'Dataset source_type', DATASET_SOURCE_TYPE_COLUMN_LENGTH);
    checkString(dataset.source, 'Dataset source', MAX_DATASET_SOURCE_LENGTH);
    if (dataset.schema !== undefined && dataset.schema !== null)
      checkString(dataset.schema, 'Dataset schema', MAX_DATASET_SCHEMA_LENGTH);
    if (dataset.profile !== undefined && dataset.profile !== null)
      checkString(dataset.profile, 'Dataset profile', MAX_DATASET_PROFILE_LENGTH);
    for (const tag of input.tags ?? []) {
      checkString(tag?.key, 'InputTag key', MAX_INPUT_TAG_KEY_LENGTH);
      checkString(tag.value, 'InputTag value', MAX_INPUT_TAG_VALUE_LENGTH);
    }
  }
}
