/**
 * The train step for scikit-learn models, as MLflow Recipes trains them (2.12,
 * mlflow/recipes/steps/train.py): `estimator_method(estimator_params)` from steps/train.py returns
 * an unfitted estimator, which is fitted in the Python worker on the training rows after the
 * transform step's fitted transformer (or none: MLflow's identity), and the two are saved as one
 * sklearn Pipeline with MLflow's sklearn and python_function flavors (models/sklearn-flavor.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { takeRows } from '../data/row-hash.js';
import { configFieldError, DataError, StepError } from '../errors.js';
import { classificationMetrics } from '../ml/metrics/classification.js';
import { regressionMetrics } from '../ml/metrics/regression.js';
import { modelContentDigest } from '../models/content-digest.js';
import { positiveClassIndex } from '../models/score-predictions.js';
import { selectColumns } from '../models/pipeline.js';
import { saveSklearnModel } from '../models/sklearn-flavor.js';
import { encodeLabels, labelStrings, regressionTarget, targetColumn, columnType } from '../models/targets.js';
import { escapeHtml, htmlMetricsTable, htmlTable } from './cards.js';
import { MODEL_DIGEST_FILE, MODEL_DIR } from './output-files.js';
import { inputDir, readSplitDataset, recipeProblem } from './recipe-problem.js';
import { fixedParams, stringParams, type TrainConfig } from './train-estimator.js';
import { readTransformerFile, type TransformerFile } from './transform.js';
import { enabledTuning, type TuneResult } from './tuning.js';
import type { StepContext, StepResult } from './types.js';
import type { Dataset } from '../data/index.js';
import type { PythonObject, PythonWorker } from '../python/index.js';
import { displayUserFile, locateUserFunction } from './user-module.js';

/** Whether train runs in Python: its estimator_method comes from steps/train.py, or transform's transformer did. */
export function trainsInPython(
  cfg: TrainConfig | undefined,
  ctx: StepContext,
): { transformer: TransformerFile; estimatorFile?: string } | undefined {
  const transformer = readTransformerFile(inputDir(ctx, 'transform', 'train'));
  const method = cfg?.using === 'custom' ? cfg.estimator_method : undefined;
  const location = method
    ? locateUserFunction({ recipeDir: ctx.recipeDir, module: 'train', name: method })
    : undefined;
  const estimatorFile = location?.language === 'python' ? location.file : undefined;
  if (estimatorFile === undefined && transformer.kind !== 'sklearn') return undefined;
  return { transformer, ...(estimatorFile ? { estimatorFile } : {}) };
}

export async function runSklearnTrain(
  cfg: TrainConfig | undefined,
  ctx: StepContext,
  found: { transformer: TransformerFile; estimatorFile?: string },
  /** The train split, rebalanced when MLflow's rule says so (train.ts). */
  train: Dataset,
): Promise<StepResult> {
  const { transformer, estimatorFile } = found;
  if (estimatorFile === undefined) {
    throw configFieldError(
      'steps.train.using',
      'the transformer is a scikit-learn object (steps/transform.py), so the estimator must be one too',
      'set `using: custom` and `estimator_method`, a function in steps/train.py returning an unfitted scikit-learn estimator',
    );
  }
  if (transformer.kind !== 'sklearn' && transformer.kind !== 'identity') {
    throw configFieldError(
      'steps.transform.using',
      `the estimator comes from steps/train.py (scikit-learn), but the transformer is mlrecipe's own (${transformer.kind}), which scikit-learn cannot run`,
      'set `using: custom` with a transformer_method in steps/transform.py returning a scikit-learn transformer (e.g. a ColumnTransformer), or None',
    );
  }
  const problem = recipeProblem(ctx.recipe);
  const method = cfg?.estimator_method as string;
  const params = fixedParams(cfg);
  const validation = readSplitDataset(inputDir(ctx, 'split', 'train'), 'validation.arrow');
  const py = await import('../python/index.js');
  const worker = await py.sharedPythonWorker({ configured: ctx.recipe.python, recipeDir: ctx.recipeDir });
  worker.requirePackages(['sklearn', 'cloudpickle'], 'to train a scikit-learn model');
  const shown = displayUserFile(ctx.recipeDir, estimatorFile);
  const makeEstimator = async (estimatorParams: Record<string, unknown>, on: PythonWorker = worker) => {
    const value = await on.callFunction({
      module: estimatorFile,
      function: method,
      args: [{ json: estimatorParams }],
      recipeDir: ctx.recipeDir,
      shownFile: shown,
    });
    if (value.kind !== 'object') {
      throw new DataError(`${shown}:${method}() returned ${value.kind}, not an estimator`, {
        hint: 'return an unfitted scikit-learn estimator, e.g. RandomForestRegressor(**estimator_params)',
      });
    }
    return value.object;
  };
  const transformerPickle =
    transformer.kind === 'sklearn'
      ? join(inputDir(ctx, 'transform', 'train'), transformer.pickle)
      : undefined;
  const fittedTransformer = transformerPickle
    ? await worker.loadPickle(transformerPickle, 'cloudpickle')
    : undefined;
  const where = 'train.arrow';
  const target = targetColumn(train.frame, problem.targetCol, where);
  const X = selectColumns(train.frame, transformer.input_columns);

  let sweep: TuneResult | undefined;
  if (enabledTuning(cfg)) {
    if (!ctx.tune) {
      throw new StepError('train', 'tuning is enabled, but this engine provides no sweep runner', {
        hint: 'run the recipe with `recipe run`, or set tuning.enabled: false',
      });
    }
    const Xval = selectColumns(validation.frame, transformer.input_columns);
    sweep = await ctx.tune({
      engine: 'python',
      cfg,
      problem,
      train,
      kind: problem.problemType === 'regression' ? 'regressor' : 'classifier',
      environment: pythonEnvironment(worker.info),
      codeFiles: [estimatorFile],
      prepare: async (rows, { parallelism }) => {
        const frame = rows ? takeRows(train.frame, rows) : train.frame;
        const trialX = selectColumns(frame, transformer.input_columns);
        const trialY = targetColumn(frame, problem.targetCol, where);
        // Slot 0 is the run's worker; slot k > 0 is another process of the same interpreter,
        // started the first time k + 1 trials are in flight, given its own copy of the transformer
        // and the rows. A trial's result depends only on its params, never on the slot it ran in.
        const open = async (slot: number): Promise<TrialSlot> => {
          const on =
            slot === 0
              ? worker
              : await py.sharedPythonWorker({
                  configured: ctx.recipe.python,
                  recipeDir: ctx.recipeDir,
                  slot,
                });
          on.requirePackages(['sklearn', 'cloudpickle'], 'to train a scikit-learn model');
          const own =
            slot === 0 || !transformerPickle
              ? fittedTransformer
              : await on.loadPickle(transformerPickle, 'cloudpickle');
          const data = await py.holdTrialData(on, {
            ...(own ? { transformer: own } : {}),
            X: trialX,
            y: trialY,
            Xval,
          });
          return { worker: on, data };
        };
        const slots = new TrialSlots(open, Math.max(1, parallelism));
        return {
          fit: (trialParams) =>
            slots.use(async (slot) =>
              py.fitAndPredictTrial(slot.worker, slot.data, await makeEstimator(trialParams, slot.worker)),
            ),
          release: () => slots.release(),
        };
      },
    });
  }
  const finalParams = sweep ? sweep.finalParams : params;
  const made = { object: await makeEstimator(finalParams) };
  const started = performance.now();
  const model = await py.fitModel(worker, {
    ...(fittedTransformer ? { transformer: fittedTransformer } : {}),
    estimator: made.object,
    X,
    y: target,
  });
  const fitSeconds = (performance.now() - started) / 1000;
  ctx.log(
    `fitted ${made.object.type} (${shown}:${method}()) on ${X.nRows} rows in ${fitSeconds.toFixed(2)}s`,
  );
  const classes = problem.problemType === 'classification' ? await py.modelClasses(worker, model) : undefined;
  if (
    classes &&
    problem.positiveClass !== undefined &&
    classes.length === 2 &&
    !classes.includes(problem.positiveClass)
  ) {
    throw configFieldError(
      'positive_class',
      `"${problem.positiveClass}" is not a class of the training data`,
      `the classes are ${classes.join(', ')}`,
    );
  }
  const withProba = classes !== undefined && (await py.hasPredictProba(worker, model));
  if (classes && !withProba) {
    ctx.log(
      `${made.object.type} has no predict_proba: roc_auc, log_loss and precision_recall_auc are not computed`,
    );
  }

  const metrics: Record<string, number> = {};
  const trainingMetrics = await splitMetrics(train, 'training');
  Object.assign(metrics, prefixed(trainingMetrics, 'training_'));
  if (validation.frame.nRows > 0)
    Object.assign(metrics, prefixed(await splitMetrics(validation, 'validation'), 'val_'));

  const saved = await saveSklearnModel({
    dir: join(ctx.outDir, MODEL_DIR),
    worker,
    model,
    problemType: problem.problemType,
    targetCol: problem.targetCol,
    inputColumns: transformer.input_columns,
    ...(classes ? { classes } : {}),
    ...(classes && problem.positiveClass !== undefined ? { positiveClass: problem.positiveClass } : {}),
    inputExample: train.frame,
    columnTypes: train.columnTypes,
    ...(ctx.runId ? { runId: ctx.runId } : {}),
    artifactPath: MODEL_DIR,
  });
  writeFileSync(join(ctx.outDir, MODEL_DIGEST_FILE), `${modelContentDigest(join(ctx.outDir, MODEL_DIR))}\n`);
  const description = `custom:${method}`;
  if (sweep) Object.assign(metrics, sweep.metrics);
  return {
    metrics,
    params: { estimator: description, ...prefixKeys(stringParams(finalParams), 'estimator.') },
    ...(sweep ? { tags: sweep.tags } : {}),
    outputs: { model: MODEL_DIR, ...(sweep ? { trials: sweep.trialsFile } : {}) },
    card: {
      step: 'train',
      data: {
        estimator: description,
        python: made.object.repr,
        estimator_params: stringParams(finalParams),
        ...(sweep ? { tuning: sweep.cardData } : {}),
        problem_type: problem.problemType,
        rows: X.nRows,
        ...(classes ? { classes } : {}),
        fit_seconds: fitSeconds,
        training_metrics: trainingMetrics,
        model_uuid: saved.modelUuid,
        flavors: Object.keys(saved.mlmodel.flavors),
      },
      sections: [
        {
          title: 'Summary',
          html:
            `<p>scikit-learn <code>${escapeHtml(made.object.repr)}</code> from <code>${escapeHtml(shown)}</code> fitted on ${X.nRows} rows in ${fitSeconds.toFixed(2)} s; saved with MLflow's sklearn and python_function flavors.</p>` +
            (Object.keys(finalParams).length
              ? htmlTable({
                  headers: ['parameter', 'value'],
                  rows: Object.entries(stringParams(finalParams)),
                })
              : ''),
        },
        // The sweep's sections right after the summary: they explain where the params came from.
        ...(sweep ? sweep.sections : []),
        { title: 'Training metrics', html: htmlMetricsTable(trainingMetrics) },
      ],
    },
  };

  async function splitMetrics(dataset: typeof train, name: string): Promise<Record<string, number>> {
    const at = `${name} split`;
    const column = targetColumn(dataset.frame, problem.targetCol, at);
    const X = selectColumns(dataset.frame, transformer.input_columns);
    const predicted = await py.predictModel(worker, model, X);
    if (problem.problemType === 'regression') {
      return regressionMetrics(regressionTarget(column, at), predicted as Float64Array);
    }
    const labels = classes ?? [];
    const yTrue = labelStrings(column, columnType(dataset, problem.targetCol), at);
    const yPred = predicted instanceof Float64Array ? Array.from(predicted, String) : predicted;
    const proba = withProba ? await py.predictProbaModel(worker, model, X) : undefined;
    return classificationMetrics({
      yTrue: encodeLabels(yTrue, labels, at),
      yPred: encodeLabels(yPred, labels, `${at} (predictions)`),
      ...(proba ? { proba } : {}),
      nClasses: labels.length,
      positiveClass: positiveClassIndex(labels, problem.positiveClass),
    });
  }
}

interface TrialSlot {
  worker: PythonWorker;
  /** The rows and transformer held in that worker (holdTrialData). */
  data: PythonObject;
}

/**
 * Up to `size` Python workers for a sweep's trials, opened lazily: a trial takes an idle slot,
 * else opens the next one while fewer than `size` exist, else waits for one to free up.
 */
class TrialSlots {
  private readonly opened: Promise<TrialSlot>[] = [];
  private readonly idle: TrialSlot[] = [];
  private readonly waiting: Array<(slot: TrialSlot) => void> = [];

  constructor(
    private readonly open: (slot: number) => Promise<TrialSlot>,
    private readonly size: number,
  ) {}

  async use<T>(task: (slot: TrialSlot) => Promise<T>): Promise<T> {
    const slot = await this.acquire();
    try {
      return await task(slot);
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.idle.push(slot);
    }
  }

  /** Forgets the rows each opened worker holds (the workers stay up until the run ends). */
  async release(): Promise<void> {
    const all = await Promise.allSettled(this.opened);
    for (const settled of all) {
      if (settled.status === 'fulfilled') await settled.value.worker.release([settled.value.data]);
    }
  }

  private acquire(): Promise<TrialSlot> {
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.opened.length < this.size) {
      const opening = this.open(this.opened.length);
      this.opened.push(opening);
      return opening;
    }
    return new Promise((resolvePromise) => this.waiting.push(resolvePromise));
  }
}

function prefixed(values: Record<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}

function prefixKeys(values: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}

/**
 * What a Python step's results depend on besides its code and data: the interpreter and the
 * versions of the packages that compute them (upgrading scikit-learn re-runs the step).
 */
export function pythonEnvironment(info: {
  python: string;
  version: string;
  packages: Record<string, string>;
}): Record<string, string> {
  return { python: info.python, python_version: info.version, ...info.packages };
}
