import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  BasicAuth,
  PERMISSIONS,
  hashPassword,
  loadAuthFile,
  verifyPassword
} from "./chunk-chunk-7PBHP4VR.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  BasicAuth,
  PERMISSIONS,
  hashPassword,
  loadAuthFile,
  verifyPassword
};
