/**
 * The scoring server: MLflow's model serving protocol (`mlflow models serve`, MLflow 2.x
 * `mlflow/pyfunc/scoring_server`) over fastify.
 *
 *   POST /invocations   application/json: {"dataframe_split"|"dataframe_records"|"instances"|"inputs": …}
 *                       text/csv: a header row, then one row per record
 *                       → {"predictions": [...]} (regression: numbers, classification: labels)
 *   GET  /ping, /health → 200 (the model is loaded before the server listens)
 *   GET  /version       → mlrecipe's version, as text
 *
 * Every failure a client can cause answers MLflow's error body `{"error_code", "message"}` with a
 * 4xx status, and the server goes on serving: a request never reaches a code path that can take
 * the process down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readCsvText } from '../data/csv.js';
import { DataError, isMlrecipeError, type MlflowErrorCode } from '../errors.js';
import type { Frame } from '../ml/types.js';
import type { LoadedModel } from '../models/load.js';
import { mlrecipeVersion } from '../models/mlmodel.js';
import { predictionsJson } from '../models/predict.js';
import { frameFromScoringPayload } from '../models/scoring-payload.js';

/** Default request body limit: MLflow leaves it to gunicorn; 50 MiB keeps one request bounded. */
export const DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024;

export const CONTENT_TYPE_JSON = 'application/json';
export const CONTENT_TYPE_CSV = 'text/csv';

/**
 * Default time a client has to send a whole request, headers and body (gunicorn, which MLflow
 * serves through, drops a worker's request after 60 s; 30 s keeps slow-body clients from holding
 * sockets and buffers for long).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Keep-alive clients (load balancers, benchmarks) must not be cut off by a short default. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface ScoringServerOptions {
  /** The model to serve, loaded once (loadModel). */
  model: LoadedModel;
  /** Largest accepted request body in bytes; larger bodies get 413 (default 50 MiB). */
  maxBodyBytes?: number;
  /**
   * Milliseconds a client has to send a whole request; a request still arriving after that is
   * answered 408 and its connection closed (default 30 s).
   */
  requestTimeoutMs?: number;
}

/** A client error answered as MLflow's `{"error_code", "message"}` body. */
class ScoringRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: MlflowErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error_code: MlflowErrorCode;
  message: string;
}

function sendError(
  reply: FastifyReply,
  status: number,
  errorCode: MlflowErrorCode,
  message: string,
): FastifyReply {
  const body: ErrorBody = { error_code: errorCode, message };
  return reply.code(status).type(CONTENT_TYPE_JSON).send(JSON.stringify(body));
}

/** `text/csv; charset=utf-8` → `text/csv`. */
function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return header.split(';', 1)[0]?.trim().toLowerCase();
}

/**
 * The body is read as UTF-8 (MLflow's scoring server decodes it so, and refuses any other
 * charset): a body announced in another charset would be misread, so it is refused.
 */
function checkCharset(header: string | undefined): void {
  if (header === undefined) return;
  for (const parameter of header.split(';').slice(1)) {
    const [key, ...rest] = parameter.split('=');
    if (key?.trim().toLowerCase() !== 'charset') continue;
    const charset = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new ScoringRequestError(
        400,
        'BAD_REQUEST',
        `the scoring server only supports UTF-8 bodies, not charset=${charset}; encode the body as UTF-8 and send charset=utf-8 (or no charset)`,
      );
    }
  }
}

/**
 * Errors Node's HTTP parser raises before a request reaches fastify (headers too large, a request
 * that took longer than the timeout, malformed HTTP), answered in MLflow's error shape too.
 */
function clientErrorAnswer(code: string | undefined): { status: number; body: ErrorBody } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      body: {
        error_code: 'BAD_REQUEST',
        message:
          'the request headers are larger than the server accepts (16 KiB); send fewer or shorter headers',
      },
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      body: {
        error_code: 'BAD_REQUEST',
        message:
          'the request did not arrive in full within the server’s request timeout; the connection is closed',
      },
    };
  }
  return {
    status: 400,
    body: {
      error_code: 'BAD_REQUEST',
      message: `the request is not valid HTTP/1.1 (${code ?? 'parse error'})`,
    },
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function messageWithHint(error: Error): string {
  const hint = isMlrecipeError(error) ? error.hint : undefined;
  return hint ? `${error.message} (${hint})` : error.message;
}

/**
 * A CSV body as a frame, typed the way `recipe models predict` types a CSV file (the same column
 * builders, and the same re-read as text of a column that turned out not to be numeric), so that
 * a row scores the same in both.
 */
export function frameFromCsvText(text: string): Frame {
  // A body of blank lines has no header either; say so before the reader reports a "file".
  if (/^\uFEFF?\s*$/.test(text)) {
    throw new ScoringRequestError(
      400,
      'BAD_REQUEST',
      'the CSV body is empty; send a header row, then the rows to score',
    );
  }
  try {
    return readCsvText(text, { source: 'request body' }).frame;
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    throw new ScoringRequestError(
      400,
      'BAD_REQUEST',
      `the CSV body cannot be parsed: ${messageWithHint(error)}`,
    );
  }
}

function frameFromJsonText(text: string, model: LoadedModel): Frame {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new ScoringRequestError(
      400,
      'BAD_REQUEST',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  return frameFromScoringPayload(payload, model.signature.inputs);
}

/** The frame a request carries; throws ScoringRequestError or a DataError for client mistakes. */
function requestFrame(request: FastifyRequest, model: LoadedModel): Frame {
  checkCharset(request.headers['content-type']);
  const type = mediaType(request.headers['content-type']);
  const text = typeof request.body === 'string' ? request.body : '';
  if (type === CONTENT_TYPE_JSON) return frameFromJsonText(text, model);
  if (type === CONTENT_TYPE_CSV) return frameFromCsvText(text);
  throw new ScoringRequestError(415, 'BAD_REQUEST', unsupportedTypeMessage(request.headers['content-type']));
}

function unsupportedTypeMessage(header: string | undefined): string {
  return `this server accepts Content-Type ${CONTENT_TYPE_JSON} or ${CONTENT_TYPE_CSV}, not ${header === undefined ? 'a request without one' : `"${header}"`}`;
}

/** What the server answers a scoring request: a status and a JSON body. */
interface Answer {
  status: number;
  body: string;
}

/**
 * The answer to a scoring request whose failure is already caught: the route's and the error
 * handler's mapping in one place, for the direct path below (the fastify route throws and lets
 * the error handler map, with the same result).
 */
function errorAnswer(error: unknown): Answer {
  const answer = (status: number, errorCode: MlflowErrorCode, message: string): Answer => ({
    status,
    body: JSON.stringify({ error_code: errorCode, message } satisfies ErrorBody),
  });
  if (error instanceof ScoringRequestError) return answer(error.status, error.errorCode, error.message);
  if (isMlrecipeError(error) && error.code === 'DATA_ERROR')
    return answer(400, 'BAD_REQUEST', messageWithHint(error));
  return answer(500, 'INTERNAL_ERROR', `the model failed to score the request: ${(error as Error).message}`);
}

/**
 * The common scoring request — `POST /invocations`, `Content-Type: application/json` exactly, a
 * Content-Length within the limit, no chunked body or `Expect` — answered straight from node:http,
 * without fastify's request pipeline, which was most of a 1-row request's cost (BENCHMARKS.md,
 * bench/serve). Everything else, including every unusual request to /invocations, goes through
 * fastify, whose route and error handler give the same answers for the requests taken here.
 */
function isDirectScoringRequest(req: IncomingMessage, maxBodyBytes: number): boolean {
  if (req.method !== 'POST' || req.url !== '/invocations') return false;
  const headers = req.headers;
  if (headers['content-type'] !== CONTENT_TYPE_JSON) return false;
  if (headers['transfer-encoding'] !== undefined || headers.expect !== undefined) return false;
  const length = headers['content-length'];
  if (length === undefined || !/^\d{1,12}$/.test(length)) return false;
  return Number(length) <= maxBodyBytes;
}

function scoreDirect(req: IncomingMessage, res: ServerResponse, model: LoadedModel): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('error', () => req.destroy());
  req.on('end', () => {
    const send = (answer: Answer) => {
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(answer.body),
      });
      res.end(answer.body);
    };
    // Nothing thrown here may escape into the 'end' listener (it would take the process down):
    // every failure becomes an answer.
    const answer = async (): Promise<Answer> => {
      const text =
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
      const frame = frameFromJsonText(text, model);
      // No rows, no predictions (`{"dataframe_records": []}`): nothing for the model to check.
      if (frame.nRows === 0) return { status: 200, body: predictionsJson([]) };
      return { status: 200, body: predictionsJson(await model.predictAsync(frame)) };
    };
    answer()
      .then(send, (error: unknown) => send(errorAnswer(error)))
      .catch(() => res.destroy());
  });
}

/** A fastify instance serving `model` (not listening yet: call `listen`, or `inject` in tests). */
export function createScoringServer(options: ScoringServerOptions): FastifyInstance {
  const { model } = options;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = Fastify({
    bodyLimit: maxBodyBytes,
    // The server fastify would make (its http options, timeouts), with the direct scoring path in
    // front of fastify's handler.
    serverFactory(handler, factoryOptions): Server {
      const server = createServer(factoryOptions.http ?? {}, (req, res) => {
        if (isDirectScoringRequest(req, maxBodyBytes)) scoreDirect(req, res, model);
        else handler(req, res);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = requestTimeout;
      return server;
    },
    logger: false,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout,
    http: {
      // Node checks for overdue requests every 30 s by default, which would let a short timeout
      // run up to 30 s late; headers may not take longer than the whole request.
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(requestTimeout / 4))),
      headersTimeout: Math.min(60_000, requestTimeout),
    },
    clientErrorHandler(error: Error & { code?: string }, socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const { status, body } = clientErrorAnswer(error.code);
      const text = JSON.stringify(body);
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: ${CONTENT_TYPE_JSON}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
        );
      }
      socket.destroy();
    },
  });
  const version = mlrecipeVersion();

  // Bodies of the two accepted types are read as text and parsed in the route, which tells a
  // malformed body from a bad payload. (A catch-all '*' parser measured up to 2x slower per request.)
  app.removeAllContentTypeParsers();
  for (const type of [CONTENT_TYPE_JSON, CONTENT_TYPE_CSV]) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof ScoringRequestError)
      return sendError(reply, error.status, error.errorCode, error.message);
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return sendError(reply, 415, 'BAD_REQUEST', unsupportedTypeMessage(request.headers['content-type']));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return sendError(
        reply,
        413,
        'INVALID_PARAMETER_VALUE',
        `the request body is larger than the server's limit of ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes; send fewer rows per request`,
      );
    }
    if (status >= 400 && status < 500) return sendError(reply, status, 'BAD_REQUEST', error.message);
    return sendError(reply, 500, 'INTERNAL_ERROR', `the model failed to score the request: ${error.message}`);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      'ENDPOINT_NOT_FOUND',
      `no endpoint ${request.method} ${request.url}; use POST /invocations, GET /ping, /health or /version`,
    ),
  );

  const healthy = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.code(200).type('text/plain').send('\n');
  app.get('/ping', healthy);
  app.get('/health', healthy);
  app.get('/version', async (_request, reply) => reply.type('text/plain').send(version));

  app.post('/invocations', async (request, reply) => {
    let predictions: Float64Array | string[];
    try {
      const frame = requestFrame(request, model);
      // No rows, no predictions (`{"dataframe_records": []}`): nothing for the model to check.
      if (frame.nRows === 0) return reply.type(CONTENT_TYPE_JSON).send(predictionsJson([]));
      predictions = await model.predictAsync(frame);
    } catch (error) {
      if (error instanceof ScoringRequestError) throw error;
      // DataErrors are the client's: a malformed payload, a missing column, a wrong type.
      if (isMlrecipeError(error) && error.code === 'DATA_ERROR') {
        throw new ScoringRequestError(400, 'BAD_REQUEST', messageWithHint(error));
      }
      throw error;
    }
    return reply.type(CONTENT_TYPE_JSON).send(predictionsJson(predictions));
  });

  return app;
}
