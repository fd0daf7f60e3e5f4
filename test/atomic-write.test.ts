import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  copyFileAtomic,
  replaceAtomically,
  replaceAtomicallyAsync,
  tempPathBeside,
  writeFileAtomic,
} from '../src/atomic-write.js';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The only places in src/ that may rename: the helper itself, and moves of finished directories
 * that are not writes (the step cache committing or removing an entry, the recipe lock moving a
 * stale lock aside, the artifact cache moving an evicted entry aside before deleting it).
 */
const RENAME_ALLOWED = new Set([
  'atomic-write.ts',
  'recipes/cache.ts',
  'recipes/lock.ts',
  'tracking/artifact-cache.ts',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('atomic writes', () => {
  it('src/ writes through src/atomic-write.ts: no hand-written temp + rename elsewhere', () => {
    const offenders = sourceFiles(srcDir)
      .map((file) => relative(srcDir, file).split('\\').join('/'))
      .filter((rel) => !RENAME_ALLOWED.has(rel))
      .filter((rel) => /\brename(Sync)?\s*\(/.test(readFileSync(join(srcDir, rel), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('writes a file through a temp in the same directory and leaves nothing else', () => {
    const file = join(dir, 'out.json');
    expect(dirname(tempPathBeside(file))).toBe(dir);
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, new TextEncoder().encode('two'));
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('a failure while writing leaves the old content and no temp', () => {
    const file = join(dir, 'model.txt');
    writeFileSync(file, 'old');
    expect(() =>
      replaceAtomically(file, (temp) => {
        writeFileSync(temp, 'half');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['model.txt']);
  });

  it('replaces a symlink itself, never the file it points to', () => {
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'keep');
    const link = join(dir, 'link.txt');
    symlinkSync(outside, link);
    const source = join(dir, 'source.txt');
    writeFileSync(source, 'new');
    copyFileAtomic(source, link);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(readFileSync(link, 'utf8')).toBe('new');
  });

  it('builds a directory under a temp name and returns what the builder returned', () => {
    const target = join(dir, 'model');
    const files = replaceAtomically(target, (temp) => {
      mkdirSync(temp);
      writeFileSync(join(temp, 'MLmodel'), 'flavors: {}\n');
      return readdirSync(temp);
    });
    expect(files).toEqual(['MLmodel']);
    expect(readdirSync(target)).toEqual(['MLmodel']);
    expect(readdirSync(dir)).toEqual(['model']);
  });

  it('a directory another process finished first is kept with keepExisting, else an error', async () => {
    const target = join(dir, 'checkout');
    mkdirSync(target);
    writeFileSync(join(target, 'theirs'), '');
    const build = async (temp: string): Promise<void> => {
      mkdirSync(temp);
      writeFileSync(join(temp, 'ours'), '');
    };
    await replaceAtomicallyAsync(target, build, { keepExisting: true });
    expect(readdirSync(target)).toEqual(['theirs']);
    expect(readdirSync(dir)).toEqual(['checkout']);
    await expect(replaceAtomicallyAsync(target, build)).rejects.toThrow(/ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(['checkout']);
  });

  it('a temp prefix lets a directory listing skip temps (the artifact store)', async () => {
    const link = join(dir, 'latest');
    await replaceAtomicallyAsync(
      link,
      async (temp) => {
        expect(temp.slice(dir.length + 1).startsWith('.tmp-artifact-latest.')).toBe(true);
        await symlink('v1', temp);
      },
      { tempPrefix: '.tmp-artifact-' },
    );
    expect(readlinkSync(link)).toBe('v1');
  });
});
