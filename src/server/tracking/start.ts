/**
 * `recipe server` / `recipe ui`: opens the backend store, builds the tracking app and listens —
 * in this process (one worker) or in `node:cluster` workers sharing the port, each with its own
 * store connection (SQLite in WAL mode or PostgreSQL take concurrent writers). SIGTERM and SIGINT
 * stop accepting connections and let requests in flight finish before the store closes.
 */
import cluster from 'node:cluster';
import { hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../errors.js';
import { registryForTrackingStore } from '../../registry/index.js';
import { openTrackingStore, type TrackingStore } from '../../tracking/index.js';
import { buildTrackingApp, DEFAULT_ALLOWED_HOSTS } from './app.js';
import { BasicAuth } from './auth.js';
import { inProcessHandle, runClusterWorker, type ServerHandle, startCluster } from '../cluster.js';

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

export type TrackingServerHandle = ServerHandle;

const WORKER_ENV = 'MLRECIPE_TRACKING_WORKER';
const SHUTDOWN_GRACE_MS = 15_000;

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
  if (options.artifactsDestination !== undefined && /^[a-z][a-z0-9+.-]+:/i.test(options.artifactsDestination)) {
    // The proxy stores what it is sent in a directory; an object store is a root clients reach.
    throw new UsageError(
      `--artifacts-destination ${options.artifactsDestination} is not a directory; the server's artifact proxy keeps artifacts on its own disk`,
      {
        hint: `to keep artifacts in an object store, give it as --default-artifact-root ${options.artifactsDestination} --no-serve-artifacts: clients then read and write it directly`,
      },
    );
  }
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
    // A server's commits should not wait for WAL checkpoints (SQLite; ignored by PostgreSQL).
    backgroundCheckpoint: true,
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
    return inProcessHandle(app, { host: config.host, handleSignals, graceMs: SHUTDOWN_GRACE_MS });
  }
  return startCluster({
    workerFile: fileURLToPath(import.meta.url),
    workerEnv: WORKER_ENV,
    config,
    workers,
    label: 'tracking worker',
    graceMs: SHUTDOWN_GRACE_MS,
    handleSignals,
    log,
  });
}

if (cluster.isWorker && process.env[WORKER_ENV]) {
  const config = JSON.parse(process.env[WORKER_ENV] as string) as ResolvedConfig;
  await runClusterWorker(async () => (await openApp(config)).app, config, SHUTDOWN_GRACE_MS);
}
