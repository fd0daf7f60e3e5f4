import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  refuseProtectedOutput
} from "./chunk-chunk-6Y2UQZLY.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/cli/models-predict.ts
import { resolve } from "node:path";
function modelsCommand(program) {
  const existing = program.commands.find((command) => command.name() === "models");
  if (existing) return existing;
  return program.command("models").description("score, serve and manage models");
}
function registerModelsPredictCommand(program) {
  modelsCommand(program).command("predict").description(
    'score a file with a model: writes the rows plus a "prediction" column (.csv/.parquet/.arrow), or {"predictions": [...]} (.json, or stdout without -o)'
  ).requiredOption("-m, --model-uri <uri>", "model directory or URI").requiredOption(
    "-i, --input-path <file>",
    "data to score: .csv, .parquet, .json (records or MLflow payload), .arrow"
  ).option("-o, --output-path <file>", "where to write the predictions (default: JSON on stdout)").option(
    "-t, --content-type <format>",
    "input format when the extension does not tell: csv|parquet|json|arrow"
  ).option(
    "--output-format <format>",
    "output format when the extension does not tell: csv|parquet|json|arrow"
  ).action(async (opts, command) => {
    const { trackingUri } = command.optsWithGlobals();
    const {
      parsePredictionFormat,
      predictionsJson,
      readScoringFile,
      scoreDataset,
      writeScoredFile
    } = await import("./chunk-models-LE47LLKX.js");
    const inputFormat = opts.contentType ? parsePredictionFormat(opts.contentType, "--content-type") : void 0;
    const outputFormat = opts.outputFormat ? parsePredictionFormat(opts.outputFormat, "--output-format") : void 0;
    if (outputFormat && !opts.outputPath) throw new UsageError("--output-format needs --output-path");
    if (opts.outputPath) await refuseProtectedOutput("--output-path", opts.outputPath);
    const { loadModelFromUri } = await import("./chunk-model-uri-5S4GTC2Q.js");
    const model = await loadModelFromUri(opts.modelUri, { ...trackingUri ? { trackingUri } : {} });
    const dataset = await readScoringFile(resolve(opts.inputPath), {
      ...inputFormat ? { format: inputFormat } : {},
      inputs: model.signature.inputs
    });
    const scored = scoreDataset(model, dataset);
    if (opts.outputPath) {
      await writeScoredFile(resolve(opts.outputPath), scored, outputFormat);
      cliStderr().write(`scored ${dataset.frame.nRows} rows \u2192 ${opts.outputPath}
`);
    } else {
      cliStdout().write(`${predictionsJson(scored.predictions)}
`);
    }
  });
}

export {
  modelsCommand,
  registerModelsPredictCommand
};
