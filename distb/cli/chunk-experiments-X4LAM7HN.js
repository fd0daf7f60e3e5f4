import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  findExperiment,
  registerExperimentsCommands
} from "./chunk-chunk-I3XJZPJQ.js";
import "./chunk-chunk-WZYJLL2R.js";
import "./chunk-chunk-6Y2UQZLY.js";
import "./chunk-chunk-UTGYEUUB.js";
import "./chunk-chunk-NLRYTIKR.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  findExperiment,
  registerExperimentsCommands
};
