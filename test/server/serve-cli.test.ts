import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameColumn } from '../../src/ml/types.js';
import { loadModel } from '../../src/models/index.js';
import { localPathFromArtifactUri, openTrackingStore, sqliteUriForPath } from '../../src/tracking/index.js';
import { saveCarsModel } from './served-model-fixture.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

let work: string;
let modelDir: string;
const ROW = {
  Cylinders: 8,
  Displacement: 307,
  Horsepower: 130,
  Weight_in_lbs: 3504,
  Acceleration: 12,
  Year: '1970-01-01',
  Origin: 'USA',
};
let expected: unknown[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-serve-cli-'));
  modelDir = saveCarsModel(work);
  const model = await loadModel(modelDir);
  expected = Array.from<number | string>(
    model.predict({
      nRows: 1,
      columns: Object.entries(ROW).map(([name, v]): FrameColumn =>
        typeof v === 'number'
          ? { name, type: 'number', values: Float64Array.of(v) }
          : { name, type: 'string', values: [v] },
      ),
    }),
  );
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Server {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `recipe models serve … --port 0` and reads the URL from its first stdout line. */
async function startServer(
  args: string[],
  options: { modelUri?: string; global?: string[] } = {},
): Promise<Server> {
  const argv = [CLI, ...(options.global ?? []), 'models', 'serve', '-m', options.modelUri ?? modelDir];
  const child = spawn(process.execPath, [...argv, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) res(match[1] as string);
    });
    void exited.then((code) => rej(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

async function score(url: string): Promise<unknown> {
  const response = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataframe_records: [ROW] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { predictions: unknown[] }).predictions;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

describe('recipe models serve', () => {
  it('serves on the port it prints and stops cleanly on SIGTERM', async () => {
    const server = await startServer([]);
    try {
      expect((await fetch(`${server.url}/ping`)).status).toBe(200);
      expect(await score(server.url)).toEqual(expected);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('scoring server stopped');
  });

  it('with --workers 2, replaces a worker that dies and keeps answering', async () => {
    const server = await startServer(['--workers', '2']);
    try {
      const pids = [...server.stderr().matchAll(/scoring worker (\d+) listening/g)].map((m) => Number(m[1]));
      expect(pids).toHaveLength(2);
      // Each worker runs with V8's smaller heap (what the single process sets at run time).
      for (const pid of pids) {
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--optimize-for-size');
      }
      process.kill(pids[0] as number, 'SIGKILL');
      await until(() => /scoring worker \d+ died \(SIGKILL\); starting a new one/.test(server.stderr()));
      await until(() => [...server.stderr().matchAll(/scoring worker (\d+) listening/g)].length === 3);
      for (let i = 0; i < 6; i++) expect(await score(server.url)).toEqual(expected);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('serves a registered model through models:/<name>@<alias> (resolved once, for every worker)', async () => {
    const trackingUri = sqliteUriForPath(join(work, 'mlruns', 'tracking.db'));
    const store = await openTrackingStore(trackingUri, {
      defaultArtifactRoot: join(work, 'mlruns', 'artifacts'),
    });
    let runId: string;
    try {
      const experimentId = await store.createExperiment('serve');
      const created = await store.createRun({ experimentId, startTime: Date.now(), tags: [] });
      runId = created.info.run_id;
      cpSync(modelDir, join(localPathFromArtifactUri(created.info.artifact_uri), 'model'), {
        recursive: true,
      });
    } finally {
      await store.close();
    }
    const global = ['--tracking-uri', trackingUri];
    await run(process.execPath, [
      CLI,
      ...global,
      'models',
      'register',
      '-m',
      `runs:/${runId}/model`,
      '-n',
      'cars',
    ]);
    await run(process.execPath, [CLI, ...global, 'models', 'alias', 'cars', 'champion', '1']);
    const server = await startServer(['--workers', '2'], { modelUri: 'models:/cars@champion', global });
    try {
      for (let i = 0; i < 4; i++) expect(await score(server.url)).toEqual(expected);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('a model directory that does not exist fails before listening, naming it', async () => {
    const missing = join(work, 'no-such-model');
    const failure = await run(process.execPath, [CLI, 'models', 'serve', '-m', missing, '--port', '0']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toContain(missing);
  });
});

describe('recipe models build-docker', () => {
  it('--dockerfile-only writes a Dockerfile and a context holding the model and mlrecipe', async () => {
    const dir = join(work, 'docker-context');
    const { stdout } = await run(process.execPath, [
      CLI,
      'models',
      'build-docker',
      '-m',
      modelDir,
      '-n',
      'cars-model:1',
      '--dockerfile-only',
      dir,
    ]);
    expect(stdout).toContain(`docker build -t cars-model:1 ${dir}`);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^COPY model\/ \/opt\/ml\/model\/$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toContain(
      'CMD ["recipe", "models", "serve", "-m", "/opt/ml/model", "--host", "0.0.0.0", "--port", "8080"]',
    );
    // The context's model is the served one, whole: it loads and predicts the same.
    const copied = await loadModel(join(dir, 'model'));
    expect(copied.mlmodel.model_uuid).toBe((await loadModel(modelDir)).mlmodel.model_uuid);
    for (const file of ['package.json', 'package-lock.json', 'dist/cli/main.js', 'dist/server/serve.js']) {
      expect({ file, exists: existsSync(join(dir, 'mlrecipe', file)) }).toEqual({ file, exists: true });
    }
  });

  it('refuses a non-empty --dockerfile-only directory', async () => {
    const dir = join(work, 'not-empty');
    mkdirSync(join(dir, 'something'), { recursive: true });
    const failure = await run(process.execPath, [
      CLI,
      'models',
      'build-docker',
      '-m',
      modelDir,
      '-n',
      'cars-model',
      '--dockerfile-only',
      dir,
    ]).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('is not empty');
  });

  it('without a Docker engine, fails saying to use --dockerfile-only', async () => {
    const emptyPath = join(work, 'empty-bin');
    mkdirSync(emptyPath, { recursive: true });
    const failure = await run(
      process.execPath,
      [CLI, 'models', 'build-docker', '-m', modelDir, '-n', 'cars-model'],
      {
        env: { ...process.env, PATH: emptyPath },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toMatch(/no Docker engine answered/);
    expect((failure as { stderr: string }).stderr).toContain('--dockerfile-only');
  });
});
