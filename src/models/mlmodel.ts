/**
 * The `MLmodel` file: YAML with MLflow's field names (MLflow 2.x `Model.to_yaml`), so that
 * MLflow's tooling and UI read a model directory written by mlrecipe.
 *
 * Flavors: `mlrecipe`, which points at `pipeline.json` and is what mlrecipe loads, and, unless the
 * pipeline holds user code, `python_function`, whose loader module is shipped in `code/`
 * (pyfunc.ts), so that MLflow's `mlflow.pyfunc.load_model` loads the model too.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, isScalar, parse as parseYaml, Scalar } from 'yaml';
import { DataError } from '../errors.js';
import type { SignatureDocument } from './signature.js';

export const MLMODEL_FILE = 'MLmodel';
export const FLAVOR_NAME = 'mlrecipe';
export const PIPELINE_FILE = 'pipeline.json';
export const INPUT_EXAMPLE_FILE = 'input_example.json';

export interface MlrecipeFlavor {
  /** Path of the pipeline document, relative to the model directory. */
  pipeline: string;
  mlrecipe_version: string;
  /** Registry name of the estimator, or `custom`. */
  estimator: string;
  problem_type: 'regression' | 'classification';
  /** Folder of user modules copied with the model (custom transformer or estimator). */
  code?: string;
}

export interface InputExampleInfo {
  artifact_path: string;
  type: 'dataframe';
  pandas_orient: 'split';
}

/** MLmodel's fields. Unknown fields from other writers are kept when read. */
export interface MLmodelDocument {
  artifact_path?: string;
  flavors: { mlrecipe?: MlrecipeFlavor } & Record<string, unknown>;
  mlrecipe_version?: string;
  model_uuid: string;
  run_id?: string;
  saved_input_example_info?: InputExampleInfo;
  signature?: SignatureDocument;
  /** MLflow's format: `2024-01-01 12:00:00.123456` (UTC, microseconds). */
  utc_time_created: string;
  [key: string]: unknown;
}

let cachedVersion: string | undefined;

/** mlrecipe's package version (the same file serves src/ under tsx and dist/ when built). */
export function mlrecipeVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

/** 32 lowercase hex digits, as MLflow's `uuid.uuid4().hex`. */
export function newModelUuid(): string {
  return randomUUID().replace(/-/g, '');
}

/** MLflow writes `str(datetime.utcnow())`: microseconds, a space between date and time. */
export function formatUtcTimeCreated(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 23)}000`;
}

/**
 * YAML text for an MLmodel document. Keys are sorted, as PyYAML's `safe_dump` does in MLflow, and
 * `utc_time_created` is quoted so that YAML 1.1 readers (PyYAML) keep it a string, not a datetime.
 */
export function formatMLmodel(doc: MLmodelDocument): string {
  const yamlDoc = new Document(sortKeysDeep(doc));
  const time = yamlDoc.get('utc_time_created', true);
  if (isScalar(time)) time.type = Scalar.QUOTE_SINGLE;
  return yamlDoc.toString({ lineWidth: 0 });
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
  }
  return value;
}

/** Reads and checks `<dir>/MLmodel`. */
export function readMLmodel(dir: string): MLmodelDocument {
  const file = join(dir, MLMODEL_FILE);
  if (!existsSync(file)) {
    throw new DataError(`${dir} is not a model directory: it has no MLmodel file`, {
      hint: 'pass the directory that train wrote (…/train/model) or a model URI',
    });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError(`${file}: not valid YAML (${(error as Error).message})`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DataError(`${file}: expected a YAML mapping`);
  }
  const doc = parsed as MLmodelDocument;
  if (doc.flavors === null || typeof doc.flavors !== 'object') {
    throw new DataError(`${file}: the field "flavors" is missing`);
  }
  return doc;
}

/** The mlrecipe flavor of a model, or a DataError listing the flavors it has. */
export function mlrecipeFlavor(doc: MLmodelDocument, dir: string): MlrecipeFlavor {
  const flavor = doc.flavors[FLAVOR_NAME] as MlrecipeFlavor | undefined;
  if (!flavor || typeof flavor !== 'object' || typeof flavor.pipeline !== 'string') {
    const flavors = Object.keys(doc.flavors);
    throw new DataError(
      `${join(dir, MLMODEL_FILE)}: the model has no "${FLAVOR_NAME}" flavor (it has ${flavors.length ? flavors.join(', ') : 'none'})`,
      {
        hint: 'mlrecipe loads models that mlrecipe trained; models saved by MLflow in Python need MLflow to load them',
      },
    );
  }
  return flavor;
}
