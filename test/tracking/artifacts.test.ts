import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '../../src/errors.js';
import {
  LocalArtifactRepository,
  localPathFromArtifactUri,
  logArtifact,
  normaliseArtifactPath,
} from '../../src/tracking/artifact-repo.js';
import { findRepoRoot, resolveTrackingUri, sqlitePathFromUri } from '../../src/tracking/tracking-uri.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-artifacts-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function expectStoreError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).mlflowErrorCode).toBe(code);
  expect((error as StoreError).message).toMatch(pattern);
}

describe('LocalArtifactRepository', () => {
  async function fixture() {
    const src = join(tmp, 'src');
    await mkdir(join(src, 'model', 'data'), { recursive: true });
    await writeFile(join(src, 'model', 'MLmodel'), 'flavors: {}\n');
    await writeFile(join(src, 'model', 'data', 'weights.bin'), Buffer.alloc(1234, 7));
    await writeFile(join(src, 'notes.txt'), 'hello');
    const repo = new LocalArtifactRepository(join(tmp, 'run', 'artifacts'));
    return { src, repo };
  }

  it('logs a file under artifact_path/basename and lists it with FileInfo fields', async () => {
    const { src, repo } = await fixture();
    await repo.logArtifact(join(src, 'notes.txt'));
    await repo.logArtifact(join(src, 'notes.txt'), 'docs/deep');
    expect(await repo.listArtifacts()).toEqual([
      { path: 'docs', is_dir: true },
      { path: 'notes.txt', is_dir: false, file_size: 5 },
    ]);
    expect(await repo.listArtifacts('docs')).toEqual([{ path: 'docs/deep', is_dir: true }]);
    expect(await repo.listArtifacts('docs/deep/')).toEqual([
      { path: 'docs/deep/notes.txt', is_dir: false, file_size: 5 },
    ]);
    expect(await readFile(join(tmp, 'run', 'artifacts', 'docs', 'deep', 'notes.txt'), 'utf8')).toBe('hello');
  });

  it('links files from an immutable source instead of copying them; a later log replaces the link, not the source', async () => {
    const { src, repo } = await fixture();
    const root = join(tmp, 'run', 'artifacts');
    await repo.logArtifact(join(src, 'notes.txt'), 'cards', { immutableSource: true });
    await repo.logArtifacts(join(src, 'model'), 'model', { immutableSource: true });
    await repo.logArtifact(join(src, 'notes.txt'), 'copied');
    const inode = async (path: string) => (await stat(path)).ino;
    expect(await inode(join(root, 'cards', 'notes.txt'))).toBe(await inode(join(src, 'notes.txt')));
    expect(await inode(join(root, 'model', 'data', 'weights.bin'))).toBe(
      await inode(join(src, 'model', 'data', 'weights.bin')),
    );
    expect(await inode(join(root, 'copied', 'notes.txt'))).not.toBe(await inode(join(src, 'notes.txt')));
    // Logging the path again (a new file) swaps the name by rename: the linked source keeps its bytes.
    await writeFile(join(tmp, 'notes.txt'), 'other');
    await repo.logArtifact(join(tmp, 'notes.txt'), 'cards');
    expect(await readFile(join(root, 'cards', 'notes.txt'), 'utf8')).toBe('other');
    expect(await readFile(join(src, 'notes.txt'), 'utf8')).toBe('hello');
    expect((await readdir(join(root, 'cards'))).filter((n) => n.startsWith('.tmp-artifact-'))).toEqual([]);
  });

  it('logs a directory recursively and downloads files and trees back', async () => {
    const { src, repo } = await fixture();
    await repo.logArtifacts(join(src, 'model'), 'model');
    expect(await repo.listArtifacts('model')).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 12 },
      { path: 'model/data', is_dir: true },
    ]);
    expect(await repo.listArtifacts('model/data')).toEqual([
      { path: 'model/data/weights.bin', is_dir: false, file_size: 1234 },
    ]);

    const out = join(tmp, 'out');
    const tree = await repo.downloadArtifacts('model', out);
    expect(tree).toBe(join(out, 'model'));
    expect((await readFile(join(out, 'model', 'data', 'weights.bin'))).equals(Buffer.alloc(1234, 7))).toBe(
      true,
    );
    const file = await repo.downloadArtifacts('model/MLmodel', join(tmp, 'out2'));
    expect(file).toBe(join(tmp, 'out2', 'model', 'MLmodel'));
    expect(await readFile(file, 'utf8')).toBe('flavors: {}\n');
  });

  it('logs into the root when no artifact path is given, and leaves no temp files behind', async () => {
    const { src, repo } = await fixture();
    await repo.logArtifacts(src);
    await repo.logArtifacts(src); // overwrite in place
    const names = await readdir(join(tmp, 'run', 'artifacts'));
    expect(names.sort()).toEqual(['model', 'notes.txt']);
    expect((await repo.listArtifacts('model/data'))[0]?.file_size).toBe(1234);
  });

  it('lists a missing directory or a file path as empty, like MLflow', async () => {
    const { src, repo } = await fixture();
    expect(await repo.listArtifacts()).toEqual([]);
    await repo.logArtifact(join(src, 'notes.txt'));
    expect(await repo.listArtifacts('notes.txt')).toEqual([]);
    expect(await repo.listArtifacts('nope')).toEqual([]);
  });

  it.each([['../outside'], ['a/../../outside'], ['/etc'], ['C:/Windows'], ['a\\..\\..\\b'], ['..']])(
    'refuses artifact path %s with INVALID_PARAMETER_VALUE',
    async (bad) => {
      const { src, repo } = await fixture();
      await expectStoreError(
        repo.logArtifact(join(src, 'notes.txt'), bad),
        'INVALID_PARAMETER_VALUE',
        /invalid artifact path/,
      );
      await expectStoreError(repo.logArtifacts(src, bad), 'INVALID_PARAMETER_VALUE', /invalid artifact path/);
      await expectStoreError(repo.listArtifacts(bad), 'INVALID_PARAMETER_VALUE', /invalid artifact path/);
      await expectStoreError(
        repo.downloadArtifacts(bad, join(tmp, 'dl')),
        'INVALID_PARAMETER_VALUE',
        /invalid artifact path/,
      );
      expect(await readdir(tmp)).not.toContain('outside');
    },
  );

  it('accepts a harmless .. that stays inside after normalisation', async () => {
    expect(normaliseArtifactPath('a/../b/./c/')).toBe('b/c');
    expect(normaliseArtifactPath(undefined)).toBe('');
    expect(normaliseArtifactPath('.')).toBe('');
  });

  it('refuses to write or read through a symlink that leads out of the artifact root', async () => {
    const { src, repo } = await fixture();
    const outside = join(tmp, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await mkdir(repo.rootDir, { recursive: true });
    await symlink(outside, join(repo.rootDir, 'evil'));

    await expectStoreError(
      repo.logArtifact(join(src, 'notes.txt'), 'evil'),
      'INVALID_PARAMETER_VALUE',
      /outside the artifact root/,
    );
    await expectStoreError(
      repo.logArtifacts(src, 'evil/sub'),
      'INVALID_PARAMETER_VALUE',
      /outside the artifact root/,
    );
    expect(await readdir(outside)).toEqual(['secret.txt']);
    await expectStoreError(
      repo.listArtifacts('evil'),
      'INVALID_PARAMETER_VALUE',
      /outside the artifact root/,
    );
    await expectStoreError(
      repo.downloadArtifacts('evil/secret.txt', join(tmp, 'dl')),
      'INVALID_PARAMETER_VALUE',
      /outside/,
    );
    // A whole-tree download must not follow the link out either.
    await expectStoreError(
      repo.downloadArtifacts('', join(tmp, 'dl2')),
      'INVALID_PARAMETER_VALUE',
      /outside/,
    );
  });

  it('logArtifacts copies a symlink inside the directory as a symlink and refuses one leading out', async () => {
    const { src, repo } = await fixture();
    await symlink('model/MLmodel', join(src, 'MLmodel.link'));
    await symlink('../../model', join(src, 'model', 'data', 'up'));
    await repo.logArtifacts(src, 'logged');
    const logged = join(repo.rootDir, 'logged');
    expect(await readlink(join(logged, 'MLmodel.link'))).toBe('model/MLmodel');
    expect(await readFile(join(logged, 'MLmodel.link'), 'utf8')).toBe('flavors: {}\n');
    expect(await readlink(join(logged, 'model', 'data', 'up'))).toBe('..');
    expect((await lstat(join(logged, 'model', 'data', 'weights.bin'))).isFile()).toBe(true);

    const outside = join(tmp, 'etc-like');
    await mkdir(outside);
    await writeFile(join(outside, 'passwd'), 'root:x:0:0');
    const leaking = join(tmp, 'leaking');
    await mkdir(join(leaking, 'a'), { recursive: true });
    await writeFile(join(leaking, 'a', 'first.txt'), 'first');
    await symlink(outside, join(leaking, 'a', 'etc'));
    await symlink(join(outside, 'passwd'), join(leaking, 'z-passwd'));
    await expectStoreError(
      repo.logArtifacts(leaking, 'leak'),
      'INVALID_PARAMETER_VALUE',
      /leaking\/a\/etc is a symbolic link to .*etc-like, outside .*leaking/,
    );
    // Refused before anything was copied.
    expect(await repo.listArtifacts('leak')).toEqual([]);
    await rm(join(leaking, 'a', 'etc'));
    await expectStoreError(repo.logArtifacts(leaking, 'leak'), 'INVALID_PARAMETER_VALUE', /z-passwd/);
  });

  it('replaces a symlinked file target instead of writing through it', async () => {
    const { src, repo } = await fixture();
    const victim = join(tmp, 'victim.txt');
    await writeFile(victim, 'untouched');
    await mkdir(repo.rootDir, { recursive: true });
    await symlink(victim, join(repo.rootDir, 'notes.txt'));
    await repo.logArtifact(join(src, 'notes.txt'));
    expect(await readFile(victim, 'utf8')).toBe('untouched');
    expect(await readFile(join(repo.rootDir, 'notes.txt'), 'utf8')).toBe('hello');
  });

  it('reports missing sources and artifacts clearly', async () => {
    const { src, repo } = await fixture();
    await expectStoreError(
      repo.logArtifact(join(src, 'missing.txt')),
      'INVALID_PARAMETER_VALUE',
      /missing\.txt does not exist/,
    );
    await expectStoreError(repo.logArtifact(src), 'INVALID_PARAMETER_VALUE', /not a regular file/);
    await expectStoreError(
      repo.logArtifacts(join(src, 'notes.txt')),
      'INVALID_PARAMETER_VALUE',
      /not a directory/,
    );
    await expectStoreError(
      repo.downloadArtifacts('nope', join(tmp, 'dl')),
      'RESOURCE_DOES_NOT_EXIST',
      /no artifact "nope"/,
    );
  });

  it('accepts file:// URIs and absolute paths, and refuses other schemes', async () => {
    const root = join(tmp, 'a b');
    expect(localPathFromArtifactUri(pathToFileURL(root).href)).toBe(root);
    expect(localPathFromArtifactUri(root)).toBe(root);
    expect(() => localPathFromArtifactUri('s3://bucket/x')).toThrow(/"s3:" scheme/);
    expect(() => localPathFromArtifactUri('relative/dir')).toThrow(/relative/);
    await logArtifact(pathToFileURL(root).href, join((await fixture()).src, 'notes.txt'), 'x');
    expect(await readFile(join(root, 'x', 'notes.txt'), 'utf8')).toBe('hello');
  });
});

describe('resolveTrackingUri', () => {
  it('prefers the flag, then RECIPE_TRACKING_URI, then MLFLOW_TRACKING_URI', () => {
    const env = { RECIPE_TRACKING_URI: 'sqlite:////r/recipe.db', MLFLOW_TRACKING_URI: 'http://mlflow:5000' };
    expect(resolveTrackingUri({ flag: 'postgresql://u@h/db', cwd: tmp, env })).toMatchObject({
      uri: 'postgresql://u@h/db',
      backend: 'postgresql',
      source: 'flag',
    });
    expect(resolveTrackingUri({ cwd: tmp, env })).toMatchObject({
      uri: 'sqlite:////r/recipe.db',
      backend: 'sqlite',
      source: 'RECIPE_TRACKING_URI',
      defaultArtifactRoot: '/r/artifacts',
    });
    expect(resolveTrackingUri({ cwd: tmp, env: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' } })).toEqual({
      uri: 'http://mlflow:5000',
      backend: 'http',
      source: 'MLFLOW_TRACKING_URI',
    });
  });

  it('defaults to mlruns/tracking.db at the nearest ancestor holding .git', async () => {
    const repo = join(tmp, 'repo');
    const deep = join(repo, 'a', 'b');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(deep, { recursive: true });
    expect(findRepoRoot(deep)).toBe(repo);
    const resolved = resolveTrackingUri({ cwd: deep, env: {} });
    expect(resolved).toEqual({
      uri: `sqlite:///${repo}/mlruns/tracking.db`,
      backend: 'sqlite',
      source: 'default',
      defaultArtifactRoot: join(repo, 'mlruns', 'artifacts'),
    });
    expect(sqlitePathFromUri(resolved.uri)).toBe(join(repo, 'mlruns', 'tracking.db'));
  });

  it('falls back to cwd outside a git repository', () => {
    const resolved = resolveTrackingUri({ cwd: tmp, env: {} });
    // tmpdir() is not inside a repository on any machine we run on.
    expect(resolved.uri).toBe(`sqlite:///${tmp}/mlruns/tracking.db`);
  });

  it('reads relative sqlite URIs against cwd, as SQLAlchemy does', () => {
    const resolved = resolveTrackingUri({ flag: 'sqlite:///sub/t.db', cwd: tmp, env: {} });
    expect(resolved.uri).toBe(`sqlite:///${tmp}/sub/t.db`);
    expect(resolved.defaultArtifactRoot).toBe(join(tmp, 'sub', 'artifacts'));
  });

  it('accepts the short sqlite:path forms too', () => {
    expect(resolveTrackingUri({ flag: 'sqlite:rel/t.db', cwd: tmp, env: {} }).uri).toBe(
      `sqlite:///${tmp}/rel/t.db`,
    );
    expect(resolveTrackingUri({ flag: 'sqlite:/abs/t.db', cwd: tmp, env: {} }).uri).toBe(
      'sqlite:////abs/t.db',
    );
    expect(() => resolveTrackingUri({ flag: 'sqlite:', cwd: tmp, env: {} })).toThrow(
      /names no database file/,
    );
  });

  it.each([['./mlruns'], ['mlruns'], ['/abs/mlruns'], ['file:///abs/mlruns']])(
    'refuses the file store path %s with a UsageError pointing at sqlite',
    (value) => {
      let error: unknown;
      try {
        resolveTrackingUri({ flag: value, cwd: tmp, env: {} });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(/file store/);
      expect((error as UsageError).hint).toMatch(/sqlite:\/\/\//);
    },
  );

  it('names the environment variable that holds a bad URI', () => {
    expect(() => resolveTrackingUri({ cwd: tmp, env: { MLFLOW_TRACKING_URI: 'databricks://x' } })).toThrow(
      /\$MLFLOW_TRACKING_URI is "databricks:\/\/x": unsupported/,
    );
    expect(() => resolveTrackingUri({ flag: 'sqlite:///:memory:', cwd: tmp, env: {} })).toThrow(/in-memory/);
  });
});
