import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { StepKind } from '../steps/types.js';
import { STEP_KINDS } from '../steps/types.js';
import { UsageError } from '../errors.js';
import { formatTable, type OutputFormat, printJson } from './output.js';
import { cliStderr, cliStdout } from './io.js';
import { wholeNumberFrom } from './option-values.js';
import { queueOption, queueUrlFrom } from './queue-option.js';

/**
 * `recipe run | status | inspect | clean | gc | get-artifact`: the recipe engine's commands. The
 * engine is imported inside each action so that other commands start without loading it.
 */
export function registerRecipeCommands(program: Command): void {
  const recipeDir = () => new Option('--recipe-dir <dir>', 'directory holding recipe.yaml').default('.');
  // No commander default: loadRecipe must know whether a profile was asked for explicitly.
  const profile = () =>
    new Option(
      '-p, --profile <name>',
      'profile in profiles/ that fills {{ placeholders }} (default: $MLFLOW_RECIPES_PROFILE, else local)',
    );
  const step = (what: string) => new Option('-s, --step <step>', what).choices([...STEP_KINDS]);
  const output = () =>
    new Option('-o, --output <format>', 'output format: table or json')
      .choices(['table', 'json'])
      .default('table');

  program
    .command('run')
    .description('run the recipe: each step whose inputs changed, reusing cached outputs for the rest')
    .addOption(
      step(
        'run this step and the steps it needs (default: through register; ingest_scoring/predict only when named)',
      ),
    )
    .addOption(profile())
    .addOption(recipeDir())
    .option('--no-cache', 'run every step even if a cached result matches (the cache entry is replaced)')
    .option('--no-wait', 'fail at once if another recipe command holds the lock instead of waiting')
    .option('--no-tracking', 'do not record the run in the tracking store')
    .addOption(
      new Option(
        '--executor <where>',
        "where a tuned train step's trials run: local (worker threads here) or queue (recipe worker processes, docs/scale-out.md)",
      )
        .choices(['local', 'queue'])
        .default('local'),
    )
    .addOption(queueOption())
    .option(
      '--remote-cache <uri>',
      "the step cache's shared tier: s3://bucket/prefix, mlflow-artifacts:/prefix or a shared directory; steps cached there by another machine are reused (default: $RECIPE_REMOTE_CACHE)",
    )
    .addOption(output())
    .action(async (opts: RunOptions, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      // Usage first: nothing starts for a command line that cannot run.
      if (opts.executor !== 'queue' && opts.queue !== undefined) {
        throw new UsageError('--queue is for --executor queue', {
          hint: 'add --executor queue, or drop --queue',
        });
      }
      const queueUrl = opts.executor === 'queue' ? queueUrlFrom(opts.queue) : undefined;
      // Git's answer (one child process) is needed only when the run is recorded; started first,
      // the process runs beside the loading of the engine instead of after it.
      const lineage =
        opts.tracking === false
          ? undefined
          : (await import('../recipes/git-lineage.js')).gitLineage(resolve(opts.recipeDir));
      const trialExecutor = queueUrl
        ? (await import('../queue/index.js')).queueTrialExecutor({ connectionString: queueUrl })
        : undefined;
      const {
        createProgressReporter,
        recipeRunStatus,
        runRecipe,
        trackingRecorder,
        formatDuration,
        RemoteStepCache,
        remoteCacheUriFrom,
      } = await import('../recipes/index.js');
      const remoteUri = remoteCacheUriFrom(opts.remoteCache);
      const remoteCache =
        remoteUri === undefined
          ? undefined
          : new RemoteStepCache({
              uri: remoteUri,
              recipeDir: resolve(opts.recipeDir),
              // mlflow-artifacts:/ names a path on the tracking server the run records to.
              trackingUri: (await import('../tracking/index.js')).resolveTrackingUri({
                flag: trackingUri,
                cwd: resolve(opts.recipeDir),
              }).uri,
            });
      const { defaultStepRegistry } = await import('../recipes/step-registry.js');
      const result = await runRecipe({
        recipeDir: opts.recipeDir,
        profile: opts.profile,
        steps: opts.step ? [opts.step] : undefined,
        noCache: opts.cache === false,
        wait: opts.wait !== false,
        registry: defaultStepRegistry,
        progress: createProgressReporter({ stream: cliStderr() }),
        recorder: opts.tracking === false ? undefined : trackingRecorder({ trackingUri, lineage }),
        handleSignals: true,
        ...(trialExecutor ? { trialExecutor } : {}),
        ...(remoteCache ? { remoteCache } : {}),
      });
      if (opts.output === 'json') {
        printJson({
          run_id: result.runId ?? null,
          experiment_id: result.experimentId ?? null,
          status: recipeRunStatus(result.error),
          ...(result.error?.code === 'GATE_REJECTED' ? { validation_status: 'REJECTED' } : {}),
          steps: result.outcomes.map((o) => ({
            step: o.step,
            state: o.state,
            duration_s: o.durationMs / 1000,
            fingerprint: o.fingerprint,
            dir: o.dir ?? null,
            metrics: o.metrics,
            reused_from: o.reusedFromRunId ?? null,
            error: o.error?.message ?? null,
          })),
        });
      } else {
        cliStdout().write(
          `${formatTable(
            ['STEP', 'STATE', 'DURATION'],
            result.outcomes.map((o) => [
              o.step,
              o.state,
              o.state === 'skipped' ? '' : formatDuration(o.durationMs),
            ]),
          )}\n`,
        );
        if (result.runId)
          cliStdout().write(`tracking run ${result.runId} (experiment ${result.experimentId})\n`);
      }
      if (result.error) throw result.error;
    });

  program
    .command('status')
    .description('show each step as cached, stale (and why) or never run, like `dvc status`')
    .addOption(profile())
    .addOption(recipeDir())
    .addOption(output())
    .action(async (opts: CommonOptions) => {
      const { recipeStatus } = await import('../recipes/index.js');
      const { defaultStepRegistry } = await import('../recipes/step-registry.js');
      const statuses = await recipeStatus({
        recipeDir: opts.recipeDir,
        profile: opts.profile,
        registry: defaultStepRegistry,
      });
      if (opts.output === 'json') {
        printJson(
          statuses.map((s) => ({
            step: s.step,
            state: s.state,
            fingerprint: s.fingerprint,
            reasons: s.reasons,
            dir: s.dir ?? null,
            last_run: s.last ?? null,
          })),
        );
        return;
      }
      cliStdout().write(
        `${formatTable(
          ['STEP', 'STATE', 'WHY'],
          statuses.map((s) => [s.step, s.state, s.reasons.join('; ')]),
        )}\n`,
      );
    });

  program
    .command('inspect')
    .description("show the recipe's DAG with each step's state, duration and outputs, or one step's card")
    .addOption(step('show this step: its card path and a summary of card.json'))
    .addOption(profile())
    .addOption(recipeDir())
    .addOption(output())
    .action(async (opts: CommonOptions & { step?: StepKind }) => {
      const { inspectRecipe, formatDuration } = await import('../recipes/index.js');
      const { defaultStepRegistry } = await import('../recipes/step-registry.js');
      const { STEP_INPUTS } = await import('../steps/types.js');
      const steps = await inspectRecipe({
        recipeDir: opts.recipeDir,
        profile: opts.profile,
        registry: defaultStepRegistry,
        step: opts.step,
      });
      if (opts.output === 'json') {
        printJson(
          steps.map((s) => ({
            step: s.step,
            inputs: STEP_INPUTS[s.step],
            state: s.state,
            reasons: s.reasons,
            duration_s: s.durationMs === undefined ? null : s.durationMs / 1000,
            outputs: s.outputs,
            card: s.card ? { html: s.card.html, json: s.card.json } : null,
            card_data: opts.step ? (s.card?.summary ?? null) : undefined,
          })),
        );
        return;
      }
      if (!opts.step) {
        cliStdout().write(
          `${formatTable(
            ['STEP', 'AFTER', 'STATE', 'DURATION', 'OUTPUTS'],
            steps.map((s) => [
              s.step,
              STEP_INPUTS[s.step].join(', ') || '-',
              s.state,
              s.durationMs === undefined ? '' : formatDuration(s.durationMs),
              Object.keys(s.outputs)
                .filter((k) => k !== 'card' && k !== 'card_json')
                .join(', '),
            ]),
          )}\n`,
        );
        return;
      }
      const s = steps[0];
      if (!s) return;
      const lines = [
        `step:     ${s.step} (${s.state}${s.reasons.length ? `: ${s.reasons.join('; ')}` : ''})`,
      ];
      if (s.durationMs !== undefined) lines.push(`duration: ${formatDuration(s.durationMs)}`);
      for (const [name, path] of Object.entries(s.outputs)) lines.push(`output:   ${name} = ${path}`);
      if (s.card) {
        lines.push(`card:     ${s.card.html}`);
        const sections = s.card.summary.sections;
        if (Array.isArray(sections)) lines.push(`sections: ${sections.join(', ')}`);
        const data = (s.card.summary.data ?? {}) as Record<string, unknown>;
        for (const [key, value] of Object.entries(data)) lines.push(`  ${key}: ${summarise(value)}`);
      } else {
        lines.push(`card:     (none yet: run \`recipe run --step ${s.step}\`)`);
      }
      const trials = s.outputs.trials;
      if (trials) lines.push('', ...(await formatTrials(trials)));
      cliStdout().write(`${lines.join('\n')}\n`);
    });

  program
    .command('clean')
    .description('remove cached step outputs (one step with --step, else all)')
    .addOption(step("remove only this step's cache entries"))
    .addOption(recipeDir())
    .option('--no-wait', 'fail at once if another recipe command holds the lock')
    .action(async (opts: { recipeDir: string; step?: StepKind; wait?: boolean }) => {
      const { cleanRecipe } = await import('../recipes/index.js');
      const { removed } = await cleanRecipe({
        recipeDir: opts.recipeDir,
        step: opts.step,
        wait: opts.wait !== false,
      });
      cliStdout().write(`removed ${removed} cache entr${removed === 1 ? 'y' : 'ies'}\n`);
    });

  program
    .command('gc')
    .description(
      'remove cache entries the current recipe and profile no longer reach; with --artifact-cache, trim the local cache of downloaded artifacts instead',
    )
    .addOption(profile())
    .addOption(recipeDir())
    .option('--no-wait', 'fail at once if another recipe command holds the lock')
    .option(
      '--artifact-cache',
      'trim the cache of models downloaded from tracking servers ($RECIPE_ARTIFACT_CACHE, else $XDG_CACHE_HOME/mlrecipe/artifacts or ~/.cache/mlrecipe/artifacts) to its bound: one-off copies, then least recently used entries; never one used in the last hour',
    )
    .addOption(
      new Option(
        '--max-bytes <n>',
        'with --artifact-cache: the bound in bytes for this trim (default $RECIPE_ARTIFACT_CACHE_MAX_BYTES, else 2 GiB); 0 removes every entry not used in the last hour',
      ).argParser(wholeNumberFrom(0, Number.MAX_SAFE_INTEGER)),
    )
    .addOption(output())
    .action(async (opts: CommonOptions & { wait?: boolean; artifactCache?: boolean; maxBytes?: number }) => {
      if (opts.artifactCache) {
        await trimArtifactCache({ maxBytes: opts.maxBytes, output: opts.output });
        return;
      }
      if (opts.maxBytes !== undefined) {
        throw new UsageError('--max-bytes bounds the artifact cache and needs --artifact-cache', {
          hint: 'recipe gc --artifact-cache --max-bytes N',
        });
      }
      const { gcRecipe } = await import('../recipes/index.js');
      const { defaultStepRegistry } = await import('../recipes/step-registry.js');
      const result = await gcRecipe({
        recipeDir: opts.recipeDir,
        profile: opts.profile,
        registry: defaultStepRegistry,
        wait: opts.wait !== false,
      });
      if (opts.output === 'json') {
        printJson(result);
        return;
      }
      cliStdout().write(
        `removed ${result.removed.length} cache entr${result.removed.length === 1 ? 'y' : 'ies'}, kept ${result.kept}\n`,
      );
    });

  program
    .command('get-artifact')
    .description('print the path of a step output (e.g. --step train --name model)')
    .addOption(step('the step that wrote the output').makeOptionMandatory())
    .requiredOption('-n, --name <name>', 'output name (see `recipe inspect --step S`)')
    .addOption(profile())
    .addOption(recipeDir())
    .action(async (opts: CommonOptions & { step: StepKind; name: string }) => {
      const { stepArtifactPath } = await import('../recipes/index.js');
      const { defaultStepRegistry } = await import('../recipes/step-registry.js');
      const { path, stale } = await stepArtifactPath({
        recipeDir: opts.recipeDir,
        profile: opts.profile,
        registry: defaultStepRegistry,
        step: opts.step,
        name: opts.name,
      });
      if (stale)
        cliStderr().write(`warning: step ${opts.step} is stale; this is the output of its last run\n`);
      cliStdout().write(`${path}\n`);
    });
}

/**
 * `recipe gc --artifact-cache`: what each download does to the cache afterwards
 * (src/tracking/artifact-cache.ts), on demand and with a bound of the caller's choosing.
 */
async function trimArtifactCache(options: { maxBytes?: number; output: OutputFormat }): Promise<void> {
  const { artifactCacheDir, artifactCacheMaxBytes, pruneArtifactCache } =
    await import('../tracking/index.js');
  const cacheDir = artifactCacheDir();
  // --max-bytes wins; without it, a malformed $RECIPE_ARTIFACT_CACHE_MAX_BYTES fails here as it
  // would on the next download.
  const maxBytes = options.maxBytes ?? artifactCacheMaxBytes();
  const { removed, bytes } = await pruneArtifactCache({ cacheDir, maxBytes });
  if (options.output === 'json') {
    printJson({ cache_dir: cacheDir, max_bytes: maxBytes, removed, bytes });
    return;
  }
  cliStdout().write(
    `removed ${removed.length} artifact cache entr${removed.length === 1 ? 'y' : 'ies'}; ${cacheDir} holds ${bytes} bytes (bound ${maxBytes})\n`,
  );
}

interface CommonOptions {
  recipeDir: string;
  profile?: string;
  output: OutputFormat;
}

interface RunOptions extends CommonOptions {
  step?: StepKind;
  cache?: boolean;
  remoteCache?: string;
  wait?: boolean;
  tracking?: boolean;
  executor: 'local' | 'queue';
  queue?: string;
}

function summarise(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A sweep's trials (train's trials.json) as a table, best first. */
async function formatTrials(file: string): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    primary_metric: string;
    best_trial: number;
    trials: Array<{
      index: number;
      status: string;
      loss: number | null;
      metrics: Record<string, number>;
      params: Record<string, unknown>;
      cached: boolean;
      runId?: string;
      error?: string;
    }>;
  };
  const names = [...new Set(data.trials.flatMap((t) => Object.keys(t.params)))];
  const sorted = [...data.trials].sort(
    (a, b) =>
      (a.loss ?? Number.POSITIVE_INFINITY) - (b.loss ?? Number.POSITIVE_INFINITY) || a.index - b.index,
  );
  const rows = sorted.map((t) => [
    t.index < 0 ? 'untuned' : String(t.index),
    t.status === 'ok' ? String(t.metrics[data.primary_metric]) : `failed: ${t.error ?? ''}`,
    ...names.map((n) =>
      t.params[n] === undefined
        ? ''
        : typeof t.params[n] === 'string'
          ? (t.params[n] as string)
          : JSON.stringify(t.params[n]),
    ),
    t.cached ? 'yes' : 'no',
    t.runId ?? '',
  ]);
  return [
    `trials (${data.trials.length}, best first; best: ${data.best_trial < 0 ? 'untuned' : `trial ${data.best_trial}`})`,
    formatTable(['TRIAL', `val_${data.primary_metric}`, ...names, 'CACHED', 'RUN_ID'], rows),
  ];
}
