/**
 * A finished job's result row (mlrecipe_queue_results.outcome): the trial's outcome as JSON,
 * written once by the worker that ran it and read by every sweep that asks for the same
 * fingerprint afterwards.
 */
import type { RemoteTrialOutcome } from '../sweeps/index.js';

/** The JSON stored for a trial (RemoteTrialOutcome without the run id, which has its own column). */
export type StoredTrialOutcome =
  { status: 'ok'; metrics: Record<string, number>; fitSeconds: number } | { status: 'failed'; error: string };

export function storedOutcome(outcome: RemoteTrialOutcome): StoredTrialOutcome {
  return outcome.status === 'ok'
    ? { status: 'ok', metrics: outcome.metrics, fitSeconds: outcome.fitSeconds }
    : { status: 'failed', error: outcome.error };
}

export function parseStoredOutcome(value: unknown, runId: string | null): RemoteTrialOutcome {
  const v = (value ?? {}) as Partial<Record<string, unknown>>;
  const recorded = runId ? { recordedRunId: runId } : {};
  if (
    v.status === 'ok' &&
    v.metrics !== null &&
    typeof v.metrics === 'object' &&
    typeof v.fitSeconds === 'number'
  ) {
    return {
      status: 'ok',
      metrics: v.metrics as Record<string, number>,
      fitSeconds: v.fitSeconds,
      ...recorded,
    };
  }
  if (v.status === 'failed' && typeof v.error === 'string')
    return { status: 'failed', error: v.error, ...recorded };
  throw new Error(`a queue result row is malformed: ${JSON.stringify(value).slice(0, 200)}`);
}

/** The JSON stored for a project job: how its run ended, as ProjectRunResult says it. */
export interface StoredProjectOutcome {
  status: 'FINISHED' | 'FAILED' | 'KILLED';
  exitCode?: number;
  signal?: string;
  problems: string[];
  outputs: Record<string, string>;
}

export function parseProjectOutcome(value: unknown): StoredProjectOutcome {
  const v = (value ?? {}) as Partial<Record<string, unknown>>;
  const ok =
    (v.status === 'FINISHED' || v.status === 'FAILED' || v.status === 'KILLED') &&
    (v.exitCode === undefined || typeof v.exitCode === 'number') &&
    (v.signal === undefined || typeof v.signal === 'string') &&
    Array.isArray(v.problems) &&
    v.outputs !== null &&
    typeof v.outputs === 'object';
  if (!ok) throw new Error(`a queue result row is malformed: ${JSON.stringify(value).slice(0, 200)}`);
  return v as unknown as StoredProjectOutcome;
}
