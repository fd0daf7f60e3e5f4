/**
 * The step cache's remote tier: a second clone of the recipe, with an empty local cache, reuses
 * the steps the first clone ran, through a real shared store — a directory, an S3-compatible
 * server (s3rver), and a tracking server's artifact proxy. Entries are visible only whole, and a
 * file whose hash differs is never used.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StepCache } from '../../src/recipes/cache.js';
import { runRecipe } from '../../src/recipes/execute.js';
import { RemoteStepCache, remoteCacheUriFrom } from '../../src/recipes/remote-cache.js';
import { startTrackingServer, type TrackingServerHandle } from '../../src/server/tracking/start.js';
import { artifactRepositoryForUri } from '../../src/tracking/index.js';
import { type LocalS3, startLocalS3 } from '../helpers/s3-server.js';
import { testRegistry } from './fixtures/test-steps.js';
import { makeRecipeRepo, removeDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function clone(): string {
  const dir = makeRecipeRepo();
  dirs.push(dir);
  return dir;
}

interface Store {
  name: string;
  uri: string;
  trackingUri?: string;
  env?: Record<string, string>;
}

let s3: LocalS3;
let server: TrackingServerHandle;
let scratch: string;
const stores: Store[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'mlrecipe-remote-cache-'));
  s3 = await startLocalS3('step-cache');
  server = await startTrackingServer({
    backendStoreUri: `sqlite:///${join(scratch, 'server.db')}`,
    artifactsDestination: join(scratch, 'proxy'),
    port: 0,
    handleSignals: false,
    ui: false,
  });
  stores.push(
    { name: 'a shared directory', uri: join(scratch, 'shared') },
    { name: 'S3', uri: `s3://${s3.bucket}/cache`, env: s3.env },
    {
      name: "the tracking server's artifact proxy",
      uri: 'mlflow-artifacts:/step-cache',
      trackingUri: server.url,
    },
  );
});
afterAll(async () => {
  await server?.close();
  await s3?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function remoteFor(store: Store, recipeDir: string, suffix: string): RemoteStepCache {
  return new RemoteStepCache({
    uri: `${store.uri}/${suffix}`,
    recipeDir,
    ...(store.trackingUri ? { trackingUri: store.trackingUri } : {}),
    ...(store.env ? { env: store.env } : {}),
  });
}

async function run(dir: string, remoteCache: RemoteStepCache) {
  const notes: string[] = [];
  const result = await runRecipe({
    recipeDir: dir,
    registry: testRegistry,
    remoteCache,
    progress: {
      begin: () => undefined,
      stepStarted: () => undefined,
      stepLog: (_step, message) => notes.push(message),
      stepFinished: () => undefined,
      note: (message) => notes.push(message),
      end: () => undefined,
    },
  });
  return { result, notes, states: Object.fromEntries(result.outcomes.map((o) => [o.step, o.state])) };
}

describe.each([0, 1, 2])('the remote tier of the step cache (store %i)', (index) => {
  it('a second clone with an empty cache reuses every step the first one ran, file for file', async () => {
    const store = stores[index] as Store;
    const first = clone();
    const ran = await run(first, remoteFor(store, first, 'whole'));
    expect(Object.values(ran.states).every((s) => s === 'ran')).toBe(true);
    expect(ran.notes.filter((n) => n.startsWith('pushed to the remote cache'))).toHaveLength(6);

    const second = clone();
    const reused = await run(second, remoteFor(store, second, 'whole'));
    expect(reused.result.error).toBeUndefined();
    expect(Object.values(reused.states).every((s) => s === 'cached')).toBe(true);
    expect(reused.notes.filter((n) => n.startsWith('fetched from the remote cache'))).toHaveLength(6);
    for (const outcome of ran.result.outcomes) {
      const there = reused.result.outcomes.find((o) => o.step === outcome.step);
      expect(there?.fingerprint).toBe(outcome.fingerprint);
      for (const rel of Object.values(outcome.outputs)) {
        expect(readFileSync(join(there?.dir ?? '', rel))).toEqual(readFileSync(join(outcome.dir ?? '', rel)));
      }
    }
    // Now local: a third run asks the remote for nothing.
    const again = await run(second, remoteFor(store, second, 'whole'));
    expect(again.notes.filter((n) => n.startsWith('fetched'))).toEqual([]);
  });

  it('an entry whose pointer is missing is not there; one whose file hash differs is not used', async () => {
    const store = stores[index] as Store;
    const first = clone();
    const ran = await run(first, remoteFor(store, first, 'damaged'));
    const ingest = ran.result.outcomes.find((o) => o.step === 'ingest');
    const split = ran.result.outcomes.find((o) => o.step === 'split');
    const repo = artifactRepositoryForUri(store.uri.startsWith('/') ? store.uri : `${store.uri}/damaged`, {
      ...(store.trackingUri ? { trackingUri: store.trackingUri } : {}),
      ...(store.env ? { env: store.env } : {}),
    });
    const sub = store.uri.startsWith('/') ? 'damaged/' : '';
    // Half an upload: blobs without their pointer (the pointer goes last) is no entry at all.
    await repo.deleteArtifacts(`${sub}steps/ingest/${ingest?.fingerprint}.json`);
    // A blob replaced by other bytes under the same name: the hash check refuses the entry.
    const pointerDir = mkdtempSync(join(tmpdir(), 'mlrecipe-remote-pointer-'));
    dirs.push(pointerDir);
    const pointer = JSON.parse(
      readFileSync(
        await repo.downloadArtifacts(`${sub}steps/split/${split?.fingerprint}.json`, pointerDir),
        'utf8',
      ),
    ) as { files: Array<{ sha256: string }> };
    const sha = pointer.files[0]?.sha256 ?? '';
    const bad = join(pointerDir, sha);
    writeFileSync(bad, 'not the bytes that hash to the name');
    await repo.logArtifact(bad, `${sub}blobs/${sha.slice(0, 2)}`);

    const second = clone();
    const cache = new StepCache(second);
    const remote = remoteFor(store, second, 'damaged');
    expect(await remote.pull(cache, 'ingest', ingest?.fingerprint ?? '')).toBeNull();
    await expect(remote.pull(cache, 'split', split?.fingerprint ?? '')).rejects.toThrow(
      /is corrupt: .* has SHA-256/,
    );
    // Nothing half-made is left in the local cache, and a run recomputes both steps.
    expect(cache.listEntries()).toEqual([]);
    expect(readdirSync(cache.tmpRoot)).toEqual([]);
    const rerun = await run(second, remote);
    expect(rerun.states.ingest).toBe('ran');
    expect(rerun.states.split).toBe('ran');
    expect(rerun.states.train).toBe('cached');
    expect(rerun.notes.some((n) => /warning: split: remote cache: .*corrupt/.test(n))).toBe(true);
  });
});

describe('remoteCacheUriFrom', () => {
  it('takes the flag, else RECIPE_REMOTE_CACHE, and refuses a scheme it cannot use', () => {
    expect(remoteCacheUriFrom('s3://b/c', { RECIPE_REMOTE_CACHE: '/x' })).toBe('s3://b/c');
    expect(remoteCacheUriFrom(undefined, { RECIPE_REMOTE_CACHE: '/x' })).toBe('/x');
    expect(remoteCacheUriFrom(undefined, {})).toBeUndefined();
    expect(() => remoteCacheUriFrom('gs://b/c', {})).toThrow(/not an artifact location/);
  });
});
