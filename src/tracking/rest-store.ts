/**
 * The TrackingStore for `http(s)://` tracking URIs: every call goes to a tracking server over
 * MLflow's REST API 2.0 — mlrecipe's own `recipe server` or MLflow's — through RestClient
 * (retries with backoff, MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN).
 *
 * Metrics are batched: logMetric calls made together (in the same turn of the event loop, e.g.
 * `Promise.all(points.map(p => store.logMetric(id, p)))`) go out as one log-batch request of up
 * to 1000 metrics, and each call settles with its batch, so an error still reaches the caller
 * that caused it. logMetrics / logBatch send whole batches themselves.
 */
import { StoreError } from '../errors.js';
import { RestClient, type RestClientOptions } from './rest-client.js';
import type {
  CreateRunOptions,
  DatasetInput,
  FinishRunOptions,
  Experiment,
  LogBatch,
  Metric,
  Param,
  Run,
  RunInfo,
  SearchExperimentsOptions,
  SearchExperimentsResult,
  SearchRunsOptions,
  SearchRunsResult,
  Tag,
  TrackingStore,
  UpdateRunOptions,
} from './types.js';
import { MAX_METRICS_PER_BATCH } from './types.js';
import { validateLogBatch, validateMetric } from './validation.js';

export type RestTrackingStoreOptions = Omit<RestClientOptions, 'baseUrl'> & { uri: string };

interface RawMetric {
  key: string;
  value: number | string;
  timestamp?: number;
  step?: number;
}

/** A protobuf JSON double ("NaN", "Infinity", "-Infinity" or a number). */
function double(value: number | string | undefined): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value ?? 0);
}

function metricOf(raw: RawMetric): Metric {
  return { key: raw.key, value: double(raw.value), timestamp: raw.timestamp ?? 0, step: raw.step ?? 0 };
}

function tagsOf(raw: Array<{ key: string; value?: string }> | undefined): Tag[] {
  return (raw ?? []).map((tag) => ({ key: tag.key, value: tag.value ?? '' }));
}

/** Protobuf JSON leaves empty lists and unset strings out; the store's objects always carry them. */
function experimentOf(raw: Partial<Experiment> & { experiment_id: string }): Experiment {
  return {
    experiment_id: raw.experiment_id,
    name: raw.name ?? '',
    artifact_location: raw.artifact_location ?? '',
    lifecycle_stage: raw.lifecycle_stage ?? 'active',
    creation_time: raw.creation_time ?? 0,
    last_update_time: raw.last_update_time ?? 0,
    tags: tagsOf(raw.tags),
  };
}

function runInfoOf(raw: Partial<RunInfo> & { run_id?: string; run_uuid?: string }): RunInfo {
  const runId = raw.run_id ?? raw.run_uuid ?? '';
  const info: RunInfo = {
    run_id: runId,
    run_uuid: runId,
    run_name: raw.run_name ?? '',
    experiment_id: raw.experiment_id ?? '',
    user_id: raw.user_id ?? '',
    status: raw.status ?? 'RUNNING',
    start_time: raw.start_time ?? 0,
    artifact_uri: raw.artifact_uri ?? '',
    lifecycle_stage: raw.lifecycle_stage ?? 'active',
  };
  if (raw.end_time !== undefined && raw.end_time !== null) info.end_time = raw.end_time;
  return info;
}

interface RawRun {
  info: Parameters<typeof runInfoOf>[0];
  data?: { metrics?: RawMetric[]; params?: Param[]; tags?: Tag[] };
  inputs?: { dataset_inputs?: Array<{ tags?: Tag[]; dataset: DatasetInput['dataset'] }> };
}

function runOf(raw: RawRun): Run {
  return {
    info: runInfoOf(raw.info),
    data: {
      metrics: (raw.data?.metrics ?? []).map(metricOf),
      params: tagsOf(raw.data?.params),
      tags: tagsOf(raw.data?.tags),
    },
    inputs: {
      dataset_inputs: (raw.inputs?.dataset_inputs ?? []).map((input) => ({
        tags: tagsOf(input.tags),
        dataset: input.dataset,
      })),
    },
  };
}

interface PendingMetric {
  metric: Metric;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class RestTrackingStore implements TrackingStore {
  readonly uri: string;
  readonly client: RestClient;
  private readonly pending = new Map<string, PendingMetric[]>();
  private flushScheduled = false;
  private inFlight = new Set<Promise<void>>();

  constructor(options: RestTrackingStoreOptions) {
    this.uri = options.uri;
    this.client = new RestClient({ ...options, baseUrl: options.uri });
  }

  async createExperiment(name: string, artifactLocation?: string, tags: Tag[] = []): Promise<string> {
    const answer = await this.call<{ experiment_id: string }>('POST', '/experiments/create', {
      name,
      ...(artifactLocation ? { artifact_location: artifactLocation } : {}),
      ...(tags.length > 0 ? { tags } : {}),
    });
    return answer.experiment_id;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const answer = await this.call<{ experiment: Experiment }>('GET', '/experiments/get', {
      experiment_id: experimentId,
    });
    return experimentOf(answer.experiment);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const answer = await this.call<{ experiment: Experiment }>('GET', '/experiments/get-by-name', {
        experiment_name: name,
      });
      return experimentOf(answer.experiment);
    } catch (error) {
      if (error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw error;
    }
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<SearchExperimentsResult> {
    const answer = await this.call<{ experiments?: Experiment[]; next_page_token?: string }>(
      'POST',
      '/experiments/search',
      {
        ...(options.viewType ? { view_type: options.viewType } : {}),
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.maxResults !== undefined ? { max_results: options.maxResults } : {}),
        ...(options.orderBy ? { order_by: options.orderBy } : {}),
        ...(options.pageToken ? { page_token: options.pageToken } : {}),
      },
    );
    return {
      experiments: (answer.experiments ?? []).map(experimentOf),
      ...(answer.next_page_token ? { next_page_token: answer.next_page_token } : {}),
    };
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.call('POST', '/experiments/delete', { experiment_id: experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.call('POST', '/experiments/restore', { experiment_id: experimentId });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.call('POST', '/experiments/update', { experiment_id: experimentId, new_name: newName });
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    await this.call('POST', '/experiments/set-experiment-tag', {
      experiment_id: experimentId,
      key: tag.key,
      value: tag.value,
    });
  }

  async createRun(options: CreateRunOptions): Promise<Run> {
    // Checked before the run exists, as the SQL stores do: bad params create nothing.
    if (options.params && options.params.length > 0) validateLogBatch({ params: options.params });
    const answer = await this.call<{ run: RawRun }>('POST', '/runs/create', {
      experiment_id: options.experimentId,
      ...(options.userId !== undefined ? { user_id: options.userId } : {}),
      // MLflow's client always sends the start time; the server's clock is not the client's.
      start_time: options.startTime ?? Date.now(),
      ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
      ...(options.runName !== undefined ? { run_name: options.runName } : {}),
    });
    const run = runOf(answer.run);
    if (options.params && options.params.length > 0) {
      await this.logBatch(run.info.run_id, { params: options.params });
      run.data.params = [...options.params].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return run;
  }

  async getRun(runId: string): Promise<Run> {
    const answer = await this.call<{ run: RawRun }>('GET', '/runs/get', { run_id: runId });
    return runOf(answer.run);
  }

  async updateRun(runId: string, options: UpdateRunOptions): Promise<RunInfo> {
    const answer = await this.call<{ run_info: Parameters<typeof runInfoOf>[0] }>('POST', '/runs/update', {
      run_id: runId,
      ...(options.status !== undefined ? { status: options.status } : {}),
      ...(options.endTime !== undefined ? { end_time: options.endTime } : {}),
      ...(options.runName !== undefined ? { run_name: options.runName } : {}),
    });
    return runInfoOf(answer.run_info);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.call('POST', '/runs/delete', { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.call('POST', '/runs/restore', { run_id: runId });
  }

  /** Joins the batch being gathered for `runId` (see the module comment). */
  logMetric(runId: string, metric: Metric): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Checked here as the SQL stores check it, so a bad point fails its own call at once.
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

  async logParam(runId: string, param: Param): Promise<void> {
    await this.call('POST', '/runs/log-parameter', { run_id: runId, key: param.key, value: param.value });
  }

  async setTag(runId: string, tag: Tag): Promise<void> {
    await this.call('POST', '/runs/set-tag', { run_id: runId, key: tag.key, value: tag.value });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.call('POST', '/runs/delete-tag', { run_id: runId, key });
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateLogBatch(batch);
    await this.call('POST', '/runs/log-batch', {
      run_id: runId,
      ...(batch.metrics && batch.metrics.length > 0 ? { metrics: batch.metrics } : {}),
      ...(batch.params && batch.params.length > 0 ? { params: batch.params } : {}),
      ...(batch.tags && batch.tags.length > 0 ? { tags: batch.tags } : {}),
    });
  }

  async finishRun(runId: string, options: FinishRunOptions): Promise<void> {
    const { status, endTime, ...batch } = options;
    // MLflow's REST API has no single call for both: the batch first, so a run never shows as
    // ended without its last metrics.
    if ((batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0) > 0) {
      await this.logBatch(runId, batch);
    }
    await this.updateRun(runId, { status, endTime: endTime ?? Date.now() });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.call('POST', '/runs/log-inputs', { run_id: runId, datasets });
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const answer = await this.call<{ metrics?: RawMetric[] }>('GET', '/metrics/get-history', {
      run_id: runId,
      metric_key: key,
    });
    return (answer.metrics ?? []).map(metricOf);
  }

  async searchRuns(options: SearchRunsOptions): Promise<SearchRunsResult> {
    const answer = await this.call<{ runs?: RawRun[]; next_page_token?: string }>('POST', '/runs/search', {
      experiment_ids: options.experimentIds,
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.runViewType ? { run_view_type: options.runViewType } : {}),
      ...(options.maxResults !== undefined ? { max_results: options.maxResults } : {}),
      ...(options.orderBy ? { order_by: options.orderBy } : {}),
      ...(options.pageToken ? { page_token: options.pageToken } : {}),
    });
    return {
      runs: (answer.runs ?? []).map(runOf),
      ...(answer.next_page_token ? { next_page_token: answer.next_page_token } : {}),
    };
  }

  /** Sends the metrics still gathered, then lets go. */
  async close(): Promise<void> {
    await this.flushAll();
  }

  /** Every call first sends the metrics gathered so far, so the server sees writes in order. */
  private async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    args: Record<string, unknown>,
  ): Promise<T> {
    await this.flushAll();
    return this.client.call<T>(method, path, args);
  }

  private async flushAll(): Promise<void> {
    for (const runId of [...this.pending.keys()]) this.flushRun(runId);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flushRun(runId: string): void {
    const list = this.pending.get(runId);
    if (list === undefined || list.length === 0) return;
    this.pending.delete(runId);
    for (let start = 0; start < list.length; start += MAX_METRICS_PER_BATCH) {
      const part = list.slice(start, start + MAX_METRICS_PER_BATCH);
      const sending = this.client
        .call('POST', '/runs/log-batch', { run_id: runId, metrics: part.map((each) => each.metric) })
        .then(
          () => part.forEach((each) => each.resolve()),
          (error: unknown) => part.forEach((each) => each.reject(error)),
        );
      this.inFlight.add(sending);
      void sending.finally(() => this.inFlight.delete(sending));
    }
  }
}

export function openRestTrackingStore(options: RestTrackingStoreOptions): RestTrackingStore {
  return new RestTrackingStore(options);
}
