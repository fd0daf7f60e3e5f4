/** The model format: save a fitted pipeline as an MLflow-style model directory, load it back. */
export {
  CustomClassifier,
  CustomRegressor,
  CustomTransformer,
  toFeatureMatrix,
} from './custom-components.js';
export { modelContentDigest } from './content-digest.js';
export {
  frameFromSplit,
  type LoadedModel,
  type LoadModelOptions,
  loadModel,
  type ModelUriResolver,
  type ResolveContext,
  registerModelUriResolver,
  resolveModelUri,
} from './load.js';
export {
  FLAVOR_NAME,
  formatMLmodel,
  formatUtcTimeCreated,
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  type MLmodelDocument,
  type MlrecipeFlavor,
  mlrecipeVersion,
  PIPELINE_FILE,
  readMLmodel,
} from './mlmodel.js';
export {
  type ComponentSource,
  dropColumn,
  ModelPipeline,
  type ModelPipelineOptions,
  PassthroughTransformer,
  type PipelineDocument,
  type PipelineTransformer,
  type ProblemType,
  selectColumns,
} from './pipeline.js';
export {
  formatFromPath,
  PREDICTION_COLUMN,
  type PredictionFormat,
  parsePredictionFormat,
  predictionsJson,
  readScoringFile,
  type ScoredDataset,
  type ScoreOptions,
  scoreDataset,
  writeScoredFile,
} from './predict.js';
export {
  PYFUNC_FLAVOR_NAME,
  PYFUNC_LOADER_MODULE,
  type PythonFunctionFlavor,
  type PythonFunctionSupport,
  pythonFunctionSupport,
} from './pyfunc.js';
export { CODE_DIR, type SavedModel, type SaveModelOptions, saveModel } from './save.js';
export { frameFromScoringPayload, SCORING_FORMATS } from './scoring-payload.js';
export {
  type ColSpec,
  type ColumnType,
  enforceSignature,
  inferInputSchema,
  type ModelSignature,
} from './signature.js';
export { importUserModule, type UserFunction } from './user-code.js';
