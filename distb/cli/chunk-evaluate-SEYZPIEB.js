import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ALL_BUILTIN_METRIC_DIRECTIONS
} from "./chunk-chunk-6XDCVWCZ.js";
import {
  scorePredictions
} from "./chunk-chunk-AHFAGMG7.js";
import "./chunk-chunk-ECLUELNQ.js";
import {
  columnType,
  confusion_matrix,
  precision_recall_curve,
  roc_curve
} from "./chunk-chunk-65BTZNEZ.js";
import {
  METRICS_FILE,
  MODEL_DIR,
  VALIDATION_FILE
} from "./chunk-chunk-EM6OGXNR.js";
import "./chunk-chunk-XYLANPCV.js";
import {
  inputDir,
  readSplitDataset,
  recipeProblem
} from "./chunk-chunk-5OY5P45V.js";
import {
  escapeHtml,
  formatNumber,
  htmlHeatmapTable,
  htmlTable,
  svgLinePlot,
  svgScatterPlot
} from "./chunk-chunk-ZPTZ34P2.js";
import {
  customMetricsCodeFiles
} from "./chunk-chunk-YHLBZP67.js";
import "./chunk-chunk-VH62VMQR.js";
import "./chunk-chunk-7FLJW6WP.js";
import {
  loadModel
} from "./chunk-chunk-VN34J2SD.js";
import "./chunk-chunk-Q7UGKYBB.js";
import "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-LJJERU6S.js";
import {
  loadUserFunction
} from "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import {
  DataError,
  configFieldError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/steps/evaluate.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
var GREATER_IS_BETTER = ALL_BUILTIN_METRIC_DIRECTIONS;
var SPLITS = [
  { name: "validation", file: "validation.arrow", prefix: "val_" },
  { name: "test", file: "test.arrow", prefix: "test_" }
];
function configIssue(path, message, hint) {
  return configFieldError(path, message, hint);
}
function customMetricsOf(recipe) {
  const list = recipe.custom_metrics;
  if (list === void 0 || list === null) return [];
  if (!Array.isArray(list))
    throw configIssue(
      "custom_metrics",
      "must be a list of {name, function, greater_is_better}",
      "e.g. custom_metrics: [{name: weighted_mae, function: weighted_mae, greater_is_better: false}]"
    );
  return list;
}
var evaluateStep = {
  kind: "evaluate",
  codeFiles: customMetricsCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runEvaluate
};
async function runEvaluate(cfg, ctx) {
  const problem = recipeProblem(ctx.recipe);
  const splitDir = inputDir(ctx, "split", "evaluate");
  const model = await loadModel(join(inputDir(ctx, "train", "evaluate"), MODEL_DIR));
  const customMetrics = customMetricsOf(ctx.recipe);
  const customFunctions = /* @__PURE__ */ new Map();
  for (const [i, metric] of customMetrics.entries()) {
    if (GREATER_IS_BETTER[metric.name] !== void 0) {
      throw configIssue(
        `custom_metrics[${i}].name`,
        `"${metric.name}" is a built-in metric name`,
        "choose another name"
      );
    }
    customFunctions.set(
      metric.name,
      await loadUserFunction({
        recipeDir: ctx.recipeDir,
        step: "custom_metrics",
        name: metric.function
      })
    );
  }
  const scored = [];
  const metrics = {};
  for (const split of SPLITS) {
    const dataset = readSplitDataset(splitDir, split.file);
    if (dataset.frame.nRows === 0) {
      ctx.log(`${split.file} is empty: no ${split.name} metrics`);
      continue;
    }
    const scores = scoreSplit(
      model,
      dataset.frame,
      columnType(dataset, problem.targetCol),
      split.name,
      problem.targetCol
    );
    for (const metric of customMetrics) {
      const fn = customFunctions.get(metric.name);
      const value = await fn({
        split: split.name,
        yTrue: scores.yTrue,
        yPred: scores.yPred,
        frame: dataset.frame,
        metrics: { ...scores.metrics },
        ...model.classes ? { classes: model.classes } : {},
        ...scores.yTrueIndex ? { yTrueIndex: scores.yTrueIndex } : {},
        ...scores.yPredIndex ? { yPredIndex: scores.yPredIndex } : {},
        ...scores.proba ? { proba: scores.proba } : {}
      });
      if (typeof value !== "number" || Number.isNaN(value)) {
        throw new DataError(
          `custom metric "${metric.name}" (steps/custom_metrics.ts:${metric.function}) returned ${String(value)}, not a number`
        );
      }
      scores.metrics[metric.name] = value;
    }
    for (const [name, value] of Object.entries(scores.metrics)) metrics[`${split.prefix}${name}`] = value;
    scored.push(scores);
    ctx.log(`${split.name}: ${summaryLine(scores.metrics, problem.problemType)}`);
  }
  const directions = { ...GREATER_IS_BETTER };
  for (const metric of customMetrics) directions[metric.name] = metric.greater_is_better;
  const report = checkCriteria(
    cfg?.validation_criteria ?? [],
    scored.find((s) => s.name === "test"),
    directions
  );
  writeFileSync(join(ctx.outDir, VALIDATION_FILE), `${JSON.stringify(report, null, 2)}
`);
  writeFileSync(join(ctx.outDir, METRICS_FILE), `${JSON.stringify(metrics, null, 2)}
`);
  ctx.log(`validation status: ${report.validation_status}`);
  return {
    metrics,
    tags: { validation_status: report.validation_status },
    outputs: { validation: VALIDATION_FILE, metrics: METRICS_FILE },
    card: {
      step: "evaluate",
      data: {
        problem_type: problem.problemType,
        model_uuid: model.mlmodel.model_uuid,
        metrics,
        validation: report,
        rows: Object.fromEntries(scored.map((s) => [s.name, s.rows]))
      },
      sections: cardSections(scored, report, model)
    }
  };
}
function summaryLine(metrics, problemType) {
  const keys = problemType === "regression" ? ["root_mean_squared_error", "r2_score"] : ["accuracy_score", "f1_score"];
  return keys.filter((k) => metrics[k] !== void 0).map((k) => `${k}=${formatNumber(metrics[k])}`).join(" ");
}
function scoreSplit(model, frame, targetType, name, targetCol) {
  const { classes: _classes, ...scores } = scorePredictions({
    model,
    frame,
    targetCol,
    targetType,
    where: `${name}.arrow`
  });
  return { name, rows: frame.nRows, ...scores };
}
function checkCriteria(criteria, test, directions) {
  if (criteria.length === 0) return { validation_status: "UNKNOWN", split: "test", criteria: [] };
  if (!test) {
    throw new DataError("validation_criteria need test metrics, but the test split is empty", {
      hint: "give the test split a share in steps.split.split_ratios"
    });
  }
  const results = criteria.map((criterion, i) => {
    const path = `steps.evaluate.validation_criteria[${i}]`;
    if (typeof criterion?.metric !== "string" || typeof criterion.threshold !== "number") {
      throw configIssue(
        path,
        "needs metric (a name) and threshold (a number)",
        "e.g. - {metric: root_mean_squared_error, threshold: 5}"
      );
    }
    const value = test.metrics[criterion.metric];
    const greater = directions[criterion.metric];
    if (value === void 0 || greater === void 0) {
      const known = Object.keys(test.metrics).filter((k) => directions[k] !== void 0);
      throw configIssue(
        `${path}.metric`,
        `unknown metric "${criterion.metric}"`,
        `use one of: ${known.join(", ")}`
      );
    }
    const passed = greater ? value >= criterion.threshold : value <= criterion.threshold;
    return {
      metric: criterion.metric,
      threshold: criterion.threshold,
      value,
      greater_is_better: greater,
      passed
    };
  });
  return {
    validation_status: results.every((r) => r.passed) ? "VALIDATED" : "REJECTED",
    split: "test",
    criteria: results
  };
}
function cardSections(scored, report, model) {
  const sections = [];
  const names = [...new Set(scored.flatMap((s) => Object.keys(s.metrics)))];
  const byName = (split) => scored.find((s) => s.name === split)?.metrics ?? {};
  sections.push({
    title: "Metrics",
    html: htmlTable({
      headers: ["metric", "validation", "test"],
      rows: names.map((n) => [n, byName("validation")[n] ?? "", byName("test")[n] ?? ""])
    })
  });
  const statusColor = { VALIDATED: "#2ca02c", REJECTED: "#d62728", UNKNOWN: "#7f7f7f" }[report.validation_status];
  sections.push({
    title: "Validation",
    html: `<p>Status: <b style="color:${statusColor}">${report.validation_status}</b></p>` + (report.criteria.length ? htmlTable({
      headers: ["metric", "threshold", "test value", "direction", "result"],
      rows: report.criteria.map((c) => [
        c.metric,
        c.threshold,
        c.value,
        c.greater_is_better ? "\u2265" : "\u2264",
        c.passed ? "pass" : "FAIL"
      ])
    }) : "<p>No validation_criteria configured.</p>")
  });
  const focus = scored.find((s) => s.name === "test") ?? scored[0];
  if (!focus) return sections;
  const label = `${focus.name} split`;
  if (model.problemType === "regression") {
    const yTrue = focus.yTrue;
    const yPred = focus.yPred;
    const residuals = yPred.map((p, i) => yTrue[i] - p);
    sections.push({
      title: `Predicted vs actual (${label})`,
      html: svgScatterPlot({
        title: "Predicted vs actual",
        x: yTrue,
        y: yPred,
        xLabel: "actual",
        yLabel: "predicted",
        diagonal: true
      })
    });
    sections.push({
      title: `Residuals (${label})`,
      html: svgScatterPlot({
        title: "Residuals",
        x: yPred,
        y: residuals,
        xLabel: "predicted",
        yLabel: "actual \u2212 predicted",
        zeroLine: true
      })
    });
    return sections;
  }
  const classes = model.classes ?? [];
  if (focus.yTrueIndex && focus.yPredIndex) {
    sections.push({
      title: `Confusion matrix (${label})`,
      html: htmlHeatmapTable({
        rowLabels: classes,
        colLabels: classes,
        values: confusion_matrix(focus.yTrueIndex, focus.yPredIndex, classes.length)
      })
    });
  }
  if (focus.proba && focus.yTrueIndex) {
    const truth = focus.yTrueIndex;
    const proba = focus.proba;
    const curveClasses = classes.length === 2 ? [1] : classes.map((_, k) => k);
    const present = curveClasses.filter((k) => truth.some((t) => t === k) && truth.some((t) => t !== k));
    if (present.length > 0) {
      const rocs = present.map((k) => {
        const isPositive = Array.from(truth, (t) => t === k);
        const roc = roc_curve(isPositive, proba[k]);
        const pr = precision_recall_curve(isPositive, proba[k]);
        return { name: classes[k] ?? String(k), roc, pr };
      });
      sections.push({
        title: `ROC curve (${label})`,
        html: svgLinePlot({
          title: "ROC",
          series: rocs.map((r) => ({ name: r.name, x: r.roc.fpr, y: r.roc.tpr })),
          xLabel: "false positive rate",
          yLabel: "true positive rate",
          diagonal: true
        })
      });
      sections.push({
        title: `Precision-recall curve (${label})`,
        html: svgLinePlot({
          title: "Precision-recall",
          series: rocs.map((r) => ({ name: r.name, x: r.pr.recall, y: r.pr.precision })),
          xLabel: "recall",
          yLabel: "precision"
        })
      });
    } else {
      sections.push({
        title: "Curves",
        html: `<p>${escapeHtml(label)} has a single class: no ROC or precision-recall curve.</p>`
      });
    }
  }
  return sections;
}
export {
  METRICS_FILE,
  VALIDATION_FILE,
  checkCriteria,
  evaluateStep
};
