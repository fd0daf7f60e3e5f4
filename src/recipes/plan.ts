/**
 * Plan: a resolved recipe → the DAG of steps to consider, in topological order, each with the
 * fingerprint that decides run-or-reuse. Upstream fingerprints chain into downstream ones (as in
 * Nx's task hashing), so any change upstream invalidates everything below it and nothing above.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { defaultStepRegistry, type StepRegistry } from './step-registry.js';
import { STEP_INPUTS, STEP_KINDS, STEP_RECIPE_KEYS, type Step, type StepKind } from '../steps/types.js';
import { type FingerprintInputs, fingerprintStep } from './fingerprint.js';
import type { LoadedRecipe } from './load.js';
import type { StatCache } from './stat-cache.js';

export interface PlanNode {
  kind: StepKind;
  step: Step;
  /** The step's own section of the recipe (`steps.<kind>`), `{}` when absent. */
  config: Record<string, unknown>;
  upstream: StepKind[];
  inputs: FingerprintInputs;
  fingerprint: string;
}

export interface RecipePlan {
  recipe: LoadedRecipe;
  targets: StepKind[];
  /** Topological order: every node comes after its upstream nodes. */
  nodes: PlanNode[];
}

/** The training chain ends at register; the scoring chain (ingest_scoring → predict) runs only when asked. */
const TRAINING_CHAIN: readonly StepKind[] = ['ingest', 'split', 'transform', 'train', 'evaluate', 'register'];

let cachedVersion: string | undefined;

/** mlrecipe's own version, part of every step's code identity. */
export function mlrecipeVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

export function isStepKind(value: string): value is StepKind {
  return (STEP_KINDS as readonly string[]).includes(value);
}

/** `targets` and all their ancestors, in topological order. */
export function stepsToRun(targets: readonly StepKind[]): StepKind[] {
  const needed = new Set<StepKind>();
  const visit = (kind: StepKind): void => {
    if (needed.has(kind)) return;
    needed.add(kind);
    for (const up of STEP_INPUTS[kind]) visit(up);
  };
  for (const t of targets) visit(t);
  // STEP_KINDS lists the kinds in a topological order of STEP_INPUTS.
  return STEP_KINDS.filter((k) => needed.has(k));
}

/**
 * What `recipe run` without `--step` runs: through `register`, or through the last step of the
 * training chain this build provides.
 */
export function defaultTargets(registry: StepRegistry = defaultStepRegistry): StepKind[] {
  for (let i = TRAINING_CHAIN.length - 1; i >= 0; i--) {
    const kind = TRAINING_CHAIN[i] as StepKind;
    if (stepsToRun([kind]).every((k) => registry[k] !== undefined)) return [kind];
  }
  return [];
}

/**
 * Every step the current recipe has: the default targets plus the scoring chain when the recipe
 * configures it. Used by status, inspect and gc.
 */
export function allTargets(recipe: LoadedRecipe, registry: StepRegistry = defaultStepRegistry): StepKind[] {
  const targets = defaultTargets(registry);
  const steps = recipe.config.steps ?? {};
  if ((steps.predict || steps.ingest_scoring) && registry.predict && registry.ingest_scoring)
    targets.push('predict');
  else if (steps.ingest_scoring && registry.ingest_scoring) targets.push('ingest_scoring');
  return targets;
}

/** A file as recorded in fingerprint inputs: relative to the recipe dir when inside it. */
export function recordedPath(recipeDir: string, file: string): string {
  const abs = resolve(recipeDir, file);
  const rel = relative(recipeDir, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split('\\').join('/');
}

/** The values of `keys` (top-level names or dotted paths such as `steps.train.predict_prefix`). */
function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    let value: unknown = source;
    for (const part of key.split('.')) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Hashes files a few at a time (reads overlap with hashing), keyed as fingerprints record them. */
async function hashFiles(
  recipeDir: string,
  files: readonly string[],
  statCache: StatCache,
): Promise<Record<string, string>> {
  const hashes = new Array<string>(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      hashes[i] = await statCache.hash(resolve(recipeDir, files[i] as string));
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  const out: Record<string, string> = {};
  files.forEach((file, i) => {
    out[recordedPath(recipeDir, file)] = hashes[i] as string;
  });
  return out;
}

export async function loadStep(kind: StepKind, registry: StepRegistry): Promise<Step> {
  const loader = registry[kind];
  if (!loader) {
    throw new UsageError(`step "${kind}" is not available in this version of mlrecipe`, {
      hint: `available steps: ${STEP_KINDS.filter((k) => registry[k]).join(', ') || '(none)'}`,
    });
  }
  return loader();
}

export async function planRecipe(options: {
  recipe: LoadedRecipe;
  /** Steps to reach; defaults to `defaultTargets(registry)`. */
  targets?: readonly StepKind[];
  registry?: StepRegistry;
  statCache: StatCache;
}): Promise<RecipePlan> {
  const { recipe, statCache } = options;
  const registry = options.registry ?? defaultStepRegistry;
  const targets = [...(options.targets ?? defaultTargets(registry))];
  const config = recipe.config as unknown as Record<string, unknown>;
  const sections = (recipe.config.steps ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const nodes: PlanNode[] = [];
  const fingerprints = new Map<StepKind, string>();
  // One interpreter probe per set of modules for this plan (most steps import the same ones).
  const probes = new Map<string, Promise<import('../python/index.js').PythonEnvironment>>();
  const kinds = stepsToRun(targets);
  // Import the step modules together: their module graphs load concurrently.
  const steps = await Promise.all(kinds.map((kind) => loadStep(kind, registry)));
  for (const [i, kind] of kinds.entries()) {
    const step = steps[i] as Step;
    const stepConfig = sections[kind] ?? {};
    const stepCodeFiles = step.codeFiles(stepConfig, recipe.recipeDir);
    const codeFiles = await hashFiles(recipe.recipeDir, stepCodeFiles, statCache);
    const inputFiles = await hashFiles(
      recipe.recipeDir,
      await step.inputFiles(stepConfig, recipe.recipeDir),
      statCache,
    );
    const upstream = [...STEP_INPUTS[kind]];
    const extras = {
      ...(step.fingerprintExtras ? await step.fingerprintExtras(stepConfig, recipe.recipeDir) : {}),
      ...(await pythonExtras(kind, stepCodeFiles, recipe, probes)),
    };
    const inputs: FingerprintInputs = {
      format: 1,
      kind,
      config: {
        step: stepConfig,
        recipe: pick(config, [...STEP_RECIPE_KEYS[kind], ...(step.recipeKeys?.(stepConfig) ?? [])]),
      },
      code: { mlrecipe: mlrecipeVersion(), files: codeFiles },
      upstream: Object.fromEntries(upstream.map((u) => [u, fingerprints.get(u) ?? ''])),
      inputs: inputFiles,
      ...(extras && Object.keys(extras).length > 0 ? { extras } : {}),
    };
    const fingerprint = fingerprintStep(inputs);
    fingerprints.set(kind, fingerprint);
    nodes.push({ kind, step, config: stepConfig, upstream, inputs, fingerprint });
  }
  statCache.save();
  return { recipe, targets, nodes };
}

/**
 * A step with Python code (steps/*.py) also depends on the interpreter and on the versions of the
 * packages that code imports (numpy and pandas always, for the column exchange; scikit-learn for
 * transform and train, which fit and pickle scikit-learn objects): a new scikit-learn re-runs
 * them, and `recipe status` names the package and both versions.
 */
async function pythonExtras(
  kind: StepKind,
  files: readonly string[],
  recipe: LoadedRecipe,
  probes: Map<string, Promise<import('../python/index.js').PythonEnvironment>>,
): Promise<Record<string, string>> {
  const python = files
    .map((f) => resolve(recipe.recipeDir, f))
    .filter((f) => f.endsWith('.py') && existsSync(f));
  if (python.length === 0) return {};
  const { pythonFingerprintExtras } = await import('../python/index.js');
  return pythonFingerprintExtras({
    configured: (recipe.config as { python?: unknown }).python,
    recipeDir: recipe.recipeDir,
    files: python,
    cache: probes,
    ...(kind === 'transform' || kind === 'train' ? { alsoModules: ['sklearn', 'cloudpickle'] } : {}),
  });
}
