/**
 * Predicting on labelled rows and computing MLflow's default metrics for them: the one scoring
 * path behind the evaluate step (per split) and the registry gate's scoreModel, so a model's
 * metrics mean the same wherever they are computed.
 */
import type { DataType } from '../data/infer-types.js';
import { classificationMetrics } from '../ml/metrics/classification.js';
import { regressionMetrics } from '../ml/metrics/regression.js';
import type { Frame } from '../ml/types.js';
import type { LoadedModel } from './load.js';
import { encodeLabels, labelStrings, regressionTarget, targetColumn } from './targets.js';

export interface ScorePredictionsOptions {
  model: LoadedModel;
  /** The model's input columns plus the target column. */
  frame: Frame;
  targetCol: string;
  /** The target column's inferred type; decides how class labels are spelled. */
  targetType: DataType | undefined;
  /** Where the rows came from, for error messages (`test.arrow`, a file name). */
  where: string;
}

export interface PredictionScores {
  metrics: Record<string, number>;
  yTrue: Float64Array | string[];
  yPred: Float64Array | string[];
  /** The rest only for classification. */
  classes?: string[];
  yTrueIndex?: Int32Array;
  yPredIndex?: Int32Array;
  proba?: Float64Array[];
}

export async function scorePredictions(options: ScorePredictionsOptions): Promise<PredictionScores> {
  const { model, frame, where } = options;
  const target = targetColumn(frame, options.targetCol, where);
  if (model.problemType === 'regression') {
    const yTrue = regressionTarget(target, where);
    const yPred = (await model.predictAsync(frame)) as Float64Array;
    return { metrics: regressionMetrics(yTrue, yPred), yTrue, yPred };
  }
  const classes = model.classes ?? [];
  const yTrue = labelStrings(target, options.targetType, where);
  const yTrueIndex = encodeLabels(yTrue, classes, where);
  const yPred = (await model.predictAsync(frame)) as string[];
  const yPredIndex = encodeLabels(yPred, classes, `${where} (predictions)`);
  const proba = model.predictProba?.(frame);
  const metrics = classificationMetrics({
    yTrue: yTrueIndex,
    yPred: yPredIndex,
    ...(proba ? { proba } : {}),
    nClasses: classes.length,
    // Training puts a binary problem's positive class at index 1 (fitClasses).
    positiveClass: 1,
  });
  return { metrics, yTrue, yPred, classes, yTrueIndex, yPredIndex, ...(proba ? { proba } : {}) };
}
