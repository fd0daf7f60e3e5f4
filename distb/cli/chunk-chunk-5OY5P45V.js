import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  readArrowDataset
} from "./chunk-chunk-NPUIUAV7.js";
import {
  ConfigError,
  DataError,
  StepError
} from "./chunk-chunk-FHTLSLDU.js";

// src/steps/recipe-problem.ts
import { existsSync } from "node:fs";
import { join } from "node:path";
function issue(path, message, hint) {
  return new ConfigError([
    { file: "recipe.yaml", line: 0, column: 0, path, message, ...hint ? { hint } : {} }
  ]);
}
function recipeProblem(recipe) {
  const template = recipe.recipe;
  let problemType;
  if (template === "regression/v1") problemType = "regression";
  else if (template === "classification/v1") problemType = "classification";
  else
    throw issue(
      "recipe",
      `unknown recipe ${JSON.stringify(template)}`,
      "use regression/v1 or classification/v1"
    );
  const targetCol = recipe.target_col;
  if (typeof targetCol !== "string" || targetCol === "") {
    throw issue("target_col", "is missing", "name the column the model predicts");
  }
  const positive = recipe.positive_class;
  return {
    problemType,
    targetCol,
    ...problemType === "classification" && positive !== void 0 && positive !== null ? { positiveClass: String(positive) } : {}
  };
}
function inputDir(ctx, step, self) {
  const dir = ctx.inputDirs[step];
  if (!dir)
    throw new StepError(self, `the output of the ${step} step is missing`, {
      hint: `run the ${step} step first`
    });
  return dir;
}
function readSplitDataset(splitDir, file) {
  const path = join(splitDir, file);
  if (!existsSync(path)) {
    throw new DataError(`${path} does not exist`, { hint: "run the split step first" });
  }
  return readArrowDataset(path);
}
function fitClasses(labels, numeric, positiveClass) {
  const unique = [...new Set(labels)];
  unique.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a < b ? -1 : a > b ? 1 : 0);
  if (unique.length < 2) {
    throw new DataError(
      `the training data has ${unique.length} class${unique.length === 1 ? "" : "es"} (${unique.join(", ")}); a classifier needs at least two`
    );
  }
  if (positiveClass !== void 0 && unique.length === 2) {
    const index = unique.indexOf(positiveClass);
    if (index < 0) {
      throw issue(
        "positive_class",
        `"${positiveClass}" is not a class of the training data`,
        `the classes are ${unique.join(", ")}`
      );
    }
    if (index === 0) unique.reverse();
  }
  return unique;
}

export {
  recipeProblem,
  inputDir,
  readSplitDataset,
  fitClasses
};
