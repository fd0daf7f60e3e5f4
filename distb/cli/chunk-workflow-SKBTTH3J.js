import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  outputOption
} from "./chunk-chunk-WZYJLL2R.js";
import {
  formatTable,
  printJson
} from "./chunk-chunk-6Y2UQZLY.js";
import {
  InvalidArgumentError
} from "./chunk-chunk-UTGYEUUB.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/workflow.ts
function positiveInt(value) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, not "${value}"`);
  return n;
}
function registerWorkflowCommands(program) {
  const workflow = program.command("workflow").description("run workflows that chain MLproject entry points");
  workflow.command("run").description(
    "run workflow.yaml: each step a child run; steps matching an earlier FINISHED run are reused"
  ).argument("[file]", "workflow file", "workflow.yaml").option("--no-reuse", "execute every step, even when an earlier FINISHED run matches").option(
    "--max-parallel <n>",
    "steps run at the same time (default: the file\u2019s max_parallel, else 2)",
    positiveInt
  ).addOption(outputOption()).action(
    async (file, opts, command) => {
      const { trackingUri } = command.optsWithGlobals();
      const { runWorkflow } = await import("./chunk-projects-Z7PV6VBU.js");
      const result = await runWorkflow({
        file,
        reuse: opts.reuse,
        ...trackingUri ? { trackingUri } : {},
        ...opts.maxParallel ? { maxParallel: opts.maxParallel } : {},
        // Step output goes to stderr so stdout carries only the summary (table or JSON).
        stdout: cliStderr()
      });
      if (opts.output === "json") {
        printJson(result);
        return;
      }
      const rows = result.steps.map((s) => [s.name, s.runId, s.status, s.reused ? "reused" : "executed"]);
      cliStdout().write(`${formatTable(["STEP", "RUN ID", "STATUS", "HOW"], rows)}
`);
      cliStdout().write(`parent run ${result.parentRunId} (experiment ${result.experimentId})
`);
    }
  );
}
export {
  registerWorkflowCommands
};
