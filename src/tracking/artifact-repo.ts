import {
  createWriteStream,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { copyFile, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceAtomically, replaceAtomicallyAsync } from '../atomic-write.js';
import { StoreError } from '../errors.js';

/**
 * One artifact as MLflow's `FileInfo` describes it (mlflow/entities/file_info.py, and the
 * `files` of REST `artifacts/list`): `path` is relative to the run's artifact root with `/`
 * separators; `file_size` is absent for directories.
 */
export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/**
 * A run's artifacts on the local file system, with MLflow's LocalArtifactRepository semantics:
 * `logArtifact` puts a file at `<root>/<artifactPath>/<basename>`, `logArtifacts` copies a
 * directory's contents (recursively) under `<root>/<artifactPath>/`, `listArtifacts` lists one
 * level, `downloadArtifacts` copies a file or a tree out.
 *
 * Every file lands by copy-to-temp + rename in the destination directory, so a reader never sees
 * a half-written artifact. Artifact paths must stay inside the root: absolute paths, `..` that
 * escapes after normalisation, and symlinks (in the artifact tree) that lead outside are refused
 * with INVALID_PARAMETER_VALUE. `logArtifacts(dir)` copies a symlink inside `dir` as a symlink and
 * refuses one that leads out of `dir`.
 */
export interface ArtifactLogOptions {
  /**
   * The source files never change once written (a step's cache entry: content-addressed, never
   * rewritten in place). A local repository then hard-links them instead of copying, so logging a
   * cached step's cards and model to every run costs a link per file, not a copy. Sound because
   * neither side is ever written in place: artifacts and cache entries are only replaced by rename
   * or removed, which leaves the other name's bytes as they were. Repositories that upload copy.
   */
  immutableSource?: boolean;
}

export class LocalArtifactRepository {
  /** Absolute directory holding the artifacts. */
  readonly rootDir: string;

  constructor(artifactUri: string) {
    this.rootDir = localPathFromArtifactUri(artifactUri);
  }

  /** Copies one local file to `<artifactPath>/<basename(localFile)>` (see ArtifactLogOptions). */
  async logArtifact(
    localFile: string,
    artifactPath?: string,
    options: ArtifactLogOptions = {},
  ): Promise<void> {
    const source = resolve(localFile);
    const info = statOrNull(source);
    if (!info?.isFile()) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        info ? `${source} is not a regular file` : `local file ${source} does not exist`,
        { hint: info?.isDirectory() ? 'use logArtifacts to log a directory' : undefined },
      );
    }
    const root = this.ensureRoot();
    const relDir = normaliseArtifactPath(artifactPath);
    const destDir = ensureDirInside(root, relDir);
    await placeFileAtomic(source, join(destDir, basename(source)), options);
  }

  /** Copies the contents of `localDir` (recursively) under `artifactPath` (see ArtifactLogOptions). */
  async logArtifacts(
    localDir: string,
    artifactPath?: string,
    options: ArtifactLogOptions = {},
  ): Promise<void> {
    const source = resolve(localDir);
    const info = statOrNull(source);
    if (!info?.isDirectory()) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        info ? `${source} is not a directory` : `local directory ${source} does not exist`,
        { hint: info ? 'use logArtifact to log a single file' : undefined },
      );
    }
    const relDir = normaliseArtifactPath(artifactPath);
    // Every link is checked before anything is copied, so a refused tree leaves no partial copy.
    const entries = sourceEntries(source);
    const root = this.ensureRoot();
    ensureDirInside(root, relDir);
    for (const entry of entries) {
      const relPosix = entry.rel.split(sep).join('/');
      const target = relDir ? `${relDir}/${relPosix}` : relPosix;
      const destDir = ensureDirInside(root, posix.dirname(target) === '.' ? '' : posix.dirname(target));
      const dest = join(destDir, posix.basename(target));
      if (entry.kind === 'file') await placeFileAtomic(entry.path, dest, options);
      else symlinkAtomic(entry.linkText, dest);
    }
  }

  /**
   * Lists the direct children of `path` (the root when omitted), sorted by path. Like MLflow, a
   * path that is a file or does not exist lists as empty.
   */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    const relDir = normaliseArtifactPath(path);
    const root = realpathOrNull(this.rootDir);
    if (root === null) return [];
    const dir = join(root, ...splitRel(relDir));
    const real = realpathOrNull(dir);
    if (real === null) return [];
    assertInside(root, real, relDir);
    const dirInfo = await stat(real);
    if (!dirInfo.isDirectory()) return [];
    const entries = await readdir(real, { withFileTypes: true });
    const infos: FileInfo[] = [];
    for (const entry of entries) {
      if (isTempName(entry.name)) continue;
      const childRel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const childInfo = statOrNull(join(real, entry.name));
      if (childInfo === null) continue; // a dangling symlink is not an artifact
      infos.push(
        childInfo.isDirectory()
          ? { path: childRel, is_dir: true }
          : { path: childRel, is_dir: false, file_size: childInfo.size },
      );
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Copies the artifact file or directory `path` ('' for everything) into `dstDir`, keeping its
   * relative path (MLflow: `<dst>/<artifact_path>`), and returns the local path written.
   */
  async downloadArtifacts(path: string, dstDir: string): Promise<string> {
    const relPath = normaliseArtifactPath(path);
    const root = realpathOrNull(this.rootDir);
    const sourcePath = root === null ? null : realpathOrNull(join(root, ...splitRel(relPath)));
    if (root === null || sourcePath === null) {
      throw new StoreError('RESOURCE_DOES_NOT_EXIST', `no artifact "${relPath}" under ${this.rootDir}`, {
        hint: 'list what exists with listArtifacts (or `recipe runs show <run_id>`)',
      });
    }
    assertInside(root, sourcePath, relPath);
    await mkdir(resolve(dstDir), { recursive: true });
    const dst = await realpath(resolve(dstDir));
    const info = await stat(sourcePath);
    if (!info.isDirectory()) {
      const destDir = ensureDirInside(dst, posix.dirname(relPath) === '.' ? '' : posix.dirname(relPath));
      const target = join(destDir, posix.basename(relPath));
      await copyFileAtomic(sourcePath, target);
      return target;
    }
    const destRoot = ensureDirInside(dst, relPath);
    for await (const rel of walkFiles(sourcePath)) {
      const from = join(sourcePath, rel);
      assertInside(root, await realpath(from), relPath);
      const relPosix = rel.split(sep).join('/');
      const destDir = ensureDirInside(
        destRoot,
        posix.dirname(relPosix) === '.' ? '' : posix.dirname(relPosix),
      );
      await copyFileAtomic(from, join(destDir, posix.basename(relPosix)));
    }
    return destRoot;
  }

  /**
   * The real path of the artifact file `path`, checked to lie inside the root (a symlink out of
   * the tree is refused). RESOURCE_DOES_NOT_EXIST when there is no such file (a directory is
   * not a file).
   */
  async resolveArtifactFile(path: string): Promise<string> {
    const relPath = normaliseArtifactPath(path);
    const root = realpathOrNull(this.rootDir);
    const real = root === null || relPath === '' ? null : realpathOrNull(join(root, ...splitRel(relPath)));
    if (root === null || real === null) {
      throw new StoreError('RESOURCE_DOES_NOT_EXIST', `no artifact "${relPath}" under ${this.rootDir}`);
    }
    assertInside(root, real, relPath);
    if (!(await stat(real)).isFile()) {
      throw new StoreError('RESOURCE_DOES_NOT_EXIST', `artifact "${relPath}" is a directory, not a file`, {
        hint: 'list its contents instead',
      });
    }
    return real;
  }

  /**
   * Writes `data` to the artifact file `path` (parent directories created), through a temporary
   * sibling renamed into place: a reader never sees half an upload, and a failed upload leaves
   * the previous file as it was.
   */
  async writeArtifact(path: string, data: Readable): Promise<void> {
    const relPath = normaliseArtifactPath(path);
    if (relPath === '') throw unsafePath(path, 'it names the artifact root, not a file');
    const root = this.ensureRoot();
    const parent = posix.dirname(relPath);
    const destDir = ensureDirInside(root, parent === '.' ? '' : parent);
    const target = join(destDir, posix.basename(relPath));
    await replaceAtomicallyAsync(target, (temp) => pipeline(data, createWriteStream(temp, { flags: 'wx' })), {
      tempPrefix: TEMP_PREFIX,
    });
  }

  /** Deletes the artifact file or directory `path` (MLflow's delete_artifacts); absent is fine. */
  async deleteArtifacts(path?: string): Promise<void> {
    const relPath = normaliseArtifactPath(path);
    const root = realpathOrNull(this.rootDir);
    if (root === null) return;
    const target = join(root, ...splitRel(relPath));
    const info = lstatOrNull(target);
    if (info === null) return;
    // The entry itself must sit inside the root; a symlink is removed, never followed.
    const parentReal = await realpath(dirname(target));
    assertInside(root, parentReal, relPath);
    if (relPath === '') {
      for (const entry of await readdir(root)) await rm(join(root, entry), { recursive: true, force: true });
      return;
    }
    await rm(target, { recursive: true, force: true });
  }

  /** The root's real path, resolved once per repository (it is every later check's anchor). */
  private realRoot?: string;

  private ensureRoot(): string {
    mkdirSync(this.rootDir, { recursive: true });
    this.realRoot ??= realpathSync(this.rootDir);
    return this.realRoot;
  }
}

/** Module-level forms over a run's `artifact_uri` (absolute path or `file://` URI). */
export function logArtifact(runArtifactUri: string, localFile: string, artifactPath?: string): Promise<void> {
  return new LocalArtifactRepository(runArtifactUri).logArtifact(localFile, artifactPath);
}

export function logArtifacts(runArtifactUri: string, localDir: string, artifactPath?: string): Promise<void> {
  return new LocalArtifactRepository(runArtifactUri).logArtifacts(localDir, artifactPath);
}

export function listArtifacts(runArtifactUri: string, path?: string): Promise<FileInfo[]> {
  return new LocalArtifactRepository(runArtifactUri).listArtifacts(path);
}

export function downloadArtifacts(runArtifactUri: string, path: string, dstDir: string): Promise<string> {
  return new LocalArtifactRepository(runArtifactUri).downloadArtifacts(path, dstDir);
}

/**
 * The local directory an artifact URI names. Accepts an absolute path or a `file://` URI; other
 * schemes (`s3://`, `mlflow-artifacts:/`, …) belong to other repositories mlrecipe lacks.
 */
export function localPathFromArtifactUri(artifactUri: string): string {
  if (artifactUri.startsWith('file:')) {
    try {
      return fileURLToPath(artifactUri);
    } catch (error) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `artifact URI "${artifactUri}" is not a valid file:// URI`,
        {
          cause: error,
          hint: 'write it as file:///absolute/path',
        },
      );
    }
  }
  if (isAbsolute(artifactUri)) return resolve(artifactUri);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(artifactUri)?.[1];
  throw new StoreError(
    'INVALID_PARAMETER_VALUE',
    scheme
      ? `artifact URI "${artifactUri}" uses the "${scheme}:" scheme; mlrecipe stores artifacts only on the local file system`
      : `artifact URI "${artifactUri}" is relative; an artifact location must be an absolute path or file:// URI`,
    {
      hint: 'create the experiment with an absolute --artifact-location, e.g. file:///data/mlruns/artifacts',
    },
  );
}

/**
 * Normalises a user-given artifact path to `a/b/c` ('' for the root), refusing what would leave
 * the run's artifact root. `a/../b` is fine (it is `b`); `../x`, `/etc`, `C:\x` are not.
 */
export function normaliseArtifactPath(path: string | undefined): string {
  if (path === undefined || path === '' || path === '.' || path === '/') {
    if (path === '/') throw unsafePath(path, 'it is absolute');
    return '';
  }
  if (path.includes('\0')) throw unsafePath(path, 'it contains a NUL byte');
  if (path.includes('\\')) throw unsafePath(path, 'it contains a backslash; use / as the separator');
  if (posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path)) throw unsafePath(path, 'it is absolute');
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../'))
    throw unsafePath(path, 'it escapes the run’s artifact root');
  return normal === '.' ? '' : normal;
}

function unsafePath(path: string, why: string): StoreError {
  return new StoreError('INVALID_PARAMETER_VALUE', `invalid artifact path "${path}": ${why}`, {
    hint: 'give a path relative to the run’s artifact root, such as "model" or "plots/residuals"',
  });
}

function splitRel(rel: string): string[] {
  return rel === '' ? [] : rel.split('/');
}

function assertInside(realRoot: string, realTarget: string, userPath: string): void {
  if (isInside(realRoot, realTarget)) return;
  throw new StoreError(
    'INVALID_PARAMETER_VALUE',
    `invalid artifact path "${userPath}": it resolves through a symbolic link to ${realTarget}, outside the artifact root ${realRoot}`,
    { hint: 'remove the symbolic link from the artifact directory' },
  );
}

/**
 * Creates `<realRoot>/<rel>` directory by directory, checking at each level that an existing
 * entry (possibly a symlink planted in the tree) still resolves inside the root. Returns the
 * real path of the directory.
 */
function ensureDirInside(realRoot: string, rel: string): string {
  let current = realRoot;
  for (const part of splitRel(rel)) {
    const next = join(current, part);
    let info = lstatOrNull(next);
    if (info === null) {
      try {
        mkdirSync(next);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      info = lstatOrNull(next);
    }
    // `current` is a real path, so `next` is one too unless its last part is a symlink: a real
    // directory needs no realpath (which would lstat every component of the path again).
    const plainDir = info?.isDirectory() === true && part !== '.' && part !== '..';
    const real = plainDir ? next : realpathSync(next);
    assertInside(realRoot, real, rel);
    if (!plainDir && !statSync(real).isDirectory()) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `invalid artifact path "${rel}": ${part} is a file, not a directory`,
      );
    }
    current = real;
  }
  return current;
}

/**
 * Copy to a temporary sibling, then rename: readers see the old file or the new one, never a
 * partial copy. If the target is a symlink, rename replaces the link itself, not what it
 * points to, so nothing outside the tree is written.
 */
async function copyFileAtomic(source: string, target: string): Promise<void> {
  await replaceAtomicallyAsync(target, (temp) => copyFile(source, temp), { tempPrefix: TEMP_PREFIX });
}

/** Errors of link(2) that mean "cannot link here" rather than a problem with the files. */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Puts `source` at `target` atomically: a hard link when the source never changes (the artifact
 * then shares the cache entry's bytes), else — or when the file system cannot link — a copy. Both
 * are made under a temp name and renamed into place.
 */
async function placeFileAtomic(source: string, target: string, options: ArtifactLogOptions): Promise<void> {
  if (!options.immutableSource) return copyFileAtomic(source, target);
  const linked = replaceAtomically(
    target,
    (temp) => {
      try {
        linkSync(source, temp);
        return true;
      } catch (error) {
        if (!CANNOT_LINK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
        return false;
      }
    },
    { tempPrefix: TEMP_PREFIX },
  );
  if (!linked) await copyFileAtomic(source, target);
}

const TEMP_PREFIX = '.tmp-artifact-';

function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

type SourceEntry =
  | { kind: 'file'; rel: string; path: string }
  /** `linkText` is relative, so the copied link points at the copy of its target. */
  | { kind: 'link'; rel: string; linkText: string };

/**
 * What `logArtifacts(dir)` copies: regular files, and symbolic links as links when what they
 * resolve to lies inside `dir` (a symlinked directory is not descended into — its target is
 * copied where it lies). A link that resolves outside `dir` is refused: following it once copied
 * /etc into the store. Dangling links are skipped, as before: there is nothing to copy.
 */
function sourceEntries(dir: string): SourceEntry[] {
  const realDir = realpathSync(dir);
  const entries: SourceEntry[] = [];
  const visit = (realSub: string, prefix: string): void => {
    const children = readdirSync(realSub, { withFileTypes: true });
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      if (isTempName(child.name)) continue;
      const full = join(realSub, child.name);
      const rel = prefix ? join(prefix, child.name) : child.name;
      if (child.isDirectory()) visit(full, rel);
      else if (child.isFile()) entries.push({ kind: 'file', rel, path: full });
      else if (child.isSymbolicLink()) {
        const resolved = realpathOrNull(full);
        if (resolved === null) continue;
        if (!isInside(realDir, resolved)) {
          throw new StoreError(
            'INVALID_PARAMETER_VALUE',
            `${join(dir, rel)} is a symbolic link to ${resolved}, outside ${dir}; mlrecipe does not copy what lies outside the directory being logged`,
            {
              hint: `log ${resolved} on its own with logArtifact/logArtifacts, or replace the link with a copy of the files it points to`,
            },
          );
        }
        entries.push({ kind: 'link', rel, linkText: relative(realSub, resolved) || '.' });
      }
    }
  };
  visit(realDir, '');
  return entries;
}

function isInside(realRoot: string, realTarget: string): boolean {
  const rel = relative(realRoot, realTarget);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Creates the link under a temporary name, then renames it over `target` (atomic, like files). */
function symlinkAtomic(linkText: string, target: string): void {
  replaceAtomically(target, (temp) => symlinkSync(linkText, temp), { tempPrefix: TEMP_PREFIX });
}

/** Relative paths (native separators) of every file under `dir`, following symlinks once. */
async function* walkFiles(dir: string, prefix = '', seen = new Set<string>()): AsyncGenerator<string> {
  const real = await realpath(dir);
  // A symlink cycle would otherwise recurse forever.
  if (seen.has(real)) return;
  seen.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (isTempName(entry.name)) continue;
    const full = join(dir, entry.name);
    const rel = prefix ? join(prefix, entry.name) : entry.name;
    const info = statOrNull(full);
    if (info === null) continue;
    if (info.isDirectory()) yield* walkFiles(full, rel, seen);
    else if (info.isFile()) yield rel;
  }
}

// Metadata calls (stat, realpath, mkdir, link, rename) are synchronous here: on a local file
// system each takes microseconds, less than a round trip through libuv's thread pool and a
// promise, and a cached `recipe run` links a dozen files into its run this way. Copying file
// contents (copyFile, streams) stays asynchronous.

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
