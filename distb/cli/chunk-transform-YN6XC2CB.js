import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  TRANSFORMER_FILE,
  categoryWarnings,
  featureStats,
  loadFittedTransformer,
  transformStep
} from "./chunk-chunk-XYLANPCV.js";
import "./chunk-chunk-5OY5P45V.js";
import "./chunk-chunk-ZPTZ34P2.js";
import "./chunk-chunk-YHLBZP67.js";
import "./chunk-chunk-VH62VMQR.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  TRANSFORMER_FILE,
  categoryWarnings,
  featureStats,
  loadFittedTransformer,
  transformStep
};
