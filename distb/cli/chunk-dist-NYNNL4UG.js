import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  require_dist
} from "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export default require_dist();
