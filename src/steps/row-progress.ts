/**
 * Progress inside a long step: rows done and rows per second. On a terminal the line under the
 * running step is replaced (StepContext.liveStatus) at most a few times a second; in plain output
 * (a pipe, CI) one `[step] …` line is logged at most every PLAIN_EVERY_MS, and only once the step
 * has run that long, so that short steps print exactly what they printed before.
 */
import type { StepContext } from './types.js';

const LIVE_EVERY_MS = 250;
const PLAIN_EVERY_MS = 5000;

export interface RowProgress {
  /** `rows` done so far in the current phase (`phase` names it: "read", "train split written"). */
  update(rows: number, options?: { total?: number; phase?: string }): void;
  /** Clears the live line (a terminal); plain output keeps its lines. */
  end(): void;
}

/** Formats a count the short way: 950, 12.3k, 1.25M. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)}k`;
  return `${(n / 1e6).toFixed(2)}M`;
}

/** Progress of `what` (e.g. "CSV") for this step; `now` is replaceable in tests. */
export function rowProgress(
  ctx: Pick<StepContext, 'log' | 'liveStatus'>,
  what: string,
  options: { now?: () => number } = {},
): RowProgress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let phaseStarted = started;
  let phase: string | undefined;
  let lastShown = started;
  const live = ctx.liveStatus;
  return {
    update(rows, opts = {}) {
      const t = now();
      if (opts.phase !== phase) {
        phase = opts.phase;
        phaseStarted = t;
      }
      if (t - lastShown < (live ? LIVE_EVERY_MS : PLAIN_EVERY_MS)) return;
      lastShown = t;
      const seconds = (t - phaseStarted) / 1000;
      const rate = seconds > 0 ? `, ${formatCount(rows / seconds)} rows/s` : '';
      const of = opts.total !== undefined ? ` of ${formatCount(opts.total)}` : '';
      const line = `${what}${phase ? ` ${phase}` : ''}: ${formatCount(rows)}${of} rows${rate}`;
      if (live) live([line]);
      else ctx.log(line);
    },
    end() {
      live?.([]);
    },
  };
}
