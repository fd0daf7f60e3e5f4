import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  PROTECTED_OUTPUT_HINT,
  SPLIT_NAMES,
  assignSplits,
  globToRegExp,
  hasGlob,
  profileFrame,
  profileHtml,
  protectedOutputReason,
  resolveLocation,
  rowHashUnit,
  selectRows,
  takeRows
} from "./chunk-chunk-XA5W7HDQ.js";
import {
  escapeHtml,
  histogramSvg,
  topValuesSvg
} from "./chunk-chunk-FZAGW6XK.js";
import {
  BUILTIN_FORMATS,
  concatDatasets,
  frameToCsv,
  isBuiltinFormat,
  readCsvDataset,
  readCsvFrame,
  readDataset,
  readJsonDataset,
  readJsonFrame,
  readParquetDataset,
  readParquetFrame,
  writeFrameParquet
} from "./chunk-chunk-V6YR2ZJT.js";
import {
  frameToArrowBytes,
  readArrowDataset,
  readFrameArrow,
  writeFrameArrow
} from "./chunk-chunk-NPUIUAV7.js";
import {
  ColumnBuilder,
  MISSING_TOKENS,
  datasetFromRecords,
  isMissingToken,
  parseNumberCell,
  typesOfFrame
} from "./chunk-chunk-Q4DOMFBY.js";
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";
export {
  BUILTIN_FORMATS,
  ColumnBuilder,
  MISSING_TOKENS,
  PROTECTED_OUTPUT_HINT,
  SPLIT_NAMES,
  assignSplits,
  concatDatasets,
  datasetFromRecords,
  escapeHtml,
  frameToArrowBytes,
  frameToCsv,
  globToRegExp,
  hasGlob,
  histogramSvg,
  isBuiltinFormat,
  isMissingToken,
  parseNumberCell,
  profileFrame,
  profileHtml,
  protectedOutputReason,
  readArrowDataset,
  readCsvDataset,
  readCsvFrame,
  readDataset,
  readFrameArrow,
  readJsonDataset,
  readJsonFrame,
  readParquetDataset,
  readParquetFrame,
  resolveLocation,
  rowHashUnit,
  selectRows,
  takeRows,
  topValuesSvg,
  typesOfFrame,
  writeFileAtomic,
  writeFrameArrow,
  writeFrameParquet
};
