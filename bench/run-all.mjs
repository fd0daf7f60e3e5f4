// `npm run bench`: builds dist/ once, then runs every benchmark in bench/ (each top-level
// bench/*.ts, one after another, each in its own Node process so that one's heap and JIT state
// never colour the next one's figures) and passes their JSON lines through on stdout. Progress
// and the benchmarks' own stderr go to stderr, so `npm run --silent bench > bench.jsonl` keeps
// only figures.
//
//   npm run bench                        # every benchmark (tens of minutes)
//   npm run bench -- cli tracking        # only bench/cli.ts and bench/tracking.ts
//   node bench/run-all.mjs --list        # the benchmarks it would run
//
// A benchmark's own options go through environment variables (BENCH_PARTS, BENCH_ROWS, ...; see
// each file's header). A line a benchmark prints that is not JSON goes to stderr, not stdout. A
// failed benchmark is reported as a JSON line {"bench", "error"}; the others still run, and the
// runner exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);

/** Every benchmark: the .ts files directly in bench/ (bench/train/* are bench/train.ts's parts). */
export function listBenchmarks() {
  return readdirSync(benchDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => name.slice(0, -'.ts'.length))
    .sort();
}

function runBenchmark(name) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.ts`)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const text = line.trim();
      if (text === '') return;
      let json = false;
      try {
        json = typeof JSON.parse(text) === 'object';
      } catch {
        json = false;
      }
      if (json) process.stdout.write(`${text}\n`);
      else process.stderr.write(`[${name}] ${line}\n`);
    });
    child.on('error', (error) => resolveRun({ ok: false, error: error.message }));
    child.on('close', (code, signal) =>
      resolveRun(code === 0 ? { ok: true } : { ok: false, error: `exited with ${signal ?? `code ${code}`}` }),
    );
  });
}

async function main(args) {
  const all = listBenchmarks();
  if (args.includes('--list')) {
    for (const name of all) process.stdout.write(`${name}\n`);
    return 0;
  }
  const wanted = args
    .filter((a) => !a.startsWith('-'))
    .map((a) => a.replace(/^bench\//, '').replace(/\.ts$/, ''));
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `error: no benchmark ${unknown.join(', ')}\nhint: the benchmarks are ${all.join(', ')}\n`,
    );
    return 2;
  }
  const names = wanted.length > 0 ? wanted : all;
  // Most benchmarks start the CLI from dist/; build it once here rather than in each of them.
  process.stderr.write('building dist/ (npm run build)\n');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('error: npm run build failed\n');
    return 1;
  }
  let failed = 0;
  for (const name of names) {
    const started = Date.now();
    process.stderr.write(`== bench/${name}.ts\n`);
    const result = await runBenchmark(name);
    process.stderr.write(
      `== bench/${name}.ts ${result.ok ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    if (!result.ok) {
      failed++;
      process.stdout.write(`${JSON.stringify({ bench: name, error: result.error })}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
