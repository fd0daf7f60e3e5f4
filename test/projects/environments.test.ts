import { describe, expect, it } from 'vitest';
import { satisfiesNodeRange } from '../../src/projects/environments.js';
import { parseProjectUri } from '../../src/projects/git-source.js';

describe('satisfiesNodeRange', () => {
  it.each([
    ['20.19.1', '>=20', true],
    ['20.19.1', '>=20.20', false],
    ['20.19.1', '^20.5', true],
    ['21.0.0', '^20.5', false],
    ['20.19.1', '~20.19.0', true],
    ['20.20.0', '~20.19.0', false],
    ['20.19.1', '20', true],
    ['20.19.1', '20.x', true],
    ['22.1.0', '>=18 <22', false],
    ['22.1.0', '18 || >=22', true],
    ['20.0.0', '>20', false],
    ['21.0.0', '>20', true],
    ['20.5.0', '<=20', true],
    ['20.19.1', '*', true],
    // Forms npm accepts that the hand-written parser before `semver` refused.
    ['20.19.1', '18 - 20', true],
    ['21.0.0', '18 - 20', false],
    ['20.19.1', '>= 20.0.0 < 21', true],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfiesNodeRange(version, range)).toBe(expected);
  });

  it('refuses ranges it does not understand', () => {
    expect(() => satisfiesNodeRange('20.0.0', 'latest')).toThrow(/not a semver range/);
  });
});

describe('parseProjectUri', () => {
  it.each([
    ['.', { kind: 'local', path: '.' }],
    ['proj#sub/dir', { kind: 'local', path: 'proj', subdirectory: 'sub/dir' }],
    [
      'https://github.com/mlflow/mlflow-example',
      { kind: 'git', repoUrl: 'https://github.com/mlflow/mlflow-example' },
    ],
    [
      'git@github.com:org/repo.git#examples/x',
      { kind: 'git', repoUrl: 'git@github.com:org/repo.git', subdirectory: 'examples/x' },
    ],
    ['file:///tmp/repo#a', { kind: 'git', repoUrl: 'file:///tmp/repo', subdirectory: 'a' }],
    ['/abs/dir', { kind: 'local', path: '/abs/dir' }],
  ])('%s', (uri, expected) => {
    expect(parseProjectUri(uri)).toEqual(expected);
  });

  it('refuses subdirectories that leave the project', () => {
    expect(() => parseProjectUri('https://h/r#../x')).toThrow(/escapes the project/);
    expect(() => parseProjectUri('dir#/etc')).toThrow(/escapes the project/);
  });
});
