/**
 * The REST store's client behaviour against a real tracking server behind a real faulty proxy
 * (both on 127.0.0.1): retries with backoff on 5xx and connection resets, no duplicated metric
 * when a log-batch is retried after its answer was lost, metric batching, and credentials
 * from MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { BasicAuth, hashPassword, loadAuthFile } from '../../src/server/tracking/index.js';
import { RestTrackingStore } from '../../src/tracking/rest-store.js';
import { type RunningTrackingServer, startTestTrackingServer } from '../server/tracking-server-fixture.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * A proxy in front of the server. `fault` decides per request: 'pass', 'fail503' (answer 503
 * without forwarding), 'reset' (close the socket without forwarding) or 'lose' (forward, then
 * close the socket instead of answering: the write happened, the client never hears of it).
 */
async function startProxy(
  target: string,
  fault: (seen: Seen, index: number) => 'pass' | 'fail503' | 'reset' | 'lose',
) {
  const seen: Seen[] = [];
  const { port: targetPort } = new URL(target);
  const server: Server = createServer((req, res) => {
    const entry = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    seen.push(entry);
    const action = fault(entry, seen.length - 1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (action === 'fail503') {
        res
          .writeHead(503, { 'Content-Type': 'application/json' })
          .end('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}');
        return;
      }
      if (action === 'reset') {
        req.socket.destroy();
        return;
      }
      const headers = { ...req.headers, host: `127.0.0.1:${targetPort}` };
      const upstream = httpRequest(
        { host: '127.0.0.1', port: Number(targetPort), method: req.method, path: req.url, headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            if (action === 'lose') {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(body));
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy not listening');
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FAST = { maxRetries: 4, backoffFactorSeconds: 0.01, backoffJitterSeconds: 0.01, env: {} };

let server: RunningTrackingServer;
beforeAll(async () => {
  server = await startTestTrackingServer();
});
afterAll(async () => {
  await server?.close();
});

describe('REST store retries', () => {
  it('retries 5xx answers and connection resets with backoff, then succeeds', async () => {
    const proxy = await startProxy(server.url, (_seen, i) =>
      i === 0 ? 'fail503' : i === 1 ? 'reset' : 'pass',
    );
    try {
      const store = new RestTrackingStore({ uri: proxy.url, ...FAST });
      const id = await store.createExperiment('retried');
      expect((await server.store.getExperiment(id)).name).toBe('retried');
      expect(proxy.seen.length).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after MLFLOW_HTTP_REQUEST_MAX_RETRIES with the server’s error', async () => {
    const proxy = await startProxy(server.url, () => 'fail503');
    try {
      const store = new RestTrackingStore({
        uri: proxy.url,
        env: {
          MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
          MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0',
          MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0',
        },
      });
      const error = await store.getExperiment('0').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).mlflowErrorCode).toBe('TEMPORARILY_UNAVAILABLE');
      expect(proxy.seen.length).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('does not duplicate metrics when a log-batch is retried after its answer was lost', async () => {
    let lost = false;
    const proxy = await startProxy(server.url, (seen) => {
      if (!lost && seen.path.includes('/runs/log-batch')) {
        lost = true;
        return 'lose';
      }
      return 'pass';
    });
    try {
      const store = new RestTrackingStore({ uri: proxy.url, ...FAST });
      const run = await store.createRun({ experimentId: '0' });
      const metrics = Array.from({ length: 50 }, (_, step) => ({
        key: 'loss',
        value: 1 / (step + 1),
        timestamp: 1000 + step,
        step,
      }));
      await store.logBatch(run.info.run_id, {
        metrics,
        params: [{ key: 'lr', value: '0.1' }],
        tags: [{ key: 't', value: 'v' }],
      });
      expect(proxy.seen.filter((s) => s.path.includes('/runs/log-batch')).length).toBe(2);
      const history = await server.store.getMetricHistory(run.info.run_id, 'loss');
      expect(history.length).toBe(50);
      expect((await server.store.getRun(run.info.run_id)).data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    } finally {
      await proxy.close();
    }
  });
});

describe('REST store batching', () => {
  it('sends metrics logged together as one log-batch request, and each call still gets its own error', async () => {
    const proxy = await startProxy(server.url, () => 'pass');
    try {
      const store = new RestTrackingStore({ uri: proxy.url, ...FAST });
      const run = await store.createRun({ experimentId: '0' });
      const before = proxy.seen.length;
      await Promise.all(
        Array.from({ length: 250 }, (_, step) =>
          store.logMetric(run.info.run_id, { key: 'acc', value: step, timestamp: 1, step }),
        ),
      );
      const requests = proxy.seen.slice(before);
      expect(requests.map((r) => r.path)).toEqual(['/api/2.0/mlflow/runs/log-batch']);
      expect((await server.store.getMetricHistory(run.info.run_id, 'acc')).length).toBe(250);

      const error = await store
        .logMetric('0123456789abcdef0123456789abcdef', { key: 'x', value: 1, timestamp: 1, step: 0 })
        .catch((caught: unknown) => caught);
      expect((error as StoreError).mlflowErrorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    } finally {
      await proxy.close();
    }
  });
});

describe('REST store credentials', () => {
  let authed: RunningTrackingServer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-rest-auth-'));
    const file = join(dir, 'auth.yaml');
    writeFileSync(
      file,
      `users:\n  - {username: ci, password_hash: "${await hashPassword('pw')}", is_admin: true}\n`,
    );
    authed = await startTestTrackingServer({ auth: new BasicAuth(loadAuthFile(file)) });
  });
  afterAll(async () => {
    await authed?.close();
  });

  it('sends MLFLOW_TRACKING_USERNAME/PASSWORD as basic auth, and says what to set when refused', async () => {
    const ok = new RestTrackingStore({
      uri: authed.url,
      env: { MLFLOW_TRACKING_USERNAME: 'ci', MLFLOW_TRACKING_PASSWORD: 'pw' },
      maxRetries: 0,
    });
    expect((await ok.getExperiment('0')).name).toBe('Default');
    const anonymous = new RestTrackingStore({ uri: authed.url, env: {}, maxRetries: 0 });
    const error = (await anonymous.getExperiment('0').catch((caught: unknown) => caught)) as StoreError;
    expect(error.mlflowErrorCode).toBe('UNAUTHENTICATED');
    expect(error.hint).toContain('MLFLOW_TRACKING_USERNAME');
  });

  it('sends MLFLOW_TRACKING_TOKEN as a bearer token', async () => {
    const proxy = await startProxy(server.url, () => 'pass');
    try {
      const store = new RestTrackingStore({
        uri: proxy.url,
        env: { MLFLOW_TRACKING_TOKEN: 'tok123' },
        maxRetries: 0,
      });
      await store.getExperiment('0');
      expect(proxy.seen[0]?.headers.authorization).toBe('Bearer tok123');
    } finally {
      await proxy.close();
    }
  });
});
