/**
 * What the HTTP benchmarks (bench/serve.ts, bench/server.ts) share: autocannon's typed surface,
 * one load run turned into the figures they report, and starting a server as a child process
 * that prints its URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** A request autocannon sends; `setupRequest` makes each one afresh (new bodies, rotating ids). */
export interface AutocannonRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

/** The part of autocannon's options used here (the package ships no types). */
export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Seconds before a request counts as timed out (autocannon's default: 10). */
  timeout?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

type Autocannon = (options: LoadOptions) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadFigures {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  requests: number;
  /** Errors and timeouts. */
  errors: number;
  non_2xx: number;
}

/** One autocannon run, as the figures the benchmarks print. */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const result = await autocannon(options);
  return {
    req_per_s: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    mean_ms: Math.round(result.latency.average * 100) / 100,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non_2xx: result.non2xx,
  };
}

/**
 * Starts a child process (node by default) and resolves with it and the URL it prints
 * (`http://127.0.0.1:<port>`); rejects with the tail of its stderr if it exits first.
 */
export function startChild(
  args: string[],
  options: { command?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(options.command ?? process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the tail only: some servers (werkzeug) log every request on stderr.
    err = (err + chunk.toString()).slice(-4000);
  });
  return new Promise((res, rej) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) res({ child, url: match[1] as string });
    });
    child.on('exit', (code) => rej(new Error(`${args.join(' ')} exited with ${code}: ${err}`)));
  });
}
