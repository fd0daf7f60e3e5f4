/**
 * The local artifact cache (src/tracking/artifact-cache.ts) stays within its bound: one-off copies
 * and the least recently used entries go once they are past the grace period, entries in use
 * never do, and reuse counts as use. Real directories, a local artifact source.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARTIFACT_CACHE_GRACE_MS,
  artifactCacheMaxBytes,
  DEFAULT_ARTIFACT_CACHE_MAX_BYTES,
  downloadArtifactDirectory,
  pruneArtifactCache,
} from '../../src/tracking/index.js';

let work: string;
let cache: string;

/** A local artifact directory of `bytes` bytes in one file. */
function source(name: string, bytes: number): string {
  const dir = join(work, 'sources', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.bin'), Buffer.alloc(bytes, 7));
  return dir;
}

/** Sets an entry's time of last use `ageMs` into the past. */
function age(entry: string, ageMs: number): void {
  const when = new Date(Date.now() - ageMs);
  utimesSync(entry, when, when);
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-artifact-cache-'));
  cache = join(work, 'cache');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('artifact cache bound', () => {
  it('reuses a keyed copy, touching it, and never reuses a one-off copy', async () => {
    const uri = source('a', 10);
    const first = await downloadArtifactDirectory(uri, { cacheDir: cache, key: 'v1' });
    expect(existsSync(join(first, 'model.bin'))).toBe(true);
    age(first, 2 * ARTIFACT_CACHE_GRACE_MS);
    const again = await downloadArtifactDirectory(uri, { cacheDir: cache, key: 'v1' });
    expect(again).toBe(first);
    expect(Date.now() - statSync(first).mtimeMs).toBeLessThan(ARTIFACT_CACHE_GRACE_MS);

    const once = await downloadArtifactDirectory(uri, { cacheDir: cache });
    const twice = await downloadArtifactDirectory(uri, { cacheDir: cache });
    expect(once).not.toBe(twice);
    expect(basename(once)).toMatch(/^once-/);
  });

  it('drops one-off copies and abandoned temporaries past the grace period, keeping recent ones', async () => {
    const uri = source('a', 10);
    const old = await downloadArtifactDirectory(uri, { cacheDir: cache });
    const recent = await downloadArtifactDirectory(uri, { cacheDir: cache });
    const keyed = await downloadArtifactDirectory(uri, { cacheDir: cache, key: 'v1' });
    const temp = join(cache, '.abandoned.123.tmp');
    mkdirSync(temp);
    age(old, ARTIFACT_CACHE_GRACE_MS + 1000);
    age(temp, ARTIFACT_CACHE_GRACE_MS + 1000);
    age(keyed, 10 * ARTIFACT_CACHE_GRACE_MS);

    const result = await pruneArtifactCache({ cacheDir: cache, maxBytes: 1000 });
    expect(result.removed.sort()).toEqual([basename(old), basename(temp)].sort());
    expect(readdirSync(cache).sort()).toEqual([basename(recent), basename(keyed)].sort());
    expect(result.bytes).toBe(20);
  });

  it('removes the least recently used entries until the cache is within its bound', async () => {
    const entries = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      entries.push(await downloadArtifactDirectory(source(name, 100), { cacheDir: cache, key: name }));
    }
    const [a, b, c, d] = entries as [string, string, string, string];
    age(a, 3 * ARTIFACT_CACHE_GRACE_MS);
    age(b, 5 * ARTIFACT_CACHE_GRACE_MS);
    age(c, 2 * ARTIFACT_CACHE_GRACE_MS);
    // d was just used: within the grace period it stays even when the cache is over its bound.
    const result = await pruneArtifactCache({ cacheDir: cache, maxBytes: 250 });
    expect(result.removed).toEqual([basename(b), basename(a)]);
    expect(readdirSync(cache).sort()).toEqual([basename(c), basename(d)].sort());
    expect(result.bytes).toBe(200);

    const none = await pruneArtifactCache({ cacheDir: cache, maxBytes: 0 });
    expect(none.removed).toEqual([basename(c)]);
    expect(readdirSync(cache)).toEqual([basename(d)]);
  });

  it('prunes after each download, never the copy it hands out', async () => {
    const a = await downloadArtifactDirectory(source('a', 100), { cacheDir: cache, key: 'a', maxBytes: 150 });
    age(a, 2 * ARTIFACT_CACHE_GRACE_MS);
    const b = await downloadArtifactDirectory(source('b', 100), { cacheDir: cache, key: 'b', maxBytes: 150 });
    expect(readdirSync(cache)).toEqual([basename(b)]);
    age(b, 2 * ARTIFACT_CACHE_GRACE_MS);
    const c = await downloadArtifactDirectory(source('c', 400), { cacheDir: cache, key: 'c', maxBytes: 150 });
    expect(readdirSync(cache)).toEqual([basename(c)]);
  });

  it('reads the bound from RECIPE_ARTIFACT_CACHE_MAX_BYTES and refuses a bad one before downloading', async () => {
    expect(artifactCacheMaxBytes({})).toBe(DEFAULT_ARTIFACT_CACHE_MAX_BYTES);
    expect(artifactCacheMaxBytes({ RECIPE_ARTIFACT_CACHE_MAX_BYTES: '0' })).toBe(0);
    expect(artifactCacheMaxBytes({ RECIPE_ARTIFACT_CACHE_MAX_BYTES: '1048576' })).toBe(1048576);
    expect(() => artifactCacheMaxBytes({ RECIPE_ARTIFACT_CACHE_MAX_BYTES: '2GB' })).toThrow(
      /RECIPE_ARTIFACT_CACHE_MAX_BYTES must be a whole number of bytes, not "2GB"/,
    );
    await expect(
      downloadArtifactDirectory(source('a', 1), {
        cacheDir: cache,
        key: 'a',
        env: { RECIPE_ARTIFACT_CACHE_MAX_BYTES: '-1' },
      }),
    ).rejects.toThrow(/whole number of bytes/);
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  });
});
