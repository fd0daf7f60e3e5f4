import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  BUILTIN_OUTPUTS,
  findReusableRun,
  loadWorkflow,
  outputsOfRun,
  runProjectEntryPoint,
  runWorkflow
} from "./chunk-chunk-JL7RSMNH.js";
import {
  ENV_MANAGERS,
  EnvironmentUnavailableError,
  PROJECT_TAGS,
  computeReuseKey,
  executeProjectRun,
  fetchGitProject,
  npmCiOnce,
  parseProjectUri,
  planProjectRun,
  prepareEnvironment,
  projectCacheDir,
  recordedParams,
  resolveExperimentId,
  runProject,
  satisfiesNodeRange
} from "./chunk-chunk-AXWSSERG.js";
import "./chunk-chunk-Q3NCXTSE.js";
import {
  PARAM_TYPES,
  SCRIPT_RUNNERS,
  getEntryPoint,
  loadProject,
  parseParameterAssignments,
  renderCommand,
  resolveParameters,
  shellQuote
} from "./chunk-chunk-FABSN7QC.js";
import "./chunk-chunk-GJMBG6NU.js";
import "./chunk-chunk-QBLXTEZY.js";
import "./chunk-chunk-7Y5GNMMB.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-BGKV5I2Y.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-IPY3WFCW.js";
import "./chunk-chunk-5AC5CY3N.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  BUILTIN_OUTPUTS,
  ENV_MANAGERS,
  EnvironmentUnavailableError,
  PARAM_TYPES,
  PROJECT_TAGS,
  SCRIPT_RUNNERS,
  computeReuseKey,
  executeProjectRun,
  fetchGitProject,
  findReusableRun,
  getEntryPoint,
  loadProject,
  loadWorkflow,
  npmCiOnce,
  outputsOfRun,
  parseParameterAssignments,
  parseProjectUri,
  planProjectRun,
  prepareEnvironment,
  projectCacheDir,
  recordedParams,
  renderCommand,
  resolveExperimentId,
  resolveParameters,
  runProject,
  runProjectEntryPoint,
  runWorkflow,
  satisfiesNodeRange,
  shellQuote
};
