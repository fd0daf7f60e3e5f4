/**
 * bench/sweep: hyperparameter-sweep benchmarks of issue 16, one JSON line per case on stdout.
 * Runs each part as its own child process (one part's heap and JIT never colour the next):
 *
 *   - bench/sweep/quality.ts: our TPE (defaults and hyperopt's settings), hyperopt's own
 *     tpe.suggest (a source checkout, HYPEROPT_SRC), Optuna's TPESampler (Debian's python3-optuna)
 *     and our random search on Branin, Hartmann-6 and SGDRegressor on the regression template's
 *     cars data; median over 10 seeds of the best value after 16, 32 and 64 trials;
 *   - bench/sweep/wall.ts: 64 trials of a small model through the compiled CLI at parallelism 1
 *     and 2 (wall and CPU seconds), the scheduler alone, and the overhead per trial;
 *   - bench/sweep/record-cached.ts: recording cached trials as child runs, three transactions
 *     per trial (before) against one createFinishedRuns transaction (now), same store, same run.
 *
 *   npx tsx bench/sweep.ts > sweep.jsonl
 *   BENCH_PARTS=record-cached npx tsx bench/sweep.ts
 *
 * The parts' own variables (BENCH_SEEDS, BENCH_PROBLEMS, BENCH_TRIALS, ...) pass through. The
 * load average before and after goes to stderr: the machine may be shared.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const PARTS = ['quality', 'record-cached', 'wall'] as const;

function selectedParts(): string[] {
  const wanted = process.env.BENCH_PARTS?.trim();
  if (!wanted) return [...PARTS];
  const names = wanted.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`BENCH_PARTS: unknown ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
  return names;
}

function runPart(part: string): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, 'sweep', `${part}.ts`)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  createInterface({ input: child.stdout }).on('line', (line) => {
    const text = line.trim();
    if (text.startsWith('{')) process.stdout.write(`${text}\n`);
    else if (text) process.stderr.write(`[${part}] ${text}\n`);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
}

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
process.stderr.write(
  `bench/sweep ${new Date().toISOString()}: ${cpus().length} cores, Node ${process.version}, load ${load()}\n`,
);
let failed = 0;
for (const part of selectedParts()) {
  const code = await runPart(part);
  if (code !== 0) {
    failed++;
    process.stdout.write(
      `${JSON.stringify({ bench: 'sweep', part, error: `bench/sweep/${part}.ts exited with ${code}` })}\n`,
    );
  }
}
process.stderr.write(`bench/sweep done; load ${load()}\n`);
if (failed > 0) process.exitCode = 1;
