/**
 * bench/cli: how long the `recipe` command line takes to start and to do nothing, next to Node's
 * own start-up (`node -e 0`) measured in the same run. One JSON line per case on stdout.
 *
 *   npm run build && npx tsx bench/cli.ts [--repeats 10]
 *
 * Cases, each a whole child process (spawned the way a shell would, stdout/stderr piped):
 *   - `node -e 0`              the floor: Node's own start-up on this machine now;
 *   - `recipe --version`       the CLI's start-up;
 *   - `recipe --help`          start-up plus every command group (help lists them all);
 *   - `recipe run`, no-op      the regression template (`recipe init`) after one full run, so
 *                              every step is served from the cache and register finds nothing
 *                              to do; tracking on (the default), as a user would run it.
 *
 * The cases are interleaved round by round (floor, version, help, run, floor, ...), so a change
 * in the machine's load during the bench hits every case alike; each line reports the median of
 * `repeats` rounds and its ratio to the floor's median. Targets (issue 15): no-op run ≤ 2.5×,
 * `--version` and `--help` ≤ 2× the floor. `cpu_s` is the child's user+sys CPU time (from
 * /proc/self/stat's cutime+cstime, 10 ms ticks), less sensitive to other processes than wall time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The `bin` (package.json): the CommonJS entry point.
const cli = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
// A/B on a shared machine: BENCH_BASELINE_CLI=/path/to/other/dist/cli/main.js adds every recipe
// case run with that build, interleaved with the others in each round (same load for both).
const baseline = process.env.BENCH_BASELINE_CLI;
const args = process.argv.slice(2);
const repeatsAt = args.indexOf('--repeats');
const repeats = repeatsAt >= 0 ? Number(args[repeatsAt + 1]) : 10;

/** user+sys CPU seconds of this process's waited-for children (Linux), else undefined. */
function childrenCpuSeconds(): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): cutime and cstime are fields 16, 17.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

interface Sample {
  wall: number;
  cpu?: number;
}

function timed(argv: string[], cwd: string): Sample {
  const cpuBefore = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, {
    cwd,
    env: { ...process.env, CI: 'true' },
    stdio: 'pipe',
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  if (result.status !== 0) {
    throw new Error(`node ${argv.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round = (x: number) => Math.round(x * 1000) / 1000;

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-cli-'));
try {
  const demo = join(root, 'regression');
  execFileSync(process.execPath, [cli, 'init', '--template', 'regression', demo], { stdio: 'pipe' });
  // The first run trains and registers; every later one finds each step cached.
  execFileSync(process.execPath, [cli, 'run'], {
    cwd: demo,
    stdio: 'pipe',
    env: { ...process.env, CI: 'true' },
  });
  const states = JSON.parse(
    execFileSync(process.execPath, [cli, 'run', '--output', 'json'], {
      cwd: demo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    }).toString(),
  ) as { steps: Array<{ step: string; state: string }> };

  const cases: Array<{ name: string; argv: string[]; target?: number }> = [
    { name: 'node -e 0', argv: ['-e', '0'] },
    { name: 'recipe --version', argv: [cli, '--version'], target: 2 },
    { name: 'recipe --help', argv: [cli, '--help'], target: 2 },
    { name: 'recipe run (no-op)', argv: [cli, 'run'], target: 2.5 },
    ...(baseline === undefined
      ? []
      : [
          { name: 'baseline: recipe --version', argv: [baseline, '--version'] },
          { name: 'baseline: recipe --help', argv: [baseline, '--help'] },
          { name: 'baseline: recipe run (no-op)', argv: [baseline, 'run'] },
        ]),
  ];
  const samples = cases.map(() => [] as Sample[]);
  const load: number[] = [];
  for (let round = 0; round < repeats; round++) {
    load.push(loadavg()[0] as number);
    cases.forEach((c, i) => samples[i]?.push(timed(c.argv, demo)));
  }
  const floor = median((samples[0] as Sample[]).map((s) => s.wall));
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    load_avg_1m: round(median(load)),
  };
  cases.forEach((c, i) => {
    const runs = samples[i] as Sample[];
    const wall = median(runs.map((s) => s.wall));
    const cpu = runs.every((s) => s.cpu !== undefined) ? median(runs.map((s) => s.cpu as number)) : undefined;
    const line: Record<string, unknown> = {
      bench: 'cli',
      case: c.name,
      repeats,
      median_s: round(wall),
      runs_s: runs.map((s) => round(s.wall)),
      ...(cpu === undefined ? {} : { cpu_median_s: round(cpu) }),
      ...(c.argv[0] === baseline ? { cli: baseline } : {}),
      ratio_to_node: round(wall / floor),
      ...(c.target === undefined ? {} : { target_ratio: c.target, within_target: wall / floor <= c.target }),
      ...(c.argv[1] === 'run'
        ? { steps: Object.fromEntries(states.steps.map((s) => [s.step, s.state])) }
        : {}),
      ...machine,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
