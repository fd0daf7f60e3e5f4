import { type Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { queueOption, queueUrlFrom } from './queue-option.js';
import { cliStderr, cliStdout } from './io.js';
import { wholeNumberFrom } from './option-values.js';
import { formatTable, type OutputFormat, printJson } from './output.js';

function secondsOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a number of seconds above 0, not "${value}"`);
  return n;
}

interface WorkerOptions {
  queue?: string;
  concurrency: number;
  tasks: string;
  lockTimeout: number;
  shutdownGrace: number;
}

/**
 * `recipe worker` and `recipe queue status`: scale-out on PostgreSQL (docs/scale-out.md). The
 * queue module is imported inside each action.
 */
export function registerQueueCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'take jobs (sweep trials, project runs) from the PostgreSQL queue and run them until stopped (SIGTERM/SIGINT finish the jobs in flight)',
    )
    .addOption(queueOption())
    .addOption(
      new Option('-c, --concurrency <n>', 'jobs at once, each fitting on its own thread')
        .argParser(wholeNumberFrom(1, 256))
        .default(1),
    )
    .addOption(
      new Option(
        '--tasks <kinds>',
        "job kinds to take, comma-separated: trial (a recipe's tuning trials), project (project runs and recipe sweep trials)",
      ).default('trial,project'),
    )
    .addOption(
      new Option(
        '--lock-timeout <seconds>',
        "a worker silent this long is declared lost by the others and its jobs are retried (this worker's own value)",
      )
        .argParser(secondsOption)
        .default(60),
    )
    .addOption(
      new Option(
        '--shutdown-grace <seconds>',
        'on SIGTERM, how long jobs in flight may take before they are released to other workers',
      )
        .argParser(secondsOption)
        .default(30),
    )
    .addHelpText(
      'after',
      '\nTrials and runs are recorded in the tracking store given by --tracking-uri, else the one the command that queued them uses.\nSee docs/scale-out.md.',
    )
    .action(async (opts: WorkerOptions, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      const url = queueUrlFrom(opts.queue);
      const { startQueueWorker, WORKER_TASKS } = await import('../queue/index.js');
      const tasks = opts.tasks
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      const unknown = tasks.filter((t) => !(WORKER_TASKS as readonly string[]).includes(t));
      if (unknown.length > 0 || tasks.length === 0) {
        throw new UsageError(`--tasks: unknown job kind "${unknown[0] ?? opts.tasks}"`, {
          hint: `this version runs: ${WORKER_TASKS.join(', ')}`,
        });
      }
      const stderr = cliStderr();
      const worker = await startQueueWorker({
        connectionString: url,
        concurrency: opts.concurrency,
        tasks: tasks as Array<(typeof WORKER_TASKS)[number]>,
        lockTimeoutMs: opts.lockTimeout * 1000,
        ...(trackingUri ? { trackingUri } : {}),
        log: (message) => stderr.write(`${new Date().toISOString()} ${message}\n`),
      });
      // One line on stdout: the worker's id, as `recipe queue status` lists it.
      cliStdout().write(
        `worker ${worker.workerId} serving ${tasks.join(',')} jobs (concurrency ${opts.concurrency})\n`,
      );
      const onSignal = (signal: NodeJS.Signals) => {
        stderr.write(`received ${signal}: finishing the jobs in flight\n`);
        void worker.stop(opts.shutdownGrace * 1000);
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await worker.done;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      stderr.write(`worker ${worker.workerId} stopped\n`);
    });

  const queue = program.command('queue').description('the PostgreSQL job queue of scaled-out sweeps');
  queue
    .command('status')
    .description('jobs by state and the workers the queue has seen')
    .addOption(queueOption())
    .addOption(
      new Option('-o, --output <format>', 'output format: table or json')
        .choices(['table', 'json'])
        .default('table'),
    )
    .action(async (opts: { queue?: string; output: OutputFormat }) => {
      const url = queueUrlFrom(opts.queue);
      const { queueStatus } = await import('../queue/index.js');
      const status = await queueStatus(url);
      if (opts.output === 'json') {
        printJson(status);
        return;
      }
      const out = cliStdout();
      out.write(
        `${formatTable(
          ['QUEUED', 'RUNNING', 'RETRYING', 'FAILED', 'RESULTS KEPT'],
          [
            [
              status.jobs.queued,
              status.jobs.running,
              status.jobs.retrying,
              status.jobs.failed,
              status.results,
            ].map(String),
          ],
        )}\n\n`,
      );
      out.write(
        `${formatTable(
          ['WORKER', 'STATE', 'CONCURRENCY', 'TASKS', 'JOBS DONE', 'LAST SEEN'],
          status.workers.map((w) => [
            w.workerId,
            w.state,
            String(w.concurrency),
            w.tasks,
            String(w.jobsDone),
            `${w.silentSeconds.toFixed(0)}s ago`,
          ]),
        )}\n`,
      );
    });
}
