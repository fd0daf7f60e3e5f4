import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  makeIngestStep
} from "./chunk-chunk-E6HWDND7.js";
import "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-XA5W7HDQ.js";
import "./chunk-chunk-FZAGW6XK.js";
import "./chunk-chunk-V6YR2ZJT.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/steps/ingest-scoring.ts
var ingestScoringStep = makeIngestStep("ingest_scoring");
export {
  ingestScoringStep
};
