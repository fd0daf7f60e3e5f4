import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  modelsCommand,
  registerModelsPredictCommand
} from "./chunk-chunk-WFIPGIBO.js";
import "./chunk-chunk-6Y2UQZLY.js";
import "./chunk-chunk-NLRYTIKR.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  modelsCommand,
  registerModelsPredictCommand
};
