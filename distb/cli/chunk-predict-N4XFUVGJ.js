import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  INGEST_DATASET_FILE
} from "./chunk-chunk-E6HWDND7.js";
import {
  inputDir
} from "./chunk-chunk-5OY5P45V.js";
import {
  escapeHtml,
  htmlTable,
  svgBarChart
} from "./chunk-chunk-ZPTZ34P2.js";
import {
  scoreDataset,
  writeScoredFile
} from "./chunk-chunk-7GSX5MIE.js";
import "./chunk-chunk-VN34J2SD.js";
import "./chunk-chunk-Q7UGKYBB.js";
import "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import {
  PROTECTED_OUTPUT_HINT,
  protectedOutputReason
} from "./chunk-chunk-XA5W7HDQ.js";
import "./chunk-chunk-FZAGW6XK.js";
import "./chunk-chunk-V6YR2ZJT.js";
import {
  readArrowDataset
} from "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import {
  copyFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  ConfigError,
  StepError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/steps/predict.ts
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
var EXTENSIONS = {
  csv: "csv",
  parquet: "parquet",
  arrow: "arrow",
  json: "json"
};
function configIssue(path, message, hint) {
  return new ConfigError([
    { file: "recipe.yaml", line: 0, column: 0, path, message, ...hint ? { hint } : {} }
  ]);
}
function hasScheme(uri) {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri);
}
function section(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
function registeredModel(recipe) {
  const register = section(section(recipe.steps).register);
  const registry = section(recipe.model_registry);
  const name = register.model_name ?? registry.model_name;
  const alias = register.baseline_alias;
  const registryUri = register.registry_uri ?? registry.registry_uri;
  return {
    ...typeof name === "string" && name.trim() !== "" ? { name } : {},
    alias: typeof alias === "string" && alias !== "" ? alias : "champion",
    ...typeof registryUri === "string" && registryUri !== "" ? { registryUri } : {}
  };
}
async function predictModelUri(options) {
  const { cfg, recipe, recipeDir } = options;
  const registered = registeredModel(recipe);
  const trackingUri = registered.registryUri ?? options.trackingUri;
  const context = trackingUri ? { trackingUri } : {};
  if (cfg?.model_uri) {
    return { uri: hasScheme(cfg.model_uri) ? cfg.model_uri : resolve(recipeDir, cfg.model_uri), ...context };
  }
  if (!registered.name) {
    throw configIssue(
      "steps.predict.model_uri",
      "is missing, and the recipe names no registered model to score with",
      "set steps.predict.model_uri, or model_registry.model_name (predict then uses the registered model)"
    );
  }
  const { openModelRegistry, registeredModelToScore } = await import("./chunk-registry-TZKMF4JA.js");
  const { resolveTrackingUri } = await import("./chunk-tracking-uri-VU4R5KOW.js");
  const resolved = resolveTrackingUri({ flag: trackingUri, cwd: recipeDir });
  const registry = await openModelRegistry(resolved.uri, {
    defaultArtifactRoot: resolved.defaultArtifactRoot
  });
  try {
    const chosen = await registeredModelToScore(registry, { name: registered.name, alias: registered.alias });
    return {
      uri: chosen.uri,
      ...context,
      note: chosen.via === "alias" ? `${registered.name}@${registered.alias} (version ${chosen.version.version})` : `the newest version the gate did not reject (no @${registered.alias} alias)`
    };
  } finally {
    await registry.close();
  }
}
function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}
async function resolveLocalModelUri(uri) {
  if (!/^file:/i.test(uri)) return void 0;
  const { resolveModelDirectory } = await import("./chunk-model-uri-5S4GTC2Q.js");
  return resolveModelDirectory(uri);
}
var predictStep = {
  kind: "predict",
  codeFiles() {
    return [];
  },
  /**
   * The model's files, so that a retrained model at the same path — or a registry alias that
   * moved to another version — re-runs predict.
   */
  async inputFiles(cfg, recipeDir) {
    if (cfg?.output?.location) outputTarget(cfg.output.location, recipeDir);
    const uri = cfg?.model_uri;
    if (!uri || /^(runs|models):/i.test(uri)) return [];
    const dir = hasScheme(uri) ? await resolveLocalModelUri(uri) : resolve(recipeDir, uri);
    if (dir === void 0 || !existsSync(dir) || !statSync(dir).isDirectory()) return [];
    return listFiles(dir);
  },
  // The model usually comes from the registry (state outside the recipe: the alias moves with
  // every promotion), so, like register, predict is never served from the cache. It runs only
  // when asked (`recipe run --step predict`).
  alwaysRun: true,
  run: runPredict
};
function scoreOptions(recipe) {
  const train = (recipe.steps ?? {}).train ?? {};
  if (train.predict_scores_for_all_classes === false) return {};
  const prefix = typeof train.predict_prefix === "string" ? train.predict_prefix : "predicted_";
  return { scores: { prefix } };
}
function outputConfig(cfg) {
  const output = cfg?.output;
  if (!output?.location) {
    throw configIssue(
      "steps.predict.output.location",
      "is missing",
      "e.g. output: {using: csv, location: predictions.csv}"
    );
  }
  const format = output.using ?? "parquet";
  if (!(format in EXTENSIONS)) {
    throw configIssue(
      "steps.predict.output.using",
      `unknown format ${JSON.stringify(format)}`,
      "use csv, parquet, arrow or json"
    );
  }
  return { format, location: output.location };
}
function outputTarget(location, recipeDir) {
  const target = isAbsolute(location) ? location : resolve(recipeDir, location);
  const reason = protectedOutputReason(target);
  if (reason) {
    throw configIssue(
      "steps.predict.output.location",
      `predictions cannot be written to ${location}: ${reason}`,
      PROTECTED_OUTPUT_HINT
    );
  }
  return target;
}
async function runPredict(cfg, ctx) {
  const { format, location } = outputConfig(cfg);
  const saveMode = cfg?.save_mode ?? "default";
  if (saveMode === "append") {
    throw configIssue(
      "steps.predict.save_mode",
      "append is not supported for files",
      "use overwrite, ignore or error"
    );
  }
  const target = outputTarget(location, ctx.recipeDir);
  if (existsSync(target) && (saveMode === "error" || saveMode === "errorifexists")) {
    throw new StepError("predict", `${location} already exists and save_mode is ${saveMode}`, {
      hint: "remove the file or set save_mode: overwrite"
    });
  }
  const chosen = await predictModelUri({
    cfg,
    recipe: ctx.recipe,
    recipeDir: ctx.recipeDir,
    ...ctx.trackingUri ? { trackingUri: ctx.trackingUri } : {}
  });
  const uri = chosen.uri;
  if (chosen.note) ctx.log(`scoring with ${uri}: ${chosen.note}`);
  const dataset = readArrowDataset(join(inputDir(ctx, "ingest_scoring", "predict"), INGEST_DATASET_FILE));
  const { loadModelFromUri } = await import("./chunk-model-uri-5S4GTC2Q.js");
  const model = await loadModelFromUri(uri, chosen.trackingUri ? { trackingUri: chosen.trackingUri } : {});
  const started = performance.now();
  const scored = scoreDataset(model, dataset, scoreOptions(ctx.recipe));
  const seconds = (performance.now() - started) / 1e3;
  const own = `predictions.${EXTENSIONS[format]}`;
  await writeScoredFile(join(ctx.outDir, own), scored, format);
  let wrote = false;
  if (!(existsSync(target) && saveMode === "ignore")) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileAtomic(join(ctx.outDir, own), target);
    wrote = true;
  } else {
    ctx.log(`${location} exists and save_mode is ignore: left it as it is`);
  }
  ctx.log(`scored ${dataset.frame.nRows} rows in ${seconds.toFixed(2)}s${wrote ? ` \u2192 ${location}` : ""}`);
  return {
    metrics: { scored_rows: dataset.frame.nRows },
    params: { model_uri: uri },
    outputs: { predictions: own },
    card: {
      step: "predict",
      data: {
        model_uri: uri,
        model_uuid: model.mlmodel.model_uuid,
        rows: dataset.frame.nRows,
        output: { using: format, location, written: wrote },
        predict_seconds: seconds
      },
      sections: predictionSections(scored.predictions, uri, location, wrote)
    }
  };
}
function predictionSections(predictions, uri, location, wrote) {
  const sections = [
    {
      title: "Summary",
      html: `<p>Scored ${predictions.length} rows with <code>${escapeHtml(uri)}</code>; ${wrote ? "wrote" : "left unchanged"} <code>${escapeHtml(location)}</code>.</p>`
    }
  ];
  if (predictions instanceof Float64Array) {
    const sorted = Float64Array.from(predictions).sort();
    const q = (p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : Number.NaN;
    sections.push({
      title: "Predictions",
      html: htmlTable({
        headers: ["min", "p25", "median", "p75", "max"],
        rows: [[q(0), q(0.25), q(0.5), q(0.75), sorted[sorted.length - 1] ?? Number.NaN]]
      })
    });
  } else {
    const counts = /* @__PURE__ */ new Map();
    for (const label of predictions) counts.set(label, (counts.get(label) ?? 0) + 1);
    const labels = [...counts.keys()].sort();
    sections.push({
      title: "Predicted classes",
      html: svgBarChart({
        title: "Rows per predicted class",
        labels,
        values: labels.map((l) => counts.get(l) ?? 0)
      })
    });
  }
  return sections;
}
export {
  predictModelUri,
  predictStep
};
