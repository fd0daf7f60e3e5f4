import { type Command, InvalidArgumentError, Option } from 'commander';
import type { EnvManager } from '../projects/index.js';
import { UsageError } from '../errors.js';
import type { CommandLine } from './command-line.js';
import { cliStderr, cliStdout } from './io.js';
import { collect, ENV_MANAGER_CHOICES, firstOperand } from './project.js';
import { queueOption, queueUrlFrom } from './queue-option.js';

interface SweepOptions {
  entryPoint: string;
  space: string;
  metric: string;
  goal: 'minimize' | 'maximize';
  maxTrials: number;
  parallelism: number;
  algorithm: string;
  seed: number;
  param: string[];
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  envManager?: EnvManager;
  version?: string;
  reuse: boolean;
  executor: 'local' | 'queue';
  queue?: string;
}

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, not "${value}"`);
    }
    return n;
  };
}

/** `recipe sweep`: a hyperparameter sweep over an MLproject entry point, trials as child runs. */
export function registerSweepCommand(program: Command, commandLine: CommandLine): void {
  // `--version` is the git revision, as for `recipe project run` (see registerProjectCommands).
  if (firstOperand(commandLine.argv) === 'sweep') program.enablePositionalOptions();
  program
    .command('sweep')
    .description(
      'run an MLproject entry point once per trial of a hyperparameter search (TPE, random, grid); each trial is a child run of one parent, which records the best',
    )
    .argument('<project-uri>', 'project directory or git repository URI, optionally with #subdirectory')
    .requiredOption('--space <file>', "search space YAML, in the format of a recipe's tuning.parameters")
    .requiredOption('--metric <name>', "the metric each trial logs (its final value is the trial's score)")
    .option('-e, --entry-point <name>', 'entry point, or a script file of the project', 'main')
    .addOption(
      new Option('--goal <goal>', 'whether a lower or a higher metric is better')
        .choices(['minimize', 'maximize'])
        .default('minimize'),
    )
    .option('--max-trials <n>', 'number of trials', wholeNumber(1), 20)
    .option('--parallelism <n>', 'trials run at once', wholeNumber(1), 1)
    .option(
      '--algorithm <name>',
      'tpe, random or grid (hyperopt.tpe.suggest and hyperopt.rand.suggest are accepted too)',
      'tpe',
    )
    .option('--seed <n>', 'seed of the search: the same seed proposes the same trials', wholeNumber(0), 42)
    .option('-P, --param <key=value>', 'a fixed parameter passed to every trial (repeatable)', collect, [])
    .option('--no-reuse', 'run every trial, even one that an earlier FINISHED run of the same trial answers')
    .option('--experiment-name <name>', 'experiment to record into (created if missing)')
    .option('--experiment-id <id>', 'experiment id to record into')
    .option('--run-name <name>', 'name of the parent run (children are <name>-trial-<i>)')
    .addOption(
      new Option(
        '--env-manager <manager>',
        'how to provide the environment (default: what the project declares)',
      ).choices([...ENV_MANAGER_CHOICES]),
    )
    .option('--version <rev>', 'branch, tag or commit of a git project')
    .addOption(
      new Option(
        '--executor <where>',
        'where the trials run: local (here) or queue (recipe worker processes, which get the project files through the artifact store; docs/scale-out.md)',
      )
        .choices(['local', 'queue'])
        .default('local'),
    )
    .addOption(queueOption())
    .addOption(
      new Option('--tracking-uri <uri>', 'tracking store URI (also accepted before the command)').hideHelp(),
    )
    .addOption(new Option('--verbose', 'print stack traces').hideHelp())
    .addHelpText(
      'after',
      `
The space file is a mapping of entry-point parameter to distribution, as under a recipe's
steps.train.tuning.parameters:

  alpha:    {distribution: loguniform, low: -9, high: -1}
  l1_ratio: {distribution: uniform, low: 0, high: 1}
  penalty:  {values: [l1, l2]}

Every parameter must be declared by the entry point. Each trial's run logs the metric through
the tracking store (MLFLOW_RUN_ID and MLFLOW_TRACKING_URI are set for it, as by \`mlflow run\`).
A failing trial is a FAILED child run and the sweep goes on; the command fails only when every
trial failed. A trial that an earlier FINISHED run already answers (same project code, entry
point, parameters and seed) is recorded from that run instead of run again, so a sweep that was
killed re-runs only its missing trials (--no-reuse runs them all). The parent run's id is
printed on stdout.`,
    )
    .action(async (uri: string, opts: SweepOptions, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      if (opts.executor !== 'queue' && opts.queue !== undefined) {
        throw new UsageError('--queue is for --executor queue', {
          hint: 'add --executor queue, or drop --queue',
        });
      }
      const queueUrl = opts.executor === 'queue' ? queueUrlFrom(opts.queue) : undefined;
      const { parseParameterAssignments } = await import('../projects/index.js');
      const { runProjectSweep } = await import('../sweeps/index.js');
      const result = await runProjectSweep({
        uri,
        entryPoint: opts.entryPoint,
        spaceFile: opts.space,
        metric: opts.metric,
        goal: opts.goal,
        maxTrials: opts.maxTrials,
        parallelism: opts.parallelism,
        algorithm: opts.algorithm,
        seed: opts.seed,
        parameters: parseParameterAssignments(opts.param),
        reuse: opts.reuse,
        ...(queueUrl
          ? {
              executor: (await import('../queue/index.js')).queueProjectExecutor({
                connectionString: queueUrl,
              }),
            }
          : {}),
        ...(opts.experimentName !== undefined ? { experimentName: opts.experimentName } : {}),
        ...(opts.experimentId !== undefined ? { experimentId: opts.experimentId } : {}),
        ...(opts.runName !== undefined ? { runName: opts.runName } : {}),
        ...(opts.envManager ? { envManager: opts.envManager } : {}),
        ...(opts.version !== undefined ? { version: opts.version } : {}),
        ...(trackingUri ? { trackingUri } : {}),
        log: (line) => cliStderr().write(`${line}\n`),
      });
      cliStdout().write(`${result.parentRunId}\n`);
    });
}
