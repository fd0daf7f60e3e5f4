/**
 * Loading a model directory back into a predictor. `loadModel` takes a local path, a `file:` URI,
 * or any URI whose scheme has a resolver registered: the registry plugs in `runs:/…` and
 * `models:/…` with `registerModelUriResolver`, and nothing else here changes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, UsageError } from '../errors.js';
import { ColumnTransformer } from '../ml/column-transformer.js';
import { loadEstimator } from '../ml/estimators.js';
import type { Estimator, EstimatorState, Frame } from '../ml/types.js';
import { CustomClassifier, CustomRegressor, CustomTransformer } from './custom-components.js';
import {
  FLAVOR_NAME,
  INPUT_EXAMPLE_FILE,
  type MLmodelDocument,
  mlrecipeFlavor,
  readMLmodel,
} from './mlmodel.js';
import { recipeMetadata, sklearnFlavor } from './sklearn-flavor.js';
import {
  type ComponentSource,
  type EstimatorDocument,
  ModelPipeline,
  PassthroughTransformer,
  type PipelineDocument,
  type PipelineTransformer,
  type ProblemType,
  parsePipelineDocument,
  type TransformerDocument,
} from './pipeline.js';
import { enforceSignature, type ModelSignature, signatureFromDocument } from './signature.js';
import { importUserModule, type UserFunction } from './user-code.js';

export interface ResolveContext {
  /** Tracking URI to resolve `runs:` / `models:` against. */
  trackingUri?: string;
}

/** Turns a model URI into a local model directory (downloading it first if it must). */
export type ModelUriResolver = (uri: string, context: ResolveContext) => Promise<string>;

const resolvers = new Map<string, ModelUriResolver>();

/** Registers a resolver for a URI scheme (`runs`, `models`, `s3`, …), replacing any earlier one. */
export function registerModelUriResolver(scheme: string, resolver: ModelUriResolver): void {
  resolvers.set(scheme.toLowerCase(), resolver);
}

export interface LoadModelOptions extends ResolveContext {
  /** Resolvers for this call only; they take precedence over registered ones. */
  resolvers?: Record<string, ModelUriResolver>;
  /** The interpreter for scikit-learn models (a recipe's `python:`); default RECIPE_PYTHON, python3. */
  python?: unknown;
}

/** `scheme:` of a URI; undefined for a plain path (a Windows drive letter is not a scheme). */
function uriScheme(uri: string): string | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri);
  return match ? match[1].toLowerCase() : undefined;
}

/** The local directory a model URI points at. */
export async function resolveModelUri(uri: string, options: LoadModelOptions = {}): Promise<string> {
  const scheme = uriScheme(uri);
  if (scheme === undefined) return resolve(uri);
  if (scheme === 'file') return fileURLToPath(uri);
  const resolver = options.resolvers?.[scheme] ?? resolvers.get(scheme);
  if (!resolver) {
    const known = [
      'a local path',
      'file:',
      ...new Set([...Object.keys(options.resolvers ?? {}), ...resolvers.keys()]),
    ];
    throw new UsageError(`cannot load the model "${uri}": no resolver for "${scheme}:" URIs`, {
      hint: `model URIs understood here: ${known.join(', ')}`,
    });
  }
  return resolver(uri, options);
}

export interface LoadedModel {
  /** The local model directory. */
  dir: string;
  mlmodel: MLmodelDocument;
  signature: ModelSignature;
  problemType: ProblemType;
  targetCol: string;
  /** Class labels in class-index order (classification only). */
  classes?: string[];
  /** mlrecipe's own pipeline; absent for a scikit-learn model, which lives in the Python worker. */
  pipeline?: ModelPipeline;
  /**
   * Checks `frame` against the signature (DataError naming a missing or mistyped column), then
   * predicts: numbers for regression, labels for classification. A scikit-learn model predicts
   * only through predictAsync (the worker answers asynchronously); its predict throws.
   */
  predict(frame: Frame): Float64Array | string[];
  /** predict for every kind of model; callers that may meet scikit-learn models use this one. */
  predictAsync(frame: Frame): Promise<Float64Array | string[]>;
  /** One probability array per class, in `classes` order (classification only). */
  predictProba?(frame: Frame): Float64Array[];
  /**
   * predictProba for every kind of model (a scikit-learn classifier answers through the worker);
   * absent when the classifier has no predict_proba, and then `noProbaReason` says why.
   */
  predictProbaAsync?(frame: Frame): Promise<Float64Array[]>;
  noProbaReason?: string;
  /** A binary classifier's `positive_class` (a label in `classes`), when the recipe set one. */
  positiveClass?: string;
  /** input_example.json as a frame, if the model has one. */
  inputExample(): Frame | undefined;
}

export async function loadModel(uri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const dir = await resolveModelUri(uri, options);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`model directory ${dir} does not exist`, {
      hint: 'pass the directory that train wrote (…/train/model) or a model URI',
    });
  }
  const mlmodel = readMLmodel(dir);
  if (mlmodel.flavors[FLAVOR_NAME] === undefined && sklearnFlavor(mlmodel)) {
    return loadSklearnModel(dir, mlmodel, options);
  }
  const flavor = mlrecipeFlavor(mlmodel, dir);
  const signature = signatureFromDocument(mlmodel.signature, join(dir, 'MLmodel'));
  const pipelinePath = containedPath(dir, flavor.pipeline, 'flavors.mlrecipe.pipeline');
  const doc = parsePipelineDocument(readFileSync(pipelinePath, 'utf8'), pipelinePath);
  const pipeline = await pipelineFromDocument(doc, dir);

  const loaded: LoadedModel = {
    dir,
    mlmodel,
    signature,
    problemType: pipeline.problemType,
    targetCol: pipeline.targetCol,
    ...(pipeline.classes ? { classes: pipeline.classes } : {}),
    pipeline,
    predict: (frame) => pipeline.predict(enforceSignature(frame, signature.inputs)),
    predictAsync: async (frame) => pipeline.predict(enforceSignature(frame, signature.inputs)),
    inputExample: () => readInputExample(dir, mlmodel),
  };
  if (pipeline.problemType === 'classification') {
    const predictProba = (frame: Frame) => pipeline.predictProba(enforceSignature(frame, signature.inputs));
    loaded.predictProba = predictProba;
    loaded.predictProbaAsync = async (frame) => predictProba(frame);
    if (pipeline.positiveClass !== undefined) loaded.positiveClass = pipeline.positiveClass;
  }
  return loaded;
}

/** A path from a model file, kept inside the model directory (no `..` or absolute escapes). */
function containedPath(dir: string, path: string, field: string): string {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new DataError(`${join(dir, 'MLmodel')}: ${field} "${path}" points outside the model directory`);
  }
  if (!existsSync(full)) throw new DataError(`${dir}: ${path} is missing (named by ${field})`);
  return full;
}

/** Rebuilds the live pipeline from pipeline.json (custom components import the copied code). */
export async function pipelineFromDocument(doc: PipelineDocument, dir: string): Promise<ModelPipeline> {
  const transformer = await transformerFromDocument(doc.transformer, dir);
  const { estimator, source } = await estimatorFromDocument(doc, dir);
  return new ModelPipeline({
    problemType: doc.problem_type,
    targetCol: doc.target_col,
    inputColumns: doc.input_columns,
    transformer: transformer.transformer,
    transformerSource: transformer.source,
    estimator,
    estimatorSource: source,
    ...(doc.classes ? { classes: doc.classes } : {}),
    ...(doc.positive_class !== undefined ? { positiveClass: doc.positive_class } : {}),
  });
}

async function transformerFromDocument(
  doc: TransformerDocument,
  dir: string,
): Promise<{ transformer: PipelineTransformer; source: ComponentSource }> {
  switch (doc.kind) {
    case 'passthrough':
      return { transformer: new PassthroughTransformer(doc.columns), source: { kind: 'builtin' } };
    case 'column_transformer':
      return { transformer: columnTransformerFromJSON(doc.state), source: { kind: 'builtin' } };
    case 'custom': {
      const modulePath = containedPath(dir, doc.code, 'transformer.code');
      const fn = await modelFunction(dir, modulePath, doc.method);
      const transformer = new CustomTransformer(
        await fn(...(doc.params ? [doc.params] : [])),
        `${doc.code}:${doc.method}()`,
      );
      transformer.loadState(doc.state);
      return {
        transformer,
        source: {
          kind: 'custom',
          modulePath,
          method: doc.method,
          ...(doc.params ? { params: doc.params } : {}),
        },
      };
    }
    default:
      throw new DataError(`pipeline.json: unknown transformer kind "${(doc as { kind: unknown }).kind}"`);
  }
}

function columnTransformerFromJSON(state: unknown): PipelineTransformer {
  return ColumnTransformer.fromJSON(state as EstimatorState);
}

async function estimatorFromDocument(
  doc: PipelineDocument,
  dir: string,
): Promise<{ estimator: Estimator; source: ComponentSource }> {
  const est: EstimatorDocument = doc.estimator;
  if (est.kind === 'builtin') {
    return {
      estimator: loadEstimator({ name: est.name, params: est.params, state: est.state }),
      source: { kind: 'builtin' },
    };
  }
  if (est.kind !== 'custom') {
    throw new DataError(`pipeline.json: unknown estimator kind "${(est as { kind: unknown }).kind}"`);
  }
  const modulePath = containedPath(dir, est.code, 'estimator.code');
  const fn = await modelFunction(dir, modulePath, est.method);
  const origin = `${est.code}:${est.method}()`;
  const object = await fn(...(est.params ? [est.params] : []));
  const source: ComponentSource = {
    kind: 'custom',
    modulePath,
    method: est.method,
    ...(est.params ? { params: est.params } : {}),
  };
  if (doc.problem_type === 'regression') {
    const estimator = new CustomRegressor(object, origin);
    estimator.loadState(est.state);
    return { estimator, source };
  }
  const estimator = new CustomClassifier(object, origin);
  estimator.setClassCount(doc.classes?.length ?? 0);
  estimator.loadState(est.state);
  return { estimator, source };
}

/** A function exported by a module copied into the model's code/ folder. */
async function modelFunction(dir: string, modulePath: string, name: string): Promise<UserFunction> {
  const module = await importUserModule(modulePath);
  const fn = module[name];
  if (typeof fn !== 'function') {
    throw new DataError(
      `${relative(dir, modulePath)} in the model ${dir} has no exported function "${name}"`,
      {
        hint: 'the model directory is incomplete or was edited; re-save the model',
      },
    );
  }
  return fn as UserFunction;
}

/** Reads input_example.json (pandas split orient) back into a frame. */
function readInputExample(dir: string, mlmodel: MLmodelDocument): Frame | undefined {
  const name = mlmodel.saved_input_example_info?.artifact_path ?? INPUT_EXAMPLE_FILE;
  if (!existsSync(resolve(dir, name))) return undefined;
  const path = containedPath(dir, name, 'saved_input_example_info.artifact_path');
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { columns: string[]; data: unknown[][] };
  return frameFromSplit(parsed.columns, parsed.data);
}

/**
 * A frame from pandas' split orient (`columns` + row arrays): a column whose present values are
 * all numbers (or booleans) is numeric, otherwise text; null is missing.
 */
export function frameFromSplit(columns: readonly string[], data: readonly unknown[][]): Frame {
  const nRows = data.length;
  return {
    nRows,
    columns: columns.map((name, j) => {
      let numeric = true;
      for (const row of data) {
        const v = row[j];
        if (v !== null && v !== undefined && typeof v !== 'number' && typeof v !== 'boolean') {
          numeric = false;
          break;
        }
      }
      if (numeric) {
        const values = new Float64Array(nRows);
        data.forEach((row, i) => {
          const v = row[j];
          values[i] = v === null || v === undefined ? Number.NaN : Number(v);
        });
        return { name, type: 'number' as const, values };
      }
      return {
        name,
        type: 'string' as const,
        values: data.map((row) => (row[j] === null || row[j] === undefined ? null : String(row[j]))),
      };
    }),
  };
}

/**
 * A scikit-learn model (ours, or one MLflow saved): unpickled in the shared Python worker and
 * predicted there. Problem type and target come from mlrecipe's metadata when the model has it;
 * a model MLflow made is a regressor unless its estimator has `classes_`.
 */
async function loadSklearnModel(
  dir: string,
  mlmodel: MLmodelDocument,
  options: LoadModelOptions,
): Promise<LoadedModel> {
  const flavor = sklearnFlavor(mlmodel);
  if (!flavor) throw new DataError(`${dir}: no sklearn flavor`);
  const py = await import('../python/index.js');
  const worker = await py.sharedPythonWorker({ configured: options.python });
  worker.requirePackages(['sklearn'], `to load the scikit-learn model in ${dir}`);
  const pickled = containedPath(dir, flavor.pickled_model, 'flavors.sklearn.pickled_model');
  const model = await py.loadSklearnPickle(worker, pickled);
  const meta = recipeMetadata(mlmodel, dir);
  const signature = signatureFromDocument(mlmodel.signature, join(dir, 'MLmodel'));
  const classes = meta?.classes ?? (await py.modelClasses(worker, model));
  const problemType = meta?.problem_type ?? (classes ? 'classification' : 'regression');
  const prepare = (frame: Frame): Frame =>
    signature.inputs.length > 0 ? enforceSignature(frame, signature.inputs) : frame;
  const withProba = problemType === 'classification' && (await py.hasPredictProba(worker, model));
  const predictProbaAsync = async (frame: Frame): Promise<Float64Array[]> => {
    const proba = await py.predictProbaModel(worker, model, prepare(frame));
    if (!proba) throw new DataError(`${dir}: the scikit-learn model has no predict_proba`);
    return proba;
  };
  return {
    dir,
    mlmodel,
    signature,
    problemType,
    targetCol: meta?.target_col ?? '',
    ...(classes ? { classes } : {}),
    predict: () => {
      throw new DataError(
        `${dir} is a scikit-learn model: it predicts through the Python worker (predictAsync)`,
      );
    },
    // A classifier of numeric labels predicts numbers, as MLflow's sklearn flavor answers.
    predictAsync: (frame) => py.predictModel(worker, model, prepare(frame)),
    ...(withProba
      ? { predictProbaAsync }
      : problemType === 'classification'
        ? {
            noProbaReason:
              'the scikit-learn model has no predict_proba (e.g. SGDClassifier with its default hinge loss, or SVC without probability=True)',
          }
        : {}),
    ...(meta?.positive_class !== undefined ? { positiveClass: meta.positive_class } : {}),
    inputExample: () => readInputExample(dir, mlmodel),
  };
}
