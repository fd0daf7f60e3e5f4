/**
 * `recipe gc --artifact-cache [--max-bytes N]`: trims the local cache of downloaded artifacts
 * (src/tracking/artifact-cache.ts) from the command line — one-off copies and least recently used
 * entries go, nothing used within the last hour does.
 */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envWithoutTrackingUri, runCli } from '../helpers/cli.js';

let tmp: string;
let cache: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-cli-gc-cache-'));
  cache = join(tmp, 'cache');
  mkdirSync(cache);
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A cache entry of `bytes` bytes last used `hoursAgo` hours ago (its directory's mtime). */
function entry(name: string, bytes: number, hoursAgo: number): string {
  const dir = join(cache, name);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model', 'model.bin'), Buffer.alloc(bytes));
  const when = new Date(Date.now() - hoursAgo * 3600_000);
  utimesSync(dir, when, when);
  return dir;
}

function gc(args: string[], env: Record<string, string> = {}) {
  return runCli(['gc', '--artifact-cache', ...args], {
    cwd: tmp,
    env: { ...envWithoutTrackingUri(), RECIPE_ARTIFACT_CACHE: cache, ...env },
  });
}

describe('recipe gc --artifact-cache', () => {
  it('removes least recently used entries down to --max-bytes, one-off copies first, and keeps recent ones', async () => {
    const oldest = entry('a'.repeat(32), 1000, 5);
    const older = entry('b'.repeat(32), 1000, 3);
    const recentlyUsed = entry('c'.repeat(32), 1000, 0.1);
    const oneOff = entry(`once-${'d'.repeat(32)}`, 10, 2);

    const result = await gc(['--max-bytes', '1500', '-o', 'json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout) as {
      cache_dir: string;
      max_bytes: number;
      removed: string[];
      bytes: number;
    };
    // The one-off copy goes whatever the bound; then the oldest until 1,000 bytes are left; the
    // entry used six minutes ago stays.
    expect(report).toEqual({
      cache_dir: cache,
      max_bytes: 1500,
      removed: [`once-${'d'.repeat(32)}`, 'a'.repeat(32), 'b'.repeat(32)],
      bytes: 1000,
    });
    expect([oldest, older, oneOff].map(existsSync)).toEqual([false, false, false]);
    expect(existsSync(recentlyUsed)).toBe(true);
  });

  it('uses $RECIPE_ARTIFACT_CACHE_MAX_BYTES without --max-bytes, and says what it did', async () => {
    entry('a'.repeat(32), 1000, 5);
    entry('b'.repeat(32), 1000, 3);
    const kept = await gc([], { RECIPE_ARTIFACT_CACHE_MAX_BYTES: '2000' });
    expect(kept).toMatchObject({ code: 0, stderr: '' });
    expect(kept.stdout).toBe(`removed 0 artifact cache entries; ${cache} holds 2000 bytes (bound 2000)\n`);
    const trimmed = await gc([], { RECIPE_ARTIFACT_CACHE_MAX_BYTES: '1000' });
    expect(trimmed.stdout).toBe(`removed 1 artifact cache entry; ${cache} holds 1000 bytes (bound 1000)\n`);
    expect(existsSync(join(cache, 'b'.repeat(32)))).toBe(true);
  });

  it('refuses a bad bound before touching anything, with a hint', async () => {
    const kept = entry('a'.repeat(32), 1000, 5);
    const badFlag = await gc(['--max-bytes', '1GB']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--max-bytes.*expected a whole number/);
    const badEnv = await gc([], { RECIPE_ARTIFACT_CACHE_MAX_BYTES: 'lots' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/RECIPE_ARTIFACT_CACHE_MAX_BYTES must be a whole number.*\n.*hint:/);
    const withoutFlag = await runCli(['gc', '--max-bytes', '0'], { cwd: tmp, env: envWithoutTrackingUri() });
    expect(withoutFlag.code).toBe(2);
    expect(withoutFlag.stderr).toMatch(/needs --artifact-cache/);
    expect(existsSync(kept)).toBe(true);
  });
});
