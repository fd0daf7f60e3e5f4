/**
 * The recipe engine's commands run from one CommonJS file compiled through a V8 code cache
 * (src/cli/code-cache.ts, scripts/bundle-cli.mjs): they must answer exactly as the per-command
 * chunks do, keep the cache in the user's own cache directory, reuse it, and survive a cache
 * that is corrupt or in a directory others may write to.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const bundle = join(root, 'dist', 'cli', 'recipe-commands.cjs');

let dir: string;
let recipe: string;

/** `recipe ...args` in the recipe, with `cacheHome` as XDG_CACHE_HOME; `chunks` turns the single file off. */
async function recipeCli(args: string[], cacheHome: string, chunks = false) {
  const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
    cwd: recipe,
    env: {
      ...process.env,
      XDG_CACHE_HOME: cacheHome,
      RECIPE_CLI_CODE_CACHE: chunks ? 'off' : 'on',
    },
  });
  return { stdout, stderr };
}

function cacheFiles(cacheHome: string): string[] {
  try {
    return readdirSync(join(cacheHome, 'mlrecipe')).filter((name) => name.endsWith('.v8cache'));
  } catch {
    return [];
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-code-cache-'));
  recipe = join(dir, 'recipe');
  execFileSync(process.execPath, [cli, 'init', '--template', 'regression', recipe], { stdio: 'pipe' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the recipe commands from one file with a V8 code cache', () => {
  it("names its cache by the bundle's SHA-256, written into its first line", () => {
    const text = readFileSync(bundle, 'utf8');
    const digest = /^\/\/ mlrecipe-bundle sha256:([0-9a-f]{64})\n/.exec(text)?.[1] as string;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const built = text.replace(digest, '0'.repeat(64));
    expect(createHash('sha256').update(built).digest('hex')).toBe(digest);
  });

  it('is pure ASCII and already inside the CommonJS function wrapper (the loader reads it as Latin-1, unchanged)', () => {
    const bytes = readFileSync(bundle);
    expect(bytes.findIndex((byte) => byte > 0x7f)).toBe(-1);
    const lines = bytes.toString('latin1').split('\n');
    expect(lines[1]).toBe('(function (exports, require, module, __filename, __dirname, __mlrecipeImport) {');
    expect(lines.filter((line) => line === '})')).toHaveLength(1);
  });

  it('a no-op run leaves one cache in $XDG_CACHE_HOME/mlrecipe (0700, file 0600), a training run none; the next run reuses it unchanged', async () => {
    const cache = join(dir, 'cache-reuse');
    // The first run trains: it imports packages and the recipe's modules at run time, and a cache
    // written now would hold training code every later cached run pays to deserialise.
    const first = JSON.parse((await recipeCli(['run', '--output', 'json'], cache)).stdout) as {
      steps: Array<{ state: string }>;
    };
    expect(first.steps.slice(0, 5).map((s) => s.state)).toEqual(Array(5).fill('ran'));
    expect(cacheFiles(cache)).toEqual([]);
    await recipeCli(['run'], cache);
    const files = cacheFiles(cache);
    expect(files).toHaveLength(1);
    const file = join(cache, 'mlrecipe', files[0] as string);
    expect(files[0]).toContain(`-${process.version}-${process.arch}.v8cache`);
    expect(statSync(join(cache, 'mlrecipe')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = statSync(file);
    await recipeCli(['run'], cache);
    const after = statSync(file);
    // Accepted by V8: a rejected cache would have been written again.
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    // Every step again from the cached code: the recipe's own modules (steps/*.ts, through tsx)
    // and packages are imported at run time, which a code-cached script cannot do by itself.
    const again = await recipeCli(['run', '--no-cache', '--output', 'json'], cache);
    const result = JSON.parse(again.stdout) as { status: string; steps: Array<{ state: string }> };
    expect(result.status).toBe('FINISHED');
    expect(result.steps.slice(0, 5).map((s) => s.state)).toEqual(Array(5).fill('ran'));
  });

  it('a no-op run, `status` and `run --help` answer the same from the single file and from the chunks', async () => {
    const cache = join(dir, 'cache-same');
    await recipeCli(['run'], cache);
    const steps = (stdout: string) =>
      (
        JSON.parse(stdout) as {
          status: string;
          steps: Array<{ step: string; state: string; fingerprint: string }>;
        }
      ).steps.map(({ step, state, fingerprint }) => ({ step, state, fingerprint }));
    const single = await recipeCli(['run', '--output', 'json'], cache);
    const chunks = await recipeCli(['run', '--output', 'json'], cache, true);
    expect(steps(single.stdout)).toEqual(steps(chunks.stdout));
    expect(
      steps(single.stdout)
        .slice(0, 5)
        .map((s) => s.state),
    ).toEqual(Array(5).fill('cached'));
    const timeless = (text: string) => text.replace(/\d+\.\d+s\b/g, '<t>s');
    expect(timeless(single.stderr)).toBe(timeless(chunks.stderr));
    for (const args of [['status'], ['run', '--help'], ['inspect']]) {
      const a = await recipeCli(args, cache);
      const b = await recipeCli(args, cache, true);
      expect(a.stdout).toBe(b.stdout);
      // Non-ASCII text survives the single file's ASCII escapes (`postgresql://…` in the help).
      if (args[1] === '--help') expect(a.stdout).toContain('postgresql://…');
    }
    expect(cacheFiles(cache)).toHaveLength(1);
  });

  it('a usage error exits 2 with the same message from both builds', async () => {
    const cache = join(dir, 'cache-usage');
    const fail = (chunks: boolean) =>
      recipeCli(['run', '--step', 'nope'], cache, chunks).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const single = await fail(false);
    expect(single.code).toBe(2);
    expect(single).toEqual(await fail(true));
  });

  it('a corrupt cache is rejected and replaced; the command still runs', async () => {
    const cache = join(dir, 'cache-corrupt');
    await recipeCli(['status'], cache);
    const file = join(cache, 'mlrecipe', cacheFiles(cache)[0] as string);
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(file, garbage);
    const { stdout } = await recipeCli(['status'], cache);
    expect(stdout).toContain('ingest');
    const rewritten = readFileSync(file);
    expect(rewritten.equals(garbage)).toBe(false);
    expect(rewritten.length).toBeGreaterThan(10_000);
  });

  it("writing a cache removes the bundle's oldest caches of other builds beyond three, nothing else", async () => {
    const cache = join(dir, 'cache-prune');
    const cacheDir = join(cache, 'mlrecipe');
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    // Four caches of earlier builds, oldest first, and two files that are not this bundle's caches.
    const earlier = [1, 2, 3, 4].map(
      (n) => `recipe-commands.cjs-${String(n).repeat(32)}-${process.version}-${process.arch}.v8cache`,
    );
    const unrelated = ['other-bundle.cjs-' + 'f'.repeat(32) + '-v20.0.0-x64.v8cache', 'notes.txt'];
    for (const [i, name] of [...earlier, ...unrelated].entries()) {
      const file = join(cacheDir, name);
      writeFileSync(file, 'old', { mode: 0o600 });
      const when = new Date(Date.UTC(2026, 0, 1 + i));
      utimesSync(file, when, when);
    }
    await recipeCli(['status'], cache);
    const written = cacheFiles(cache).filter(
      (name) => name.startsWith('recipe-commands.cjs-') && !earlier.includes(name),
    );
    expect(written).toHaveLength(1);
    expect(readdirSync(cacheDir).sort()).toEqual([...written, earlier[2], earlier[3], ...unrelated].sort());
  });

  it('a cache directory others may write to is not used', async () => {
    const cache = join(dir, 'cache-open');
    mkdirSync(join(cache, 'mlrecipe'), { recursive: true });
    chmodSync(join(cache, 'mlrecipe'), 0o777);
    const { stdout } = await recipeCli(['status'], cache);
    expect(stdout).toContain('ingest');
    expect(cacheFiles(cache)).toEqual([]);
  });
});
