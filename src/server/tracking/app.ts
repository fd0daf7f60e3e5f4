/**
 * The tracking server's HTTP application: MLflow's REST API 2.0 under `/api/2.0/mlflow/` and
 * `/ajax-api/2.0/mlflow/`, the artifact proxy under `/api/2.0/mlflow-artifacts/`, the UI's
 * `get-artifact` routes, `/health`, `/version`, and the web UI's static files at `/`.
 *
 * Security at the edge, before any handler runs: the Host header must name an allowed host
 * (a DNS-rebinding page on another name is refused), a cross-origin browser request gets no
 * CORS headers unless its origin is allowed, and state-changing requests from a foreign origin
 * are refused outright; optional basic auth (auth.ts) checks who asks and what they may touch.
 */
import { createReadStream, statSync } from 'node:fs';
import { extname, posix, sep } from 'node:path';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { StoreError } from '../../errors.js';
import { mlrecipeVersion } from '../../models/index.js';
import type { ModelRegistryStore } from '../../registry/index.js';
import { normaliseArtifactPath, type TrackingStore } from '../../tracking/index.js';
import { ArtifactAccess, type ArtifactAccessOptions } from './artifact-access.js';
import type { BasicAuth } from './auth.js';
import type { Endpoint, HandlerContext } from './endpoint.js';
import { toProtoJson } from './proto-json.js';
import { registryEndpoints } from './registry-endpoints.js';
import { readArguments, sendErrorFor, sendMlflowError } from './request.js';
import { MAX_BATCH_LOG_REQUEST_BYTES, schemas } from './schemas.js';
import { trackingEndpoints } from './tracking-endpoints.js';
import { resolveUiAsset } from '../../ui/assets.js';

export interface TrackingAppOptions {
  store: TrackingStore;
  registry: ModelRegistryStore;
  artifacts: ArtifactAccessOptions;
  /** `--artifacts-only`: only the artifact proxy answers; tracking endpoints give 503. */
  artifactsOnly?: boolean;
  /**
   * Host names (optionally `name:port`) the Host header may carry. Default: localhost,
   * 127.0.0.1 and ::1 on any port. `*` allows every host (turns the DNS-rebinding guard off).
   */
  allowedHosts?: readonly string[];
  /** Origins (e.g. `http://localhost:3000`) that get CORS headers. Default: none. */
  corsAllowedOrigins?: readonly string[];
  /** HTTP basic auth with per-resource permissions; off when absent. */
  auth?: BasicAuth;
  /** Serve the web UI at `/` (default true; `recipe server --no-ui` turns it off). */
  ui?: boolean;
  /** Largest JSON request body in bytes (default 20 MiB); larger ones get 413 in MLflow's shape. */
  maxBodyBytes?: number;
}

export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];
const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
const API_PREFIXES = ['/api/2.0', '/ajax-api/2.0'];

/** Builds the application (not listening); tests drive it with `inject()` or `listen({port: 0})`. */
export function buildTrackingApp(options: TrackingAppOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    // Query strings are parsed per endpoint (repeated keys are lists, see request.ts).
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });
  const artifacts = new ArtifactAccess(options.artifacts);
  const allowedHosts = new Set((options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS).map(normaliseHost));
  const corsOrigins = new Set(options.corsAllowedOrigins ?? []);

  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    if (!allowedHosts.has('*') && !hostAllowed(host, allowedHosts)) {
      return sendMlflowError(
        reply,
        'PERMISSION_DENIED',
        `Host header "${host ?? ''}" is not an allowed host of this server (a guard against DNS rebinding); start the server with --allowed-hosts to add it`,
        403,
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, host)) {
      if (corsOrigins.has(origin) || corsOrigins.has('*')) {
        reply.header('Access-Control-Allow-Origin', origin);
        reply.header('Vary', 'Origin');
        reply.header('Access-Control-Allow-Credentials', 'true');
        if (request.method === 'OPTIONS') {
          reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
          reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
          reply.header('Access-Control-Max-Age', '600');
          return reply.code(204).send();
        }
      } else if (request.method !== 'GET' && request.method !== 'HEAD') {
        return sendMlflowError(
          reply,
          'PERMISSION_DENIED',
          `cross-origin request from ${origin} refused; start the server with --cors-allowed-origins ${origin} to allow it`,
          403,
        );
      }
    }
    if (options.auth) {
      const user = await options.auth.authenticate(request);
      if (user === undefined) {
        reply.header('WWW-Authenticate', 'Basic realm="mlflow"');
        return sendMlflowError(
          reply,
          'UNAUTHENTICATED',
          'You are not authenticated. Please provide valid credentials (HTTP basic auth).',
          401,
        );
      }
      request.mlrecipeUser = user;
    }
    return undefined;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendMlflowError(
        reply,
        'INVALID_PARAMETER_VALUE',
        `the request body is larger than this server's limit of ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`,
        413,
      );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendMlflowError(reply, 'BAD_REQUEST', error.message, error.statusCode);
    }
    return sendErrorFor(reply, error);
  });

  app.get('/health', async (_request, reply) => reply.type('text/plain').send('OK'));
  app.get('/version', async (_request, reply) => reply.type('text/plain').send(mlrecipeVersion()));

  void app.register(async (api) => {
    // The API reads bodies itself (request.ts): any content type arrives as text, so a wrong one
    // is answered in MLflow's shape rather than with fastify's 415.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    for (const endpoint of [...trackingEndpoints, ...registryEndpoints]) {
      for (const prefix of API_PREFIXES) {
        api.route({
          method: endpoint.method,
          url: prefix + endpoint.path,
          handler: (request, reply) => handleEndpoint(endpoint, request, reply),
        });
      }
    }
    api.get('/get-artifact', (request, reply) => handleGetArtifact(request, reply, 'run'));
    api.get('/model-versions/get-artifact', (request, reply) => handleGetArtifact(request, reply, 'model'));
  });

  async function handleEndpoint(endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply) {
    if (options.artifactsOnly) {
      return reply
        .code(503)
        .type('text/plain')
        .send(
          `Endpoint ${endpoint.path} is disabled: this server runs with --artifacts-only (run it without that flag to serve tracking requests)`,
        );
    }
    try {
      if (endpoint.path === '/mlflow/runs/log-batch' && typeof request.body === 'string') {
        const size = Buffer.byteLength(request.body);
        if (size > MAX_BATCH_LOG_REQUEST_BYTES) {
          throw new StoreError(
            'INVALID_PARAMETER_VALUE',
            `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_BYTES} bytes, got a request of size ${size}.`,
          );
        }
      }
      const args = readArguments(request, endpoint.schema);
      const ctx = contextFor(request);
      if (options.auth) await options.auth.authorize(endpoint, args, ctx);
      let result = await endpoint.handle(args, ctx);
      if (options.auth) result = await options.auth.afterSuccess(endpoint, args, result, ctx.username);
      return sendJson(reply, result);
    } catch (error) {
      return sendErrorFor(reply, error);
    }
  }

  async function handleGetArtifact(request: FastifyRequest, reply: FastifyReply, kind: 'run' | 'model') {
    if (options.artifactsOnly) return reply.code(503).type('text/plain').send('disabled: --artifacts-only');
    try {
      if (kind === 'run') {
        const args = readArguments(request, schemas.getArtifact);
        const ctx = contextFor(request);
        if (options.auth) await options.auth.authorizeRead('run', args, ctx);
        const run = await options.store.getRun(args.run_id as string);
        const repo = artifacts.repositoryForRoot(run.info.artifact_uri);
        return await sendFile(reply, await repo.resolveArtifactFile(args.path as string));
      }
      const args = readArguments(request, schemas.getModelVersionArtifact);
      const ctx = contextFor(request);
      if (options.auth) await options.auth.authorizeRead('model', args, ctx);
      const version = await options.registry.getModelVersion(args.name as string, args.version as string);
      const repo = artifacts.repositoryForRoot(version.source);
      return await sendFile(reply, await repo.resolveArtifactFile(args.path as string));
    } catch (error) {
      return sendErrorFor(reply, error);
    }
  }

  function contextFor(request: FastifyRequest): HandlerContext {
    return {
      store: options.store,
      registry: options.registry,
      artifacts,
      request,
      ...(request.mlrecipeUser ? { username: request.mlrecipeUser } : {}),
    };
  }

  void app.register(async (proxy) => {
    // Uploads arrive as raw bytes of any type and are streamed to disk, never buffered whole.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const prefix of API_PREFIXES) {
      const base = `${prefix}/mlflow-artifacts/artifacts`;
      proxy.get(base, (request, reply) =>
        proxied(reply, async () => {
          const args = readArguments(request, schemas.listProxiedArtifacts);
          const path = typeof args.path === 'string' && args.path !== '' ? args.path : undefined;
          options.auth?.authorizeArtifactPath(normaliseArtifactPath(path), 'read', request.mlrecipeUser);
          const files = await artifacts.proxyRepository().listArtifacts(path);
          // The proxy lists names relative to the directory asked about (MLflow's basename).
          return {
            files: files.map((file) => ({ ...file, path: posix.basename(file.path) })),
          };
        }),
      );
      proxy.get(`${base}/*`, (request, reply) =>
        proxied(reply, async () => {
          const path = wildcardPath(request);
          options.auth?.authorizeArtifactPath(path, 'read', request.mlrecipeUser);
          return sendFile(reply, await artifacts.proxyRepository().resolveArtifactFile(path));
        }),
      );
      proxy.put(`${base}/*`, (request, reply) =>
        proxied(reply, async () => {
          const path = wildcardPath(request);
          options.auth?.authorizeArtifactPath(path, 'update', request.mlrecipeUser);
          const body = request.body as Readable | undefined;
          if (body === undefined || body === null)
            throw new StoreError('INVALID_PARAMETER_VALUE', 'the upload has no body');
          await artifacts.proxyRepository().writeArtifact(path, body);
          return {};
        }),
      );
      proxy.delete(`${base}/*`, (request, reply) =>
        proxied(reply, async () => {
          const path = wildcardPath(request);
          options.auth?.authorizeArtifactPath(path, 'delete', request.mlrecipeUser);
          await artifacts.proxyRepository().deleteArtifacts(path);
          return {};
        }),
      );
      for (const action of ['create', 'complete', 'abort']) {
        proxy.post(`${prefix}/mlflow-artifacts/mpu/${action}/*`, (_request, reply) =>
          sendMlflowError(
            reply,
            'NOT_IMPLEMENTED',
            'multipart upload is not supported by this artifact store (a local directory); upload with PUT',
          ),
        );
      }
    }
  });

  /** Runs a proxy handler: 503 when not serving artifacts (as MLflow), JSON or a sent file. */
  async function proxied(reply: FastifyReply, work: () => Promise<object | FastifyReply>) {
    // An upload refused before its body was read must still be drained, or its connection
    // stays busy and a graceful close waits for it.
    const body = reply.request.body as Readable | undefined;
    const drain = () => {
      if (body && typeof body.resume === 'function' && !body.readableEnded) body.resume();
    };
    if (!artifacts.serveArtifacts) {
      drain();
      return reply
        .code(503)
        .type('text/plain')
        .send(
          'Endpoint disabled: this server runs with --no-serve-artifacts (run it with --serve-artifacts to proxy artifacts)',
        );
    }
    try {
      const result = await work();
      if (result === reply) return reply;
      return sendJson(reply, result);
    } catch (error) {
      drain();
      return sendErrorFor(reply, error);
    }
  }

  const serveUiFiles = options.ui !== false;
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    if (
      API_PREFIXES.some((prefix) => path.startsWith(`${prefix}/`)) ||
      !serveUiFiles ||
      request.method !== 'GET'
    ) {
      return sendMlflowError(reply, 'ENDPOINT_NOT_FOUND', `no endpoint ${request.method} ${path}`, 404);
    }
    return serveUi(reply, path);
  });

  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The user basic auth authenticated, when it is on. */
    mlrecipeUser?: string;
  }
}

/**
 * Sends a response object as protobuf JSON. As bytes, not a string: for a string body fastify
 * measures its UTF-8 length and the socket then encodes it again; one Buffer.from does both
 * (a 144 kB search page: Buffer.byteLength alone was ~7% of the server's time under load).
 */
function sendJson(reply: FastifyReply, result: object): FastifyReply {
  return reply.type('application/json').send(Buffer.from(toProtoJson(result)));
}

function wildcardPath(request: FastifyRequest): string {
  const raw = (request.params as Record<string, string>)['*'] ?? '';
  // Checked here as well as in the repository: the edge refuses what could leave the root.
  return normaliseArtifactPath(raw);
}

const MIME_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
};

function mimeTypeOf(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Sends an artifact as an attachment with `nosniff`, as MLflow does: an HTML artifact must never
 * render as a page of this origin (it could script the API with the user's credentials).
 */
function sendFile(reply: FastifyReply, realPath: string): FastifyReply {
  const name = realPath.split(sep).pop() ?? 'artifact';
  return reply
    .type(mimeTypeOf(realPath))
    .header('Content-Disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Length', String(statSync(realPath).size))
    .send(createReadStream(realPath));
}

/**
 * The UI's page and assets (src/ui/assets.ts maps each URL to a fixed file; nothing is joined
 * from the request). The UI's routes live in the URL's hash, so every page is `/`.
 */
async function serveUi(reply: FastifyReply, urlPath: string): Promise<FastifyReply> {
  const asset = resolveUiAsset(urlPath);
  if (!asset) return sendMlflowError(reply, 'ENDPOINT_NOT_FOUND', `no file ${urlPath}`, 404);
  return reply
    .type(asset.contentType)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'no-cache')
    .send(createReadStream(asset.path));
}

function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** `host` or `host:port` from the Host header, checked against the allowed names. */
function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (header === undefined || header === '') return false;
  let hostname: string;
  let port: string;
  try {
    const url = new URL(`http://${header}`);
    hostname = normaliseHost(url.hostname);
    port = url.port;
  } catch {
    return false;
  }
  if (allowed.has(hostname)) return true;
  return port !== '' && allowed.has(`${hostname}:${port}`);
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
