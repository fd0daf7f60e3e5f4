import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  classificationMetrics,
  columnType,
  confusion_matrix,
  encodeLabels,
  labelStrings,
  regressionMetrics,
  regressionTarget,
  targetColumn
} from "./chunk-chunk-65BTZNEZ.js";
import {
  MODEL_DIR
} from "./chunk-chunk-EM6OGXNR.js";
import {
  loadFittedTransformer
} from "./chunk-chunk-XYLANPCV.js";
import {
  fitClasses,
  inputDir,
  readSplitDataset,
  recipeProblem
} from "./chunk-chunk-5OY5P45V.js";
import {
  escapeHtml,
  htmlHeatmapTable,
  htmlMetricsTable,
  htmlTable,
  svgBarChart,
  svgScatterPlot
} from "./chunk-chunk-ZPTZ34P2.js";
import {
  trainCodeFiles
} from "./chunk-chunk-YHLBZP67.js";
import {
  enabledTuning,
  tuningRecipeKeys,
  tuningStatusNotes
} from "./chunk-chunk-VH62VMQR.js";
import {
  saveModel
} from "./chunk-chunk-7FLJW6WP.js";
import {
  ModelPipeline,
  selectColumns
} from "./chunk-chunk-THZAPR4X.js";
import {
  buildEstimator,
  unwrapBuiltin
} from "./chunk-chunk-LJJERU6S.js";
import {
  StepError
} from "./chunk-chunk-FHTLSLDU.js";

// src/steps/train.ts
import { join } from "node:path";
var trainStep = {
  kind: "train",
  codeFiles: trainCodeFiles,
  recipeKeys: (cfg) => tuningRecipeKeys(cfg),
  statusNotes: (cfg, recipeDir) => tuningStatusNotes(cfg, recipeDir),
  async inputFiles() {
    return [];
  },
  run: runTrain
};
async function runTrain(cfg, ctx) {
  const problem = recipeProblem(ctx.recipe);
  const train = readSplitDataset(inputDir(ctx, "split", "train"), "train.arrow");
  const fitted = await loadFittedTransformer(inputDir(ctx, "transform", "train"), ctx.recipeDir);
  const where = "train.arrow";
  const target = targetColumn(train.frame, problem.targetCol, where);
  const X = fitted.transformer.transform(selectColumns(train.frame, fitted.inputColumns));
  const featureNames = fitted.transformer.featureNames();
  const kind = problem.problemType === "regression" ? "regressor" : "classifier";
  let sweep;
  if (enabledTuning(cfg)) {
    if (!ctx.tune) {
      throw new StepError("train", "tuning is enabled, but this engine provides no sweep runner", {
        hint: "run the recipe with `recipe run`, or set tuning.enabled: false"
      });
    }
    sweep = await ctx.tune({ cfg, problem, fitted, train, X, kind });
  }
  let built = await buildEstimator({
    cfg,
    recipeDir: ctx.recipeDir,
    kind,
    problemType: problem.problemType,
    ...sweep ? { params: sweep.finalParams } : {}
  });
  const started = performance.now();
  let classes;
  let yIndex;
  let yNumber;
  if (built.estimator.kind === "regressor") {
    yNumber = regressionTarget(target, where);
    built.estimator.fit(X, yNumber);
  } else {
    const labels = labelStrings(target, columnType(train, problem.targetCol), where);
    classes = fitClasses(
      labels,
      target.type === "number" && columnType(train, problem.targetCol) !== "boolean",
      problem.positiveClass
    );
    yIndex = encodeLabels(labels, classes, where);
    built.estimator.fit(X, yIndex, classes.length);
  }
  const fitSeconds = (performance.now() - started) / 1e3;
  built = unwrapBuiltin(built);
  ctx.log(
    `fitted ${built.description} on ${X.nRows} rows \xD7 ${X.columns.length} features in ${fitSeconds.toFixed(2)}s`
  );
  const pipeline = new ModelPipeline({
    problemType: problem.problemType,
    targetCol: problem.targetCol,
    inputColumns: fitted.inputColumns,
    transformer: fitted.transformer,
    transformerSource: fitted.source,
    estimator: built.estimator,
    estimatorSource: built.source,
    ...classes ? { classes } : {},
    ...classes && classes.length === 2 ? { positiveClass: classes[1] } : {}
  });
  const metrics = {};
  const sections = [];
  let trainingMetrics;
  if (built.estimator.kind === "regressor" && yNumber) {
    const predicted = built.estimator.predict(X);
    trainingMetrics = regressionMetrics(yNumber, predicted);
    sections.push({
      title: "Predicted vs actual (training split)",
      html: svgScatterPlot({
        title: "Predicted vs actual",
        x: yNumber,
        y: predicted,
        xLabel: "actual",
        yLabel: "predicted",
        diagonal: true
      })
    });
  } else if (built.estimator.kind === "classifier" && yIndex && classes) {
    const predicted = built.estimator.predict(X);
    const proba = built.estimator.predictProba(X);
    trainingMetrics = classificationMetrics({
      yTrue: yIndex,
      yPred: predicted,
      proba,
      nClasses: classes.length,
      positiveClass: 1
    });
    sections.push({
      title: "Confusion matrix (training split)",
      html: htmlHeatmapTable({
        rowLabels: classes,
        colLabels: classes,
        values: confusion_matrix(yIndex, predicted, classes.length)
      })
    });
  } else {
    throw new Error("internal: estimator kind does not match the problem type");
  }
  for (const [name, value] of Object.entries(trainingMetrics)) metrics[`training_${name}`] = value;
  const saved = saveModel({
    dir: join(ctx.outDir, MODEL_DIR),
    pipeline,
    inputExample: train.frame,
    columnTypes: train.columnTypes,
    ...ctx.runId ? { runId: ctx.runId } : {},
    artifactPath: MODEL_DIR
  });
  const weights = featureWeights(built.estimator, featureNames);
  if (weights) {
    sections.unshift({
      title: weights.title,
      html: svgBarChart({ title: weights.title, ...largestBars(featureNames, weights.values, 25) })
    });
  }
  sections.unshift(
    {
      title: "Summary",
      html: `<p>Estimator <code>${escapeHtml(built.description)}</code> fitted on ${X.nRows} rows \xD7 ${X.columns.length} features in ${fitSeconds.toFixed(2)} s.</p>` + (Object.keys(built.params).length ? htmlTable({ headers: ["parameter", "value"], rows: Object.entries(built.params) }) : "")
    },
    {
      title: "Training metrics",
      html: htmlMetricsTable(trainingMetrics)
    }
  );
  if (sweep) sections.splice(1, 0, ...sweep.sections);
  if (sweep) Object.assign(metrics, sweep.metrics);
  return {
    metrics,
    params: { estimator: built.description, ...prefixKeys(built.params, "estimator.") },
    ...sweep ? { tags: sweep.tags } : {},
    outputs: { model: MODEL_DIR, ...sweep ? { trials: sweep.trialsFile } : {} },
    card: {
      step: "train",
      data: {
        estimator: built.description,
        estimator_params: built.params,
        problem_type: problem.problemType,
        rows: X.nRows,
        features: featureNames,
        ...classes ? { classes } : {},
        fit_seconds: fitSeconds,
        training_metrics: trainingMetrics,
        model_uuid: saved.modelUuid,
        ...sweep ? { tuning: sweep.cardData } : {},
        ...weights ? { [weights.key]: Object.fromEntries(featureNames.map((n, j) => [n, weights.values[j]])) } : {}
      },
      sections
    }
  };
}
function largestBars(labels, values, limit) {
  const order = labels.map((_, j) => j).filter((j) => Number.isFinite(values[j])).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a])).slice(0, limit);
  return { labels: order.map((j) => labels[j]), values: order.map((j) => values[j]) };
}
function prefixKeys(record, prefix) {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]));
}
function featureWeights(estimator, featureNames) {
  let state;
  try {
    state = estimator.toJSON().state;
  } catch {
    return void 0;
  }
  const p = featureNames.length;
  const importances = state.feature_importances;
  if (Array.isArray(importances) && importances.length === p) {
    return { title: "Feature importances", key: "feature_importances", values: importances.map(Number) };
  }
  const coef = state.coef;
  if (Array.isArray(coef) && coef.length === p && coef.every((v) => typeof v === "number")) {
    return { title: "Coefficients", key: "coefficients", values: coef };
  }
  if (Array.isArray(coef) && coef.length > 0 && coef.every((row) => Array.isArray(row) && row.length === p)) {
    const rows = coef;
    if (rows.length === 1) return { title: "Coefficients", key: "coefficients", values: rows[0] };
    const norms = Array.from(
      { length: p },
      (_, j) => Math.sqrt(rows.reduce((s, row) => s + row[j] * row[j], 0))
    );
    return { title: "Coefficient magnitude (L2 across classes)", key: "coefficient_norms", values: norms };
  }
  return void 0;
}

export {
  trainStep,
  largestBars,
  featureWeights
};
