import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_PROFILE_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_ENTITIES_PER_BATCH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_INPUT_TAG_KEY_LENGTH,
  MAX_INPUT_TAG_VALUE_LENGTH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAGS_PER_BATCH,
  MAX_TAG_VALUE_LENGTH,
  RUN_STATUSES
} from "./chunk-chunk-5AC5CY3N.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/validation.ts
var MAX_EXPERIMENT_NAME_LENGTH = 256;
var MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5e3;
var MAX_RUN_NAME_LENGTH = 250;
var MAX_USER_ID_LENGTH = 256;
var SEARCH_MAX_RESULTS_DEFAULT = 1e3;
var SEARCH_MAX_RESULTS_THRESHOLD = 5e4;
var KEY_PATTERN = /^[/\w.\- ]*$/;
var RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;
function invalid(message) {
  return new StoreError("INVALID_PARAMETER_VALUE", message);
}
function normalizePosixPath(path) {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const parts = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part === ".." && absolute) continue;
    else parts.push(part);
  }
  const joined = parts.join("/");
  if (absolute) return `/${joined}`;
  return joined === "" ? "." : joined;
}
function keyResolvesElsewhere(key) {
  const normalized = normalizePosixPath(key);
  return normalized !== key || normalized === "." || normalized.startsWith("..") || normalized.startsWith("/");
}
function validateEntityKey(kind, key) {
  if (typeof key !== "string") {
    throw invalid(`Invalid ${kind} name: ${JSON.stringify(key)}. Names must be strings.`);
  }
  if (!KEY_PATTERN.test(key)) {
    throw invalid(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`
    );
  }
  if (keyResolvesElsewhere(key)) {
    throw invalid(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normalizePosixPath(key)}'`
    );
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) {
    throw invalid(
      `${kind[0].toUpperCase()}${kind.slice(1)} name '${key.slice(0, 40)}\u2026' had length ${key.length}, which exceeds the maximum length of ${MAX_ENTITY_KEY_LENGTH}`
    );
  }
}
function validateInteger(value, what, key) {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw invalid(
      `Got invalid ${what} ${JSON.stringify(value)} for metric '${key}'. ${what[0].toUpperCase()}${what.slice(1)} must be an integer (64-bit, within \xB12^53 here).`
    );
  }
}
function validateMetric(metric) {
  validateEntityKey("metric", metric.key);
  if (typeof metric.value !== "number") {
    throw invalid(
      `Got invalid value ${JSON.stringify(metric.value)} for metric '${metric.key}' (timestamp=${metric.timestamp}). Please specify value as a valid double (64-bit floating point)`
    );
  }
  validateInteger(metric.timestamp, "timestamp", metric.key);
  validateInteger(metric.step, "step", metric.key);
}
function validateParam(param) {
  validateEntityKey("param", param.key);
  if (typeof param.value !== "string") {
    throw invalid(
      `Got invalid value ${JSON.stringify(param.value)} for param '${param.key}'. Values must be strings.`
    );
  }
  if (param.value.length > MAX_PARAM_VALUE_LENGTH) {
    throw invalid(
      `Param value '${param.value.slice(0, 40)}\u2026' had length ${param.value.length}, which exceeded length limit of ${MAX_PARAM_VALUE_LENGTH}`
    );
  }
}
function validateTag(tag) {
  validateTagWithLimit(tag, MAX_TAG_VALUE_LENGTH);
  if (tag.key === "mlflow.runName") validateRunName(tag.value);
}
function validateTagWithLimit(tag, maxValueLength) {
  validateEntityKey("tag", tag.key);
  if (typeof tag.value !== "string") {
    throw invalid(
      `Got invalid value ${JSON.stringify(tag.value)} for tag '${tag.key}'. Values must be strings.`
    );
  }
  if (tag.value.length > maxValueLength) {
    throw invalid(
      `Tag value '${tag.value.slice(0, 40)}\u2026' had length ${tag.value.length}, which exceeded length limit of ${maxValueLength}`
    );
  }
}
function validateExperimentTag(tag) {
  validateTagWithLimit(tag, MAX_EXPERIMENT_TAG_VALUE_LENGTH);
}
function validateRunName(name) {
  if (name.length > MAX_RUN_NAME_LENGTH) {
    throw invalid(
      `Run name '${name.slice(0, 40)}\u2026' had length ${name.length}, which exceeds the maximum length of ${MAX_RUN_NAME_LENGTH}`
    );
  }
}
function validateUserId(userId) {
  if (typeof userId !== "string" || userId.length > MAX_USER_ID_LENGTH) {
    throw invalid(
      `Invalid user id ${JSON.stringify(userId.slice?.(0, 40) ?? userId)}: expected a string of at most ${MAX_USER_ID_LENGTH} characters.`
    );
  }
}
function validateLogBatch(batch) {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const limits = [
    ["metrics", metrics.length, MAX_METRICS_PER_BATCH],
    ["params", params.length, MAX_PARAMS_PER_BATCH],
    ["tags", tags.length, MAX_TAGS_PER_BATCH]
  ];
  for (const [kind, count, limit] of limits) {
    if (count > limit) {
      throw invalid(
        `A batch logging request can contain at most ${limit} ${kind}. Got ${count} ${kind}. Please split up ${kind} across multiple requests and try again.`
      );
    }
  }
  const total = metrics.length + params.length + tags.length;
  if (total > MAX_ENTITIES_PER_BATCH) {
    throw invalid(
      `A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params, and tags in total. Got ${total} in total. Please split up entities across multiple requests and try again.`
    );
  }
  metrics.forEach(validateMetric);
  params.forEach(validateParam);
  tags.forEach(validateTag);
  const seen = /* @__PURE__ */ new Map();
  for (const param of params) {
    const previous = seen.get(param.key);
    if (previous !== void 0 && previous !== param.value) {
      throw invalid(
        `Duplicate parameter keys have been submitted: ['${param.key}'] with different values ('${previous}' and '${param.value}'). Please ensure the request contains only one param value per param key.`
      );
    }
    seen.set(param.key, param.value);
  }
}
function validateRunId(runId) {
  if (typeof runId !== "string" || !RUN_ID_PATTERN.test(runId)) {
    throw invalid(
      `Invalid run ID: ${JSON.stringify(runId)}. Run ids are 32 lowercase hexadecimal characters.`
    );
  }
}
function validateExperimentName(name) {
  if (typeof name !== "string" || name.trim() === "") {
    throw invalid(`Invalid experiment name: ${JSON.stringify(name)}. Give a non-empty name.`);
  }
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalid(
      `Experiment name '${name.slice(0, 40)}\u2026' had length ${name.length}, which exceeds the maximum length of ${MAX_EXPERIMENT_NAME_LENGTH}`
    );
  }
}
function validateRunStatus(status) {
  if (!RUN_STATUSES.includes(status)) {
    throw invalid(
      `Invalid run status ${JSON.stringify(status)}. Valid statuses: ${RUN_STATUSES.join(", ")}.`
    );
  }
}
function validateTimestamp(value, what) {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw invalid(
      `Invalid ${what} ${JSON.stringify(value)}: expected an integer number of milliseconds since the epoch.`
    );
  }
}
function validateMaxResults(maxResults, options = {}) {
  if (maxResults === void 0) return SEARCH_MAX_RESULTS_DEFAULT;
  const least = options.allowZero === true ? 0 : 1;
  if (typeof maxResults !== "number" || !Number.isInteger(maxResults) || maxResults < least) {
    throw invalid(
      `Invalid value ${JSON.stringify(maxResults)} for parameter 'max_results' supplied. It must be a ${least === 0 ? "non-negative" : "positive"} integer.`
    );
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw invalid(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`
    );
  }
  return maxResults;
}
var DATASET_SOURCE_TYPE_COLUMN_LENGTH = 36;
function checkString(value, what, limit) {
  if (typeof value !== "string") throw invalid(`${what} cannot be None`);
  if (value.length > limit) throw invalid(`${what} exceeds the maximum length of ${limit}`);
}
function validateDatasetInputs(inputs) {
  if (!Array.isArray(inputs)) throw invalid(`Argument 'datasets' should be a list, got '${typeof inputs}'`);
  for (const input of inputs) {
    const dataset = input?.dataset;
    if (dataset === void 0 || dataset === null) throw invalid("Dataset cannot be None");
    checkString(dataset.name, "Dataset name", MAX_DATASET_NAME_LENGTH);
    checkString(dataset.digest, "Dataset digest", MAX_DATASET_DIGEST_LENGTH);
    checkString(dataset.source_type, "Dataset source_type", DATASET_SOURCE_TYPE_COLUMN_LENGTH);
    checkString(dataset.source, "Dataset source", MAX_DATASET_SOURCE_LENGTH);
    if (dataset.schema !== void 0 && dataset.schema !== null)
      checkString(dataset.schema, "Dataset schema", MAX_DATASET_SCHEMA_LENGTH);
    if (dataset.profile !== void 0 && dataset.profile !== null)
      checkString(dataset.profile, "Dataset profile", MAX_DATASET_PROFILE_LENGTH);
    for (const tag of input.tags ?? []) {
      checkString(tag?.key, "InputTag key", MAX_INPUT_TAG_KEY_LENGTH);
      checkString(tag.value, "InputTag value", MAX_INPUT_TAG_VALUE_LENGTH);
    }
  }
}

export {
  validateMetric,
  validateTag,
  validateExperimentTag,
  validateRunName,
  validateUserId,
  validateLogBatch,
  validateRunId,
  validateExperimentName,
  validateRunStatus,
  validateTimestamp,
  validateMaxResults,
  validateDatasetInputs
};
