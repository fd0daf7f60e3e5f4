import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { PredictionFormat } from '../models/index.js';
import { refuseProtectedOutput } from './output.js';
import { cliStderr, cliStdout } from './io.js';

/**
 * The `models` command group, created once: other files add their subcommands (list, show,
 * serve, …) to the same command through this function.
 */
export function modelsCommand(program: Command): Command {
  const existing = program.commands.find((command) => command.name() === 'models');
  if (existing) return existing;
  return program.command('models').description('score, serve and manage models');
}

interface PredictOptions {
  modelUri: string;
  inputPath: string;
  outputPath?: string;
  contentType?: string;
  outputFormat?: string;
}

/** `recipe models predict -m <uri> -i in.csv [-o out.csv]`, like `mlflow models predict`. */
export function registerModelsPredictCommand(program: Command): void {
  modelsCommand(program)
    .command('predict')
    .description(
      'score a file with a model: writes the rows plus a "prediction" column (.csv/.parquet/.arrow), ' +
        'or {"predictions": [...]} (.json, or stdout without -o)',
    )
    .requiredOption('-m, --model-uri <uri>', 'model directory or URI')
    .requiredOption(
      '-i, --input-path <file>',
      'data to score: .csv, .parquet, .json (records or MLflow payload), .arrow',
    )
    .option('-o, --output-path <file>', 'where to write the predictions (default: JSON on stdout)')
    .option(
      '-t, --content-type <format>',
      'input format when the extension does not tell: csv|parquet|json|arrow',
    )
    .option(
      '--output-format <format>',
      'output format when the extension does not tell: csv|parquet|json|arrow',
    )
    .action(async (opts: PredictOptions, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      // Imported here: the model stack is slow to load and every `recipe models …` registers this.
      const {
        formatFromPath,
        parsePredictionFormat,
        predictionsJson,
        readScoringFile,
        scoreDataset,
        writeScoredFile,
      } = await import('../models/index.js');
      const inputFormat: PredictionFormat | undefined = opts.contentType
        ? parsePredictionFormat(opts.contentType, '--content-type')
        : undefined;
      const outputFormat: PredictionFormat | undefined = opts.outputFormat
        ? parsePredictionFormat(opts.outputFormat, '--output-format')
        : undefined;
      if (outputFormat && !opts.outputPath) throw new UsageError('--output-format needs --output-path');
      if (opts.outputPath) await refuseProtectedOutput('--output-path', opts.outputPath);
      const { loadModelFromUri } = await import('../registry/model-uri.js');
      const model = await loadModelFromUri(opts.modelUri, { ...(trackingUri ? { trackingUri } : {}) });
      const inputPath = resolve(opts.inputPath);
      const streamable =
        opts.outputPath !== undefined &&
        (inputFormat ?? formatFromPath(inputPath)) === 'csv' &&
        (outputFormat ?? formatFromPath(opts.outputPath)) === 'csv' &&
        // A .tsv input keeps the whole-frame path, which writes comma-separated output.
        !/\.tsv(\.gz)?$/i.test(inputPath);
      if (opts.outputPath && streamable) {
        // CSV in, CSV out: streamed chunk by chunk (src/models/csv-scoring.ts); undefined when the
        // file needs the whole-frame path below.
        const { scoreCsvFile } = await import('../models/csv-scoring.js');
        const rows = await scoreCsvFile({ model, inputPath, outputPath: resolve(opts.outputPath) });
        if (rows !== undefined) {
          cliStderr().write(`scored ${rows} rows → ${opts.outputPath}\n`);
          return;
        }
      }
      const dataset = await readScoringFile(inputPath, {
        ...(inputFormat ? { format: inputFormat } : {}),
        inputs: model.signature.inputs,
      });
      const scored = await scoreDataset(model, dataset);
      if (opts.outputPath) {
        await writeScoredFile(resolve(opts.outputPath), scored, outputFormat);
        cliStderr().write(`scored ${dataset.frame.nRows} rows → ${opts.outputPath}\n`);
      } else {
        cliStdout().write(`${predictionsJson(scored.predictions)}\n`);
      }
    });
}
