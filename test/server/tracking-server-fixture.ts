/**
 * A real tracking server on 127.0.0.1 and a free port over a fresh SQLite database in a temp
 * directory, for the REST API tests and the REST store's behavioural suites.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { registryForTrackingStore, type SqlModelRegistryStore } from '../../src/registry/index.js';
import { buildTrackingApp, type TrackingAppOptions } from '../../src/server/tracking/index.js';
import { openSqliteTrackingStore } from '../../src/tracking/sqlite-store.js';
import type { TrackingStore } from '../../src/tracking/types.js';

export interface RunningTrackingServer {
  url: string;
  port: number;
  dir: string;
  /** The store behind the server (for checking what the API wrote). */
  store: TrackingStore;
  registry: SqlModelRegistryStore;
  artifactsDestination: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<TrackingAppOptions, 'store' | 'registry' | 'artifacts'>> {
  serveArtifacts?: boolean;
  /** Default `mlflow-artifacts:/` (MLflow 2.x's default when proxying). */
  defaultArtifactRoot?: string;
}

export async function startTestTrackingServer(options: StartOptions = {}): Promise<RunningTrackingServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-server-'));
  const artifactsDestination = join(dir, 'mlartifacts');
  const store = await openSqliteTrackingStore({
    path: join(dir, 'tracking.db'),
    defaultArtifactRoot: options.defaultArtifactRoot ?? 'mlflow-artifacts:/',
  });
  const registry = registryForTrackingStore(store);
  const { serveArtifacts, defaultArtifactRoot: _root, ...rest } = options;
  const app = buildTrackingApp({
    store,
    registry,
    artifacts: { serveArtifacts: serveArtifacts ?? true, destination: artifactsDestination },
    ui: false,
    ...rest,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    dir,
    store,
    registry,
    artifactsDestination,
    app,
    async close() {
      // Teardown runs after every request has been answered; a keep-alive socket that the
      // client still holds (an unread response body) would keep a graceful close waiting
      // forever here, where `recipe server` cuts it after its 15 s grace.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** Calls the API the way MLflow's clients do: GET with a query string, else a JSON body. */
export async function api(
  server: { url: string },
  method: string,
  path: string,
  args: Record<string, unknown> = {},
  init: { headers?: Record<string, string>; prefix?: string } = {},
): Promise<ApiResponse> {
  const prefix = init.prefix ?? '/api/2.0/mlflow';
  let url = `${server.url}${prefix}${path}`;
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (method === 'GET') {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(args)) {
      for (const each of Array.isArray(value) ? value : [value]) query.append(key, String(each));
    }
    const text = query.toString();
    if (text) url += `?${text}`;
  } else {
    body = JSON.stringify(args);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
