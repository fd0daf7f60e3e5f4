import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  printJson,
  refuseProtectedOutput
} from "./chunk-chunk-6Y2UQZLY.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  GateRejectedError,
  StoreError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/gate.ts
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
var MAX_FORCED_TAG_VALUE = 5e3;
async function recordForced(options) {
  const value = options.value.slice(0, MAX_FORCED_TAG_VALUE);
  const tag = { key: "mlrecipe.gate.forced", value };
  const models = /^models:/i.test(options.uri);
  const runs = /^runs:/i.test(options.uri);
  if (!models && !runs) return;
  const { openTrackingStore, resolveTrackingUri } = await import("./chunk-tracking-RHGRVUZK.js");
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd: process.cwd() });
  const store = await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    const registry = await import("./chunk-registry-TZKMF4JA.js");
    if (models) {
      const reg = registry.registryForTrackingStore(store);
      const version = await registry.getModelVersionForUri(reg, registry.parseModelsUri(options.uri));
      await reg.setModelVersionTag(version.name, version.version, tag);
      cliStderr().write(`tagged ${version.name} version ${version.version} ${tag.key}
`);
    } else {
      const { runId } = registry.parseRunsUri(options.uri);
      await store.setTag(runId, tag);
      cliStderr().write(`tagged run ${runId} ${tag.key}
`);
    }
  } finally {
    await store.close();
  }
}
function candidateUri(value) {
  return /^[0-9a-f]{32}$/i.test(value) ? `runs:/${value.toLowerCase()}/model` : value;
}
async function readThresholdsFile(path) {
  const { isNode, parseDocument } = await import("./chunk-dist-NYNNL4UG.js");
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --thresholds ${path}: ${error.message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new UsageError(`--thresholds ${path} is not valid YAML: ${doc.errors[0]?.message}`, {
      hint: "give a YAML or JSON file mapping metric names to {threshold, min_absolute_change, ...}"
    });
  }
  for (const path2 of [["steps", "register", "validation_thresholds"], ["validation_thresholds"]]) {
    const node = doc.getIn(path2, true);
    if (node !== void 0) {
      return { value: isNode(node) ? node.toJSON() : node, where: path2.join(".") };
    }
  }
  if (doc.has("steps") || doc.has("recipe")) {
    throw new UsageError(`--thresholds ${path} is a recipe without steps.register.validation_thresholds`, {
      hint: "add them to the recipe, or give a file mapping metric names to {threshold, min_absolute_change, ...}"
    });
  }
  return { value: doc.toJS(), where: "" };
}
function registerGateCommand(program) {
  program.command("gate").description(
    "compare a candidate model with a baseline on the same data (MLflow MetricThreshold semantics); exit 0 promote, 3 reject; writes report.md, report.json and junit.xml with --report-dir"
  ).requiredOption(
    "--candidate <uri|run-id>",
    'the candidate: a model URI or directory, or a run id (its "model")'
  ).option(
    "--baseline <uri>",
    "the baseline, e.g. models:/<name>@champion; a models:/ URI that does not resolve yet means no baseline"
  ).requiredOption("--data <file>", "labelled evaluation data: .csv, .parquet, .json, .arrow").option("--target-col <name>", "the label column (default: the candidate's target column)").option(
    "--thresholds <file>",
    "YAML/JSON: metric \u2192 {threshold, min_absolute_change, min_relative_change, greater_is_better} (default: the primary metric at least as good as the baseline)"
  ).option("--report-dir <dir>", "write report.md, report.json and junit.xml here").option(
    "-t, --content-type <format>",
    "format of --data when its extension does not tell: csv|parquet|json|arrow"
  ).option(
    "--force",
    "when the baseline cannot score --data (its columns changed), gate on the absolute thresholds alone instead of exiting 2; recorded as the tag mlrecipe.gate.forced on the candidate version (models:/) or run"
  ).option("--output <format>", "table or json", "table").action(async (opts, command) => {
    if (opts.output !== "table" && opts.output !== "json") {
      throw new UsageError(`--output must be "table" or "json", not "${opts.output}"`);
    }
    const { trackingUri } = command.optsWithGlobals();
    if (opts.reportDir) await refuseProtectedOutput("--report-dir", opts.reportDir);
    const { parsePredictionFormat, readScoringFile } = await import("./chunk-models-LE47LLKX.js");
    const { loadModelFromUri: loadModel } = await import("./chunk-model-uri-5S4GTC2Q.js");
    const { parseGateThresholds } = await import("./chunk-gate-CNPZXUCI.js");
    const { formatGateMarkdown, writeGateReport } = await import("./chunk-gate-report-EGTDEKO5.js");
    const { compareModels } = await import("./chunk-score-model-4L7VK3A3.js");
    const context = trackingUri ? { trackingUri } : {};
    const thresholdsFile = opts.thresholds ? resolve(opts.thresholds) : void 0;
    const raw = thresholdsFile ? await readThresholdsFile(thresholdsFile) : void 0;
    const uri = candidateUri(opts.candidate);
    const candidate = await loadModel(uri, context);
    let thresholds = raw ? parseGateThresholds(raw.value, { file: thresholdsFile, path: raw.where }) : {};
    if (Object.keys(thresholds).length === 0) {
      const primary = candidate.problemType === "regression" ? "root_mean_squared_error" : "f1_score";
      thresholds = parseGateThresholds(
        { [primary]: { min_absolute_change: 0 } },
        { file: "default", path: "" }
      );
    }
    let baseline;
    if (opts.baseline) {
      try {
        baseline = await loadModel(opts.baseline, context);
      } catch (error) {
        const missing = /^models:/i.test(opts.baseline) && error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_DOES_NOT_EXIST";
        if (!missing) throw error;
        cliStderr().write(
          `note: ${opts.baseline} does not resolve (${error.message}); gating on the absolute thresholds only
`
        );
      }
    }
    const dataPath = resolve(opts.data);
    const dataset = await readScoringFile(dataPath, {
      ...opts.contentType ? { format: parsePredictionFormat(opts.contentType, "--content-type") } : {}
    });
    const comparison = await compareModels({
      candidate,
      ...baseline ? { baseline } : {},
      dataset,
      thresholds,
      ...opts.targetCol ? { targetCol: opts.targetCol } : {},
      where: opts.data,
      ...opts.baseline ? { baselineLabel: opts.baseline } : {},
      onBaselineError: opts.force ? "skip" : "fail",
      baselineErrorHint: "the data's columns changed since the baseline was trained, so the two cannot be compared: add --force to gate on the absolute thresholds alone (recorded as a tag on the candidate), or pass data the baseline can score"
    });
    const forced = comparison.baselineError ? `recipe gate --force; ${opts.baseline ?? "the baseline"} could not score ${opts.data} (${comparison.baselineError.message.split("\n")[0]})` : void 0;
    if (forced) {
      cliStderr().write(`warning: ${comparison.baselineError?.message}
`);
      await recordForced({ uri, value: forced, ...trackingUri ? { trackingUri } : {} });
    }
    const report = {
      decision: comparison.gate.passed ? "PROMOTE" : "REJECT",
      candidate: { uri: opts.candidate, ...uri !== opts.candidate ? { label: uri } : {} },
      ...baseline && opts.baseline ? { baseline: { uri: opts.baseline, label: baseline.dir } } : {},
      data: opts.data,
      rows: comparison.rows,
      gate: comparison.gate,
      candidate_metrics: comparison.candidateMetrics,
      ...comparison.baselineMetrics ? { baseline_metrics: comparison.baselineMetrics } : {},
      ...comparison.baselineError ? {
        warnings: [
          `${comparison.baselineError.message}
Gated on the absolute thresholds alone (--force).`
        ]
      } : {},
      created: (/* @__PURE__ */ new Date()).toISOString()
    };
    if (opts.reportDir) {
      const paths = writeGateReport(resolve(opts.reportDir), report);
      cliStderr().write(`wrote ${paths.markdown}, ${paths.json}, ${paths.junit}
`);
    }
    if (opts.output === "json") printJson(report);
    else cliStdout().write(formatGateMarkdown(report));
    if (!comparison.gate.passed) {
      const { describeGateFailures } = await import("./chunk-gate-CNPZXUCI.js");
      throw new GateRejectedError(
        `the gate rejected ${opts.candidate}${opts.baseline && baseline ? ` against ${opts.baseline}` : ""}:
${describeGateFailures(comparison.gate)}`,
        { hint: "the candidate is not promoted; improve it or change the thresholds" }
      );
    }
  });
}
export {
  registerGateCommand
};
