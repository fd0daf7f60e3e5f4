import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globToRegExp, resolveLocation } from '../../src/data/index.js';
import { DataError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'mlrecipe-loc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const f of [
  'data/a.csv',
  'data/b.csv',
  'data/c.json',
  'data/2024/d.csv',
  'data/2024/01/e.csv',
  'data/.hidden.csv',
  'other/f.csv',
]) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), 'x\n1\n');
}
const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1));

describe('resolveLocation', () => {
  it('resolves a relative path against the recipe directory and accepts absolute paths', () => {
    expect(rel(resolveLocation({ location: 'data/a.csv', baseDir: root }))).toEqual(['data/a.csv']);
    expect(
      rel(resolveLocation({ location: join(root, 'other/f.csv'), baseDir: join(root, 'data') })),
    ).toEqual(['other/f.csv']);
    // Paths outside the recipe directory are allowed (MLflow reads any local path), normalised.
    expect(rel(resolveLocation({ location: '../other/./f.csv', baseDir: join(root, 'data') }))).toEqual([
      'other/f.csv',
    ]);
  });

  it('expands * within a directory, ** across directories, {a,b} alternatives; sorted; hidden files skipped', () => {
    expect(rel(resolveLocation({ location: 'data/*.csv', baseDir: root }))).toEqual([
      'data/a.csv',
      'data/b.csv',
    ]);
    expect(rel(resolveLocation({ location: 'data/**/*.csv', baseDir: root }))).toEqual([
      'data/2024/01/e.csv',
      'data/2024/d.csv',
      'data/a.csv',
      'data/b.csv',
    ]);
    expect(rel(resolveLocation({ location: 'data/*.{csv,json}', baseDir: root }))).toEqual([
      'data/a.csv',
      'data/b.csv',
      'data/c.json',
    ]);
    expect(rel(resolveLocation({ location: 'data/?.csv', baseDir: root }))).toEqual([
      'data/a.csv',
      'data/b.csv',
    ]);
  });

  it('takes a list (duplicates removed, order kept) and a directory (files of the format)', () => {
    expect(rel(resolveLocation({ location: ['data/b.csv', 'data/*.csv'], baseDir: root }))).toEqual([
      'data/b.csv',
      'data/a.csv',
    ]);
    expect(rel(resolveLocation({ location: 'data', baseDir: root, format: 'json' }))).toEqual([
      'data/c.json',
    ]);
  });

  it('names the field and the path when nothing matches', () => {
    expect(() =>
      resolveLocation({ location: 'data/missing.csv', baseDir: root, field: 'steps.ingest.location' }),
    ).toThrow(/steps\.ingest\.location: .*data\/missing\.csv does not exist/);
    expect(() => resolveLocation({ location: 'data/*.parquet', baseDir: root })).toThrow(DataError);
    expect(() => resolveLocation({ location: [], baseDir: root })).toThrow(/non-empty list/);
    expect(() => resolveLocation({ location: 'https://example.com/x.csv', baseDir: root })).toThrow(
      /local files only/,
    );
  });
});

describe('resolveLocation with symlinks', () => {
  it('includes symlinked files, skips dangling links', () => {
    const dir = join(root, 'linked');
    mkdirSync(dir);
    symlinkSync(join(root, 'data', 'a.csv'), join(dir, 'a.csv'));
    symlinkSync(join(root, 'nowhere.csv'), join(dir, 'b.csv'));
    expect(rel(resolveLocation({ location: 'linked/*.csv', baseDir: root }))).toEqual(['linked/a.csv']);
  });
});

describe('globToRegExp', () => {
  it.each([
    ['*.csv', 'a.csv', true],
    ['*.csv', 'x/a.csv', false],
    ['**/*.csv', 'a.csv', true],
    ['**/*.csv', 'x/y/a.csv', true],
    ['data.[ct]sv', 'data.tsv', true],
    ['data.[!c]sv', 'data.csv', false],
    ['a+b(1).csv', 'a+b(1).csv', true],
    // Nested alternatives (picomatch; the hand-written matcher before it had one brace level).
    ['{a,b{1,2}}.csv', 'b2.csv', true],
    ['{a,b{1,2}}.csv', 'b.csv', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
