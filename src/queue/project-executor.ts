/**
 * The enqueuer's side of project runs on the queue (`recipe sweep --executor queue`,
 * `recipe project run --backend queue`): a ProjectRunExecutor (src/projects) that packs the
 * project once and uploads the archive to the staging artifact URI (the sweep's parent run, or the
 * run itself), then, per run, creates the RUNNING run here with its tags and params, queues one
 * graphile-worker job that a `recipe worker` executes into that run, and waits for its result row.
 *
 * Exactly once: the run exists before its job does, and a worker only executes into it; a job
 * retried after its worker died runs the command again into the same run, so a sweep of N trials
 * has N child runs whatever happened to the workers. The job key is a hash of the run's reuse key
 * (entry point, params, code) and its run id.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkerUtils } from 'graphile-worker';
import type {
  ExecuteProjectRunOptions,
  OpenProjectRunSessionOptions,
  ProjectRunExecutor,
  ProjectRunPlan,
  ProjectRunResult,
  ProjectRunSession,
} from '../projects/index.js';
import { artifactRepositoryForUri } from '../tracking/index.js';
import { type ProjectJobPayload, type TrialJobInputs, TRIAL_JOB_FORMAT } from './payloads.js';
import { packProject } from './project-bundle.js';
import { cancelJob, clearCancel, createResultWaiter } from './result-waiter.js';
import { parseProjectOutcome } from './results.js';
import { PROJECT_TASK, prepareQueueSchema, queuePool, quietLogger } from './schema.js';
import { QUEUE_INPUTS_DIR, type QueueExecutorOptions } from './trial-executor.js';

/** A project job's attempts before it counts as failed (a dead worker's job is retried first). */
export const PROJECT_MAX_ATTEMPTS = 5;

export function queueProjectExecutor(options: QueueExecutorOptions): ProjectRunExecutor {
  return { name: 'queue', open: (open) => openProjectSession(options, open) };
}

async function openProjectSession(
  options: QueueExecutorOptions,
  open: OpenProjectRunSessionOptions,
): Promise<ProjectRunSession> {
  const pool = queuePool(options.connectionString, 3);
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-queue-project-'));
  try {
    await prepareQueueSchema(pool);
    const workerUtils = await makeWorkerUtils({ pgPool: pool, logger: quietLogger() });
    const waiter = await createResultWaiter({
      pool,
      connectionString: options.connectionString,
      maxAttempts: PROJECT_MAX_ATTEMPTS,
      noun: 'run',
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.listen !== undefined ? { listen: options.listen } : {}),
    });
    const archive = join(dir, 'project.tar');
    const sha256 = await packProject(open.prepared.project.dir, archive);
    const name = `project-${sha256}.tar`;
    // Uploaded once per artifact URI: under the staging URI once, else under each run's own.
    const uploaded = new Map<string, Promise<TrialJobInputs>>();
    const bundleAt = (artifactUri: string) => {
      let entry = uploaded.get(artifactUri);
      if (!entry) {
        entry = (async () => {
          const repo = artifactRepositoryForUri(artifactUri, { trackingUri: open.trackingUri });
          const named = join(dir, name);
          rmSync(named, { force: true });
          copyFileSync(archive, named);
          await repo.logArtifact(named, QUEUE_INPUTS_DIR);
          return { artifactUri, path: `${QUEUE_INPUTS_DIR}/${name}`, sha256 };
        })();
        uploaded.set(artifactUri, entry);
        entry.catch(() => uploaded.delete(artifactUri));
      }
      return entry;
    };
    if (open.stagingArtifactUri) {
      await bundleAt(open.stagingArtifactUri);
      open.log(
        `queue: project uploaded to ${open.stagingArtifactUri}/${QUEUE_INPUTS_DIR}; runs go to the queue's workers`,
      );
    }

    const cancels = new Set<Promise<unknown>>();
    const execute = async (
      plan: ProjectRunPlan,
      run: ExecuteProjectRunOptions,
    ): Promise<ProjectRunResult> => {
      run.signal?.throwIfAborted();
      const { createProjectRun } = await import('../projects/index.js');
      const created = run.runId
        ? await run.store.getRun(run.runId)
        : await createProjectRun(plan, { ...run, backend: 'queue' });
      const runId = created.info.run_id;
      const artifactUri = created.info.artifact_uri;
      run.onRunCreated?.(created);
      const key = createHash('sha256')
        .update(JSON.stringify({ reuseKey: plan.reuseKey, runId }))
        .digest('hex');
      const bundle = await bundleAt(open.stagingArtifactUri ?? artifactUri);
      const payload: ProjectJobPayload = {
        format: TRIAL_JOB_FORMAT,
        task: 'project',
        key,
        runId,
        experimentId: run.experimentId,
        bundle,
        entryPoint: plan.entryPoint.name,
        parameters: { ...plan.parameters.declared, ...plan.parameters.extra },
        ...(open.envManager ? { envManager: open.envManager } : {}),
        trackingUri: run.trackingUri,
      };
      await clearCancel(pool, key);
      const result = waiter.wait(key);
      await workerUtils.addJob(PROJECT_TASK, payload, {
        jobKey: key,
        jobKeyMode: 'unsafe_dedupe',
        maxAttempts: PROJECT_MAX_ATTEMPTS,
      });
      const onAbort = () => {
        // Ctrl-C or the sweep's stop: the job is removed or stopped by its worker; the run ends KILLED.
        const reason = run.signal?.reason instanceof Error ? run.signal.reason : new Error('stopped');
        // Awaited by close(): the process may be about to exit on this very signal.
        const cancelling = cancelJob(pool, key, reason.message).catch(() => undefined);
        cancels.add(cancelling);
        waiter.forget(key, reason);
      };
      run.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const row = await result;
        const outcome = parseProjectOutcome(row.outcome);
        (run.log ?? (() => {}))(
          `=== Run (ID '${runId}') ${outcome.status === 'FINISHED' ? 'succeeded' : 'failed'} on the queue ===`,
        );
        return {
          runId,
          experimentId: run.experimentId,
          status: outcome.status,
          ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
          ...(outcome.signal ? { signal: outcome.signal } : {}),
          command: plan.command,
          artifactUri,
          outputs: outcome.outputs,
          problems: outcome.problems,
        };
      } catch (error) {
        if (run.signal?.aborted) {
          await run.store.updateRun(runId, { status: 'KILLED', endTime: Date.now() }).catch(() => undefined);
          return {
            runId,
            experimentId: run.experimentId,
            status: 'KILLED',
            signal: 'SIGTERM',
            command: plan.command,
            artifactUri,
            outputs: {},
            problems: [],
          };
        }
        await run.store.updateRun(runId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
        throw error;
      } finally {
        run.signal?.removeEventListener('abort', onAbort);
      }
    };

    return {
      execute,
      close: async () => {
        await Promise.all(cancels);
        await waiter.close();
        await workerUtils.release();
        await pool.end();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
