/**
 * The HTTP side of the `http(s)://` stores: one call to an MLflow REST API 2.0 endpoint, with
 * MLflow's client conventions (mlflow/utils/rest_utils.py, 2.12):
 *
 * - GET sends its arguments as a query string, everything else as a JSON body;
 * - `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` give basic auth, else
 *   `MLFLOW_TRACKING_TOKEN` a bearer token;
 * - transient failures are retried with exponential backoff: HTTP 408, 429, 500, 502, 503, 504
 *   and connection errors (reset, refused, timed out), up to `MLFLOW_HTTP_REQUEST_MAX_RETRIES`
 *   (5) times, waiting `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR` (2) × 2^(n-1) seconds plus up to
 *   `MLFLOW_HTTP_REQUEST_BACKOFF_JITTER` (1) second, each try bounded by
 *   `MLFLOW_HTTP_REQUEST_TIMEOUT` (120) seconds;
 * - an error answer becomes a StoreError with the server's `error_code`.
 *
 * Retrying is safe for the calls that matter: a repeated log-batch adds no metric twice (the
 * server ignores an exact duplicate point) and tags and params are set, not appended.
 */
import { Readable } from 'node:stream';
import { StoreError, type MlflowErrorCode } from '../errors.js';

export interface RestClientOptions {
  /** `http(s)://host[:port][/prefix]` */
  baseUrl: string;
  /** Environment for credentials and retry settings; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Overrides for tests. */
  maxRetries?: number;
  backoffFactorSeconds?: number;
  backoffJitterSeconds?: number;
  timeoutSeconds?: number;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

function envNumber(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new StoreError('INVALID_PARAMETER_VALUE', `$${name} is "${raw}", not a non-negative number`);
  }
  return value;
}

export class RestClient {
  readonly baseUrl: string;
  /** The environment credentials and retry settings came from (artifact uploads reuse it). */
  readonly env: Record<string, string | undefined>;
  private readonly authorization: string | undefined;
  private readonly maxRetries: number;
  private readonly backoffFactor: number;
  private readonly backoffJitter: number;
  private readonly timeoutMs: number;

  constructor(options: RestClientOptions) {
    const env = options.env ?? process.env;
    this.env = env;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const user = env.MLFLOW_TRACKING_USERNAME;
    const password = env.MLFLOW_TRACKING_PASSWORD;
    if (user && password) {
      this.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    } else if (env.MLFLOW_TRACKING_TOKEN) {
      this.authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    }
    this.maxRetries = options.maxRetries ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 5);
    this.backoffFactor =
      options.backoffFactorSeconds ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', 2);
    this.backoffJitter =
      options.backoffJitterSeconds ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', 1);
    this.timeoutMs = (options.timeoutSeconds ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 120)) * 1000;
  }

  /** Calls `/api/2.0/mlflow<path>` and returns the parsed JSON answer. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    args: Record<string, unknown> = {},
  ): Promise<T> {
    let url = `${this.baseUrl}/api/2.0/mlflow${path}`;
    let body: string | undefined;
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(args)) {
        if (value === undefined) continue;
        for (const each of Array.isArray(value) ? value : [value]) query.append(key, String(each));
      }
      const text = query.toString();
      if (text !== '') url += `?${text}`;
    } else {
      body = JSON.stringify(args, (_key, v: unknown) =>
        typeof v === 'number' && !Number.isFinite(v)
          ? Number.isNaN(v)
            ? 'NaN'
            : v > 0
              ? 'Infinity'
              : '-Infinity'
          : v,
      );
    }
    const response = await this.send(url, {
      method,
      body,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    });
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text, `${method} ${path}`);
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new StoreError(
        'INTERNAL_ERROR',
        `${method} ${path}: the server answered something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  /**
   * Sends one request with retries (see the module comment). `init.body` must be re-sendable,
   * since a retry sends it again: a string, or a function that opens a fresh stream per try (an
   * upload streamed from a file, never held in memory whole).
   */
  async send(
    url: string,
    init: { method: string; body?: string | (() => Readable); headers?: Record<string, string> },
  ): Promise<Response> {
    const headers: Record<string, string> = { 'User-Agent': 'mlrecipe', ...init.headers };
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        const body = typeof init.body === 'function' ? init.body() : init.body;
        response = await fetch(url, {
          method: init.method,
          headers,
          // A stream body needs half-duplex (fetch's rule for request streams).
          ...(typeof body === 'string'
            ? { body }
            : body !== undefined
              ? { body: Readable.toWeb(body) as ReadableStream, duplex: 'half' }
              : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        } as RequestInit);
      } catch (error) {
        failure = error;
      }
      const transient = response === undefined || RETRY_STATUSES.has(response.status);
      if (!transient || attempt >= this.maxRetries) {
        if (response !== undefined) return response;
        throw new StoreError(
          'TEMPORARILY_UNAVAILABLE',
          `${init.method} ${url}: ${describeNetworkError(failure)}${attempt > 0 ? ` (after ${attempt + 1} tries)` : ''}`,
          {
            cause: failure,
            hint: 'check that the tracking server is running and MLFLOW_TRACKING_URI names it',
          },
        );
      }
      // The failed answer's body is discarded so its connection can be reused.
      await response?.arrayBuffer().catch(() => undefined);
      const delaySeconds = this.backoffFactor * 2 ** attempt + Math.random() * this.backoffJitter;
      await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000));
    }
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code
      ? `${error.message} (${cause.code})`
      : cause?.message
        ? `${error.message}: ${cause.message}`
        : error.message;
  }
  return String(error);
}

/** A server's error answer as a StoreError with its `error_code` (or one for the status). */
export function errorFromResponse(status: number, text: string, what: string): StoreError {
  let code: string | undefined;
  let message = text.slice(0, 1000);
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    if (typeof body.error_code === 'string') code = body.error_code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: keep the text
  }
  code ??=
    status === 404
      ? 'ENDPOINT_NOT_FOUND'
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'PERMISSION_DENIED'
          : status >= 500
            ? 'INTERNAL_ERROR'
            : 'BAD_REQUEST';
  const hint: string | undefined =
    status === 401
      ? 'set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)'
      : status === 403
        ? 'ask the server admin for permission on this experiment or model'
        : undefined;
  // A server that is mlrecipe's puts its hint on a last `hint:` line.
  const hintAt = message.lastIndexOf('\nhint: ');
  const serverHint = hintAt >= 0 ? message.slice(hintAt + '\nhint: '.length) : undefined;
  if (hintAt >= 0) message = message.slice(0, hintAt);
  // The server's message is kept as it is (it may span lines, e.g. a filter with a caret under
  // the error); what was called and the status go into the hint when there is none.
  return new StoreError(code as MlflowErrorCode, message, {
    hint: serverHint ?? hint ?? `${what} answered HTTP ${status}`,
  });
}
