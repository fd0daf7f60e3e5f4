/**
 * The enqueuer's side of `--executor queue`: a TrialExecutor (src/sweeps/train-trial.ts) that
 * uploads the sweep's inputs once to the parent run's artifacts (through the tracking server's
 * artifact proxy when the tracking URI is a server, so workers need no shared file system), adds
 * one graphile-worker job per trial keyed by the trial's fingerprint, and waits for each job's
 * result row (result-waiter.ts: LISTEN/NOTIFY, with polling as the fallback).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import type {
  OpenTrialSessionOptions,
  RemoteTrialOutcome,
  RemoteTrialRequest,
  TrialExecutor,
  TrialSession,
} from '../sweeps/index.js';
import { artifactRepositoryForUri } from '../tracking/index.js';
import { type TrialJobPayload, TRIAL_JOB_FORMAT } from './payloads.js';
import { prepareQueueSchema, queuePool, quietLogger, TRIAL_TASK } from './schema.js';
import { cancelJob, clearCancel, createResultWaiter } from './result-waiter.js';
import { parseStoredOutcome } from './results.js';

/** Where the inputs go among the parent run's artifacts. */
export const QUEUE_INPUTS_DIR = 'mlrecipe-queue';
/** A trial job's attempts before it counts as failed (a dead worker's job is retried first). */
export const TRIAL_MAX_ATTEMPTS = 5;

export interface QueueExecutorOptions {
  /** The queue's PostgreSQL database, `postgresql://…`. */
  connectionString: string;
  /** How often the enqueuer looks for finished jobs besides the notifications (default 1 s). */
  pollIntervalMs?: number;
  /** Wait on LISTEN/NOTIFY (default true); false polls only (the benchmark's baseline). */
  listen?: boolean;
}

export function queueTrialExecutor(options: QueueExecutorOptions): TrialExecutor {
  return {
    name: 'queue',
    open: (open) => openQueueSession(options, open),
  };
}

async function openQueueSession(
  options: QueueExecutorOptions,
  open: OpenTrialSessionOptions,
): Promise<TrialSession> {
  const pool = queuePool(options.connectionString, 3);
  let utils: WorkerUtils | undefined;
  try {
    await prepareQueueSchema(pool);
    utils = await makeWorkerUtils({ pgPool: pool, logger: quietLogger() });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const workerUtils = utils;

  // The inputs, content-addressed: a sweep re-run uploads nothing new for the workers to fetch.
  const { encodeTrialInputs } = await import('./trial-inputs.js');
  const bytes = encodeTrialInputs(open.inputs);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const parent = await open.store.getRun(open.parentRunId);
  const artifactUri = parent.info.artifact_uri;
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-queue-'));
  try {
    writeFileSync(join(dir, `${sha256}.bin`), bytes);
    const repo = artifactRepositoryForUri(
      artifactUri,
      open.trackingUri ? { trackingUri: open.trackingUri } : {},
    );
    await repo.logArtifact(join(dir, `${sha256}.bin`), QUEUE_INPUTS_DIR);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  open.log(
    `queue: inputs uploaded (${(bytes.length / 1e6).toFixed(1)} MB) to ${artifactUri}/${QUEUE_INPUTS_DIR}; trials go to the queue's workers`,
  );
  const inputs = { artifactUri, path: `${QUEUE_INPUTS_DIR}/${sha256}.bin`, sha256 };

  const waiter = await createResultWaiter({
    pool,
    connectionString: options.connectionString,
    maxAttempts: TRIAL_MAX_ATTEMPTS,
    noun: 'trial',
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.listen !== undefined ? { listen: options.listen } : {}),
  });

  const lookup = async (fingerprint: string): Promise<RemoteTrialOutcome | undefined> => {
    const found = await pool.query<{ outcome: unknown; run_id: string | null }>(
      'SELECT outcome, run_id FROM mlrecipe_queue_results WHERE job_key = $1',
      [fingerprint],
    );
    const row = found.rows[0];
    return row ? parseStoredOutcome(row.outcome, row.run_id) : undefined;
  };

  const cancels = new Set<Promise<unknown>>();
  const run = async (request: RemoteTrialRequest, signal?: AbortSignal): Promise<RemoteTrialOutcome> => {
    signal?.throwIfAborted();
    const known = await lookup(request.fingerprint);
    if (known) return known;
    // A job that used up its attempts on an earlier sweep would block the key (unsafe_dedupe
    // keeps permanently failed jobs): this sweep asks for the trial again, so it runs again.
    await pool.query(
      `SELECT graphile_worker.complete_jobs(array_agg(id)) FROM graphile_worker.jobs
       WHERE key = $1 AND attempts >= max_attempts AND locked_at IS NULL`,
      [request.fingerprint],
    );
    const payload: TrialJobPayload = {
      format: TRIAL_JOB_FORMAT,
      task: 'trial',
      fingerprint: request.fingerprint,
      index: request.index,
      params: request.params,
      ...(request.runId ? { runId: request.runId } : {}),
      inputs,
      ...(open.trackingUri ? { trackingUri: open.trackingUri } : {}),
    };
    await clearCancel(pool, request.fingerprint);
    const outcome = waiter
      .wait(request.fingerprint)
      .then((row) => parseStoredOutcome(row.outcome, row.runId));
    // The key makes the job idempotent: while a job with this fingerprint exists (queued or
    // running, here or from another sweep), adding it again adds nothing.
    await workerUtils.addJob(TRIAL_TASK, payload, {
      jobKey: request.fingerprint,
      jobKeyMode: 'unsafe_dedupe',
      maxAttempts: TRIAL_MAX_ATTEMPTS,
    });
    if (!signal) return outcome;
    const onAbort = () => {
      // Ctrl-C or an early stop: a queued job is removed, a running one is stopped by its worker.
      const reason = signal.reason instanceof Error ? signal.reason : new Error('aborted');
      // Awaited by close(): the process may be about to exit on this very signal.
      const cancelling = cancelJob(pool, request.fingerprint, reason.message).catch(() => undefined);
      cancels.add(cancelling);
      waiter.forget(request.fingerprint, reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return outcome.finally(() => signal.removeEventListener('abort', onAbort));
  };

  return {
    lookup,
    run,
    close: async () => {
      await Promise.all(cancels);
      await waiter.close();
      await workerUtils.release();
      await pool.end();
    },
  };
}
