import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  classificationMetrics,
  encodeLabels,
  labelStrings,
  regressionMetrics,
  regressionTarget,
  targetColumn
} from "./chunk-chunk-65BTZNEZ.js";

// src/models/score-predictions.ts
function scorePredictions(options) {
  const { model, frame, where } = options;
  const target = targetColumn(frame, options.targetCol, where);
  if (model.problemType === "regression") {
    const yTrue2 = regressionTarget(target, where);
    const yPred2 = model.predict(frame);
    return { metrics: regressionMetrics(yTrue2, yPred2), yTrue: yTrue2, yPred: yPred2 };
  }
  const classes = model.classes ?? [];
  const yTrue = labelStrings(target, options.targetType, where);
  const yTrueIndex = encodeLabels(yTrue, classes, where);
  const yPred = model.predict(frame);
  const yPredIndex = encodeLabels(yPred, classes, `${where} (predictions)`);
  const proba = model.predictProba?.(frame);
  const metrics = classificationMetrics({
    yTrue: yTrueIndex,
    yPred: yPredIndex,
    ...proba ? { proba } : {},
    nClasses: classes.length,
    // Training puts a binary problem's positive class at index 1 (fitClasses).
    positiveClass: 1
  });
  return { metrics, yTrue, yPred, classes, yTrueIndex, yPredIndex, ...proba ? { proba } : {} };
}

export {
  scorePredictions
};
