/**
 * Artifacts through a tracking server's artifact proxy (HttpArtifactRepository), against a real
 * server on 127.0.0.1 whose `--artifacts-destination` is a directory of its own: uploads,
 * listings and downloads match the files, large files stream both ways, and paths that would
 * escape (from the caller or from a hostile server) are refused.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import {
  artifactRepositoryForUri,
  HttpArtifactRepository,
  LocalArtifactRepository,
  proxiedArtifactLocation,
  RestTrackingStore,
} from '../../src/tracking/index.js';
import { type RunningTrackingServer, startTestTrackingServer } from '../server/tracking-server-fixture.js';

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected a StoreError');
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

describe('proxiedArtifactLocation', () => {
  it.each([
    [
      'mlflow-artifacts:/1/abc/artifacts',
      'http://127.0.0.1:5000',
      'http://127.0.0.1:5000',
      '1/abc/artifacts',
    ],
    [
      'mlflow-artifacts:/1/abc/artifacts',
      'https://t.example/mlflow/',
      'https://t.example/mlflow',
      '1/abc/artifacts',
    ],
    ['mlflow-artifacts://other:9/x/y', 'https://t.example', 'https://other:9', 'x/y'],
    ['mlflow-artifacts:/', 'http://h:1', 'http://h:1', ''],
    ['mlflow-artifacts:/models/a%2520b/1', 'http://h:1', 'http://h:1', 'models/a%20b/1'],
    ['http://h:1/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts', undefined, 'http://h:1', '0/r/artifacts'],
  ])('%s with tracking URI %s', (uri, trackingUri, baseUrl, rootPath) => {
    expect(proxiedArtifactLocation(uri, trackingUri)).toEqual({ baseUrl, rootPath });
  });

  it('answers undefined for other URIs and refuses mlflow-artifacts:/ without a server', () => {
    expect(proxiedArtifactLocation('http://h:1/some/files', undefined)).toBeUndefined();
    expect(proxiedArtifactLocation('/abs/path', undefined)).toBeUndefined();
    expect(() => proxiedArtifactLocation('mlflow-artifacts:/1/r', 'sqlite:///x.db')).toThrow(/names no http/);
    expect(() => artifactRepositoryForUri('gs://bucket/x')).toThrow(/"gs:" scheme/);
  });
});

describe('artifacts through the proxy of a real tracking server', () => {
  let server: RunningTrackingServer;
  let store: RestTrackingStore;
  let work: string;

  beforeAll(async () => {
    server = await startTestTrackingServer();
    store = new RestTrackingStore({ uri: server.url, env: {}, maxRetries: 0 });
    work = mkdtempSync(join(tmpdir(), 'mlrecipe-http-artifacts-'));
  });
  afterAll(async () => {
    await store?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('uploads, lists and downloads a run’s files; they land under the server’s destination', async () => {
    const run = await store.createRun({ experimentId: '0' });
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
    const repo = artifactRepositoryForUri(run.info.artifact_uri, { trackingUri: server.url });
    expect(repo).toBeInstanceOf(HttpArtifactRepository);

    const src = join(work, 'src');
    mkdirSync(join(src, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(src, 'MLmodel'), 'flavors: {}\n');
    writeFileSync(join(src, 'sub', 'a b.json'), '{"x": 1}');
    writeFileSync(join(src, 'sub', 'deeper', 'c.txt'), 'c');
    writeFileSync(join(work, 'note.txt'), 'hello');
    await repo.logArtifacts(src, 'model');
    await repo.logArtifact(join(work, 'note.txt'));

    // What the server holds is exactly what LocalArtifactRepository sees in its destination.
    const onServer = new LocalArtifactRepository(
      join(server.artifactsDestination, '0', run.info.run_id, 'artifacts'),
    );
    expect(await repo.listArtifacts()).toEqual(await onServer.listArtifacts());
    expect(await repo.listArtifacts('model/sub')).toEqual([
      { path: 'model/sub/a b.json', is_dir: false, file_size: 8 },
      { path: 'model/sub/deeper', is_dir: true },
    ]);

    const dst = join(work, 'dst');
    const modelDir = await repo.downloadArtifacts('model', dst);
    expect(modelDir).toBe(join(dst, 'model'));
    expect(readFileSync(join(modelDir, 'sub', 'a b.json'), 'utf8')).toBe('{"x": 1}');
    expect(readFileSync(join(modelDir, 'sub', 'deeper', 'c.txt'), 'utf8')).toBe('c');
    expect(readFileSync(await repo.downloadArtifacts('note.txt', dst), 'utf8')).toBe('hello');
    // No temporary files are left behind.
    expect(readdirSync(join(modelDir, 'sub')).sort()).toEqual(['a b.json', 'deeper']);

    expect((await storeError(repo.downloadArtifacts('missing.txt', dst))).mlflowErrorCode).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    await repo.deleteArtifacts('note.txt');
    expect((await repo.listArtifacts()).map((f) => f.path)).toEqual(['model']);
  });

  it('streams a large file up and down unchanged', async () => {
    const run = await store.createRun({ experimentId: '0' });
    const repo = artifactRepositoryForUri(run.info.artifact_uri, { trackingUri: server.url });
    const big = join(work, 'big.bin');
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
    writeFileSync(big, Buffer.concat(Array.from({ length: 48 }, () => chunk)));
    await repo.logArtifact(big, 'data');
    const [listed] = await repo.listArtifacts('data');
    expect(listed).toEqual({ path: 'data/big.bin', is_dir: false, file_size: 48 << 20 });
    const back = await repo.downloadArtifacts('data/big.bin', join(work, 'big-back'));
    expect(await sha256(back)).toBe(await sha256(big));
  });

  it('refuses artifact paths that leave the root, and links that lead out of a logged directory', async () => {
    const run = await store.createRun({ experimentId: '0' });
    const repo = artifactRepositoryForUri(run.info.artifact_uri, { trackingUri: server.url });
    writeFileSync(join(work, 'x.txt'), 'x');
    for (const bad of ['../other', '/etc', 'a/../../b']) {
      expect((await storeError(repo.logArtifact(join(work, 'x.txt'), bad))).mlflowErrorCode).toBe(
        'INVALID_PARAMETER_VALUE',
      );
      expect((await storeError(repo.downloadArtifacts(bad, join(work, 'esc')))).mlflowErrorCode).toBe(
        'INVALID_PARAMETER_VALUE',
      );
    }
    const linked = join(work, 'linked');
    mkdirSync(linked);
    writeFileSync(join(linked, 'ok.txt'), 'ok');
    symlinkSync('/etc/hostname', join(linked, 'out'));
    const refused = await storeError(repo.logArtifacts(linked));
    expect(refused.message).toMatch(/outside/);
    // Refused before anything was sent.
    expect(await repo.listArtifacts()).toEqual([]);
  });
});

describe('a hostile artifact server', () => {
  let hostile: Server;
  let url: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mlrecipe-hostile-'));
    hostile = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x');
      if (target.pathname === '/api/2.0/mlflow-artifacts/artifacts') {
        const path = target.searchParams.get('path') ?? '';
        // The root lists a directory named "..": following it would write beside the destination.
        const files = path === 'run' ? [{ path: '..', is_dir: true }] : [];
        response.setHeader('Content-Type', 'application/json');
        response.end(JSON.stringify({ files }));
        return;
      }
      response.statusCode = 200;
      response.end('owned');
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const address = hostile.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => hostile?.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses a listed name that is not one plain path segment and writes nothing', async () => {
    const repo = artifactRepositoryForUri('mlflow-artifacts:/run', { trackingUri: url, env: {} });
    const dst = join(work, 'dst');
    const error = await storeError(repo.downloadArtifacts('', dst));
    expect(error.message).toMatch(/unsafe name/);
    expect(existsSync(join(work, 'owned'))).toBe(false);
    expect(readdirSync(work)).toEqual(['dst']);
  });
});
