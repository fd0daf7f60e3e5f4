import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  fileUriForPath,
  findRepoRoot,
  resolveTrackingUri,
  sqlitePathFromUri,
  sqliteUriForPath
} from "./chunk-chunk-IPY3WFCW.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  fileUriForPath,
  findRepoRoot,
  resolveTrackingUri,
  sqlitePathFromUri,
  sqliteUriForPath
};
