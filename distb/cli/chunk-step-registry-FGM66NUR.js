import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  defaultStepRegistry,
  lazyStep
} from "./chunk-chunk-D4JS63JZ.js";
import "./chunk-chunk-YHLBZP67.js";
import "./chunk-chunk-VH62VMQR.js";
import "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  defaultStepRegistry,
  lazyStep
};
