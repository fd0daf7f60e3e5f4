import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { EntryPoint } from '../../src/projects/mlproject.js';
import {
  checkParameterValue,
  parseParameterAssignments,
  resolveParameters,
} from '../../src/projects/params.js';

const entryPoint: EntryPoint = {
  name: 'main',
  command: 'python train.py',
  source: { file: 'MLproject', line: 1, column: 1 },
  parameters: [
    { name: 'alpha', type: 'float', default: '0.1' },
    { name: 'epochs', type: 'int' },
    { name: 'data', type: 'path', default: 'data' },
    { name: 'model_uri', type: 'uri', default: 'models:/wine/1' },
    { name: 'label', type: 'string', default: 'quality' },
  ],
};

function tempCwd(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-params-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'train.csv'), 'a,b\n');
  return dir;
}

describe('resolveParameters', () => {
  it('applies defaults, records values as given, resolves path params to absolute paths', () => {
    const cwd = tempCwd();
    const resolved = resolveParameters({ entryPoint, given: { epochs: '3', data: 'train.csv' }, cwd });
    expect(resolved.declared).toEqual({
      alpha: '0.1',
      epochs: '3',
      data: 'train.csv',
      model_uri: 'models:/wine/1',
      label: 'quality',
    });
    expect(resolved.commandValues.data).toBe(join(cwd, 'train.csv'));
    expect(resolved.commandValues.alpha).toBe('0.1');
    expect(resolved.extra).toEqual({});
  });

  it('accepts file: URIs for path params and keeps uri params as they are', () => {
    const cwd = tempCwd();
    const url = pathToFileURL(join(cwd, 'train.csv')).href;
    const resolved = resolveParameters({
      entryPoint,
      given: { epochs: '1', data: url, model_uri: 's3://b/k' },
      cwd,
    });
    expect(resolved.commandValues.data).toBe(join(cwd, 'train.csv'));
    expect(resolved.commandValues.model_uri).toBe('s3://b/k');
  });

  it('separates undeclared keys as extra parameters', () => {
    const resolved = resolveParameters({ entryPoint, given: { epochs: '1', seed: '7' }, cwd: tempCwd() });
    expect(resolved.extra).toEqual({ seed: '7' });
    expect(resolved.declared.seed).toBeUndefined();
  });

  it('names every missing required parameter before anything runs', () => {
    expect(() => resolveParameters({ entryPoint, given: {}, cwd: tempCwd() })).toThrow(
      /needs parameter epochs \(int\), which has no default/,
    );
  });

  it.each([
    [{ epochs: '1', alpha: 'abc' }, /parameter alpha must be a float, got "abc"/],
    [{ epochs: '1.5' }, /parameter epochs must be an int, got "1.5"/],
    [{ epochs: '1', model_uri: 'relative/path' }, /parameter model_uri must be a URI/],
    [{ epochs: '1', data: 'nope.csv' }, /parameter data is the path "nope.csv", but no file or directory/],
    [{ epochs: '1', data: 's3://bucket/x' }, /remote URI/],
  ])('rejects %j', (given, message) => {
    const call = () => resolveParameters({ entryPoint, given, cwd: tempCwd() });
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });

  it('accepts Python float spellings', () => {
    for (const v of ['1', '-2.5', '.5', '1e-3', '3.', 'nan', 'Infinity', '+1E4']) {
      expect(checkParameterValue({ name: 'a', type: 'float' }, v)).toBeUndefined();
    }
  });
});

describe('parseParameterAssignments', () => {
  it('splits at the first = and lets later keys win', () => {
    expect(parseParameterAssignments(['a=1', 'q=x=y', 'a=2', 'e='])).toEqual({ a: '2', q: 'x=y', e: '' });
  });
  it('refuses pairs without a key', () => {
    expect(() => parseParameterAssignments(['=1'])).toThrow(/not key=value/);
    expect(() => parseParameterAssignments(['alpha'])).toThrow(UsageError);
  });
});
