/**
 * Early stopping, as hyperopt's `fmin(early_stop_fn=...)`: after each trial the function gets
 * the finished trials and the state it returned last time, and answers [stop, newState]. Here it
 * is called strictly in trial order (trial 5's check waits for trial 4's), so whether and where a
 * sweep stops does not depend on parallelism.
 */
import type { ParamValue } from './space.js';

export interface FinishedTrial {
  index: number;
  status: 'ok' | 'failed';
  /** Infinity for a failed trial. */
  loss: number;
  params: Record<string, ParamValue>;
}

export type EarlyStopFunction = (
  trials: readonly FinishedTrial[],
  ...state: unknown[]
) => [boolean, unknown[]] | readonly [boolean, unknown[]] | Promise<[boolean, unknown[]]>;

/**
 * hyperopt.early_stop.no_progress_loss: stop after `iterationStopCount` trials in a row that do
 * not beat the best loss by `percentIncrease` percent. (hyperopt counts a failed trial, whose
 * loss is None, as progress and forgets the best loss; here a failed trial is no progress.)
 */
export function noProgressLoss(iterationStopCount = 20, percentIncrease = 0): EarlyStopFunction {
  return (trials, ...state) => {
    const last = trials[trials.length - 1];
    const newLoss = last ? last.loss : Number.POSITIVE_INFINITY;
    const bestLoss = state[0] as number | undefined;
    const stale = (state[1] as number | undefined) ?? 0;
    if (bestLoss === undefined) return [false, [newLoss, stale + 1]];
    const threshold = bestLoss - Math.abs(bestLoss * (percentIncrease / 100));
    if (newLoss < threshold) return [false, [newLoss, 0]];
    return [stale + 1 >= iterationStopCount, [bestLoss, stale + 1]];
  };
}

export type EarlyStopSpec =
  | { kind: 'no_progress_loss'; iterationStopCount: number; percentIncrease: number }
  | { kind: 'user'; module: string; name: string };

const BUILTIN = /^(?:hyperopt\.early_stop\.)?no_progress_loss(?:\(\s*(\d+)?\s*(?:,\s*([0-9.eE+-]+)\s*)?\))?$/;
const USER = /^(?:([A-Za-z_][A-Za-z0-9_-]*)\.)?([A-Za-z_$][\w$]*)$/;

/**
 * `no_progress_loss`, `no_progress_loss(10)`, `no_progress_loss(10, 0.5)` (hyperopt's defaults
 * are 20 and 0), or MLflow's form for a user function: `name` (in steps/train) or `module.name`
 * (in steps/<module>).
 */
export function parseEarlyStopSpec(value: string): EarlyStopSpec | { error: string } {
  const text = value.trim();
  const builtin = BUILTIN.exec(text);
  if (builtin) {
    const count = builtin[1] === undefined ? 20 : Number(builtin[1]);
    const percent = builtin[2] === undefined ? 0 : Number(builtin[2]);
    if (!(count >= 1) || !Number.isFinite(percent) || percent < 0) {
      return {
        error: `no_progress_loss needs a positive trial count and a non-negative percent, not ${text}`,
      };
    }
    return { kind: 'no_progress_loss', iterationStopCount: count, percentIncrease: percent };
  }
  // MLflow 2.12 imports `module.fn` with importlib, so recipes write `steps.train.fn` too.
  const user = USER.exec(text.startsWith('steps.') ? text.slice('steps.'.length) : text);
  if (user) return { kind: 'user', module: user[1] ?? 'train', name: user[2] as string };
  return { error: `"${text}" is neither no_progress_loss(N) nor a function name` };
}

/** Feeds finished trials, in trial order, to an early-stop function and keeps its state. */
export class EarlyStopper {
  private state: unknown[] = [];
  private readonly seen: FinishedTrial[] = [];

  constructor(private readonly fn: EarlyStopFunction) {}

  /** Adds the next trial (in index order) and says whether the sweep should stop now. */
  async add(trial: FinishedTrial): Promise<boolean> {
    this.seen.push(trial);
    const answer = await this.fn(this.seen, ...this.state);
    if (!Array.isArray(answer) || typeof answer[0] !== 'boolean') {
      throw new Error('the early_stop_fn must return [stop: boolean, state: unknown[]]');
    }
    this.state = Array.isArray(answer[1]) ? [...(answer[1] as unknown[])] : [];
    return answer[0];
  }
}
