/**
 * A real S3-compatible server for tests (s3rver, on 127.0.0.1 port 0, files in a temporary
 * directory), and a TCP proxy in front of it that can drop connections, so the S3 client's
 * retries are tested against real broken connections rather than mocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** The environment an S3 client needs for this server (path-style, fixed keys). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'mlrecipe'): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'mlrecipe-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: s3Env(endpoint),
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** s3rver's built-in keys (it checks signatures) and the endpoint. */
export function s3Env(endpoint: string): Record<string, string> {
  return {
    MLFLOW_S3_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
  };
}

/** What the proxy does with the next connection it accepts. */
export type ProxyFault =
  /** reset the connection before any byte reaches the server */
  | { kind: 'reset' }
  /** pass the request, then reset once the server has sent more than `bytes` bytes back */
  | { kind: 'cut-after'; bytes: number };

export interface FaultyProxy {
  endpoint: string;
  /** Faults for the next connections, in order; later connections pass through. */
  faults: ProxyFault[];
  /** Connections accepted, and faults applied, so far. */
  readonly stats: { connections: number; resets: number; cuts: number };
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const url = new URL(target);
  const stats = { connections: 0, resets: 0, cuts: 0 };
  const sockets = new Set<Socket>();
  const proxy: FaultyProxy = { endpoint: '', faults: [], stats, close: async () => undefined };
  const server: Server = createServer((client) => {
    stats.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const fault = proxy.faults.shift();
    if (fault?.kind === 'reset') {
      stats.resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: url.hostname, port: Number(url.port) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let sent = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (fault?.kind === 'cut-after' && sent + chunk.length > fault.bytes) {
        client.write(chunk.subarray(0, Math.max(0, fault.bytes - sent)));
        stats.cuts++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      sent += chunk.length;
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  proxy.endpoint = `http://127.0.0.1:${address.port}`;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  };
  return proxy;
}
