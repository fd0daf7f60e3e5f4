import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  REPORT_FILES,
  formatGateJunit,
  formatGateMarkdown,
  writeGateReport
} from "./chunk-chunk-4YWAMO4U.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  REPORT_FILES,
  formatGateJunit,
  formatGateMarkdown,
  writeGateReport
};
