import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  frameFromSplit,
  loadModel,
  pipelineFromDocument,
  registerModelUriResolver,
  resolveModelUri
} from "./chunk-chunk-VN34J2SD.js";
import "./chunk-chunk-Q7UGKYBB.js";
import "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  frameFromSplit,
  loadModel,
  pipelineFromDocument,
  registerModelUriResolver,
  resolveModelUri
};
