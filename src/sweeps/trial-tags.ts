/**
 * Tag keys of sweeps, shared by the train step's sweep and `recipe sweep` (children carry the
 * trial's index, fingerprint and error; the parent names the best child).
 */
export const TRIAL_TAGS = {
  index: 'mlrecipe.trial.index',
  fingerprint: 'mlrecipe.trial.fingerprint',
  reusedFrom: 'mlrecipe.trial.reused_from',
  error: 'mlrecipe.trial.error',
  /** A trial run on the queue: the `recipe worker` that finished it. */
  worker: 'mlrecipe.trial.worker',
  bestRunId: 'mlrecipe.tuning.best_run_id',
  bestTrial: 'mlrecipe.tuning.best_trial',
  algorithm: 'mlrecipe.tuning.algorithm',
  /** `recipe sweep`: the metric the children log and whether it is minimized or maximized. */
  metric: 'mlrecipe.tuning.metric',
  goal: 'mlrecipe.tuning.goal',
} as const;
