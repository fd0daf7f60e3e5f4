/**
 * Read-side of the cache: `recipe status` (cached / stale / never run, and why — like
 * `dvc status`), `recipe inspect`, `recipe get-artifact`, and the write-side housekeeping
 * `recipe clean` and `recipe gc`.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { MlrecipeError, UsageError } from '../errors.js';
import type { StepRegistry } from './step-registry.js';
import type { StepKind } from '../steps/types.js';
import { type CacheManifest, StepCache } from './cache.js';
import { CARD_HTML, CARD_JSON } from '../steps/cards.js';
import { explainChange } from './fingerprint.js';
import { type LoadedRecipe, loadRecipe } from './load.js';
import { acquireRecipeLock } from './lock.js';
import { allTargets, planRecipe, type RecipePlan } from './plan.js';
import { StatCache } from './stat-cache.js';

export type StepCacheState = 'cached' | 'stale' | 'never run';

/** The reason given for a step whose Step has `alwaysRun` (register). */
export const ALWAYS_RUNS = 'it always runs: it reads state outside the recipe';

export interface StepStatus {
  step: StepKind;
  state: StepCacheState;
  fingerprint: string;
  /** For a stale step: what changed since its last successful run. */
  reasons: string[];
  /** The cache entry for the current fingerprint, when cached. */
  dir?: string;
  manifest?: CacheManifest;
  /** The last successful run of this step (any fingerprint). */
  last?: { fingerprint: string; finishedAt: string; durationMs: number; runId?: string };
}

export interface RecipeStatusOptions {
  recipeDir: string;
  profile?: string;
  registry?: StepRegistry;
  /** Restrict to these steps and their ancestors; default: every step of the recipe. */
  steps?: StepKind[];
}

async function planCurrent(
  options: RecipeStatusOptions,
): Promise<{ recipe: LoadedRecipe; plan: RecipePlan; cache: StepCache }> {
  const recipe = loadRecipe({ recipeDir: options.recipeDir, profile: options.profile });
  const cache = new StepCache(recipe.recipeDir);
  const statCache = StatCache.open(cache.stateRoot);
  const plan = await planRecipe({
    recipe,
    targets: options.steps ?? allTargets(recipe, options.registry),
    registry: options.registry,
    statCache,
  });
  return { recipe, plan, cache };
}

export async function recipeStatus(options: RecipeStatusOptions): Promise<StepStatus[]> {
  const { plan, cache } = await planCurrent(options);
  return plan.nodes.map((node) => {
    const state = cache.readState(node.kind);
    const last = state
      ? {
          fingerprint: state.fingerprint,
          finishedAt: state.finishedAt,
          durationMs: state.durationMs,
          runId: state.runId,
        }
      : undefined;
    if (node.step.alwaysRun) {
      // Such a step's outputs depend on state outside the recipe (a registry): never "cached".
      return state
        ? { step: node.kind, state: 'stale', fingerprint: node.fingerprint, reasons: [ALWAYS_RUNS], last }
        : { step: node.kind, state: 'never run', fingerprint: node.fingerprint, reasons: [], last };
    }
    const manifest = cache.lookup(node.kind, node.fingerprint);
    if (manifest) {
      return {
        step: node.kind,
        state: 'cached',
        fingerprint: node.fingerprint,
        reasons: [],
        dir: cache.entryDir(node.kind, node.fingerprint),
        manifest,
        last,
      };
    }
    const notes = node.step.statusNotes?.(node.config, plan.recipe.recipeDir) ?? [];
    if (!state)
      return { step: node.kind, state: 'never run', fingerprint: node.fingerprint, reasons: notes, last };
    const reasons =
      state.fingerprint === node.fingerprint
        ? ['its cached outputs are missing']
        : explainChange(state.inputs, node.inputs);
    return {
      step: node.kind,
      state: 'stale',
      fingerprint: node.fingerprint,
      reasons: [...(reasons.length > 0 ? reasons : ['its inputs changed']), ...notes],
      last,
    };
  });
}

/** Where `recipe get-artifact --step S --name N` points: the current entry, else the last run's (stale). */
export async function stepArtifactPath(
  options: RecipeStatusOptions & { step: StepKind; name: string },
): Promise<{ path: string; stale: boolean }> {
  const statuses = await recipeStatus({ ...options, steps: [options.step] });
  const status = statuses.find((s) => s.step === options.step);
  const cache = new StepCache(resolve(options.recipeDir));
  let manifest = status?.manifest;
  let dir = status?.dir;
  let stale = false;
  if (!manifest && status?.last) {
    manifest = cache.lookup(options.step, status.last.fingerprint) ?? undefined;
    dir = manifest ? cache.entryDir(options.step, status.last.fingerprint) : undefined;
    stale = manifest !== undefined;
  }
  if (!manifest || !dir) {
    throw new MlrecipeError(`step ${options.step} has no outputs yet`, {
      hint: `run \`recipe run --step ${options.step}\` first`,
    });
  }
  const rel = manifest.outputs[options.name];
  if (rel === undefined) {
    throw new UsageError(`step ${options.step} has no output named "${options.name}"`, {
      hint: `its outputs: ${Object.keys(manifest.outputs).sort().join(', ')}`,
    });
  }
  return { path: join(dir, normalize(rel)), stale };
}

export interface InspectStep extends StepStatus {
  outputs: Record<string, string>;
  durationMs?: number;
  card?: { html: string; json: string; summary: Record<string, unknown> };
}

export async function inspectRecipe(
  options: RecipeStatusOptions & { step?: StepKind },
): Promise<InspectStep[]> {
  const statuses = await recipeStatus({ ...options, steps: options.step ? [options.step] : options.steps });
  const cache = new StepCache(resolve(options.recipeDir));
  return statuses
    .filter((s) => options.step === undefined || s.step === options.step)
    .map((s) => {
      const fingerprint = s.manifest ? s.fingerprint : s.last?.fingerprint;
      const manifest =
        s.manifest ?? (fingerprint ? (cache.lookup(s.step, fingerprint) ?? undefined) : undefined);
      const dir = manifest && fingerprint ? cache.entryDir(s.step, fingerprint) : undefined;
      const outputs: Record<string, string> = {};
      if (manifest && dir) for (const [k, v] of Object.entries(manifest.outputs)) outputs[k] = join(dir, v);
      const result: InspectStep = { ...s, outputs, durationMs: manifest?.durationMs ?? s.last?.durationMs };
      if (dir && existsSync(join(dir, CARD_JSON))) {
        let summary: Record<string, unknown> = {};
        try {
          summary = JSON.parse(readFileSync(join(dir, CARD_JSON), 'utf8')) as Record<string, unknown>;
        } catch {
          summary = {};
        }
        result.card = { html: join(dir, CARD_HTML), json: join(dir, CARD_JSON), summary };
      }
      return result;
    });
}

/** Removes cached outputs (of one step, or all with their state). Takes the lock. */
export async function cleanRecipe(options: {
  recipeDir: string;
  step?: StepKind;
  wait?: boolean;
}): Promise<{ removed: number }> {
  const recipeDir = loadRecipe({ recipeDir: options.recipeDir, validate: false }).recipeDir;
  const lock = await acquireRecipeLock({ recipeDir, wait: options.wait, command: 'recipe clean' });
  try {
    const cache = new StepCache(recipeDir);
    let removed = 0;
    for (const entry of cache.listEntries()) {
      if (options.step && entry.step !== options.step) continue;
      cache.removeEntry(entry.step, entry.fingerprint);
      removed++;
    }
    if (options.step) cache.removeState(options.step);
    else {
      rmSync(cache.stepStateRoot, { recursive: true, force: true });
      cache.removeLeftovers();
    }
    return { removed };
  } finally {
    lock.release();
  }
}

/**
 * Removes cache entries the current recipe (with this profile) can no longer reach: only the
 * current fingerprint of each step is kept. Entries of other profiles are removed too — run gc
 * with the profile whose cache you want to keep.
 */
export async function gcRecipe(options: RecipeStatusOptions & { wait?: boolean }): Promise<{
  kept: number;
  removed: Array<{ step: StepKind; fingerprint: string }>;
}> {
  const { recipe, plan, cache } = await planCurrent(options);
  const lock = await acquireRecipeLock({
    recipeDir: recipe.recipeDir,
    wait: options.wait,
    command: 'recipe gc',
  });
  try {
    const reachable = new Set(plan.nodes.map((n) => `${n.kind}/${n.fingerprint}`));
    const removed: Array<{ step: StepKind; fingerprint: string }> = [];
    let kept = 0;
    for (const entry of cache.listEntries()) {
      if (reachable.has(`${entry.step}/${entry.fingerprint}`) && entry.complete) {
        kept++;
        continue;
      }
      cache.removeEntry(entry.step, entry.fingerprint);
      removed.push({ step: entry.step, fingerprint: entry.fingerprint });
    }
    cache.removeLeftovers();
    // Remembered schema checks of old configs (validate.ts); the current one is re-checked once.
    rmSync(join(cache.stateRoot, 'validated'), { recursive: true, force: true });
    return { kept, removed };
  } finally {
    lock.release();
  }
}
