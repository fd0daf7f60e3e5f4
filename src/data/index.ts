/**
 * Columnar data I/O: CSV, Parquet, JSON and Arrow files into Frames (typed columns) and back,
 * type inference, data locations (paths, lists, globs), row hashing for splits, and column
 * profiles for step cards.
 */
// writeFileAtomic lives in src/atomic-write.ts (every module writes through it); kept on this
// surface because `mlrecipe/data` has exported it.
export { writeFileAtomic } from '../atomic-write.js';
export { frameToArrowBytes, readArrowDataset, readFrameArrow, writeFrameArrow, writeFrameArrowFile } from './arrow-io.js';
export { frameToCsv, type ReadCsvOptions, readCsvDataset, readCsvFrame, readCsvText } from './csv.js';
export {
  ColumnBuilder,
  type Dataset,
  type DataType,
  datasetFromRecords,
  isMissingToken,
  MISSING_TOKENS,
  parseNumberCell,
  typesOfFrame,
} from './infer-types.js';
export { readJsonDataset, readJsonFrame } from './json.js';
export { globToRegExp, hasGlob, type ResolveLocationOptions, resolveLocation } from './locations.js';
export { PROTECTED_OUTPUT_HINT, protectedOutputReason } from './output-path.js';
export { readParquetDataset, readParquetFrame, writeFrameParquet } from './parquet.js';
export {
  type ColumnProfile,
  type DatasetProfile,
  type ProfileOptions,
  profileFrame,
  profileHtml,
} from './profile.js';
export {
  BUILTIN_FORMATS,
  type BuiltinFormat,
  concatDatasets,
  isBuiltinFormat,
  readDataset,
} from './read-dataset.js';
export { assignSplits, rowHashUnit, SPLIT_NAMES, type SplitName, selectRows, takeRows } from './row-hash.js';
export { escapeHtml, histogramSvg, topValuesSvg } from './svg-histogram.js';
