import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { EnvironmentUnavailableError } from '../../src/projects/environments.js';
import { runProject } from '../../src/projects/run-project.js';
import { localPathFromArtifactUri } from '../../src/tracking/index.js';
import { describeEachStore, git, initRepo, paramsOf, repoRoot, tagsOf, tempDirWith, writeFiles } from './fixtures.js';

// Writes its argv and the run-related environment where the test can read them back.
const ECHO = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const seen = {
  argv: process.argv.slice(2),
  runId: process.env.MLFLOW_RUN_ID,
  trackingUri: process.env.MLFLOW_TRACKING_URI,
  experimentId: process.env.MLFLOW_EXPERIMENT_ID,
  recipeTrackingUri: process.env.RECIPE_TRACKING_URI,
};
writeFileSync(join(process.env.RECIPE_ARTIFACTS_DIR, 'seen.json'), JSON.stringify(seen));
writeFileSync(process.env.RECIPE_OUTPUTS_FILE, JSON.stringify({ answer: 42, name: 'x' }));
console.log('hello from the child');
console.error('a warning');
`;

const MLPROJECT = `
name: echo
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      name: string
      data: {type: path, default: data.csv}
    command: "node echo.mjs {alpha} {name} {data}"
  fail:
    parameters:
      code: {type: int, default: 3}
    command: "echo failing >&2; exit {code}"
  sleep:
    command: "sleep 300 & echo $! > \\"$RECIPE_ARTIFACTS_DIR/../sleep.pid\\"; cp \\"$RECIPE_ARTIFACTS_DIR/../sleep.pid\\" pidfile; wait"
`;

const quiet = { stdout: null, stderr: null, log: () => {}, handleSignals: false } as const;

describeEachStore('runProject', (ts) => {

  it('records params, MLflow source tags, stdout/stderr artifacts and outputs; the child logs into the same run', async () => {
    const dir = tempDirWith({ MLproject: MLPROJECT, 'echo.mjs': ECHO, 'data.csv': 'a\n1\n' });
    const cwd = tempDirWith({ 'local.csv': 'b\n2\n' });
    const nasty = "'; rm -rf / #";
    const result = await runProject({
      uri: dir,
      parameters: { name: nasty, data: 'local.csv', extra_flag: 'x y' },
      cwd,
      store: ts.store,
      trackingUri: ts.trackingUri,
      experimentName: 'projects-test',
      ...quiet,
    });
    expect(result.status).toBe('FINISHED');
    expect(result.exitCode).toBe(0);
    const run = await ts.store.getRun(result.runId);
    expect(run.info.status).toBe('FINISHED');
    // MLflow records each value in its shell-quoted form (EntryPoint._sanitize_param_dict).
    expect(paramsOf(run)).toEqual({
      alpha: '0.5',
      name: `''"'"'; rm -rf / #'`,
      data: 'local.csv',
      extra_flag: "'x y'",
    });
    const tags = tagsOf(run);
    expect(tags).toMatchObject({
      'mlflow.source.type': 'PROJECT',
      'mlflow.source.name': dir,
      'mlflow.project.entryPoint': 'main',
      'mlflow.project.backend': 'local',
      'mlflow.project.env': 'local',
      'mlrecipe.output.answer': '42',
      'mlrecipe.output.name': 'x',
    });
    expect(tags['mlflow.source.git.commit']).toBeUndefined();
    expect(result.outputs).toEqual({ answer: '42', name: 'x' });

    const artifacts = localPathFromArtifactUri(run.info.artifact_uri);
    const seen = JSON.parse(readFileSync(join(artifacts, 'seen.json'), 'utf8'));
    // The injection attempt arrives as one literal argument; the path param is absolute.
    expect(seen.argv).toEqual(['0.5', nasty, join(cwd, 'local.csv'), '--extra_flag', 'x y']);
    expect(seen.runId).toBe(result.runId);
    expect(seen.trackingUri).toBe(ts.trackingUri);
    expect(seen.recipeTrackingUri).toBe(ts.trackingUri);
    expect(seen.experimentId).toBe(run.info.experiment_id);
    expect(readFileSync(join(artifacts, 'stdout.txt'), 'utf8')).toBe('hello from the child\n');
    expect(readFileSync(join(artifacts, 'stderr.txt'), 'utf8')).toBe('a warning\n');
    expect(JSON.parse(readFileSync(join(artifacts, 'outputs.json'), 'utf8'))).toEqual({
      answer: 42,
      name: 'x',
    });
  });

  it('marks the run FAILED and reports the exit code', async () => {
    const dir = tempDirWith({ MLproject: MLPROJECT, 'echo.mjs': ECHO, 'data.csv': '' });
    const result = await runProject({
      uri: dir,
      entryPoint: 'fail',
      parameters: { code: '7' },
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    });
    expect(result.status).toBe('FAILED');
    expect(result.exitCode).toBe(7);
    const run = await ts.store.getRun(result.runId);
    expect(run.info.status).toBe('FAILED');
    expect(run.info.end_time).toBeGreaterThan(0);
    expect(readFileSync(join(localPathFromArtifactUri(run.info.artifact_uri), 'stderr.txt'), 'utf8')).toBe(
      'failing\n',
    );
  });

  it('ends the run with its shell even when the command leaves a background process holding the output', async () => {
    const dir = tempDirWith({
      MLproject: 'entry_points:\n  main: {command: "sleep 30 & echo $! > bg.pid; echo done"}\n',
    });
    const lines: string[] = [];
    const result = await runProject({
      uri: dir,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
      log: (m) => lines.push(m),
    });
    expect(result.status).toBe('FINISHED');
    expect(lines.join('\n')).toMatch(/left processes running/);
    const run = await ts.store.getRun(result.runId);
    expect(readFileSync(join(localPathFromArtifactUri(run.info.artifact_uri), 'stdout.txt'), 'utf8')).toBe(
      'done\n',
    );
    process.kill(Number(readFileSync(join(dir, 'bg.pid'), 'utf8')), 'SIGKILL');
  });

  it('validates parameters before creating any run', async () => {
    const dir = tempDirWith({ MLproject: MLPROJECT, 'echo.mjs': ECHO, 'data.csv': '' });
    const before = await ts.store.searchRuns({ experimentIds: ['0'] });
    await expect(
      runProject({
        uri: dir,
        parameters: { name: 'a', alpha: 'big' },
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      }),
    ).rejects.toThrow(/parameter alpha must be a float, got "big"/);
    await expect(
      runProject({ uri: dir, store: ts.store, trackingUri: ts.trackingUri, ...quiet }),
    ).rejects.toThrow(UsageError);
    const after = await ts.store.searchRuns({ experimentIds: ['0'] });
    expect(after.runs.length).toBe(before.runs.length);
  });

  it('kills the whole process group on abort and marks the run KILLED', async () => {
    const dir = tempDirWith({ MLproject: MLPROJECT, 'echo.mjs': ECHO, 'data.csv': '' });
    const controller = new AbortController();
    const pidFile = join(dir, 'pidfile');
    const waitForPid = setInterval(() => {
      if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()) controller.abort();
    }, 50);
    const result = await runProject({
      uri: dir,
      entryPoint: 'sleep',
      store: ts.store,
      trackingUri: ts.trackingUri,
      signal: controller.signal,
      ...quiet,
    });
    clearInterval(waitForPid);
    expect(result.status).toBe('KILLED');
    expect((await ts.store.getRun(result.runId)).info.status).toBe('KILLED');
    const sleepPid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(sleepPid)).toBe(false);
  });

  it('runs a TypeScript script of a directory without MLproject, extra params as --key value, logging through the TS client', async () => {
    const dir = tempDirWith({
      // Top-level await needs ESM, which Node picks from package.json's type.
      'package.json': '{"type": "module"}',
      'train.ts': `
import { TrackingClient } from ${JSON.stringify(join(repoRoot, 'src/tracking/index.ts'))};
const args: string[] = process.argv.slice(2);
const client = await TrackingClient.open();
const run = await client.startRun();
await run.logMetric('rmse', 0.25);
await run.setTag('argv', args.join(' '));
await run.end();
await client.close();
`,
    });
    const result = await runProject({
      uri: dir,
      entryPoint: 'train.ts',
      parameters: { alpha: '0.1', name: 'a b' },
      store: ts.store,
      trackingUri: ts.trackingUri,
      env: { ...process.env, RECIPE_TRACKING_URI: undefined, MLFLOW_TRACKING_URI: undefined },
      ...quiet,
    });
    expect(result.status, result.problems.join('\n')).toBe('FINISHED');
    const run = await ts.store.getRun(result.runId);
    expect(run.data.metrics.find((m) => m.key === 'rmse')?.value).toBe(0.25);
    expect(tagsOf(run).argv).toBe('--alpha 0.1 --name a b');
    expect(paramsOf(run)).toEqual({ alpha: '0.1', name: "'a b'" });
  });

  it('clones file:// git sources with #subdirectory and --version, recording commit, repo URL and branch', async () => {
    const repo = tempDirWith({
      'proj/MLproject': 'entry_points:\n  main:\n    command: "cat version.txt"\n',
      'proj/version.txt': 'one\n',
    });
    const first = initRepo(repo);
    git(repo, 'tag', 'v1');
    git(repo, 'checkout', '-q', '-b', 'dev');
    writeFiles(repo, { 'proj/version.txt': 'two\n' });
    git(repo, 'commit', '-q', '-am', 'two');
    const second = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', 'main');
    const cacheDir = tempDirWith({});
    const env = { ...process.env, RECIPE_CACHE_DIR: cacheDir };
    const uri = `file://${repo}#proj`;
    const out: string[] = [];
    const sink = { write: (chunk: Buffer) => out.push(chunk.toString()) } as unknown as NodeJS.WritableStream;

    const byTag = await runProject({
      uri,
      version: 'v1',
      env,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
      stdout: sink,
    });
    expect(byTag.status).toBe('FINISHED');
    expect(out.join('')).toBe('one\n');
    let tags = tagsOf(await ts.store.getRun(byTag.runId));
    expect(tags['mlflow.source.git.commit']).toBe(first);
    expect(tags['mlflow.source.name']).toBe(uri);
    expect(tags['mlflow.source.git.repoURL']).toBe(`file://${repo}`);
    expect(tags['mlflow.gitRepoURL']).toBe(`file://${repo}`);
    expect(tags['mlflow.source.git.branch']).toBeUndefined();

    out.length = 0;
    const byBranch = await runProject({
      uri,
      version: 'dev',
      env,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
      stdout: sink,
    });
    expect(out.join('')).toBe('two\n');
    tags = tagsOf(await ts.store.getRun(byBranch.runId));
    expect(tags['mlflow.source.git.commit']).toBe(second);
    expect(tags['mlflow.source.git.branch']).toBe('dev');

    out.length = 0;
    const byDefault = await runProject({
      uri,
      env,
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
      stdout: sink,
    });
    expect(out.join('')).toBe('one\n');
    expect(tagsOf(await ts.store.getRun(byDefault.runId))['mlflow.source.git.commit']).toBe(first);

    await expect(
      runProject({ uri, version: 'nope', env, store: ts.store, trackingUri: ts.trackingUri, ...quiet }),
    ).rejects.toThrow(/version "nope" does not exist/);
    await expect(
      runProject({
        uri: `file://${repo}#../etc`,
        env,
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      }),
    ).rejects.toThrow(/escapes the project/);
  });

  it('runs .py and .sh scripts of a directory without MLproject; python_env with --env-manager local uses the local python', async () => {
    const dir = tempDirWith({
      'train.py': 'import sys, json\nprint(json.dumps(sys.argv[1:]))\n',
      'job.sh': 'echo "sh:$1:$2"\n',
      // A Python that surely is not installed: only --env-manager local can run this project.
      'python_env.yaml': 'python: "2.1"\ndependencies: []\n',
    });
    const out: string[] = [];
    const sink = { write: (chunk: Buffer) => out.push(chunk.toString()) } as unknown as NodeJS.WritableStream;
    const common = { uri: dir, store: ts.store, trackingUri: ts.trackingUri, ...quiet, stdout: sink };
    await expect(runProject({ ...common, entryPoint: 'train.py' })).rejects.toThrow(
      /asks for Python 2.1, which is not installed/,
    );
    const py = await runProject({
      ...common,
      entryPoint: 'train.py',
      envManager: 'local',
      parameters: { alpha: "it's" },
    });
    expect(py.status).toBe('FINISHED');
    expect(JSON.parse(out.join(''))).toEqual(['--alpha', "it's"]);
    out.length = 0;
    const sh = await runProject({
      ...common,
      entryPoint: 'job.sh',
      envManager: 'local',
      parameters: { n: '1' },
    });
    expect(sh.status).toBe('FINISHED');
    expect(out.join('')).toBe('sh:--n:1\n');
    expect(tagsOf(await ts.store.getRun(sh.runId))['mlflow.project.entryPoint']).toBe('job.sh');
  });

  it('names a local project inside a git repository file://<root>#<subdir> and records its commit, as MLflow does', async () => {
    const repo = tempDirWith({ 'proj/MLproject': 'entry_points:\n  main: {command: "true"}\n' });
    const commit = initRepo(repo);
    const result = await runProject({
      uri: join(repo, 'proj'),
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    });
    const tags = tagsOf(await ts.store.getRun(result.runId));
    expect(tags['mlflow.source.name']).toBe(`file://${repo}#proj`);
    expect(tags['mlflow.source.git.commit']).toBe(commit);
    // No remote: MLflow records no repo URL either.
    expect(tags['mlflow.source.git.repoURL']).toBeUndefined();
    await expect(
      runProject({
        uri: join(repo, 'proj'),
        version: 'main',
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      }),
    ).rejects.toThrow(/--version applies to git project URIs/);
  });

  it('names conda and docker as missing and points at --env-manager local', async () => {
    const emptyPath = tempDirWith({});
    const env = { PATH: emptyPath, HOME: process.env.HOME };
    const conda = tempDirWith({
      MLproject: 'conda_env: conda.yaml\nentry_points: {main: {command: "echo hi"}}\n',
      'conda.yaml': 'name: x\n',
    });
    const docker = tempDirWith({
      MLproject: 'docker_env: {image: python:3.11}\nentry_points: {main: {command: "echo hi"}}\n',
    });
    for (const [dir, what] of [
      [conda, /conda is not installed/],
      [docker, /docker is not installed/],
    ] as const) {
      const attempt = runProject({ uri: dir, env, store: ts.store, trackingUri: ts.trackingUri, ...quiet });
      await expect(attempt).rejects.toThrow(EnvironmentUnavailableError);
      await expect(attempt).rejects.toThrow(what);
      await expect(attempt).rejects.toMatchObject({ hint: expect.stringMatching(/--env-manager local/) });
      // --env-manager local always works.
      const local = await runProject({
        uri: dir,
        env: { ...process.env },
        envManager: 'local',
        store: ts.store,
        trackingUri: ts.trackingUri,
        ...quiet,
      });
      expect(local.status).toBe('FINISHED');
      expect(tagsOf(await ts.store.getRun(local.runId))['mlflow.project.env']).toBe('local');
    }
  });

  it('says when docker is installed but no Docker engine answers', async () => {
    // A docker client whose daemon is down, as on a laptop with Docker Desktop stopped.
    const bin = tempDirWith({
      docker:
        '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n',
    });
    chmodSync(join(bin, 'docker'), 0o755);
    const dir = tempDirWith({
      MLproject: 'docker_env: {image: python:3.11}\nentry_points: {main: {command: "echo hi"}}\n',
    });
    const attempt = runProject({
      uri: dir,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      store: ts.store,
      trackingUri: ts.trackingUri,
      ...quiet,
    });
    await expect(attempt).rejects.toThrow(
      /no Docker engine answers \(docker info: Cannot connect to the Docker daemon/,
    );
    await expect(attempt).rejects.toMatchObject({ hint: expect.stringMatching(/--env-manager local/) });
  });

  it('runs npm ci for a node_env project once per lockfile content', async () => {
    const dir = tempDirWith({
      MLproject:
        'node_env: {node: ">=20"}\nentry_points: {main: {command: "node -e \\"console.log(1)\\""}}\n',
      'package.json': JSON.stringify({ name: 'p', version: '1.0.0', private: true }),
      'package-lock.json': JSON.stringify({
        name: 'p',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'p', version: '1.0.0' } },
      }),
    });
    const lines: string[] = [];
    const log = (m: string) => lines.push(m);
    const first = await runProject({ uri: dir, store: ts.store, trackingUri: ts.trackingUri, ...quiet, log });
    expect(first.status).toBe('FINISHED');
    expect(lines.filter((l) => l.startsWith('npm ci'))).toHaveLength(1);
    expect(existsSync(join(dir, 'node_modules', '.mlrecipe-npm-ci'))).toBe(true);
    expect(tagsOf(await ts.store.getRun(first.runId))['mlflow.project.env']).toBe('node');
    await runProject({ uri: dir, store: ts.store, trackingUri: ts.trackingUri, ...quiet, log });
    expect(lines.filter((l) => l.startsWith('npm ci'))).toHaveLength(1);

    const tooNew = tempDirWith({
      MLproject: 'node_env: {node: ">=99"}\nentry_points: {main: {command: "true"}}\n',
    });
    await expect(
      runProject({ uri: tooNew, store: ts.store, trackingUri: ts.trackingUri, ...quiet }),
    ).rejects.toThrow(/needs Node.js >=99/);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by an init that does not reap) counts as dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
