import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../src/errors.js';
import { getEntryPoint, loadProject } from '../../src/projects/mlproject.js';

function projectWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-mlproject-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadProject', () => {
  it('reads short and long parameter forms, defaults as strings, and the environment', () => {
    const dir = projectWith({
      MLproject: [
        'name: wine',
        'python_env: python_env.yaml',
        'entry_points:',
        '  main:',
        '    parameters:',
        '      alpha: float',
        '      l1_ratio: {type: float, default: 0.1}',
        '      data: {type: path, default: data.csv}',
        '      label: {default: quality}',
        '    command: "python train.py {alpha} {l1_ratio} {data} {label}"',
        '  validate:',
        '    command: "python validate.py"',
      ].join('\n'),
      'python_env.yaml': 'python: "3.11"\n',
    });
    const project = loadProject(dir);
    expect(project.name).toBe('wine');
    expect(project.environment).toEqual({ kind: 'python_env', file: join(dir, 'python_env.yaml') });
    const main = getEntryPoint(project, 'main');
    expect(main.parameters).toEqual([
      { name: 'alpha', type: 'float' },
      { name: 'l1_ratio', type: 'float', default: '0.1' },
      { name: 'data', type: 'path', default: 'data.csv' },
      { name: 'label', type: 'string', default: 'quality' },
    ]);
    expect(getEntryPoint(project, 'validate').parameters).toEqual([]);
  });

  it('finds the MLproject file case-insensitively, as MLflow does', () => {
    const dir = projectWith({ mlproject: 'entry_points:\n  main:\n    command: echo hi\n' });
    expect(getEntryPoint(loadProject(dir), 'main').command).toBe('echo hi');
  });

  it('names file, line and column of schema errors', () => {
    const dir = projectWith({
      MLproject: [
        'name: x',
        'entry_points:',
        '  main:',
        '    parameters:',
        '      alpha: double',
        '    command: run',
      ].join('\n'),
    });
    const error = configError(() => loadProject(dir));
    expect(error.file).toBe(join(dir, 'MLproject'));
    expect(error.line).toBe(5);
    expect(error.column).toBe(14);
    expect(error.path).toBe('entry_points.main.parameters.alpha');
    expect(error.message).toMatch(/must be one of "float", "int", "string", "path", "uri"/);
  });

  it('points at unknown fields, missing commands and YAML syntax errors', () => {
    const typo = configError(() =>
      loadProject(projectWith({ MLproject: 'name: x\nentry_point:\n  main: {}\n' })),
    );
    expect(typo.line).toBe(2);
    expect(typo.message).toMatch(/unknown field "entry_point"/);
    const noCommand = configError(() =>
      loadProject(projectWith({ MLproject: 'entry_points:\n  main:\n    parameters: {}\n' })),
    );
    expect(noCommand.message).toMatch(/missing required field "command"/);
    expect(noCommand.line).toBe(3);
    const syntax = configError(() => loadProject(projectWith({ MLproject: 'entry_points:\n  main: [\n' })));
    expect(syntax.message).toMatch(/YAML syntax error/);
  });

  it('rejects bad defaults and commands using undeclared parameters, at their positions', () => {
    const dir = projectWith({
      MLproject: [
        'entry_points:',
        '  main:',
        '    parameters:',
        '      alpha: {type: float, default: fast}',
        '    command: "python train.py {alpha} {beta}"',
      ].join('\n'),
    });
    const error = configError(() => loadProject(dir));
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatchObject({ line: 4, path: 'entry_points.main.parameters.alpha.default' });
    expect(error.issues[0]?.message).toMatch(/must be a float, got "fast"/);
    expect(error.issues[1]).toMatchObject({ line: 5, path: 'entry_points.main.command' });
    expect(error.issues[1]?.message).toMatch(/\{beta\}/);
  });

  it('refuses two environments', () => {
    const dir = projectWith({
      MLproject: 'conda_env: conda.yaml\ndocker_env: {image: x}\nentry_points: {main: {command: x}}\n',
      'conda.yaml': 'name: x\n',
    });
    expect(configError(() => loadProject(dir)).message).toMatch(/declares conda_env and docker_env/);
  });

  it('reads node_env inline and from a file', () => {
    const inline = loadProject(
      projectWith({ MLproject: 'node_env: {node: ">=20"}\nentry_points: {main: {command: x}}\n' }),
    );
    expect(inline.environment).toEqual({ kind: 'node_env', node: '>=20', npmCi: true });
    const fromFile = loadProject(
      projectWith({
        MLproject: 'node_env: node_env.yaml\nentry_points: {main: {command: x}}\n',
        'node_env.yaml': 'node: "^20"\nnpm_ci: false\n',
      }),
    );
    expect(fromFile.environment).toEqual({ kind: 'node_env', node: '^20', npmCi: false });
  });
});

describe('projects without an MLproject file', () => {
  it('run script files with their interpreter, taking the environment from python_env.yaml', () => {
    const dir = projectWith({
      'train.py': 'print(1)\n',
      'etl.ts': '',
      'job.sh': '',
      'python_env.yaml': 'python: "3"\n',
    });
    const project = loadProject(dir);
    expect(project.file).toBeUndefined();
    expect(project.environment.kind).toBe('python_env');
    expect(getEntryPoint(project, 'train.py').command).toMatch(/python3? train\.py$/);
    expect(getEntryPoint(project, 'job.sh').command).toBe('bash job.sh');
    expect(getEntryPoint(project, 'etl.ts').command).toMatch(/--import .*tsx.* etl\.ts$/);
  });

  it('says which entry points exist when the name matches nothing', () => {
    const project = loadProject(
      projectWith({ MLproject: 'entry_points: {main: {command: x}, etl: {command: y}}\n' }),
    );
    expect(() => getEntryPoint(project, 'train')).toThrow(UsageError);
    try {
      getEntryPoint(project, 'train');
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/declared entry points: main, etl/);
    }
    const scripts = loadProject(projectWith({ 'a.txt': '' }));
    expect(() => getEntryPoint(scripts, '../outside.py')).toThrow(/not declared/);
  });
});
