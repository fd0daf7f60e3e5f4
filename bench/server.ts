/**
 * Tracking server through MLflow's REST API (issue 17's Benchmarks): `recipe server` as a child
 * process over SQLite, loaded by autocannon with 8 concurrent connections on 127.0.0.1, three
 * cases, each also run in the same process against a bare `node:http` server that reads the same
 * bodies and answers a fixed JSON body of the same size (the floor HTTP and the load generator
 * alone cost on this machine):
 *
 * - log_batch_1000: `POST runs/log-batch` with 1,000 metrics, every request new points (a pool of
 *   distinct bodies over 8 runs, so the server's duplicate-point check never short-cuts a write);
 * - search_10k: `POST runs/search` with a filter and order_by over an experiment of 10,000 runs
 *   (10 params and 10 metrics each, seeded straight into the database before the server starts);
 * - get_run: `GET runs/get` of rotating run ids, for requests per second.
 *
 * With MLFLOW_SRC naming MLflow 2.12.2's source tree (and MLFLOW_PYTHONPATH any extra paths it
 * needs, here /work/mlflow-shim), MLflow's own tracking server runs beside ours in the same run
 * (scripts/mlflow-flask-server.py: its Flask app on werkzeug's threaded server, as Debian has no
 * gunicorn) over a copy of the same seeded database, and every case is loaded against it too.
 * Without MLFLOW_SRC (CI) that part is skipped.
 *
 * BENCH_WORKERS=2 runs `recipe server --workers 2`; BENCH_CASES=search_10k,get_run picks cases;
 * BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles our server.
 *
 *   npm run build && npx tsx bench/server.ts          # one JSON line per case
 *   BENCH_SECONDS=3 BENCH_RUNS=2000 npx tsx bench/server.ts
 *   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim npx tsx bench/server.ts
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSqliteTrackingStore } from '../src/tracking/sqlite-store.js';
import { type AutocannonRequest, type LoadFigures, runLoad, startChild } from './http/load-generator.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** Which cases to run (comma-separated names); all by default. */
const CASES = process.env.BENCH_CASES?.split(',').filter((name) => name !== '');
/** Node options for the server child only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it. */
const SERVER_NODE_ARGS = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [];
/** `recipe server --workers N` (default 1). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const MLFLOW_SRC = process.env.MLFLOW_SRC;
const PYTHON = process.env.MLFLOW_PYTHON ?? '/usr/bin/python3';
const FILTER = "metrics.m0 < 0.5 and params.p1 = 'v3'";
const ORDER_BY = ['metrics.m1 DESC'];

/** What each server's load run reports (the mean latency is bench/serve's figure, not this one's). */
type Figures = Omit<LoadFigures, 'mean_ms'>;

/** A deterministic pseudo-random stream: the same data on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/** MLflow's script prints its address before werkzeug listens: poll /health until it answers. */
async function waitHealthy(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy in ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** The floor: reads the whole body and answers the fixed body it is given on stdin's argv. */
const FLOOR_SERVER = `
const http = require('node:http');
const sizes = JSON.parse(process.argv[1]);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const size = sizes[req.url.split('?')[0]] ?? 2;
    const body = '{' + '"x":"' + 'a'.repeat(Math.max(0, size - 8)) + '"}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function load(url: string, requests: AutocannonRequest[], seconds = SECONDS): Promise<Figures> {
  // A minute before a request counts as timed out (autocannon's default is 10 s): MLflow's server
  // answers a 10k-run search in seconds on a loaded machine, and that is a figure, not an error.
  const { mean_ms: _mean, ...figures } = await runLoad({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 60,
    requests,
  });
  return figures;
}

/**
 * One client, one request at a time: the median of `count` answers' wall times in ms — the
 * service time without queueing behind the other connections.
 */
async function sequentialMs(url: string, request: AutocannonRequest, count = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const each: AutocannonRequest = {
      ...request,
      ...(request.setupRequest ? request.setupRequest({ ...request }) : {}),
    };
    const start = performance.now();
    await probe(url, each);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(count / 2)] as number) * 10) / 10;
}

/** One request of `requests` answered 200 with a JSON body; returns its length. */
async function probe(url: string, request: AutocannonRequest): Promise<number> {
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`${request.path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text.length;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-server-'));
  const children: ChildProcess[] = [];
  try {
    // Seed 10k runs straight into the database the server will open.
    const dbPath = join(work, 'tracking.db');
    const seedStart = performance.now();
    const seed = await openSqliteTrackingStore({ path: dbPath, defaultArtifactRoot: 'mlflow-artifacts:/' });
    const experimentId = await seed.createExperiment('bench-search');
    const random = lcg(42);
    const now = Date.now();
    const runIds: string[] = [];
    // One transaction per 200 runs (createFinishedRuns), as a sweep records cached trials.
    for (let start = 0; start < RUNS; start += 200) {
      const infos = await seed.createFinishedRuns(
        Array.from({ length: Math.min(200, RUNS - start) }, (_, i) => ({
          experimentId,
          runName: `r${start + i}`,
          startTime: now + start + i,
          endTime: now + start + i + 1,
          status: 'FINISHED' as const,
          params: Array.from({ length: 10 }, (_, p) => ({
            key: `p${p}`,
            value: `v${Math.floor(random() * 10)}`,
          })),
          metrics: Array.from({ length: 10 }, (_, m) => ({
            key: `m${m}`,
            value: random(),
            step: 0,
            timestamp: now,
          })),
        })),
      );
      for (const info of infos) runIds.push(info.run_id);
    }
    const logExperiment = await seed.createExperiment('bench-log-batch');
    const logRuns: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++)
      logRuns.push((await seed.createRun({ experimentId: logExperiment })).info.run_id);
    await seed.close();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    // MLflow's server gets a copy of the same database (MLflow opens ours: issue 18), taken before
    // any load touches either.
    const mlflowDbPath = join(work, 'mlflow.db');
    if (MLFLOW_SRC !== undefined) copyFileSync(dbPath, mlflowDbPath);

    const server = await startChild([
      ...SERVER_NODE_ARGS,
      CLI,
      'server',
      '--backend-store-uri',
      `sqlite:///${dbPath}`,
      '--artifacts-destination',
      join(work, 'mlartifacts'),
      '--port',
      '0',
      '--workers',
      String(WORKERS),
    ]);
    children.push(server.child);
    let mlflow: { child: ChildProcess; url: string } | undefined;
    if (MLFLOW_SRC !== undefined) {
      const pythonPath = [MLFLOW_SRC, process.env.MLFLOW_PYTHONPATH, process.env.PYTHONPATH]
        .filter((each) => each !== undefined && each !== '')
        .join(':');
      mlflow = await startChild(
        [
          join(ROOT, 'scripts', 'mlflow-flask-server.py'),
          String(await freePort()),
          `sqlite:///${mlflowDbPath}`,
          join(work, 'mlflow-artifacts'),
        ],
        { command: PYTHON, env: { ...process.env, PYTHONPATH: pythonPath } },
      );
      children.push(mlflow.child);
      await waitHealthy(mlflow.url);
    }

    // Every log-batch request carries new points (new steps), 1,000 metrics over 10 keys, made
    // as the request goes out, so the server's exact-duplicate check never short-cuts a write.
    const logBody = (b: number): string =>
      JSON.stringify({
        run_id: logRuns[b % logRuns.length],
        metrics: Array.from({ length: 1000 }, (_, i) => ({
          key: `k${i % 10}`,
          value: b * 1000 + i,
          step: b * 100 + Math.floor(i / 10),
          timestamp: now,
        })),
      });
    let logCounter = 0;
    const searchBody = JSON.stringify({
      experiment_ids: [experimentId],
      filter: FILTER,
      order_by: ORDER_BY,
      max_results: 100,
    });
    const json = { 'content-type': 'application/json' };
    const cases: Record<string, { request: AutocannonRequest; body_bytes: number }> = {
      log_batch_1000: {
        request: {
          method: 'POST',
          path: '/api/2.0/mlflow/runs/log-batch',
          headers: json,
          setupRequest: (request) => ({ ...request, body: logBody(logCounter++) }),
        },
        body_bytes: logBody(0).length,
      },
      search_10k: {
        request: { method: 'POST', path: '/api/2.0/mlflow/runs/search', headers: json, body: searchBody },
        body_bytes: searchBody.length,
      },
      get_run: {
        request: {
          method: 'GET',
          path: `/api/2.0/mlflow/runs/get?run_id=${runIds[0]}`,
          setupRequest: (() => {
            let next = 0;
            return (request: AutocannonRequest) => ({
              ...request,
              path: `/api/2.0/mlflow/runs/get?run_id=${runIds[(next++ * 7919) % runIds.length]}`,
            });
          })(),
        },
        body_bytes: 0,
      },
    };

    // Answer sizes from the real server, so the floor sends as many bytes back.
    const sizes: Record<string, number> = {};
    const { matches } = await (async () => {
      const response = await fetch(`${server.url}/api/2.0/mlflow/runs/search`, {
        method: 'POST',
        headers: json,
        body: searchBody,
      });
      const body = (await response.json()) as { runs?: unknown[] };
      return { matches: body.runs?.length ?? 0 };
    })();
    for (const each of Object.values(cases)) {
      const first: AutocannonRequest = {
        ...each.request,
        ...(each.request.setupRequest ? each.request.setupRequest({ ...each.request }) : {}),
      };
      sizes[first.path.split('?')[0] as string] = await probe(server.url, first);
    }
    const floor = await startChild(['-e', FLOOR_SERVER, JSON.stringify(sizes)]);
    children.push(floor.child);

    if (mlflow !== undefined) {
      // The same requests must get the same answers from MLflow before its figures mean anything.
      for (const each of Object.values(cases)) {
        const first: AutocannonRequest = {
          ...each.request,
          ...(each.request.setupRequest ? each.request.setupRequest({ ...each.request }) : {}),
        };
        await probe(mlflow.url, first);
      }
    }

    // null when the denominator is 0 (no answer completed in the window).
    const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
    for (const [name, each] of Object.entries(cases)) {
      if (CASES !== undefined && !CASES.includes(name)) continue;
      // Floor, ours, MLflow's, back to back: drift in the machine's load touches them all.
      const loadStart = Math.round(loadavg()[0] * 100) / 100;
      const floorFigures = await load(floor.url, [each.request]);
      const serverFigures = await load(server.url, [each.request]);
      const serverSequential = await sequentialMs(server.url, each.request);
      // MLflow gets at least 30 s: its 10k-run searches take seconds each, and a window that no
      // answer completes in measures nothing.
      const mlflowFigures =
        mlflow !== undefined ? await load(mlflow.url, [each.request], Math.max(SECONDS, 30)) : undefined;
      const mlflowSequential =
        mlflow !== undefined ? await sequentialMs(mlflow.url, each.request, 3) : undefined;
      process.stdout.write(
        `${JSON.stringify({
          bench: 'server',
          case: name,
          date: new Date().toISOString(),
          connections: CONNECTIONS,
          seconds: SECONDS,
          workers: WORKERS,
          body_bytes: each.body_bytes,
          answer_bytes: sizes[each.request.path.split('?')[0] as string],
          ...(name === 'search_10k'
            ? { runs: RUNS, filter: FILTER, order_by: ORDER_BY, page_runs: matches }
            : {}),
          ...(name === 'log_batch_1000' ? { metrics_per_s: serverFigures.req_per_s * 1000 } : {}),
          server: { ...serverFigures, sequential_p50_ms: serverSequential },
          floor: floorFigures,
          server_over_floor_req_per_s: ratio(serverFigures.req_per_s, floorFigures.req_per_s),
          ...(mlflowFigures !== undefined
            ? {
                mlflow: { ...mlflowFigures, sequential_p50_ms: mlflowSequential },
                server_over_mlflow_req_per_s: ratio(serverFigures.req_per_s, mlflowFigures.req_per_s),
                mlflow_over_server_sequential_ms: ratio(mlflowSequential ?? 0, serverSequential),
              }
            : {}),
          seed_seconds: Math.round(seedSeconds * 10) / 10,
          machine: {
            cpus: cpus().length,
            loadavg_1m_start: loadStart,
            loadavg_1m_end: Math.round(loadavg()[0] * 100) / 100,
          },
        })}\n`,
      );
    }
  } finally {
    // Wait for the children to exit: a profiled server writes its profile on the way out.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
