/**
 * bench/train: the training-speed benchmark of issue 11, one JSON line per case on stdout.
 *
 * Runs the four parts one after another, each as its own child process (so one part's heap and
 * JIT state never colour the next part's timings), and passes their JSON lines through unchanged:
 *
 *   - bench/train/ingest.ts  — CSV and Parquet → Arrow rows/s (synthetic 1M-row CSV,
 *     vega-datasets' flights-3m as CSV and as Parquet), pandas.read_csv as the CSV reference;
 *   - bench/train/linear.ts  — linear / ridge / SGD / logistic regression fit and predict on
 *     100k and 800k rows × 10 features, next to scikit-learn on the same data in the same run;
 *   - bench/train/trees.ts   — decision-tree regressor and classifier, the same way;
 *   - bench/train/ensembles.ts — random forests, extra trees and histogram gradient boosting,
 *     next to scikit-learn and (boosting) XGBoost.
 *
 * Every estimator line carries fit_s / predict_s (wall), fit_cpu_s (process CPU), the same three
 * for scikit-learn (sklearn_*), fit_cpu_ratio / fit_wall_ratio (ours ÷ scikit-learn's), metric /
 * sklearn_metric (R² or accuracy on 100k held-out rows, metric_name says which) and load_avg_1m.
 * The machine (cores, CPU model, memory, Node) and the load average sampled through the run go
 * to stderr, so stdout stays JSON lines only.
 *
 *   npx tsx bench/train.ts                        # everything (several minutes)
 *   npx tsx bench/train.ts > train.jsonl          # keep the lines, watch progress on stderr
 *   BENCH_PARTS=linear,trees npx tsx bench/train.ts
 *
 * The parts' own variables (BENCH_ROWS, BENCH_SKLEARN, BENCH_MAX_DEPTH, BENCH_PYTHON, ...) are
 * passed through to them. scikit-learn runs under Debian's /usr/bin/python3 (python3-sklearn).
 * Exits 1 if any part failed; its error is a JSON line of its own and the other parts still run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const PARTS = ['ingest', 'linear', 'trees', 'ensembles'] as const;
type Part = (typeof PARTS)[number];

function selectedParts(): Part[] {
  const wanted = process.env.BENCH_PARTS;
  if (wanted === undefined || wanted.trim() === '') return [...PARTS];
  const names = wanted.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(PARTS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`BENCH_PARTS: unknown part(s) ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
  }
  return PARTS.filter((part) => names.includes(part));
}

/** The CPU model as /proc/cpuinfo names it (os.cpus() shortens it on some kernels). */
function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** Samples the 1-minute load average every 5 s while the parts run: the machine may be shared. */
function sampleLoad(): { stop: () => { min: number; mean: number; max: number; samples: number } } {
  const samples: number[] = [loadavg()[0]];
  const timer = setInterval(() => samples.push(loadavg()[0]), 5000);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(loadavg()[0]);
      const round = (v: number): number => Math.round(v * 10) / 10;
      return {
        min: round(Math.min(...samples)),
        mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
        max: round(Math.max(...samples)),
        samples: samples.length,
      };
    },
  };
}

/** Runs one part under the same Node flags (tsx's loader), forwarding its JSON lines as they come. */
function runPart(part: Part): Promise<{ code: number | null; lines: number; seconds: number }> {
  const script = join(import.meta.dirname, 'train', `${part}.ts`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [...process.execArgv, script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  let lines = 0;
  const reader = createInterface({ input: child.stdout });
  reader.on('line', (line) => {
    const text = line.trim();
    if (text.startsWith('{')) {
      process.stdout.write(`${text}\n`);
      lines++;
    } else if (text !== '') {
      // stray output is not a case: keep stdout parseable
      process.stderr.write(`[${part}] ${text}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close' (not 'exit') so every stdout line has been read before we report
    child.on('close', (code) => resolve({ code, lines, seconds: (performance.now() - t0) / 1000 }));
  });
}

async function main(): Promise<void> {
  const parts = selectedParts();
  const started = new Date();
  process.stderr.write(
    `bench/train ${started.toISOString()}: ${cpus().length} cores (${cpuModel()}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ` +
      `load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}; parts: ${parts.join(', ')}\n`,
  );
  const load = sampleLoad();
  let failed = 0;
  for (const part of parts) {
    const result = await runPart(part);
    process.stderr.write(
      `[${part}] ${result.lines} line(s) in ${result.seconds.toFixed(1)} s, exit ${result.code}\n`,
    );
    if (result.code !== 0) {
      failed++;
      process.stdout.write(
        `${JSON.stringify({ bench: 'train', part, error: `bench/train/${part}.ts exited with ${result.code}` })}\n`,
      );
    }
  }
  const figures = load.stop();
  process.stderr.write(
    `bench/train done in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s; ` +
      `1-minute load average during the run: min ${figures.min}, mean ${figures.mean}, max ${figures.max} ` +
      `(${figures.samples} samples)\n`,
  );
  if (failed > 0) process.exitCode = 1;
}

await main();
