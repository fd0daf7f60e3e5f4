import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  inputDir,
  readSplitDataset,
  recipeProblem
} from "./chunk-chunk-5OY5P45V.js";
import {
  escapeHtml,
  htmlTable
} from "./chunk-chunk-ZPTZ34P2.js";
import {
  transformCodeFiles
} from "./chunk-chunk-YHLBZP67.js";
import {
  ColumnTransformer,
  importUserModule
} from "./chunk-chunk-Q4SBLVJO.js";
import {
  PassthroughTransformer,
  dropColumn
} from "./chunk-chunk-THZAPR4X.js";
import {
  findUserModule,
  loadUserFunction
} from "./chunk-chunk-2HMFR572.js";
import {
  CustomTransformer
} from "./chunk-chunk-6XT5LMGO.js";
import {
  ConfigError,
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/steps/transform.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
var TRANSFORMER_FILE = "transformer.json";
function isCustom(cfg) {
  return cfg?.using === "custom";
}
function checkConfig(cfg) {
  if (cfg?.using !== void 0 && cfg.using !== "custom" && cfg.using !== "default") {
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: "steps.transform.using",
        message: `unknown value ${JSON.stringify(cfg.using)}`,
        hint: "leave it out for the default transformer, or use `custom` with transformer_method"
      }
    ]);
  }
  if (isCustom(cfg) && !cfg?.transformer_method) {
    throw new ConfigError([
      {
        file: "recipe.yaml",
        line: 0,
        column: 0,
        path: "steps.transform.transformer_method",
        message: "using: custom needs transformer_method",
        hint: "name a function exported by steps/transform.ts"
      }
    ]);
  }
}
var transformStep = {
  kind: "transform",
  codeFiles: transformCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runTransform
};
async function runTransform(cfg, ctx) {
  checkConfig(cfg);
  const { targetCol } = recipeProblem(ctx.recipe);
  const train = readSplitDataset(inputDir(ctx, "split", "transform"), "train.arrow");
  const frame = dropColumn(train.frame, targetCol);
  if (frame.columns.length === 0)
    throw new DataError(`the training data has no columns besides the target "${targetCol}"`);
  const inputColumns = frame.columns.map((c) => c.name);
  const started = performance.now();
  let file;
  let transformer;
  const warnings = [];
  if (isCustom(cfg)) {
    const method = cfg?.transformer_method ?? "";
    const fn = await loadUserFunction({ recipeDir: ctx.recipeDir, step: "transform", name: method });
    const made = await fn();
    if (made === null || made === void 0) {
      transformer = identityTransformer(frame, method);
      file = { kind: "identity", input_columns: inputColumns, method };
    } else {
      const custom = new CustomTransformer(made, `steps/transform.ts:${method}()`);
      custom.fit(frame);
      transformer = custom;
      const modulePath = findUserModule({ recipeDir: ctx.recipeDir, module: "transform" }) ?? "";
      file = {
        kind: "custom",
        input_columns: inputColumns,
        module: relative(ctx.recipeDir, modulePath),
        method,
        state: custom.toJSON()
      };
    }
  } else {
    const ct = new ColumnTransformer(
      cfg?.max_categories === void 0 ? {} : { max_categories: cfg.max_categories }
    );
    ct.fit(frame);
    warnings.push(...categoryWarnings(ct, frame));
    transformer = ct;
    file = { kind: "column_transformer", input_columns: inputColumns, state: ct.toJSON() };
  }
  const X = transformer.transform(frame);
  const fitSeconds = (performance.now() - started) / 1e3;
  writeFileSync(join(ctx.outDir, TRANSFORMER_FILE), `${JSON.stringify(file)}
`);
  const names = transformer.featureNames();
  ctx.log(
    `fitted the ${describeTransformer(file)} on ${frame.nRows} rows: ${frame.columns.length} columns \u2192 ${X.columns.length} features`
  );
  for (const warning of warnings) ctx.log(`warning: ${warning}`);
  const stats = featureStats(X, names);
  return {
    outputs: { transformer: TRANSFORMER_FILE },
    params: {
      transformer: file.kind === "custom" ? `custom:${file.method}` : file.kind === "identity" ? `identity:${file.method}` : "default"
    },
    card: {
      step: "transform",
      data: {
        transformer: file.kind,
        input_columns: inputColumns,
        feature_names: names,
        rows: frame.nRows,
        fit_seconds: fitSeconds,
        feature_stats: stats,
        warnings
      },
      sections: [
        ...warnings.length > 0 ? [
          {
            title: "Warnings",
            html: `<ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`
          }
        ] : [],
        {
          title: "Summary",
          html: `<p>${file.kind === "custom" ? `Custom transformer <code>${escapeHtml(file.method)}</code>` : file.kind === "identity" ? `Identity transformer (<code>${escapeHtml(file.method)}</code> returned null)` : "Default transformer"} fitted on ${frame.nRows} training rows: ${frame.columns.length} input columns \u2192 ${X.columns.length} features in ${fitSeconds.toFixed(2)} s.</p>`
        },
        {
          title: "Features (training split, after transform)",
          html: htmlTable({
            headers: ["feature", "mean", "std", "min", "max", "missing"],
            rows: stats.map((s) => [s.name, s.mean, s.std, s.min, s.max, s.missing])
          })
        }
      ]
    }
  };
}
var TIMESTAMP_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?/;
function categoryWarnings(ct, frame) {
  const max = ct.params.max_categories;
  if (max === null) return [];
  const warnings = [];
  for (const summary of ct.categoricalSummary()) {
    if (summary.grouped === 0) continue;
    const column = frame.columns.find((c) => c.name === summary.column);
    const sample = column?.type === "string" ? column.values.find((v) => v !== null) : void 0;
    const why = sample !== void 0 && sample !== null && TIMESTAMP_LIKE.test(sample) ? "it looks like a timestamp: derive features from it (year, month, weekday, hour) in a custom transformer, or drop it" : summary.distinct >= frame.nRows / 2 ? "nearly one value per row (an id?): consider dropping it" : "raise steps.transform.max_categories to keep more of them";
    warnings.push(
      `column "${summary.column}" has ${summary.distinct} distinct values in training: one-hot encoded as its ${max - 1} most frequent + one "other" column (${summary.column}_infrequent_sklearn), not ${summary.distinct} features; ${why}`
    );
  }
  return warnings;
}
function describeTransformer(file) {
  if (file.kind === "custom") return `custom transformer ${file.method}`;
  if (file.kind === "identity") return `identity transformer (${file.method} returned null)`;
  return "default transformer";
}
function identityTransformer(frame, method) {
  const text = frame.columns.filter((c) => c.type !== "number").map((c) => c.name);
  if (text.length > 0) {
    throw new DataError(
      `steps/transform.ts:${method}() returned null, so the columns go to the estimator as they are, but ${text.map((n) => `"${n}"`).join(", ")} ${text.length === 1 ? "is" : "are"} not numeric`,
      {
        hint: "return a transformer that encodes them, drop them in ingest or split, or leave `using: custom` out for the default transformer (one-hot encoding)"
      }
    );
  }
  return new PassthroughTransformer(frame.columns.map((c) => c.name));
}
function featureStats(X, names) {
  return X.columns.map((column, j) => {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let missing = 0;
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      n++;
      sum += v;
      sumSq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = n ? sum / n : Number.NaN;
    const variance = n ? Math.max(0, sumSq / n - mean * mean) : Number.NaN;
    return {
      name: names[j] ?? `f${j}`,
      mean,
      std: Math.sqrt(variance),
      min: n ? min : Number.NaN,
      max: n ? max : Number.NaN,
      missing
    };
  });
}
async function loadFittedTransformer(transformDir, recipeDir) {
  const path = join(transformDir, TRANSFORMER_FILE);
  let file;
  try {
    file = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${error.message}`, {
      hint: "run the transform step again"
    });
  }
  if (file.kind === "column_transformer") {
    return {
      transformer: ColumnTransformer.fromJSON(file.state),
      source: { kind: "builtin" },
      inputColumns: file.input_columns
    };
  }
  if (file.kind === "identity") {
    return {
      transformer: new PassthroughTransformer(file.input_columns),
      source: { kind: "builtin" },
      inputColumns: file.input_columns
    };
  }
  if (file.kind === "custom") {
    const modulePath = resolve(recipeDir, file.module);
    const module = await importUserModule(modulePath);
    const fn = module[file.method];
    if (typeof fn !== "function") {
      throw new DataError(`${file.module} no longer exports the function "${file.method}"`, {
        hint: "run the transform step again"
      });
    }
    const custom = new CustomTransformer(await fn(), `${file.module}:${file.method}()`);
    custom.loadState(file.state);
    return {
      transformer: custom,
      source: { kind: "custom", modulePath, method: file.method },
      inputColumns: file.input_columns
    };
  }
  throw new DataError(`${path}: unknown transformer kind "${file.kind}"`);
}

export {
  TRANSFORMER_FILE,
  transformStep,
  categoryWarnings,
  featureStats,
  loadFittedTransformer
};
