/**
 * MLflow's file-store layout (mlflow/store/tracking/file_store.py, 2.12), shared by
 * `recipe runs export` and `recipe runs import`:
 *
 *   <root>/<experiment_id>/meta.yaml             experiment (name, artifact_location, lifecycle…)
 *   <root>/<experiment_id>/tags/<key>            experiment tag, the value as the file's content
 *   <root>/<experiment_id>/datasets/<id>/meta.yaml    dataset; id = md5(name + digest)
 *   <root>/<experiment_id>/<run_id>/meta.yaml    run info; status as MLflow's integer enum
 *   <root>/<experiment_id>/<run_id>/metrics/<key>     one line per point: "timestamp value step"
 *   <root>/<experiment_id>/<run_id>/params/<key>, tags/<key>   the value as the file's content
 *   <root>/<experiment_id>/<run_id>/inputs/<id>/meta.yaml     a dataset input; id = md5(dataset id + run id)
 *   <root>/<experiment_id>/<run_id>/artifacts/   the run's artifacts
 *   <root>/.trash/<experiment_id>/…              a deleted experiment, same layout
 *
 * Keys with slashes (`loss/train`) are nested folders, as in MLflow.
 */
import { createHash } from 'node:crypto';
import type { RunStatus } from './types.js';

export const META_FILE = 'meta.yaml';
export const TRASH_FOLDER = '.trash';
export const METRICS_FOLDER = 'metrics';
export const PARAMS_FOLDER = 'params';
export const TAGS_FOLDER = 'tags';
export const ARTIFACTS_FOLDER = 'artifacts';
export const DATASETS_FOLDER = 'datasets';
export const INPUTS_FOLDER = 'inputs';
/** MLflow's registry file store keeps models here, beside the experiments; not an experiment. */
export const MODELS_FOLDER = 'models';

/** mlflow/protos/service.proto's RunStatus, as file_store.py persists it. */
const STATUS_CODES: Record<RunStatus, number> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};

/** SourceType.LOCAL: what FileStore writes into every run's meta.yaml. */
export const SOURCE_TYPE_LOCAL = 4;

export function statusCode(status: RunStatus): number {
  return STATUS_CODES[status];
}

/** The status a meta.yaml holds (an integer, or a name as some old files have), or undefined. */
export function statusFromFile(value: unknown): RunStatus | undefined {
  if (value === undefined || value === null) return 'RUNNING';
  for (const [name, code] of Object.entries(STATUS_CODES) as [RunStatus, number][]) {
    if (value === code || value === name) return name;
  }
  return undefined;
}

/** FileStore._get_dataset_id: md5 of the name, then the digest. */
export function datasetFolderId(name: string, digest: string): string {
  return createHash('md5').update(name, 'utf8').update(digest, 'utf8').digest('hex');
}

/** FileStore._get_input_id: md5 of the dataset id, then the run id. */
export function inputFolderId(datasetId: string, runId: string): string {
  return createHash('md5').update(datasetId, 'utf8').update(runId, 'utf8').digest('hex');
}

/** A metric value as Python's str(float) writes it (`nan`, `inf`, `-inf`), which float() reads. */
export function formatMetricValue(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/** Python float() on the text of a metric value, or undefined when it would raise. */
export function parseMetricValue(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const special = SPECIAL.exec(text);
  if (special === null) return undefined;
  if (special[2].toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/**
 * True when `key` names a file strictly below its folder once split on `/`: no empty, `.` or `..`
 * segment, no backslash or NUL. Store keys pass MLflow's validation when logged, but an export
 * must not trust a database some other client wrote.
 */
export function isSafeRelativeKey(key: string): boolean {
  if (key === '' || key.includes('\\') || key.includes('\0')) return false;
  return key.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Experiment folders are MLflow's integer ids; run folders its 32-hex (or older uuid-like) ids. */
export const EXPERIMENT_FOLDER = /^\d{1,18}$/;
export const RUN_FOLDER = /^[a-zA-Z0-9][\w-]{0,255}$/;
