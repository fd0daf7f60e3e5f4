import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  featureWeights,
  largestBars,
  trainStep
} from "./chunk-chunk-ECLUELNQ.js";
import "./chunk-chunk-65BTZNEZ.js";
import {
  MODEL_DIR
} from "./chunk-chunk-EM6OGXNR.js";
import "./chunk-chunk-XYLANPCV.js";
import "./chunk-chunk-5OY5P45V.js";
import "./chunk-chunk-ZPTZ34P2.js";
import "./chunk-chunk-YHLBZP67.js";
import "./chunk-chunk-VH62VMQR.js";
import "./chunk-chunk-7FLJW6WP.js";
import "./chunk-chunk-Q7UGKYBB.js";
import "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import {
  DEFAULT_ESTIMATORS
} from "./chunk-chunk-LJJERU6S.js";
import "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  DEFAULT_ESTIMATORS,
  MODEL_DIR,
  featureWeights,
  largestBars,
  trainStep
};
