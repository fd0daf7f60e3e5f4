import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { writeFileAtomic } from '../atomic-write.js';
import { MlrecipeError, StepError, UsageError } from '../errors.js';
import type { EnvManager } from '../projects/index.js';
import type { CommandLine } from './command-line.js';
import { cliStderr, cliStdout } from './io.js';
import { queueOption, queueUrlFrom } from './queue-option.js';

/**
 * `--env-manager` choices, spelled out here so that registering the command (e.g. for `--help`)
 * does not load the projects module; the type check below fails if they drift from EnvManager.
 */
export const ENV_MANAGER_CHOICES = [
  'local',
  'virtualenv',
  'conda',
  'docker',
] as const satisfies readonly EnvManager[];
const _everyEnvManagerListed: [Exclude<EnvManager, (typeof ENV_MANAGER_CHOICES)[number]>] extends [never]
  ? true
  : never = true;

/** Set in a detached supervisor's environment: where it writes the run id once the run exists. */
const DETACHED_RUN_ID_FILE = 'RECIPE_DETACHED_RUN_ID_FILE';

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface ProjectRunOptions {
  entryPoint: string;
  param: string[];
  experimentName?: string;
  experimentId?: string;
  envManager?: EnvManager;
  version?: string;
  detach?: boolean;
  backend: 'local' | 'queue';
  queue?: string;
  runName?: string;
}

/** `recipe project run`: MLflow's `mlflow run`, recording into mlrecipe's tracking store. */
export function registerProjectCommands(program: Command, commandLine: CommandLine): void {
  // MLflow spells the git revision `--version`, which the root program's `-V, --version` would
  // take from anywhere on the command line. For `recipe project …` the root reads its options
  // only before the subcommand, and `project run` accepts the root's options after it itself.
  if (firstOperand(commandLine.argv) === 'project') program.enablePositionalOptions();
  const project = program
    .command('project')
    .description('run MLflow Projects (MLproject files, git sources)');
  project
    .command('run')
    .description(
      'run a project entry point as a tracked run: a directory, dir#subdir, or git URI (https://…, git@…, file://…)#subdir',
    )
    .argument('<uri>', 'project directory or git repository URI, optionally with #subdirectory')
    .option(
      '-e, --entry-point <name>',
      'entry point, or a script file of the project (.py .sh .js .mjs .ts)',
      'main',
    )
    .option(
      '-P, --param <key=value>',
      'a parameter (repeatable); undeclared ones are passed as --key value',
      collect,
      [],
    )
    .option('--experiment-name <name>', 'experiment to record into (created if missing)')
    .option('--experiment-id <id>', 'experiment id to record into')
    .addOption(
      new Option(
        '--env-manager <manager>',
        'how to provide the environment (default: what the project declares)',
      ).choices([...ENV_MANAGER_CHOICES]),
    )
    .option('--version <rev>', 'branch, tag or commit of a git project')
    .option('--run-name <name>', 'name of the run')
    .option('--detach', 'start the run in the background, print its id and return')
    .addOption(
      new Option(
        '--backend <backend>',
        'where the command runs: local (here) or queue (a `recipe worker`, which gets the project files through the artifact store; docs/scale-out.md)',
      )
        .choices(['local', 'queue'])
        .default('local'),
    )
    .addOption(queueOption())
    .addOption(
      new Option('--tracking-uri <uri>', 'tracking store URI (also accepted before the command)').hideHelp(),
    )
    .addOption(new Option('--verbose', 'print stack traces').hideHelp())
    .action(async (uri: string, opts: ProjectRunOptions, command: Command) => {
      if (opts.backend !== 'queue' && opts.queue !== undefined) {
        throw new UsageError('--queue is for --backend queue', {
          hint: 'add --backend queue, or drop --queue',
        });
      }
      const queueUrl = opts.backend === 'queue' ? queueUrlFrom(opts.queue) : undefined;
      if (opts.detach) {
        await detach(commandLine.argv);
        return;
      }
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      const runIdFile = process.env[DETACHED_RUN_ID_FILE];
      const childEnv = { ...process.env };
      delete childEnv[DETACHED_RUN_ID_FILE];
      // The projects module (execa, yaml, ajv, simple-git) loads only when a project runs.
      const { parseParameterAssignments, runProject } = await import('../projects/index.js');
      const result = await runProject({
        uri,
        entryPoint: opts.entryPoint,
        parameters: parseParameterAssignments(opts.param),
        ...(opts.experimentName !== undefined ? { experimentName: opts.experimentName } : {}),
        ...(opts.experimentId !== undefined ? { experimentId: opts.experimentId } : {}),
        ...(opts.envManager ? { envManager: opts.envManager } : {}),
        ...(opts.version !== undefined ? { version: opts.version } : {}),
        ...(opts.runName !== undefined ? { runName: opts.runName } : {}),
        ...(trackingUri ? { trackingUri } : {}),
        env: childEnv,
        // The command's output goes where this command line's does (main's io, not the process's).
        stdout: cliStdout(),
        stderr: cliStderr(),
        log: (message) => cliStderr().write(`${message}\n`),
        ...(runIdFile ? { onRunCreated: (run) => writeFileAtomic(runIdFile, run.info.run_id) } : {}),
        ...(queueUrl
          ? {
              executor: (await import('../queue/index.js')).queueProjectExecutor({
                connectionString: queueUrl,
              }),
            }
          : {}),
      });
      if (result.status === 'FINISHED') return;
      const why =
        result.status === 'KILLED'
          ? `was killed${result.signal ? ` (${result.signal})` : ''}`
          : result.exitCode !== undefined
            ? `exited with code ${result.exitCode}`
            : `failed${result.signal ? ` (${result.signal})` : ''}`;
      const problems = result.problems.length > 0 ? `; ${result.problems.join('; ')}` : '';
      throw new StepError(
        `project ${opts.entryPoint}`,
        `the command ${why}; run ${result.runId} is ${result.status}${problems}`,
        {
          hint: `its output is in the run's stdout.txt / stderr.txt artifacts (recipe runs show ${result.runId})`,
        },
      );
    });
}

/**
 * `--detach`: the same command line (`argv`, the user's arguments), minus --detach, run by the
 * `recipe` entry point beside this module in a new session that outlives this process; it
 * writes the run id to a file once the run exists, which we wait for and print.
 */
async function detach(argv: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-detached-'));
  const runIdFile = join(dir, 'run-id');
  const logFile = join(dir, 'output.log');
  // Not process.argv[1]: in-process (tests) that is the test runner's script, not `recipe`.
  const entry = fileURLToPath(
    new URL(`./main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
  );
  // Under tsx (tests run src/) the entry point is TypeScript and needs the same loader, named by
  // its path: the child's working directory need not see this package's node_modules.
  const loader = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...loader, entry, ...argv.filter((a) => a !== '--detach')], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, [DETACHED_RUN_ID_FILE]: runIdFile },
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  // Planning (clone, npm ci) happens before the run exists, so this can take a while.
  while (!existsSync(runIdFile)) {
    if (exited !== undefined) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim() : '';
      throw new MlrecipeError(`the detached run did not start (exit ${exited})${log ? `:\n${log}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.unref();
  const runId = readFileSync(runIdFile, 'utf8').trim();
  cliStderr().write(`run ${runId} continues in the background (pid ${child.pid}); its output: ${logFile}\n`);
  cliStdout().write(`${runId}\n`);
}

/** The first word of `args` that is neither a root option nor its value: the command group. */
export function firstOperand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--tracking-uri') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}
