/**
 * Progress of a recipe run. On a terminal: a live list of steps with state and elapsed time,
 * redrawn in place with ANSI escapes. Otherwise (a pipe, a log file, `CI=true`): one plain line
 * per event, e.g. `[ingest] started`, `[ingest] done in 1.2s (cached)` — stable for grep and logs.
 */
import pc from 'picocolors';
import type { StepKind } from '../steps/types.js';

export type StepRunState = 'ran' | 'cached' | 'failed' | 'skipped';

export interface ProgressEvent {
  state: StepRunState;
  durationMs: number;
  error?: Error;
}

export interface ProgressReporter {
  /** The steps this run will consider, in order. */
  begin(steps: readonly StepKind[]): void;
  /** `why`: for a step that will run, what changed since its last run (empty when cached). */
  stepStarted(step: StepKind, why?: readonly string[]): void;
  /** A message from inside a step (StepContext.log). */
  stepLog(step: StepKind, message: string): void;
  stepFinished(step: StepKind, event: ProgressEvent): void;
  /** Lines shown under a running step on a terminal (StepContext.liveStatus); [] clears them. */
  stepStatus?(step: StepKind, lines: readonly string[]): void;
  /** A message not tied to a step (waiting for the lock, leftovers removed). */
  note(message: string): void;
  end(): void;
}

export type ProgressMode = 'tty' | 'plain' | 'silent';

/** TTY when the stream is a terminal and CI is not set (CI logs are not terminals even if they say so). */
export function detectProgressMode(
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv = process.env,
): ProgressMode {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return stream.isTTY && !ci ? 'tty' : 'plain';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms - m * 60_000) / 1000)}s`;
}

export function createProgressReporter(
  options: {
    stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    mode?: ProgressMode;
  } = {},
): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? detectProgressMode(stream as NodeJS.WriteStream);
  if (mode === 'silent') return silentReporter;
  if (mode === 'plain') return plainReporter(stream);
  return ttyReporter(stream);
}

const silentReporter: ProgressReporter = {
  begin() {},
  stepStarted() {},
  stepLog() {},
  stepFinished() {},
  note() {},
  end() {},
};

function plainReporter(stream: NodeJS.WritableStream): ProgressReporter {
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    begin() {},
    stepStarted: (step, why) =>
      write(`[${step}] started${why && why.length > 0 ? ` (${why.join('; ')})` : ''}`),
    stepLog: (step, message) => write(`[${step}] ${message}`),
    stepFinished(step, event) {
      if (event.state === 'skipped') write(`[${step}] skipped (an upstream step failed)`);
      else if (event.state === 'failed')
        write(`[${step}] failed after ${formatDuration(event.durationMs)}: ${event.error?.message ?? ''}`);
      else
        write(
          `[${step}] done in ${formatDuration(event.durationMs)}${event.state === 'cached' ? ' (cached)' : ''}`,
        );
    },
    note: (message) => write(message),
    end() {},
  };
}

interface Row {
  step: StepKind;
  state: 'pending' | 'running' | StepRunState;
  startedAt?: number;
  durationMs?: number;
  detail?: string;
  /** Extra lines under a running step (a sweep's trials); one terminal line each. */
  sublines?: readonly string[];
}

function ttyReporter(stream: NodeJS.WritableStream & { columns?: number }): ProgressReporter {
  let rows: Row[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let tick = 0;

  // Each row must stay one terminal line (the redraw moves the cursor up one line per row), so
  // the free text is cut to fit; the rest of a row is at most ~32 columns.
  const fitToLine = (text: string | undefined): string => {
    if (!text) return '';
    const room = Math.max(0, (stream.columns || 80) - 34);
    const flat = text.replace(/\s+/g, ' ');
    return flat.length <= room ? flat : `${flat.slice(0, Math.max(0, room - 1))}…`;
  };
  const line = (row: Row): string => {
    const name = row.step.padEnd(15);
    switch (row.state) {
      case 'pending':
        return `  ${pc.dim('○')} ${pc.dim(name)}`;
      case 'running':
        return `  ${pc.cyan(frames[tick % frames.length] ?? '*')} ${name}${pc.dim(formatDuration(Date.now() - (row.startedAt ?? Date.now())))}${row.detail ? pc.dim(`  ${fitToLine(row.detail)}`) : ''}`;
      case 'ran':
        return `  ${pc.green('✔')} ${name}${formatDuration(row.durationMs ?? 0)}`;
      case 'cached':
        return `  ${pc.green('✔')} ${name}${formatDuration(row.durationMs ?? 0)} ${pc.dim('(cached)')}`;
      case 'failed':
        return `  ${pc.red('✖')} ${name}${formatDuration(row.durationMs ?? 0)} ${pc.red(fitToLine(row.detail))}`;
      case 'skipped':
        return `  ${pc.dim('-')} ${pc.dim(`${name}skipped`)}`;
    }
  };
  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    const lines = rows.flatMap((row) => [
      line(row),
      ...(row.state === 'running' ? (row.sublines ?? []).map((l) => `      ${pc.dim(fitToLine(l))}`) : []),
    ]);
    const text = lines.join('\n');
    if (text) stream.write(`${text}\n`);
    drawn = lines.length;
  };
  const find = (step: StepKind) => rows.find((r) => r.step === step);
  return {
    begin(steps) {
      rows = steps.map((step) => ({ step, state: 'pending' }));
      draw();
      timer = setInterval(() => {
        tick++;
        draw();
      }, 100);
      timer.unref();
    },
    stepStarted(step) {
      const row = find(step);
      if (row) Object.assign(row, { state: 'running', startedAt: Date.now() });
      draw();
    },
    stepLog(step, message) {
      const row = find(step);
      if (row) row.detail = message;
      draw();
    },
    stepStatus(step, lines) {
      const row = find(step);
      if (row) row.sublines = [...lines];
      draw();
    },
    stepFinished(step, event) {
      const row = find(step);
      if (row)
        Object.assign(row, {
          sublines: [],
          state: event.state,
          durationMs: event.durationMs,
          detail: event.error?.message,
        });
      draw();
    },
    note(message) {
      clear();
      stream.write(`${message}\n`);
      draw();
    },
    end() {
      if (timer) clearInterval(timer);
      timer = undefined;
      draw();
      drawn = 0;
    },
  };
}
