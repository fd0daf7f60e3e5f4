/**
 * The contract between the recipe engine and the steps. A step knows nothing of the DAG or the
 * cache: it reads its upstream steps' output directories, writes only into `ctx.outDir`, and
 * returns what it measured. The engine decides whether it runs at all (fingerprints), moves
 * `outDir` into the cache atomically, and records the outputs in the tracking run.
 */
import type { TrackingStore } from '../tracking/types.js';
import type { Tuner } from './tuning.js';

export type StepKind =
  'ingest' | 'split' | 'transform' | 'train' | 'evaluate' | 'register' | 'ingest_scoring' | 'predict';

export const STEP_KINDS: readonly StepKind[] = [
  'ingest',
  'split',
  'transform',
  'train',
  'evaluate',
  'register',
  'ingest_scoring',
  'predict',
];

/** Upstream steps per step kind (the recipe DAG; DESIGN.md). */
export const STEP_INPUTS: Readonly<Record<StepKind, readonly StepKind[]>> = {
  ingest: [],
  split: ['ingest'],
  transform: ['split'],
  train: ['split', 'transform'],
  evaluate: ['split', 'train'],
  // register re-scores the candidate and the baseline on split's test rows.
  register: ['split', 'train', 'evaluate'],
  ingest_scoring: [],
  predict: ['ingest_scoring'],
};

/**
 * The recipe keys each step reads besides its own `steps.<kind>` section (top-level names or
 * dotted paths). They go into the step's fingerprint, so changing `primary_metric` re-runs
 * evaluate and register but not ingest or split. A step that reads more of `ctx.recipe` must be
 * listed here, or a change there would not re-run it.
 */
export const STEP_RECIPE_KEYS: Readonly<Record<StepKind, readonly string[]>> = {
  ingest: [],
  split: ['recipe', 'target_col'],
  transform: ['recipe', 'target_col'],
  train: ['recipe', 'target_col', 'positive_class'],
  evaluate: ['recipe', 'target_col', 'positive_class', 'primary_metric', 'custom_metrics'],
  register: ['recipe', 'primary_metric', 'model_registry'],
  ingest_scoring: [],
  // predict names its score columns after train's settings.
  predict: [
    'recipe',
    'target_col',
    'positive_class',
    'steps.train.predict_scores_for_all_classes',
    'steps.train.predict_prefix',
  ],
};

export interface CardSection {
  title: string;
  /** Self-contained HTML fragment (inline SVG for charts; no network). */
  html: string;
}

export interface StepCard {
  step: StepKind;
  /** Plain data for card.json. */
  data: Record<string, unknown>;
  sections: CardSection[];
}

export interface StepContext {
  /** The recipe's root directory (where recipe.yaml is). */
  recipeDir: string;
  /** The whole resolved recipe config (profiles applied, schema-valid). */
  recipe: Record<string, unknown>;
  /** Where this step writes every output; the engine renames it into the cache. */
  outDir: string;
  /** Output directory of each upstream step named in STEP_INPUTS. */
  inputDirs: Partial<Record<StepKind, string>>;
  /** Logs a progress line for the user. */
  log(message: string): void;
  /** This step's fingerprint: its config, code and upstream fingerprints (see recipes/plan). */
  fingerprint?: string;
  /**
   * The fingerprints of the upstream steps named in STEP_INPUTS; train's covers the data, config
   * and code the model came from.
   */
  inputFingerprints?: Partial<Record<StepKind, string>>;
  /** Tracking URI the recipe records into (for steps that read the registry). */
  trackingUri?: string;
  /** Tracking run id of the recipe run, so steps can write lineage. */
  runId?: string;
  /** The recipe run's experiment (a step's own runs, e.g. `using: project`, nest under it there). */
  experimentId?: string;
  /** The engine's open tracking store (the step must not close it). */
  store?: TrackingStore;
  /**
   * Lines shown under the step while it runs on a terminal (a sweep's running trials and best so
   * far); replaced on each call, ignored in plain and silent output.
   */
  liveStatus?(lines: readonly string[]): void;
  /**
   * Runs the train step's hyperparameter sweep (src/sweeps, a layer above the steps, supplied by
   * the engine). Absent where no sweep can run.
   */
  tune?: Tuner;
  /** Aborted when the recipe run is interrupted (SIGINT/SIGTERM); see Step.honoursAbort. */
  signal?: AbortSignal;
}

export interface StepResult {
  /** Metrics logged into the recipe's tracking run (e.g. `val_root_mean_squared_error`). */
  metrics?: Record<string, number>;
  /** Params logged into the recipe's tracking run. */
  params?: Record<string, string>;
  /** Tags set on the recipe's tracking run. */
  tags?: Record<string, string>;
  /** Named outputs: name → path relative to outDir (for `recipe get-artifact`). */
  outputs: Record<string, string>;
  /**
   * Files the step also wrote outside outDir (e.g. predict's `output.location`), each an exact
   * copy of one of its named outputs: path (absolute, or relative to the recipe dir) → output
   * name. When the step is later served from the cache, the engine puts back such a file if it
   * is missing or was changed (as `dvc checkout` does).
   */
  externalOutputs?: Record<string, string>;
  card: StepCard;
}

export interface Step<Cfg = Record<string, unknown>> {
  kind: StepKind;
  /**
   * What identifies this step's code beyond mlrecipe's version: typically the content of any
   * user module it loads (e.g. `steps/train.ts`), as file paths for the engine to hash.
   */
  codeFiles(cfg: Cfg, recipeDir: string): string[];
  /**
   * Recipe keys this config reads beyond STEP_RECIPE_KEYS (a train step that tunes scores trials
   * by `primary_metric`; one that does not must not re-run when it changes).
   */
  recipeKeys?(cfg: Cfg): string[];
  /**
   * What `recipe status` adds about a step that must run (a sweep says which of its trials it
   * will reuse).
   */
  statusNotes?(cfg: Cfg, recipeDir: string): string[];
  /** External input files whose content the fingerprint covers (ingest's data files). */
  inputFiles(cfg: Cfg, recipeDir: string): Promise<string[]>;
  run(cfg: Cfg, ctx: StepContext): Promise<StepResult>;
  /**
   * Identity the engine cannot see in local files, such as the commit a git project URI resolves
   * to: name → value, part of the fingerprint (`recipe status` names a changed one).
   */
  fingerprintExtras?(cfg: Cfg, recipeDir: string): Promise<Record<string, string>>;
  /**
   * True when a run with this config stops what it started (child processes, their tracking
   * runs) once `ctx.signal` aborts: on SIGINT/SIGTERM the engine then waits for it (up to 15 s)
   * before ending the recipe run KILLED. Other steps are abandoned as they are.
   */
  honoursAbort?(cfg: Cfg): boolean;
  /**
   * Never serve this step from the cache: it reads or writes state outside the recipe (register
   * compares with and moves a registry alias that other runs may have moved).
   */
  alwaysRun?: boolean;
}
