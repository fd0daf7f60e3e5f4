import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  findUserModule,
  loadUserFunction
} from "./chunk-chunk-2HMFR572.js";
import {
  UnknownEstimatorError,
  createEstimator,
  estimatorNames,
  getEstimatorEntry,
  isRegistryState,
  loadEstimator
} from "./chunk-chunk-AZRY3V2P.js";
import {
  CustomClassifier,
  CustomRegressor,
  asEstimatorState
} from "./chunk-chunk-6XT5LMGO.js";
import {
  ConfigError,
  MlrecipeError,
  configFieldError
} from "./chunk-chunk-FHTLSLDU.js";

// src/steps/train-estimator.ts
var DEFAULT_ESTIMATORS = {
  regression: "linear_regression",
  classification: "logistic_regression"
};
function configIssue(path, message, hint) {
  return new ConfigError([
    { file: "recipe.yaml", line: 0, column: 0, path, message, ...hint ? { hint } : {} }
  ]);
}
function isCustom(cfg) {
  return cfg?.using === "custom";
}
function fixedParams(cfg) {
  if (isCustom(cfg)) return cfg?.estimator_params ?? {};
  return cfg?.estimator?.params ?? cfg?.estimator_params ?? {};
}
async function buildEstimator(options) {
  const { cfg, recipeDir, kind, problemType } = options;
  const params = options.params ?? fixedParams(cfg);
  if (isCustom(cfg)) {
    const method = cfg?.estimator_method;
    if (!method) {
      throw configIssue(
        "steps.train.estimator_method",
        "using: custom needs estimator_method",
        "name a function exported by steps/train.ts"
      );
    }
    const fn = await loadUserFunction({ recipeDir, step: "train", name: method });
    const object = await fn(params);
    const origin = `steps/train.ts:${method}()`;
    const estimator = kind === "regressor" ? new CustomRegressor(object, origin) : new CustomClassifier(object, origin);
    const modulePath = findUserModule({ recipeDir, module: "train" }) ?? "";
    return {
      estimator,
      source: { kind: "custom", modulePath, method, ...Object.keys(params).length ? { params } : {} },
      description: `custom:${method}`,
      params: stringParams(params)
    };
  }
  if (cfg?.using !== void 0 && cfg.using !== "estimator") {
    throw configIssue(
      "steps.train.using",
      `unknown value ${JSON.stringify(cfg.using)}`,
      "leave it out and set estimator: {name, params}, or use `custom` with estimator_method"
    );
  }
  const name = cfg?.estimator?.name ?? DEFAULT_ESTIMATORS[problemType];
  try {
    const estimator = createEstimator(name, params, kind);
    return {
      estimator,
      source: { kind: "builtin" },
      description: name,
      params: stringParams(estimator.params ?? params)
    };
  } catch (error) {
    if (error instanceof UnknownEstimatorError) {
      const unknownName = !estimatorNames().includes(name) || getEstimatorKind(name) !== kind;
      throw configFieldError(
        unknownName ? "steps.train.estimator.name" : "steps.train.estimator.params",
        error.message,
        error.hint ?? `use one of: ${error.names.join(", ")}`
      );
    }
    if (error instanceof MlrecipeError) {
      throw configFieldError(
        cfg?.estimator?.params !== void 0 ? "steps.train.estimator.params" : "steps.train.estimator_params",
        error.message,
        error.hint ?? "see docs/model-steps.md for the parameters each estimator takes"
      );
    }
    throw error;
  }
}
function getEstimatorKind(name) {
  try {
    return getEstimatorEntry(name).kind;
  } catch {
    return void 0;
  }
}
function stringParams(params) {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v) ?? String(v)])
  );
}
function unwrapBuiltin(built) {
  const est = built.estimator;
  if (!(est instanceof CustomRegressor || est instanceof CustomClassifier)) return built;
  if (!est.hasState) return built;
  const state = asEstimatorState(est.userState());
  if (!state || !isRegistryState(state)) return built;
  return { ...built, estimator: loadEstimator(state), source: { kind: "builtin" } };
}

export {
  DEFAULT_ESTIMATORS,
  isCustom,
  fixedParams,
  buildEstimator,
  stringParams,
  unwrapBuiltin
};
