import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  validateLogBatch,
  validateMetric
} from "./chunk-chunk-T77SP7Q2.js";
import {
  MAX_METRICS_PER_BATCH
} from "./chunk-chunk-5AC5CY3N.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/tracking/rest-client.ts
var RETRY_STATUSES = /* @__PURE__ */ new Set([408, 429, 500, 502, 503, 504]);
function envNumber(env, name, fallback) {
  const raw = env[name];
  if (raw === void 0 || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new StoreError("INVALID_PARAMETER_VALUE", `$${name} is "${raw}", not a non-negative number`);
  }
  return value;
}
var RestClient = class {
  baseUrl;
  authorization;
  maxRetries;
  backoffFactor;
  backoffJitter;
  timeoutMs;
  constructor(options) {
    const env = options.env ?? process.env;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const user = env.MLFLOW_TRACKING_USERNAME;
    const password = env.MLFLOW_TRACKING_PASSWORD;
    if (user && password) {
      this.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    } else if (env.MLFLOW_TRACKING_TOKEN) {
      this.authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    }
    this.maxRetries = options.maxRetries ?? envNumber(env, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", 5);
    this.backoffFactor = options.backoffFactorSeconds ?? envNumber(env, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 2);
    this.backoffJitter = options.backoffJitterSeconds ?? envNumber(env, "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 1);
    this.timeoutMs = (options.timeoutSeconds ?? envNumber(env, "MLFLOW_HTTP_REQUEST_TIMEOUT", 120)) * 1e3;
  }
  /** Calls `/api/2.0/mlflow<path>` and returns the parsed JSON answer. */
  async call(method, path, args = {}) {
    let url = `${this.baseUrl}/api/2.0/mlflow${path}`;
    let body;
    if (method === "GET") {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(args)) {
        if (value === void 0) continue;
        for (const each of Array.isArray(value) ? value : [value]) query.append(key, String(each));
      }
      const text2 = query.toString();
      if (text2 !== "") url += `?${text2}`;
    } else {
      body = JSON.stringify(
        args,
        (_key, v) => typeof v === "number" && !Number.isFinite(v) ? Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity" : v
      );
    }
    const response = await this.send(url, {
      method,
      body,
      headers: body === void 0 ? {} : { "Content-Type": "application/json" }
    });
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text, `${method} ${path}`);
    if (text.trim() === "") return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new StoreError(
        "INTERNAL_ERROR",
        `${method} ${path}: the server answered something that is not JSON: ${text.slice(0, 200)}`
      );
    }
  }
  /**
   * Sends one request with retries (see the module comment). `init.body` must be re-sendable
   * (a string), since a retry sends it again.
   */
  async send(url, init) {
    const headers = { "User-Agent": "mlrecipe", ...init.headers };
    if (this.authorization !== void 0) headers.Authorization = this.authorization;
    for (let attempt = 0; ; attempt++) {
      let response;
      let failure;
      try {
        response = await fetch(url, {
          method: init.method,
          headers,
          ...init.body !== void 0 ? { body: init.body } : {},
          signal: AbortSignal.timeout(this.timeoutMs)
        });
      } catch (error) {
        failure = error;
      }
      const transient = response === void 0 || RETRY_STATUSES.has(response.status);
      if (!transient || attempt >= this.maxRetries) {
        if (response !== void 0) return response;
        throw new StoreError(
          "TEMPORARILY_UNAVAILABLE",
          `${init.method} ${url}: ${describeNetworkError(failure)}${attempt > 0 ? ` (after ${attempt + 1} tries)` : ""}`,
          {
            cause: failure,
            hint: "check that the tracking server is running and MLFLOW_TRACKING_URI names it"
          }
        );
      }
      await response?.arrayBuffer().catch(() => void 0);
      const delaySeconds = this.backoffFactor * 2 ** attempt + Math.random() * this.backoffJitter;
      await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1e3));
    }
  }
};
function describeNetworkError(error) {
  if (error instanceof Error) {
    const cause = error.cause;
    return cause?.code ? `${error.message} (${cause.code})` : cause?.message ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
function errorFromResponse(status, text, what) {
  let code;
  let message = text.slice(0, 1e3);
  try {
    const body = JSON.parse(text);
    if (typeof body.error_code === "string") code = body.error_code;
    if (typeof body.message === "string") message = body.message;
  } catch {
  }
  code ??= status === 404 ? "ENDPOINT_NOT_FOUND" : status === 401 ? "UNAUTHENTICATED" : status === 403 ? "PERMISSION_DENIED" : status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
  const hint = status === 401 ? "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)" : status === 403 ? "ask the server admin for permission on this experiment or model" : void 0;
  const hintAt = message.lastIndexOf("\nhint: ");
  const serverHint = hintAt >= 0 ? message.slice(hintAt + "\nhint: ".length) : void 0;
  if (hintAt >= 0) message = message.slice(0, hintAt);
  return new StoreError(code, message, {
    hint: serverHint ?? hint ?? `${what} answered HTTP ${status}`
  });
}

// src/tracking/rest-store.ts
function double(value) {
  if (typeof value === "number") return value;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number(value ?? 0);
}
function metricOf(raw) {
  return { key: raw.key, value: double(raw.value), timestamp: raw.timestamp ?? 0, step: raw.step ?? 0 };
}
function tagsOf(raw) {
  return (raw ?? []).map((tag) => ({ key: tag.key, value: tag.value ?? "" }));
}
function experimentOf(raw) {
  return {
    experiment_id: raw.experiment_id,
    name: raw.name ?? "",
    artifact_location: raw.artifact_location ?? "",
    lifecycle_stage: raw.lifecycle_stage ?? "active",
    creation_time: raw.creation_time ?? 0,
    last_update_time: raw.last_update_time ?? 0,
    tags: tagsOf(raw.tags)
  };
}
function runInfoOf(raw) {
  const runId = raw.run_id ?? raw.run_uuid ?? "";
  const info = {
    run_id: runId,
    run_uuid: runId,
    run_name: raw.run_name ?? "",
    experiment_id: raw.experiment_id ?? "",
    user_id: raw.user_id ?? "",
    status: raw.status ?? "RUNNING",
    start_time: raw.start_time ?? 0,
    artifact_uri: raw.artifact_uri ?? "",
    lifecycle_stage: raw.lifecycle_stage ?? "active"
  };
  if (raw.end_time !== void 0 && raw.end_time !== null) info.end_time = raw.end_time;
  return info;
}
function runOf(raw) {
  return {
    info: runInfoOf(raw.info),
    data: {
      metrics: (raw.data?.metrics ?? []).map(metricOf),
      params: tagsOf(raw.data?.params),
      tags: tagsOf(raw.data?.tags)
    },
    inputs: {
      dataset_inputs: (raw.inputs?.dataset_inputs ?? []).map((input) => ({
        tags: tagsOf(input.tags),
        dataset: input.dataset
      }))
    }
  };
}
var RestTrackingStore = class {
  uri;
  client;
  pending = /* @__PURE__ */ new Map();
  flushScheduled = false;
  inFlight = /* @__PURE__ */ new Set();
  constructor(options) {
    this.uri = options.uri;
    this.client = new RestClient({ ...options, baseUrl: options.uri });
  }
  async createExperiment(name, artifactLocation, tags = []) {
    const answer = await this.call("POST", "/experiments/create", {
      name,
      ...artifactLocation ? { artifact_location: artifactLocation } : {},
      ...tags.length > 0 ? { tags } : {}
    });
    return answer.experiment_id;
  }
  async getExperiment(experimentId) {
    const answer = await this.call("GET", "/experiments/get", {
      experiment_id: experimentId
    });
    return experimentOf(answer.experiment);
  }
  async getExperimentByName(name) {
    try {
      const answer = await this.call("GET", "/experiments/get-by-name", {
        experiment_name: name
      });
      return experimentOf(answer.experiment);
    } catch (error) {
      if (error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_DOES_NOT_EXIST") return null;
      throw error;
    }
  }
  async searchExperiments(options = {}) {
    const answer = await this.call(
      "POST",
      "/experiments/search",
      {
        ...options.viewType ? { view_type: options.viewType } : {},
        ...options.filter ? { filter: options.filter } : {},
        ...options.maxResults !== void 0 ? { max_results: options.maxResults } : {},
        ...options.orderBy ? { order_by: options.orderBy } : {},
        ...options.pageToken ? { page_token: options.pageToken } : {}
      }
    );
    return {
      experiments: (answer.experiments ?? []).map(experimentOf),
      ...answer.next_page_token ? { next_page_token: answer.next_page_token } : {}
    };
  }
  async deleteExperiment(experimentId) {
    await this.call("POST", "/experiments/delete", { experiment_id: experimentId });
  }
  async restoreExperiment(experimentId) {
    await this.call("POST", "/experiments/restore", { experiment_id: experimentId });
  }
  async renameExperiment(experimentId, newName) {
    await this.call("POST", "/experiments/update", { experiment_id: experimentId, new_name: newName });
  }
  async setExperimentTag(experimentId, tag) {
    await this.call("POST", "/experiments/set-experiment-tag", {
      experiment_id: experimentId,
      key: tag.key,
      value: tag.value
    });
  }
  async createRun(options) {
    const answer = await this.call("POST", "/runs/create", {
      experiment_id: options.experimentId,
      ...options.userId !== void 0 ? { user_id: options.userId } : {},
      // MLflow's client always sends the start time; the server's clock is not the client's.
      start_time: options.startTime ?? Date.now(),
      ...options.tags && options.tags.length > 0 ? { tags: options.tags } : {},
      ...options.runName !== void 0 ? { run_name: options.runName } : {}
    });
    return runOf(answer.run);
  }
  async getRun(runId) {
    const answer = await this.call("GET", "/runs/get", { run_id: runId });
    return runOf(answer.run);
  }
  async updateRun(runId, options) {
    const answer = await this.call("POST", "/runs/update", {
      run_id: runId,
      ...options.status !== void 0 ? { status: options.status } : {},
      ...options.endTime !== void 0 ? { end_time: options.endTime } : {},
      ...options.runName !== void 0 ? { run_name: options.runName } : {}
    });
    return runInfoOf(answer.run_info);
  }
  async deleteRun(runId) {
    await this.call("POST", "/runs/delete", { run_id: runId });
  }
  async restoreRun(runId) {
    await this.call("POST", "/runs/restore", { run_id: runId });
  }
  /** Joins the batch being gathered for `runId` (see the module comment). */
  logMetric(runId, metric) {
    return new Promise((resolve, reject) => {
      try {
        validateMetric(metric);
      } catch (error) {
        reject(error);
        return;
      }
      const list = this.pending.get(runId) ?? [];
      list.push({ metric, resolve, reject });
      this.pending.set(runId, list);
      if (list.length >= MAX_METRICS_PER_BATCH) this.flushRun(runId);
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          for (const id of [...this.pending.keys()]) this.flushRun(id);
        });
      }
    });
  }
  async logParam(runId, param) {
    await this.call("POST", "/runs/log-parameter", { run_id: runId, key: param.key, value: param.value });
  }
  async setTag(runId, tag) {
    await this.call("POST", "/runs/set-tag", { run_id: runId, key: tag.key, value: tag.value });
  }
  async deleteTag(runId, key) {
    await this.call("POST", "/runs/delete-tag", { run_id: runId, key });
  }
  async logBatch(runId, batch) {
    validateLogBatch(batch);
    await this.call("POST", "/runs/log-batch", {
      run_id: runId,
      ...batch.metrics && batch.metrics.length > 0 ? { metrics: batch.metrics } : {},
      ...batch.params && batch.params.length > 0 ? { params: batch.params } : {},
      ...batch.tags && batch.tags.length > 0 ? { tags: batch.tags } : {}
    });
  }
  async logInputs(runId, datasets) {
    await this.call("POST", "/runs/log-inputs", { run_id: runId, datasets });
  }
  async getMetricHistory(runId, key) {
    const answer = await this.call("GET", "/metrics/get-history", {
      run_id: runId,
      metric_key: key
    });
    return (answer.metrics ?? []).map(metricOf);
  }
  async searchRuns(options) {
    const answer = await this.call("POST", "/runs/search", {
      experiment_ids: options.experimentIds,
      ...options.filter ? { filter: options.filter } : {},
      ...options.runViewType ? { run_view_type: options.runViewType } : {},
      ...options.maxResults !== void 0 ? { max_results: options.maxResults } : {},
      ...options.orderBy ? { order_by: options.orderBy } : {},
      ...options.pageToken ? { page_token: options.pageToken } : {}
    });
    return {
      runs: (answer.runs ?? []).map(runOf),
      ...answer.next_page_token ? { next_page_token: answer.next_page_token } : {}
    };
  }
  /** Sends the metrics still gathered, then lets go. */
  async close() {
    await this.flushAll();
  }
  /** Every call first sends the metrics gathered so far, so the server sees writes in order. */
  async call(method, path, args) {
    await this.flushAll();
    return this.client.call(method, path, args);
  }
  async flushAll() {
    for (const runId of [...this.pending.keys()]) this.flushRun(runId);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
  flushRun(runId) {
    const list = this.pending.get(runId);
    if (list === void 0 || list.length === 0) return;
    this.pending.delete(runId);
    for (let start = 0; start < list.length; start += MAX_METRICS_PER_BATCH) {
      const part = list.slice(start, start + MAX_METRICS_PER_BATCH);
      const sending = this.client.call("POST", "/runs/log-batch", { run_id: runId, metrics: part.map((each) => each.metric) }).then(
        () => part.forEach((each) => each.resolve()),
        (error) => part.forEach((each) => each.reject(error))
      );
      this.inFlight.add(sending);
      void sending.finally(() => this.inFlight.delete(sending));
    }
  }
};
function openRestTrackingStore(options) {
  return new RestTrackingStore(options);
}
export {
  RestTrackingStore,
  openRestTrackingStore
};
