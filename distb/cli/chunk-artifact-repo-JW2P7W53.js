import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  LocalArtifactRepository,
  downloadArtifacts,
  listArtifacts,
  localPathFromArtifactUri,
  logArtifact,
  logArtifacts,
  normaliseArtifactPath
} from "./chunk-chunk-BGKV5I2Y.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  LocalArtifactRepository,
  downloadArtifacts,
  listArtifacts,
  localPathFromArtifactUri,
  logArtifact,
  logArtifacts,
  normaliseArtifactPath
};
