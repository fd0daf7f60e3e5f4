import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  BasicAuth,
  hashPassword,
  loadAuthFile,
  verifyPassword
} from "./chunk-chunk-7PBHP4VR.js";
import "./chunk-chunk-DHD3YECS.js";
import "./chunk-chunk-RQO4PVK5.js";
import "./chunk-chunk-Y7I53XKG.js";
import "./chunk-chunk-X5C7PU4N.js";
import "./chunk-chunk-MVFGL54S.js";
import "./chunk-chunk-QBLXTEZY.js";
import {
  openTrackingStore
} from "./chunk-chunk-7Y5GNMMB.js";
import "./chunk-chunk-6H5OS5SB.js";
import "./chunk-chunk-W6AIFH5D.js";
import "./chunk-chunk-7FLJW6WP.js";
import "./chunk-chunk-7GSX5MIE.js";
import "./chunk-chunk-VN34J2SD.js";
import "./chunk-chunk-Q7UGKYBB.js";
import {
  mlrecipeVersion
} from "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import {
  registryForTrackingStore
} from "./chunk-chunk-YAYMH75N.js";
import {
  canonicalStage
} from "./chunk-chunk-EDN5TED2.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-V6YR2ZJT.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import {
  LocalArtifactRepository,
  normaliseArtifactPath
} from "./chunk-chunk-BGKV5I2Y.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-IPY3WFCW.js";
import "./chunk-chunk-GIG4EP5J.js";
import "./chunk-chunk-T77SP7Q2.js";
import {
  MAX_TAG_VALUE_LENGTH
} from "./chunk-chunk-5AC5CY3N.js";
import {
  DataError,
  StoreError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/server/tracking/app.ts
import { createReadStream, statSync } from "node:fs";
import { extname, posix, sep as sep2 } from "node:path";
import Fastify from "fastify";

// src/server/tracking/artifact-access.ts
import { join } from "node:path";
var PROXY_ANCHOR = "/api/2.0/mlflow-artifacts/artifacts/";
var ArtifactAccess = class {
  serveArtifacts;
  destination;
  constructor(options) {
    this.serveArtifacts = options.serveArtifacts;
    this.destination = options.destination;
  }
  /** The repository behind the proxy's own paths (`/mlflow-artifacts/artifacts/<path>`). */
  proxyRepository() {
    return new LocalArtifactRepository(this.destination);
  }
  /** The repository holding the artifacts under `rootUri` (a run's artifact_uri or a model source). */
  repositoryForRoot(rootUri) {
    const proxiedPath = proxiedRootPath(rootUri);
    if (proxiedPath !== void 0) {
      if (!this.serveArtifacts) {
        throw new StoreError(
          "INVALID_PARAMETER_VALUE",
          `artifact root "${rootUri}" is served by an artifact proxy, and this server runs with --no-serve-artifacts`,
          { hint: "start the server with --serve-artifacts (the default) and --artifacts-destination" }
        );
      }
      return new LocalArtifactRepository(
        join(this.destination, ...splitPath(normaliseArtifactPath(proxiedPath)))
      );
    }
    return new LocalArtifactRepository(rootUri);
  }
};
function proxiedRootPath(rootUri) {
  if (/^mlflow-artifacts:/i.test(rootUri)) {
    const rest = rootUri.slice("mlflow-artifacts:".length);
    const path = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
    return decodeURIComponent(path.replace(/^\/+/, ""));
  }
  if (/^https?:\/\//i.test(rootUri)) {
    const url = new URL(rootUri);
    const at = url.pathname.indexOf(PROXY_ANCHOR);
    if (at >= 0) return decodeURIComponent(url.pathname.slice(at + PROXY_ANCHOR.length));
  }
  return void 0;
}
function splitPath(path) {
  return path === "" ? [] : path.split("/");
}

// src/server/tracking/proto-json.ts
function toProtoJson(value) {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) {
      return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
    if (Array.isArray(v) && v.length === 0) return void 0;
    return v;
  });
}
function parseProtoDouble(value) {
  if (typeof value === "number") return value;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number(value);
}

// src/server/tracking/registry-endpoints.ts
import { isAbsolute, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

// src/server/tracking/endpoint.ts
function str(args, key) {
  const value = args[key];
  return typeof value === "string" ? value : void 0;
}
function required(args, key) {
  return args[key];
}
function int(args, key) {
  const value = args[key];
  if (value === void 0) return void 0;
  return typeof value === "number" ? value : Number(value);
}
function strings(args, key) {
  const value = args[key];
  return Array.isArray(value) ? value.map((each) => String(each)) : void 0;
}

// src/server/tracking/request.ts
import { Ajv } from "ajv";
function httpStatusForErrorCode(code) {
  switch (code) {
    case "INTERNAL_ERROR":
    case "INVALID_STATE":
    case "DATA_LOSS":
      return 500;
    case "NOT_IMPLEMENTED":
      return 501;
    case "TEMPORARILY_UNAVAILABLE":
      return 503;
    case "REQUEST_LIMIT_EXCEEDED":
    case "RESOURCE_EXHAUSTED":
      return 429;
    case "ABORTED":
    case "RESOURCE_CONFLICT":
    case "ALREADY_EXISTS":
      return 409;
    case "NOT_FOUND":
    case "ENDPOINT_NOT_FOUND":
    case "RESOURCE_DOES_NOT_EXIST":
      return 404;
    case "PERMISSION_DENIED":
      return 403;
    case "UNAUTHENTICATED":
    case "CUSTOMER_UNAUTHORIZED":
      return 401;
    case "BAD_REQUEST":
    case "RESOURCE_ALREADY_EXISTS":
    case "INVALID_PARAMETER_VALUE":
    case "MALFORMED_REQUEST":
      return 400;
    default:
      return 500;
  }
}
function sendMlflowError(reply, code, message, status = httpStatusForErrorCode(code)) {
  return reply.code(status).type("application/json").send(JSON.stringify({ error_code: code, message }));
}
function sendErrorFor(reply, error) {
  if (error instanceof StoreError) {
    const message2 = error.hint ? `${error.message}
hint: ${error.hint}` : error.message;
    return sendMlflowError(reply, error.mlflowErrorCode, message2);
  }
  const message = error instanceof Error ? error.message : String(error);
  return sendMlflowError(reply, "INTERNAL_ERROR", message);
}
var ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
var compiled = /* @__PURE__ */ new WeakMap();
function validatorFor(schema) {
  let validate = compiled.get(schema);
  if (validate === void 0) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}
function parseQueryArguments(rawQuery, schema) {
  const out = {};
  for (const [rawKey, value] of new URLSearchParams(rawQuery)) {
    const key = rawKey.replace(/\[\d*\]$/, "");
    const previous = out[key];
    if (previous === void 0) out[key] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[key] = [previous, value];
  }
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = out[key];
    if (value !== void 0 && !Array.isArray(value) && property.type === "array") out[key] = [value];
  }
  return out;
}
function invalidParameter(message, code = "INVALID_PARAMETER_VALUE") {
  return new StoreError(code, message);
}
var API_DOCS_HINT = "see the MLflow REST API documentation for the request parameters";
function readArguments(request, schema) {
  const queryStart = request.url.indexOf("?");
  const rawQuery = queryStart >= 0 ? request.url.slice(queryStart + 1) : "";
  const body = typeof request.body === "string" ? request.body : "";
  let args;
  if ((request.method === "GET" || body.trim() === "") && rawQuery !== "") {
    args = parseQueryArguments(rawQuery, schema);
  } else {
    if (request.method === "POST" || request.method === "PUT") checkJsonContentType(request);
    args = parseJsonBody(body);
  }
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw invalidParameter("the request body must be a JSON object", "MALFORMED_REQUEST");
  }
  const record = args;
  if (record.run_id === void 0 && typeof record.run_uuid === "string" && "run_id" in schema.properties) {
    record.run_id = record.run_uuid;
  }
  const validate = validatorFor(schema);
  if (!validate(record)) throw invalidParameter(describeSchemaError(validate.errors?.[0], record));
  return record;
}
function checkJsonContentType(request) {
  const header = request.headers["content-type"];
  if (header === void 0) {
    throw invalidParameter("Bad Request: the Content-Type header is missing; send application/json");
  }
  const media = header.split(";", 1)[0]?.trim().toLowerCase();
  if (media !== "application/json") {
    throw invalidParameter(`Bad Request: Content-Type must be application/json, not "${media}"`);
  }
}
function parseJsonBody(body) {
  if (body.trim() === "") return {};
  let parsed;
  try {
    parsed = JSON.parse(body);
    if (typeof parsed === "string") parsed = JSON.parse(parsed);
  } catch (error) {
    throw invalidParameter(
      `the request body is not valid JSON: ${error.message}`,
      "MALFORMED_REQUEST"
    );
  }
  return parsed;
}
function describeSchemaError(error, args) {
  if (error === void 0) return `invalid request (${API_DOCS_HINT})`;
  const segments = error.instancePath.split("/").slice(1);
  let name = "";
  for (const segment of segments)
    name += /^\d+$/.test(segment) ? `[${segment}]` : name ? `.${segment}` : segment;
  if (error.keyword === "required") {
    const missing = error.params.missingProperty;
    return `Missing value for required parameter '${name ? `${name}.` : ""}${missing}' (${API_DOCS_HINT})`;
  }
  if (error.keyword === "minLength" && error.params.limit === 1) {
    return `Missing value for required parameter '${name}' (${API_DOCS_HINT})`;
  }
  const value = valueAt(args, segments);
  const type = value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
  const rule = error.keyword === "enum" ? `; allowed: ${error.params.allowedValues.join(", ")}` : error.message ? `; it ${error.message}` : "";
  return `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied (a ${type}${rule}; ${API_DOCS_HINT})`;
}
function valueAt(root, segments) {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return void 0;
    current = current[segment];
  }
  return current;
}

// src/server/tracking/schemas.ts
var str2 = { type: "string" };
var nonEmpty = { type: "string", minLength: 1 };
var int64 = { type: ["integer", "string"], pattern: "^-?[0-9]+$" };
var double = {
  type: ["number", "string"],
  pattern: "^(NaN|-?Infinity|[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?)$"
};
var bool = { type: "boolean" };
var strings2 = { type: "array", items: str2 };
var tag = { type: "object", required: ["key"], properties: { key: nonEmpty, value: str2 } };
var tags = { type: "array", items: tag };
var viewType = { enum: ["ACTIVE_ONLY", "DELETED_ONLY", "ALL", 1, 2, 3, "1", "2", "3"] };
function object(properties, required2 = []) {
  return required2.length > 0 ? { type: "object", properties, required: required2 } : { type: "object", properties };
}
var MAX_BATCH_LOG_REQUEST_BYTES = 1e6;
var MAX_SEARCH_RUNS_RESULTS = 5e4;
var schemas = {
  createExperiment: object({ name: nonEmpty, artifact_location: str2, tags }, ["name"]),
  getExperiment: object({ experiment_id: nonEmpty }, ["experiment_id"]),
  getExperimentByName: object({ experiment_name: nonEmpty }, ["experiment_name"]),
  searchExperiments: object({
    max_results: int64,
    page_token: str2,
    filter: str2,
    order_by: strings2,
    view_type: viewType
  }),
  experimentId: object({ experiment_id: nonEmpty }, ["experiment_id"]),
  updateExperiment: object({ experiment_id: nonEmpty, new_name: nonEmpty }, ["experiment_id", "new_name"]),
  setExperimentTag: object({ experiment_id: nonEmpty, key: nonEmpty, value: str2 }, ["experiment_id", "key"]),
  createRun: object({ experiment_id: str2, user_id: str2, run_name: str2, start_time: int64, tags }),
  updateRun: object({ run_id: nonEmpty, status: str2, end_time: int64, run_name: str2 }, ["run_id"]),
  runId: object({ run_id: nonEmpty }, ["run_id"]),
  logMetric: object({ run_id: nonEmpty, key: nonEmpty, value: double, timestamp: int64, step: int64 }, [
    "run_id",
    "key",
    "value",
    "timestamp"
  ]),
  logParam: object({ run_id: nonEmpty, key: nonEmpty, value: str2 }, ["run_id", "key"]),
  setTag: object({ run_id: nonEmpty, key: nonEmpty, value: str2 }, ["run_id", "key"]),
  deleteTag: object({ run_id: nonEmpty, key: nonEmpty }, ["run_id", "key"]),
  logBatch: object(
    {
      run_id: nonEmpty,
      metrics: {
        type: "array",
        items: {
          type: "object",
          required: ["key", "value", "timestamp"],
          properties: { key: nonEmpty, value: double, timestamp: int64, step: int64 }
        }
      },
      params: tags,
      tags
    },
    ["run_id"]
  ),
  logModel: object({ run_id: nonEmpty, model_json: nonEmpty }, ["run_id", "model_json"]),
  logInputs: object(
    {
      run_id: nonEmpty,
      datasets: {
        type: "array",
        items: {
          type: "object",
          required: ["dataset"],
          properties: {
            tags,
            dataset: {
              type: "object",
              required: ["name", "digest", "source_type", "source"],
              properties: {
                name: nonEmpty,
                digest: nonEmpty,
                source_type: nonEmpty,
                source: nonEmpty,
                schema: str2,
                profile: str2
              }
            }
          }
        }
      }
    },
    ["run_id", "datasets"]
  ),
  searchRuns: object({
    experiment_ids: { type: "array", items: { type: ["string", "integer"] } },
    filter: str2,
    run_view_type: viewType,
    max_results: int64,
    order_by: strings2,
    page_token: str2
  }),
  listArtifacts: object({ run_id: nonEmpty, path: str2, page_token: str2 }, ["run_id"]),
  getMetricHistory: object({ run_id: nonEmpty, metric_key: nonEmpty, page_token: str2, max_results: int64 }, [
    "run_id",
    "metric_key"
  ]),
  getMetricHistoryBulkInterval: object(
    {
      run_ids: { type: "array", items: str2, minItems: 1 },
      metric_key: nonEmpty,
      start_step: int64,
      end_step: int64,
      max_results: int64
    },
    ["run_ids", "metric_key"]
  ),
  createRegisteredModel: object({ name: nonEmpty, tags, description: str2 }, ["name"]),
  modelName: object({ name: nonEmpty }, ["name"]),
  renameRegisteredModel: object({ name: nonEmpty, new_name: nonEmpty }, ["name", "new_name"]),
  updateRegisteredModel: object({ name: nonEmpty, description: str2 }, ["name"]),
  searchRegistry: object({ filter: str2, max_results: int64, order_by: strings2, page_token: str2 }),
  getLatestVersions: object({ name: nonEmpty, stages: strings2 }, ["name"]),
  modelTag: object({ name: nonEmpty, key: nonEmpty, value: str2 }, ["name", "key"]),
  deleteModelTag: object({ name: nonEmpty, key: nonEmpty }, ["name", "key"]),
  createModelVersion: object(
    { name: nonEmpty, source: nonEmpty, run_id: str2, tags, run_link: str2, description: str2 },
    ["name", "source"]
  ),
  modelVersion: object({ name: nonEmpty, version: nonEmpty }, ["name", "version"]),
  updateModelVersion: object({ name: nonEmpty, version: nonEmpty, description: str2 }, ["name", "version"]),
  transitionStage: object(
    { name: nonEmpty, version: nonEmpty, stage: nonEmpty, archive_existing_versions: bool },
    ["name", "version", "stage"]
  ),
  modelVersionTag: object({ name: nonEmpty, version: nonEmpty, key: nonEmpty, value: str2 }, [
    "name",
    "version",
    "key"
  ]),
  deleteModelVersionTag: object({ name: nonEmpty, version: nonEmpty, key: nonEmpty }, [
    "name",
    "version",
    "key"
  ]),
  setAlias: object({ name: nonEmpty, alias: nonEmpty, version: nonEmpty }, ["name", "alias", "version"]),
  alias: object({ name: nonEmpty, alias: nonEmpty }, ["name", "alias"]),
  listProxiedArtifacts: object({ path: str2 }),
  getArtifact: object({ run_id: nonEmpty, path: nonEmpty }, ["run_id", "path"]),
  getModelVersionArtifact: object({ name: nonEmpty, version: nonEmpty, path: nonEmpty }, [
    "name",
    "version",
    "path"
  ])
};

// src/server/tracking/registry-endpoints.ts
function tagsOf(args) {
  const list = args.tags;
  return (list ?? []).map((each) => ({ key: each.key, value: each.value ?? "" }));
}
function isLocalSource(source) {
  return source.startsWith("file:") || isAbsolute(source) || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(source);
}
function localPath(uri) {
  return uri.startsWith("file:") ? fileURLToPath(uri) : resolve(uri);
}
async function validateSource(source, runId, ctx) {
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
      `Invalid model version source: '${source}'. A local path is accepted as a model version source only with run_id, and only inside that run's artifact directory.`
    );
  }
  let decoded = source;
  for (let previous = ""; previous !== decoded; ) {
    previous = decoded;
    try {
      decoded = decodeURIComponent(decoded.replace(/\+/g, " "));
    } catch {
      break;
    }
  }
  const path = decoded.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:(\/\/[^/]*)?/, "").replace(/\/+/g, "/").replace(/\/$/, "");
  const segments = path.split("/");
  if (decoded.includes("\0") || segments.includes("..") || segments.includes(".")) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. Give an absolute location without relative path references.`
    );
  }
}
var registryEndpoints = [
  {
    method: "POST",
    path: "/mlflow/registered-models/create",
    schema: schemas.createRegisteredModel,
    permission: { resource: "create" },
    async handle(args, { registry }) {
      const model = await registry.createRegisteredModel(required(args, "name"), {
        tags: tagsOf(args),
        description: str(args, "description")
      });
      return { registered_model: model };
    }
  },
  {
    method: "GET",
    path: "/mlflow/registered-models/get",
    schema: schemas.modelName,
    permission: { resource: "model", from: "name", level: "read" },
    async handle(args, { registry }) {
      return { registered_model: await registry.getRegisteredModel(required(args, "name")) };
    }
  },
  {
    method: "POST",
    path: "/mlflow/registered-models/rename",
    schema: schemas.renameRegisteredModel,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      return {
        registered_model: await registry.renameRegisteredModel(
          required(args, "name"),
          required(args, "new_name")
        )
      };
    }
  },
  {
    method: "PATCH",
    path: "/mlflow/registered-models/update",
    schema: schemas.updateRegisteredModel,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      return {
        registered_model: await registry.updateRegisteredModel(
          required(args, "name"),
          str(args, "description") ?? ""
        )
      };
    }
  },
  {
    method: "DELETE",
    path: "/mlflow/registered-models/delete",
    schema: schemas.modelName,
    permission: { resource: "model", from: "name", level: "delete" },
    async handle(args, { registry }) {
      await registry.deleteRegisteredModel(required(args, "name"));
      return {};
    }
  },
  {
    method: "GET",
    path: "/mlflow/registered-models/search",
    schema: schemas.searchRegistry,
    permission: { resource: "none" },
    async handle(args, { registry }) {
      return registry.searchRegisteredModels({
        filter: str(args, "filter") || void 0,
        maxResults: int(args, "max_results"),
        orderBy: strings(args, "order_by"),
        pageToken: str(args, "page_token") || void 0
      });
    }
  },
  ...["POST", "GET"].map((method) => ({
    method,
    path: "/mlflow/registered-models/get-latest-versions",
    schema: schemas.getLatestVersions,
    permission: { resource: "model", from: "name", level: "read" },
    async handle(args, { registry }) {
      const stages = strings(args, "stages");
      const versions = await registry.getLatestVersions(
        required(args, "name"),
        stages && stages.length > 0 ? stages.map((stage) => canonicalStage(stage)) : void 0
      );
      return { model_versions: versions };
    }
  })),
  {
    method: "POST",
    path: "/mlflow/registered-models/set-tag",
    schema: schemas.modelTag,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      await registry.setRegisteredModelTag(required(args, "name"), {
        key: required(args, "key"),
        value: str(args, "value") ?? ""
      });
      return {};
    }
  },
  {
    method: "DELETE",
    path: "/mlflow/registered-models/delete-tag",
    schema: schemas.deleteModelTag,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      await registry.deleteRegisteredModelTag(required(args, "name"), required(args, "key"));
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/registered-models/alias",
    schema: schemas.setAlias,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      await registry.setRegisteredModelAlias(
        required(args, "name"),
        required(args, "alias"),
        required(args, "version")
      );
      return {};
    }
  },
  {
    method: "DELETE",
    path: "/mlflow/registered-models/alias",
    schema: schemas.alias,
    permission: { resource: "model", from: "name", level: "delete" },
    async handle(args, { registry }) {
      await registry.deleteRegisteredModelAlias(required(args, "name"), required(args, "alias"));
      return {};
    }
  },
  {
    method: "GET",
    path: "/mlflow/registered-models/alias",
    schema: schemas.alias,
    permission: { resource: "model", from: "name", level: "read" },
    async handle(args, { registry }) {
      return {
        model_version: await registry.getModelVersionByAlias(required(args, "name"), required(args, "alias"))
      };
    }
  },
  {
    method: "POST",
    path: "/mlflow/model-versions/create",
    schema: schemas.createModelVersion,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, ctx) {
      const source = required(args, "source");
      const runId = str(args, "run_id") || void 0;
      await validateSource(source, runId, ctx);
      const version = await ctx.registry.createModelVersion({
        name: required(args, "name"),
        source,
        runId,
        runLink: str(args, "run_link") || void 0,
        tags: tagsOf(args),
        description: str(args, "description"),
        userId: ctx.username
      });
      return { model_version: version };
    }
  },
  {
    method: "GET",
    path: "/mlflow/model-versions/get",
    schema: schemas.modelVersion,
    permission: { resource: "model", from: "name", level: "read" },
    async handle(args, { registry }) {
      return {
        model_version: await registry.getModelVersion(required(args, "name"), required(args, "version"))
      };
    }
  },
  {
    method: "PATCH",
    path: "/mlflow/model-versions/update",
    schema: schemas.updateModelVersion,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      return {
        model_version: await registry.updateModelVersion(
          required(args, "name"),
          required(args, "version"),
          str(args, "description") ?? ""
        )
      };
    }
  },
  {
    method: "POST",
    path: "/mlflow/model-versions/transition-stage",
    schema: schemas.transitionStage,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      return {
        model_version: await registry.transitionModelVersionStage(
          required(args, "name"),
          required(args, "version"),
          canonicalStage(required(args, "stage")),
          args.archive_existing_versions === true
        )
      };
    }
  },
  {
    method: "DELETE",
    path: "/mlflow/model-versions/delete",
    schema: schemas.modelVersion,
    permission: { resource: "model", from: "name", level: "delete" },
    async handle(args, { registry }) {
      await registry.deleteModelVersion(required(args, "name"), required(args, "version"));
      return {};
    }
  },
  {
    method: "GET",
    path: "/mlflow/model-versions/search",
    schema: schemas.searchRegistry,
    permission: { resource: "none" },
    async handle(args, { registry }) {
      return registry.searchModelVersions({
        filter: str(args, "filter") || void 0,
        maxResults: int(args, "max_results"),
        orderBy: strings(args, "order_by"),
        pageToken: str(args, "page_token") || void 0
      });
    }
  },
  {
    method: "GET",
    path: "/mlflow/model-versions/get-download-uri",
    schema: schemas.modelVersion,
    permission: { resource: "model", from: "name", level: "read" },
    async handle(args, { registry }) {
      const version = await registry.getModelVersion(required(args, "name"), required(args, "version"));
      return { artifact_uri: version.source };
    }
  },
  {
    method: "POST",
    path: "/mlflow/model-versions/set-tag",
    schema: schemas.modelVersionTag,
    permission: { resource: "model", from: "name", level: "update" },
    async handle(args, { registry }) {
      await registry.setModelVersionTag(required(args, "name"), required(args, "version"), {
        key: required(args, "key"),
        value: str(args, "value") ?? ""
      });
      return {};
    }
  },
  {
    method: "DELETE",
    path: "/mlflow/model-versions/delete-tag",
    schema: schemas.deleteModelVersionTag,
    permission: { resource: "model", from: "name", level: "delete" },
    async handle(args, { registry }) {
      await registry.deleteModelVersionTag(
        required(args, "name"),
        required(args, "version"),
        required(args, "key")
      );
      return {};
    }
  }
];

// src/server/tracking/tracking-endpoints.ts
function runJson(run) {
  return { info: run.info, data: run.data, inputs: run.inputs ?? {} };
}
function viewTypeOf(value) {
  switch (value) {
    case void 0:
      return void 0;
    case "ACTIVE_ONLY":
    case 1:
    case "1":
      return "ACTIVE_ONLY";
    case "DELETED_ONLY":
    case 2:
    case "2":
      return "DELETED_ONLY";
    default:
      return "ALL";
  }
}
function tagsOf2(args, key = "tags") {
  const list = args[key];
  return (list ?? []).map((each) => ({ key: each.key, value: each.value ?? "" }));
}
function metricOf(raw) {
  return {
    key: raw.key,
    value: parseProtoDouble(raw.value),
    timestamp: Number(raw.timestamp),
    step: raw.step === void 0 ? 0 : Number(raw.step)
  };
}
function checkArtifactLocation(location) {
  if (!location || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(location)) return;
  let url;
  try {
    url = new URL(location);
  } catch {
    return;
  }
  if (url.hash !== "" || url.pathname.includes(";")) {
    throw invalidParameter("'artifact_location' URL can't include fragments or params.");
  }
  for (const [, value] of url.searchParams) {
    if (value.includes("..") || value.includes("/")) {
      throw invalidParameter(`'artifact_location' has an invalid query string value "${value}"`);
    }
  }
}
var LOGGED_MODELS_TAG = "mlflow.log-model.history";
var LOG_MODEL_FIELDS = ["artifact_path", "flavors", "utc_time_created", "run_id"];
var logModelQueues = /* @__PURE__ */ new Map();
function serialisedPerRun(runId, task) {
  const previous = logModelQueues.get(runId) ?? Promise.resolve();
  const next = previous.catch(() => void 0).then(task);
  logModelQueues.set(runId, next);
  void next.finally(() => {
    if (logModelQueues.get(runId) === next) logModelQueues.delete(runId);
  }).catch(() => void 0);
  return next;
}
var MAX_RUNS_PER_BULK_INTERVAL = 100;
var MAX_RESULTS_PER_RUN = 2500;
function sampleSteps(allSteps, start, end, maxResults) {
  const startIdx = lowerBound(allSteps, start);
  const endIdx = upperBound(allSteps, end);
  if (endIdx - startIdx <= maxResults) return new Set(allSteps.slice(startIdx, endIdx));
  const count = endIdx - startIdx;
  const interval = count / maxResults;
  const sampled = /* @__PURE__ */ new Set();
  for (let i = 0; i < maxResults; i++) {
    const idx = startIdx + Math.floor(i * interval);
    if (idx < endIdx) sampled.add(allSteps[idx]);
  }
  sampled.add(allSteps[endIdx - 1]);
  return sampled;
}
function lowerBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function upperBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
var trackingEndpoints = [
  {
    method: "POST",
    path: "/mlflow/experiments/create",
    schema: schemas.createExperiment,
    permission: { resource: "create" },
    async handle(args, { store }) {
      const location = str(args, "artifact_location");
      checkArtifactLocation(location);
      const id = await store.createExperiment(required(args, "name"), location || void 0, tagsOf2(args));
      return { experiment_id: id };
    }
  },
  {
    method: "GET",
    path: "/mlflow/experiments/get",
    schema: schemas.getExperiment,
    permission: { resource: "experiment", from: "experiment_id", level: "read" },
    async handle(args, { store }) {
      return { experiment: await store.getExperiment(required(args, "experiment_id")) };
    }
  },
  {
    method: "GET",
    path: "/mlflow/experiments/get-by-name",
    schema: schemas.getExperimentByName,
    permission: { resource: "experiment", from: "experiment_name", level: "read" },
    async handle(args, { store }) {
      const name = required(args, "experiment_name");
      const experiment = await store.getExperimentByName(name);
      if (experiment === null) {
        throw new StoreError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${name}'`);
      }
      return { experiment };
    }
  },
  ...["POST", "GET"].map((method) => ({
    method,
    path: "/mlflow/experiments/search",
    schema: schemas.searchExperiments,
    permission: { resource: "none" },
    async handle(args, { store }) {
      const result = await store.searchExperiments({
        viewType: viewTypeOf(args.view_type),
        // The proto has no default here (MLflow's store then refuses 0); 1000 is its store default.
        maxResults: int(args, "max_results") ?? 1e3,
        filter: str(args, "filter") || void 0,
        orderBy: strings(args, "order_by"),
        pageToken: str(args, "page_token") || void 0
      });
      return result;
    }
  })),
  {
    method: "POST",
    path: "/mlflow/experiments/delete",
    schema: schemas.experimentId,
    permission: { resource: "experiment", from: "experiment_id", level: "delete" },
    async handle(args, { store }) {
      await store.deleteExperiment(required(args, "experiment_id"));
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/experiments/restore",
    schema: schemas.experimentId,
    permission: { resource: "experiment", from: "experiment_id", level: "delete" },
    async handle(args, { store }) {
      await store.restoreExperiment(required(args, "experiment_id"));
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/experiments/update",
    schema: schemas.updateExperiment,
    permission: { resource: "experiment", from: "experiment_id", level: "update" },
    async handle(args, { store }) {
      await store.renameExperiment(required(args, "experiment_id"), required(args, "new_name"));
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/experiments/set-experiment-tag",
    schema: schemas.setExperimentTag,
    permission: { resource: "experiment", from: "experiment_id", level: "update" },
    async handle(args, { store }) {
      await store.setExperimentTag(required(args, "experiment_id"), {
        key: required(args, "key"),
        value: str(args, "value") ?? ""
      });
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/create",
    schema: schemas.createRun,
    permission: { resource: "experiment", from: "experiment_id", level: "update" },
    async handle(args, { store, username }) {
      const run = await store.createRun({
        // MLflow's store reads a missing experiment id as the Default experiment.
        experimentId: str(args, "experiment_id") || "0",
        userId: str(args, "user_id") || username,
        startTime: int(args, "start_time"),
        tags: tagsOf2(args),
        runName: str(args, "run_name") || void 0
      });
      return { run: runJson(run) };
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/update",
    schema: schemas.updateRun,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      const status = str(args, "status");
      const info = await store.updateRun(required(args, "run_id"), {
        status,
        endTime: int(args, "end_time"),
        runName: str(args, "run_name")
      });
      return { run_info: info };
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/delete",
    schema: schemas.runId,
    permission: { resource: "experiment", from: "run_id", level: "delete" },
    async handle(args, { store }) {
      await store.deleteRun(required(args, "run_id"));
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/restore",
    schema: schemas.runId,
    permission: { resource: "experiment", from: "run_id", level: "delete" },
    async handle(args, { store }) {
      await store.restoreRun(required(args, "run_id"));
      return {};
    }
  },
  {
    method: "GET",
    path: "/mlflow/runs/get",
    schema: schemas.runId,
    permission: { resource: "experiment", from: "run_id", level: "read" },
    async handle(args, { store }) {
      return { run: runJson(await store.getRun(required(args, "run_id"))) };
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/log-metric",
    schema: schemas.logMetric,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      await store.logMetric(
        required(args, "run_id"),
        metricOf(args)
      );
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/log-parameter",
    schema: schemas.logParam,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      await store.logParam(required(args, "run_id"), {
        key: required(args, "key"),
        value: str(args, "value") ?? ""
      });
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/set-tag",
    schema: schemas.setTag,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      await store.setTag(required(args, "run_id"), {
        key: required(args, "key"),
        value: str(args, "value") ?? ""
      });
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/delete-tag",
    schema: schemas.deleteTag,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      await store.deleteTag(required(args, "run_id"), required(args, "key"));
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/log-batch",
    schema: schemas.logBatch,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      const metrics = args.metrics ?? [];
      await store.logBatch(required(args, "run_id"), {
        metrics: metrics.map(metricOf),
        params: tagsOf2(args, "params"),
        tags: tagsOf2(args, "tags")
      });
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/log-model",
    schema: schemas.logModel,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      const runId = required(args, "run_id");
      const modelJson = required(args, "model_json");
      let model;
      try {
        model = JSON.parse(modelJson);
      } catch {
        throw invalidParameter(
          `Malformed model info: model_json is not valid JSON: ${modelJson.slice(0, 200)}`
        );
      }
      if (model === null || typeof model !== "object" || Array.isArray(model)) {
        throw invalidParameter("Malformed model info: model_json must be a JSON object");
      }
      const missing = LOG_MODEL_FIELDS.filter((field) => !(field in model));
      if (missing.length > 0) {
        throw invalidParameter(`Model json is missing mandatory fields: ${missing.join(", ")}`);
      }
      await serialisedPerRun(runId, async () => {
        const run = await store.getRun(runId);
        if (run.info.lifecycle_stage !== "active") {
          throw new StoreError(
            "INVALID_PARAMETER_VALUE",
            `The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycle_stage}.`
          );
        }
        const previous = run.data.tags.find((tag2) => tag2.key === LOGGED_MODELS_TAG);
        const history = previous ? JSON.parse(previous.value) : [];
        history.push(model);
        const value = JSON.stringify(history);
        if (value.length > MAX_TAG_VALUE_LENGTH) {
          throw invalidParameter(
            `the ${LOGGED_MODELS_TAG} tag of run ${runId} would exceed ${MAX_TAG_VALUE_LENGTH} characters`
          );
        }
        await store.setTag(runId, { key: LOGGED_MODELS_TAG, value });
      });
      return {};
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/search",
    schema: schemas.searchRuns,
    permission: { resource: "none" },
    async handle(args, { store }) {
      const maxResults = int(args, "max_results") ?? 1e3;
      if (maxResults > MAX_SEARCH_RUNS_RESULTS) {
        throw invalidParameter(
          `Invalid value ${maxResults} for parameter 'max_results' supplied: it must be at most ${MAX_SEARCH_RUNS_RESULTS}`
        );
      }
      const result = await store.searchRuns({
        experimentIds: strings(args, "experiment_ids") ?? [],
        filter: str(args, "filter") || void 0,
        runViewType: viewTypeOf(args.run_view_type),
        maxResults,
        orderBy: strings(args, "order_by"),
        pageToken: str(args, "page_token") || void 0
      });
      return { runs: result.runs.map(runJson), next_page_token: result.next_page_token };
    }
  },
  {
    method: "GET",
    path: "/mlflow/artifacts/list",
    schema: schemas.listArtifacts,
    permission: { resource: "experiment", from: "run_id", level: "read" },
    async handle(args, { store, artifacts }) {
      const run = await store.getRun(required(args, "run_id"));
      const path = str(args, "path");
      const files = await artifacts.repositoryForRoot(run.info.artifact_uri).listArtifacts(path || void 0);
      return { root_uri: run.info.artifact_uri, files };
    }
  },
  {
    method: "GET",
    path: "/mlflow/metrics/get-history",
    schema: schemas.getMetricHistory,
    permission: { resource: "experiment", from: "run_id", level: "read" },
    async handle(args, { store }) {
      return {
        metrics: await store.getMetricHistory(required(args, "run_id"), required(args, "metric_key"))
      };
    }
  },
  {
    method: "GET",
    path: "/mlflow/metrics/get-history-bulk-interval",
    schema: schemas.getMetricHistoryBulkInterval,
    permission: { resource: "none" },
    async handle(args, { store }) {
      const runIds = strings(args, "run_ids") ?? [];
      if (runIds.length > MAX_RUNS_PER_BULK_INTERVAL) {
        throw invalidParameter(
          `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_PER_BULK_INTERVAL} run_ids. Received ${runIds.length} run_ids.`
        );
      }
      const maxResults = int(args, "max_results") ?? MAX_RESULTS_PER_RUN;
      if (maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) {
        throw invalidParameter(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`);
      }
      let start = int(args, "start_step");
      let end = int(args, "end_step");
      if (start === void 0 !== (end === void 0)) {
        throw invalidParameter("If either start step or end step are specified, both must be specified.");
      }
      if (start !== void 0 && end !== void 0 && start > end) {
        throw invalidParameter(
          `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`
        );
      }
      const key = required(args, "metric_key");
      const histories = await Promise.all(runIds.map((runId) => store.getMetricHistory(runId, key)));
      const allSteps = [...new Set(histories.flatMap((history) => history.map((m) => m.step)))].sort(
        (a, b) => a - b
      );
      start ??= 0;
      end ??= allSteps.length > 0 ? allSteps[allSteps.length - 1] : 0;
      const wanted = sampleSteps(allSteps, start, end, maxResults);
      for (const history of histories) {
        if (history.length === 0) continue;
        const steps = history.map((m) => m.step);
        for (const step of [Math.min(...steps), Math.max(...steps)]) {
          if (step >= start && step <= end) wanted.add(step);
        }
      }
      const metrics = histories.flatMap(
        (history, i) => history.filter((m) => wanted.has(m.step)).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value).map((m) => ({ ...m, run_id: runIds[i] }))
      );
      return { metrics: metrics.slice(0, 25e3) };
    }
  },
  {
    method: "POST",
    path: "/mlflow/runs/log-inputs",
    schema: schemas.logInputs,
    permission: { resource: "experiment", from: "run_id", level: "update" },
    async handle(args, { store }) {
      const runId = required(args, "run_id");
      const run = await store.getRun(runId);
      if (run.info.lifecycle_stage !== "active") {
        throw new StoreError(
          "INVALID_PARAMETER_VALUE",
          `The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycle_stage}.`
        );
      }
      if (store.logInputs === void 0) {
        throw new StoreError("NOT_IMPLEMENTED", `log-inputs: the store ${store.uri} keeps no datasets`);
      }
      const datasets = args.datasets.map((each) => ({
        tags: (each.tags ?? []).map((tag2) => ({ key: tag2.key, value: tag2.value ?? "" })),
        dataset: each.dataset
      }));
      await store.logInputs(runId, datasets);
      return {};
    }
  }
];

// src/ui/assets.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join as join2 } from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";
var CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml"
};
function packageRoot() {
  let dir = dirname(fileURLToPath2(import.meta.url));
  while (!existsSync(join2(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("mlrecipe: cannot find the package root for the UI files");
    dir = parent;
  }
  return dir;
}
var cached;
function contentType(file) {
  const dot = file.lastIndexOf(".");
  return CONTENT_TYPES[dot >= 0 ? file.slice(dot) : ""] ?? "application/octet-stream";
}
function table() {
  if (cached) return cached;
  const root = packageRoot();
  const uplotDir = dirname(createRequire(import.meta.url).resolve("uplot/dist/uPlot.iife.min.js"));
  const entries = [
    ["/", join2(root, "src", "ui", "public", "index.html")],
    ["/ui/style.css", join2(root, "src", "ui", "public", "style.css")],
    ["/ui/vendor/uPlot.iife.min.js", join2(uplotDir, "uPlot.iife.min.js")],
    ["/ui/vendor/uPlot.min.css", join2(uplotDir, "uPlot.min.css")]
  ];
  cached = new Map(entries.map(([url, path]) => [url, { path, contentType: contentType(path) }]));
  return cached;
}
var APP_MODULE = /^\/ui\/app\/((?:[a-z0-9_-]+\/)?[a-z0-9_-]+\.js(?:\.map)?)$/i;
function resolveUiAsset(urlPath) {
  const path = urlPath === "/index.html" ? "/" : urlPath;
  const fixed = table().get(path);
  if (fixed) return existsSync(fixed.path) ? fixed : void 0;
  const module = APP_MODULE.exec(path);
  if (!module) return void 0;
  const file = join2(packageRoot(), "dist", "ui", "app", ...module[1].split("/"));
  return existsSync(file) ? { path: file, contentType: contentType(file) } : void 0;
}

// src/server/tracking/app.ts
var DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "::1"];
var DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
var API_PREFIXES = ["/api/2.0", "/ajax-api/2.0"];
function buildTrackingApp(options) {
  const app = Fastify({
    bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    // Query strings are parsed per endpoint (repeated keys are lists, see request.ts).
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true
  });
  const artifacts = new ArtifactAccess(options.artifacts);
  const allowedHosts = new Set((options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS).map(normaliseHost));
  const corsOrigins = new Set(options.corsAllowedOrigins ?? []);
  app.addHook("onRequest", async (request, reply) => {
    const host = request.headers.host;
    if (!allowedHosts.has("*") && !hostAllowed(host, allowedHosts)) {
      return sendMlflowError(
        reply,
        "PERMISSION_DENIED",
        `Host header "${host ?? ""}" is not an allowed host of this server (a guard against DNS rebinding); start the server with --allowed-hosts to add it`,
        403
      );
    }
    const origin = request.headers.origin;
    if (origin !== void 0 && !sameOrigin(origin, host)) {
      if (corsOrigins.has(origin) || corsOrigins.has("*")) {
        reply.header("Access-Control-Allow-Origin", origin);
        reply.header("Vary", "Origin");
        reply.header("Access-Control-Allow-Credentials", "true");
        if (request.method === "OPTIONS") {
          reply.header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
          reply.header("Access-Control-Allow-Headers", "Content-Type, Authorization");
          reply.header("Access-Control-Max-Age", "600");
          return reply.code(204).send();
        }
      } else if (request.method !== "GET" && request.method !== "HEAD") {
        return sendMlflowError(
          reply,
          "PERMISSION_DENIED",
          `cross-origin request from ${origin} refused; start the server with --cors-allowed-origins ${origin} to allow it`,
          403
        );
      }
    }
    if (options.auth) {
      const user = await options.auth.authenticate(request);
      if (user === void 0) {
        reply.header("WWW-Authenticate", 'Basic realm="mlflow"');
        return sendMlflowError(
          reply,
          "UNAUTHENTICATED",
          "You are not authenticated. Please provide valid credentials (HTTP basic auth).",
          401
        );
      }
      request.mlrecipeUser = user;
    }
    return void 0;
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendMlflowError(
        reply,
        "INVALID_PARAMETER_VALUE",
        `the request body is larger than this server's limit of ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`,
        413
      );
    }
    if (error.statusCode !== void 0 && error.statusCode >= 400 && error.statusCode < 500) {
      return sendMlflowError(reply, "BAD_REQUEST", error.message, error.statusCode);
    }
    return sendErrorFor(reply, error);
  });
  app.get("/health", async (_request, reply) => reply.type("text/plain").send("OK"));
  app.get("/version", async (_request, reply) => reply.type("text/plain").send(mlrecipeVersion()));
  void app.register(async (api) => {
    api.removeAllContentTypeParsers();
    api.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
    for (const endpoint of [...trackingEndpoints, ...registryEndpoints]) {
      for (const prefix of API_PREFIXES) {
        api.route({
          method: endpoint.method,
          url: prefix + endpoint.path,
          handler: (request, reply) => handleEndpoint(endpoint, request, reply)
        });
      }
    }
    api.get("/get-artifact", (request, reply) => handleGetArtifact(request, reply, "run"));
    api.get("/model-versions/get-artifact", (request, reply) => handleGetArtifact(request, reply, "model"));
  });
  async function handleEndpoint(endpoint, request, reply) {
    if (options.artifactsOnly) {
      return reply.code(503).type("text/plain").send(
        `Endpoint ${endpoint.path} is disabled: this server runs with --artifacts-only (run it without that flag to serve tracking requests)`
      );
    }
    try {
      if (endpoint.path === "/mlflow/runs/log-batch" && typeof request.body === "string") {
        const size = Buffer.byteLength(request.body);
        if (size > MAX_BATCH_LOG_REQUEST_BYTES) {
          throw new StoreError(
            "INVALID_PARAMETER_VALUE",
            `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_BYTES} bytes, got a request of size ${size}.`
          );
        }
      }
      const args = readArguments(request, endpoint.schema);
      const ctx = {
        store: options.store,
        registry: options.registry,
        artifacts,
        request,
        ...request.mlrecipeUser ? { username: request.mlrecipeUser } : {}
      };
      if (options.auth) await options.auth.authorize(endpoint, args, ctx);
      let result = await endpoint.handle(args, ctx);
      if (options.auth) result = await options.auth.afterSuccess(endpoint, args, result, ctx.username);
      return reply.type("application/json").send(toProtoJson(result));
    } catch (error) {
      return sendErrorFor(reply, error);
    }
  }
  async function handleGetArtifact(request, reply, kind) {
    if (options.artifactsOnly) return reply.code(503).type("text/plain").send("disabled: --artifacts-only");
    try {
      if (kind === "run") {
        const args2 = readArguments(request, schemas.getArtifact);
        const ctx2 = contextFor(request);
        if (options.auth) await options.auth.authorizeRead("run", args2, ctx2);
        const run = await options.store.getRun(args2.run_id);
        const repo2 = artifacts.repositoryForRoot(run.info.artifact_uri);
        return await sendFile(reply, await repo2.resolveArtifactFile(args2.path));
      }
      const args = readArguments(request, schemas.getModelVersionArtifact);
      const ctx = contextFor(request);
      if (options.auth) await options.auth.authorizeRead("model", args, ctx);
      const version = await options.registry.getModelVersion(args.name, args.version);
      const repo = artifacts.repositoryForRoot(version.source);
      return await sendFile(reply, await repo.resolveArtifactFile(args.path));
    } catch (error) {
      return sendErrorFor(reply, error);
    }
  }
  function contextFor(request) {
    return {
      store: options.store,
      registry: options.registry,
      artifacts,
      request,
      ...request.mlrecipeUser ? { username: request.mlrecipeUser } : {}
    };
  }
  void app.register(async (proxy) => {
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    for (const prefix of API_PREFIXES) {
      const base = `${prefix}/mlflow-artifacts/artifacts`;
      proxy.get(
        base,
        (request, reply) => proxied(reply, async () => {
          const args = readArguments(request, schemas.listProxiedArtifacts);
          const path = typeof args.path === "string" && args.path !== "" ? args.path : void 0;
          options.auth?.authorizeArtifactPath(normaliseArtifactPath(path), "read", request.mlrecipeUser);
          const files = await artifacts.proxyRepository().listArtifacts(path);
          return {
            files: files.map((file) => ({ ...file, path: posix.basename(file.path) }))
          };
        })
      );
      proxy.get(
        `${base}/*`,
        (request, reply) => proxied(reply, async () => {
          const path = wildcardPath(request);
          options.auth?.authorizeArtifactPath(path, "read", request.mlrecipeUser);
          return sendFile(reply, await artifacts.proxyRepository().resolveArtifactFile(path));
        })
      );
      proxy.put(
        `${base}/*`,
        (request, reply) => proxied(reply, async () => {
          const path = wildcardPath(request);
          options.auth?.authorizeArtifactPath(path, "update", request.mlrecipeUser);
          const body = request.body;
          if (body === void 0 || body === null)
            throw new StoreError("INVALID_PARAMETER_VALUE", "the upload has no body");
          await artifacts.proxyRepository().writeArtifact(path, body);
          return {};
        })
      );
      proxy.delete(
        `${base}/*`,
        (request, reply) => proxied(reply, async () => {
          const path = wildcardPath(request);
          options.auth?.authorizeArtifactPath(path, "delete", request.mlrecipeUser);
          await artifacts.proxyRepository().deleteArtifacts(path);
          return {};
        })
      );
      for (const action of ["create", "complete", "abort"]) {
        proxy.post(
          `${prefix}/mlflow-artifacts/mpu/${action}/*`,
          (_request, reply) => sendMlflowError(
            reply,
            "NOT_IMPLEMENTED",
            "multipart upload is not supported by this artifact store (a local directory); upload with PUT"
          )
        );
      }
    }
  });
  async function proxied(reply, work) {
    const body = reply.request.body;
    const drain = () => {
      if (body && typeof body.resume === "function" && !body.readableEnded) body.resume();
    };
    if (!artifacts.serveArtifacts) {
      drain();
      return reply.code(503).type("text/plain").send(
        "Endpoint disabled: this server runs with --no-serve-artifacts (run it with --serve-artifacts to proxy artifacts)"
      );
    }
    try {
      const result = await work();
      if (result === reply) return reply;
      return reply.type("application/json").send(toProtoJson(result));
    } catch (error) {
      drain();
      return sendErrorFor(reply, error);
    }
  }
  const serveUiFiles = options.ui !== false;
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    if (API_PREFIXES.some((prefix) => path.startsWith(`${prefix}/`)) || !serveUiFiles || request.method !== "GET") {
      return sendMlflowError(reply, "ENDPOINT_NOT_FOUND", `no endpoint ${request.method} ${path}`, 404);
    }
    return serveUi(reply, path);
  });
  return app;
}
function wildcardPath(request) {
  const raw = request.params["*"] ?? "";
  return normaliseArtifactPath(raw);
}
var MIME_TYPES = {
  ".txt": "text/plain",
  ".log": "text/plain",
  ".md": "text/markdown",
  ".json": "application/json",
  ".csv": "text/csv",
  ".tsv": "text/tab-separated-values",
  ".html": "text/html",
  ".htm": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/vnd.microsoft.icon",
  ".yaml": "application/x-yaml",
  ".yml": "application/x-yaml",
  ".pdf": "application/pdf",
  ".woff2": "font/woff2"
};
function mimeTypeOf(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
function sendFile(reply, realPath) {
  const name = realPath.split(sep2).pop() ?? "artifact";
  return reply.type(mimeTypeOf(realPath)).header("Content-Disposition", `attachment; filename="${name.replace(/["\\\r\n]/g, "_")}"`).header("X-Content-Type-Options", "nosniff").header("Content-Length", String(statSync(realPath).size)).send(createReadStream(realPath));
}
async function serveUi(reply, urlPath) {
  const asset = resolveUiAsset(urlPath);
  if (!asset) return sendMlflowError(reply, "ENDPOINT_NOT_FOUND", `no file ${urlPath}`, 404);
  return reply.type(asset.contentType).header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-cache").send(createReadStream(asset.path));
}
function normaliseHost(host) {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
}
function hostAllowed(header, allowed) {
  if (header === void 0 || header === "") return false;
  let hostname2;
  let port;
  try {
    const url = new URL(`http://${header}`);
    hostname2 = normaliseHost(url.hostname);
    port = url.port;
  } catch {
    return false;
  }
  if (allowed.has(hostname2)) return true;
  return port !== "" && allowed.has(`${hostname2}:${port}`);
}
function sameOrigin(origin, host) {
  try {
    return host !== void 0 && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

// src/server/tracking/start.ts
import cluster from "node:cluster";
import { hostname, networkInterfaces } from "node:os";
import { resolve as resolve2 } from "node:path";
import { fileURLToPath as fileURLToPath3 } from "node:url";
var WORKER_ENV = "MLRECIPE_TRACKING_WORKER";
var SHUTDOWN_GRACE_MS = 15e3;
function urlOf(host, port) {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}
function defaultAllowedHosts(host) {
  const hosts = new Set(DEFAULT_ALLOWED_HOSTS);
  hosts.add(host);
  if (host === "0.0.0.0" || host === "::") {
    hosts.add(hostname());
    for (const list of Object.values(networkInterfaces())) {
      for (const address of list ?? []) hosts.add(address.address);
    }
  }
  return [...hosts];
}
function resolveConfig(options) {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 5e3;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not ${port}`);
  }
  if (/^https?:/i.test(options.backendStoreUri)) {
    throw new UsageError(`--backend-store-uri ${options.backendStoreUri} is itself a tracking server`, {
      hint: "give the database the server should use: sqlite:///mlruns/tracking.db or postgresql://\u2026"
    });
  }
  const serveArtifacts = options.serveArtifacts ?? true;
  if (options.artifactsOnly && !serveArtifacts) {
    throw new UsageError("--artifacts-only needs --serve-artifacts", { hint: "drop --no-serve-artifacts" });
  }
  return {
    backendStoreUri: options.backendStoreUri,
    // MLflow 2.x: a server proxying artifacts hands out mlflow-artifacts:/ roots by default.
    ...options.defaultArtifactRoot !== void 0 ? { defaultArtifactRoot: options.defaultArtifactRoot } : serveArtifacts ? { defaultArtifactRoot: "mlflow-artifacts:/" } : {},
    artifactsDestination: resolve2(options.artifactsDestination ?? "mlartifacts"),
    serveArtifacts,
    artifactsOnly: options.artifactsOnly ?? false,
    host,
    port,
    allowedHosts: [...defaultAllowedHosts(host), ...options.allowedHosts ?? []],
    corsAllowedOrigins: options.corsAllowedOrigins ?? [],
    ...options.authFile !== void 0 ? { authFile: resolve2(options.authFile) } : {},
    ...options.ui !== void 0 ? { ui: options.ui } : {}
  };
}
async function openApp(config) {
  const auth = config.authFile !== void 0 ? BasicAuth.fromFile(config.authFile) : void 0;
  const store = await openTrackingStore(config.backendStoreUri, {
    ...config.defaultArtifactRoot !== void 0 ? { defaultArtifactRoot: config.defaultArtifactRoot } : {}
  });
  try {
    const registry = registryForTrackingStore(store);
    const app = buildTrackingApp({
      store,
      registry,
      artifacts: { serveArtifacts: config.serveArtifacts, destination: config.artifactsDestination },
      artifactsOnly: config.artifactsOnly,
      allowedHosts: config.allowedHosts,
      corsAllowedOrigins: config.corsAllowedOrigins,
      ...auth ? { auth } : {},
      ...config.ui !== void 0 ? { ui: config.ui } : {}
    });
    app.addHook("onClose", async () => store.close());
    return { app, store };
  } catch (error) {
    await store.close();
    throw error;
  }
}
function listeningPort(app) {
  const address = app.server.address();
  if (address === null || typeof address === "string")
    throw new Error("the tracking server is not listening on TCP");
  return address.port;
}
async function startTrackingServer(options) {
  const config = resolveConfig(options);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new UsageError(`--workers must be a whole number from 1 to 64, not ${workers}`);
  }
  const log = options.log ?? ((line) => process.stderr.write(`${line}
`));
  const handleSignals = options.handleSignals ?? false;
  if (workers === 1) {
    const { app } = await openApp(config);
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      await app.close();
      throw error;
    }
    return inProcessHandle(app, config.host, handleSignals);
  }
  return clusterHandle(config, { workers, log, handleSignals });
}
function inProcessHandle(app, host, handleSignals) {
  const port = listeningPort(app);
  let closing;
  let markClosed = () => {
  };
  const closed = new Promise((resolvePromise) => {
    markClosed = resolvePromise;
  });
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      if (handleSignals) {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
      const timer = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await app.close();
      clearTimeout(timer);
      markClosed();
    })();
    return closing;
  };
  if (handleSignals) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  return { url: urlOf(host, port), host, port, workers: 1, close, closed };
}
async function clusterHandle(config, options) {
  const thisFile = fileURLToPath3(import.meta.url);
  const execArgv = thisFile.endsWith(".ts") ? ["--import", "tsx", ...process.execArgv] : process.execArgv;
  cluster.setupPrimary({ exec: thisFile, execArgv, args: [] });
  const live = /* @__PURE__ */ new Set();
  let shuttingDown = false;
  let markClosed = () => {
  };
  const closed = new Promise((resolvePromise) => {
    markClosed = resolvePromise;
  });
  const fork = () => new Promise((resolvePromise, reject) => {
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(config) });
    live.add(worker);
    let listening = false;
    worker.on("message", (message) => {
      if (message.type === "listening") {
        listening = true;
        resolvePromise(message.port);
      } else if (message.type === "failed") {
        reject(new DataError(`a tracking server worker could not start: ${message.message}`));
      }
    });
    worker.on("exit", (code, signal) => {
      live.delete(worker);
      if (!listening) {
        reject(
          new DataError(
            `a tracking server worker exited before it listened (${signal ?? `exit code ${code}`})`
          )
        );
        return;
      }
      if (shuttingDown) {
        if (live.size === 0) markClosed();
        return;
      }
      options.log(
        `tracking worker ${worker.process.pid} died (${signal ?? `exit code ${code}`}); starting a new one`
      );
      fork().catch((error) => {
        options.log(`error: ${error.message}; stopping`);
        void close();
      });
    });
  });
  let closing;
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      if (options.handleSignals) {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
      if (live.size === 0) markClosed();
      for (const worker of live) worker.send({ type: "shutdown" });
      const timer = setTimeout(() => {
        for (const worker of live) worker.process.kill("SIGKILL");
      }, SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
    })();
    return closing;
  };
  let sharedPort = config.port;
  try {
    sharedPort = await fork();
    await Promise.all(Array.from({ length: options.workers - 1 }, () => fork()));
  } catch (error) {
    await close();
    throw error;
  }
  if (options.handleSignals) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  return {
    url: urlOf(config.host, sharedPort),
    host: config.host,
    port: sharedPort,
    workers: options.workers,
    close,
    closed
  };
}
async function runWorker(config) {
  const send = (message) => process.send?.(message);
  let app;
  try {
    ({ app } = await openApp(config));
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    send({ type: "failed", message: error.message });
    process.exit(1);
  }
  const shutdown = () => {
    setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS - 2e3).unref();
    void app.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => {
  });
  process.on("SIGTERM", shutdown);
  process.on("message", (message) => {
    if (message?.type === "shutdown") shutdown();
  });
  send({ type: "listening", port: listeningPort(app) });
}
if (cluster.isWorker && process.env[WORKER_ENV]) {
  await runWorker(JSON.parse(process.env[WORKER_ENV]));
}
export {
  ArtifactAccess,
  BasicAuth,
  DEFAULT_ALLOWED_HOSTS,
  buildTrackingApp,
  defaultAllowedHosts,
  hashPassword,
  loadAuthFile,
  proxiedRootPath,
  startTrackingServer,
  toProtoJson,
  verifyPassword
};
