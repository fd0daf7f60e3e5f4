/**
 * The queue's job payloads: typed and versioned (`format`), checked by the worker before it does
 * anything, so a job written by another mlrecipe version fails with a message saying so instead
 * of a TypeError halfway through a trial.
 */

/** The payload format this version writes and reads. */
export const TRIAL_JOB_FORMAT = 1;

/** Where a sweep's inputs (training and validation matrices, config) wait for the workers. */
export interface TrialJobInputs {
  /** The parent run's artifact URI (`mlflow-artifacts:/…` behind a tracking server). */
  artifactUri: string;
  /** The file's path under it. */
  path: string;
  /** SHA-256 of the file: checked after download, and the worker's in-memory cache key. */
  sha256: string;
}

export interface TrialJobPayload {
  format: typeof TRIAL_JOB_FORMAT;
  task: 'trial';
  /** The trial's fingerprint (also the job key). */
  fingerprint: string;
  index: number;
  /** The fixed params with the trial's merged over them. */
  params: Record<string, unknown>;
  /** The RUNNING child run the sweep created; the worker finishes it. */
  runId?: string;
  inputs: TrialJobInputs;
  /** The enqueuer's tracking URI, used when the worker is started without --tracking-uri. */
  trackingUri?: string;
}

export class PayloadError extends Error {
  override name = 'PayloadError';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The payload of a trial job, or a PayloadError naming the field that is wrong. */
export function parseTrialPayload(value: unknown): TrialJobPayload {
  if (!isRecord(value)) throw new PayloadError('trial job payload: not a JSON object');
  if (value.format !== TRIAL_JOB_FORMAT) {
    throw new PayloadError(
      `trial job payload: format ${JSON.stringify(value.format)}, this worker reads format ${TRIAL_JOB_FORMAT} (run the same mlrecipe version on enqueuers and workers)`,
    );
  }
  const field = (name: string, ok: boolean) => {
    if (!ok) throw new PayloadError(`trial job payload: field "${name}" is missing or has the wrong type`);
  };
  field('task', value.task === 'trial');
  field('fingerprint', typeof value.fingerprint === 'string' && /^[0-9a-f]{64}$/.test(value.fingerprint));
  field('index', typeof value.index === 'number' && Number.isInteger(value.index));
  field('params', isRecord(value.params));
  field('runId', value.runId === undefined || (typeof value.runId === 'string' && value.runId !== ''));
  field('trackingUri', value.trackingUri === undefined || typeof value.trackingUri === 'string');
  const inputs = value.inputs;
  field('inputs', isRecord(inputs));
  const i = inputs as Record<string, unknown>;
  field('inputs.artifactUri', typeof i.artifactUri === 'string' && i.artifactUri !== '');
  field('inputs.path', typeof i.path === 'string' && i.path !== '');
  field('inputs.sha256', typeof i.sha256 === 'string' && /^[0-9a-f]{64}$/.test(i.sha256));
  return value as unknown as TrialJobPayload;
}
