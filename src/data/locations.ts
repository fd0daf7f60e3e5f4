/**
 * Resolves an ingest `location` (a path, a list of paths, a glob, or a directory) to a sorted list
 * of data files. Relative paths are relative to the recipe directory; absolute paths and paths
 * outside the recipe directory are allowed (MLflow Recipes reads any local path), but every path is
 * normalised so the same file always gets the same name in fingerprints and cards.
 *
 * Globs support `*` and `?` within one path segment, `**` for any number of directories, and
 * `{a,b}` alternatives, matched by picomatch. The directory walk below the glob's fixed prefix is
 * our own rather than tinyglobby's: a glob that reaches an unreadable directory must fail naming it
 * (it cannot know what data it would miss), where a glob library skips it silently.
 */
import { accessSync, constants, type Dirent, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { DataError } from '../errors.js';

/** File name extensions each format reads from a directory location. */
const EXTENSIONS: Record<string, readonly string[]> = {
  csv: ['.csv', '.tsv', '.txt', '.csv.gz', '.tsv.gz'],
  parquet: ['.parquet', '.pq'],
  json: ['.json', '.jsonl', '.ndjson', '.json.gz', '.jsonl.gz', '.ndjson.gz'],
  arrow: ['.arrow', '.feather', '.ipc'],
};

export interface ResolveLocationOptions {
  /** The `location` value from the step config. */
  location: unknown;
  /** Base for relative paths (the recipe directory). */
  baseDir: string;
  /** The format (`using`), to pick files when the location is a directory. */
  format?: string;
  /** The config path for error messages, e.g. `steps.ingest.location`. */
  field?: string;
}

export function hasGlob(pattern: string): boolean {
  return /[*?{[]/.test(pattern);
}

/** Turns a location into the list of existing files it names, sorted, each absolute. */
export function resolveLocation(options: ResolveLocationOptions): string[] {
  const field = options.field ?? 'location';
  const raw = options.location;
  const entries = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : null;
  if (entries === null || entries.length === 0) {
    throw new DataError(
      `${field} must be a path, a glob or a non-empty list of paths, not ${JSON.stringify(raw)}`,
    );
  }
  const files: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.trim() === '') {
      throw new DataError(`${field}: every entry must be a non-empty string, not ${JSON.stringify(entry)}`);
    }
    for (const file of resolveOne(entry.trim(), options.baseDir, options.format, field)) {
      if (!seen.has(file)) {
        seen.add(file);
        assertReadable(file, entry.trim(), field);
        files.push(file);
      }
    }
  }
  return files;
}

/**
 * A matched file the process cannot read is named before any step runs; otherwise the first
 * reader (the fingerprint's hash) fails with a bare EACCES that says nothing about the location.
 */
function assertReadable(file: string, entry: string, field: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new DataError(
      `${field}: ${file}${hasGlob(entry) ? ` (matched by ${entry})` : ''} cannot be read (${code === 'EACCES' ? 'permission denied' : code})`,
      {
        hint:
          code === 'EACCES'
            ? `give this user read access (e.g. chmod a+r ${file}), or change ${field} so it does not match the file`
            : `check the file, or change ${field} so it does not match it`,
      },
    );
  }
}

function resolveOne(entry: string, baseDir: string, format: string | undefined, field: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) && !entry.startsWith('file://')) {
    throw new DataError(`${field}: ${entry} is a URL; mlrecipe ingests local files only`, {
      hint: 'download the data into the recipe directory (e.g. data/) and point location at it',
    });
  }
  const path = entry.startsWith('file://') ? entry.slice('file://'.length) : entry;
  const absolute = normalize(isAbsolute(path) ? path : resolve(baseDir, path));
  if (!hasGlob(path)) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(absolute);
    } catch {
      throw new DataError(`${field}: ${absolute} does not exist`, {
        hint: `paths are relative to the recipe directory ${baseDir}`,
      });
    }
    if (stat.isDirectory()) {
      const exts = format ? EXTENSIONS[format] : undefined;
      const found = walk(absolute, false).filter(
        (f) => !exts || exts.some((e) => f.toLowerCase().endsWith(e)),
      );
      if (found.length === 0) {
        throw new DataError(
          `${field}: directory ${absolute} holds no ${format ?? 'data'} files${exts ? ` (${exts.join(', ')})` : ''}`,
        );
      }
      return found.sort();
    }
    return [absolute];
  }
  const { base, rest } = splitGlob(absolute);
  const regex = globToRegExp(rest);
  const deep = rest.includes('**') || rest.includes(sep) || rest.includes('/');
  let candidates: string[];
  try {
    candidates = walk(base, deep);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${field}: ${entry} matches no files (directory ${base} does not exist)`);
  }
  const matched = candidates.filter((f) => regex.test(relative(base, f).split(sep).join('/'))).sort();
  if (matched.length === 0) throw new DataError(`${field}: ${entry} matches no files under ${base}`);
  return matched;
}

/** Splits an absolute glob into the directory before its first wildcard segment and the rest. */
function splitGlob(absolute: string): { base: string; rest: string } {
  const segments = absolute.split(sep);
  const i = segments.findIndex((s) => hasGlob(s));
  const base = segments.slice(0, i).join(sep) || sep;
  return { base, rest: segments.slice(i).join('/') };
}

type Picomatch = typeof import('picomatch');
let picomatch: Picomatch | undefined;

/**
 * Compiles a `/`-separated glob into an anchored RegExp, with picomatch (the matcher behind
 * tinyglobby and fast-glob): `*`, `?`, `**`, `{a,b}`, `[abc]`, `[!abc]`.
 */
export function globToRegExp(glob: string): RegExp {
  // Required on first use, as recipes/validate.ts does with ajv: every `recipe run` resolves the
  // ingest location while planning, and only a glob needs the matcher.
  picomatch ??= createRequire(import.meta.url)('picomatch') as Picomatch;
  // Ingest globs have no extglobs or regex groups, so `(`, `)`, `|`, `+`, `@` are file-name
  // characters (`data (1).csv`); `posix` reads `[!abc]` as a negated class, as the shell does.
  return picomatch.makeRe(glob.replace(/[()|+@]/g, '\\$&'), { posix: true, noextglob: true });
}

/** Lists files under `dir` (recursively if `deep`), skipping hidden entries. */
function walk(dir: string, deep: boolean): string[] {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    // A glob cannot know what an unreadable directory holds; skipping it would silently drop data.
    throw new DataError(`directory ${dir} cannot be read (permission denied) while matching files`, {
      hint: `give this user read access (e.g. chmod a+rx ${dir}), or narrow the location so it does not reach into it`,
    });
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) out.push(...walk(full, true));
    } else if (entry.isFile()) out.push(full);
    else if (entry.isSymbolicLink()) {
      // A symlinked data file counts (data folders often link into shared storage); symlinked
      // directories are not followed, which rules out cycles.
      try {
        if (statSync(full).isFile()) out.push(full);
      } catch {
        // a dangling link names no data
      }
    }
  }
  return out;
}
