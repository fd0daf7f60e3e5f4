import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  SCRIPT_RUNNERS,
  findMlprojectFile,
  findOnPath,
  getEntryPoint,
  loadProject,
  parseMlproject
} from "./chunk-chunk-FABSN7QC.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  SCRIPT_RUNNERS,
  findMlprojectFile,
  findOnPath,
  getEntryPoint,
  loadProject,
  parseMlproject
};
