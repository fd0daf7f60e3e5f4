/**
 * Writes a model directory (docs/model-format.md):
 *
 *   MLmodel              MLflow's YAML metadata, flavor `mlrecipe`
 *   pipeline.json        transformer + estimator + labels
 *   input_example.json   the first rows of the training input, pandas "split" orient
 *   code/                mlrecipe_pyfunc.py, the python_function flavor's loader (pyfunc.ts), or
 *                        the user modules of a custom transformer or estimator
 *
 * Everything is written into a temporary sibling directory that is renamed into place at the
 * end, so a reader never sees half a model and a failed save leaves nothing behind.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { DataType } from '../data/infer-types.js';
import { replaceAtomically } from '../atomic-write.js';
import { DataError } from '../errors.js';
import type { Frame } from '../ml/types.js';
import {
  FLAVOR_NAME,
  formatMLmodel,
  formatUtcTimeCreated,
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  type MLmodelDocument,
  mlrecipeVersion,
  newModelUuid,
  PIPELINE_FILE,
} from './mlmodel.js';
import { type ModelPipeline, selectColumns, stringifyPipelineDocument } from './pipeline.js';
import {
  addPythonFunction,
  PYFUNC_FLAVOR_NAME,
  type PythonFunctionFlavor,
  type PythonFunctionSupport,
  pythonFunctionSupport,
} from './pyfunc.js';
import { inferInputSchema, type ModelSignature, outputSchema, signatureToDocument } from './signature.js';

export const CODE_DIR = 'code';

export interface SaveModelOptions {
  /** The model directory to create; it must not exist yet. */
  dir: string;
  pipeline: ModelPipeline;
  /**
   * Raw input rows the model was trained on (extra columns such as the target are ignored). The
   * signature is inferred from all of them; the first `exampleRows` become input_example.json.
   */
  inputExample: Frame;
  /** Column types of `inputExample` as ingest inferred them (else inferred from the values). */
  columnTypes?: readonly DataType[];
  /** How many rows input_example.json keeps (default 5). */
  exampleRows?: number;
  /** The tracking run that produced the model (MLmodel `run_id`). */
  runId?: string;
  /** Where the model sits in the run's artifacts (MLmodel `artifact_path`), e.g. `model`. */
  artifactPath?: string;
  /** Clock for `utc_time_created` (tests pin it). */
  now?: Date;
}

export interface SavedModel {
  dir: string;
  modelUuid: string;
  signature: ModelSignature;
  mlmodel: MLmodelDocument;
  /** Whether the model has a python_function flavor, and if not, why (the caller logs it). */
  pythonFunction: PythonFunctionSupport;
}

export function saveModel(options: SaveModelOptions): SavedModel {
  const { dir, pipeline } = options;
  if (existsSync(dir)) {
    throw new DataError(`cannot save the model: ${dir} already exists`, {
      hint: 'choose a new directory or remove the old one',
    });
  }
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  // Written under a temp name beside `dir` and renamed: a failure leaves no half-written model.
  return replaceAtomically(dir, (tmp) => {
    mkdirSync(tmp);
    const inputs = selectColumns(options.inputExample, pipeline.inputColumns);
    const types = options.columnTypes
      ? pipeline.inputColumns.map((name) => {
          const index = options.inputExample.columns.findIndex((column) => column.name === name);
          return options.columnTypes?.[index] ?? 'double';
        })
      : undefined;
    const signature: ModelSignature = {
      inputs: inferInputSchema(inputs, types),
      outputs: outputSchema(pipeline.problemType),
    };

    const codeFiles = copyCustomCode(pipeline, tmp);
    const doc = pipeline.toDocument(codeFiles);
    writeFileSync(join(tmp, PIPELINE_FILE), stringifyPipelineDocument(doc));
    writeFileSync(join(tmp, INPUT_EXAMPLE_FILE), `${inputExampleJson(inputs, options.exampleRows ?? 5)}\n`);
    const pythonFunction = pythonFunctionSupport(doc);
    const pyfunc: PythonFunctionFlavor | undefined = pythonFunction.available
      ? addPythonFunction({ modelDir: tmp, codeDir: CODE_DIR, pipelineFile: PIPELINE_FILE })
      : undefined;

    const modelUuid = newModelUuid();
    const version = mlrecipeVersion();
    const mlmodel: MLmodelDocument = {
      ...(options.artifactPath ? { artifact_path: options.artifactPath } : {}),
      flavors: {
        [FLAVOR_NAME]: {
          pipeline: PIPELINE_FILE,
          mlrecipe_version: version,
          estimator: doc.estimator.kind === 'builtin' ? doc.estimator.name : 'custom',
          problem_type: pipeline.problemType,
          ...(codeFiles.size > 0 ? { code: CODE_DIR } : {}),
        },
        ...(pyfunc ? { [PYFUNC_FLAVOR_NAME]: pyfunc } : {}),
      },
      mlrecipe_version: version,
      ...savedModelFields({ modelUuid, runId: options.runId, signature, now: options.now }),
    };
    writeFileSync(join(tmp, MLMODEL_FILE), formatMLmodel(mlmodel));
    return { dir, modelUuid, signature, mlmodel, pythonFunction };
  });
}

/**
 * The MLmodel fields every model we save has, whatever its flavors: its id, the run that made it,
 * the input example written beside it, its signature and when it was made.
 */
export function savedModelFields(options: {
  modelUuid: string;
  runId: string | undefined;
  signature: ModelSignature;
  now: Date | undefined;
}): Pick<
  MLmodelDocument,
  'model_uuid' | 'run_id' | 'saved_input_example_info' | 'signature' | 'utc_time_created'
> {
  return {
    model_uuid: options.modelUuid,
    ...(options.runId ? { run_id: options.runId } : {}),
    saved_input_example_info: {
      artifact_path: INPUT_EXAMPLE_FILE,
      type: 'dataframe',
      pandas_orient: 'split',
    },
    signature: signatureToDocument(options.signature),
    utc_time_created: formatUtcTimeCreated(options.now ?? new Date()),
  };
}

/** Copies each custom component's module into `code/`; returns module path → relative path. */
function copyCustomCode(pipeline: ModelPipeline, modelDir: string): Map<string, string> {
  const copies = new Map<string, string>();
  const used = new Set<string>();
  for (const source of [pipeline.transformerSource, pipeline.estimatorSource]) {
    if (source.kind !== 'custom' || copies.has(source.modulePath)) continue;
    const ext = extname(source.modulePath);
    const stem = basename(source.modulePath, ext);
    let name = `${stem}${ext}`;
    for (let k = 2; used.has(name); k++) name = `${stem}_${k}${ext}`;
    used.add(name);
    mkdirSync(join(modelDir, CODE_DIR), { recursive: true });
    copyFileSync(source.modulePath, join(modelDir, CODE_DIR, name));
    copies.set(source.modulePath, `${CODE_DIR}/${name}`);
  }
  return copies;
}

/** pandas `to_json(orient="split")` without the index: missing values are null. */
export function inputExampleJson(frame: Frame, maxRows: number): string {
  const n = Math.min(frame.nRows, maxRows);
  const data: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    data.push(
      frame.columns.map((column) => {
        const v = column.values[i];
        return typeof v === 'number' && !Number.isFinite(v) ? null : v;
      }),
    );
  }
  return JSON.stringify({ columns: frame.columns.map((column) => column.name), data });
}
