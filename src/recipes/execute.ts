/**
 * Execute: a plan → results. For each node in dependency order: reuse the cache entry whose
 * fingerprint matches, or run the step into a temp dir and commit it to the cache. Independent
 * steps run concurrently. A failed step stops everything downstream of it; its temp
 * dir is removed, so nothing half-written is ever mistaken for output. The scheduling itself is
 * src/dag-executor.ts, shared with workflows (src/projects/workflow.ts).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { copyFileAtomic } from '../atomic-write.js';
import { type DagTask, executeDag, type TaskSettlement } from '../dag-executor.js';
import { ConfigError, GateRejectedError, isMlrecipeError, type MlrecipeError, StepError } from '../errors.js';
import type { StepRegistry } from './step-registry.js';
import type { TrialExecutor } from '../sweeps/train-trial.js';
import type { StepContext, StepKind, StepResult } from '../steps/types.js';
import { type CacheManifest, StepCache } from './cache.js';
import { CARD_HTML, CARD_JSON, writeCard } from '../steps/cards.js';
import { explainChange } from './fingerprint.js';
import { type LoadedRecipe, loadRecipe, locateConfigError } from './load.js';
import { acquireRecipeLock } from './lock.js';
import { defaultTargets, type PlanNode, planRecipe, type RecipePlan } from './plan.js';
import { createProgressReporter, type ProgressReporter, type StepRunState } from './progress.js';
import { hashFile, StatCache } from './stat-cache.js';
import type { RemoteStepCache } from './remote-cache.js';
import { ALWAYS_RUNS } from './status.js';
import { closePythonWorkers, pythonWorkersStarted } from '../python/session.js';

export interface StepOutcome {
  step: StepKind;
  state: StepRunState;
  fingerprint: string;
  durationMs: number;
  /** The cache entry holding the step's outputs (ran or cached). */
  dir?: string;
  /** Named outputs: name → path relative to `dir`. */
  outputs: Record<string, string>;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** For a cached step: the tracking run that produced the entry. */
  reusedFromRunId?: string;
  error?: MlrecipeError;
}

/**
 * Records a recipe run somewhere (the tracking store; see record.ts). The executor calls it;
 * a failure to record is reported but does not fail steps that succeeded.
 */
export interface RecipeRunRecorder {
  readonly runId: string;
  readonly experimentId: string;
  trackingUri: string;
  /** The open store the run records into, for steps that record runs of their own. */
  readonly store?: StepContext['store'];
  stepFinished(outcome: StepOutcome): Promise<void>;
  /**
   * Writes what the recorder holds back (a recorder may keep cached steps' records to write them
   * together); called before a step that does work starts, so a long step's run already shows
   * what came before it.
   */
  flush?(): Promise<void>;
  end(status: 'FINISHED' | 'FAILED' | 'KILLED'): Promise<void>;
}

export type RecorderFactory = (context: {
  recipe: LoadedRecipe;
  targets: readonly StepKind[];
}) => Promise<RecipeRunRecorder | undefined>;

export interface RunRecipeOptions {
  recipeDir: string;
  profile?: string;
  /** Steps to reach (their ancestors run too); default: through register. */
  steps?: StepKind[];
  /** Run every step even when a matching cache entry exists (the entry is replaced). */
  noCache?: boolean;
  /** Wait for another run's lock (default) or fail at once. */
  wait?: boolean;
  registry?: StepRegistry;
  progress?: ProgressReporter;
  /** Creates the tracking recorder once the plan is known; none → nothing is recorded. */
  recorder?: RecorderFactory;
  /** How many independent steps may run at once. */
  concurrency?: number;
  /** Install SIGINT/SIGTERM handlers that end the run KILLED, release the lock and exit 130/143. */
  handleSignals?: boolean;
  /** Runs a tuned train step's trials elsewhere (`--executor queue`); default: worker threads here. */
  trialExecutor?: TrialExecutor;
  /** The step cache's remote tier (`--remote-cache`): entries pulled on a local miss, pushed after a run. */
  remoteCache?: RemoteStepCache;
}

export interface RunRecipeResult {
  recipe: LoadedRecipe;
  plan: RecipePlan;
  outcomes: StepOutcome[];
  runId?: string;
  experimentId?: string;
  /** The first step failure, if any (downstream steps are `skipped`). */
  error?: MlrecipeError;
}

/**
 * Runs a recipe: load + validate (a ConfigError is thrown before anything runs), take the lock,
 * plan, execute, record. Step failures do not throw: they are in `result.error` and the outcomes,
 * so the caller can still show the summary.
 */
export async function runRecipe(options: RunRecipeOptions): Promise<RunRecipeResult> {
  const recipe = loadRecipe({ recipeDir: options.recipeDir, profile: options.profile });
  const progress = options.progress ?? createProgressReporter({ mode: 'silent' });
  const lock = await acquireRecipeLock({
    recipeDir: recipe.recipeDir,
    wait: options.wait,
    command: 'recipe run',
    onWait: (owner) =>
      progress.note(
        `waiting for another recipe run to finish (${owner ? `pid ${owner.pid} on ${owner.hostname}` : 'lock file .recipe/lock'})...`,
      ),
  });
  const cache = new StepCache(recipe.recipeDir);
  const activeTemps = new Set<string>();
  let recorder: RecipeRunRecorder | undefined;
  let ended = false;
  // Steps that start processes (`using: project`) stop them on abort; the run ends after them.
  const abort = new AbortController();
  const stopping = new Set<Promise<unknown>>();
  let interrupted = false;
  const removeSignalHandlers = options.handleSignals
    ? installSignalHandlers(async (signal) => {
        interrupted = true;
        progress.note(`received ${signal}: stopping`);
        abort.abort();
        if (stopping.size > 0)
          await withTimeout(Promise.allSettled([...stopping]), 15_000).catch(() => undefined);
        progress.end();
        for (const dir of activeTemps) rmSync(dir, { recursive: true, force: true });
        if (recorder && !ended) {
          ended = true;
          await withTimeout(recorder.end('KILLED'), 3000).catch(() => undefined);
        }
        lock.release();
      })
    : () => {};
  try {
    const leftovers = cache.removeLeftovers();
    if (leftovers > 0)
      progress.note(
        `removed ${leftovers} incomplete cache entr${leftovers === 1 ? 'y' : 'ies'} left by an interrupted run`,
      );
    const statCache = StatCache.open(cache.stateRoot);
    const targets = options.steps ?? defaultTargets(options.registry);
    // Opening the tracking store (and asking git for lineage) overlaps with planning.
    const [planned, recorded] = await Promise.allSettled([
      planRecipe({ recipe, targets, registry: options.registry, statCache }),
      options.recorder ? options.recorder({ recipe, targets }) : Promise.resolve(undefined),
    ]);
    if (recorded.status === 'fulfilled') recorder = recorded.value;
    if (planned.status === 'rejected') {
      throw planned.reason instanceof ConfigError
        ? locateConfigError(planned.reason, recipe.locate)
        : planned.reason;
    }
    if (recorded.status === 'rejected') throw recorded.reason;
    const plan: RecipePlan = planned.value;
    progress.begin(plan.nodes.map((n) => n.kind));
    const outcomes = await executePlan({
      plan,
      cache,
      statCache,
      progress,
      noCache: options.noCache === true,
      concurrency: options.concurrency ?? 2,
      activeTemps,
      recorder,
      signal: abort.signal,
      stopping,
      ...(options.trialExecutor ? { trialExecutor: options.trialExecutor } : {}),
      ...(options.remoteCache ? { remoteCache: options.remoteCache } : {}),
    });
    progress.end();
    statCache.save();
    const error = outcomes.find((o) => o.error)?.error;
    if (recorder && !ended && !interrupted) {
      ended = true;
      await recorder.flush?.().catch((cause: unknown) => {
        progress.note(`warning: could not record the steps in the tracking run: ${(cause as Error).message}`);
      });
      await recorder.end(recipeRunStatus(error));
    }
    return { recipe, plan, outcomes, runId: recorder?.runId, experimentId: recorder?.experimentId, error };
  } catch (error) {
    progress.end();
    if (recorder && !ended && !interrupted) {
      ended = true;
      await recorder.end('FAILED').catch(() => undefined);
    }
    throw error;
  } finally {
    removeSignalHandlers();
    for (const dir of activeTemps) rmSync(dir, { recursive: true, force: true });
    // One Python worker per recipe run (docs/python-worker.md): it ends with the run.
    if (pythonWorkersStarted()) await closePythonWorkers();
    lock.release();
  }
}

/**
 * How a recipe run ends: only errors make it FAILED. A gate rejection is a decision the run
 * reached, so the run is FINISHED with `validation_status=REJECTED` (MLflow Recipes' evaluate step
 * likewise finishes with `model_validation_status` REJECTED).
 */
export function recipeRunStatus(error: MlrecipeError | undefined): 'FINISHED' | 'FAILED' {
  return error === undefined || error instanceof GateRejectedError ? 'FINISHED' : 'FAILED';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);
}

function installSignalHandlers(cleanup: (signal: NodeJS.Signals) => Promise<void>): () => void {
  let handling = false;
  const handler = (signal: NodeJS.Signals) => {
    if (handling) return;
    handling = true;
    // 128 + signal number, the shell convention: SIGINT 2 → 130, SIGTERM 15 → 143.
    const code = signal === 'SIGINT' ? 130 : 143;
    void cleanup(signal).finally(() => process.exit(code));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

interface ExecuteContext {
  plan: RecipePlan;
  cache: StepCache;
  statCache: StatCache;
  progress: ProgressReporter;
  noCache: boolean;
  concurrency: number;
  activeTemps: Set<string>;
  recorder?: RecipeRunRecorder;
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Runs of steps that honour the signal; the signal handler waits for them. */
  stopping?: Set<Promise<unknown>>;
  trialExecutor?: TrialExecutor;
  remoteCache?: RemoteStepCache;
}

async function executePlan(ctx: ExecuteContext): Promise<StepOutcome[]> {
  const outcomes = new Map<StepKind, StepOutcome>();
  await executeDag<PlanNode & DagTask, StepOutcome>({
    tasks: ctx.plan.nodes.map((node) => ({ ...node, id: node.kind, dependsOn: node.upstream })),
    concurrency: ctx.concurrency,
    run: (node, upstream) => {
      const inputDirs: Partial<Record<StepKind, string>> = {};
      for (const u of upstream.values()) if (u.dir) inputDirs[u.step] = u.dir;
      return runNode(ctx, node, inputDirs);
    },
    // runNode reports a failed step as an outcome (with its error and tags), not by throwing.
    isFailure: (outcome) => outcome.state === 'failed',
    onSettled: async (node, settlement) => {
      const outcome = outcomeOf(node, settlement);
      if (outcome.state === 'skipped')
        ctx.progress.stepFinished(node.kind, { state: 'skipped', durationMs: 0 });
      outcomes.set(node.kind, outcome);
      if (ctx.recorder) {
        await ctx.recorder.stepFinished(outcome).catch((error: unknown) => {
          ctx.progress.note(
            `warning: could not record step ${node.kind} in the tracking run: ${(error as Error).message}`,
          );
        });
      }
    },
  });
  // onSettled has seen every node by the time executeDag resolves.
  return ctx.plan.nodes.map((n) => outcomes.get(n.kind) as StepOutcome);
}

function outcomeOf(node: PlanNode, settlement: TaskSettlement<StepOutcome>): StepOutcome {
  switch (settlement.state) {
    case 'succeeded':
      return settlement.result;
    case 'failed': {
      if (settlement.result) return settlement.result;
      // runNode catches what a step throws; anything escaping it is a fault of the executor's own.
      const cause = settlement.error;
      const error = isMlrecipeError(cause)
        ? cause
        : new StepError(node.kind, cause instanceof Error ? cause.message : String(cause), { cause });
      return { ...emptyOutcome(node, 'failed'), error };
    }
    case 'skipped':
    case 'cancelled':
      return emptyOutcome(node, 'skipped');
  }
}

function emptyOutcome(node: PlanNode, state: StepRunState): StepOutcome {
  return {
    step: node.kind,
    state,
    fingerprint: node.fingerprint,
    durationMs: 0,
    outputs: {},
    metrics: {},
    params: {},
    tags: {},
  };
}

async function runNode(
  ctx: ExecuteContext,
  node: PlanNode,
  inputDirs: Partial<Record<StepKind, string>>,
): Promise<StepOutcome> {
  const { cache, progress } = ctx;
  const recipe = ctx.plan.recipe;
  const started = Date.now();
  if (!ctx.noCache && node.step.alwaysRun !== true) {
    let manifest = cache.lookup(node.kind, node.fingerprint);
    let pulled = false;
    if (manifest === null && ctx.remoteCache) {
      manifest = await ctx.remoteCache.pull(cache, node.kind, node.fingerprint).catch((error: unknown) => {
        // The remote tier only saves work: when it fails, the step runs here.
        progress.note(`warning: ${node.kind}: remote cache: ${(error as Error).message}`);
        return null;
      });
      pulled = manifest !== null;
    }
    if (manifest) {
      ctx.progress.stepStarted(node.kind);
      if (pulled) progress.stepLog(node.kind, `fetched from the remote cache ${ctx.remoteCache?.uri}`);
      await restoreExternalOutputs(ctx, node, manifest);
      const durationMs = Date.now() - started;
      const previous = cache.readState(node.kind);
      cache.updateState(
        {
          step: node.kind,
          fingerprint: node.fingerprint,
          inputs: node.inputs,
          finishedAt: new Date().toISOString(),
          durationMs: manifest.durationMs,
          outcome: 'cached',
          why: previous?.fingerprint === node.fingerprint ? previous.why : undefined,
          runId: manifest.runId,
        },
        previous,
      );
      progress.stepFinished(node.kind, { state: 'cached', durationMs });
      return {
        step: node.kind,
        state: 'cached',
        fingerprint: node.fingerprint,
        durationMs,
        dir: cache.entryDir(node.kind, node.fingerprint),
        outputs: manifest.outputs,
        metrics: manifest.metrics,
        params: manifest.params,
        tags: manifest.tags,
        reusedFromRunId: manifest.runId,
      };
    }
  }
  const why = whyRun(ctx, node);
  await ctx.recorder?.flush?.().catch((error: unknown) => {
    progress.note(`warning: could not record earlier steps in the tracking run: ${(error as Error).message}`);
  });
  ctx.progress.stepStarted(node.kind, why);
  const tmp = cache.createTempDir(node.kind);
  ctx.activeTemps.add(tmp);
  const stepContext: StepContext = {
    recipeDir: recipe.recipeDir,
    recipe: recipe.config as unknown as Record<string, unknown>,
    outDir: tmp,
    inputDirs,
    log: (message) => progress.stepLog(node.kind, message),
    fingerprint: node.fingerprint,
    inputFingerprints: Object.fromEntries(
      node.upstream.map((kind) => [kind, ctx.plan.nodes.find((n) => n.kind === kind)?.fingerprint]),
    ),
    ...(progress.stepStatus
      ? { liveStatus: (lines: readonly string[]) => progress.stepStatus?.(node.kind, lines) }
      : {}),
    // The sweep machinery sits a layer above the steps; loaded only when a step tunes.
    tune: async (request) =>
      (await import('../sweeps/train-sweep.js')).runTrainSweep(
        request,
        stepContext,
        ctx.trialExecutor ? { executor: ctx.trialExecutor } : {},
      ),
    trackingUri: ctx.recorder?.trackingUri,
    runId: ctx.recorder?.runId,
    experimentId: ctx.recorder?.experimentId,
    store: ctx.recorder?.store,
    signal: ctx.signal,
  };
  try {
    const running = node.step.run(node.config, stepContext);
    if (ctx.stopping && node.step.honoursAbort?.(node.config)) {
      ctx.stopping.add(running);
      void running.catch(() => undefined).finally(() => ctx.stopping?.delete(running));
    }
    const result = await running;
    const outputs = checkOutputs(node.kind, tmp, result);
    const externalOutputs = await describeExternalOutputs(ctx, node.kind, tmp, outputs, result);
    writeCard(tmp, result.card, {
      title: `${node.kind} — ${recipe.config.recipe}`,
      facts: {
        recipe: recipe.recipeDir,
        profile: recipe.profile,
        fingerprint: node.fingerprint.slice(0, 12),
      },
    });
    const finished = Date.now();
    const manifest: CacheManifest = {
      format: 1,
      step: node.kind,
      fingerprint: node.fingerprint,
      inputs: node.inputs,
      outputs,
      ...(externalOutputs ? { externalOutputs } : {}),
      metrics: result.metrics ?? {},
      params: result.params ?? {},
      tags: result.tags ?? {},
      durationMs: finished - started,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      runId: ctx.recorder?.runId,
    };
    const dir = cache.commit(tmp, manifest);
    ctx.activeTemps.delete(tmp);
    if (ctx.remoteCache) {
      await ctx.remoteCache.push(dir, manifest).then(
        (blobs) =>
          progress.stepLog(
            node.kind,
            `pushed to the remote cache (${blobs} new file${blobs === 1 ? '' : 's'})`,
          ),
        (error: unknown) =>
          progress.note(
            `warning: ${node.kind}: could not push to the remote cache: ${(error as Error).message}`,
          ),
      );
    }
    cache.writeState({
      step: node.kind,
      fingerprint: node.fingerprint,
      inputs: node.inputs,
      finishedAt: manifest.finishedAt,
      durationMs: manifest.durationMs,
      outcome: 'ran',
      why,
      runId: manifest.runId,
    });
    progress.stepFinished(node.kind, { state: 'ran', durationMs: manifest.durationMs });
    return {
      step: node.kind,
      state: 'ran',
      fingerprint: node.fingerprint,
      durationMs: manifest.durationMs,
      dir,
      outputs,
      metrics: manifest.metrics,
      params: manifest.params,
      tags: manifest.tags,
    };
  } catch (cause) {
    rmSync(tmp, { recursive: true, force: true });
    ctx.activeTemps.delete(tmp);
    // A step names the field it objects to; the recipe's source map says where it is written.
    const error = isMlrecipeError(cause)
      ? cause instanceof ConfigError
        ? locateConfigError(cause, recipe.locate)
        : cause
      : new StepError(node.kind, cause instanceof Error ? cause.message : String(cause), { cause });
    const durationMs = Date.now() - started;
    progress.stepFinished(node.kind, { state: 'failed', durationMs, error });
    // A rejection's tags (validation_status=REJECTED, …) still go on the tracking run.
    const tags = error instanceof GateRejectedError ? { ...error.tags } : {};
    return { ...emptyOutcome(node, 'failed'), durationMs, error, tags };
  }
}

/** Records each external output as a copy of a named output, checking that it is one. */
async function describeExternalOutputs(
  ctx: ExecuteContext,
  step: StepKind,
  dir: string,
  outputs: Record<string, string>,
  result: StepResult,
): Promise<CacheManifest['externalOutputs']> {
  const declared = Object.entries(result.externalOutputs ?? {});
  if (declared.length === 0) return undefined;
  const described: NonNullable<CacheManifest['externalOutputs']> = {};
  for (const [path, output] of declared) {
    const rel = outputs[output];
    if (rel === undefined) throw new StepError(step, `external output ${path} names no output "${output}"`);
    const abs = resolve(ctx.plan.recipe.recipeDir, path);
    const sha = await hashFile(join(dir, rel));
    if ((await ctx.statCache.hash(abs)) !== sha) {
      throw new StepError(step, `external output ${path} is not a copy of its output "${output}"`);
    }
    described[abs] = { output, sha256: sha };
  }
  return described;
}

/** A cached step's files outside the cache are put back when missing or changed. */
async function restoreExternalOutputs(
  ctx: ExecuteContext,
  node: PlanNode,
  manifest: CacheManifest,
): Promise<void> {
  const dir = ctx.cache.entryDir(node.kind, node.fingerprint);
  for (const [path, { output, sha256 }] of Object.entries(manifest.externalOutputs ?? {})) {
    if ((await ctx.statCache.hash(path)) === sha256) continue;
    const rel = manifest.outputs[output];
    if (rel === undefined) continue;
    mkdirSync(dirname(path), { recursive: true });
    copyFileAtomic(join(dir, rel), path);
    ctx.progress.stepLog(node.kind, `restored ${path} from the cache`);
  }
}

/** What changed since the step's last successful run, in `recipe status` terms. */
function whyRun(ctx: ExecuteContext, node: PlanNode): string[] {
  if (ctx.noCache) return ['--no-cache'];
  if (node.step.alwaysRun) return [ALWAYS_RUNS];
  const last = ctx.cache.readState(node.kind);
  if (!last) return ['never run'];
  if (last.fingerprint === node.fingerprint) return ['its cached outputs are missing'];
  const reasons = explainChange(last.inputs, node.inputs);
  return reasons.length > 0 ? reasons : ['its inputs changed'];
}

/** Outputs must be relative paths inside the step's directory that exist. Adds the card files. */
function checkOutputs(step: StepKind, dir: string, result: StepResult): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, path] of Object.entries(result.outputs ?? {})) {
    const rel = normalize(path);
    if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${'/'}`)) {
      throw new StepError(
        step,
        `output "${name}" must be a path inside the step's output directory, not ${path}`,
      );
    }
    if (!existsSync(join(dir, rel))) throw new StepError(step, `output "${name}" (${path}) was not written`);
    outputs[name] = rel;
  }
  outputs.card ??= CARD_HTML;
  outputs.card_json ??= CARD_JSON;
  return outputs;
}
