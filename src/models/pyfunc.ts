/**
 * The `python_function` flavor (MLflow's pyfunc) of a saved model: a small Python module,
 * src/models/python/mlrecipe_pyfunc.py, copied into the model's `code/` folder and named as the
 * flavor's `loader_module`, evaluates pipeline.json with numpy and pandas. MLflow's
 * `mlflow.pyfunc.load_model` puts `code/` on sys.path, imports the module and calls
 * `_load_pyfunc(<model dir>/pipeline.json)` (MLflow 2.12, mlflow/pyfunc/__init__.py).
 *
 * The module evaluates mlrecipe's built-in components only. A pipeline with a custom transformer
 * or estimator (user code in TypeScript) gets no python_function flavor: a flavor whose loader
 * cannot evaluate the model would only fail later and more confusingly.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineDocument } from './pipeline.js';

export const PYFUNC_FLAVOR_NAME = 'python_function';
export const PYFUNC_LOADER_MODULE = 'mlrecipe_pyfunc';

/**
 * The oldest Python the loader module is written for. MLflow records the saving interpreter's
 * version here; no Python saved these models, so the flavor names the loader's requirement.
 */
export const PYFUNC_PYTHON_VERSION = '3.8';

/**
 * The estimator names (pipeline.json `estimator.name`, registry and class state names) the Python
 * module evaluates; test/models/pyfunc.test.ts checks every registry estimator against it.
 */
export const PYFUNC_ESTIMATORS: ReadonlySet<string> = new Set([
  'linear_regression',
  'ridge',
  'sgd_regressor',
  'decision_tree_regressor',
  'random_forest_regressor',
  'extra_trees_regressor',
  'hist_gradient_boosting_regressor',
  'polynomial',
  'polynomial_regression',
  'theil_sen',
  'theil_sen_regression',
  'kernel_ridge',
  'logistic_regression',
  'sgd_classifier',
  'decision_tree_classifier',
  'random_forest_classifier',
  'extra_trees_classifier',
  'hist_gradient_boosting_classifier',
]);

/** The module's source; `../../src/…` resolves from src/models under tsx and from dist/models. */
export function pyfuncModulePath(): string {
  return fileURLToPath(new URL(`../../src/models/python/${PYFUNC_LOADER_MODULE}.py`, import.meta.url));
}

/** MLmodel's `flavors.python_function` entry (MLflow's keys: loader_module, code, data, python_version). */
export interface PythonFunctionFlavor {
  loader_module: string;
  code: string;
  data: string;
  python_version: string;
}

export type PythonFunctionSupport = { available: true } | { available: false; reason: string };

/** Whether the Python module can evaluate this pipeline, and if not, why. */
export function pythonFunctionSupport(doc: PipelineDocument): PythonFunctionSupport {
  if (doc.transformer.kind === 'custom') {
    return {
      available: false,
      reason: `the transformer is user code (${doc.transformer.code}:${doc.transformer.method}), which the Python loader cannot run`,
    };
  }
  if (doc.estimator.kind === 'custom') {
    return {
      available: false,
      reason: `the estimator is user code (${doc.estimator.code}:${doc.estimator.method}), which the Python loader cannot run`,
    };
  }
  if (!PYFUNC_ESTIMATORS.has(doc.estimator.name)) {
    return {
      available: false,
      reason: `the Python loader cannot evaluate the estimator "${doc.estimator.name}"`,
    };
  }
  return { available: true };
}

/** Copies the loader module into `<modelDir>/<codeDir>/` and returns the flavor that names it. */
export function addPythonFunction(options: {
  modelDir: string;
  codeDir: string;
  pipelineFile: string;
}): PythonFunctionFlavor {
  const { modelDir, codeDir, pipelineFile } = options;
  mkdirSync(join(modelDir, codeDir), { recursive: true });
  copyFileSync(pyfuncModulePath(), join(modelDir, codeDir, `${PYFUNC_LOADER_MODULE}.py`));
  return {
    loader_module: PYFUNC_LOADER_MODULE,
    code: codeDir,
    data: pipelineFile,
    python_version: PYFUNC_PYTHON_VERSION,
  };
}
