import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import "./chunk-chunk-6H5OS5SB.js";
import {
  modelContentDigest
} from "./chunk-chunk-W6AIFH5D.js";
import {
  CODE_DIR,
  saveModel
} from "./chunk-chunk-7FLJW6WP.js";
import {
  PREDICTION_COLUMN,
  SCORING_FORMATS,
  formatFromPath,
  frameFromScoringPayload,
  parsePredictionFormat,
  predictionsJson,
  readScoringFile,
  scoreDataset,
  writeScoredFile
} from "./chunk-chunk-7GSX5MIE.js";
import {
  frameFromSplit,
  loadModel,
  registerModelUriResolver,
  resolveModelUri
} from "./chunk-chunk-VN34J2SD.js";
import {
  enforceSignature,
  inferInputSchema
} from "./chunk-chunk-Q7UGKYBB.js";
import {
  FLAVOR_NAME,
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  PIPELINE_FILE,
  formatMLmodel,
  formatUtcTimeCreated,
  mlrecipeVersion,
  readMLmodel
} from "./chunk-chunk-KDV6IQPO.js";
import {
  importUserModule
} from "./chunk-chunk-Q4SBLVJO.js";
import {
  ModelPipeline,
  PassthroughTransformer,
  dropColumn,
  selectColumns
} from "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import {
  CustomClassifier,
  CustomRegressor,
  CustomTransformer,
  toFeatureMatrix
} from "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-V6YR2ZJT.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  CODE_DIR,
  CustomClassifier,
  CustomRegressor,
  CustomTransformer,
  FLAVOR_NAME,
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  ModelPipeline,
  PIPELINE_FILE,
  PREDICTION_COLUMN,
  PassthroughTransformer,
  SCORING_FORMATS,
  dropColumn,
  enforceSignature,
  formatFromPath,
  formatMLmodel,
  formatUtcTimeCreated,
  frameFromScoringPayload,
  frameFromSplit,
  importUserModule,
  inferInputSchema,
  loadModel,
  mlrecipeVersion,
  modelContentDigest,
  parsePredictionFormat,
  predictionsJson,
  readMLmodel,
  readScoringFile,
  registerModelUriResolver,
  resolveModelUri,
  saveModel,
  scoreDataset,
  selectColumns,
  toFeatureMatrix,
  writeScoredFile
};
