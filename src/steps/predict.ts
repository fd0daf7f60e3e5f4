/**
 * The predict step: scores ingest_scoring's dataset with a model and writes the rows with a
 * `prediction` column appended.
 *
 * Config (MLflow Recipes' names): `model_uri` (a model directory, `file:` URI, `runs:/…` or
 * `models:/…`, all through the registry's one resolver, `resolveModelDirectory`); without it, the
 * registered model (MLflow: `models:/<model_name>/latest`, or the version its register step
 * produced): the version `steps.register.baseline_alias` (`champion`) points at, else the newest
 * READY version the gate did not reject — never an unregistered candidate from the step cache,
 * never a REJECTED version. `output: {using: csv|parquet|arrow|json,
 * location}` (location relative to the recipe directory; JSON is MLflow's
 * `{"predictions": [...]}`). For classifiers, class probabilities are added as MLflow Recipes
 * does (`predicted_score`, `predicted_score_<label>`; see `predict_scores_for_all_classes` and
 * `predict_prefix` under steps.train). `save_mode`: `overwrite` (the default), `default`, `error` /
 * `errorifexists` (fail if the location exists, as Spark's default mode does in MLflow) or `ignore`
 * (leave an existing file alone). `result_type`: double, float or string (MLflow's spark_udf type).
 *
 * The predictions are also kept in the step's own output (`predictions.<ext>`), so the cached
 * entry holds what was written.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { copyFileAtomic } from '../atomic-write.js';
import { readArrowDataset } from '../data/arrow-io.js';
import { PROTECTED_OUTPUT_HINT, protectedOutputReason } from '../data/output-path.js';
import { ConfigError, StepError } from '../errors.js';
import {
  type PredictionFormat,
  type ScoreOptions,
  scoreDataset,
  writeScoredFile,
} from '../models/predict.js';
import { escapeHtml, htmlTable, svgBarChart } from './cards.js';
import { INGEST_DATASET_FILE } from './ingest.js';
import { inputDir } from './recipe-problem.js';
import type { CardSection, Step, StepContext, StepResult } from './types.js';
import type { PredictConfig } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { PredictConfig };

const EXTENSIONS: Record<PredictionFormat, string> = {
  csv: 'csv',
  parquet: 'parquet',
  arrow: 'arrow',
  json: 'json',
};

function configIssue(path: string, message: string, hint?: string): ConfigError {
  return new ConfigError([
    { file: 'recipe.yaml', line: 0, column: 0, path, message, ...(hint ? { hint } : {}) },
  ]);
}

function hasScheme(uri: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri);
}

function section(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Where the registered model lives, as the register step names it (steps.register, model_registry). */
function registeredModel(recipe: Record<string, unknown>): {
  name?: string;
  alias: string;
  registryUri?: string;
} {
  const register = section(section(recipe.steps).register);
  const registry = section(recipe.model_registry);
  const name = register.model_name ?? registry.model_name;
  const alias = register.baseline_alias;
  const registryUri = register.registry_uri ?? registry.registry_uri;
  return {
    ...(typeof name === 'string' && name.trim() !== '' ? { name } : {}),
    alias: typeof alias === 'string' && alias !== '' ? alias : 'champion',
    ...(typeof registryUri === 'string' && registryUri !== '' ? { registryUri } : {}),
  };
}

/**
 * The model the step will use, as a URI or local path: `model_uri` (a relative path is taken from
 * the recipe directory), else the registered model to score with (`models:/<name>/<version>`;
 * see registeredModelToScore). `trackingUri` is the registry's when the recipe names none.
 */
export async function predictModelUri(options: {
  cfg: PredictConfig | undefined;
  recipe: Record<string, unknown>;
  recipeDir: string;
  trackingUri?: string;
}): Promise<{ uri: string; trackingUri?: string; note?: string }> {
  const { cfg, recipe, recipeDir } = options;
  const registered = registeredModel(recipe);
  const trackingUri = registered.registryUri ?? options.trackingUri;
  const context = trackingUri ? { trackingUri } : {};
  if (cfg?.model_uri) {
    return { uri: hasScheme(cfg.model_uri) ? cfg.model_uri : resolve(recipeDir, cfg.model_uri), ...context };
  }
  if (!registered.name) {
    throw configIssue(
      'steps.predict.model_uri',
      'is missing, and the recipe names no registered model to score with',
      'set steps.predict.model_uri, or model_registry.model_name (predict then uses the registered model)',
    );
  }
  const { openModelRegistry, registeredModelToScore } = await import('../registry/index.js');
  const { resolveTrackingUri } = await import('../tracking/tracking-uri.js');
  const resolved = resolveTrackingUri({ flag: trackingUri, cwd: recipeDir });
  const registry = await openModelRegistry(resolved.uri, {
    defaultArtifactRoot: resolved.defaultArtifactRoot,
  });
  try {
    const chosen = await registeredModelToScore(registry, { name: registered.name, alias: registered.alias });
    return {
      uri: chosen.uri,
      ...context,
      note:
        chosen.via === 'alias'
          ? `${registered.name}@${registered.alias} (version ${chosen.version.version})`
          : `the newest version the gate did not reject (no @${registered.alias} alias)`,
    };
  } finally {
    await registry.close();
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

/** A `file:` URI's directory; undefined for schemes that need a store (s3:, …). */
async function resolveLocalModelUri(uri: string): Promise<string | undefined> {
  if (!/^file:/i.test(uri)) return undefined;
  const { resolveModelDirectory } = await import('../registry/model-uri.js');
  return resolveModelDirectory(uri);
}

export const predictStep: Step<PredictConfig> = {
  kind: 'predict',
  codeFiles() {
    return [];
  },
  /**
   * The model's files, so that a retrained model at the same path — or a registry alias that
   * moved to another version — re-runs predict.
   */
  async inputFiles(cfg, recipeDir) {
    // Planning runs before any step: a location inside .git/ or .recipe/ is refused here.
    if (cfg?.output?.location) outputTarget(cfg.output.location, recipeDir);
    // A local model's files, for `recipe status`. Registry and run URIs (and the default, the
    // registered model) are not resolved while planning: that would open the tracking database
    // for every `recipe status`, and the step always runs anyway.
    const uri = cfg?.model_uri;
    if (!uri || /^(runs|models):/i.test(uri)) return [];
    const dir = hasScheme(uri) ? await resolveLocalModelUri(uri) : resolve(recipeDir, uri);
    if (dir === undefined || !existsSync(dir) || !statSync(dir).isDirectory()) return [];
    return listFiles(dir);
  },
  // The model usually comes from the registry (state outside the recipe: the alias moves with
  // every promotion), so, like register, predict is never served from the cache. It runs only
  // when asked (`recipe run --step predict`).
  alwaysRun: true,
  run: runPredict,
};

/**
 * MLflow Recipes' train options for classifiers' batch output: `predict_scores_for_all_classes`
 * (default true) adds probability columns named with `predict_prefix` (default `predicted_`).
 */
function scoreOptions(recipe: Record<string, unknown>): ScoreOptions {
  const train = ((recipe.steps ?? {}) as Record<string, Record<string, unknown> | undefined>).train ?? {};
  if (train.predict_scores_for_all_classes === false) return {};
  const prefix = typeof train.predict_prefix === 'string' ? train.predict_prefix : 'predicted_';
  return { scores: { prefix } };
}

function outputConfig(cfg: PredictConfig | undefined): { format: PredictionFormat; location: string } {
  const output = cfg?.output;
  if (!output?.location) {
    throw configIssue(
      'steps.predict.output.location',
      'is missing',
      'e.g. output: {using: csv, location: predictions.csv}',
    );
  }
  const format = output.using ?? 'parquet';
  if (!(format in EXTENSIONS)) {
    throw configIssue(
      'steps.predict.output.using',
      `unknown format ${JSON.stringify(format)}`,
      'use csv, parquet, arrow or json',
    );
  }
  return { format, location: output.location };
}

/** The absolute path `output.location` names; refused inside .git/ or .recipe/. */
function outputTarget(location: string, recipeDir: string): string {
  const target = isAbsolute(location) ? location : resolve(recipeDir, location);
  const reason = protectedOutputReason(target);
  if (reason) {
    throw configIssue(
      'steps.predict.output.location',
      `predictions cannot be written to ${location}: ${reason}`,
      PROTECTED_OUTPUT_HINT,
    );
  }
  return target;
}

async function runPredict(cfg: PredictConfig | undefined, ctx: StepContext): Promise<StepResult> {
  const { format, location } = outputConfig(cfg);
  // MLflow Recipes 2.12 (steps/predict.py): absent means overwrite; `default` is Spark's default
  // mode, errorifexists, so it fails on an existing output just as `error` does.
  const saveMode = cfg?.save_mode ?? 'overwrite';
  if (saveMode === 'append') {
    throw configIssue(
      'steps.predict.save_mode',
      'append is not supported for files',
      'use overwrite, ignore or error',
    );
  }
  const target = outputTarget(location, ctx.recipeDir);
  if (existsSync(target) && (saveMode === 'default' || saveMode === 'error' || saveMode === 'errorifexists')) {
    throw new StepError('predict', `${location} already exists and save_mode is ${saveMode}`, {
      hint: 'remove the file or set save_mode: overwrite',
    });
  }
  const chosen = await predictModelUri({
    cfg,
    recipe: ctx.recipe,
    recipeDir: ctx.recipeDir,
    ...(ctx.trackingUri ? { trackingUri: ctx.trackingUri } : {}),
  });
  const uri = chosen.uri;
  if (chosen.note) ctx.log(`scoring with ${uri}: ${chosen.note}`);
  const dataset = readArrowDataset(join(inputDir(ctx, 'ingest_scoring', 'predict'), INGEST_DATASET_FILE));
  const { loadModelFromUri } = await import('../registry/model-uri.js');
  const model = await loadModelFromUri(uri, chosen.trackingUri ? { trackingUri: chosen.trackingUri } : {});
  const started = performance.now();
  const scored = await scoreDataset(model, dataset, {
    ...scoreOptions(ctx.recipe),
    ...(cfg?.result_type ? { resultType: cfg.result_type } : {}),
  });
  const seconds = (performance.now() - started) / 1000;

  const own = `predictions.${EXTENSIONS[format]}`;
  await writeScoredFile(join(ctx.outDir, own), scored, format);
  let wrote = false;
  if (!(existsSync(target) && saveMode === 'ignore')) {
    // Copy then rename: the location never holds a half-written file.
    mkdirSync(dirname(target), { recursive: true });
    copyFileAtomic(join(ctx.outDir, own), target);
    wrote = true;
  } else {
    ctx.log(`${location} exists and save_mode is ignore: left it as it is`);
  }
  ctx.log(`scored ${dataset.frame.nRows} rows in ${seconds.toFixed(2)}s${wrote ? ` → ${location}` : ''}`);

  return {
    metrics: { scored_rows: dataset.frame.nRows },
    params: { model_uri: uri },
    outputs: { predictions: own },
    card: {
      step: 'predict',
      data: {
        model_uri: uri,
        model_uuid: model.mlmodel.model_uuid,
        rows: dataset.frame.nRows,
        output: { using: format, location, written: wrote },
        predict_seconds: seconds,
      },
      sections: predictionSections(scored.predictions, uri, location, wrote, cfg?.skip_data_profiling === true),
    },
  };
}

function predictionSections(
  predictions: Float64Array | string[],
  uri: string,
  location: string,
  wrote: boolean,
  /** MLflow's skip_data_profiling: no summary of the scored values. */
  skipProfile: boolean,
): CardSection[] {
  const sections: CardSection[] = [
    {
      title: 'Summary',
      html:
        `<p>Scored ${predictions.length} rows with <code>${escapeHtml(uri)}</code>; ` +
        `${wrote ? 'wrote' : 'left unchanged'} <code>${escapeHtml(location)}</code>.</p>`,
    },
  ];
  if (skipProfile) return sections;
  if (predictions instanceof Float64Array) {
    const sorted = Float64Array.from(predictions).sort();
    const q = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : Number.NaN;
    sections.push({
      title: 'Predictions',
      html: htmlTable({
        headers: ['min', 'p25', 'median', 'p75', 'max'],
        rows: [[q(0), q(0.25), q(0.5), q(0.75), sorted[sorted.length - 1] ?? Number.NaN]],
      }),
    });
  } else {
    const counts = new Map<string, number>();
    for (const label of predictions) counts.set(label, (counts.get(label) ?? 0) + 1);
    const labels = [...counts.keys()].sort();
    sections.push({
      title: 'Predicted classes',
      html: svgBarChart({
        title: 'Rows per predicted class',
        labels,
        values: labels.map((l) => counts.get(l) ?? 0),
      }),
    });
  }
  return sections;
}
