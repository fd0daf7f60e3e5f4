/**
 * The register step: the baseline gate inside `recipe run`. It re-scores the candidate (train's
 * model) and the baseline (the registry version behind `baseline_alias`, `champion` by default)
 * on the same test split, applies `validation_thresholds` with MLflow's MetricThreshold
 * semantics (src/registry/gate.ts), and only then touches the registry:
 *
 * - pass: a new version is registered (tagged `validation_status` and, when there was a holder,
 *   `mlrecipe.previous_<alias>_version`) and the alias moves to it;
 * - fail: nothing is registered, and the step fails with a GateRejectedError naming each failed
 *   metric, so `recipe run` exits 3 — or, with `allow_non_validated_model: true` (and evaluate did
 *   not REJECT the model), a version tagged `validation_status=REJECTED` that does not get the
 *   alias is registered and the step succeeds.
 *
 * Evaluate's `validation_status` counts too: a model the `validation_criteria` REJECTED is never
 * promoted. A rejection is a decision, not an error: the recipe run ends FINISHED with
 * `validation_status=REJECTED` (and MLflow's `model_validation_status`), and `recipe run` exits 3.
 *
 * Identity is decided by content. When the candidate's model bytes (src/models/content-digest.ts)
 * equal the alias holder's, the candidate is reported `UNCHANGED`: nothing is registered and the
 * step passes, whether train was cached or retrained after `recipe clean`. Versions carry their
 * digest and train's fingerprint (data, config, code) as tags. A rejection is tagged on the run
 * with a decision key (register's fingerprint, the candidate's digest, the holder's version and
 * digest); a later run with the same key reports that rejection from the tracking store instead
 * of scoring both models again.
 *
 * Config (`steps.register`): `model_name` (else MLflow's top-level `model_registry.model_name`),
 * `registry_uri` (else `model_registry.registry_uri`, else the run's tracking URI),
 * `baseline_alias`, `validation_thresholds: {metric: {threshold, min_absolute_change,
 * min_relative_change, greater_is_better}}`, `allow_non_validated_model`. Without thresholds the
 * gate asks that `primary_metric` be at least as good as the baseline's.
 *
 * The registry is state outside the recipe (another run or `recipe models alias` can move the
 * alias), so this step is never served from the cache (`alwaysRun`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError, GateRejectedError, StoreError } from '../errors.js';
import { escapeHtml, htmlTable } from './cards.js';
import {
  describeGateFailures,
  type GateResult,
  type GateThresholds,
  greaterIsBetter,
  parseGateThresholds,
} from '../registry/gate.js';
import { type GateReport, REPORT_FILES, writeGateReport } from '../registry/gate-report.js';
import { validateAlias, validateModelName } from '../registry/registry-validation.js';
import type { CustomMetric } from '../registry/score-model.js';
import type { ModelVersion } from '../registry/types.js';
// Types only: evaluate.ts brings train, transform and the model stack, which a register that
// finds the candidate unchanged never needs (its loader is imported where metrics are loaded).
import type { CustomMetricConfig, ValidationReport } from './evaluate.js';
import { inputDir, readSplitDataset, recipeProblem } from './recipe-problem.js';
import { customMetricsCodeFiles } from './code-files.js';
import { MODEL_DIGEST_FILE, MODEL_DIR, VALIDATION_FILE } from './output-files.js';
import type { CardSection, Step, StepContext, StepResult } from './types.js';
import type { RegisterConfig } from './recipe-config.js';

/** Declared once, in schema/recipe.schema.json. */
export type { RegisterConfig };

export const DEFAULT_BASELINE_ALIAS = 'champion';

/** Tags the register step writes on model versions. */
export const REGISTER_TAGS = {
  validationStatus: 'validation_status',
  previousHolder: (alias: string) => `mlrecipe.previous_${alias}_version`,
  /** `sha256:…` of the model's content: what "the same model" means (src/models/content-digest.ts). */
  modelDigest: 'mlrecipe.model_digest',
  /** Train's fingerprint: the data, config and code the model came from. */
  pipelineFingerprint: 'mlrecipe.pipeline_fingerprint',
  /** Why the version was promoted without a baseline comparison (on_baseline_error, --force). */
  forced: 'mlrecipe.gate.forced',
} as const;

/** MLflow's limit on a model version tag's value. */
const MAX_VERSION_TAG_VALUE = 5000;

/** Tags the register step sets on the recipe's tracking run. */
export const GATE_RUN_TAGS = {
  /** PROMOTED, UNCHANGED or REJECTED. */
  status: 'mlrecipe.gate.status',
  modelName: 'mlrecipe.registered_model_name',
  modelVersion: 'mlrecipe.registered_model_version',
  validationStatus: 'validation_status',
  /** MLflow Recipes' name for evaluate's verdict (its `model_validation_status` output). */
  modelValidationStatus: 'model_validation_status',
  candidateDigest: 'mlrecipe.gate.candidate_digest',
  /** Same key, same decision: see decisionKey. */
  decisionKey: 'mlrecipe.gate.decision_key',
  /** The run whose rejection this run reported instead of deciding again. */
  cachedFrom: 'mlrecipe.gate.decided_by_run',
} as const;

function configIssue(path: string, message: string, hint?: string): ConfigError {
  return new ConfigError([
    { file: 'recipe.yaml', line: 0, column: 0, path, message, ...(hint ? { hint } : {}) },
  ]);
}

function section(recipe: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = recipe[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The registered model name: steps.register.model_name, else model_registry.model_name. */
export function registerModelName(cfg: RegisterConfig | undefined, recipe: Record<string, unknown>): string {
  const name = cfg?.model_name ?? section(recipe, 'model_registry').model_name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw configIssue(
      'model_registry.model_name',
      'is missing: the register step needs the name of the registered model',
      'set model_registry: {model_name: my-model} (or steps.register.model_name)',
    );
  }
  return name;
}

/** validation_thresholds, or "primary_metric at least as good as the baseline" when none are set. */
export function registerThresholds(
  cfg: RegisterConfig | undefined,
  recipe: Record<string, unknown>,
  directions: Readonly<Record<string, boolean>>,
): GateThresholds {
  const thresholds = parseGateThresholds(cfg?.validation_thresholds, {
    file: 'recipe.yaml',
    path: 'steps.register.validation_thresholds',
    directions,
  });
  if (Object.keys(thresholds).length > 0) return thresholds;
  const problem = recipeProblem(recipe);
  const primary =
    typeof recipe.primary_metric === 'string'
      ? recipe.primary_metric
      : problem.problemType === 'regression'
        ? 'root_mean_squared_error'
        : 'f1_score';
  const greater = directions[primary] ?? greaterIsBetter(primary);
  if (greater === undefined) {
    throw configIssue('primary_metric', `unknown metric "${primary}"`, 'name a built-in or custom metric');
  }
  return { [primary]: { min_absolute_change: 0, greater_is_better: greater } };
}

function customMetricsOf(recipe: Record<string, unknown>): CustomMetricConfig[] {
  const list = recipe.custom_metrics;
  return Array.isArray(list) ? (list as CustomMetricConfig[]) : [];
}

export const registerStep: Step<RegisterConfig> = {
  kind: 'register',
  alwaysRun: true,
  codeFiles: customMetricsCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runRegister,
};

function readValidation(evaluateDir: string): ValidationReport['validation_status'] {
  const path = join(evaluateDir, VALIDATION_FILE);
  if (!existsSync(path)) return 'UNKNOWN';
  const report = JSON.parse(readFileSync(path, 'utf8')) as Partial<ValidationReport>;
  return report.validation_status ?? 'UNKNOWN';
}

async function loadCustomMetrics(
  recipe: Record<string, unknown>,
  recipeDir: string,
  wanted: ReadonlySet<string>,
): Promise<CustomMetric[]> {
  const out: CustomMetric[] = [];
  for (const metric of customMetricsOf(recipe)) {
    // Only the custom metrics a threshold names: the others cost time and decide nothing here.
    if (!wanted.has(metric.name)) continue;
    const { loadCustomMetricFunction } = await import('./evaluate.js');
    const fn = await loadCustomMetricFunction({ recipeDir, name: metric.function, python: recipe.python });
    out.push({ name: metric.name, compute: (scored) => fn({ split: 'test', ...scored }) });
  }
  return out;
}

async function baselineVersion(
  registry: import('../registry/types.js').ModelRegistryStore,
  name: string,
  alias: string,
): Promise<ModelVersion | undefined> {
  try {
    return await registry.getModelVersionByAlias(name, alias);
  } catch (error) {
    if (error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw error;
  }
}

/**
 * Puts the gate report into the recipe's tracking run under `gate/`, so the run says why the
 * model was promoted or rejected even when the step failed (a failed step's outputs are not
 * kept in the cache). Best effort: the registry decision stands whether or not this works.
 */
async function logReportToRun(ctx: StepContext, dir: string): Promise<void> {
  if (!ctx.runId || !ctx.trackingUri) return;
  try {
    const { artifactRepositoryForUri, openTrackingStore, resolveTrackingUri } =
      await import('../tracking/index.js');
    const resolved = resolveTrackingUri({ flag: ctx.trackingUri, cwd: ctx.recipeDir });
    // The engine's open store when there is one: no second connection to the same database.
    const store =
      ctx.store ??
      (await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot }));
    try {
      const run = await store.getRun(ctx.runId);
      // The run's artifact URI decides: a local directory, or a tracking server's artifact proxy.
      const repo = artifactRepositoryForUri(run.info.artifact_uri, { trackingUri: resolved.uri });
      for (const file of Object.values(REPORT_FILES)) await repo.logArtifact(join(dir, file), 'gate');
    } finally {
      if (store !== ctx.store) await store.close();
    }
  } catch (error) {
    ctx.log(`warning: could not attach the gate report to run ${ctx.runId}: ${(error as Error).message}`);
  }
}

/**
 * The digest the train step recorded beside its model (output-files.ts), or undefined for an
 * entry written before train recorded it, or a train step that does not.
 */
function recordedModelDigest(trainDir: string): string | undefined {
  try {
    const text = readFileSync(join(trainDir, MODEL_DIGEST_FILE), 'utf8').trim();
    return /^sha256:[0-9a-f]{64}$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A model directory's content digest, computing it: that reads every file and parses MLmodel
 * (the YAML parser), so the module loads only when no recorded digest or version tag says it.
 */
async function modelContentDigest(dir: string): Promise<string> {
  return (await import('../models/content-digest.js')).modelContentDigest(dir);
}

/** What identifies a candidate: its model's content and the pipeline that produced it. */
interface CandidateIdentity {
  /** `sha256:…` of the model directory's content (src/models/content-digest.ts). */
  modelDigest: string;
  /** Train's fingerprint: the data, config and code the model came from (undefined outside the engine). */
  pipelineFingerprint?: string;
}

/**
 * The key of a gate decision: the same candidate (model bytes), the same register step (its
 * fingerprint covers the test split, thresholds, custom metric code and evaluate's verdict) and the
 * same baseline (version and bytes) reach the same decision, so it need not be computed twice.
 */
function decisionKey(options: {
  registerFingerprint: string;
  candidate: CandidateIdentity;
  baseline?: { name: string; alias: string; version: string; digest: string };
}): string {
  const text = JSON.stringify({
    register: options.registerFingerprint,
    candidate: options.candidate.modelDigest,
    baseline: options.baseline ?? null,
  });
  return createHash('sha256').update(text).digest('hex');
}

/**
 * An earlier run of this experiment that rejected the same candidate against the same baseline
 * (same decision key), with its gate report; undefined when there is none or it cannot be read.
 */
async function earlierRejection(
  ctx: StepContext,
  key: string,
): Promise<{ runId: string; report: GateReport } | undefined> {
  if (!ctx.store || !ctx.experimentId) return undefined;
  const { runs } = await ctx.store.searchRuns({
    experimentIds: [ctx.experimentId],
    filter: `tags.\`${GATE_RUN_TAGS.decisionKey}\` = '${key}' and tags.\`${GATE_RUN_TAGS.validationStatus}\` = 'REJECTED' and attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
    maxResults: 1,
  });
  const run = runs[0];
  if (!run || run.info.run_id === ctx.runId) return undefined;
  try {
    const { artifactRepositoryForUri, isLocalArtifactUri, localPathFromArtifactUri, resolveTrackingUri } =
      await import('../tracking/index.js');
    let text: string;
    if (isLocalArtifactUri(run.info.artifact_uri)) {
      text = readFileSync(
        join(localPathFromArtifactUri(run.info.artifact_uri), 'gate', REPORT_FILES.json),
        'utf8',
      );
    } else {
      // On a tracking server: fetch the one report file through its artifact proxy.
      const resolved = resolveTrackingUri({ flag: ctx.trackingUri, cwd: ctx.recipeDir });
      const repo = artifactRepositoryForUri(run.info.artifact_uri, { trackingUri: resolved.uri });
      const temp = mkdtempSync(join(tmpdir(), 'mlrecipe-gate-'));
      try {
        text = readFileSync(await repo.downloadArtifacts(`gate/${REPORT_FILES.json}`, temp), 'utf8');
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    }
    const report = JSON.parse(text) as GateReport;
    return report.decision === 'REJECT' ? { runId: run.info.run_id, report } : undefined;
  } catch {
    // No readable report (deleted artifacts, a remote artifact store): decide again.
    return undefined;
  }
}

function rejectionTags(options: {
  name: string;
  key?: string;
  candidate: CandidateIdentity;
  cachedFrom?: string;
}): Record<string, string> {
  return {
    [GATE_RUN_TAGS.status]: 'REJECTED',
    [GATE_RUN_TAGS.validationStatus]: 'REJECTED',
    [GATE_RUN_TAGS.modelValidationStatus]: 'REJECTED',
    [GATE_RUN_TAGS.modelName]: options.name,
    [GATE_RUN_TAGS.candidateDigest]: options.candidate.modelDigest,
    ...(options.key ? { [GATE_RUN_TAGS.decisionKey]: options.key } : {}),
    ...(options.cachedFrom ? { [GATE_RUN_TAGS.cachedFrom]: options.cachedFrom } : {}),
  };
}

async function runRegister(cfg: RegisterConfig | undefined, ctx: StepContext): Promise<StepResult> {
  const recipe = ctx.recipe;
  const problem = recipeProblem(recipe);
  const name = registerModelName(cfg, recipe);
  validateModelName(name);
  const alias = cfg?.baseline_alias ?? DEFAULT_BASELINE_ALIAS;
  validateAlias(alias);
  const directions: Record<string, boolean> = {};
  for (const metric of customMetricsOf(recipe)) directions[metric.name] = metric.greater_is_better;
  const thresholds = registerThresholds(cfg, recipe, directions);
  const onBaselineError = cfg?.on_baseline_error ?? 'fail';
  if (onBaselineError !== 'fail' && onBaselineError !== 'promote') {
    throw configIssue(
      'steps.register.on_baseline_error',
      `must be fail or promote, not ${JSON.stringify(onBaselineError)}`,
      'fail stops when the champion cannot score the data; promote gates on the absolute thresholds alone',
    );
  }
  const validationStatus = readValidation(inputDir(ctx, 'evaluate', 'register'));
  const trainDir = inputDir(ctx, 'train', 'register');
  const modelDir = join(trainDir, MODEL_DIR);

  const { resolveTrackingUri } = await import('../tracking/tracking-uri.js');
  const registryFlag =
    cfg?.registry_uri ??
    (section(recipe, 'model_registry').registry_uri as string | undefined) ??
    ctx.trackingUri;
  const resolved = resolveTrackingUri({ flag: registryFlag, cwd: ctx.recipeDir });
  // Only what deciding "unchanged" needs loads here: the model stack (models/load, the
  // estimators) and the scoring code load below, once a candidate is actually compared.
  const { modelVersionDirectory } = await import('../registry/version-files.js');
  // The registry is in the tracking database: when it is the run's own SQLite store, use the
  // engine's open connection instead of opening the database a second time. (A PostgreSQL store
  // is opened again: the recorder keeps artifacts in the repository, the registry by its URI.)
  const sharesRunStore =
    ctx.store !== undefined && registryFlag === ctx.trackingUri && resolved.backend === 'sqlite';
  // The tracking module's files, not its index (which brings export/import and the YAML parser).
  const [{ openTrackingStore }, { isLocalArtifactUri }, { registryForTrackingStore }] = await Promise.all([
    import('../tracking/open-store.js'),
    import('../tracking/artifact-repository.js'),
    import('../registry/registry-for-store.js'),
  ]);
  const registryStore =
    sharesRunStore && ctx.store
      ? ctx.store
      : await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  // A tracking server's registry (http(s)://) keeps its files behind the server's artifact proxy.
  const registry = registryForTrackingStore(registryStore, { closesStore: registryStore !== ctx.store });
  try {
    const identity: CandidateIdentity = {
      modelDigest: recordedModelDigest(trainDir) ?? (await modelContentDigest(modelDir)),
      ...(ctx.inputFingerprints?.train ? { pipelineFingerprint: ctx.inputFingerprints.train } : {}),
    };
    const holder = await baselineVersion(registry, name, alias);
    let holderDir: string | undefined;
    let holderDigest: string | undefined;
    // A holder on a tracking server is downloaded only when its files are needed (no digest tag,
    // or to score it): a no-op run decides "unchanged" from the tag alone.
    const holderFiles = async (version: ModelVersion): Promise<string> =>
      isLocalArtifactUri(version.source) && !/^runs:/i.test(version.source)
        ? modelVersionDirectory(version)
        : (await import('../registry/model-uri.js')).modelVersionFiles(registryStore, version);
    if (holder) {
      if (isLocalArtifactUri(holder.source)) holderDir = await holderFiles(holder);
      const tagged = holder.tags?.find((t) => t.key === REGISTER_TAGS.modelDigest)?.value;
      holderDigest = tagged ?? (await modelContentDigest((holderDir ??= await holderFiles(holder))));
      // Identity by content, not by model id: a retrained model with the same bytes (after
      // `recipe clean`, on another machine) is the champion already, whatever its model_uuid.
      if (holderDigest === identity.modelDigest) {
        const samePipeline =
          identity.pipelineFingerprint !== undefined &&
          holder.tags?.find((t) => t.key === REGISTER_TAGS.pipelineFingerprint)?.value ===
            identity.pipelineFingerprint;
        ctx.log(
          `unchanged: the model is identical to ${name}@${alias} (version ${holder.version}; same model bytes${
            samePipeline ? ' and pipeline fingerprint' : ''
          }): nothing to register`,
        );
        return result({
          ctx,
          status: 'UNCHANGED',
          name,
          version: holder.version,
          sections: [
            {
              title: 'Registry',
              html: `<p>Unchanged: the candidate is identical to <code>${escapeHtml(`${name}@${alias}`)}</code> (version ${escapeHtml(holder.version)}, <code>${escapeHtml(identity.modelDigest)}</code>).</p>`,
            },
          ],
        });
      }
    }
    const key = ctx.fingerprint
      ? decisionKey({
          registerFingerprint: ctx.fingerprint,
          candidate: identity,
          ...(holder && holderDigest
            ? { baseline: { name, alias, version: holder.version, digest: holderDigest } }
            : {}),
        })
      : undefined;
    const earlier = key ? await earlierRejection(ctx, key) : undefined;
    if (earlier) {
      // Reported from the tracking store: the same candidate against the same baseline on the
      // same data reaches the same decision, so nothing is scored (or registered) again.
      writeGateReport(ctx.outDir, earlier.report);
      await logReportToRun(ctx, ctx.outDir);
      ctx.log(
        `the same candidate was rejected by run ${earlier.runId}: reporting that decision (not re-scored)`,
      );
      const against = holder ? `${name}@${alias} (version ${holder.version})` : 'the absolute thresholds';
      const lines = [
        describeGateFailures(earlier.report.gate),
        ...(earlier.report.notes ?? []).map((n) => `  ${n}`),
      ].filter(Boolean);
      throw new GateRejectedError(
        `the baseline gate rejected the model against ${against} (decided by run ${earlier.runId} for the same model, data and thresholds; not re-scored):\n${lines.join('\n')}\nThe registry is unchanged: ${alias} stays ${holder ? `version ${holder.version}` : 'unset'}.`,
        {
          hint: 'improve the model, or change steps.register.validation_thresholds / steps.evaluate.validation_criteria',
          tags: rejectionTags({ name, key, candidate: identity, cachedFrom: earlier.runId }),
        },
      );
    }
    const [{ loadModel }, { compareModels }, { registerModel }] = await Promise.all([
      import('../models/load.js'),
      import('../registry/score-model.js'),
      import('../registry/register-model.js'),
    ]);
    const candidate = await loadModel(modelDir, { python: ctx.recipe.python });
    if (holder) holderDir ??= await holderFiles(holder);
    const baseline = holderDir ? await loadModel(holderDir, { python: ctx.recipe.python }) : undefined;
    // Read the test split only now: a no-op `recipe run` (candidate already holds the alias)
    // returns above without loading the dataset.
    const test = readSplitDataset(inputDir(ctx, 'split', 'register'), 'test.arrow');
    if (test.frame.nRows === 0) {
      throw new DataError('the test split is empty: the gate has no rows to compare the models on', {
        hint: 'give the test split a share in steps.split.split_ratios',
      });
    }
    const customMetrics = await loadCustomMetrics(recipe, ctx.recipeDir, new Set(Object.keys(thresholds)));
    const where = 'test split';
    const comparison = await compareModels({
      candidate,
      ...(baseline ? { baseline } : {}),
      dataset: test,
      thresholds,
      targetCol: problem.targetCol,
      where,
      customMetrics,
      directions,
      ...(holder ? { baselineLabel: `${name} version ${holder.version} (@${alias})` } : {}),
      onBaselineError: onBaselineError === 'promote' ? 'skip' : 'fail',
      baselineErrorHint:
        "the data's columns changed since the champion was trained, so the two cannot be compared: " +
        'set steps.register.on_baseline_error: promote to gate this model on the absolute thresholds alone ' +
        '(the new version is tagged mlrecipe.gate.forced), or check with `recipe gate --force`',
    });
    const forced = comparison.baselineError
      ? `on_baseline_error: promote; ${name} version ${holder?.version ?? '?'} could not score the test split (${
          comparison.baselineError.message.split('\n')[0]
        })`.slice(0, MAX_VERSION_TAG_VALUE)
      : undefined;
    if (forced) ctx.log(`warning: ${forced}; gating on the absolute thresholds alone`);
    const notes =
      validationStatus === 'REJECTED'
        ? ["evaluate's validation_criteria REJECTED the model (see the evaluate card)"]
        : [];
    const passed = comparison.gate.passed && notes.length === 0;
    const report: GateReport = {
      decision: passed ? 'PROMOTE' : 'REJECT',
      candidate: { uri: modelDir, label: `train's model${ctx.runId ? ` (run ${ctx.runId})` : ''}` },
      ...(holder
        ? {
            baseline: {
              uri: `models:/${name}@${alias}`,
              label: `${name} version ${holder.version}`,
            },
          }
        : {}),
      data: where,
      rows: comparison.rows,
      gate: comparison.gate,
      candidate_metrics: comparison.candidateMetrics,
      ...(comparison.baselineMetrics ? { baseline_metrics: comparison.baselineMetrics } : {}),
      ...(notes.length ? { notes } : {}),
      ...(comparison.baselineError
        ? {
            warnings: [
              `${comparison.baselineError.message}\nGated on the absolute thresholds alone (on_baseline_error: promote).`,
            ],
          }
        : {}),
      created: new Date().toISOString(),
    };
    writeGateReport(ctx.outDir, report);
    await logReportToRun(ctx, ctx.outDir);
    for (const r of comparison.gate.results)
      ctx.log(`${r.passed ? 'pass' : 'FAIL'} ${r.metric}: ${r.reason}`);

    const versionTags = (status: string) => [
      { key: REGISTER_TAGS.validationStatus, value: status },
      { key: REGISTER_TAGS.modelDigest, value: identity.modelDigest },
      ...(identity.pipelineFingerprint
        ? [{ key: REGISTER_TAGS.pipelineFingerprint, value: identity.pipelineFingerprint }]
        : []),
      ...(holder ? [{ key: REGISTER_TAGS.previousHolder(alias), value: holder.version }] : []),
      ...(forced ? [{ key: REGISTER_TAGS.forced, value: forced }] : []),
    ];
    // MLflow 2.12's register step (mlflow/recipes/steps/register.py) registers a model evaluate
    // VALIDATED, or one it could not validate (UNKNOWN: no validation_criteria) when
    // allow_non_validated_model is true — never one the criteria REJECTED. mlrecipe's gate (the
    // baseline comparison) stands where MLflow has no check: a model it rejects is, with
    // allow_non_validated_model, registered anyway, tagged validation_status=REJECTED and
    // without the alias, and the step succeeds, as MLflow's does for a model it could not validate.
    if (!passed && cfg?.allow_non_validated_model === true && validationStatus !== 'REJECTED') {
      const version = await registerModel({
        store: registry,
        localDir: modelDir,
        name,
        ...(ctx.runId ? { runId: ctx.runId } : {}),
        tags: versionTags('REJECTED'),
      });
      const against = holder ? `${name}@${alias} (version ${holder.version})` : 'the absolute thresholds';
      ctx.log(
        `the baseline gate rejected the model against ${against}; registered ${name} version ${version.version} tagged validation_status=REJECTED, without the alias (allow_non_validated_model: true)`,
      );
      writeFileSync(join(ctx.outDir, 'registered.json'), `${JSON.stringify(version, null, 2)}\n`);
      return result({
        ctx,
        status: 'NOT_VALIDATED',
        name,
        version: version.version,
        gate: comparison.gate,
        modelValidationStatus: validationStatus,
        sections: gateSections(
          comparison.gate,
          `The gate rejected the model; ${name} version ${version.version} was registered anyway (allow_non_validated_model: true), tagged validation_status=REJECTED. @${alias} stays ${holder ? `version ${holder.version}` : 'unset'}.`,
        ),
        extraOutputs: { registered: 'registered.json' },
      });
    }
    if (!passed) {
      const against = holder ? `${name}@${alias} (version ${holder.version})` : 'the absolute thresholds';
      const lines = [describeGateFailures(comparison.gate), ...notes.map((n) => `  ${n}`)].filter(Boolean);
      const refusedAnyway =
        cfg?.allow_non_validated_model === true
          ? ' allow_non_validated_model registers a model that was not validated, never one the validation_criteria REJECTED (as MLflow Recipes).'
          : '';
      throw new GateRejectedError(
        `the baseline gate rejected the model against ${against}:\n${lines.join('\n')}\nThe registry is unchanged: ${alias} stays ${holder ? `version ${holder.version}` : 'unset'}.${refusedAnyway}`,
        {
          hint: 'improve the model, or change steps.register.validation_thresholds / steps.evaluate.validation_criteria',
          tags: rejectionTags({ name, ...(key ? { key } : {}), candidate: identity }),
        },
      );
    }

    const versionStatus = validationStatus === 'VALIDATED' ? 'VALIDATED' : 'PASSED_GATE';
    const version = await registerModel({
      store: registry,
      localDir: modelDir,
      name,
      ...(ctx.runId ? { runId: ctx.runId } : {}),
      tags: versionTags(versionStatus),
    });
    // The alias may have moved while we scored (another run, `recipe models alias`): promoting
    // over a holder we never compared with would skip the gate.
    const now = await baselineVersion(registry, name, alias);
    if ((now?.version ?? null) !== (holder?.version ?? null)) {
      throw new GateRejectedError(
        `${name}@${alias} moved to version ${now?.version ?? '(none)'} while the gate compared against ${
          holder?.version ?? 'no baseline'
        }; registered version ${version.version} without the alias`,
        { hint: 'run the recipe again to compare against the new holder' },
      );
    }
    await registry.setRegisteredModelAlias(name, alias, version.version);
    ctx.log(
      `registered ${name} version ${version.version} as @${alias}${holder ? ` (was version ${holder.version})` : ''}`,
    );
    writeFileSync(join(ctx.outDir, 'registered.json'), `${JSON.stringify(version, null, 2)}\n`);
    return result({
      ctx,
      status: 'PROMOTED',
      name,
      version: version.version,
      gate: comparison.gate,
      modelValidationStatus: validationStatus,
      sections: gateSections(comparison.gate, `${name} version ${version.version} is now @${alias}.`),
      extraOutputs: { registered: 'registered.json' },
    });
  } finally {
    await registry.close();
  }
}

function result(options: {
  ctx: StepContext;
  /** NOT_VALIDATED: the gate rejected it, allow_non_validated_model registered it without the alias. */
  status: 'PROMOTED' | 'UNCHANGED' | 'NOT_VALIDATED';
  name: string;
  version: string;
  gate?: GateResult;
  /** Evaluate's verdict: VALIDATED or UNKNOWN (MLflow Recipes' model_validation_status). */
  modelValidationStatus?: string;
  sections: CardSection[];
  extraOutputs?: Record<string, string>;
}): StepResult {
  const outputs: Record<string, string> = { ...(options.extraOutputs ?? {}) };
  if (options.gate) {
    outputs.gate_report = REPORT_FILES.markdown;
    outputs.gate_report_json = REPORT_FILES.json;
    outputs.gate_junit = REPORT_FILES.junit;
  }
  return {
    tags: {
      [GATE_RUN_TAGS.status]: options.status,
      [GATE_RUN_TAGS.modelName]: options.name,
      [GATE_RUN_TAGS.modelVersion]: options.version,
      ...(options.modelValidationStatus
        ? { [GATE_RUN_TAGS.modelValidationStatus]: options.modelValidationStatus }
        : {}),
    },
    outputs,
    card: {
      step: 'register',
      data: {
        status: options.status,
        model_name: options.name,
        version: options.version,
        ...(options.gate ? { gate: options.gate } : {}),
      },
      sections: options.sections,
    },
  };
}

function gateSections(gate: GateResult, summary: string): CardSection[] {
  return [
    { title: 'Registry', html: `<p>${escapeHtml(summary)}</p>` },
    {
      title: 'Baseline gate',
      html: gate.results.length
        ? htmlTable({
            headers: ['metric', 'candidate', 'baseline', 'result', 'why'],
            rows: gate.results.map((r) => [
              r.metric,
              r.candidate ?? '',
              r.baseline ?? '',
              r.passed ? 'pass' : 'FAIL',
              r.reason,
            ]),
          })
        : '<p>No thresholds.</p>',
    },
  ];
}
