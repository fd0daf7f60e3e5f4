/**
 * `recipe models serve`: the scoring server on a port, in this process (one worker) or in
 * `node:cluster` workers that share the port (each loads the model; the primary replaces a worker
 * that crashes). SIGTERM and SIGINT close the listeners and let requests in flight finish.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { DataError, UsageError } from '../errors.js';
import { loadModel } from '../models/load.js';
import { createScoringServer } from './scoring-server.js';

export interface ServeModelOptions {
  /** A model directory, `file:` URI, or `runs:/` / `models:/` URI. */
  modelUri: string;
  /** Default 127.0.0.1 (MLflow's default); use 0.0.0.0 to accept other machines. */
  host?: string;
  /** Default 5001 (MLflow's default); 0 picks a free port. */
  port?: number;
  /** Processes serving requests (default 1: this process). */
  workers?: number;
  /** Tracking URI for `runs:/` and `models:/` model URIs. */
  trackingUri?: string;
  /** Largest request body in bytes (default: the scoring server's). */
  maxBodyBytes?: number;
  /** Time a client has to send a whole request, in ms (default: the scoring server's 30 s). */
  requestTimeoutMs?: number;
  /** Close on SIGTERM/SIGINT (the CLI sets it; library callers close the handle themselves). */
  handleSignals?: boolean;
  /** Status lines (worker restarts, shutdown); default: stderr. */
  log?: (line: string) => void;
}

export interface ServingHandle {
  /** `http://host:port` */
  url: string;
  host: string;
  port: number;
  /** The local model directory being served. */
  modelDir: string;
  workers: number;
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by close() or a signal). */
  readonly closed: Promise<void>;
}

/** Message a cluster worker sends the primary. */
type WorkerMessage = { type: 'listening'; port: number } | { type: 'failed'; message: string };

/** Settings a cluster worker reads from its environment. */
interface WorkerConfig {
  modelDir: string;
  host: string;
  port: number;
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
}

const WORKER_ENV = 'MLRECIPE_SCORING_WORKER';

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function checkOptions(options: ServeModelOptions): { host: string; port: number; workers: number } {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5001;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not ${port}`);
  }
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new UsageError(`--workers must be a whole number from 1 to 256, not ${workers}`);
  }
  return { host, port, workers };
}

/** Loads the model and serves it; resolves once every worker listens. */
export async function serveModel(options: ServeModelOptions): Promise<ServingHandle> {
  const { host, port, workers } = checkOptions(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { loadModelFromUri } = await import('../registry/model-uri.js');
  // Loaded here even with workers: a broken model fails once, clearly, before any fork.
  const model = await loadModelFromUri(options.modelUri, {
    ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
  });
  if (workers === 1) {
    const app = createScoringServer({
      model,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
    await app.listen({ host, port });
    return inProcessHandle(app, { host, modelDir: model.dir, handleSignals: options.handleSignals ?? false });
  }
  return clusterHandle(
    {
      modelDir: model.dir,
      host,
      port,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    },
    { workers, log, handleSignals: options.handleSignals ?? false },
  );
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the scoring server is not listening on TCP');
  return address.port;
}

function inProcessHandle(
  app: FastifyInstance,
  options: { host: string; modelDir: string; handleSignals: boolean },
): ServingHandle {
  const port = listeningPort(app);
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const onSignal = () => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (options.handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      await app.close();
      markClosed();
    })();
    return closing;
  };
  if (options.handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return {
    url: urlOf(options.host, port),
    host: options.host,
    port,
    modelDir: options.modelDir,
    workers: 1,
    close,
    closed,
  };
}

/** How long the primary waits for workers to finish their requests before it kills them. */
const SHUTDOWN_GRACE_MS = 10_000;

async function clusterHandle(
  config: WorkerConfig,
  options: { workers: number; log: (line: string) => void; handleSignals: boolean },
): Promise<ServingHandle> {
  const thisFile = fileURLToPath(import.meta.url);
  // Under tsx (tests, `tsx src/...`) the worker runs this .ts file and needs the same loader.
  const execArgv = thisFile.endsWith('.ts') ? ['--import', 'tsx', ...process.execArgv] : process.execArgv;
  cluster.setupPrimary({ exec: thisFile, execArgv, args: [] });

  const live = new Set<Worker>();
  let shuttingDown = false;
  let sharedPort = config.port;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  const fork = (): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      // Every worker asks for the configured port, 0 included: the cluster shares one listening
      // handle per (host, port) key, so workers asking for port 0 all get the same free port.
      const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(config) });
      live.add(worker);
      let listening = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening') {
          listening = true;
          options.log(`scoring worker ${worker.process.pid} listening`);
          resolve(message.port);
        } else if (message.type === 'failed') {
          reject(new DataError(`a scoring worker could not start: ${message.message}`));
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        if (!listening) {
          reject(
            new DataError(`a scoring worker exited before it listened (${signal ?? `exit code ${code}`})`),
          );
          return;
        }
        if (shuttingDown) {
          if (live.size === 0) markClosed();
          return;
        }
        options.log(
          `scoring worker ${worker.process.pid} died (${signal ?? `exit code ${code}`}); starting a new one`,
        );
        fork().then(
          (port) => {
            if (port !== sharedPort)
              options.log(`the replacement worker listens on port ${port}, not ${sharedPort}`);
          },
          (error: Error) => {
            options.log(`error: ${error.message}; stopping`);
            void close();
          },
        );
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

  try {
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
    modelDir: config.modelDir,
    workers: options.workers,
    close,
    closed,
  };
}

/** A cluster worker: load the model, listen, report the port, close when the primary says so. */
async function runWorker(config: WorkerConfig): Promise<void> {
  const send = (message: WorkerMessage) => process.send?.(message);
  let app: FastifyInstance;
  try {
    const model = await loadModel(config.modelDir);
    app = createScoringServer({
      model,
      ...(config.maxBodyBytes !== undefined ? { maxBodyBytes: config.maxBodyBytes } : {}),
      ...(config.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
    process.exit(1);
  }
  const shutdown = () => {
    void app.close().then(() => process.exit(0));
  };
  // Ctrl-C reaches the whole process group; the primary decides, so that a stopping server's
  // workers are not mistaken for crashed ones and restarted.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', shutdown);
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'shutdown') shutdown();
  });
  send({ type: 'listening', port: listeningPort(app) });
}

if (cluster.isWorker && process.env[WORKER_ENV]) {
  const config = JSON.parse(process.env[WORKER_ENV] as string) as WorkerConfig;
  await runWorker(config);
}
