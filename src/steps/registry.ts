/**
 * Step kind → the Step that implements it. Entries are loaders so that the CLI only imports the
 * steps (and their heavy dependencies such as apache-arrow) that a command actually needs.
 * A kind without an entry is not available yet; the engine says so instead of running it.
 * (Steps type their own config; the engine hands each its validated `steps.<kind>` section, hence
 * the casts.)
 */
import type { Step, StepKind } from './types.js';

export type StepLoader = () => Promise<Step>;
export type StepRegistry = Partial<Record<StepKind, StepLoader>>;

export const defaultStepRegistry: StepRegistry = {
  ingest: async () => (await import('./ingest.js')).ingestStep as unknown as Step,
  split: async () => (await import('./split.js')).splitStep as unknown as Step,
  transform: async () => (await import('./transform.js')).transformStep as unknown as Step,
  train: async () => (await import('./train.js')).trainStep as unknown as Step,
  evaluate: async () => (await import('./evaluate.js')).evaluateStep as unknown as Step,
  register: async () => (await import('./register.js')).registerStep as unknown as Step,
  ingest_scoring: async () => (await import('./ingest-scoring.js')).ingestScoringStep as unknown as Step,
  predict: async () => (await import('./predict.js')).predictStep as unknown as Step,
};
