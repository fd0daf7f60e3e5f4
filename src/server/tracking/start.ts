/**
 * `recipe server` / `recipe ui`: opens the backend store, builds the tracking app and listens —
 * in this process (one worker) or in `node:cluster` workers sharing the port, each with its own
 * store connection (SQLite in WAL mode or PostgreSQL take concurrent writers). SIGTERM and SIGINT
 * stop accepting connections and let requests in flight finish before the store closes.
 */
import cluster, { type Worker } from 'node:cluster';
import { hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { DataError, UsageError } from '../../errors.js';
import { registryForTrackingStore } from '../../registry/index.js';
import { openTrackingStore, type TrackingStore } from '../../tracking/index.js';
import { buildTrackingApp, DEFAULT_ALLOWED_HOSTS } from './app.js';
import { BasicAuth } from './auth.js';

export interface TrackingServerOptions {
  /** `sqlite:///…` or `postgresql://…`. */
  backendStoreUri: string;
  /** Where new experiments keep artifacts; default `mlflow-artifacts:/` when serving artifacts. */
  defaultArtifactRoot?: string;
  /** Directory behind `mlflow-artifacts:` URIs; default `./mlartifacts` (MLflow's). */
  artifactsDestination?: string;
  /** Default true, as MLflow 2.x. */
  serveArtifacts?: boolean;
  artifactsOnly?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5000; 0 picks a free port. */
  port?: number;
  workers?: number;
  allowedHosts?: string[];
  corsAllowedOrigins?: string[];
  authFile?: string;
  /** Serve the web UI at `/` (default true). */
  ui?: boolean;
  handleSignals?: boolean;
  log?: (line: string) => void;
}

export interface TrackingServerHandle {
  url: string;
  host: string;
  port: number;
  workers: number;
  close(): Promise<void>;
  readonly closed: Promise<void>;
}

const WORKER_ENV = 'MLRECIPE_TRACKING_WORKER';
const SHUTDOWN_GRACE_MS = 15_000;

type WorkerMessage = { type: 'listening'; port: number } | { type: 'failed'; message: string };

/** The settings after defaults, as handed to cluster workers. */
interface ResolvedConfig {
  backendStoreUri: string;
  defaultArtifactRoot?: string;
  artifactsDestination: string;
  serveArtifacts: boolean;
  artifactsOnly: boolean;
  host: string;
  port: number;
  allowedHosts: string[];
  corsAllowedOrigins: string[];
  authFile?: string;
  ui?: boolean;
}

function urlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** Hosts a browser may name: loopback names, the bound address, and for 0.0.0.0 this machine's. */
export function defaultAllowedHosts(host: string): string[] {
  const hosts = new Set<string>(DEFAULT_ALLOWED_HOSTS);
  hosts.add(host);
  if (host === '0.0.0.0' || host === '::') {
    hosts.add(hostname());
    for (const list of Object.values(networkInterfaces())) {
      for (const address of list ?? []) hosts.add(address.address);
    }
  }
  return [...hosts];
}

function resolveConfig(options: TrackingServerOptions): ResolvedConfig {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not ${port}`);
  }
  if (/^https?:/i.test(options.backendStoreUri)) {
    throw new UsageError(`--backend-store-uri ${options.backendStoreUri} is itself a tracking server`, {
      hint: 'give the database the server should use: sqlite:///mlruns/tracking.db or postgresql://…',
    });
  }
  const serveArtifacts = options.serveArtifacts ?? true;
  if (options.artifactsOnly && !serveArtifacts) {
    throw new UsageError('--artifacts-only needs --serve-artifacts', { hint: 'drop --no-serve-artifacts' });
  }
  return {
    backendStoreUri: options.backendStoreUri,
    // MLflow 2.x: a server proxying artifacts hands out mlflow-artifacts:/ roots by default.
    ...(options.defaultArtifactRoot !== undefined
      ? { defaultArtifactRoot: options.defaultArtifactRoot }
      : serveArtifacts
        ? { defaultArtifactRoot: 'mlflow-artifacts:/' }
        : {}),
    artifactsDestination: resolve(options.artifactsDestination ?? 'mlartifacts'),
    serveArtifacts,
    artifactsOnly: options.artifactsOnly ?? false,
    host,
    port,
    allowedHosts: [...defaultAllowedHosts(host), ...(options.allowedHosts ?? [])],
    corsAllowedOrigins: options.corsAllowedOrigins ?? [],
    ...(options.authFile !== undefined ? { authFile: resolve(options.authFile) } : {}),
    ...(options.ui !== undefined ? { ui: options.ui } : {}),
  };
}

/** Opens the store and builds the app for `config` (one per process). */
async function openApp(config: ResolvedConfig): Promise<{ app: FastifyInstance; store: TrackingStore }> {
  // Read the auth file before opening anything, so a typo fails fast.
  const auth = config.authFile !== undefined ? BasicAuth.fromFile(config.authFile) : undefined;
  const store = await openTrackingStore(config.backendStoreUri, {
    ...(config.defaultArtifactRoot !== undefined ? { defaultArtifactRoot: config.defaultArtifactRoot } : {}),
  });
  try {
    const registry = registryForTrackingStore(store);
    const app = buildTrackingApp({
      store,
      registry,
      artifacts: { serveArtifacts: config.serveArtifacts, destination: config.artifactsDestination },
      artifactsOnly: config.artifactsOnly,
      allowedHosts: config.allowedHosts,
      corsAllowedOrigins: config.corsAllowedOrigins,
      ...(auth ? { auth } : {}),
      ...(config.ui !== undefined ? { ui: config.ui } : {}),
    });
    // The store closes after the last request in flight has finished.
    app.addHook('onClose', async () => store.close());
    return { app, store };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the tracking server is not listening on TCP');
  return address.port;
}

/** Starts the tracking server; resolves once every worker listens. */
export async function startTrackingServer(options: TrackingServerOptions): Promise<TrackingServerHandle> {
  const config = resolveConfig(options);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new UsageError(`--workers must be a whole number from 1 to 64, not ${workers}`);
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const handleSignals = options.handleSignals ?? false;
  if (workers === 1) {
    const { app } = await openApp(config);
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      await app.close();
      throw error;
    }
    return inProcessHandle(app, config.host, handleSignals);
  }
  return clusterHandle(config, { workers, log, handleSignals });
}

function inProcessHandle(app: FastifyInstance, host: string, handleSignals: boolean): TrackingServerHandle {
  const port = listeningPort(app);
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolvePromise) => {
    markClosed = resolvePromise;
  });
  const onSignal = () => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      // Requests in flight finish; a client that stalls mid-request is cut off after the grace.
      const timer = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await app.close();
      clearTimeout(timer);
      markClosed();
    })();
    return closing;
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { url: urlOf(host, port), host, port, workers: 1, close, closed };
}

async function clusterHandle(
  config: ResolvedConfig,
  options: { workers: number; log: (line: string) => void; handleSignals: boolean },
): Promise<TrackingServerHandle> {
  const thisFile = fileURLToPath(import.meta.url);
  // Under tsx (tests) the worker runs this .ts file and needs the same loader.
  const execArgv = thisFile.endsWith('.ts') ? ['--import', 'tsx', ...process.execArgv] : process.execArgv;
  cluster.setupPrimary({ exec: thisFile, execArgv, args: [] });
  const live = new Set<Worker>();
  let shuttingDown = false;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolvePromise) => {
    markClosed = resolvePromise;
  });

  // Every worker asks for the configured port, 0 included: the cluster shares one listening handle
  // per (host, port) key, so workers asking for port 0 all get the same free port.
  const fork = (): Promise<number> =>
    new Promise<number>((resolvePromise, reject) => {
      const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(config) });
      live.add(worker);
      let listening = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening') {
          listening = true;
          resolvePromise(message.port);
        } else if (message.type === 'failed') {
          reject(new DataError(`a tracking server worker could not start: ${message.message}`));
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        if (!listening) {
          reject(
            new DataError(
              `a tracking server worker exited before it listened (${signal ?? `exit code ${code}`})`,
            ),
          );
          return;
        }
        if (shuttingDown) {
          if (live.size === 0) markClosed();
          return;
        }
        options.log(
          `tracking worker ${worker.process.pid} died (${signal ?? `exit code ${code}`}); starting a new one`,
        );
        fork().catch((error: Error) => {
          options.log(`error: ${error.message}; stopping`);
          void close();
        });
      });
    });

  let closing: Promise<void> | undefined;
  const onSignal = () => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      if (options.handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      if (live.size === 0) markClosed();
      for (const worker of live) worker.send({ type: 'shutdown' });
      const timer = setTimeout(() => {
        for (const worker of live) worker.process.kill('SIGKILL');
      }, SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
    })();
    return closing;
  };

  let sharedPort = config.port;
  try {
    // The first worker opens (and migrates) the database alone; the others then share its port.
    sharedPort = await fork();
    await Promise.all(Array.from({ length: options.workers - 1 }, () => fork()));
  } catch (error) {
    await close();
    throw error;
  }
  if (options.handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return {
    url: urlOf(config.host, sharedPort),
    host: config.host,
    port: sharedPort,
    workers: options.workers,
    close,
    closed,
  };
}

async function runWorker(config: ResolvedConfig): Promise<void> {
  const send = (message: WorkerMessage) => process.send?.(message);
  let app: FastifyInstance;
  try {
    ({ app } = await openApp(config));
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
    process.exit(1);
  }
  const shutdown = () => {
    setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS - 2000).unref();
    void app.close().then(() => process.exit(0));
  };
  // The primary decides when to stop; a Ctrl-C reaching the process group must not look like a crash.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', shutdown);
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'shutdown') shutdown();
  });
  send({ type: 'listening', port: listeningPort(app) });
}

if (cluster.isWorker && process.env[WORKER_ENV]) {
  await runWorker(JSON.parse(process.env[WORKER_ENV] as string) as ResolvedConfig);
}
