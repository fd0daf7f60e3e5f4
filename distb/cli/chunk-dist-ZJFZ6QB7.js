import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  PQueue,
  PriorityQueue,
  TimeoutError
} from "./chunk-chunk-GJMBG6NU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  PriorityQueue,
  TimeoutError,
  PQueue as default
};
