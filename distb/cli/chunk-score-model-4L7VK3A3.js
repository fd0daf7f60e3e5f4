import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  scorePredictions
} from "./chunk-chunk-AHFAGMG7.js";
import {
  columnType
} from "./chunk-chunk-65BTZNEZ.js";
import {
  evaluateGate
} from "./chunk-chunk-TZ7D3SGX.js";
import {
  BaselineScoringError,
  DataError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/registry/score-model.ts
async function scoreModel(options) {
  const { model, dataset } = options;
  const where = options.where ?? "evaluation data";
  const targetCol = options.targetCol ?? model.targetCol;
  const frame = dataset.frame;
  if (frame.nRows === 0) {
    throw new DataError(`${where} has no rows to score`, {
      hint: "pass labelled rows to compare the models on"
    });
  }
  const { yTrue, yPred, metrics, ...classification } = scorePredictions({
    model,
    frame,
    targetCol,
    targetType: columnType(dataset, targetCol),
    where
  });
  const scored = { yTrue, yPred, frame, metrics, ...classification };
  for (const custom of options.customMetrics ?? []) {
    const value = await custom.compute({ ...scored, metrics: { ...scored.metrics } });
    if (typeof value !== "number" || Number.isNaN(value)) {
      throw new DataError(
        `custom metric "${custom.name}" returned ${String(value)} on ${where}, not a number`
      );
    }
    scored.metrics[custom.name] = value;
  }
  return { rows: frame.nRows, metrics: scored.metrics };
}
var NUMERIC_TYPES = /* @__PURE__ */ new Set(["double", "float", "long", "integer", "number"]);
function sameKind(a, b) {
  return a === b || NUMERIC_TYPES.has(a) && NUMERIC_TYPES.has(b);
}
function formatSchemasSideBySide(left, right) {
  const rightByName = new Map(right.columns.map((c) => [c.name, c]));
  const leftNames = new Set(left.columns.map((c) => c.name));
  const rows = [];
  for (const col of left.columns) {
    const other = rightByName.get(col.name);
    const mark = other === void 0 ? "missing" : sameKind(other.type, col.type) ? "" : "type differs";
    rows.push([`${col.name} ${col.type}`, other ? `${other.name} ${other.type}` : "\u2014", mark]);
  }
  for (const col of right.columns)
    if (!leftNames.has(col.name)) rows.push(["\u2014", `${col.name} ${col.type}`, "new"]);
  const width = Math.max(left.title.length, ...rows.map((r) => r[0].length));
  const rightWidth = Math.max(right.title.length, ...rows.map((r) => r[1].length));
  const line = (a, b, mark) => `  ${a.padEnd(width)} | ${mark ? b.padEnd(rightWidth) : b}${mark ? `  <- ${mark}` : ""}`;
  return [line(left.title, right.title, ""), ...rows.map(([a, b, mark]) => line(a, b, mark))].join("\n");
}
function baselineScoringError(options) {
  const { baseline, dataset, where } = options;
  const table = formatSchemasSideBySide(
    {
      title: `${options.label} expects`,
      columns: baseline.signature.inputs.map((spec) => ({ name: spec.name ?? "?", type: spec.type }))
    },
    {
      title: `${where} has`,
      columns: dataset.frame.columns.map((c, j) => ({ name: c.name, type: dataset.columnTypes[j] ?? c.type })).filter((c) => c.name !== options.targetCol)
    }
  );
  return new BaselineScoringError(
    `the baseline (${options.label}) cannot score ${where}: ${options.cause.message}
${table}`,
    {
      cause: options.cause,
      hint: options.hint ?? "the data's columns changed since the baseline was trained: compare on data it can score, or move the alias by hand (recipe models alias)"
    }
  );
}
async function compareModels(options) {
  const common = {
    dataset: options.dataset,
    ...options.targetCol === void 0 ? {} : { targetCol: options.targetCol },
    ...options.customMetrics === void 0 ? {} : { customMetrics: options.customMetrics }
  };
  const where = options.where ?? "evaluation data";
  const candidate = await scoreModel({ ...common, model: options.candidate, where });
  let baseline;
  let baselineError;
  if (options.baseline) {
    if (options.baseline.problemType !== options.candidate.problemType) {
      throw new DataError(
        `the baseline is a ${options.baseline.problemType} model but the candidate is a ${options.candidate.problemType} model`,
        { hint: "compare models that predict the same target" }
      );
    }
    try {
      baseline = await scoreModel({ ...common, model: options.baseline, where: `${where} (baseline)` });
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      baselineError = baselineScoringError({
        baseline: options.baseline,
        label: options.baselineLabel ?? options.baseline.dir,
        dataset: options.dataset,
        targetCol: options.targetCol ?? options.candidate.targetCol,
        where,
        cause: error,
        hint: options.baselineErrorHint
      });
      if (options.onBaselineError !== "skip") throw baselineError;
    }
  }
  const gate = evaluateGate({
    candidate: candidate.metrics,
    ...baseline ? { baseline: baseline.metrics } : {},
    thresholds: options.thresholds,
    ...options.directions ? { directions: options.directions } : {}
  });
  return {
    gate,
    rows: candidate.rows,
    candidateMetrics: candidate.metrics,
    ...baseline ? { baselineMetrics: baseline.metrics } : {},
    ...baselineError ? { baselineError } : {}
  };
}
export {
  compareModels,
  formatSchemasSideBySide,
  scoreModel
};
