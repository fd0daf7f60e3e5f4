import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GateRejectedError, StoreError, UsageError } from '../errors.js';
import { printJson, refuseProtectedOutput } from './output.js';
import { cliStderr, cliStdout } from './io.js';

interface GateOptions {
  candidate: string;
  baseline?: string;
  data: string;
  targetCol?: string;
  thresholds?: string;
  reportDir?: string;
  contentType?: string;
  output: string;
  force?: boolean;
}

/** MLflow's limit on a tag value (model version tags; run tags allow more). */
const MAX_FORCED_TAG_VALUE = 5000;

/**
 * `--force` leaves a trace where the candidate lives: a `models:/` candidate's version gets the
 * tag `mlrecipe.gate.forced`, a run's model (a run id or `runs:/`) its run. A candidate given as
 * a directory has nowhere to keep it; the report says so instead.
 */
async function recordForced(options: { uri: string; value: string; trackingUri?: string }): Promise<void> {
  const value = options.value.slice(0, MAX_FORCED_TAG_VALUE);
  const tag = { key: 'mlrecipe.gate.forced', value };
  const models = /^models:/i.test(options.uri);
  const runs = /^runs:/i.test(options.uri);
  if (!models && !runs) return;
  const { openTrackingStore, resolveTrackingUri } = await import('../tracking/index.js');
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd: process.cwd() });
  const store = await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    const registry = await import('../registry/index.js');
    if (models) {
      const reg = registry.registryForTrackingStore(store);
      const version = await registry.getModelVersionForUri(reg, registry.parseModelsUri(options.uri));
      await reg.setModelVersionTag(version.name, version.version, tag);
      cliStderr().write(`tagged ${version.name} version ${version.version} ${tag.key}\n`);
    } else {
      const { runId } = registry.parseRunsUri(options.uri);
      await store.setTag(runId, tag);
      cliStderr().write(`tagged run ${runId} ${tag.key}\n`);
    }
  } finally {
    await store.close();
  }
}

/** A bare 32-hex run id means that run's logged model, as `recipe run` records it. */
function candidateUri(value: string): string {
  return /^[0-9a-f]{32}$/i.test(value) ? `runs:/${value.toLowerCase()}/model` : value;
}

/**
 * `--thresholds file.yaml`: a map of metric → {threshold, min_absolute_change,
 * min_relative_change, greater_is_better}, at the top level, under `validation_thresholds:`, or
 * a recipe.yaml's `steps.register.validation_thresholds` (so CI gates with the recipe's own
 * thresholds).
 */
async function readThresholdsFile(path: string): Promise<{ value: unknown; where: string }> {
  const { isNode, parseDocument } = await import('yaml');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --thresholds ${path}: ${(error as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new UsageError(`--thresholds ${path} is not valid YAML: ${doc.errors[0]?.message}`, {
      hint: 'give a YAML or JSON file mapping metric names to {threshold, min_absolute_change, ...}',
    });
  }
  // Only the relevant subtree becomes JavaScript: a recipe.yaml's {{ placeholders }} elsewhere
  // would otherwise turn into (warned about) object keys.
  for (const path of [['steps', 'register', 'validation_thresholds'], ['validation_thresholds']]) {
    const node = doc.getIn(path, true);
    if (node !== undefined) {
      return { value: isNode(node) ? node.toJSON() : node, where: path.join('.') };
    }
  }
  if (doc.has('steps') || doc.has('recipe')) {
    throw new UsageError(`--thresholds ${path} is a recipe without steps.register.validation_thresholds`, {
      hint: 'add them to the recipe, or give a file mapping metric names to {threshold, min_absolute_change, ...}',
    });
  }
  return { value: doc.toJS(), where: '' };
}

/**
 * `recipe gate`: the baseline gate on its own, for CI. Exit 0 when the candidate may be promoted,
 * 3 when the gate rejects it, 1 or 2 for errors (a model or file that cannot be read, bad usage).
 */
export function registerGateCommand(program: Command): void {
  program
    .command('gate')
    .description(
      'compare a candidate model with a baseline on the same data (MLflow MetricThreshold semantics); ' +
        'exit 0 promote, 3 reject; writes report.md, report.json and junit.xml with --report-dir',
    )
    .requiredOption(
      '--candidate <uri|run-id>',
      'the candidate: a model URI or directory, or a run id (its "model")',
    )
    .option(
      '--baseline <uri>',
      'the baseline, e.g. models:/<name>@champion; a models:/ URI that does not resolve yet means no baseline',
    )
    .requiredOption('--data <file>', 'labelled evaluation data: .csv, .parquet, .json, .arrow')
    .option('--target-col <name>', "the label column (default: the candidate's target column)")
    .option(
      '--thresholds <file>',
      'YAML/JSON: metric → {threshold, min_absolute_change, min_relative_change, greater_is_better} ' +
        '(default: the primary metric at least as good as the baseline)',
    )
    .option('--report-dir <dir>', 'write report.md, report.json and junit.xml here')
    .option(
      '-t, --content-type <format>',
      'format of --data when its extension does not tell: csv|parquet|json|arrow',
    )
    .option(
      '--force',
      'when the baseline cannot score --data (its columns changed), gate on the absolute thresholds alone ' +
        'instead of exiting 2; recorded as the tag mlrecipe.gate.forced on the candidate version (models:/) or run',
    )
    .option('--output <format>', 'table or json', 'table')
    .action(async (opts: GateOptions, command: Command) => {
      if (opts.output !== 'table' && opts.output !== 'json') {
        throw new UsageError(`--output must be "table" or "json", not "${opts.output}"`);
      }
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      if (opts.reportDir) await refuseProtectedOutput('--report-dir', opts.reportDir);
      const { parsePredictionFormat, readScoringFile } = await import('../models/index.js');
      const { loadModelFromUri: loadModel } = await import('../registry/model-uri.js');
      const { parseGateThresholds } = await import('../registry/gate.js');
      const { formatGateMarkdown, writeGateReport } = await import('../registry/gate-report.js');
      const { compareModels } = await import('../registry/score-model.js');
      const context = trackingUri ? { trackingUri } : {};

      const thresholdsFile = opts.thresholds ? resolve(opts.thresholds) : undefined;
      const raw = thresholdsFile ? await readThresholdsFile(thresholdsFile) : undefined;
      const uri = candidateUri(opts.candidate);
      const candidate = await loadModel(uri, context);
      let thresholds = raw
        ? parseGateThresholds(raw.value, { file: thresholdsFile as string, path: raw.where })
        : {};
      if (Object.keys(thresholds).length === 0) {
        const primary = candidate.problemType === 'regression' ? 'root_mean_squared_error' : 'f1_score';
        thresholds = parseGateThresholds(
          { [primary]: { min_absolute_change: 0 } },
          { file: 'default', path: '' },
        );
      }

      let baseline: Awaited<ReturnType<typeof loadModel>> | undefined;
      if (opts.baseline) {
        try {
          baseline = await loadModel(opts.baseline, context);
        } catch (error) {
          const missing =
            /^models:/i.test(opts.baseline) &&
            error instanceof StoreError &&
            error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST';
          if (!missing) throw error;
          cliStderr().write(
            `note: ${opts.baseline} does not resolve (${error.message}); gating on the absolute thresholds only\n`,
          );
        }
      }
      const dataPath = resolve(opts.data);
      const dataset = await readScoringFile(dataPath, {
        ...(opts.contentType ? { format: parsePredictionFormat(opts.contentType, '--content-type') } : {}),
      });
      const comparison = await compareModels({
        candidate,
        ...(baseline ? { baseline } : {}),
        dataset,
        thresholds,
        ...(opts.targetCol ? { targetCol: opts.targetCol } : {}),
        where: opts.data,
        ...(opts.baseline ? { baselineLabel: opts.baseline } : {}),
        onBaselineError: opts.force ? 'skip' : 'fail',
        baselineErrorHint:
          "the data's columns changed since the baseline was trained, so the two cannot be compared: " +
          'add --force to gate on the absolute thresholds alone (recorded as a tag on the candidate), ' +
          'or pass data the baseline can score',
      });
      const forced = comparison.baselineError
        ? `recipe gate --force; ${opts.baseline ?? 'the baseline'} could not score ${opts.data} (${
            comparison.baselineError.message.split('\n')[0]
          })`
        : undefined;
      if (forced) {
        cliStderr().write(`warning: ${comparison.baselineError?.message}\n`);
        await recordForced({ uri, value: forced, ...(trackingUri ? { trackingUri } : {}) });
      }
      const report = {
        decision: comparison.gate.passed ? ('PROMOTE' as const) : ('REJECT' as const),
        candidate: { uri: opts.candidate, ...(uri !== opts.candidate ? { label: uri } : {}) },
        ...(baseline && opts.baseline ? { baseline: { uri: opts.baseline, label: baseline.dir } } : {}),
        data: opts.data,
        rows: comparison.rows,
        gate: comparison.gate,
        candidate_metrics: comparison.candidateMetrics,
        ...(comparison.baselineMetrics ? { baseline_metrics: comparison.baselineMetrics } : {}),
        ...(comparison.baselineError
          ? {
              warnings: [
                `${comparison.baselineError.message}\nGated on the absolute thresholds alone (--force).`,
              ],
            }
          : {}),
        created: new Date().toISOString(),
      };
      if (opts.reportDir) {
        const paths = writeGateReport(resolve(opts.reportDir), report);
        cliStderr().write(`wrote ${paths.markdown}, ${paths.json}, ${paths.junit}\n`);
      }
      if (opts.output === 'json') printJson(report);
      else cliStdout().write(formatGateMarkdown(report));
      if (!comparison.gate.passed) {
        const { describeGateFailures } = await import('../registry/gate.js');
        throw new GateRejectedError(
          `the gate rejected ${opts.candidate}${opts.baseline && baseline ? ` against ${opts.baseline}` : ''}:\n${describeGateFailures(comparison.gate)}`,
          { hint: 'the candidate is not promoted; improve it or change the thresholds' },
        );
      }
    });
}
