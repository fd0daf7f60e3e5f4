/**
 * The Python worker: runs users' `steps/*.py` functions and scikit-learn objects in one
 * long-lived Python process, with tables crossing as NumPy columns (docs/python-worker.md).
 * Callers import this module dynamically, at the point where Python is needed.
 */
export { PythonError, type PythonFrame, PythonWorkerError } from './errors.js';
export {
  EXCHANGE_FORMAT,
  type ExchangeColumn,
  type ExchangeManifest,
  type ExchangeTable,
  exchangeToFrame,
  frameToExchange,
  isoFromNanoseconds,
  NAT,
  readExchangeTable,
  seriesToArray,
  writeExchangeTable,
} from './exchange.js';
export { type InterpreterSource, type PythonInterpreter, resolvePythonInterpreter } from './interpreter.js';
export { readNpy, writeNpy } from './npy.js';
export { closePythonWorkers, pythonWorkersStarted, sharedPythonWorker } from './session.js';
export {
  BASE_PACKAGES,
  type CallContext,
  missingModuleHint,
  type PythonArg,
  type PythonObject,
  type PythonValue,
  PythonWorker,
  type StartPythonWorkerOptions,
  type WorkerInfo,
  workerScriptPath,
} from './worker.js';
export {
  fitModel,
  fitAndPredictTrial,
  fitTransformer,
  hasPredictProba,
  holdTrialData,
  loadSklearnPickle,
  modelClasses,
  predictModel,
  predictProbaModel,
  type SavedSklearnModel,
  saveSklearnPickle,
  sklearnHelperPath,
  type TrialPredictions,
} from './sklearn.js';
export { type EarlyStopTrial, hyperoptHelperPath, pythonEarlyStop } from './hyperopt.js';
export {
  EXCHANGE_MODULES,
  type PythonEnvironment,
  probePythonEnvironment,
  pythonFingerprintExtras,
  pythonImports,
} from './environment.js';
