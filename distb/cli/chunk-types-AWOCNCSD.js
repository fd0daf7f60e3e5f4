import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  STEP_INPUTS,
  STEP_KINDS,
  STEP_RECIPE_KEYS
} from "./chunk-chunk-I5LLZ7WK.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  STEP_INPUTS,
  STEP_KINDS,
  STEP_RECIPE_KEYS
};
