import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  PROJECT_TAGS,
  computeReuseKey,
  executeProjectRun,
  planProjectRun,
  recordedParams,
  resolveExperimentId,
  runProject
} from "./chunk-chunk-AXWSSERG.js";
import "./chunk-chunk-Q3NCXTSE.js";
import "./chunk-chunk-FABSN7QC.js";
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
  PROJECT_TAGS,
  computeReuseKey,
  executeProjectRun,
  planProjectRun,
  recordedParams,
  resolveExperimentId,
  runProject
};
