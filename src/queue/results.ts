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
