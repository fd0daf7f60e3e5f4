import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  require_dist
} from "./chunk-chunk-VDD6CXJ7.js";
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";
import {
  __toESM
} from "./chunk-chunk-ZGLOIRZZ.js";

// src/models/mlmodel.ts
var import_yaml = __toESM(require_dist(), 1);
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
var MLMODEL_FILE = "MLmodel";
var FLAVOR_NAME = "mlrecipe";
var PIPELINE_FILE = "pipeline.json";
var INPUT_EXAMPLE_FILE = "input_example.json";
var cachedVersion;
function mlrecipeVersion() {
  if (cachedVersion === void 0) {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}
function newModelUuid() {
  return randomUUID().replace(/-/g, "");
}
function formatUtcTimeCreated(date) {
  return `${date.toISOString().replace("T", " ").slice(0, 23)}000`;
}
function formatMLmodel(doc) {
  const yamlDoc = new import_yaml.Document(sortKeysDeep(doc));
  const time = yamlDoc.get("utc_time_created", true);
  if ((0, import_yaml.isScalar)(time)) time.type = import_yaml.Scalar.QUOTE_SINGLE;
  return yamlDoc.toString({ lineWidth: 0 });
}
function sortKeysDeep(value) {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== void 0).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
  }
  return value;
}
function readMLmodel(dir) {
  const file = join(dir, MLMODEL_FILE);
  if (!existsSync(file)) {
    throw new DataError(`${dir} is not a model directory: it has no MLmodel file`, {
      hint: "pass the directory that train wrote (\u2026/train/model) or a model URI"
    });
  }
  let parsed;
  try {
    parsed = (0, import_yaml.parse)(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DataError(`${file}: not valid YAML (${error.message})`, { cause: error });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new DataError(`${file}: expected a YAML mapping`);
  }
  const doc = parsed;
  if (doc.flavors === null || typeof doc.flavors !== "object") {
    throw new DataError(`${file}: the field "flavors" is missing`);
  }
  return doc;
}
function mlrecipeFlavor(doc, dir) {
  const flavor = doc.flavors[FLAVOR_NAME];
  if (!flavor || typeof flavor !== "object" || typeof flavor.pipeline !== "string") {
    const flavors = Object.keys(doc.flavors);
    throw new DataError(
      `${join(dir, MLMODEL_FILE)}: the model has no "${FLAVOR_NAME}" flavor (it has ${flavors.length ? flavors.join(", ") : "none"})`,
      {
        hint: "mlrecipe loads models that mlrecipe trained; models saved by MLflow in Python need MLflow to load them"
      }
    );
  }
  return flavor;
}

export {
  MLMODEL_FILE,
  FLAVOR_NAME,
  PIPELINE_FILE,
  INPUT_EXAMPLE_FILE,
  mlrecipeVersion,
  newModelUuid,
  formatUtcTimeCreated,
  formatMLmodel,
  readMLmodel,
  mlrecipeFlavor
};
