import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  describeGateFailures,
  evaluateGate,
  greaterIsBetter,
  parseGateThresholds
} from "./chunk-chunk-TZ7D3SGX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  describeGateFailures,
  evaluateGate,
  greaterIsBetter,
  parseGateThresholds
};
