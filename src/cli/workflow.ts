import { type Command, InvalidArgumentError } from 'commander';
import { formatTable, type OutputFormat, printJson } from './output.js';
import { outputOption } from './store-option.js';
import { cliStderr, cliStdout } from './io.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, not "${value}"`);
  return n;
}

/** `recipe workflow run`: a DAG of project entry points as one parent run with child runs. */
export function registerWorkflowCommands(program: Command): void {
  const workflow = program.command('workflow').description('run workflows that chain MLproject entry points');
  workflow
    .command('run')
    .description(
      'run workflow.yaml: each step a child run; steps matching an earlier FINISHED run are reused',
    )
    .argument('[file]', 'workflow file', 'workflow.yaml')
    .option('--no-reuse', 'execute every step, even when an earlier FINISHED run matches')
    .option(
      '--max-parallel <n>',
      'steps run at the same time (default: the file’s max_parallel, else 2)',
      positiveInt,
    )
    .addOption(outputOption())
    .action(
      async (
        file: string,
        opts: { reuse: boolean; maxParallel?: number; output: OutputFormat },
        command: Command,
      ) => {
        const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
        const { runWorkflow } = await import('../projects/index.js');
        const result = await runWorkflow({
          file,
          reuse: opts.reuse,
          ...(trackingUri ? { trackingUri } : {}),
          ...(opts.maxParallel ? { maxParallel: opts.maxParallel } : {}),
          // Step output goes to stderr so stdout carries only the summary (table or JSON).
          stdout: cliStderr(),
        });
        if (opts.output === 'json') {
          printJson(result);
          return;
        }
        const rows = result.steps.map((s) => [s.name, s.runId, s.status, s.reused ? 'reused' : 'executed']);
        cliStdout().write(`${formatTable(['STEP', 'RUN ID', 'STATUS', 'HOW'], rows)}\n`);
        cliStdout().write(`parent run ${result.parentRunId} (experiment ${result.experimentId})\n`);
      },
    );
}
