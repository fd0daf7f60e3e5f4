import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  openModelRegistry,
  openModelRegistryFor
} from "./chunk-chunk-RQO4PVK5.js";
import "./chunk-chunk-QBLXTEZY.js";
import "./chunk-chunk-7Y5GNMMB.js";
import "./chunk-chunk-YAYMH75N.js";
import "./chunk-chunk-EDN5TED2.js";
import "./chunk-chunk-BGKV5I2Y.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-IPY3WFCW.js";
import "./chunk-chunk-GIG4EP5J.js";
import "./chunk-chunk-T77SP7Q2.js";
import "./chunk-chunk-5AC5CY3N.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  openModelRegistry,
  openModelRegistryFor
};
