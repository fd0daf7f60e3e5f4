import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  findUserModule,
  loadUserFunction
} from "./chunk-chunk-2HMFR572.js";
import {
  profileFrame,
  profileHtml,
  resolveLocation
} from "./chunk-chunk-XA5W7HDQ.js";
import {
  escapeHtml
} from "./chunk-chunk-FZAGW6XK.js";
import {
  concatDatasets,
  isBuiltinFormat,
  readDataset
} from "./chunk-chunk-V6YR2ZJT.js";
import {
  writeFrameArrow
} from "./chunk-chunk-NPUIUAV7.js";
import {
  datasetFromRecords,
  typesOfFrame
} from "./chunk-chunk-Q4DOMFBY.js";
import {
  ConfigError,
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/steps/ingest.ts
import { statSync } from "node:fs";
import { extname, join, relative } from "node:path";
var INGEST_DATASET_FILE = "dataset.arrow";
var defaultLoaderResolver = ({ recipeDir, name }) => loadUserFunction({ recipeDir, step: "ingest", name });
function configField(kind, key) {
  return `steps.${kind}.${key}`;
}
function checkConfig(cfg, kind) {
  if (cfg === null || typeof cfg !== "object" || cfg.using === void 0) {
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: `steps.${kind}`,
        message: "is missing: nothing says where the data is",
        hint: "add e.g. `using: csv` and `location: data/train.csv`"
      }
    ]);
  }
  if (cfg.using === "custom") {
    if (!cfg.loader_method) {
      throw new ConfigError([
        {
          file: "recipe.yaml",
          line: 0,
          column: 0,
          path: configField(kind, "using"),
          message: "using: custom needs loader_method",
          hint: "name a function exported by steps/ingest.ts"
        }
      ]);
    }
    return;
  }
  if (!isBuiltinFormat(cfg.using)) {
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: configField(kind, "using"),
        message: `unknown format ${JSON.stringify(cfg.using)}`,
        hint: "use csv, parquet, json, arrow or custom"
      }
    ]);
  }
  if (cfg.location === void 0) {
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: configField(kind, "location"),
        message: `using: ${cfg.using} needs a location`,
        hint: "a path, a list of paths or a glob such as data/*.csv, relative to the recipe directory"
      }
    ]);
  }
}
function resolveIngestFiles(cfg, recipeDir, kind = "ingest") {
  checkConfig(cfg, kind);
  if (cfg.location === void 0) return [];
  return resolveLocation({
    location: cfg.location,
    baseDir: recipeDir,
    format: cfg.using === "custom" ? void 0 : cfg.using,
    field: configField(kind, "location")
  });
}
async function loadIngestDataset(options) {
  const { config, recipeDir } = options;
  const kind = options.kind ?? "ingest";
  const files = resolveIngestFiles(config, recipeDir, kind);
  if (isBuiltinFormat(config.using)) {
    return { dataset: await readDataset({ format: config.using, files }), files };
  }
  const resolver = options.loaderResolver ?? defaultLoaderResolver;
  const loader = await resolver({ recipeDir, name: config.loader_method });
  const calls = files.length > 0 ? files.map((f) => ({ path: f, format: extname(f).slice(1).toLowerCase() })) : [{ path: "", format: "custom" }];
  const parts = [];
  for (const call of calls) {
    const where = `steps/ingest ${config.loader_method}(${JSON.stringify(call.path)}, ${JSON.stringify(call.format)})`;
    let result;
    try {
      result = await loader(call.path, call.format);
    } catch (error) {
      if (error instanceof DataError || error instanceof ConfigError) throw error;
      throw new DataError(`${where} threw: ${error?.message ?? String(error)}`, { cause: error });
    }
    parts.push(datasetFromLoaderResult(result, where));
  }
  return {
    dataset: concatDatasets(
      parts,
      calls.map((c) => c.path || "custom loader")
    ),
    files
  };
}
function datasetFromLoaderResult(result, where) {
  if (Array.isArray(result)) return datasetFromRecords(result, where);
  if (isFrame(result)) {
    result.columns.forEach((c) => {
      const ok = c.type === "number" ? c.values instanceof Float64Array : Array.isArray(c.values);
      if (!ok || c.values.length !== result.nRows) {
        throw new DataError(
          `${where}: column "${c.name}" must hold ${result.nRows} values in a ${c.type === "number" ? "Float64Array" : "array of string|null"}`
        );
      }
    });
    return { frame: result, columnTypes: typesOfFrame(result) };
  }
  throw new DataError(
    `${where} returned ${result === null ? "null" : typeof result}, not a Frame or an array of row objects`,
    {
      hint: 'return e.g. [{ "x": 1, "label": "a" }, ...] or { nRows, columns: [{ name, type, values }] }'
    }
  );
}
function isFrame(value) {
  if (value === null || typeof value !== "object") return false;
  const v = value;
  return typeof v.nRows === "number" && Array.isArray(v.columns);
}
function makeIngestStep(kind, options = {}) {
  return {
    kind,
    codeFiles(cfg, recipeDir) {
      if (cfg?.using !== "custom") return [];
      const file = findUserModule({ recipeDir, module: "ingest" });
      return file ? [file] : [];
    },
    async inputFiles(cfg, recipeDir) {
      return resolveIngestFiles(cfg, recipeDir, kind);
    },
    async run(cfg, ctx) {
      return runIngest(kind, cfg, ctx, options.loaderResolver);
    }
  };
}
async function runIngest(kind, cfg, ctx, loaderResolver) {
  const started = performance.now();
  const { dataset, files } = await loadIngestDataset({
    config: cfg,
    recipeDir: ctx.recipeDir,
    kind,
    loaderResolver
  });
  const { frame, columnTypes } = dataset;
  const readSeconds = (performance.now() - started) / 1e3;
  if (frame.columns.length === 0) {
    throw new DataError(
      `steps.${kind}: the data has no columns${files.length > 0 ? ` (${files.map((f) => relative(ctx.recipeDir, f)).join(", ")})` : ""}`
    );
  }
  writeFrameArrow(join(ctx.outDir, INGEST_DATASET_FILE), frame, { columnTypes });
  ctx.log(
    `read ${frame.nRows} rows \xD7 ${frame.columns.length} columns from ${files.length || 1} source${files.length === 1 ? "" : "s"} in ${readSeconds.toFixed(2)}s`
  );
  const fileInfo = files.map((f) => ({ path: displayDataPath(f, ctx.recipeDir), bytes: statSync(f).size }));
  const types = Object.fromEntries(frame.columns.map((c, j) => [c.name, columnTypes[j]]));
  const profile = cfg.skip_data_profiling ? void 0 : profileFrame(frame, columnTypes);
  const summary = `<p><b>${frame.nRows}</b> rows \xD7 <b>${frame.columns.length}</b> columns, read with <code>${escapeHtml(cfg.using)}</code>${cfg.loader_method ? ` (<code>${escapeHtml(cfg.loader_method)}</code>)` : ""} in ${readSeconds.toFixed(2)} s.</p>` + (fileInfo.length > 0 ? `<ul>${fileInfo.map((f) => `<li><code>${escapeHtml(f.path)}</code> (${f.bytes} bytes)</li>`).join("")}</ul>` : "");
  const sections = [{ title: "Summary", html: summary }];
  if (profile) sections.push({ title: "Data profile", html: profileHtml(profile) });
  else
    sections.push({
      title: "Columns",
      html: `<ul>${frame.columns.map((c, j) => `<li><code>${escapeHtml(c.name)}</code>: ${columnTypes[j]}</li>`).join("")}</ul>`
    });
  return {
    outputs: { dataset: INGEST_DATASET_FILE },
    card: {
      step: kind,
      data: {
        rows: frame.nRows,
        columns: frame.columns.length,
        column_types: types,
        using: cfg.using,
        files: fileInfo,
        read_seconds: readSeconds,
        ...profile ? { profile } : {}
      },
      sections
    }
  };
}
function displayDataPath(file, recipeDir) {
  const rel = relative(recipeDir, file);
  return rel.startsWith("..") ? file : rel;
}
var ingestStep = makeIngestStep("ingest");

export {
  INGEST_DATASET_FILE,
  resolveIngestFiles,
  loadIngestDataset,
  datasetFromLoaderResult,
  makeIngestStep,
  ingestStep
};
