/**
 * Models whose transformer or estimator are scikit-learn objects (steps/transform.py,
 * steps/train.py), saved as MLflow 2.12's `mlflow.sklearn.save_model` saves them: `model.pkl`
 * (the fitted sklearn Pipeline, cloudpickle by default), an MLmodel with the `sklearn` flavor
 * (`pickled_model`, `sklearn_version`, `serialization_format`, `code`) and `python_function`
 * (`loader_module: mlflow.sklearn`, `model_path`, `predict_fn`, `env`, `python_version`), plus
 * `requirements.txt`, `python_env.yaml`, `conda.yaml`, the signature and the input example — so
 * MLflow's `mlflow.pyfunc.load_model` / `mlflow.sklearn.load_model` load it as their own.
 * mlrecipe loads it (and MLflow-made sklearn models) back through the Python worker.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { replaceAtomically } from '../atomic-write.js';
import type { DataType } from '../data/infer-types.js';
import { DataError } from '../errors.js';
import type { Frame } from '../ml/types.js';
import type { PythonObject, PythonWorker } from '../python/index.js';
import {
  formatMLmodel,
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  type MLmodelDocument,
  mlrecipeVersion,
  newModelUuid,
} from './mlmodel.js';
import { selectColumns } from './pipeline.js';
import { inputExampleJson, savedModelFields } from './save.js';
import { inferInputSchema, type ModelSignature, outputSchema } from './signature.js';

export const SKLEARN_FLAVOR_NAME = 'sklearn';
export const SKLEARN_MODEL_FILE = 'model.pkl';
/** The MLflow version whose layout these files follow (and that requirements.txt pins). */
export const MLFLOW_FORMAT_VERSION = '2.12.2';
/** Where mlrecipe keeps what MLflow's flavors do not say (problem type, target, classes). */
export const RECIPE_METADATA_KEY = 'mlrecipe_recipe';

export interface SklearnFlavor {
  pickled_model: string;
  sklearn_version: string;
  serialization_format: 'cloudpickle' | 'pickle';
  code: string | null;
}

export interface RecipeModelMetadata {
  problem_type: 'regression' | 'classification';
  target_col: string;
  input_columns: string[];
  classes?: string[];
  /** A binary classifier's `positive_class`, a label in `classes`. */
  positive_class?: string;
  mlrecipe_version: string;
}

export interface SaveSklearnModelOptions {
  dir: string;
  worker: PythonWorker;
  /** The fitted model (an sklearn Pipeline) in the worker. */
  model: PythonObject;
  problemType: 'regression' | 'classification';
  targetCol: string;
  inputColumns: string[];
  classes?: string[];
  positiveClass?: string;
  /** Training rows (input columns are selected from them) for the signature and input example. */
  inputExample: Frame;
  columnTypes?: readonly DataType[];
  runId?: string;
  artifactPath?: string;
  serializationFormat?: 'cloudpickle' | 'pickle';
  now?: Date;
}

export interface SavedSklearnModelDir {
  dir: string;
  modelUuid: string;
  signature: ModelSignature;
  mlmodel: MLmodelDocument;
}

export async function saveSklearnModel(options: SaveSklearnModelOptions): Promise<SavedSklearnModelDir> {
  const { saveSklearnPickle } = await import('../python/index.js');
  const format = options.serializationFormat ?? 'cloudpickle';
  mkdirSync(dirname(options.dir), { recursive: true });
  // The pickle is written first into a scratch directory beside the model, then everything is
  // moved into place at once by replaceAtomically, so no reader sees half a model.
  const scratch = `${options.dir}.pkl-${process.pid}`;
  const saved = await saveSklearnPickle(options.worker, options.model, scratch, format);
  return replaceAtomically(options.dir, (tmp) => {
    mkdirSync(tmp);
    copyFileSync(join(scratch, SKLEARN_MODEL_FILE), join(tmp, SKLEARN_MODEL_FILE));
    rmSync(scratch, { recursive: true, force: true });
    const inputs = selectColumns(options.inputExample, options.inputColumns);
    const types = options.columnTypes
      ? options.inputColumns.map((name) => {
          const index = options.inputExample.columns.findIndex((c) => c.name === name);
          return options.columnTypes?.[index] ?? 'double';
        })
      : undefined;
    const signature: ModelSignature = {
      inputs: inferInputSchema(inputs, types),
      outputs: outputSchema(options.problemType),
    };
    writeFileSync(join(tmp, INPUT_EXAMPLE_FILE), `${inputExampleJson(inputs, 5)}\n`);
    const pins = [
      `mlflow==${MLFLOW_FORMAT_VERSION}`,
      ...(format === 'cloudpickle' && saved.versions.cloudpickle
        ? [`cloudpickle==${saved.versions.cloudpickle}`]
        : []),
      `scikit-learn==${saved.sklearn_version}`,
    ];
    writeFileSync(join(tmp, 'requirements.txt'), `${pins.join('\n')}\n`);
    writeFileSync(
      join(tmp, 'python_env.yaml'),
      `python: ${saved.python_version}\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n`,
    );
    writeFileSync(
      join(tmp, 'conda.yaml'),
      `channels:\n- conda-forge\ndependencies:\n- python=${saved.python_version}\n- pip\n- pip:\n${pins.map((p) => `  - ${p}`).join('\n')}\nname: mlflow-env\n`,
    );
    const modelUuid = newModelUuid();
    const metadata: RecipeModelMetadata = {
      problem_type: options.problemType,
      target_col: options.targetCol,
      input_columns: options.inputColumns,
      ...(options.classes ? { classes: options.classes } : {}),
      ...(options.positiveClass !== undefined ? { positive_class: options.positiveClass } : {}),
      mlrecipe_version: mlrecipeVersion(),
    };
    const sklearnFlavor: SklearnFlavor = {
      pickled_model: SKLEARN_MODEL_FILE,
      sklearn_version: saved.sklearn_version,
      serialization_format: format,
      code: null,
    };
    const mlmodel: MLmodelDocument = {
      ...(options.artifactPath ? { artifact_path: options.artifactPath } : {}),
      flavors: {
        python_function: {
          env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
          loader_module: 'mlflow.sklearn',
          model_path: SKLEARN_MODEL_FILE,
          predict_fn: 'predict',
          python_version: saved.python_version,
        },
        [SKLEARN_FLAVOR_NAME]: sklearnFlavor,
      },
      mlflow_version: MLFLOW_FORMAT_VERSION,
      [RECIPE_METADATA_KEY]: metadata,
      ...savedModelFields({ modelUuid, runId: options.runId, signature, now: options.now }),
    };
    writeFileSync(join(tmp, MLMODEL_FILE), formatMLmodel(mlmodel));
    return { dir: options.dir, modelUuid, signature, mlmodel };
  });
}

/** The sklearn flavor of an MLmodel document, if it has one. */
export function sklearnFlavor(doc: MLmodelDocument): SklearnFlavor | undefined {
  const flavor = doc.flavors[SKLEARN_FLAVOR_NAME] as SklearnFlavor | undefined;
  if (!flavor || typeof flavor !== 'object' || typeof flavor.pickled_model !== 'string') return undefined;
  return flavor;
}

/** What mlrecipe recorded about the recipe, or what can be told without it (MLflow-made models). */
export function recipeMetadata(doc: MLmodelDocument, dir: string): RecipeModelMetadata | undefined {
  const meta = doc[RECIPE_METADATA_KEY] as RecipeModelMetadata | undefined;
  if (meta === undefined) return undefined;
  if (
    typeof meta !== 'object' ||
    (meta.problem_type !== 'regression' && meta.problem_type !== 'classification')
  ) {
    throw new DataError(`${join(dir, MLMODEL_FILE)}: ${RECIPE_METADATA_KEY} is malformed`);
  }
  return meta;
}
