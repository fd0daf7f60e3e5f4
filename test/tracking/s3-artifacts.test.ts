/**
 * The S3 artifact repository against a real S3-compatible server (s3rver on 127.0.0.1), with
 * MLflow's layout and semantics, and its retries against real dropped connections: a proxy in
 * front of the server resets a connection before the request, or cuts a download mid-body.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrackingServer } from '../../src/server/tracking/start.js';
import {
  artifactRepositoryForUri,
  makeS3Client,
  parseS3Uri,
  RestTrackingStore,
  S3ArtifactRepository,
} from '../../src/tracking/index.js';
import {
  type FaultyProxy,
  type LocalS3,
  s3Env,
  startFaultyProxy,
  startLocalS3,
} from '../helpers/s3-server.js';

describe('parseS3Uri', () => {
  it.each([
    ['s3://b', 'b', ''],
    ['s3://b/', 'b', ''],
    ['s3://b/0/run/artifacts', 'b', '0/run/artifacts'],
    ['s3://b//x/', 'b', 'x'],
  ])('%s', (uri, bucket, prefix) => {
    expect(parseS3Uri(uri)).toEqual({ bucket, prefix });
  });

  it('refuses what is not an S3 URI, and a malformed endpoint or upload setting', async () => {
    expect(() => parseS3Uri('s3:/b')).toThrow(/not an S3 URI/);
    await expect(makeS3Client({ MLFLOW_S3_ENDPOINT_URL: 'not a url' })).rejects.toThrow(
      /MLFLOW_S3_ENDPOINT_URL/,
    );
    expect(
      () => new S3ArtifactRepository('s3://b/x', { env: { MLFLOW_S3_UPLOAD_EXTRA_ARGS: '[1]' } }),
    ).toThrow(/MLFLOW_S3_UPLOAD_EXTRA_ARGS/);
  });
});

describe('artifacts in a real S3-compatible server', () => {
  let s3: LocalS3;
  let dir: string;

  beforeAll(async () => {
    s3 = await startLocalS3();
    dir = mkdtempSync(join(tmpdir(), 'mlrecipe-s3-test-'));
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs, lists, downloads and deletes with MLflow layout, path-style keys under the root', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'model', 'sub'), { recursive: true });
    mkdirSync(join(src, 'empty'), { recursive: true });
    writeFileSync(join(src, 'model', 'MLmodel'), 'flavors: {}\n');
    writeFileSync(join(src, 'model', 'sub', 'weights.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(join(dir, 'metrics.json'), '{"rmse": 1}');
    writeFileSync(join(dir, 'modelx'), 'a sibling whose name starts like model');
    const uri = `s3://${s3.bucket}/1/run-a/artifacts`;
    const repo = artifactRepositoryForUri(uri, { env: s3.env });
    expect(repo).toBeInstanceOf(S3ArtifactRepository);
    await repo.logArtifacts(src);
    await repo.logArtifact(join(dir, 'metrics.json'), 'eval');
    await repo.logArtifact(join(dir, 'modelx'));

    expect(await repo.listArtifacts()).toEqual([
      { path: 'empty', is_dir: true },
      { path: 'eval', is_dir: true },
      { path: 'model', is_dir: true },
      { path: 'modelx', is_dir: false, file_size: 38 },
    ]);
    expect(await repo.listArtifacts('model')).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 12 },
      { path: 'model/sub', is_dir: true },
    ]);
    expect(await repo.listArtifacts('empty')).toEqual([]);
    expect(await repo.listArtifacts('nothing')).toEqual([]);

    // The keys are the artifact paths under the root's prefix, in the bucket (path-style).
    const client = await makeS3Client(s3.env);
    const keys = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: '1/' }));
    expect((keys.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      '1/run-a/artifacts/empty/',
      '1/run-a/artifacts/eval/metrics.json',
      '1/run-a/artifacts/model/MLmodel',
      '1/run-a/artifacts/model/sub/weights.bin',
      '1/run-a/artifacts/modelx',
    ]);

    const out = join(dir, 'out');
    const tree = await repo.downloadArtifacts('model', out);
    expect(tree).toBe(join(out, 'model'));
    expect(readFileSync(join(tree, 'sub', 'weights.bin'))).toEqual(Buffer.from([1, 2, 3]));
    const file = await repo.downloadArtifacts('eval/metrics.json', join(dir, 'out2'));
    expect(readFileSync(file, 'utf8')).toBe('{"rmse": 1}');
    await expect(repo.downloadArtifacts('missing.txt', join(dir, 'out3'))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });

    await repo.deleteArtifacts('model');
    expect((await repo.listArtifacts()).map((f) => f.path)).toEqual(['empty', 'eval', 'modelx']);
    await repo.deleteArtifacts();
    expect(await repo.listArtifacts()).toEqual([]);
  });

  it('names the failure and what to check: an unknown access key, a missing bucket', async () => {
    writeFileSync(join(dir, 'f.txt'), 'x');
    const wrongKeys = new S3ArtifactRepository(`s3://${s3.bucket}/x`, {
      env: { ...s3.env, AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_MAX_ATTEMPTS: '1' },
    });
    await expect(wrongKeys.logArtifact(join(dir, 'f.txt'))).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringMatching(/InvalidAccessKeyId/),
    });
    const noBucket = new S3ArtifactRepository('s3://no-such-bucket/x', { env: s3.env });
    await expect(noBucket.listArtifacts()).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('a tracking server with an s3:// default artifact root hands it to runs and lists them from S3', async () => {
    await expect(
      startTrackingServer({
        backendStoreUri: `sqlite:///${join(dir, 'refused.db')}`,
        artifactsDestination: `s3://${s3.bucket}/x`,
        port: 0,
        handleSignals: false,
      }),
    ).rejects.toMatchObject({
      hint: expect.stringMatching(/--default-artifact-root s3:\/\/.* --no-serve-artifacts/),
    });
    // The server lists with the S3 settings of its own environment, as MLflow's does.
    const saved = Object.fromEntries(Object.keys(s3.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, s3.env);
    const server = await startTrackingServer({
      backendStoreUri: `sqlite:///${join(dir, 'server.db')}`,
      defaultArtifactRoot: `s3://${s3.bucket}/tracking`,
      serveArtifacts: false,
      port: 0,
      handleSignals: false,
      ui: false,
    });
    const store = new RestTrackingStore({ uri: server.url, env: {}, maxRetries: 0 });
    try {
      const experimentId = await store.createExperiment('s3-root');
      const run = await store.createRun({ experimentId });
      expect(run.info.artifact_uri).toBe(
        `s3://${s3.bucket}/tracking/${experimentId}/${run.info.run_id}/artifacts`,
      );
      writeFileSync(join(dir, 'card.html'), '<p>card</p>');
      await artifactRepositoryForUri(run.info.artifact_uri, { env: s3.env }).logArtifact(
        join(dir, 'card.html'),
        'cards',
      );
      const listed = await fetch(
        `${server.url}/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}&path=cards`,
      ).then((r) => r.json());
      expect(listed).toEqual({
        root_uri: run.info.artifact_uri,
        files: [{ path: 'cards/card.html', is_dir: false, file_size: 11 }],
      });
    } finally {
      await store.close();
      await server.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  describe('through a proxy that drops connections', () => {
    let proxy: FaultyProxy;
    beforeAll(async () => {
      proxy = await startFaultyProxy(s3.endpoint);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('an upload whose connection is reset before the request is retried and lands once', async () => {
      writeFileSync(join(dir, 'retried.txt'), 'sent twice, stored once');
      const repo = new S3ArtifactRepository(`s3://${s3.bucket}/retry`, { env: s3Env(proxy.endpoint) });
      const before = proxy.stats.resets;
      proxy.faults.push({ kind: 'reset' });
      await repo.logArtifact(join(dir, 'retried.txt'));
      expect(proxy.stats.resets).toBe(before + 1);
      expect(await repo.listArtifacts()).toEqual([{ path: 'retried.txt', is_dir: false, file_size: 23 }]);
    });

    it('without retries the same reset is an error that says what to check', async () => {
      const repo = new S3ArtifactRepository(`s3://${s3.bucket}/retry`, {
        env: { ...s3Env(proxy.endpoint), AWS_MAX_ATTEMPTS: '1' },
      });
      proxy.faults.push({ kind: 'reset' });
      await expect(repo.listArtifacts()).rejects.toThrow(/S3 list .* failed.*(ECONNRESET|socket hang up)/s);
    });

    it('a download cut off mid-body is fetched again, whole, and nothing partial is left', async () => {
      const bytes = randomBytes(300_000);
      writeFileSync(join(dir, 'big.bin'), bytes);
      await new S3ArtifactRepository(`s3://${s3.bucket}/big`, { env: s3.env }).logArtifact(
        join(dir, 'big.bin'),
      );
      const repo = new S3ArtifactRepository(`s3://${s3.bucket}/big`, { env: s3Env(proxy.endpoint) });
      const before = proxy.stats.cuts;
      proxy.faults.push({ kind: 'cut-after', bytes: 64_000 });
      const out = join(dir, 'big-out');
      const file = await repo.downloadArtifacts('big.bin', out);
      expect(proxy.stats.cuts).toBeGreaterThan(before);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sha(readFileSync(file))).toBe(sha(bytes));
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(out)).toEqual(['big.bin']);
    });
  });
});
