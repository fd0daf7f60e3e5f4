/**
 * What the scoring server and the tracking server share: listening in this process or in
 * `node:cluster` workers that share one port, replacing a worker that dies, and stopping on
 * SIGTERM/SIGINT while requests in flight finish (a worker still busy after the grace period is
 * killed). Each server keeps only what differs: how a worker opens its app.
 */
import cluster, { type Worker } from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { DataError } from '../errors.js';

/** A listening server, in this process or in cluster workers. */
export interface ServerHandle {
  /** `http://host:port` (127.0.0.1 shown for a wildcard host). */
  url: string;
  host: string;
  port: number;
  workers: number;
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by close() or a signal). */
  readonly closed: Promise<void>;
}

/** Message a cluster worker sends the primary. */
type WorkerMessage = { type: 'listening'; port: number } | { type: 'failed'; message: string };

export function urlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

export function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  return address.port;
}

/** A close() that runs once, a `closed` promise, and (optionally) SIGTERM/SIGINT calling close(). */
function closer(
  stop: () => Promise<void>,
  handleSignals: boolean,
): { close: () => Promise<void>; closed: Promise<void>; markClosed: () => void } {
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const onSignal = () => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      await stop();
    })();
    return closing;
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { close, closed, markClosed };
}

export interface InProcessOptions {
  host: string;
  handleSignals: boolean;
  /** A client that stalls mid-request is cut off after this many ms of closing. */
  graceMs: number;
}

/** The handle of an app listening in this process. */
export function inProcessHandle(app: FastifyInstance, options: InProcessOptions): ServerHandle {
  const port = listeningPort(app);
  const { close, closed, markClosed } = closer(async () => {
    const timer = setTimeout(() => app.server.closeAllConnections(), options.graceMs);
    await app.close();
    clearTimeout(timer);
    markClosed();
  }, options.handleSignals);
  return { url: urlOf(options.host, port), host: options.host, port, workers: 1, close, closed };
}

export interface ClusterOptions {
  /** The module the workers run: it calls `runClusterWorker` when `process.env[workerEnv]` is set. */
  workerFile: string;
  /** The environment variable carrying `config` (JSON) to each worker. */
  workerEnv: string;
  /** Settings each worker reads; `host` and `port` are where they listen. */
  config: { host: string; port: number };
  workers: number;
  /** What a worker is called in messages: "scoring worker", "tracking worker". */
  label: string;
  /** How long the primary waits for workers to finish their requests before it kills them. */
  graceMs: number;
  handleSignals: boolean;
  log: (line: string) => void;
  /** Node/V8 flags for each worker process, after the primary's own (e.g. `--optimize-for-size`). */
  workerNodeFlags?: readonly string[];
}

/** Forks `workers` cluster workers sharing one port; resolves once every one listens. */
export async function startCluster(options: ClusterOptions): Promise<ServerHandle> {
  const { config, label, log } = options;
  // Under tsx (tests, `tsx src/...`) the worker runs a .ts file and needs the same loader.
  const flags = [...process.execArgv, ...(options.workerNodeFlags ?? [])];
  const execArgv = options.workerFile.endsWith('.ts') ? ['--import', 'tsx', ...flags] : flags;
  cluster.setupPrimary({ exec: options.workerFile, execArgv, args: [] });
  const live = new Set<Worker>();
  let shuttingDown = false;
  let sharedPort = config.port;

  const { close, closed, markClosed } = closer(async () => {
    shuttingDown = true;
    if (live.size === 0) markClosed();
    for (const worker of live) worker.send({ type: 'shutdown' });
    const timer = setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL');
    }, options.graceMs);
    await closed;
    clearTimeout(timer);
  }, false);

  // Every worker asks for the configured port, 0 included: the cluster shares one listening handle
  // per (host, port) key, so workers asking for port 0 all get the same free port.
  const fork = (): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const worker = cluster.fork({ [options.workerEnv]: JSON.stringify(config) });
      live.add(worker);
      let listening = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening') {
          listening = true;
          log(`${label} ${worker.process.pid} listening`);
          resolve(message.port);
        } else if (message.type === 'failed') {
          reject(new DataError(`a ${label} could not start: ${message.message}`));
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        const how = signal ?? `exit code ${code}`;
        if (!listening) {
          reject(new DataError(`a ${label} exited before it listened (${how})`));
          return;
        }
        if (shuttingDown) {
          if (live.size === 0) markClosed();
          return;
        }
        log(`${label} ${worker.process.pid} died (${how}); starting a new one`);
        fork().then(
          (port) => {
            if (port !== sharedPort) log(`the replacement worker listens on port ${port}, not ${sharedPort}`);
          },
          (error: Error) => {
            log(`error: ${error.message}; stopping`);
            void close();
          },
        );
      });
    });

  try {
    // The first worker starts alone (the tracking server's opens and migrates the database);
    // the others then share its port.
    sharedPort = await fork();
    await Promise.all(Array.from({ length: options.workers - 1 }, () => fork()));
  } catch (error) {
    await close();
    throw error;
  }
  const handle = closer(close, options.handleSignals);
  return {
    url: urlOf(config.host, sharedPort),
    host: config.host,
    port: sharedPort,
    workers: options.workers,
    close: handle.close,
    closed,
  };
}

/**
 * The body of a cluster worker: open the app, listen where the primary said, report the port,
 * and close (requests in flight finish) when the primary says so or on SIGTERM.
 */
export async function runClusterWorker(
  open: () => Promise<FastifyInstance>,
  listen: { host: string; port: number },
  graceMs: number,
): Promise<void> {
  const send = (message: WorkerMessage) => process.send?.(message);
  let app: FastifyInstance;
  try {
    app = await open();
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
    process.exit(1);
  }
  const shutdown = () => {
    // Before the primary's SIGKILL, so the store closes cleanly even with a stalled client.
    setTimeout(() => app.server.closeAllConnections(), Math.max(0, graceMs - 2000)).unref();
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
