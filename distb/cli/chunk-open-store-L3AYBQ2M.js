import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  openTrackingStore,
  sqliteDatabasePath
} from "./chunk-chunk-7Y5GNMMB.js";
import "./chunk-chunk-IPY3WFCW.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  openTrackingStore,
  sqliteDatabasePath
};
