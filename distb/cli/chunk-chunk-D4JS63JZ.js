import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  customMetricsCodeFiles,
  trainCodeFiles,
  transformCodeFiles
} from "./chunk-chunk-YHLBZP67.js";
import {
  tuningRecipeKeys,
  tuningStatusNotes
} from "./chunk-chunk-VH62VMQR.js";

// src/recipes/step-registry.ts
async function withProjectSource(step) {
  const { withProjectSource: wrap } = await import("./chunk-project-step-DRWLNPNG.js");
  return wrap(step);
}
function lazyStep(plan, load) {
  return {
    ...plan,
    async run(cfg, ctx) {
      return (await load()).run(cfg, ctx);
    }
  };
}
var noInputFiles = async () => [];
var transformStep = lazyStep(
  { kind: "transform", codeFiles: transformCodeFiles, inputFiles: noInputFiles },
  async () => (await import("./chunk-transform-YN6XC2CB.js")).transformStep
);
var trainStep = lazyStep(
  {
    kind: "train",
    codeFiles: trainCodeFiles,
    inputFiles: noInputFiles,
    recipeKeys: tuningRecipeKeys,
    statusNotes: tuningStatusNotes
  },
  async () => (await import("./chunk-train-45RXT6QT.js")).trainStep
);
var evaluateStep = lazyStep(
  { kind: "evaluate", codeFiles: customMetricsCodeFiles, inputFiles: noInputFiles },
  async () => (await import("./chunk-evaluate-SEYZPIEB.js")).evaluateStep
);
var registerStep = lazyStep(
  { kind: "register", codeFiles: customMetricsCodeFiles, inputFiles: noInputFiles, alwaysRun: true },
  async () => (await import("./chunk-register-Y3LUM6E3.js")).registerStep
);
var defaultStepRegistry = {
  ingest: async () => withProjectSource((await import("./chunk-ingest-3QQB7IDC.js")).ingestStep),
  split: async () => (await import("./chunk-split-NYJUEDAO.js")).splitStep,
  transform: async () => transformStep,
  train: async () => trainStep,
  evaluate: async () => evaluateStep,
  register: async () => registerStep,
  ingest_scoring: async () => withProjectSource((await import("./chunk-ingest-scoring-PZS66NNK.js")).ingestScoringStep),
  predict: async () => (await import("./chunk-predict-N4XFUVGJ.js")).predictStep
};

export {
  lazyStep,
  defaultStepRegistry
};
