/**
 * Typed calls into src/python/mlrecipe_sklearn.py through a worker: fitting a recipe's
 * scikit-learn transformer and estimator, predicting, pickling and unpickling models.
 */
import { fileURLToPath } from 'node:url';
import type { Frame } from '../ml/types.js';
import { PythonWorkerError } from './errors.js';
import { exchangeToFrame, seriesToArray } from './exchange.js';
import type { PythonArg, PythonObject, PythonValue, PythonWorker } from './worker.js';

export function sklearnHelperPath(): string {
  return fileURLToPath(new URL('../../src/python/mlrecipe_sklearn.py', import.meta.url));
}

async function helper(worker: PythonWorker, fn: string, args: PythonArg[]): Promise<PythonValue> {
  worker.requirePackages(['sklearn', 'cloudpickle'], 'for scikit-learn models');
  return worker.callFunction({
    module: sklearnHelperPath(),
    function: fn,
    args,
    shownFile: 'mlrecipe_sklearn.py',
  });
}

function objectOf(value: PythonValue, what: string): PythonObject {
  if (value.kind !== 'object') throw new PythonWorkerError(`${what} returned ${value.kind}, not an object`);
  return value.object;
}

/** Fits a transformer on the training rows; the number of features it makes. */
export async function fitTransformer(
  worker: PythonWorker,
  transformer: PythonObject,
  X: Frame,
): Promise<number> {
  const value = await helper(worker, 'fit_transformer', [{ object: transformer }, { frame: X }]);
  return value.kind === 'json' ? Number(value.value) : Number.NaN;
}

/** Fits the estimator on transformed rows; the fitted sklearn Pipeline (transformer + estimator). */
export async function fitModel(
  worker: PythonWorker,
  options: { transformer?: PythonObject; estimator: PythonObject; X: Frame; y: Frame['columns'][number] },
): Promise<PythonObject> {
  const y = options.y;
  const value = await helper(worker, 'fit_model', [
    options.transformer ? { object: options.transformer } : { none: true },
    { object: options.estimator },
    { frame: options.X },
    {
      series:
        y.type === 'number'
          ? { name: y.name, kind: 'float', values: y.values }
          : { name: y.name, kind: 'string', values: y.values },
    },
  ]);
  return objectOf(value, 'fit_model');
}

/** model.predict(X): numbers, or labels as strings. */
export async function predictModel(
  worker: PythonWorker,
  model: PythonObject,
  X: Frame,
): Promise<Float64Array | string[]> {
  const value = await helper(worker, 'predict', [{ object: model }, { frame: X }]);
  if (value.kind === 'series') {
    const column = value.column;
    if (column.kind === 'float' || column.kind === 'int' || column.kind === 'bool') {
      return exchangeToFrame({ nRows: column.values.length, columns: [column] }).columns[0]
        ?.values as Float64Array;
    }
    return seriesToArray(column).map((v) => (v === null ? '' : String(v)));
  }
  throw new PythonWorkerError(`predict returned ${value.kind}, not one value per row`);
}

/**
 * model.predict_proba(X): one probability array per class, in `classes_` order; undefined when the
 * model has no predict_proba (MLflow's evaluator then leaves out roc_auc, log_loss and
 * precision_recall_auc).
 */
export async function predictProbaModel(
  worker: PythonWorker,
  model: PythonObject,
  X: Frame,
): Promise<Float64Array[] | undefined> {
  const value = await helper(worker, 'predict_proba', [{ object: model }, { frame: X }]);
  if (value.kind === 'none') return undefined;
  if (value.kind !== 'table')
    throw new PythonWorkerError(`predict_proba returned ${value.kind}, not a matrix`);
  return value.table.columns.map((column, k) => {
    if (column.kind !== 'float') {
      throw new PythonWorkerError(`predict_proba returned a ${column.kind} column ${k}, not probabilities`);
    }
    return column.values instanceof Float64Array ? column.values : Float64Array.from(column.values);
  });
}

/** Whether a fitted model (or pipeline) has predict_proba. */
export async function hasPredictProba(worker: PythonWorker, model: PythonObject): Promise<boolean> {
  const value = await helper(worker, 'has_predict_proba', [{ object: model }]);
  return value.kind === 'json' && value.value === true;
}

/** `classes_` of a fitted classifier (or pipeline), as strings. */
export async function modelClasses(worker: PythonWorker, model: PythonObject): Promise<string[] | undefined> {
  const value = await helper(worker, 'classes', [{ object: model }]);
  return value.kind === 'json' && Array.isArray(value.value) ? value.value.map(String) : undefined;
}

export interface SavedSklearnModel {
  sklearn_version: string;
  python_version: string;
  versions: Record<string, string>;
}

/** Pickles `model` into `<dir>/model.pkl`; what the sklearn flavor records. */
export async function saveSklearnPickle(
  worker: PythonWorker,
  model: PythonObject,
  dir: string,
  format: 'cloudpickle' | 'pickle',
): Promise<SavedSklearnModel> {
  const value = await helper(worker, 'save_model', [{ object: model }, { json: dir }, { json: format }]);
  if (value.kind !== 'json') throw new PythonWorkerError('save_model returned no versions');
  return value.value as SavedSklearnModel;
}

/** Unpickles a model file into the worker. */
export async function loadSklearnPickle(worker: PythonWorker, file: string): Promise<PythonObject> {
  return objectOf(await helper(worker, 'load_model', [{ json: file }]), 'load_model');
}

/** The rows every trial of a sweep shares, held in the worker (sent once, not per trial). */
export async function holdTrialData(
  worker: PythonWorker,
  options: { transformer?: PythonObject; X: Frame; y: Frame['columns'][number]; Xval: Frame },
): Promise<PythonObject> {
  const y = options.y;
  const value = await helper(worker, 'hold_trial_data', [
    options.transformer ? { object: options.transformer } : { none: true },
    { frame: options.X },
    {
      series:
        y.type === 'number'
          ? { name: y.name, kind: 'float', values: y.values }
          : { name: y.name, kind: 'string', values: y.values },
    },
    { frame: options.Xval },
  ]);
  return objectOf(value, 'hold_trial_data');
}

export interface TrialPredictions {
  /** Validation predictions: numbers, or labels as strings. */
  predictions: Float64Array | string[];
  /** One column per class in `classes_` order, when the classifier has predict_proba. */
  proba?: Float64Array[];
  fitSeconds: number;
}

/** Fits one trial's unfitted estimator on the held rows and predicts the validation rows. */
export async function fitAndPredictTrial(
  worker: PythonWorker,
  data: PythonObject,
  estimator: PythonObject,
): Promise<TrialPredictions> {
  const fit = objectOf(
    await helper(worker, 'fit_trial', [{ object: data }, { object: estimator }]),
    'fit_trial',
  );
  try {
    const value = await helper(worker, 'predict_trial', [{ object: data }, { object: fit }]);
    if (value.kind !== 'table')
      throw new PythonWorkerError(`predict_trial returned ${value.kind}, not a table`);
    const frame = exchangeToFrame(value.table);
    const column = (name: string) => frame.columns.find((c) => c.name === name);
    const prediction = column('prediction');
    const seconds = column('fit_seconds');
    if (!prediction || !seconds || seconds.type !== 'number') {
      throw new PythonWorkerError('predict_trial returned no prediction or fit_seconds column');
    }
    const probaColumns = frame.columns.filter((c) => c.name.startsWith('proba_'));
    return {
      predictions:
        prediction.type === 'number'
          ? prediction.values
          : prediction.values.map((v) => (v === null ? '' : String(v))),
      ...(probaColumns.length > 0
        ? { proba: probaColumns.map((c) => (c.type === 'number' ? c.values : new Float64Array(frame.nRows))) }
        : {}),
      fitSeconds: frame.nRows > 0 ? (seconds.values[0] as number) : 0,
    };
  } finally {
    await worker.release([fit, estimator]);
  }
}
