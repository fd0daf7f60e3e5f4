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
 */
import type { Step, StepKind } from '../steps/types.js';

export type StepLoader = () => Promise<Step>;
export type StepRegistry = Partial<Record<StepKind, StepLoader>>;

/** A data-reading step that also accepts `using: project` (an MLproject entry point's output). */
async function withProjectSource(step: Step): Promise<Step> {
  const { withProjectSource: wrap } = await import('../projects/project-step.js');
  return wrap(step);
}

export const defaultStepRegistry: StepRegistry = {
  ingest: async () => withProjectSource((await import('../steps/ingest.js')).ingestStep as unknown as Step),
  split: async () => (await import('../steps/split.js')).splitStep as unknown as Step,
  transform: async () => (await import('../steps/transform.js')).transformStep as unknown as Step,
  train: async () => (await import('../steps/train.js')).trainStep as unknown as Step,
  evaluate: async () => (await import('../steps/evaluate.js')).evaluateStep as unknown as Step,
  register: async () => (await import('../steps/register.js')).registerStep as unknown as Step,
  ingest_scoring: async () =>
    withProjectSource((await import('../steps/ingest-scoring.js')).ingestScoringStep as unknown as Step),
  predict: async () => (await import('../steps/predict.js')).predictStep as unknown as Step,
};
