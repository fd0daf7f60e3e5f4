/**
 * `recipe worker`: a long-running process that takes sweep-trial jobs from the queue, runs each
 * trial with the same code as an in-process sweep (fitTrainTrial on worker threads,
 * builtinTrialMetrics), finishes the trial's child run in the tracking store, and writes the
 * result row that the enqueuer waits for.
 *
 * Exactly once: the sweep creates the trial's child run before queueing the job, and the worker
 * only finishes it, after checking it is still RUNNING (a worker killed after finishing the run
 * but before completing the job leaves a FINISHED run, whose metrics become the result instead of
 * a second fit). The result row is keyed by the fingerprint (INSERT … ON CONFLICT DO NOTHING).
 *
 * A dead worker: graphile-worker 0.17 releases a crashed worker's jobs only after a fixed 4 hours.
 * Each process therefore heartbeats into mlrecipe_queue_workers, and every worker, on its own
 * heartbeat, declares a process whose heartbeat is older than that process's lock timeout lost
 * and releases its jobs (graphile_worker.force_unlock_workers), so another worker retries them.
 * Fits run on worker threads, so a long fit never stalls the heartbeat.
 *
 * Releasing needs the id a job is locked by: graphile-worker 0.17 locks with its worker pool's
 * random id, known to this process only once a job has started, when it is written into the
 * worker's row. A worker that dies between taking a job and writing the id leaves a lock no row
 * names; so each heartbeat also releases locks older than the longest lock timeout of any worker
 * that no worker's row names. A live worker writes its id as the first thing a job does, within
 * milliseconds of taking it, so only a dead worker's lock can be that old and unnamed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JobHelpers, run, type Runner, type Task } from 'graphile-worker';
import {
  builtinTrialMetrics,
  type RemoteTrialOutcome,
  TRIAL_TAGS,
  type TrainTrialInputs,
  trainTrialPool,
  trialRunMetrics,
  type TrialWorkerResult,
  type TrialWorkerTask,
  type WorkerPool,
} from '../sweeps/index.js';
import {
  artifactRepositoryForUri,
  MAX_TAG_VALUE_LENGTH,
  openTrackingStore,
  type Run,
  type TrackingStore,
} from '../tracking/index.js';
import type { EnvManager } from '../projects/index.js';
import {
  type ProjectJobPayload,
  parseProjectPayload,
  parseTrialPayload,
  type TrialJobPayload,
} from './payloads.js';
import { unpackProject } from './project-bundle.js';
import { storedOutcome, type StoredProjectOutcome } from './results.js';
import {
  PROJECT_TASK,
  prepareQueueSchema,
  QUEUE_WORKER_TAG,
  queuePool,
  quietLogger,
  RESULTS_CHANNEL,
  TRIAL_TASK,
} from './schema.js';
import { decodeTrialInputs } from './trial-inputs.js';

export const WORKER_TASKS = ['trial', 'project'] as const;
export type WorkerTaskKind = (typeof WORKER_TASKS)[number];

export interface QueueWorkerOptions {
  /** The queue's PostgreSQL database, `postgresql://…`. */
  connectionString: string;
  /** Jobs at once (default 1); each trial fits on its own worker thread. */
  concurrency?: number;
  /** Where trials are recorded; default the enqueuer's tracking URI carried by each job. */
  trackingUri?: string;
  tasks?: readonly WorkerTaskKind[];
  /** A worker silent this long is declared lost and its jobs retried elsewhere (default 60 s). */
  lockTimeoutMs?: number;
  /** How often this worker heartbeats and looks for lost workers (default lockTimeout / 4). */
  heartbeatMs?: number;
  /** How often an idle worker polls for jobs made available without a notification (default 1 s). */
  pollIntervalMs?: number;
  log(message: string): void;
}

export interface QueueWorker {
  readonly workerId: string;
  /** Finishes the jobs in flight (releasing them after `graceMs`) and stops. */
  stop(graceMs?: number): Promise<void>;
  /** Settles when the worker has stopped. */
  readonly done: Promise<void>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

interface LoadedInputs {
  inputs: TrainTrialInputs;
  pool: WorkerPool<TrialWorkerTask, TrialWorkerResult>;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const lockTimeoutMs = Math.max(1000, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const heartbeatMs = Math.max(100, options.heartbeatMs ?? Math.floor(lockTimeoutMs / 4));
  const tasks = options.tasks ?? WORKER_TASKS;
  const workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const pool = queuePool(options.connectionString, concurrency + 4);
  await prepareQueueSchema(pool);
  await pool.query(
    `INSERT INTO mlrecipe_queue_workers (worker_id, host, pid, concurrency, tasks, lock_timeout_ms)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [workerId, hostname(), process.pid, concurrency, tasks.join(','), lockTimeoutMs],
  );

  const graphileIds = new Set<string>();
  const stores = new Map<string, Promise<TrackingStore>>();
  const storeFor = (uri: string) => {
    let store = stores.get(uri);
    if (!store) {
      store = openTrackingStore(uri);
      stores.set(uri, store);
      store.catch(() => stores.delete(uri));
    }
    return store;
  };
  // The last few sweeps' inputs stay loaded (with their threads): a sweep's trials arrive together.
  const loaded = new Map<string, Promise<LoadedInputs>>();
  const inputsFor = (payload: TrialJobPayload, trackingUri: string | undefined) => {
    const key = payload.inputs.sha256;
    let entry = loaded.get(key);
    if (!entry) {
      entry = loadInputs(payload, trackingUri, concurrency);
      loaded.set(key, entry);
      entry.catch(() => loaded.delete(key));
      while (loaded.size > 2) {
        const [oldest, evicted] = loaded.entries().next().value as [string, Promise<LoadedInputs>];
        loaded.delete(oldest);
        void evicted.then((l) => l.pool.close()).catch(() => undefined);
      }
    } else {
      loaded.delete(key);
      loaded.set(key, entry);
    }
    return entry;
  };

  // Jobs in flight by key, each with the controller a cancel (its enqueuer was stopped) aborts.
  const inflight = new Map<string, AbortController>();
  const cancelled = async (key: string) =>
    ((await pool.query('SELECT 1 FROM mlrecipe_queue_cancels WHERE job_key = $1', [key])).rowCount ?? 0) > 0;
  const watchCancels = setInterval(
    () => {
      if (inflight.size === 0) return;
      pool
        .query<{ job_key: string; reason: string }>(
          'SELECT job_key, reason FROM mlrecipe_queue_cancels WHERE job_key = ANY($1)',
          [[...inflight.keys()]],
        )
        .then((found) => {
          for (const row of found.rows) {
            const controller = inflight.get(row.job_key);
            if (controller && !controller.signal.aborted) {
              options.log(`job ${row.job_key.slice(0, 12)} cancelled by its enqueuer: stopping it`);
              controller.abort(new Error(`cancelled: ${row.reason}`));
            }
          }
        })
        .catch(() => undefined);
    },
    Math.min(1000, heartbeatMs),
  );

  // Recorded before any work: if this process dies mid-job, the others must know which
  // graphile-worker id holds the job to release it (the heartbeat may not have run yet).
  const recordLock = async (helpers: JobHelpers) => {
    const lockedBy = helpers.job.locked_by;
    if (lockedBy && !graphileIds.has(lockedBy)) {
      graphileIds.add(lockedBy);
      await pool.query('UPDATE mlrecipe_queue_workers SET graphile_worker_ids = $2 WHERE worker_id = $1', [
        workerId,
        [...graphileIds],
      ]);
    }
  };
  const hasResult = async (key: string) =>
    ((await pool.query('SELECT 1 FROM mlrecipe_queue_results WHERE job_key = $1', [key])).rowCount ?? 0) > 0;
  /** Writes a job's result row once, and tells the waiting enqueuer (result-waiter.ts). */
  const writeResult = async (row: {
    key: string;
    task: 'trial' | 'project';
    format: number;
    outcome: unknown;
    runId: string | null;
  }) => {
    await pool.query(
      `INSERT INTO mlrecipe_queue_results (job_key, task, format, outcome, run_id, worker_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_key) DO NOTHING`,
      [row.key, row.task, row.format, JSON.stringify(row.outcome), row.runId, workerId],
    );
    await pool.query('SELECT pg_notify($1, $2)', [RESULTS_CHANNEL, row.key]);
    await pool.query('UPDATE mlrecipe_queue_workers SET jobs_done = jobs_done + 1 WHERE worker_id = $1', [
      workerId,
    ]);
  };
  /** Runs `work` with a signal that aborts when the worker stops or the enqueuer cancels the job. */
  const tracked = async <T>(
    key: string,
    helpers: JobHelpers,
    work: (signal: AbortSignal, cancel: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const controller = new AbortController();
    inflight.set(key, controller);
    try {
      return await work(AbortSignal.any([helpers.abortSignal, controller.signal]), controller.signal);
    } finally {
      inflight.delete(key);
    }
  };

  const trialTask: Task = async (raw, helpers) => {
    await recordLock(helpers);
    const payload = parseTrialPayload(raw);
    if (await hasResult(payload.fingerprint)) return;
    if (await cancelled(payload.fingerprint)) {
      options.log(`trial ${payload.index} ${payload.fingerprint.slice(0, 12)}: its sweep stopped; skipped`);
      return;
    }
    const trackingUri = options.trackingUri ?? payload.trackingUri;
    const store = payload.runId && trackingUri ? await storeFor(trackingUri) : undefined;
    if (payload.runId && !store) {
      throw new Error(
        `trial ${payload.index} has a child run but no tracking URI: start the worker with --tracking-uri`,
      );
    }
    let outcome: RemoteTrialOutcome | undefined;
    if (store && payload.runId) {
      const existing = await store.getRun(payload.runId);
      const status = existing.info.status;
      if (status === 'KILLED') {
        options.log(`trial ${payload.index} ${payload.fingerprint.slice(0, 12)}: its sweep stopped; skipped`);
        return;
      }
      // Finished by a worker that died before it could complete the job: the run is the result.
      if (status !== 'RUNNING') outcome = outcomeFromRun(existing);
    }
    if (!outcome) {
      options.log(`trial ${payload.index} ${payload.fingerprint.slice(0, 12)} started`);
      const loaded = await inputsFor(payload, trackingUri);
      const ran = await tracked(payload.fingerprint, helpers, async (signal, cancel) => {
        try {
          return await runTrial(payload, loaded, signal);
        } catch (error) {
          if (cancel.aborted) return undefined;
          throw error;
        }
      });
      if (!ran) {
        // The sweep was stopped: it ends the child run KILLED; nothing to record or retry.
        options.log(
          `trial ${payload.index} ${payload.fingerprint.slice(0, 12)} stopped: its sweep was cancelled`,
        );
        return;
      }
      outcome = ran;
      if (store && payload.runId) {
        const { inputs } = loaded;
        const value = outcome.status === 'ok' ? outcome.metrics[inputs.primary] : undefined;
        await store.finishRun(payload.runId, {
          status: outcome.status === 'ok' ? 'FINISHED' : 'FAILED',
          metrics: trialRunMetrics({
            status: outcome.status,
            metrics: outcome.status === 'ok' ? outcome.metrics : {},
            loss: value === undefined ? Number.NaN : inputs.greater ? -value : value,
            fitSeconds: outcome.status === 'ok' ? outcome.fitSeconds : 0,
          }).filter((m) => Number.isFinite(m.value)),
          tags: [
            { key: TRIAL_TAGS.worker, value: workerId },
            ...(outcome.status === 'failed'
              ? [{ key: TRIAL_TAGS.error, value: outcome.error.slice(0, MAX_TAG_VALUE_LENGTH) }]
              : []),
          ],
        });
      }
    }
    await writeResult({
      key: payload.fingerprint,
      task: 'trial',
      format: payload.format,
      outcome: storedOutcome(outcome),
      runId: payload.runId ?? null,
    });
    options.log(
      `trial ${payload.index} ${payload.fingerprint.slice(0, 12)} ${outcome.status === 'ok' ? 'finished' : `failed: ${outcome.error}`}`,
    );
  };

  // Unpacked projects by archive hash, in a directory of this worker's (two jobs of one sweep share one).
  const projectsRoot = join(tmpdir(), `mlrecipe-worker-projects-${process.getuid?.() ?? 'user'}`);
  const unpacking = new Map<string, Promise<string>>();
  const projectDirFor = (payload: ProjectJobPayload, trackingUri: string) => {
    const key = payload.bundle.sha256;
    let entry = unpacking.get(key);
    if (!entry) {
      entry = fetchProject(payload, trackingUri, join(projectsRoot, key));
      unpacking.set(key, entry);
      entry.catch(() => unpacking.delete(key));
    }
    return entry;
  };

  const projectTask: Task = async (raw, helpers) => {
    await recordLock(helpers);
    const payload = parseProjectPayload(raw);
    const label = `run ${payload.runId} (${payload.entryPoint})`;
    if (await hasResult(payload.key)) return;
    if (await cancelled(payload.key)) {
      options.log(`${label}: its enqueuer stopped; skipped`);
      return;
    }
    const trackingUri = options.trackingUri ?? payload.trackingUri;
    if (!trackingUri) {
      throw new Error(`${label} has no tracking URI: start the worker with --tracking-uri`);
    }
    const store = await storeFor(trackingUri);
    const existing = await store.getRun(payload.runId);
    let outcome: StoredProjectOutcome;
    if (existing.info.status === 'FINISHED' || existing.info.status === 'FAILED') {
      // Finished by a worker that died before it could complete the job: the run is the result.
      outcome = { status: existing.info.status, problems: [], outputs: {} };
    } else {
      // RUNNING, or KILLED by a worker that was stopped mid-run (the job came back to the queue):
      // the command runs (again) into the same run, which it ends.
      options.log(`${label} started`);
      await store.logBatch(payload.runId, { tags: [{ key: QUEUE_WORKER_TAG, value: workerId }] });
      const dir = await projectDirFor(payload, trackingUri);
      const projects = await import('../projects/index.js');
      const prepared = await projects.prepareProject({
        uri: dir,
        entryPoint: payload.entryPoint,
        ...(payload.envManager ? { envManager: payload.envManager as EnvManager } : {}),
        cwd: dir,
        log: options.log,
      });
      const plan = projects.planProjectParameters(prepared, { parameters: payload.parameters, cwd: dir });
      const { result, wasCancelled } = await tracked(payload.key, helpers, async (signal, cancel) => ({
        result: await projects.executeProjectRun(plan, {
          store,
          trackingUri,
          experimentId: payload.experimentId,
          runId: payload.runId,
          handleSignals: false,
          signal,
          stdout: null,
          stderr: null,
          log: () => {},
        }),
        wasCancelled: cancel.aborted,
      }));
      if (wasCancelled) {
        // Its enqueuer was stopped: the run ended KILLED, and nobody waits for a result.
        options.log(`${label} stopped: its enqueuer cancelled it`);
        return;
      }
      if (result.status !== 'FINISHED' && result.status !== 'FAILED') {
        // The worker is stopping: the job goes back to the queue, and another worker runs it.
        throw new Error(`${label} was stopped with its worker`);
      }
      outcome = {
        status: result.status,
        ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
        ...(result.signal ? { signal: result.signal } : {}),
        problems: result.problems,
        outputs: result.outputs,
      };
    }
    await writeResult({
      key: payload.key,
      task: 'project',
      format: payload.format,
      outcome,
      runId: payload.runId,
    });
    options.log(`${label} ${outcome.status}`);
  };
  const heartbeat = async () => {
    await pool.query(
      `UPDATE mlrecipe_queue_workers SET last_seen_at = now(), graphile_worker_ids = $2 WHERE worker_id = $1`,
      [workerId, [...graphileIds]],
    );
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const lost = await client.query<{ worker_id: string; graphile_worker_ids: string[] }>(
        `SELECT worker_id, graphile_worker_ids FROM mlrecipe_queue_workers
         WHERE state = 'running' AND last_seen_at < now() - make_interval(secs => lock_timeout_ms / 1000.0)
         FOR UPDATE SKIP LOCKED`,
      );
      for (const row of lost.rows) {
        await client.query("UPDATE mlrecipe_queue_workers SET state = 'lost' WHERE worker_id = $1", [
          row.worker_id,
        ]);
        if (row.graphile_worker_ids.length > 0) {
          await client.query('SELECT graphile_worker.force_unlock_workers($1)', [row.graphile_worker_ids]);
        }
        options.log(`worker ${row.worker_id} missed its heartbeats: its jobs go back to the queue`);
      }
      const orphans = await client.query<{ locked_by: string }>(
        `SELECT DISTINCT j.locked_by FROM graphile_worker.jobs j
         WHERE j.locked_by IS NOT NULL
           AND j.locked_at < now() - make_interval(secs => greatest(
             $1::float8, (SELECT coalesce(max(lock_timeout_ms), 0) FROM mlrecipe_queue_workers WHERE state = 'running')
           ) / 1000.0)
           AND NOT EXISTS (SELECT 1 FROM mlrecipe_queue_workers w WHERE j.locked_by = ANY (w.graphile_worker_ids))`,
        [lockTimeoutMs],
      );
      if (orphans.rows.length > 0) {
        const ids = orphans.rows.map((row) => row.locked_by);
        await client.query('SELECT graphile_worker.force_unlock_workers($1)', [ids]);
        options.log(`jobs locked by ${ids.join(', ')}, which no worker names, go back to the queue`);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  const beat = setInterval(() => {
    heartbeat().catch((error: unknown) =>
      options.log(`heartbeat failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }, heartbeatMs);
  await heartbeat();

  const taskList: Record<string, Task> = {};
  if (tasks.includes('trial')) taskList[TRIAL_TASK] = trialTask;
  if (tasks.includes('project')) taskList[PROJECT_TASK] = projectTask;
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      concurrency,
      noHandleSignals: true,
      pollInterval: options.pollIntervalMs ?? 1000,
      taskList,
      logger: quietLogger((message) => options.log(`queue: ${message}`)),
    });
  } catch (error) {
    clearInterval(beat);
    clearInterval(watchCancels);
    await pool.end().catch(() => undefined);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 30_000): Promise<void> => {
    stopping ??= (async () => {
      // graphile-worker waits for the jobs in flight; past the grace it aborts them, and a job
      // that fails that way is retried by another worker.
      const force = setTimeout(
        () => void runner.kill('the worker was told to stop').catch(() => undefined),
        graceMs,
      );
      try {
        await runner.stop('the worker was told to stop');
      } finally {
        clearTimeout(force);
        clearInterval(beat);
        clearInterval(watchCancels);
      }
      await pool
        .query(
          "UPDATE mlrecipe_queue_workers SET state = 'stopped', last_seen_at = now() WHERE worker_id = $1",
          [workerId],
        )
        .catch(() => undefined);
      for (const entry of loaded.values()) await entry.then((l) => l.pool.close()).catch(() => undefined);
      for (const store of stores.values()) await store.then((s) => s.close()).catch(() => undefined);
      await pool.end();
    })();
    return stopping;
  };
  const done = runner.promise.then(
    () => stop(),
    async (error: unknown) => {
      await stop();
      throw error;
    },
  );
  return { workerId, stop, done };
}

async function loadInputs(
  payload: TrialJobPayload,
  trackingUri: string | undefined,
  concurrency: number,
): Promise<LoadedInputs> {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-worker-'));
  try {
    const repo = artifactRepositoryForUri(payload.inputs.artifactUri, trackingUri ? { trackingUri } : {});
    const file = await repo.downloadArtifacts(payload.inputs.path, dir);
    const bytes = readFileSync(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== payload.inputs.sha256) {
      throw new Error(
        `the sweep inputs ${payload.inputs.path} changed since the job was queued (sha256 ${sha256})`,
      );
    }
    const inputs = decodeTrialInputs(bytes, process.cwd());
    return { inputs, pool: trainTrialPool(inputs.payload, concurrency) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Downloads a project's archive, checks its hash and unpacks it into `dir` (once per hash). */
async function fetchProject(payload: ProjectJobPayload, trackingUri: string, dir: string): Promise<string> {
  if (existsSync(dir)) return dir;
  const temp = mkdtempSync(join(tmpdir(), 'mlrecipe-worker-bundle-'));
  try {
    const repo = artifactRepositoryForUri(payload.bundle.artifactUri, { trackingUri });
    const file = await repo.downloadArtifacts(payload.bundle.path, temp);
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (sha256 !== payload.bundle.sha256) {
      throw new Error(
        `the project archive ${payload.bundle.path} changed since the job was queued (sha256 ${sha256})`,
      );
    }
    await unpackProject(file, dir);
    return dir;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Fits and scores one trial; a trial that fails is an outcome, not an error (it is not retried). */
async function runTrial(
  payload: TrialJobPayload,
  loaded: LoadedInputs,
  signal: AbortSignal,
): Promise<RemoteTrialOutcome> {
  const { inputs, pool } = loaded;
  let result: TrialWorkerResult;
  try {
    result = await pool.run({ params: payload.params }, signal);
  } catch (error) {
    // Stopping: the job goes back to the queue rather than being recorded as a failed trial.
    if (signal.aborted) throw error;
    return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
  try {
    const metrics = builtinTrialMetrics({
      kind: inputs.payload.kind,
      truth: inputs.truth,
      result,
      nClasses: inputs.payload.nClasses,
      positiveClass: inputs.positiveClass,
    });
    return { status: 'ok', metrics, fitSeconds: result.fitSeconds };
  } catch (error) {
    return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

/** The outcome a finished child run holds (val_<metric> metrics, fit_seconds, the error tag). */
function outcomeFromRun(run: Run): RemoteTrialOutcome {
  const recordedRunId = run.info.run_id;
  if (run.info.status !== 'FINISHED') {
    const error =
      run.data.tags.find((t) => t.key === TRIAL_TAGS.error)?.value ?? `the run ended ${run.info.status}`;
    return { status: 'failed', error, recordedRunId };
  }
  const metrics: Record<string, number> = {};
  let fitSeconds = 0;
  for (const m of run.data.metrics) {
    if (m.key.startsWith('val_')) metrics[m.key.slice(4)] = m.value;
    else if (m.key === 'fit_seconds') fitSeconds = m.value;
  }
  return { status: 'ok', metrics, fitSeconds, recordedRunId };
}
