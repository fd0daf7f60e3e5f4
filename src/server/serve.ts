/**
 * `recipe models serve`: the scoring server on a port, in this process (one worker) or in
 * `node:cluster` workers that share the port (each loads the model; the primary replaces a worker
 * that crashes). SIGTERM and SIGINT close the listeners and let requests in flight finish.
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../errors.js';
import { loadModel } from '../models/load.js';
import { inProcessHandle, runClusterWorker, type ServerHandle, startCluster } from './cluster.js';
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
  /**
   * Run the serving processes with V8's `--optimize-for-size` (default false: it is process-wide,
   * so a library caller decides; `recipe models serve` sets it). A burst of large hostile bodies
   * (1 MB strings, 20,000-key records, 5,000-row payloads) otherwise leaves V8 holding 40–60 MB
   * more heap than the server needs (bench/serve-fuzz, BENCHMARKS.md); with it, 13–27 MB.
   */
  optimizeForSize?: boolean;
}

export interface ServingHandle extends ServerHandle {
  /** The local model directory being served. */
  modelDir: string;
}

/** The scoring server's limits, as given. */
interface Limits {
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
}

/** Settings a cluster worker reads from its environment. */
interface WorkerConfig extends Limits {
  modelDir: string;
  host: string;
  port: number;
}

const WORKER_ENV = 'MLRECIPE_SCORING_WORKER';

/** V8's flag for a smaller heap (smaller young generation, slower heap growth). */
const OPTIMIZE_FOR_SIZE = '--optimize-for-size';

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
  const handleSignals = options.handleSignals ?? false;
  // Before the model and fastify load, so that V8 sizes what they allocate with it.
  if (options.optimizeForSize && workers === 1) setFlagsFromString(OPTIMIZE_FOR_SIZE);
  const { loadModelFromUri } = await import('../registry/model-uri.js');
  // Loaded here even with workers: a broken model fails once, clearly, before any fork.
  const model = await loadModelFromUri(options.modelUri, {
    ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
  });
  const limits: Limits = {
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  };
  if (workers === 1) {
    const app = createScoringServer({ model, ...limits });
    await app.listen({ host, port });
    const handle = inProcessHandle(app, { host, handleSignals, graceMs: SHUTDOWN_GRACE_MS });
    return { ...handle, modelDir: model.dir };
  }
  const config: WorkerConfig = { modelDir: model.dir, host, port, ...limits };
  const handle = await startCluster({
    workerFile: fileURLToPath(import.meta.url),
    workerEnv: WORKER_ENV,
    config,
    workers,
    label: 'scoring worker',
    graceMs: SHUTDOWN_GRACE_MS,
    handleSignals,
    log,
    ...(options.optimizeForSize ? { workerNodeFlags: [OPTIMIZE_FOR_SIZE] } : {}),
  });
  return { ...handle, modelDir: model.dir };
}

/** How long requests in flight may take to finish once the server is closing. */
const SHUTDOWN_GRACE_MS = 10_000;

/** A cluster worker: load the model and serve it. */
function runWorker({ modelDir, host, port, ...limits }: WorkerConfig): Promise<void> {
  return runClusterWorker(
    async () => createScoringServer({ model: await loadModel(modelDir), ...limits }),
    { host, port },
    SHUTDOWN_GRACE_MS,
  );
}

if (cluster.isWorker && process.env[WORKER_ENV]) {
  const config = JSON.parse(process.env[WORKER_ENV] as string) as WorkerConfig;
  await runWorker(config);
}
