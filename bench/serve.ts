/**
 * Scoring server throughput and latency: requests/s, p50 and p99 for 1-row and 100-row
 * `dataframe_split` requests against `recipe models serve` (a ridge regression on cars.json behind
 * the ColumnTransformer), and, in the same run, against a bare `node:http` server that reads the
 * same bodies and answers a fixed JSON body — the floor that HTTP and the load generator alone
 * cost on this machine. Load comes from autocannon on 127.0.0.1 only; every run is bounded in time.
 *
 *   npm run build && npx tsx bench/serve.ts            # prints one JSON line
 *   BENCH_SECONDS=3 BENCH_CONNECTIONS=10 BENCH_WORKERS=2 npx tsx bench/serve.ts
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModel } from '../src/models/index.js';
import { pickColumns, saveCarsModel } from '../test/server/served-model-fixture.js';
import { carsRows } from '../test/steps/model-recipe-fixture.js';
import { type LoadFigures, runLoad, startChild } from './http/load-generator.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const ROOT = resolve(import.meta.dirname, '..');
// BENCH_CLI: another build's CLI (a baseline built elsewhere), measured with the same procedure.
const CLI = process.env.BENCH_CLI ?? join(ROOT, 'dist', 'cli', 'main.js');

type Figures = LoadFigures;

/** The floor: reads the whole body (as the scoring server must) and answers a fixed JSON body. */
const FLOOR_SERVER = `
const http = require('node:http');
const body = JSON.stringify({ predictions: [16.91031423175258] });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function load(url: string, body: string): Promise<Figures> {
  return runLoad({
    url: `${url}/invocations`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
}

async function check(url: string, body: string, rows: number): Promise<void> {
  const response = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await response.json()) as { predictions?: unknown[] };
  if (response.status !== 200 || json.predictions?.length !== rows) {
    throw new Error(`the scoring server answered ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
  }
}

/**
 * CPU ticks (user + system, 1/100 s) of a process and its children (the scoring server may run
 * its workers as child processes), from /proc; null where /proc is missing. On a shared machine
 * the requests/s swing with other load, the server's CPU time per request much less.
 */
function treeCpuTicks(pid: number): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const ticks = (stat: string) => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) };
  };
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = ticks(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (Number(entry) === pid || stat.ppid === pid) total += stat.cpu;
    } catch {
      // The process ended while the directory was read.
    }
  }
  return total;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-serve-'));
  const children: ChildProcess[] = [];
  try {
    const modelDir = saveCarsModel(work);
    const model = await loadModel(modelDir);
    const columns = model.signature.inputs.map((spec) => spec.name as string);
    const rows = pickColumns(carsRows(), columns);
    const payload = (n: number) =>
      JSON.stringify({
        dataframe_split: { columns, data: rows.slice(0, n).map((r) => columns.map((c) => r[c])) },
      });
    const bodies = { rows_1: payload(1), rows_100: payload(100) };

    const scoring = await startChild([
      CLI,
      'models',
      'serve',
      '-m',
      modelDir,
      '--port',
      '0',
      '--workers',
      String(WORKERS),
    ]);
    children.push(scoring.child);
    const floor = await startChild(['-e', FLOOR_SERVER]);
    children.push(floor.child);
    await check(scoring.url, bodies.rows_1, 1);
    await check(scoring.url, bodies.rows_100, 100);

    const results: Record<string, Record<string, Figures>> = { scoring: {}, floor: {} };
    // Interleaved, so that drift in the machine's load touches both servers alike.
    const cpuPerRequest: Record<string, Record<string, number | null>> = { scoring: {}, floor: {} };
    const measured = async (
      server: 'scoring' | 'floor',
      url: string,
      pid: number | undefined,
      name: string,
      body: string,
    ) => {
      const before = pid === undefined ? null : treeCpuTicks(pid);
      const figures = await load(url, body);
      const after = pid === undefined ? null : treeCpuTicks(pid);
      (results[server] as Record<string, Figures>)[name] = figures;
      (cpuPerRequest[server] as Record<string, number | null>)[name] =
        before === null || after === null || figures.requests === 0
          ? null
          : Math.round(((after - before) * 10_000) / figures.requests);
    };
    for (const [name, body] of Object.entries(bodies)) {
      await measured('floor', floor.url, floor.child.pid, name, body);
      await measured('scoring', scoring.url, scoring.child.pid, name, body);
    }
    const ratio = (name: string) =>
      Math.round(
        ((results.scoring?.[name]?.req_per_s ?? 0) / Math.max(1, results.floor?.[name]?.req_per_s ?? 1)) *
          1000,
      ) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'serve',
        model: 'ridge regression, cars.json (7 raw columns, one-hot + scaling)',
        body_bytes: { rows_1: bodies.rows_1.length, rows_100: bodies.rows_100.length },
        connections: CONNECTIONS,
        seconds_per_run: SECONDS,
        workers: WORKERS,
        scoring: results.scoring,
        floor: results.floor,
        scoring_over_floor_req_per_s: { rows_1: ratio('rows_1'), rows_100: ratio('rows_100') },
        // The servers' own CPU time (process and children, from /proc) per request, in µs.
        server_cpu_us_per_request: cpuPerRequest,
        machine: { cpus: cpus().length, loadavg_1m: Math.round(loadavg()[0] * 100) / 100 },
      })}\n`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
