/**
 * How long `recipe run` takes when nothing changed, and how long deciding staleness takes with
 * 1 GB of input data already hashed. Prints ONE JSON line.
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/noop-rerun.ts [--repeats 5] [--gigabytes 1]
 *
 * 1. `recipe init --template regression` into a temp dir, one `recipe run` (everything runs), then
 *    `repeats` more whole-process runs of `node dist/cli/main.js run` (everything cached),
 *    interleaved with `node -e 0` (the floor: Node's own start-up) and `recipe --version` (the
 *    CLI's start-up), all measured in this same process.
 * 2. A recipe whose ingest reads N files totalling `gigabytes` GB: one `recipe status` hashes
 *    them (cold), then `repeats` more `recipe status` runs decide staleness from the stat cache.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const repeats = option('repeats', 5);
const gigabytes = option('gigabytes', 1);

function timed(argv: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, {
    cwd,
    env: { ...process.env, CI: 'true' },
    stdio: 'pipe',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr.toString()}`);
  }
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round = (x: number) => Math.round(x * 1000) / 1000;

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-noop-'));
try {
  // --- 1. no-op re-run of the regression template ---------------------------------------------
  const demo = join(root, 'regression');
  execFileSync(process.execPath, [cli, 'init', '--template', 'regression', demo], { stdio: 'pipe' });
  const firstRun = timed([cli, 'run'], demo);
  const noop: number[] = [];
  const floor: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < repeats; i++) {
    floor.push(timed(['-e', '0'], demo));
    startup.push(timed([cli, '--version'], demo));
    noop.push(timed([cli, 'run'], demo));
  }
  const noopNoTracking: number[] = [];
  for (let i = 0; i < repeats; i++) noopNoTracking.push(timed([cli, 'run', '--no-tracking'], demo));

  // --- 2. staleness with 1 GB of input already hashed ------------------------------------------
  const big = join(root, 'big');
  mkdirSync(join(big, 'data'), { recursive: true });
  const files = 16;
  const bytesPerFile = Math.round((gigabytes * 1024 ** 3) / files);
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 48 + ((i * 7919) % 10);
  for (let f = 0; f < files; f++) {
    const path = join(big, 'data', `part-${String(f).padStart(2, '0')}.csv`);
    writeFileSync(path, '');
    for (let written = 0; written < bytesPerFile; written += chunk.length) {
      writeFileSync(path, chunk.subarray(0, Math.min(chunk.length, bytesPerFile - written)), { flag: 'a' });
    }
  }
  // Old mtimes: files modified in the last seconds are not trusted by the stat cache ("racy git").
  execFileSync('touch', [
    '-d',
    '1 hour ago',
    ...Array.from({ length: files }, (_, f) => join(big, 'data', `part-${String(f).padStart(2, '0')}.csv`)),
  ]);
  writeFileSync(
    join(big, 'recipe.yaml'),
    `recipe: regression/v1\ntarget_col: y\nsteps:\n  ingest:\n    using: csv\n    location: ${JSON.stringify(Array.from({ length: files }, (_, f) => `data/part-${String(f).padStart(2, '0')}.csv`))}\n`,
  );
  const coldStatus = timed([cli, 'status'], big);
  const warmStatus: number[] = [];
  for (let i = 0; i < repeats; i++) warmStatus.push(timed([cli, 'status'], big));

  process.stdout.write(
    `${JSON.stringify({
      bench: 'noop-rerun',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      repeats,
      template: 'regression',
      first_run_s: round(firstRun),
      noop_rerun_median_s: round(median(noop)),
      noop_rerun_runs_s: noop.map(round),
      noop_rerun_no_tracking_median_s: round(median(noopNoTracking)),
      cli_version_median_s: round(median(startup)),
      node_e0_median_s: round(median(floor)),
      staleness_input_bytes: bytesPerFile * files,
      staleness_files: files,
      status_cold_hashing_s: round(coldStatus),
      status_warm_median_s: round(median(warmStatus)),
      status_warm_runs_s: warmStatus.map(round),
    })}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
