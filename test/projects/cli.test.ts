import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrackingStore, type TrackingStore } from '../../src/tracking/index.js';
import { type CliResult, cleanEnv, cli, runCli, runCliProcess } from '../helpers/cli.js';
import { git, initRepo, tagsOf, tempDirWith, writeFiles } from './fixtures.js';

function recipe(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCliProcess(args, { cwd, env: cleanEnv() });
}

function recipeWithEnv(cwd: string, extra: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  return runCliProcess(args, { cwd, env: { ...cleanEnv(), ...extra } });
}

async function withStore<T>(dir: string, fn: (store: TrackingStore) => Promise<T>): Promise<T> {
  const store = await openTrackingStore(`sqlite:///${join(dir, 'mlruns', 'tracking.db')}`, {
    defaultArtifactRoot: join(dir, 'mlruns', 'artifacts'),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const MLPROJECT = `
entry_points:
  main:
    parameters:
      alpha: float
      name: {type: string, default: "a b"}
    command: "echo alpha={alpha} name={name}"
  fail:
    command: "echo broken >&2; exit 3"
  sleep:
    command: "sleep 300 & echo $! > sleep.pid; wait"
`;

describe('recipe project run', () => {
  it('runs, records and echoes; extra -P are appended; exit 0', async () => {
    const dir = tempDirWith({ 'p/MLproject': MLPROJECT });
    const result = await recipe(
      dir,
      'project',
      'run',
      'p',
      '-P',
      'alpha=0.5',
      '-P',
      'extra=x y',
      '--experiment-name',
      'cli',
      '--run-name',
      'first',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('alpha=0.5 name=a b --extra x y\n');
    expect(result.stderr).toMatch(/=== Run \(ID '[0-9a-f]{32}'\) succeeded ===/);
    await withStore(dir, async (store) => {
      const experiment = await store.getExperimentByName('cli');
      const runs = await store.searchRuns({ experimentIds: [experiment?.experiment_id as string] });
      expect(runs.runs).toHaveLength(1);
      expect(runs.runs[0]?.info.run_name).toBe('first');
      expect(tagsOf(runs.runs[0] as never)['mlflow.project.entryPoint']).toBe('main');
    });
  });

  it('exits 1 and says so when the command fails; 2 for bad parameters and unavailable environments', async () => {
    const dir = tempDirWith({
      'p/MLproject': MLPROJECT,
      'c/MLproject': 'conda_env: conda.yaml\nentry_points: {main: {command: "true"}}\n',
      'c/conda.yaml': 'name: c\n',
    });
    const failed = await recipe(dir, 'project', 'run', 'p', '-e', 'fail');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /error: step project fail failed: the command exited with code 3; run [0-9a-f]{32} is FAILED/,
    );
    expect(failed.stderr).toContain('broken');
    const badParam = await recipe(dir, 'project', 'run', 'p', '-P', 'alpha=fast');
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/parameter alpha must be a float, got "fast"/);
    const conda = await recipe(dir, 'project', 'run', 'c');
    expect(conda.code).toBe(2);
    expect(conda.stderr).toMatch(/conda is not installed/);
    expect(conda.stderr).toMatch(/hint: .*--env-manager local/);
    const badManager = await recipe(dir, 'project', 'run', 'p', '--env-manager', 'pip');
    expect(badManager.code).toBe(2);
    // Only the failing command created a run.
    await withStore(dir, async (store) => {
      const runs = await store.searchRuns({ experimentIds: ['0'] });
      expect(runs.runs.map((r) => r.info.status)).toEqual(['FAILED']);
    });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s stops the child process group and records KILLED',
    async (signal) => {
      const dir = tempDirWith({ 'p/MLproject': MLPROJECT });
      const child = spawn(process.execPath, [cli, 'project', 'run', 'p', '-e', 'sleep'], {
        cwd: dir,
        env: cleanEnv(),
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const pidFile = join(dir, 'p', 'sleep.pid');
      await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
      const sleepPid = Number(readFileSync(pidFile, 'utf8'));
      expect(isAlive(sleepPid)).toBe(true);
      child.kill(signal);
      const code = await new Promise<number | string | null>((done) =>
        child.on('exit', (c, sig) => done(c ?? sig)),
      );
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(/was killed/);
      expect(isAlive(sleepPid)).toBe(false);
      await withStore(dir, async (store) => {
        const runs = await store.searchRuns({ experimentIds: ['0'] });
        expect(runs.runs[0]?.info.status).toBe('KILLED');
      });
    },
  );

  it("takes --version for git sources (MLflow's flag) while recipe --version still prints the package version", async () => {
    const repo = tempDirWith({
      'proj/MLproject': 'entry_points:\n  main: {command: "cat v.txt"}\n',
      'proj/v.txt': 'one\n',
    });
    initRepo(repo);
    git(repo, 'tag', 'v1');
    writeFiles(repo, { 'proj/v.txt': 'two\n' });
    git(repo, 'commit', '-q', '-am', 'two');
    const dir = tempDirWith({});
    const cache = tempDirWith({});
    const uri = `file://${repo}#proj`;
    const env = { RECIPE_CACHE_DIR: cache };
    const tagged = await recipeWithEnv(
      dir,
      env,
      'project',
      'run',
      uri,
      '--version',
      'v1',
      '--tracking-uri',
      `sqlite:///${join(dir, 'db', 'tracking.db')}`,
    );
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout).toBe('one\n');
    const head = await recipeWithEnv(
      dir,
      env,
      '--tracking-uri',
      `sqlite:///${join(dir, 'db', 'tracking.db')}`,
      'project',
      'run',
      uri,
    );
    expect(head.stdout).toBe('two\n');
    expect(existsSync(join(dir, 'db', 'tracking.db'))).toBe(true);
    const version = await recipe(dir, '--version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('--detach prints the run id and leaves the run going', async () => {
    const dir = tempDirWith({
      'p/MLproject': 'entry_points:\n  main: {command: "echo detached > out.txt"}\n',
    });
    const result = await recipe(dir, 'project', 'run', 'p', '--detach');
    expect(result.code, result.stderr).toBe(0);
    const runId = result.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    await until(() => existsSync(join(dir, 'p', 'out.txt')));
    await withStore(dir, async (store) => {
      await until(async () => (await store.getRun(runId)).info.status === 'FINISHED');
    });
  });
});

describe('recipe project run in-process (main(argv, io), as runCli calls it)', () => {
  // The command reads the command line it was given, not process.argv (the test runner's here).
  it("takes --version after the subcommand as the git revision, from main's argv", async () => {
    const repo = tempDirWith({
      'proj/MLproject': 'entry_points:\n  main: {command: "cat v.txt"}\n',
      'proj/v.txt': 'one\n',
    });
    const first = initRepo(repo).trim();
    git(repo, 'tag', 'v1');
    writeFiles(repo, { 'proj/v.txt': 'two\n' });
    git(repo, 'commit', '-q', '-am', 'two');
    const dir = tempDirWith({});
    const result = await runCli(['project', 'run', `file://${repo}#proj`, '--version', 'v1'], {
      cwd: dir,
      env: { ...cleanEnv(), RECIPE_CACHE_DIR: tempDirWith({}) },
    });
    expect(result.code, result.stderr).toBe(0);
    // The project's output reaches main's stdout, not the process's.
    expect(result.stdout).toBe('one\n');
    await withStore(dir, async (store) => {
      const { runs } = await store.searchRuns({ experimentIds: ['0'] });
      expect(runs.map((run) => tagsOf(run)['mlflow.source.git.commit'])).toEqual([first]);
    });
  });

  it('--detach starts the same command line (minus --detach) with the recipe entry point', async () => {
    const dir = tempDirWith({
      'p/MLproject': 'entry_points:\n  main: {command: "echo detached > out.txt"}\n',
    });
    const result = await runCli(['project', 'run', 'p', '--detach'], { cwd: dir, env: cleanEnv() });
    expect(result.code, result.stderr).toBe(0);
    const runId = result.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    await until(() => existsSync(join(dir, 'p', 'out.txt')));
    await withStore(dir, async (store) => {
      await until(async () => (await store.getRun(runId)).info.status === 'FINISHED');
    });
  });
});

describe('recipe workflow run', () => {
  it('runs a three-step workflow, and re-run executes nothing, linking the earlier runs', async () => {
    const dir = tempDirWith({
      MLproject: [
        'entry_points:',
        '  a: {command: "echo a >> executed.log; echo \'{{\\"n\\": 1}}\' > \\"$RECIPE_OUTPUTS_FILE\\""}',
        '  b: {parameters: {n: int}, command: "echo b {n} >> executed.log"}',
        '  c: {command: "echo c >> executed.log"}',
      ].join('\n'),
      'workflow.yaml': [
        'name: three',
        'steps:',
        '  a: {entry_point: a}',
        '  b: {entry_point: b, parameters: {n: "{{ steps.a.outputs.n }}"}}',
        '  c: {entry_point: c, depends_on: [b]}',
      ].join('\n'),
      '.gitignore': 'executed.log\n',
    });
    // In a git repository the identity is the commit plus uncommitted code; ignored files
    // (the log the steps append to) do not count.
    initRepo(dir);
    const first = await recipe(dir, 'workflow', 'run', '-o', 'json');
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout);
    expect(r1.executed).toEqual(['a', 'b', 'c']);
    expect(readFileSync(join(dir, 'executed.log'), 'utf8')).toBe('a\nb 1\nc\n');

    const second = await recipe(dir, 'workflow', 'run', 'workflow.yaml');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^a\s+[0-9a-f]{32}\s+FINISHED\s+reused$/m);
    expect(second.stdout.match(/reused/g)).toHaveLength(3);
    expect(readFileSync(join(dir, 'executed.log'), 'utf8')).toBe('a\nb 1\nc\n');
    for (const step of r1.steps as Array<{ runId: string }>) expect(second.stdout).toContain(step.runId);

    const forced = await recipe(dir, 'workflow', 'run', '--no-reuse', '-o', 'json');
    expect(JSON.parse(forced.stdout).executed).toEqual(['a', 'b', 'c']);
  });
});

describe('recipe workflow run, interrupted', () => {
  it('on SIGTERM stops the running step, marks it and the parent KILLED and starts nothing else', async () => {
    const dir = tempDirWith({
      MLproject:
        'entry_points:\n  sleep: {command: "sleep 300 & echo $! > sleep.pid; wait"}\n  after: {command: "touch after.ran"}\n',
      'workflow.yaml':
        'name: long\nsteps:\n  sleep: {entry_point: sleep}\n  after: {entry_point: after, depends_on: [sleep]}\n',
    });
    const child = spawn(process.execPath, [cli, 'workflow', 'run'], { cwd: dir, env: cleanEnv() });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const pidFile = join(dir, 'sleep.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const sleepPid = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(code, stderr).toBe(1);
    expect(isAlive(sleepPid)).toBe(false);
    expect(existsSync(join(dir, 'after.ran'))).toBe(false);
    await withStore(dir, async (store) => {
      const runs = await store.searchRuns({ experimentIds: ['0'] });
      const statuses = Object.fromEntries(runs.runs.map((r) => [r.info.run_name, r.info.status]));
      expect(statuses).toEqual({ long: 'KILLED', sleep: 'KILLED' });
    });
  });
});

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met within 30 s');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
