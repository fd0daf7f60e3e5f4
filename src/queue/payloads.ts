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

/** A project run on the queue: `recipe sweep --executor queue` trials, `recipe project run --backend queue`. */
export interface ProjectJobPayload {
  format: typeof TRIAL_JOB_FORMAT;
  task: 'project';
  /** The job key: a hash of the run's reuse key (entry point, params, code) and its run id. */
  key: string;
  /** The RUNNING run the enqueuer created, with its tags and params; the worker executes into it. */
  runId: string;
  experimentId: string;
  /** The project's files (packProject), under an artifact URI of the enqueuer's run. */
  bundle: TrialJobInputs;
  entryPoint: string;
  /** Declared parameters as given or defaulted, plus extra `-P` keys: re-resolved on the worker. */
  parameters: Record<string, string>;
  envManager?: string;
  /** The enqueuer's tracking URI, used when the worker is started without --tracking-uri. */
  trackingUri?: string;
}

/** The payload of a project job, or a PayloadError naming the field that is wrong. */
export function parseProjectPayload(value: unknown): ProjectJobPayload {
  if (!isRecord(value)) throw new PayloadError('project job payload: not a JSON object');
  if (value.format !== TRIAL_JOB_FORMAT) {
    throw new PayloadError(
      `project job payload: format ${JSON.stringify(value.format)}, this worker reads format ${TRIAL_JOB_FORMAT} (run the same mlrecipe version on enqueuers and workers)`,
    );
  }
  const field = (name: string, ok: boolean) => {
    if (!ok) throw new PayloadError(`project job payload: field "${name}" is missing or has the wrong type`);
  };
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  field('task', value.task === 'project');
  field('key', typeof value.key === 'string' && /^[0-9a-f]{64}$/.test(value.key));
  field('runId', text(value.runId));
  field('experimentId', text(value.experimentId));
  field('entryPoint', text(value.entryPoint));
  field(
    'parameters',
    isRecord(value.parameters) && Object.values(value.parameters).every((v) => typeof v === 'string'),
  );
  field('envManager', value.envManager === undefined || text(value.envManager));
  field('trackingUri', value.trackingUri === undefined || typeof value.trackingUri === 'string');
  field('bundle', isRecord(value.bundle));
  const b = value.bundle as Record<string, unknown>;
  field('bundle.artifactUri', text(b.artifactUri));
  field('bundle.path', text(b.path));
  field('bundle.sha256', typeof b.sha256 === 'string' && /^[0-9a-f]{64}$/.test(b.sha256));
  return value as unknown as ProjectJobPayload;
}
