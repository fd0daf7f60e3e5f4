/**
 * Loads a CommonJS bundle with a V8 code cache: the script is compiled from the bytecode V8
 * produced for it on an earlier run instead of from its source, as `v8-compile-cache` does for
 * `require` (Node 20 has no compile cache for ES modules: `module.enableCompileCache` is Node 22).
 *
 * Why: a cached `recipe run` spent about a fifth of its CPU in Node's ES module loader and V8's
 * compiler for ~45 chunk files (BENCHMARKS.md, bench/cli). One file compiled from a code cache
 * skips both.
 *
 * Safety of the cache, which holds bytecode this process will run:
 * - it lives in the user's own cache directory ($XDG_CACHE_HOME/mlrecipe, else
 *   ~/.cache/mlrecipe), created 0700; a directory that is not ours or that others may write to
 *   is not used (no cache, the bundle still runs);
 * - its name carries the bundle's SHA-256 (written into the bundle's first line at build time,
 *   as V8 itself checks only the source's length), Node's version and the architecture; V8
 *   rejects a cache built by another V8 or other flags, and a rejected or unreadable cache is
 *   rebuilt after the command;
 * - it is written once, atomically (src/atomic-write.ts), after the command finished, so the
 *   cache also holds the functions the command ran.
 *
 * Which command writes it matters: V8 deserialises every function a cache holds. A command that
 * imported something at run time (a package such as Arrow, the user's step modules: a run whose
 * steps really ran) compiled training code a cached run never calls, and a no-op `recipe run`
 * spent ~10 ms more CPU on such a 1.2 MB cache than on the 0.74 MB one a no-op run writes
 * (BENCHMARKS.md). So only a command that imported nothing at run time (a run whose steps were
 * all cached, `status`, `inspect`, ...) writes the cache; until one has, the bundle is compiled
 * from its source.
 *
 * Every build writes a cache of its own (about 1.2 MB), so writing one also removes the oldest
 * caches of the same bundle beyond KEPT_CACHES: upgrades and rebuilds do not fill the disk, and
 * two installed versions used in turn still each keep theirs.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { replaceAtomically } from '../atomic-write.js';

/** Caches of one bundle (any build, Node version, architecture) kept after writing a new one. */
export const KEPT_CACHES = 3;

/**
 * First lines of a bundle built by scripts/bundle-cli.mjs: `// mlrecipe-bundle sha256:<64 hex>`,
 * then the opening of the CommonJS function wrapper the build put around the module's body.
 */
const HEADER =
  /^\/\/ mlrecipe-bundle sha256:([0-9a-f]{64})\n\(function \(exports, require, module, __filename, __dirname, __mlrecipeImport\) \{\n/;

/** Where the code caches go, or undefined when no safe place exists (see the module comment). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const dir = join(base, 'mlrecipe');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = statSync(dir);
    const ours = process.getuid === undefined || stat.uid === process.getuid();
    if (!stat.isDirectory() || !ours || (stat.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

export interface LoadBundleOptions {
  /** Directory of the code cache; undefined runs the bundle without one. */
  cacheDir?: string;
  /**
   * `import()` for the bundle's run-time imports (packages by name, user modules by URL), which
   * scripts/bundle-cli.mjs turns into calls of `__mlrecipeImport`: the caller's own `import()`,
   * from a module in the bundle's directory, so that specifiers resolve as they would in it.
   */
  importModule: (specifier: string) => Promise<unknown>;
}

/**
 * Runs the CommonJS bundle `file` (as `require` would: `exports`, `require`, `module`,
 * `__filename`, `__dirname`, dynamic `import()` through Node's own loader) and returns its
 * exports. Undefined when the file is missing or was not built by scripts/bundle-cli.mjs; errors
 * the bundle throws while loading propagate.
 */
export function loadBundleWithCodeCache(file: string, options: LoadBundleOptions): unknown {
  let source: string;
  try {
    // The build makes the file pure ASCII: read as Latin-1, it becomes a one-byte string V8 takes
    // as it is (UTF-8 decoding and a two-byte copy were ~20 ms of a no-op run's CPU).
    source = readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  const digest = HEADER.exec(source)?.[1];
  if (digest === undefined) return undefined;
  const cacheFile =
    options.cacheDir === undefined
      ? undefined
      : join(
          options.cacheDir,
          `${basename(file)}-${digest.slice(0, 32)}-${process.version}-${process.arch}.v8cache`,
        );
  let cachedData: Buffer | undefined;
  if (cacheFile !== undefined) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // The file already is CommonJS's function wrapper (Module.wrap's, plus the import function)
  // around the module's body: compiled as it was read, with no copy.
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  let runtimeImports = 0;
  const importModule = (specifier: string): Promise<unknown> => {
    runtimeImports++;
    return options.importModule(specifier);
  };
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => {
      if (runtimeImports === 0) writeCodeCache(script, cacheFile, basename(file));
    });
  }
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
    importModule: (specifier: string) => Promise<unknown>,
  ) => void;
  const module = { exports: {} as unknown, filename: file, loaded: false };
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
    importModule,
  );
  module.loaded = true;
  return module.exports;
}

/** Writes the cache atomically; a failure only means the next run compiles again. */
function writeCodeCache(script: Script, cacheFile: string, bundleName: string): void {
  try {
    replaceAtomically(cacheFile, (temp) => writeFileSync(temp, script.createCachedData(), { mode: 0o600 }));
    pruneCodeCaches(cacheFile, bundleName);
  } catch {
    // nothing was written, or an older cache was kept
  }
}

/**
 * Removes the oldest caches of the bundle `bundleName` (`<bundleName>-<digest>-<node>-<arch>.v8cache`,
 * other builds) so that at most KEPT_CACHES remain, `cacheFile`, just written, among them. Best
 * effort: a cache another process removes first is no error.
 */
function pruneCodeCaches(cacheFile: string, bundleName: string): void {
  const dir = dirname(cacheFile);
  const written = basename(cacheFile);
  const prefix = `${bundleName}-`;
  const others: Array<{ name: string; mtimeMs: number }> = [];
  for (const name of readdirSync(dir)) {
    if (name === written || !name.startsWith(prefix) || !name.endsWith('.v8cache')) continue;
    try {
      others.push({ name, mtimeMs: statSync(join(dir, name)).mtimeMs });
    } catch {
      // removed meanwhile
    }
  }
  others.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { name } of others.slice(KEPT_CACHES - 1)) {
    try {
      unlinkSync(join(dir, name));
    } catch {
      // removed meanwhile
    }
  }
}
