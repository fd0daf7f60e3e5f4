/**
 * The sweep loop, independent of what a trial is (a recipe's train step on a worker thread, an
 * MLproject run): propose trials with the sampler as soon as the trials they depend on have
 * finished, run up to `parallelism` at once (p-queue), feed finished trials to the early-stop
 * function in trial order, and collect the outcomes.
 *
 * A trial that throws or reports failure is a failed trial (loss Infinity for the sampler, as
 * hyperopt treats a trial without a loss); the sweep itself fails only when every trial failed,
 * which the caller decides from the result.
 */
import { EarlyStopper, type EarlyStopFunction, type FinishedTrial } from './early-stop.js';
import { type Point, pointToParams } from './prior.js';
import type { Sampler } from './samplers.js';
import type { ParamValue, SearchSpace } from './space.js';
import type { Observation } from './tpe.js';

export interface TrialSpec {
  index: number;
  point: Point;
  params: Record<string, ParamValue>;
}

/** What runTrial reports: an ok trial carries its loss (lower is better). */
export interface TrialResult {
  status: 'ok' | 'failed';
  loss?: number;
  error?: string;
}

export interface SweepTrial<R extends TrialResult> {
  spec: TrialSpec;
  result: R;
}

export interface SweepResult<R extends TrialResult> {
  /** The sweep's trials in index order (after an early stop: up to and including the stopping trial). */
  trials: SweepTrial<R>[];
  /** Set when the early-stop function stopped the sweep after this trial index. */
  stoppedAfter?: number;
  /**
   * Trials past the early stop that had already started: aborted through their signal (their
   * result is whatever runTrial returned then) and not part of the sweep's outcome.
   */
  discarded: SweepTrial<R>[];
  /** The lowest-loss ok trial (the first on ties), if any trial succeeded. */
  best?: SweepTrial<R>;
}

export interface RunSweepOptions<R extends TrialResult> {
  space: SearchSpace;
  sampler: Sampler;
  maxTrials: number;
  parallelism: number;
  /** Runs one trial. Throwing counts as a failed trial; `signal` aborts past an early stop. */
  runTrial(spec: TrialSpec, signal: AbortSignal): Promise<R>;
  /** Turns a thrown error into a result (default: {status: 'failed', error: message}). */
  failedResult?(spec: TrialSpec, error: unknown): R;
  earlyStop?: EarlyStopFunction;
  onTrialStart?(spec: TrialSpec): void;
  onTrialEnd?(spec: TrialSpec, result: R): void;
  /** Aborts the whole sweep: running trials get their signal aborted and runSweep rejects. */
  signal?: AbortSignal;
}

export async function runSweep<R extends TrialResult>(options: RunSweepOptions<R>): Promise<SweepResult<R>> {
  const { sampler, space } = options;
  const total = Math.max(0, Math.min(options.maxTrials, sampler.capacity));
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const { default: PQueue } = await import('p-queue');
  const queue = new PQueue({ concurrency: parallelism });
  const specs: TrialSpec[] = [];
  const results: (R | undefined)[] = [];
  const controllers = new Map<number, AbortController>();
  const stopper = options.earlyStop ? new EarlyStopper(options.earlyStop) : undefined;
  const failed =
    options.failedResult ??
    ((_: TrialSpec, error: unknown) =>
      ({
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
      }) as R);

  let next = 0;
  let inFlight = 0;
  /** Trials 0 .. finishedPrefix - 1 have all finished. */
  let finishedPrefix = 0;
  let checked = 0;
  let stopAfter = Number.POSITIVE_INFINITY;
  let checking: Promise<void> = Promise.resolve();

  const observation = (i: number): Observation => {
    const result = results[i] as R;
    return {
      point: (specs[i] as TrialSpec).point,
      loss: lossOf(result),
    };
  };

  return new Promise<SweepResult<R>>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      for (const c of controllers.values()) c.abort();
      queue.clear();
      reject(error);
    };
    const onAbort = () => fail(options.signal?.reason ?? new Error('the sweep was aborted'));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      if (settled || inFlight > 0) return;
      if (next < total && next <= stopAfter) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      const last = Math.min(total, stopAfter === Number.POSITIVE_INFINITY ? total : stopAfter + 1);
      const trials: SweepTrial<R>[] = [];
      const discarded: SweepTrial<R>[] = [];
      for (let i = 0; i < specs.length; i++) {
        const trial = { spec: specs[i] as TrialSpec, result: results[i] as R };
        (i < last ? trials : discarded).push(trial);
      }
      let best: SweepTrial<R> | undefined;
      for (const t of trials) {
        if (lossOf(t.result) === Number.POSITIVE_INFINITY) continue;
        if (!best || lossOf(t.result) < lossOf(best.result)) best = t;
      }
      resolve({
        trials,
        discarded,
        ...(stopAfter !== Number.POSITIVE_INFINITY ? { stoppedAfter: stopAfter } : {}),
        ...(best ? { best } : {}),
      });
    };

    const runEarlyStop = () => {
      if (!stopper) return;
      checking = checking.then(async () => {
        while (checked < finishedPrefix && checked <= stopAfter && !settled) {
          const i = checked++;
          const result = results[i] as R;
          const trial: FinishedTrial = {
            index: i,
            status: result.status,
            loss: observation(i).loss,
            params: (specs[i] as TrialSpec).params,
          };
          if (await stopper.add(trial)) {
            stopAfter = i;
            for (const [index, controller] of controllers) if (index > i) controller.abort();
          }
        }
      });
      checking.then(() => {
        pump();
        finish();
      }, fail);
    };

    const pump = () => {
      while (!settled && next < total && next <= stopAfter && inFlight < parallelism) {
        const index = next;
        const needed = sampler.visible(index);
        if (needed > finishedPrefix) break;
        let spec: TrialSpec;
        try {
          const history = Array.from({ length: needed }, (_, i) => observation(i));
          const point = sampler.suggest(index, history);
          spec = { index, point, params: pointToParams(space, point) };
        } catch (error) {
          fail(error);
          return;
        }
        specs[index] = spec;
        next++;
        inFlight++;
        const controller = new AbortController();
        controllers.set(index, controller);
        options.onTrialStart?.(spec);
        void queue.add(async () => {
          let result: R;
          try {
            result = await options.runTrial(spec, controller.signal);
          } catch (error) {
            try {
              result = failed(spec, error);
            } catch (fatal) {
              fail(fatal);
              return;
            }
          }
          if (settled) return;
          results[index] = result;
          controllers.delete(index);
          inFlight--;
          try {
            options.onTrialEnd?.(spec, result);
          } catch (error) {
            fail(error);
            return;
          }
          while (finishedPrefix < specs.length && results[finishedPrefix] !== undefined) finishedPrefix++;
          if (stopper) runEarlyStop();
          else {
            pump();
            finish();
          }
        });
      }
      if (next >= total || next > stopAfter) finish();
    };

    pump();
  });
}

/** Infinity for a failed trial or one without a usable loss (as hyperopt treats them). */
function lossOf(result: TrialResult): number {
  const loss = result.loss;
  return result.status === 'ok' && typeof loss === 'number' && !Number.isNaN(loss)
    ? loss
    : Number.POSITIVE_INFINITY;
}
