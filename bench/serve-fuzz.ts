/**
 * Scoring server memory under hostile requests: the resident set size (RSS, /proc/<pid>/status) of
 * `recipe models serve` after a warm-up of 200 good requests — the baseline — then after 1,000
 * hostile requests (malformed JSON and CSV, oversized headers and bodies, bodies that stall until
 * the request timeout drops them, booleans in numeric columns, foreign charsets, invalid UTF-8,
 * deep nesting, very wide and very long values, bytes that are not HTTP) sent 10 at a time over raw
 * sockets on 127.0.0.1, and again after 5 s idle. Also counts the answers by status: none may be
 * a 5xx, and the server must still answer a good request. Target: RSS after within +30 MB of the
 * baseline.
 *
 * Then the same 1,000 hostile requests again, BENCH_FUZZ_ROUNDS rounds in all (default 3), with the
 * RSS after each: memory the server holds on to grows with every round, while heap that V8 grew for
 * the first burst and reuses for the next stays level. No forced GC anywhere: the figures are what
 * an operator would see.
 *
 *   npm run build && npx tsx bench/serve-fuzz.ts        # prints one JSON line
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModel } from '../src/models/index.js';
import { pickColumns, saveCarsModel } from '../test/server/served-model-fixture.js';
import { carsRows } from '../test/steps/model-recipe-fixture.js';

/** 1,000 by default (the figure); more shows whether growth keeps rising (a leak) or levels off. */
const HOSTILE_REQUESTS = Number(process.env.BENCH_FUZZ_REQUESTS ?? 1000);
/** Rounds of HOSTILE_REQUESTS each; the RSS after every round tells retention from reused heap. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_FUZZ_ROUNDS ?? 3));
const CONCURRENCY = 10;
const REQUEST_TIMEOUT_SECONDS = 1;
/** Comma-separated kinds to leave out (to see which kind holds memory), e.g. `oversized_body`. */
const SKIP = new Set((process.env.BENCH_FUZZ_SKIP ?? '').split(',').filter(Boolean));
const ROOT = resolve(import.meta.dirname, '..');
/** Node flags for the server process (space-separated), e.g. `--trace-gc` to see its heap. */
const NODE_ARGS = (process.env.BENCH_FUZZ_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** A file that receives the server's output (with `--trace-gc`: V8's heap after each GC). */
const SERVER_OUTPUT = process.env.BENCH_FUZZ_SERVER_OUTPUT;
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round((Number(match?.[1]) / 1024) * 10) / 10;
}

function startServer(modelDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      CLI,
      'models',
      'serve',
      '-m',
      modelDir,
      '--port',
      '0',
      '--request-timeout',
      String(REQUEST_TIMEOUT_SECONDS),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  if (SERVER_OUTPUT) {
    const log = createWriteStream(SERVER_OUTPUT);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  return new Promise((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) done({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => fail(new Error(`recipe models serve exited with ${code}`)));
  });
}

/** One request as raw bytes; `stall` sends only the first part and then waits for the server. */
interface RawRequest {
  kind: string;
  parts: Buffer[];
}

function send(port: number, request: RawRequest): Promise<number> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.toString('latin1');
    });
    // A reset after the server answered (e.g. 413 while the body still streams) is expected.
    socket.on('error', () => {});
    socket.on('close', () => done(Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0)));
    for (const part of request.parts) socket.write(part);
  });
}

function http(
  kind: string,
  options: {
    method?: string;
    path?: string;
    contentType?: string;
    body?: Buffer | string;
    extraHeaders?: string;
    stallAfter?: number;
  },
): RawRequest {
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const head =
    `${options.method ?? 'POST'} ${options.path ?? '/invocations'} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
    (options.contentType ? `Content-Type: ${options.contentType}\r\n` : '') +
    (options.extraHeaders ?? '') +
    `Content-Length: ${body.length}\r\n\r\n`;
  const sent = options.stallAfter === undefined ? body : body.subarray(0, options.stallAfter);
  return { kind, parts: [Buffer.from(head, 'latin1'), sent] };
}

function hostileRequests(columns: string[], row: Record<string, unknown>, numeric: string): RawRequest[] {
  const json = 'application/json';
  const good = JSON.stringify({ dataframe_records: [row] });
  const kinds: Array<() => RawRequest> = [
    () => http('malformed_json', { contentType: json, body: '{"dataframe_records": [{"a": 1,' }),
    () =>
      http('header_overflow', {
        contentType: json,
        body: good,
        extraHeaders: `X-Pad: ${'a'.repeat(40_000)}\r\n`,
      }),
    () => ({ kind: 'not_http', parts: [Buffer.from('\u0000\u0001GARBAGE / NOPE\r\n\r\n', 'latin1')] }),
    () => http('stalled_body', { contentType: json, body: good, stallAfter: 10 }),
    () =>
      http('bool_in_numeric', {
        contentType: json,
        body: JSON.stringify({ dataframe_records: [{ ...row, [numeric]: true }] }),
      }),
    () => http('latin1_charset', { contentType: 'application/json; charset=latin1', body: good }),
    () =>
      http('invalid_utf8', { contentType: json, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }),
    () => http('deep_nesting', { contentType: json, body: `${'['.repeat(20_000)}${']'.repeat(20_000)}` }),
    () =>
      http('wide_record', {
        contentType: json,
        body: JSON.stringify({
          dataframe_records: [Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`c${i}`, i]))],
        }),
      }),
    () =>
      http('long_string', {
        contentType: json,
        body: JSON.stringify({
          dataframe_records: [{ ...row, [columns[0] as string]: 'x'.repeat(1_000_000) }],
        }),
      }),
    () => http('ragged_csv', { contentType: 'text/csv', body: `${columns.join(',')}\n1,2\n"unclosed\n` }),
    () => http('unknown_type', { contentType: 'application/x-pickle', body: 'cos\nsystem\n' }),
    () => http('unknown_path', { method: 'GET', path: '/admin/../../etc/passwd' }),
    () => http('empty_body', { contentType: json, body: '' }),
    () => http('no_format_key', { contentType: json, body: '{"rows": [1, 2, 3]}' }),
    () =>
      http('many_rows_bad_types', {
        contentType: json,
        body: JSON.stringify({
          dataframe_split: {
            columns,
            data: Array.from({ length: 5_000 }, () => columns.map(() => ({ nested: true }))),
          },
        }),
      }),
  ];
  const requests = Array.from({ length: HOSTILE_REQUESTS }, (_, i) =>
    (kinds[i % kinds.length] as () => RawRequest)(),
  );
  // A few bodies over the 50 MiB limit: the server must stop reading, not buffer them.
  for (let i = 0; i < 5; i++) {
    requests[i * 97] = http('oversized_body', {
      contentType: json,
      body: Buffer.alloc(51 * 1024 * 1024, 0x20),
    });
  }
  return requests.filter((request) => !SKIP.has(request.kind));
}

async function runAll(port: number, requests: RawRequest[]): Promise<Record<string, Record<string, number>>> {
  const byKind: Record<string, Record<string, number>> = {};
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as RawRequest;
      const status = String(await send(port, request));
      const counts = (byKind[request.kind] ??= {});
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return byKind;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = mkdtempSync(join(tmpdir(), 'mlrecipe-bench-fuzz-'));
  let server: ChildProcess | undefined;
  try {
    const modelDir = saveCarsModel(work);
    const model = await loadModel(modelDir);
    const columns = model.signature.inputs.map((spec) => spec.name as string);
    const numeric = model.signature.inputs.find((s) => s.type === 'long' || s.type === 'double')
      ?.name as string;
    const row = pickColumns(carsRows().slice(0, 1), columns)[0] as Record<string, unknown>;
    const started = await startServer(modelDir);
    server = started.child;
    const pid = server.pid as number;
    const goodRequest = () =>
      http('good', { contentType: 'application/json', body: JSON.stringify({ dataframe_records: [row] }) });
    const warm = await runAll(started.port, Array.from({ length: 200 }, goodRequest));
    if (Object.keys(warm.good ?? {}).join() !== '200')
      throw new Error(`warm-up answered ${JSON.stringify(warm)}`);
    const before = rssMb(pid);
    const t0 = performance.now();
    const byKind = await runAll(started.port, hostileRequests(columns, row, numeric));
    const seconds = (performance.now() - t0) / 1000;
    const after = rssMb(pid);
    await new Promise((r) => setTimeout(r, 5000));
    const afterIdle = rssMb(pid);
    // Later rounds: the same requests again (their statuses are counted with the first round's).
    const afterRound = [after];
    for (let round = 2; round <= ROUNDS; round++) {
      const more = await runAll(started.port, hostileRequests(columns, row, numeric));
      for (const [kind, counts] of Object.entries(more)) {
        const total = (byKind[kind] ??= {});
        for (const [status, n] of Object.entries(counts)) total[status] = (total[status] ?? 0) + n;
      }
      afterRound.push(rssMb(pid));
    }
    const stillServes = (await runAll(started.port, [goodRequest()])).good?.['200'] === 1;
    const statuses: Record<string, number> = {};
    for (const counts of Object.values(byKind)) {
      for (const [status, n] of Object.entries(counts)) statuses[status] = (statuses[status] ?? 0) + n;
    }
    const server5xx = Object.entries(statuses)
      .filter(([s]) => s.startsWith('5'))
      .reduce((sum, [, n]) => sum + n, 0);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'serve-fuzz',
        hostile_requests: HOSTILE_REQUESTS,
        skipped_kinds: [...SKIP],
        concurrency: CONCURRENCY,
        request_timeout_s: REQUEST_TIMEOUT_SECONDS,
        seconds: Math.round(seconds * 10) / 10,
        rounds: ROUNDS,
        ...(NODE_ARGS.length > 0 ? { server_node_args: NODE_ARGS } : {}),
        rss_mb: {
          baseline_after_warmup: before,
          after_hostile: after,
          after_5s_idle: afterIdle,
          after_each_round: afterRound,
        },
        growth_mb: Math.round((after - before) * 10) / 10,
        growth_per_later_round_mb: afterRound
          .slice(1)
          .map((rss, i) => Math.round((rss - (afterRound[i] as number)) * 10) / 10),
        growth_after_idle_mb: Math.round((afterIdle - before) * 10) / 10,
        target_growth_mb: 30,
        statuses,
        by_kind: byKind,
        server_5xx: server5xx,
        still_serves: stillServes,
        machine: { cpus: cpus().length, loadavg_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
      })}\n`,
    );
  } finally {
    server?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
