import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  REPORT_FILES,
  writeGateReport
} from "./chunk-chunk-4YWAMO4U.js";
import {
  MODEL_DIR,
  VALIDATION_FILE
} from "./chunk-chunk-EM6OGXNR.js";
import {
  inputDir,
  readSplitDataset,
  recipeProblem
} from "./chunk-chunk-5OY5P45V.js";
import {
  escapeHtml,
  htmlTable
} from "./chunk-chunk-ZPTZ34P2.js";
import {
  customMetricsCodeFiles
} from "./chunk-chunk-YHLBZP67.js";
import "./chunk-chunk-VH62VMQR.js";
import {
  describeGateFailures,
  greaterIsBetter,
  parseGateThresholds
} from "./chunk-chunk-TZ7D3SGX.js";
import {
  modelContentDigest
} from "./chunk-chunk-W6AIFH5D.js";
import "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-VDD6CXJ7.js";
import {
  validateAlias,
  validateModelName
} from "./chunk-chunk-EDN5TED2.js";
import {
  loadUserFunction
} from "./chunk-chunk-2HMFR572.js";
import "./chunk-chunk-NPUIUAV7.js";
import "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import "./chunk-chunk-T77SP7Q2.js";
import "./chunk-chunk-5AC5CY3N.js";
import {
  ConfigError,
  DataError,
  GateRejectedError,
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/steps/register.ts
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
var DEFAULT_BASELINE_ALIAS = "champion";
var REGISTER_TAGS = {
  validationStatus: "validation_status",
  previousHolder: (alias) => `mlrecipe.previous_${alias}_version`,
  /** `sha256:…` of the model's content: what "the same model" means (src/models/content-digest.ts). */
  modelDigest: "mlrecipe.model_digest",
  /** Train's fingerprint: the data, config and code the model came from. */
  pipelineFingerprint: "mlrecipe.pipeline_fingerprint",
  /** Why the version was promoted without a baseline comparison (on_baseline_error, --force). */
  forced: "mlrecipe.gate.forced"
};
var MAX_VERSION_TAG_VALUE = 5e3;
var GATE_RUN_TAGS = {
  /** PROMOTED, UNCHANGED or REJECTED. */
  status: "mlrecipe.gate.status",
  modelName: "mlrecipe.registered_model_name",
  modelVersion: "mlrecipe.registered_model_version",
  validationStatus: "validation_status",
  /** MLflow Recipes' name for evaluate's verdict (its `model_validation_status` output). */
  modelValidationStatus: "model_validation_status",
  candidateDigest: "mlrecipe.gate.candidate_digest",
  /** Same key, same decision: see decisionKey. */
  decisionKey: "mlrecipe.gate.decision_key",
  /** The run whose rejection this run reported instead of deciding again. */
  cachedFrom: "mlrecipe.gate.decided_by_run"
};
function configIssue(path, message, hint) {
  return new ConfigError([
    { file: "recipe.yaml", line: 0, column: 0, path, message, ...hint ? { hint } : {} }
  ]);
}
function section(recipe, key) {
  const value = recipe[key];
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
function registerModelName(cfg, recipe) {
  const name = cfg?.model_name ?? section(recipe, "model_registry").model_name;
  if (typeof name !== "string" || name.trim() === "") {
    throw configIssue(
      "model_registry.model_name",
      "is missing: the register step needs the name of the registered model",
      "set model_registry: {model_name: my-model} (or steps.register.model_name)"
    );
  }
  return name;
}
function registerThresholds(cfg, recipe, directions) {
  const thresholds = parseGateThresholds(cfg?.validation_thresholds, {
    file: "recipe.yaml",
    path: "steps.register.validation_thresholds",
    directions
  });
  if (Object.keys(thresholds).length > 0) return thresholds;
  const problem = recipeProblem(recipe);
  const primary = typeof recipe.primary_metric === "string" ? recipe.primary_metric : problem.problemType === "regression" ? "root_mean_squared_error" : "f1_score";
  const greater = directions[primary] ?? greaterIsBetter(primary);
  if (greater === void 0) {
    throw configIssue("primary_metric", `unknown metric "${primary}"`, "name a built-in or custom metric");
  }
  return { [primary]: { min_absolute_change: 0, greater_is_better: greater } };
}
function customMetricsOf(recipe) {
  const list = recipe.custom_metrics;
  return Array.isArray(list) ? list : [];
}
var registerStep = {
  kind: "register",
  alwaysRun: true,
  codeFiles: customMetricsCodeFiles,
  async inputFiles() {
    return [];
  },
  run: runRegister
};
function readValidation(evaluateDir) {
  const path = join(evaluateDir, VALIDATION_FILE);
  if (!existsSync(path)) return "UNKNOWN";
  const report = JSON.parse(readFileSync(path, "utf8"));
  return report.validation_status ?? "UNKNOWN";
}
async function loadCustomMetrics(recipe, recipeDir, wanted) {
  const out = [];
  for (const metric of customMetricsOf(recipe)) {
    if (!wanted.has(metric.name)) continue;
    const fn = await loadUserFunction({
      recipeDir,
      step: "custom_metrics",
      name: metric.function
    });
    out.push({ name: metric.name, compute: (scored) => fn({ split: "test", ...scored }) });
  }
  return out;
}
async function baselineVersion(registry, name, alias) {
  try {
    return await registry.getModelVersionByAlias(name, alias);
  } catch (error) {
    if (error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_DOES_NOT_EXIST") return void 0;
    throw error;
  }
}
async function logReportToRun(ctx, dir) {
  if (!ctx.runId || !ctx.trackingUri) return;
  try {
    if (ctx.store) {
      const run = await ctx.store.getRun(ctx.runId);
      const { LocalArtifactRepository: LocalArtifactRepository2 } = await import("./chunk-artifact-repo-JW2P7W53.js");
      const repo = new LocalArtifactRepository2(run.info.artifact_uri);
      for (const file of Object.values(REPORT_FILES)) await repo.logArtifact(join(dir, file), "gate");
      return;
    }
    const { LocalArtifactRepository, openTrackingStore, resolveTrackingUri } = await import("./chunk-tracking-RHGRVUZK.js");
    const resolved = resolveTrackingUri({ flag: ctx.trackingUri, cwd: ctx.recipeDir });
    const store = await openTrackingStore(resolved.uri, {
      defaultArtifactRoot: resolved.defaultArtifactRoot
    });
    try {
      const run = await store.getRun(ctx.runId);
      const repo = new LocalArtifactRepository(run.info.artifact_uri);
      for (const file of Object.values(REPORT_FILES)) await repo.logArtifact(join(dir, file), "gate");
    } finally {
      await store.close();
    }
  } catch (error) {
    ctx.log(`warning: could not attach the gate report to run ${ctx.runId}: ${error.message}`);
  }
}
function versionDigest(version, dir) {
  const tagged = version.tags?.find((t) => t.key === REGISTER_TAGS.modelDigest)?.value;
  return tagged ?? modelContentDigest(dir);
}
function decisionKey(options) {
  const text = JSON.stringify({
    register: options.registerFingerprint,
    candidate: options.candidate.modelDigest,
    baseline: options.baseline ?? null
  });
  return createHash("sha256").update(text).digest("hex");
}
async function earlierRejection(ctx, key) {
  if (!ctx.store || !ctx.experimentId) return void 0;
  const { runs } = await ctx.store.searchRuns({
    experimentIds: [ctx.experimentId],
    filter: `tags.\`${GATE_RUN_TAGS.decisionKey}\` = '${key}' and tags.\`${GATE_RUN_TAGS.validationStatus}\` = 'REJECTED' and attributes.status = 'FINISHED'`,
    orderBy: ["attributes.start_time DESC"],
    maxResults: 1
  });
  const run = runs[0];
  if (!run || run.info.run_id === ctx.runId) return void 0;
  try {
    const { localPathFromArtifactUri } = await import("./chunk-artifact-repo-JW2P7W53.js");
    const path = join(localPathFromArtifactUri(run.info.artifact_uri), "gate", REPORT_FILES.json);
    const report = JSON.parse(readFileSync(path, "utf8"));
    return report.decision === "REJECT" ? { runId: run.info.run_id, report } : void 0;
  } catch {
    return void 0;
  }
}
function rejectionTags(options) {
  return {
    [GATE_RUN_TAGS.status]: "REJECTED",
    [GATE_RUN_TAGS.validationStatus]: "REJECTED",
    [GATE_RUN_TAGS.modelValidationStatus]: "REJECTED",
    [GATE_RUN_TAGS.modelName]: options.name,
    [GATE_RUN_TAGS.candidateDigest]: options.candidate.modelDigest,
    ...options.key ? { [GATE_RUN_TAGS.decisionKey]: options.key } : {},
    ...options.cachedFrom ? { [GATE_RUN_TAGS.cachedFrom]: options.cachedFrom } : {}
  };
}
async function runRegister(cfg, ctx) {
  const recipe = ctx.recipe;
  const problem = recipeProblem(recipe);
  const name = registerModelName(cfg, recipe);
  validateModelName(name);
  const alias = cfg?.baseline_alias ?? DEFAULT_BASELINE_ALIAS;
  validateAlias(alias);
  const directions = {};
  for (const metric of customMetricsOf(recipe)) directions[metric.name] = metric.greater_is_better;
  const thresholds = registerThresholds(cfg, recipe, directions);
  const onBaselineError = cfg?.on_baseline_error ?? "fail";
  if (onBaselineError !== "fail" && onBaselineError !== "promote") {
    throw configIssue(
      "steps.register.on_baseline_error",
      `must be fail or promote, not ${JSON.stringify(onBaselineError)}`,
      "fail stops when the champion cannot score the data; promote gates on the absolute thresholds alone"
    );
  }
  const validationStatus = readValidation(inputDir(ctx, "evaluate", "register"));
  const modelDir = join(inputDir(ctx, "train", "register"), MODEL_DIR);
  const { resolveTrackingUri } = await import("./chunk-tracking-uri-VU4R5KOW.js");
  const registryFlag = cfg?.registry_uri ?? section(recipe, "model_registry").registry_uri ?? ctx.trackingUri;
  const resolved = resolveTrackingUri({ flag: registryFlag, cwd: ctx.recipeDir });
  const { modelVersionDirectory } = await import("./chunk-version-files-PJ4L7T4Q.js");
  const sharesRunStore = ctx.store !== void 0 && registryFlag === ctx.trackingUri && resolved.backend === "sqlite";
  const registry = sharesRunStore && ctx.store ? (await import("./chunk-sql-registry-IU5KSP5I.js")).registryForTrackingStore(ctx.store) : await (await import("./chunk-open-registry-6JKE2AW7.js")).openModelRegistry(resolved.uri, {
    defaultArtifactRoot: resolved.defaultArtifactRoot
  });
  try {
    const identity = {
      modelDigest: modelContentDigest(modelDir),
      ...ctx.inputFingerprints?.train ? { pipelineFingerprint: ctx.inputFingerprints.train } : {}
    };
    const holder = await baselineVersion(registry, name, alias);
    let holderDir;
    let holderDigest;
    if (holder) {
      holderDir = modelVersionDirectory(holder);
      holderDigest = versionDigest(holder, holderDir);
      if (holderDigest === identity.modelDigest) {
        const samePipeline = identity.pipelineFingerprint !== void 0 && holder.tags?.find((t) => t.key === REGISTER_TAGS.pipelineFingerprint)?.value === identity.pipelineFingerprint;
        ctx.log(
          `unchanged: the model is identical to ${name}@${alias} (version ${holder.version}; same model bytes${samePipeline ? " and pipeline fingerprint" : ""}): nothing to register`
        );
        return result({
          ctx,
          status: "UNCHANGED",
          name,
          version: holder.version,
          sections: [
            {
              title: "Registry",
              html: `<p>Unchanged: the candidate is identical to <code>${escapeHtml(`${name}@${alias}`)}</code> (version ${escapeHtml(holder.version)}, <code>${escapeHtml(identity.modelDigest)}</code>).</p>`
            }
          ]
        });
      }
    }
    const key = ctx.fingerprint ? decisionKey({
      registerFingerprint: ctx.fingerprint,
      candidate: identity,
      ...holder && holderDigest ? { baseline: { name, alias, version: holder.version, digest: holderDigest } } : {}
    }) : void 0;
    const earlier = key ? await earlierRejection(ctx, key) : void 0;
    if (earlier) {
      writeGateReport(ctx.outDir, earlier.report);
      await logReportToRun(ctx, ctx.outDir);
      ctx.log(
        `the same candidate was rejected by run ${earlier.runId}: reporting that decision (not re-scored)`
      );
      const against = holder ? `${name}@${alias} (version ${holder.version})` : "the absolute thresholds";
      const lines = [
        describeGateFailures(earlier.report.gate),
        ...(earlier.report.notes ?? []).map((n) => `  ${n}`)
      ].filter(Boolean);
      throw new GateRejectedError(
        `the baseline gate rejected the model against ${against} (decided by run ${earlier.runId} for the same model, data and thresholds; not re-scored):
${lines.join("\n")}
The registry is unchanged: ${alias} stays ${holder ? `version ${holder.version}` : "unset"}.`,
        {
          hint: "improve the model, or change steps.register.validation_thresholds / steps.evaluate.validation_criteria",
          tags: rejectionTags({ name, key, candidate: identity, cachedFrom: earlier.runId })
        }
      );
    }
    const [{ loadModel }, { compareModels }, { registerModel }] = await Promise.all([
      import("./chunk-load-5HO6KQJG.js"),
      import("./chunk-score-model-4L7VK3A3.js"),
      import("./chunk-register-model-3TDHXFEB.js")
    ]);
    const candidate = await loadModel(modelDir);
    const baseline = holderDir ? await loadModel(holderDir) : void 0;
    const test = readSplitDataset(inputDir(ctx, "split", "register"), "test.arrow");
    if (test.frame.nRows === 0) {
      throw new DataError("the test split is empty: the gate has no rows to compare the models on", {
        hint: "give the test split a share in steps.split.split_ratios"
      });
    }
    const customMetrics = await loadCustomMetrics(recipe, ctx.recipeDir, new Set(Object.keys(thresholds)));
    const where = "test split";
    const comparison = await compareModels({
      candidate,
      ...baseline ? { baseline } : {},
      dataset: test,
      thresholds,
      targetCol: problem.targetCol,
      where,
      customMetrics,
      directions,
      ...holder ? { baselineLabel: `${name} version ${holder.version} (@${alias})` } : {},
      onBaselineError: onBaselineError === "promote" ? "skip" : "fail",
      baselineErrorHint: "the data's columns changed since the champion was trained, so the two cannot be compared: set steps.register.on_baseline_error: promote to gate this model on the absolute thresholds alone (the new version is tagged mlrecipe.gate.forced), or check with `recipe gate --force`"
    });
    const forced = comparison.baselineError ? `on_baseline_error: promote; ${name} version ${holder?.version ?? "?"} could not score the test split (${comparison.baselineError.message.split("\n")[0]})`.slice(0, MAX_VERSION_TAG_VALUE) : void 0;
    if (forced) ctx.log(`warning: ${forced}; gating on the absolute thresholds alone`);
    const notes = validationStatus === "REJECTED" ? ["evaluate's validation_criteria REJECTED the model (see the evaluate card)"] : [];
    const passed = comparison.gate.passed && notes.length === 0;
    const report = {
      decision: passed ? "PROMOTE" : "REJECT",
      candidate: { uri: modelDir, label: `train's model${ctx.runId ? ` (run ${ctx.runId})` : ""}` },
      ...holder ? {
        baseline: {
          uri: `models:/${name}@${alias}`,
          label: `${name} version ${holder.version}`
        }
      } : {},
      data: where,
      rows: comparison.rows,
      gate: comparison.gate,
      candidate_metrics: comparison.candidateMetrics,
      ...comparison.baselineMetrics ? { baseline_metrics: comparison.baselineMetrics } : {},
      ...notes.length ? { notes } : {},
      ...comparison.baselineError ? {
        warnings: [
          `${comparison.baselineError.message}
Gated on the absolute thresholds alone (on_baseline_error: promote).`
        ]
      } : {},
      created: (/* @__PURE__ */ new Date()).toISOString()
    };
    writeGateReport(ctx.outDir, report);
    await logReportToRun(ctx, ctx.outDir);
    for (const r of comparison.gate.results)
      ctx.log(`${r.passed ? "pass" : "FAIL"} ${r.metric}: ${r.reason}`);
    const versionTags = (status) => [
      { key: REGISTER_TAGS.validationStatus, value: status },
      { key: REGISTER_TAGS.modelDigest, value: identity.modelDigest },
      ...identity.pipelineFingerprint ? [{ key: REGISTER_TAGS.pipelineFingerprint, value: identity.pipelineFingerprint }] : [],
      ...holder ? [{ key: REGISTER_TAGS.previousHolder(alias), value: holder.version }] : [],
      ...forced ? [{ key: REGISTER_TAGS.forced, value: forced }] : []
    ];
    if (!passed) {
      let kept = "";
      if (cfg?.allow_non_validated_model === true) {
        const version2 = await registerModel({
          store: registry,
          localDir: modelDir,
          name,
          ...ctx.runId ? { runId: ctx.runId } : {},
          tags: versionTags("REJECTED")
        });
        kept = ` Registered ${name} version ${version2.version} tagged validation_status=REJECTED, without the alias (allow_non_validated_model).`;
      }
      const against = holder ? `${name}@${alias} (version ${holder.version})` : "the absolute thresholds";
      const lines = [describeGateFailures(comparison.gate), ...notes.map((n) => `  ${n}`)].filter(Boolean);
      throw new GateRejectedError(
        `the baseline gate rejected the model against ${against}:
${lines.join("\n")}
${kept ? kept.trim() : `The registry is unchanged: ${alias} stays ${holder ? `version ${holder.version}` : "unset"}.`}`,
        {
          hint: "improve the model, or change steps.register.validation_thresholds / steps.evaluate.validation_criteria",
          tags: rejectionTags({ name, ...key ? { key } : {}, candidate: identity })
        }
      );
    }
    const versionStatus = validationStatus === "VALIDATED" ? "VALIDATED" : "PASSED_GATE";
    const version = await registerModel({
      store: registry,
      localDir: modelDir,
      name,
      ...ctx.runId ? { runId: ctx.runId } : {},
      tags: versionTags(versionStatus)
    });
    const now = await baselineVersion(registry, name, alias);
    if ((now?.version ?? null) !== (holder?.version ?? null)) {
      throw new GateRejectedError(
        `${name}@${alias} moved to version ${now?.version ?? "(none)"} while the gate compared against ${holder?.version ?? "no baseline"}; registered version ${version.version} without the alias`,
        { hint: "run the recipe again to compare against the new holder" }
      );
    }
    await registry.setRegisteredModelAlias(name, alias, version.version);
    ctx.log(
      `registered ${name} version ${version.version} as @${alias}${holder ? ` (was version ${holder.version})` : ""}`
    );
    writeFileSync(join(ctx.outDir, "registered.json"), `${JSON.stringify(version, null, 2)}
`);
    return result({
      ctx,
      status: "PROMOTED",
      name,
      version: version.version,
      gate: comparison.gate,
      modelValidationStatus: validationStatus,
      sections: gateSections(comparison.gate, `${name} version ${version.version} is now @${alias}.`),
      extraOutputs: { registered: "registered.json" }
    });
  } finally {
    await registry.close();
  }
}
function result(options) {
  const outputs = { ...options.extraOutputs ?? {} };
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
      ...options.modelValidationStatus ? { [GATE_RUN_TAGS.modelValidationStatus]: options.modelValidationStatus } : {}
    },
    outputs,
    card: {
      step: "register",
      data: {
        status: options.status,
        model_name: options.name,
        version: options.version,
        ...options.gate ? { gate: options.gate } : {}
      },
      sections: options.sections
    }
  };
}
function gateSections(gate, summary) {
  return [
    { title: "Registry", html: `<p>${escapeHtml(summary)}</p>` },
    {
      title: "Baseline gate",
      html: gate.results.length ? htmlTable({
        headers: ["metric", "candidate", "baseline", "result", "why"],
        rows: gate.results.map((r) => [
          r.metric,
          r.candidate ?? "",
          r.baseline ?? "",
          r.passed ? "pass" : "FAIL",
          r.reason
        ])
      }) : "<p>No thresholds.</p>"
    }
  ];
}
export {
  DEFAULT_BASELINE_ALIAS,
  GATE_RUN_TAGS,
  REGISTER_TAGS,
  registerModelName,
  registerStep,
  registerThresholds
};
