import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import "./chunk-chunk-DHD3YECS.js";
import {
  openModelRegistry,
  openModelRegistryFor
} from "./chunk-chunk-RQO4PVK5.js";
import {
  modelDirectoryName,
  registerModel,
  registryModelsRoot,
  removeRegisteredFiles
} from "./chunk-chunk-Y7I53XKG.js";
import {
  getModelVersionForUri,
  loadModelFromUri,
  modelUriResolvers,
  parseModelsUri,
  parseRunsUri,
  quoteFilterString,
  registeredModelToScore,
  resolveModelDirectory,
  resolveModelsUri,
  resolveRunsUri
} from "./chunk-chunk-X5C7PU4N.js";
import {
  modelVersionDirectory
} from "./chunk-chunk-MVFGL54S.js";
import "./chunk-chunk-QBLXTEZY.js";
import "./chunk-chunk-7Y5GNMMB.js";
import {
  SqlModelRegistryStore,
  registryForTrackingStore
} from "./chunk-chunk-YAYMH75N.js";
import {
  MODEL_STAGES,
  canonicalStage,
  parseVersion,
  validateAlias,
  validateModelName
} from "./chunk-chunk-EDN5TED2.js";
import "./chunk-chunk-BGKV5I2Y.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-IPY3WFCW.js";
import "./chunk-chunk-GIG4EP5J.js";
import "./chunk-chunk-T77SP7Q2.js";
import "./chunk-chunk-5AC5CY3N.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  MODEL_STAGES,
  SqlModelRegistryStore,
  canonicalStage,
  getModelVersionForUri,
  loadModelFromUri,
  modelDirectoryName,
  modelUriResolvers,
  modelVersionDirectory,
  openModelRegistry,
  openModelRegistryFor,
  parseModelsUri,
  parseRunsUri,
  parseVersion,
  quoteFilterString,
  registerModel,
  registeredModelToScore,
  registryForTrackingStore,
  registryModelsRoot,
  removeRegisteredFiles,
  resolveModelDirectory,
  resolveModelsUri,
  resolveRunsUri,
  validateAlias,
  validateModelName
};
