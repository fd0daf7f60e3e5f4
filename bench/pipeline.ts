/**
 * A big recipe end to end, as a user runs it: a CSV of BENCH_ROWS rows (default 2,000,000) × 20
 * columns (16 numbers, 3 categories of 10, 50 and 200 levels, the target), the default
 * transform, ridge, evaluate, register, one `recipe run --step <step>` process per step in order
 * (each reuses the cached steps before it). Prints ONE JSON line: per step its time as `recipe run`
 * reports it (`<step>_s`), the process's CPU time and peak RSS (`/usr/bin/time -f '%M %U %S'`:
 * `<step>_cpu_s`, `<step>_peak_rss_mb`), and for the whole recipe the sums of wall and CPU time
 * and the largest peak RSS.
 *
 *   npm run build && npx tsx bench/pipeline.ts              # 2M rows
 *   BENCH_ROWS=200000 npx tsx bench/pipeline.ts             # smaller
 *   BENCH_KEEP=1 npx tsx bench/pipeline.ts                  # keep the recipe directory (to profile)
 *
 * The CSV is generated deterministically (a fixed LCG) before timing starts; the data directory
 * is removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// BENCH_CLI: another build's CLI (a baseline built elsewhere), same data and procedure.
const cli = process.env.BENCH_CLI ?? fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const rows = Number(process.env.BENCH_ROWS ?? 2_000_000);
const NUMERIC = 16;
const LEVELS = [10, 50, 200];
const STEPS = ['ingest', 'split', 'transform', 'train', 'evaluate', 'register'] as const;

/** A 32-bit LCG (Numerical Recipes' constants): fast, deterministic, good enough for data. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function writeCsv(path: string): Promise<void> {
  const random = lcg(42);
  const out = createWriteStream(path);
  const header = [
    ...Array.from({ length: NUMERIC }, (_, j) => `x${j}`),
    ...LEVELS.map((_, k) => `c${k}`),
    'y',
  ];
  const weights = Array.from({ length: NUMERIC }, (_, j) => (j % 3 === 0 ? 0 : (j - 8) / 4));
  const lines: string[] = [header.join(',')];
  for (let i = 0; i < rows; i++) {
    const cells: string[] = [];
    let y = 0;
    for (let j = 0; j < NUMERIC; j++) {
      const x = (random() - 0.5) * 20;
      y += weights[j] * x;
      // One value in 200 is missing, so the imputer has work to do.
      cells.push(random() < 0.005 ? '' : x.toFixed(4));
    }
    for (let k = 0; k < LEVELS.length; k++) {
      const level = Math.floor(random() * LEVELS[k]);
      y += (level % 7) - 3;
      cells.push(`c${k}_${level}`);
    }
    y += (random() - 0.5) * 4;
    cells.push(y.toFixed(4));
    lines.push(cells.join(','));
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`))
        await new Promise<void>((done) => out.once('drain', () => done()));
      lines.length = 0;
    }
  }
  out.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  await new Promise<void>((done, fail) => {
    out.on('error', fail);
    out.end(() => done());
  });
}

const RECIPE = `recipe: "regression/v1"
target_col: "y"
primary_metric: "root_mean_squared_error"
steps:
  ingest:
    using: csv
    location: "data/big.csv"
  split:
    split_ratios: [0.75, 0.125, 0.125]
  transform:
    using: default
  train:
    estimator:
      name: ridge
      params: {alpha: 1.0}
  evaluate: {}
  register:
    allow_non_validated_model: true
`;

const PROFILE = `experiment:
  name: "big"
model_registry:
  model_name: "big-ridge"
`;

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-pipeline-'));
try {
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'profiles'));
  writeFileSync(join(root, 'recipe.yaml'), RECIPE);
  writeFileSync(join(root, 'profiles', 'local.yaml'), PROFILE);
  const csv = join(root, 'data', 'big.csv');
  process.stderr.write(`bench/pipeline: writing ${rows} rows …\n`);
  await writeCsv(csv);
  execFileSync('git', ['init', '-q'], { cwd: root });

  const load = loadavg()[0];
  const timeCommand = existsSync('/usr/bin/time');
  // Each step in its own `recipe run --step <step>` process (the steps before it are cached by
  // then), so each gets its own wall time, CPU time and peak RSS; the whole run's figures are
  // their sum (wall, CPU) and maximum (peak RSS). Six CLI starts are included (~0.3 s each).
  const stepFigures: Record<string, number> = {};
  let wall = 0;
  let cpuTotal = 0;
  let peak = 0;
  for (const step of STEPS) {
    const argv = [cli, 'run', '--step', step];
    const start = process.hrtime.bigint();
    const result = spawnSync(
      timeCommand ? '/usr/bin/time' : process.execPath,
      timeCommand ? ['-f', 'maxrss_kb=%M cpu_user_s=%U cpu_sys_s=%S', process.execPath, ...argv] : argv,
      { cwd: root, env: { ...process.env, CI: 'true' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0)
      throw new Error(`recipe run --step ${step} failed (${result.status}):\n${result.stderr}`);
    process.stderr.write(
      result.stderr
        .split('\n')
        .filter((l) => l.startsWith(`[${step}]`))
        .map((l) => `  ${l}\n`)
        .join(''),
    );
    wall += seconds;
    // The step's own time as `recipe run` reports it in its summary ("ingest  ran  16.7s").
    const ran = new RegExp(`^${step}\\s+ran\\s+(?:(\\d+)m)?([\\d.]+)(ms|s)$`, 'm').exec(result.stdout);
    if (ran)
      stepFigures[`${step}_s`] = Number(ran[1] ?? 0) * 60 + Number(ran[2]) / (ran[3] === 'ms' ? 1000 : 1);
    const rss = /maxrss_kb=(\d+)/.exec(result.stderr)?.[1];
    if (rss !== undefined) {
      const mb = Math.round(Number(rss) / 1024);
      stepFigures[`${step}_peak_rss_mb`] = mb;
      peak = Math.max(peak, mb);
    }
    // CPU time (user + system): on a shared machine the wall time mostly measures the other
    // processes, the CPU time what the recipe itself costs.
    const cpu = /cpu_user_s=([\d.]+) cpu_sys_s=([\d.]+)/.exec(result.stderr);
    if (cpu) {
      const c = Number(cpu[1]) + Number(cpu[2]);
      stepFigures[`${step}_cpu_s`] = Math.round(c * 100) / 100;
      cpuTotal += c;
    }
  }
  console.log(
    JSON.stringify({
      bench: 'pipeline',
      rows,
      columns: NUMERIC + LEVELS.length + 1,
      csv_mb: Math.round(statSync(csv).size / 1e5) / 10,
      wall_s: Math.round(wall * 100) / 100,
      peak_rss_mb: timeCommand ? peak : null,
      cpu_s: timeCommand ? Math.round(cpuTotal * 100) / 100 : null,
      ...stepFigures,
      cpus: cpus().length,
      load_avg_1m_at_start: Math.round(load * 10) / 10,
      load_avg_1m_at_end: Math.round(loadavg()[0] * 10) / 10,
    }),
  );
} finally {
  if (process.env.BENCH_KEEP === '1') process.stderr.write(`bench/pipeline: kept ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
}
