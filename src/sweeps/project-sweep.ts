/**
 * `recipe sweep`: a hyperparameter sweep over an MLproject entry point (docs/sweeps.md).
 *
 * One parent run; each trial is the entry point run once through the project runner (the one
 * `recipe project run` uses) as a child run with `mlflow.parentRunId`, the trial's params passed
 * as entry-point parameters. The entry point logs its metric through the tracking store, as
 * `mlflow run` entry points do (MLFLOW_RUN_ID / MLFLOW_TRACKING_URI are set for it), and the
 * sweep reads the metric's final value back from the child run. The space file has the format of
 * a recipe's `tuning.parameters` and goes through the same validator.
 *
 * Everything checkable is checked before the parent run exists: the space file (file:line:column),
 * every space parameter declared by the entry point with a type its values satisfy, the fixed
 * `-P` values. A trial that fails (non-zero exit, or no metric logged) is a FAILED child and the
 * sweep goes on; the sweep fails only when every trial failed.
 *
 * Finished trials are reused, as a recipe sweep's trial cache does: each child carries a trial
 * fingerprint (the project run's reuse key — entry point, every parameter, the code's digest or
 * commit — and the sweep's seed), and a trial whose fingerprint matches a FINISHED run that logged
 * the metric is recorded from that run instead of executed. The tracking store is the cache, so a
 * killed sweep re-runs only the trials that had not finished, on any machine sharing the store.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type ConfigIssue, MlrecipeError, StepError, UsageError } from '../errors.js';
import type {
  EntryPoint,
  EnvManager,
  ProjectRunExecutor,
  ProjectRunPlan,
  ProjectRunSession,
} from '../projects/index.js';

/**
 * The projects module (execa, simple-git, yaml) loads when a project sweep runs, not when a recipe
 * imports the sweeps module.
 */
type Projects = typeof import('../projects/index.js');
import { formatNumber } from '../steps/cards.js';
import {
  localPathFromArtifactUri,
  logBatchChunked,
  openTrackingStore,
  resolveTrackingUri,
  runnerTags,
  type Run,
  TAGS,
  type Tag,
  type TrackingStore,
} from '../tracking/index.js';
import { MAX_TAG_VALUE_LENGTH } from '../tracking/types.js';
import { pointToParams, samplePoint } from './prior.js';
import { SweepRandom } from './rng.js';
import { runSweep, type TrialResult } from './run-sweep.js';
import { type AlgorithmName, createSampler } from './samplers.js';
import type { ParamValue, SearchParameter } from './space.js';
import { TRIAL_TAGS } from './trial-tags.js';
import { DEFAULT_TUNING_SEED, parseTuningConfig } from './tuning-config.js';

export type SweepGoal = 'minimize' | 'maximize';

export interface ProjectSweepOptions {
  /** Project directory, `dir#subdir` or git URI, as for `recipe project run`. */
  uri: string;
  /** Default `main`. */
  entryPoint?: string;
  /** The search space file: a mapping in the format of `tuning.parameters`. */
  spaceFile: string;
  /** The metric each trial's run logs. */
  metric: string;
  /** Default minimize. */
  goal?: SweepGoal;
  /** Default 20. */
  maxTrials?: number;
  /** Trials at once (default 1). */
  parallelism?: number;
  /** Default TPE. */
  algorithm?: string;
  /** Default 42: the same seed proposes the same trials at any parallelism. */
  seed?: number;
  /** Fixed `-P` values, passed to every trial. */
  parameters?: Record<string, string>;
  /** Record a trial from an earlier FINISHED run with its fingerprint instead of running it (default true). */
  reuse?: boolean;
  version?: string;
  envManager?: EnvManager;
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  trackingUri?: string;
  /** Record into this open store (then trackingUri must name it). */
  store?: TrackingStore;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (one per finished trial, as the recipe sweep prints them). */
  log?: (line: string) => void;
  /** Stop SIGINT/SIGTERM: running trials are stopped, their children and the parent KILLED (default true). */
  handleSignals?: boolean;
  signal?: AbortSignal;
  /** Where the trials execute (default here; `queueProjectExecutor` puts them on queue workers). */
  executor?: ProjectRunExecutor;
}

export interface ProjectSweepTrial extends TrialResult {
  index: number;
  params: Record<string, ParamValue>;
  runId?: string;
  /** The metric's final value in the child run. */
  value?: number;
  /** Recorded from an earlier run of the same trial (its id) instead of executed. */
  reusedFrom?: string;
}

export interface ProjectSweepResult {
  parentRunId: string;
  experimentId: string;
  trials: ProjectSweepTrial[];
  best?: ProjectSweepTrial;
}

interface ValidatedSweep {
  space: SearchParameter[];
  maxTrials: number;
  parallelism: number;
  algorithm: AlgorithmName;
  seed: number;
}

const CLI_FLAGS: Readonly<Record<string, string>> = {
  max_trials: '--max-trials',
  algorithm: '--algorithm',
  parallelism: '--parallelism',
  seed: '--seed',
};

/** The space file and the sweep's numbers through the recipe's `tuning` validator. */
function validateSweep(projects: Projects, options: ProjectSweepOptions, spaceFile: string): ValidatedSweep {
  if (!existsSync(spaceFile)) {
    throw new UsageError(`the space file ${spaceFile} does not exist`, {
      hint: 'write a YAML mapping as under tuning.parameters, e.g. alpha: {distribution: loguniform, low: -9, high: -1}',
    });
  }
  const doc = projects.readPositionedYaml(spaceFile);
  const { config, issues } = parseTuningConfig({
    enabled: true,
    max_trials: options.maxTrials ?? 20,
    algorithm: options.algorithm ?? 'tpe',
    parallelism: options.parallelism ?? 1,
    seed: options.seed ?? DEFAULT_TUNING_SEED,
    parameters: doc.value ?? null,
  });
  const usage = issues.filter((i) => i.path[0] !== 'parameters' && i.path.length > 0);
  if (usage.length > 0) {
    const first = usage[0] as (typeof usage)[number];
    throw new UsageError(`${CLI_FLAGS[first.path[0] as string] ?? first.path[0]}: ${first.message}`, {
      ...(first.hint ? { hint: first.hint } : {}),
    });
  }
  const spaceIssues: ConfigIssue[] = issues.map((i) => {
    const path = i.path[0] === 'parameters' ? i.path.slice(1) : i.path;
    return doc.issue(path, i.message, i.hint);
  });
  if (spaceIssues.length > 0 || !config) throw new ConfigError(spaceIssues);
  return {
    space: config.space,
    maxTrials: config.maxTrials,
    parallelism: config.parallelism,
    algorithm: config.algorithm,
    seed: config.seed,
  };
}

/** What a trial's value looks like on the entry point's command line. */
export function parameterText(value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/** Values a distribution can produce that are integers whatever the draw. */
function alwaysInteger(p: SearchParameter): boolean {
  const d = p.distribution;
  switch (d.kind) {
    case 'randint':
    case 'uniformint':
      return true;
    case 'quniform':
    case 'qloguniform':
    case 'qnormal':
    case 'qlognormal':
      return Number.isInteger(d.q);
    case 'choice':
      return d.options.every((o) => typeof o === 'number' && Number.isInteger(o));
    default:
      return false;
  }
}

/**
 * Every space parameter must be declared by the entry point, with a type its values satisfy
 * (an `int` parameter takes randint/uniformint, a q-distribution with an integer q, or integer
 * choices; a choice's every option must pass the parameter's type check).
 */
function entryPointIssues(
  projects: Projects,
  entryPoint: EntryPoint,
  space: readonly SearchParameter[],
  fixed: Record<string, string>,
  spaceFile: string,
): void {
  const doc = projects.readPositionedYaml(spaceFile);
  const issues: ConfigIssue[] = [];
  const declared = new Map(entryPoint.parameters.map((p) => [p.name, p]));
  const names = [...declared.keys()];
  for (const p of space) {
    const spec = declared.get(p.name);
    const at = (message: string, hint: string, key = true) => {
      const pos = doc.positionOf([p.name], { key });
      issues.push({ file: spaceFile, ...pos, path: p.name, message, hint });
    };
    if (!spec) {
      at(
        `entry point "${entryPoint.name}" does not declare a parameter "${p.name}"`,
        names.length > 0
          ? `its parameters are ${names.join(', ')}; declare ${p.name} under entry_points.${entryPoint.name}.parameters in the MLproject file`
          : `declare ${p.name} under entry_points.${entryPoint.name}.parameters in the MLproject file`,
      );
      continue;
    }
    if (fixed[p.name] !== undefined) {
      at(
        `parameter "${p.name}" is both in the space and fixed with -P`,
        `drop -P ${p.name}=…, or remove ${p.name} from the space`,
      );
      continue;
    }
    const d = p.distribution;
    if (spec.type === 'int' && !alwaysInteger(p)) {
      at(
        `parameter "${p.name}" is an int, but its ${d.kind} distribution draws non-integer values`,
        'use randint, uniformint, or a q-distribution with an integer q (e.g. quniform with q: 1); or declare it as float',
        false,
      );
      continue;
    }
    if (d.kind === 'choice') {
      for (const option of d.options) {
        const problem = projects.checkParameterValue(spec, parameterText(option));
        if (problem) {
          at(
            `a value of parameter "${p.name}" ${problem}`,
            `every value must be a valid ${spec.type}`,
            false,
          );
          break;
        }
      }
    } else if (spec.type === 'path' || spec.type === 'uri') {
      at(
        `parameter "${p.name}" is a ${spec.type}, which a ${d.kind} distribution cannot produce`,
        'list the values with values: [...]',
        false,
      );
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

function formatParams(params: Record<string, ParamValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`)
    .join(' ');
}

/** The last non-empty line of the child's stderr.txt, to say why a trial failed. */
function lastStderrLine(artifactUri: string): string | undefined {
  try {
    const file = join(localPathFromArtifactUri(artifactUri), 'stderr.txt');
    if (!existsSync(file)) return undefined;
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim());
    return lines
      .filter((l) => l.length > 0)
      .at(-1)
      ?.slice(0, 300);
  } catch {
    return undefined;
  }
}

/**
 * A trial's cache key: the project run's reuse key (entry point, every parameter as recorded, the
 * code's digest) and the sweep's seed.
 */
export function trialFingerprint(reuseKey: string, seed: number): string {
  return createHash('sha256').update(JSON.stringify({ reuseKey, seed })).digest('hex');
}

/**
 * The newest FINISHED run with this fingerprint that logged `metric` and whose tags and params say
 * it ran this very plan (the fingerprint is a hash: a collision or a hand-set tag must not count).
 */
async function findFinishedTrial(
  store: TrackingStore,
  args: {
    experimentId: string;
    fingerprint: string;
    plan: ProjectRunPlan;
    metric: string;
    recorded: Record<string, string>;
  },
): Promise<Run | undefined> {
  // The fingerprint is our own hex digest, so it is safe inside the filter's quotes.
  const { runs } = await store.searchRuns({
    experimentIds: [args.experimentId],
    filter: `tags.\`${TRIAL_TAGS.fingerprint}\` = '${args.fingerprint}' and attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
    maxResults: 20,
  });
  for (const run of runs) {
    const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
    if (tags.get(TAGS.projectEntryPoint) !== args.plan.entryPoint.name) continue;
    if (tags.get(TAGS.gitCommit) !== args.plan.gitCommit) continue;
    const params = new Map(run.data.params.map((p) => [p.key, p.value]));
    const wanted = Object.entries(args.recorded);
    if (params.size !== wanted.length || wanted.some(([k, v]) => params.get(k) !== v)) continue;
    const value = run.data.metrics.find((m) => m.key === args.metric)?.value;
    if (value === undefined || Number.isNaN(value)) continue;
    return run;
  }
  return undefined;
}

/** Runs the sweep; rejects (before any run exists) on a bad space, entry point or option. */
export async function runProjectSweep(options: ProjectSweepOptions): Promise<ProjectSweepResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const goal: SweepGoal = options.goal ?? 'minimize';
  const metric = options.metric;
  const fixed = options.parameters ?? {};
  const reuse = options.reuse !== false;
  const spaceFile = resolve(cwd, options.spaceFile);
  const projects: Projects = await import('../projects/index.js');
  const {
    executeProjectRun,
    PROJECT_TAGS,
    planProjectParameters,
    prepareProject,
    recordedParams,
    resolveExperimentId,
    resolveParameters,
  } = projects;
  const sweep = validateSweep(projects, options, spaceFile);
  const entryPointName = options.entryPoint ?? 'main';

  // One draw from the prior checks the fixed -P values and the required parameters before anything
  // runs; entryPointIssues has already guaranteed that every drawn value passes the type check.
  const probe = pointToParams(sweep.space, samplePoint(sweep.space, new SweepRandom(sweep.seed)));
  const trialParameters = (params: Record<string, ParamValue>) => ({
    ...fixed,
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, parameterText(v)])),
  });
  const prepared = await prepareProject({
    uri: options.uri,
    entryPoint: entryPointName,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.envManager ? { envManager: options.envManager } : {}),
    cwd,
    env,
    log,
    checkEntryPoint(entryPoint) {
      entryPointIssues(projects, entryPoint, sweep.space, fixed, spaceFile);
      resolveParameters({ entryPoint, given: trialParameters(probe), cwd });
    },
  });

  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd, env });
  const store =
    options.store ??
    (await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot }));
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      log(`=== Stopping the sweep (${signal}) ===`);
      controller.abort(new MlrecipeError(`the sweep was stopped by ${signal}`));
    }
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  const onAbort = () => controller.abort(options.signal?.reason);
  const handleSignals = options.handleSignals !== false;
  if (handleSignals) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const experimentId = await resolveExperimentId(store, {
      ...(options.experimentId !== undefined ? { experimentId: options.experimentId } : {}),
      ...(options.experimentName !== undefined ? { experimentName: options.experimentName } : {}),
      env,
    });
    const sweepTags: Tag[] = [
      { key: TRIAL_TAGS.algorithm, value: sweep.algorithm },
      { key: TRIAL_TAGS.metric, value: metric },
      { key: TRIAL_TAGS.goal, value: goal },
    ];
    const user = env.LOGNAME ?? env.USER ?? 'unknown';
    const parent = await store.createRun({
      experimentId,
      userId: user,
      tags: [
        { key: TAGS.user, value: user },
        ...prepared.sourceTags,
        { key: PROJECT_TAGS.projectEnv, value: prepared.environment.name },
        ...sweepTags,
        ...runnerTags(),
      ],
      ...(options.runName ? { runName: options.runName } : {}),
    });
    const parentRunId = parent.info.run_id;
    const parentName = parent.info.run_name || 'sweep';
    let session: ProjectRunSession | undefined;
    try {
      session = await options.executor?.open({
        prepared,
        store,
        trackingUri: resolved.uri,
        stagingArtifactUri: parent.info.artifact_uri,
        ...(options.envManager ? { envManager: options.envManager } : {}),
        log,
      });
      const result = await sweepTrials(parentRunId, parentName, experimentId, session);
      return { parentRunId, experimentId, ...result };
    } catch (error) {
      await store
        .updateRun(parentRunId, {
          status: controller.signal.aborted ? 'KILLED' : 'FAILED',
          endTime: Date.now(),
        })
        .catch(() => undefined);
      throw error;
    } finally {
      await session?.close();
    }
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }
    options.signal?.removeEventListener('abort', onAbort);
    if (!options.store) await store.close();
  }

  async function sweepTrials(
    parentRunId: string,
    parentName: string,
    experimentId: string,
    session: ProjectRunSession | undefined,
  ): Promise<{ trials: ProjectSweepTrial[]; best?: ProjectSweepTrial }> {
    const label = metric;
    const loss = (value: number) => (goal === 'minimize' ? value : -value);
    let done = 0;
    let best: ProjectSweepTrial | undefined;
    log(
      `sweep: ${sweep.algorithm}, up to ${sweep.maxTrials} trials, ${sweep.parallelism} at a time, by ${label} (${goal}); parent run ${parentRunId}`,
    );
    /**
     * A reused trial is a child run of this sweep like any other: the earlier run's params and
     * latest metrics, the project's tags, and `reused_from` naming the run that executed it. One
     * transaction where the store has createFinishedRuns.
     */
    const recordReusedTrial = async (args: {
      plan: ProjectRunPlan;
      previous: Run;
      recorded: Record<string, string>;
      runName: string;
      tags: Record<string, string>;
    }): Promise<string> => {
      const now = Date.now();
      const user = env.LOGNAME ?? env.USER ?? 'unknown';
      const tags: Tag[] = [
        { key: TAGS.user, value: user },
        ...args.plan.sourceTags,
        { key: PROJECT_TAGS.projectEnv, value: args.plan.environment.name },
        { key: TAGS.projectBackend, value: 'local' },
        { key: PROJECT_TAGS.reuseKey, value: args.plan.reuseKey },
        { key: PROJECT_TAGS.codeDigest, value: args.plan.codeDigest },
        { key: TAGS.parentRunId, value: parentRunId },
        ...Object.entries(args.tags).map(([key, value]) => ({ key, value })),
      ];
      const params = Object.entries(args.recorded).map(([key, value]) => ({ key, value }));
      const metrics = args.previous.data.metrics.map((m) => ({
        key: m.key,
        value: m.value,
        timestamp: now,
        step: m.step,
      }));
      const run = {
        experimentId,
        userId: user,
        runName: args.runName,
        startTime: now,
        tags,
      };
      if (store.createFinishedRuns) {
        const [info] = await store.createFinishedRuns([
          { ...run, status: 'FINISHED', endTime: now, params, metrics },
        ]);
        return (info as { run_id: string }).run_id;
      }
      const created = await store.createRun(run);
      await logBatchChunked(store, created.info.run_id, { params, metrics });
      await store.updateRun(created.info.run_id, { status: 'FINISHED', endTime: Date.now() });
      return created.info.run_id;
    };
    const outcome = await runSweep<ProjectSweepTrial>({
      space: sweep.space,
      sampler: createSampler({ algorithm: sweep.algorithm, space: sweep.space, seed: sweep.seed }),
      maxTrials: sweep.maxTrials,
      parallelism: sweep.parallelism,
      signal: controller.signal,
      async runTrial(spec, signal) {
        const plan = planProjectParameters(prepared, { parameters: trialParameters(spec.params), cwd });
        const fingerprint = trialFingerprint(plan.reuseKey, sweep.seed);
        const trialTags = {
          [TRIAL_TAGS.index]: String(spec.index),
          [TRIAL_TAGS.algorithm]: sweep.algorithm,
          [TRIAL_TAGS.fingerprint]: fingerprint,
        };
        if (reuse) {
          const recorded = recordedParams(plan.parameters);
          const previous = await findFinishedTrial(store, {
            experimentId,
            fingerprint,
            plan,
            metric,
            recorded,
          });
          if (previous) {
            const value = previous.data.metrics.find((m) => m.key === metric)?.value as number;
            const reusedFrom =
              previous.data.tags.find((t) => t.key === TRIAL_TAGS.reusedFrom)?.value ?? previous.info.run_id;
            const runId = await recordReusedTrial({
              plan,
              previous,
              recorded,
              runName: `${parentName}-trial-${spec.index}`,
              tags: { ...trialTags, [TRIAL_TAGS.reusedFrom]: reusedFrom },
            });
            return {
              index: spec.index,
              params: spec.params,
              runId,
              status: 'ok',
              value,
              loss: loss(value),
              reusedFrom,
            };
          }
        }
        const run = await (session ? session.execute : executeProjectRun)(plan, {
          store,
          trackingUri: resolved.uri,
          experimentId,
          runName: `${parentName}-trial-${spec.index}`,
          parentRunId,
          tags: trialTags,
          env,
          stdout: null,
          stderr: null,
          log: () => {},
          handleSignals: false,
          signal,
        });
        const base = { index: spec.index, params: spec.params, runId: run.runId };
        if (run.status === 'KILLED') {
          // Only the sweep's own stop kills a trial; runSweep rejects with its reason.
          return { ...base, status: 'failed', error: 'killed' };
        }
        let error: string | undefined;
        let value: number | undefined;
        if (run.status === 'FINISHED') {
          const logged = (await store.getRun(run.runId)).data.metrics.find((m) => m.key === metric);
          if (logged === undefined || Number.isNaN(logged.value)) {
            error = `the run logged no ${metric} metric`;
          } else value = logged.value;
        } else {
          const why = run.exitCode !== undefined ? `exit ${run.exitCode}` : (run.signal ?? 'failed');
          const detail = run.problems[0] ?? lastStderrLine(run.artifactUri);
          error = detail ? `${why}: ${detail}` : why;
        }
        if (error !== undefined) {
          await logBatchChunked(store, run.runId, {
            tags: [{ key: TRIAL_TAGS.error, value: error.slice(0, MAX_TAG_VALUE_LENGTH) }],
          });
          if (run.status === 'FINISHED') await store.updateRun(run.runId, { status: 'FAILED' });
          return { ...base, status: 'failed', error };
        }
        return { ...base, status: 'ok', value: value as number, loss: loss(value as number) };
      },
      onTrialEnd(spec, trial) {
        done++;
        if (trial.status === 'ok' && (!best || (trial.loss as number) < (best.loss as number))) best = trial;
        const outcome =
          trial.status === 'ok'
            ? `${label}=${formatNumber(trial.value as number)}`
            : `failed: ${trial.error ?? ''}`;
        log(
          `trial ${spec.index} (${done}/${sweep.maxTrials}) ${outcome}${trial.reusedFrom ? ' (reused)' : ''}  ${formatParams(spec.params)}` +
            (best ? `  | best ${formatNumber(best.value as number)} (trial ${best.index})` : ''),
        );
      },
    });
    const trials = outcome.trials.map((t) => t.result);
    const failed = trials.filter((t) => t.status === 'failed').length;
    const reusedCount = trials.filter((t) => t.reusedFrom !== undefined).length;
    const winner = outcome.best?.result;
    // The parent records what a run of the best trial records (declared params after defaults,
    // plus extras); without a winner, the fixed -P values.
    const recorded = winner
      ? recordedParams(
          planProjectParameters(prepared, { parameters: trialParameters(winner.params), cwd }).parameters,
        )
      : fixed;
    const params = Object.entries(recorded).map(([key, value]) => ({ key, value }));
    const now = Date.now();
    await logBatchChunked(store, parentRunId, {
      params,
      metrics: [
        { key: 'tuning_trials', value: trials.length, timestamp: now, step: 0 },
        { key: 'tuning_failed_trials', value: failed, timestamp: now, step: 0 },
        { key: 'tuning_cached_trials', value: reusedCount, timestamp: now, step: 0 },
        ...(winner
          ? [{ key: `tuning_best_${metric}`, value: winner.value as number, timestamp: now, step: 0 }]
          : []),
      ],
      tags: winner
        ? [
            { key: TRIAL_TAGS.bestTrial, value: String(winner.index) },
            { key: TRIAL_TAGS.bestRunId, value: winner.runId as string },
          ]
        : [],
    });
    await store.updateRun(parentRunId, { status: winner ? 'FINISHED' : 'FAILED', endTime: Date.now() });
    if (!winner) {
      const first = trials.find((t) => t.error)?.error ?? 'no trial ran';
      throw new StepError('sweep', `all ${trials.length} trials failed; the first error: ${first}`, {
        hint: `each trial is a FAILED child run of ${parentRunId} with its stdout.txt / stderr.txt (recipe runs show ${parentRunId})`,
      });
    }
    log(
      `sweep done: ${trials.length} trials (${reusedCount} reused, ${failed} failed); best ${label}=${formatNumber(winner.value as number)} (trial ${winner.index}, run ${winner.runId})  ${formatParams(winner.params)}`,
    );
    return { trials, best: winner };
  }
}
