import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  SqlModelRegistryStore,
  registryForTrackingStore
} from "./chunk-chunk-YAYMH75N.js";
import "./chunk-chunk-EDN5TED2.js";
import "./chunk-chunk-GIG4EP5J.js";
import "./chunk-chunk-T77SP7Q2.js";
import "./chunk-chunk-5AC5CY3N.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  SqlModelRegistryStore,
  registryForTrackingStore
};
