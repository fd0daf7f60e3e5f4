/**
 * The tracking service of MLflow's REST API 2.0 (mlflow/protos/service.proto, handlers in
 * mlflow/server/handlers.py, 2.12) over a TrackingStore: experiments, runs, metrics, params,
 * tags, batches, logged models, metric histories and run artifact listings.
 */
import { StoreError } from '../../errors.js';
import {
  type DatasetInput,
  MAX_TAG_VALUE_LENGTH,
  type Metric,
  type Run,
  type ViewType,
} from '../../tracking/index.js';
import { type Endpoint, int, required, str, strings, tagsOf } from './endpoint.js';
import { parseProtoDouble } from './proto-json.js';
import { invalidParameter } from './request.js';
import { MAX_SEARCH_RUNS_RESULTS, schemas } from './schemas.js';

/** How a Run goes on the wire: MLflow always sends the `inputs` message, empty or not. */
export function runJson(run: Run): object {
  return { info: run.info, data: run.data, inputs: run.inputs ?? {} };
}

function viewTypeOf(value: unknown): ViewType | undefined {
  switch (value) {
    case undefined:
      return undefined;
    case 'ACTIVE_ONLY':
    case 1:
    case '1':
      return 'ACTIVE_ONLY';
    case 'DELETED_ONLY':
    case 2:
    case '2':
      return 'DELETED_ONLY';
    default:
      return 'ALL';
  }
}

function metricOf(raw: {
  key: string;
  value: number | string;
  timestamp: number | string;
  step?: number | string;
}): Metric {
  return {
    key: raw.key,
    value: parseProtoDouble(raw.value),
    timestamp: Number(raw.timestamp),
    step: raw.step === undefined ? 0 : Number(raw.step),
  };
}

/** MLflow refuses artifact locations with URL params or fragments (query-string attacks). */
function checkArtifactLocation(location: string | undefined): void {
  if (!location || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(location)) return;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return;
  }
  if (url.hash !== '' || url.pathname.includes(';')) {
    throw invalidParameter("'artifact_location' URL can't include fragments or params.");
  }
  for (const [, value] of url.searchParams) {
    if (value.includes('..') || value.includes('/')) {
      throw invalidParameter(`'artifact_location' has an invalid query string value "${value}"`);
    }
  }
}

const LOGGED_MODELS_TAG = 'mlflow.log-model.history';
const LOG_MODEL_FIELDS = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'];

/** Serialises log-model's read-modify-write of one run's history tag within this process. */
const logModelQueues = new Map<string, Promise<unknown>>();

function serialisedPerRun<T>(runId: string, task: () => Promise<T>): Promise<T> {
  const previous = logModelQueues.get(runId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(task);
  logModelQueues.set(runId, next);
  void next
    .finally(() => {
      if (logModelQueues.get(runId) === next) logModelQueues.delete(runId);
    })
    .catch(() => undefined);
  return next;
}

const MAX_RUNS_PER_BULK_INTERVAL = 100;
const MAX_RESULTS_PER_RUN = 2500;

/** MLflow's step sampling for get-history-bulk-interval: evenly spaced, plus the last step. */
export function sampleSteps(allSteps: number[], start: number, end: number, maxResults: number): Set<number> {
  const startIdx = lowerBound(allSteps, start);
  const endIdx = upperBound(allSteps, end);
  if (endIdx - startIdx <= maxResults) return new Set(allSteps.slice(startIdx, endIdx));
  const count = endIdx - startIdx;
  const interval = count / maxResults;
  const sampled = new Set<number>();
  for (let i = 0; i < maxResults; i++) {
    const idx = startIdx + Math.floor(i * interval);
    if (idx < endIdx) sampled.add(allSteps[idx] as number);
  }
  sampled.add(allSteps[endIdx - 1] as number);
  return sampled;
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const trackingEndpoints: Endpoint[] = [
  {
    method: 'POST',
    path: '/mlflow/experiments/create',
    schema: schemas.createExperiment,
    permission: { resource: 'create' },
    async handle(args, { store }) {
      const location = str(args, 'artifact_location');
      checkArtifactLocation(location);
      const id = await store.createExperiment(required(args, 'name'), location || undefined, tagsOf(args));
      return { experiment_id: id };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/experiments/get',
    schema: schemas.getExperiment,
    permission: { resource: 'experiment', from: 'experiment_id', level: 'read' },
    async handle(args, { store }) {
      return { experiment: await store.getExperiment(required(args, 'experiment_id')) };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/experiments/get-by-name',
    schema: schemas.getExperimentByName,
    permission: { resource: 'experiment', from: 'experiment_name', level: 'read' },
    async handle(args, { store }) {
      const name = required(args, 'experiment_name');
      const experiment = await store.getExperimentByName(name);
      if (experiment === null) {
        throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
      }
      return { experiment };
    },
  },
  ...(['POST', 'GET'] as const).map((method): Endpoint => ({
    method,
    path: '/mlflow/experiments/search',
    schema: schemas.searchExperiments,
    permission: { resource: 'none' },
    async handle(args, { store }) {
      const result = await store.searchExperiments({
        viewType: viewTypeOf(args.view_type),
        // The proto has no default here (MLflow's store then refuses 0); 1000 is its store default.
        maxResults: int(args, 'max_results') ?? 1000,
        filter: str(args, 'filter') || undefined,
        orderBy: strings(args, 'order_by'),
        pageToken: str(args, 'page_token') || undefined,
      });
      return result;
    },
  })),
  {
    method: 'POST',
    path: '/mlflow/experiments/delete',
    schema: schemas.experimentId,
    permission: { resource: 'experiment', from: 'experiment_id', level: 'delete' },
    async handle(args, { store }) {
      await store.deleteExperiment(required(args, 'experiment_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/restore',
    schema: schemas.experimentId,
    permission: { resource: 'experiment', from: 'experiment_id', level: 'delete' },
    async handle(args, { store }) {
      await store.restoreExperiment(required(args, 'experiment_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/update',
    schema: schemas.updateExperiment,
    permission: { resource: 'experiment', from: 'experiment_id', level: 'update' },
    async handle(args, { store }) {
      await store.renameExperiment(required(args, 'experiment_id'), required(args, 'new_name'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/set-experiment-tag',
    schema: schemas.setExperimentTag,
    permission: { resource: 'experiment', from: 'experiment_id', level: 'update' },
    async handle(args, { store }) {
      await store.setExperimentTag(required(args, 'experiment_id'), {
        key: required(args, 'key'),
        value: str(args, 'value') ?? '',
      });
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/create',
    schema: schemas.createRun,
    permission: { resource: 'experiment', from: 'experiment_id', level: 'update' },
    async handle(args, { store, username }) {
      const run = await store.createRun({
        // MLflow's store reads a missing experiment id as the Default experiment.
        experimentId: str(args, 'experiment_id') || '0',
        userId: str(args, 'user_id') || username,
        startTime: int(args, 'start_time'),
        tags: tagsOf(args),
        runName: str(args, 'run_name') || undefined,
      });
      return { run: runJson(run) };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/update',
    schema: schemas.updateRun,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      const status = str(args, 'status');
      const info = await store.updateRun(required(args, 'run_id'), {
        status: status as Parameters<typeof store.updateRun>[1]['status'],
        endTime: int(args, 'end_time'),
        runName: str(args, 'run_name'),
      });
      return { run_info: info };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/delete',
    schema: schemas.runId,
    permission: { resource: 'experiment', from: 'run_id', level: 'delete' },
    async handle(args, { store }) {
      await store.deleteRun(required(args, 'run_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/restore',
    schema: schemas.runId,
    permission: { resource: 'experiment', from: 'run_id', level: 'delete' },
    async handle(args, { store }) {
      await store.restoreRun(required(args, 'run_id'));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/runs/get',
    schema: schemas.runId,
    permission: { resource: 'experiment', from: 'run_id', level: 'read' },
    async handle(args, { store }) {
      return { run: runJson(await store.getRun(required(args, 'run_id'))) };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-metric',
    schema: schemas.logMetric,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      await store.logMetric(
        required(args, 'run_id'),
        metricOf(args as { key: string; value: number; timestamp: number; step?: number }),
      );
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-parameter',
    schema: schemas.logParam,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      await store.logParam(required(args, 'run_id'), {
        key: required(args, 'key'),
        value: str(args, 'value') ?? '',
      });
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/set-tag',
    schema: schemas.setTag,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      await store.setTag(required(args, 'run_id'), {
        key: required(args, 'key'),
        value: str(args, 'value') ?? '',
      });
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/delete-tag',
    schema: schemas.deleteTag,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      await store.deleteTag(required(args, 'run_id'), required(args, 'key'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-batch',
    schema: schemas.logBatch,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      const metrics = (args.metrics as Array<Parameters<typeof metricOf>[0]> | undefined) ?? [];
      await store.logBatch(required(args, 'run_id'), {
        metrics: metrics.map(metricOf),
        params: tagsOf(args, 'params'),
        tags: tagsOf(args, 'tags'),
      });
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-model',
    schema: schemas.logModel,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      const runId = required(args, 'run_id');
      const modelJson = required(args, 'model_json');
      let model: unknown;
      try {
        model = JSON.parse(modelJson);
      } catch {
        throw invalidParameter(
          `Malformed model info: model_json is not valid JSON: ${modelJson.slice(0, 200)}`,
        );
      }
      if (model === null || typeof model !== 'object' || Array.isArray(model)) {
        throw invalidParameter('Malformed model info: model_json must be a JSON object');
      }
      const missing = LOG_MODEL_FIELDS.filter((field) => !(field in model));
      if (missing.length > 0) {
        throw invalidParameter(`Model json is missing mandatory fields: ${missing.join(', ')}`);
      }
      // MLflow appends the model's dict to the run's `mlflow.log-model.history` tag (a JSON list).
      await serialisedPerRun(runId, async () => {
        const run = await store.getRun(runId);
        if (run.info.lifecycle_stage !== 'active') {
          throw new StoreError(
            'INVALID_PARAMETER_VALUE',
            `The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycle_stage}.`,
          );
        }
        const previous = run.data.tags.find((tag) => tag.key === LOGGED_MODELS_TAG);
        const history = previous ? (JSON.parse(previous.value) as unknown[]) : [];
        history.push(model);
        const value = JSON.stringify(history);
        if (value.length > MAX_TAG_VALUE_LENGTH) {
          throw invalidParameter(
            `the ${LOGGED_MODELS_TAG} tag of run ${runId} would exceed ${MAX_TAG_VALUE_LENGTH} characters`,
          );
        }
        await store.setTag(runId, { key: LOGGED_MODELS_TAG, value });
      });
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/search',
    schema: schemas.searchRuns,
    permission: { resource: 'none' },
    async handle(args, { store }) {
      const maxResults = int(args, 'max_results') ?? 1000;
      if (maxResults > MAX_SEARCH_RUNS_RESULTS) {
        throw invalidParameter(
          `Invalid value ${maxResults} for parameter 'max_results' supplied: it must be at most ${MAX_SEARCH_RUNS_RESULTS}`,
        );
      }
      const result = await store.searchRuns({
        experimentIds: strings(args, 'experiment_ids') ?? [],
        filter: str(args, 'filter') || undefined,
        runViewType: viewTypeOf(args.run_view_type),
        maxResults,
        orderBy: strings(args, 'order_by'),
        pageToken: str(args, 'page_token') || undefined,
      });
      return { runs: result.runs.map(runJson), next_page_token: result.next_page_token };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/artifacts/list',
    schema: schemas.listArtifacts,
    permission: { resource: 'experiment', from: 'run_id', level: 'read' },
    async handle(args, { store, artifacts }) {
      const run = await store.getRun(required(args, 'run_id'));
      const path = str(args, 'path');
      const files = await artifacts
        .listingRepositoryForRoot(run.info.artifact_uri)
        .listArtifacts(path || undefined);
      return { root_uri: run.info.artifact_uri, files };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/metrics/get-history',
    schema: schemas.getMetricHistory,
    permission: { resource: 'experiment', from: 'run_id', level: 'read' },
    async handle(args, { store }) {
      return {
        metrics: await store.getMetricHistory(required(args, 'run_id'), required(args, 'metric_key')),
      };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/metrics/get-history-bulk-interval',
    schema: schemas.getMetricHistoryBulkInterval,
    permission: { resource: 'none' },
    async handle(args, { store }) {
      const runIds = strings(args, 'run_ids') ?? [];
      if (runIds.length > MAX_RUNS_PER_BULK_INTERVAL) {
        throw invalidParameter(
          `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_PER_BULK_INTERVAL} run_ids. Received ${runIds.length} run_ids.`,
        );
      }
      const maxResults = int(args, 'max_results') ?? MAX_RESULTS_PER_RUN;
      if (maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) {
        throw invalidParameter(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`);
      }
      let start = int(args, 'start_step');
      let end = int(args, 'end_step');
      if ((start === undefined) !== (end === undefined)) {
        throw invalidParameter('If either start step or end step are specified, both must be specified.');
      }
      if (start !== undefined && end !== undefined && start > end) {
        throw invalidParameter(
          `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
        );
      }
      const key = required(args, 'metric_key');
      const histories = await Promise.all(runIds.map((runId) => store.getMetricHistory(runId, key)));
      const allSteps = [...new Set(histories.flatMap((history) => history.map((m) => m.step)))].sort(
        (a, b) => a - b,
      );
      start ??= 0;
      end ??= allSteps.length > 0 ? (allSteps[allSteps.length - 1] as number) : 0;
      const wanted = sampleSteps(allSteps, start, end, maxResults);
      for (const history of histories) {
        if (history.length === 0) continue;
        const steps = history.map((m) => m.step);
        for (const step of [Math.min(...steps), Math.max(...steps)]) {
          if (step >= start && step <= end) wanted.add(step);
        }
      }
      const metrics = histories.flatMap((history, i) =>
        history
          .filter((m) => wanted.has(m.step))
          .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value)
          .map((m) => ({ ...m, run_id: runIds[i] as string })),
      );
      return { metrics: metrics.slice(0, 25_000) };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-inputs',
    schema: schemas.logInputs,
    permission: { resource: 'experiment', from: 'run_id', level: 'update' },
    async handle(args, { store }) {
      const runId = required(args, 'run_id');
      const run = await store.getRun(runId);
      if (run.info.lifecycle_stage !== 'active') {
        throw new StoreError(
          'INVALID_PARAMETER_VALUE',
          `The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycle_stage}.`,
        );
      }
      if (store.logInputs === undefined) {
        throw new StoreError('NOT_IMPLEMENTED', `log-inputs: the store ${store.uri} keeps no datasets`);
      }
      const datasets = (
        args.datasets as Array<{
          tags?: Array<{ key: string; value?: string }>;
          dataset: DatasetInput['dataset'];
        }>
      ).map((each): DatasetInput => ({
        tags: (each.tags ?? []).map((tag) => ({ key: tag.key, value: tag.value ?? '' })),
        dataset: each.dataset,
      }));
      await store.logInputs(runId, datasets);
      return {};
    },
  },
];
