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
  /** Why metrics that need probabilities (roc_auc, log_loss, …) are missing, when they are. */
  noProbaReason?: string;
}

/**
 * The class index whose probabilities and counts the binary metrics are about: `positive_class`
 * wherever the model keeps it (scikit-learn orders `classes_` by value, so it may be index 0);
 * index 1 otherwise (mlrecipe's own training puts positive_class there).
 */
export function positiveClassIndex(classes: readonly string[], positiveClass: string | undefined): number {
  if (positiveClass !== undefined) {
    const index = classes.indexOf(positiveClass);
    if (index >= 0) return index;
  }
  return 1;
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
  const predicted = await model.predictAsync(frame);
  const yPred = predicted instanceof Float64Array ? Array.from(predicted, String) : predicted;
  const yPredIndex = encodeLabels(yPred, classes, `${where} (predictions)`);
  const proba = model.predictProbaAsync ? await model.predictProbaAsync(frame) : model.predictProba?.(frame);
  const metrics = classificationMetrics({
    yTrue: yTrueIndex,
    yPred: yPredIndex,
    ...(proba ? { proba } : {}),
    nClasses: classes.length,
    positiveClass: positiveClassIndex(classes, model.positiveClass),
  });
  return {
    metrics,
    yTrue,
    yPred,
    classes,
    yTrueIndex,
    yPredIndex,
    ...(proba
      ? { proba }
      : { noProbaReason: model.noProbaReason ?? 'the model gives no class probabilities' }),
  };
}
