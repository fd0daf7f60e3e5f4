/**
 * Step kind → the Step that implements it. Entries are loaders so that the CLI only imports the
 * steps (and their heavy dependencies such as apache-arrow) that a command actually needs.
 * A kind without an entry is not available yet; the engine says so instead of running it.
 * (Steps type their own config; the engine hands each its validated `steps.<kind>` section, hence
 * the casts.)
 *
 * The registry lives with the engine, not in `steps/`, because it composes layers: the
 * data-reading steps get `using: project` from `projects/project-step.ts`, and `steps/` may not
 * import `projects/` (DESIGN.md's import order).
 *
 * Planning calls every step's codeFiles/inputFiles to fingerprint it, including steps that will
 * then be served from the cache. The training chain's steps are therefore lazy steps: what
 * planning asks of them comes from light modules (steps/code-files.ts, steps/ingest-files.ts),
 * and their run() code — the data readers, the estimators, the model stack — loads only when the
 * step actually runs.
 */
import {
  customMetricsCodeFiles,
  splitCodeFiles,
  trainCodeFiles,
  transformCodeFiles,
} from '../steps/code-files.js';
import { ingestCodeFiles, resolveIngestFiles } from '../steps/ingest-files.js';
import { tuningRecipeKeys, tuningStatusNotes } from '../steps/tuning.js';
import type { IngestConfig, SplitConfig } from '../steps/recipe-config.js';
import type { Step, StepKind } from '../steps/types.js';

export type StepLoader = () => Promise<Step>;
export type StepRegistry = Partial<Record<StepKind, StepLoader>>;

/** A data-reading step that also accepts `using: project` (an MLproject entry point's output). */
async function withProjectSource(step: Step): Promise<Step> {
  const { withProjectSource: wrap } = await import('../projects/project-step.js');
  return wrap(step);
}

/**
 * A step whose plan-time side is given here and whose module is imported when run() is called.
 * Its answers must be the real step's (test/recipes/step-registry.test.ts compares them).
 */
export function lazyStep(
  plan: Pick<Step, 'kind' | 'codeFiles' | 'inputFiles' | 'alwaysRun' | 'recipeKeys' | 'statusNotes'>,
  load: () => Promise<Step>,
): Step {
  return {
    ...plan,
    async run(cfg, ctx) {
      return (await load()).run(cfg, ctx);
    },
  };
}

const noInputFiles = async (): Promise<string[]> => [];

const ingestStep = lazyStep(
  {
    kind: 'ingest',
    codeFiles: (cfg, recipeDir) => ingestCodeFiles(cfg as unknown as IngestConfig, recipeDir),
    inputFiles: async (cfg, recipeDir) =>
      resolveIngestFiles(cfg as unknown as IngestConfig, recipeDir, 'ingest'),
  },
  async () => (await import('../steps/ingest.js')).ingestStep as unknown as Step,
);
const splitStep = lazyStep(
  {
    kind: 'split',
    codeFiles: (cfg, recipeDir) => splitCodeFiles(cfg as SplitConfig, recipeDir),
    inputFiles: noInputFiles,
  },
  async () => (await import('../steps/split.js')).splitStep as unknown as Step,
);
const transformStep = lazyStep(
  { kind: 'transform', codeFiles: transformCodeFiles, inputFiles: noInputFiles },
  async () => (await import('../steps/transform.js')).transformStep as unknown as Step,
);
const trainStep = lazyStep(
  {
    kind: 'train',
    codeFiles: trainCodeFiles,
    inputFiles: noInputFiles,
    recipeKeys: tuningRecipeKeys,
    statusNotes: tuningStatusNotes,
  },
  async () => (await import('../steps/train.js')).trainStep as unknown as Step,
);
const evaluateStep = lazyStep(
  { kind: 'evaluate', codeFiles: customMetricsCodeFiles, inputFiles: noInputFiles },
  async () => (await import('../steps/evaluate.js')).evaluateStep as unknown as Step,
);
const registerStep = lazyStep(
  { kind: 'register', codeFiles: customMetricsCodeFiles, inputFiles: noInputFiles, alwaysRun: true },
  async () => (await import('../steps/register.js')).registerStep as unknown as Step,
);

export const defaultStepRegistry: StepRegistry = {
  ingest: async () => withProjectSource(ingestStep),
  split: async () => splitStep,
  transform: async () => transformStep,
  train: async () => trainStep,
  evaluate: async () => evaluateStep,
  register: async () => registerStep,
  ingest_scoring: async () =>
    withProjectSource((await import('../steps/ingest-scoring.js')).ingestScoringStep as unknown as Step),
  predict: async () => (await import('../steps/predict.js')).predictStep as unknown as Step,
};
