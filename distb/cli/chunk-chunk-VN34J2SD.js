import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  enforceSignature,
  signatureFromDocument
} from "./chunk-chunk-Q7UGKYBB.js";
import {
  INPUT_EXAMPLE_FILE,
  mlrecipeFlavor,
  readMLmodel
} from "./chunk-chunk-KDV6IQPO.js";
import {
  ColumnTransformer,
  importUserModule
} from "./chunk-chunk-Q4SBLVJO.js";
import {
  ModelPipeline,
  PassthroughTransformer,
  parsePipelineDocument
} from "./chunk-chunk-THZAPR4X.js";
import {
  loadEstimator
} from "./chunk-chunk-AZRY3V2P.js";
import {
  CustomClassifier,
  CustomRegressor,
  CustomTransformer
} from "./chunk-chunk-6XT5LMGO.js";
import {
  DataError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/models/load.ts
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
var resolvers = /* @__PURE__ */ new Map();
function registerModelUriResolver(scheme, resolver) {
  resolvers.set(scheme.toLowerCase(), resolver);
}
function uriScheme(uri) {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri);
  return match ? match[1].toLowerCase() : void 0;
}
async function resolveModelUri(uri, options = {}) {
  const scheme = uriScheme(uri);
  if (scheme === void 0) return resolve(uri);
  if (scheme === "file") return fileURLToPath(uri);
  const resolver = options.resolvers?.[scheme] ?? resolvers.get(scheme);
  if (!resolver) {
    const known = [
      "a local path",
      "file:",
      .../* @__PURE__ */ new Set([...Object.keys(options.resolvers ?? {}), ...resolvers.keys()])
    ];
    throw new UsageError(`cannot load the model "${uri}": no resolver for "${scheme}:" URIs`, {
      hint: `model URIs understood here: ${known.join(", ")}`
    });
  }
  return resolver(uri, options);
}
async function loadModel(uri, options = {}) {
  const dir = await resolveModelUri(uri, options);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`model directory ${dir} does not exist`, {
      hint: "pass the directory that train wrote (\u2026/train/model) or a model URI"
    });
  }
  const mlmodel = readMLmodel(dir);
  const flavor = mlrecipeFlavor(mlmodel, dir);
  const signature = signatureFromDocument(mlmodel.signature, join(dir, "MLmodel"));
  const pipelinePath = containedPath(dir, flavor.pipeline, "flavors.mlrecipe.pipeline");
  const doc = parsePipelineDocument(readFileSync(pipelinePath, "utf8"), pipelinePath);
  const pipeline = await pipelineFromDocument(doc, dir);
  const loaded = {
    dir,
    mlmodel,
    signature,
    problemType: pipeline.problemType,
    targetCol: pipeline.targetCol,
    ...pipeline.classes ? { classes: pipeline.classes } : {},
    pipeline,
    predict: (frame) => pipeline.predict(enforceSignature(frame, signature.inputs)),
    inputExample: () => readInputExample(dir, mlmodel)
  };
  if (pipeline.problemType === "classification") {
    loaded.predictProba = (frame) => pipeline.predictProba(enforceSignature(frame, signature.inputs));
  }
  return loaded;
}
function containedPath(dir, path, field) {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (isAbsolute(path) || rel.startsWith("..") || isAbsolute(rel)) {
    throw new DataError(`${join(dir, "MLmodel")}: ${field} "${path}" points outside the model directory`);
  }
  if (!existsSync(full)) throw new DataError(`${dir}: ${path} is missing (named by ${field})`);
  return full;
}
async function pipelineFromDocument(doc, dir) {
  const transformer = await transformerFromDocument(doc.transformer, dir);
  const { estimator, source } = await estimatorFromDocument(doc, dir);
  return new ModelPipeline({
    problemType: doc.problem_type,
    targetCol: doc.target_col,
    inputColumns: doc.input_columns,
    transformer: transformer.transformer,
    transformerSource: transformer.source,
    estimator,
    estimatorSource: source,
    ...doc.classes ? { classes: doc.classes } : {},
    ...doc.positive_class !== void 0 ? { positiveClass: doc.positive_class } : {}
  });
}
async function transformerFromDocument(doc, dir) {
  switch (doc.kind) {
    case "passthrough":
      return { transformer: new PassthroughTransformer(doc.columns), source: { kind: "builtin" } };
    case "column_transformer":
      return { transformer: columnTransformerFromJSON(doc.state), source: { kind: "builtin" } };
    case "custom": {
      const modulePath = containedPath(dir, doc.code, "transformer.code");
      const fn = await modelFunction(dir, modulePath, doc.method);
      const transformer = new CustomTransformer(
        await fn(...doc.params ? [doc.params] : []),
        `${doc.code}:${doc.method}()`
      );
      transformer.loadState(doc.state);
      return {
        transformer,
        source: {
          kind: "custom",
          modulePath,
          method: doc.method,
          ...doc.params ? { params: doc.params } : {}
        }
      };
    }
    default:
      throw new DataError(`pipeline.json: unknown transformer kind "${doc.kind}"`);
  }
}
function columnTransformerFromJSON(state) {
  return ColumnTransformer.fromJSON(state);
}
async function estimatorFromDocument(doc, dir) {
  const est = doc.estimator;
  if (est.kind === "builtin") {
    return {
      estimator: loadEstimator({ name: est.name, params: est.params, state: est.state }),
      source: { kind: "builtin" }
    };
  }
  if (est.kind !== "custom") {
    throw new DataError(`pipeline.json: unknown estimator kind "${est.kind}"`);
  }
  const modulePath = containedPath(dir, est.code, "estimator.code");
  const fn = await modelFunction(dir, modulePath, est.method);
  const origin = `${est.code}:${est.method}()`;
  const object = await fn(...est.params ? [est.params] : []);
  const source = {
    kind: "custom",
    modulePath,
    method: est.method,
    ...est.params ? { params: est.params } : {}
  };
  if (doc.problem_type === "regression") {
    const estimator2 = new CustomRegressor(object, origin);
    estimator2.loadState(est.state);
    return { estimator: estimator2, source };
  }
  const estimator = new CustomClassifier(object, origin);
  estimator.setClassCount(doc.classes?.length ?? 0);
  estimator.loadState(est.state);
  return { estimator, source };
}
async function modelFunction(dir, modulePath, name) {
  const module = await importUserModule(modulePath);
  const fn = module[name];
  if (typeof fn !== "function") {
    throw new DataError(
      `${relative(dir, modulePath)} in the model ${dir} has no exported function "${name}"`,
      {
        hint: "the model directory is incomplete or was edited; re-save the model"
      }
    );
  }
  return fn;
}
function readInputExample(dir, mlmodel) {
  const name = mlmodel.saved_input_example_info?.artifact_path ?? INPUT_EXAMPLE_FILE;
  if (!existsSync(resolve(dir, name))) return void 0;
  const path = containedPath(dir, name, "saved_input_example_info.artifact_path");
  const parsed = JSON.parse(readFileSync(path, "utf8"));
  return frameFromSplit(parsed.columns, parsed.data);
}
function frameFromSplit(columns, data) {
  const nRows = data.length;
  return {
    nRows,
    columns: columns.map((name, j) => {
      let numeric = true;
      for (const row of data) {
        const v = row[j];
        if (v !== null && v !== void 0 && typeof v !== "number" && typeof v !== "boolean") {
          numeric = false;
          break;
        }
      }
      if (numeric) {
        const values = new Float64Array(nRows);
        data.forEach((row, i) => {
          const v = row[j];
          values[i] = v === null || v === void 0 ? Number.NaN : Number(v);
        });
        return { name, type: "number", values };
      }
      return {
        name,
        type: "string",
        values: data.map((row) => row[j] === null || row[j] === void 0 ? null : String(row[j]))
      };
    })
  };
}

export {
  registerModelUriResolver,
  resolveModelUri,
  loadModel,
  pipelineFromDocument,
  frameFromSplit
};
