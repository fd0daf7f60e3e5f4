/**
 * `recipe server` and `recipe ui` as real child processes on 127.0.0.1: defaults, workers
 * sharing one database, and SIGTERM letting an upload in flight finish before exiting 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, envWithoutTrackingUri, runCli } from '../helpers/cli.js';
import { api } from './tracking-server-fixture.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlrecipe-server-cli-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Child {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts `recipe <args>` and waits for the URL on its first stdout line. */
function start(args: string[], cwd: string): Promise<Child> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    env: envWithoutTrackingUri(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve({ child, url, exited, stderr: () => stderr });
    });
    void exited.then((code) => reject(new Error(`recipe ${args.join(' ')} exited ${code}: ${stderr}`)));
  });
}

describe('recipe server', () => {
  it('serves the repository store by default, proxies artifacts into ./mlartifacts, and stops on SIGTERM after the upload in flight', async () => {
    const repo = join(work, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    const server = await start(['server', '--port', '0'], repo);
    try {
      expect(existsSync(join(repo, 'mlruns', 'tracking.db'))).toBe(true);
      const created = await api(server, 'POST', '/experiments/create', { name: 'cli' });
      expect(created.status).toBe(200);
      const experiment = await api(server, 'GET', '/experiments/get', {
        experiment_id: created.body.experiment_id,
      });
      expect((experiment.body.experiment as { artifact_location: string }).artifact_location).toBe(
        `mlflow-artifacts:/${created.body.experiment_id as string}`,
      );
      expect(await (await fetch(`${server.url}/health`)).text()).toBe('OK');

      // An upload whose body is still arriving when SIGTERM comes must complete.
      const { port } = new URL(server.url);
      const upload = new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: Number(port),
            method: 'PUT',
            path: '/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/slow.txt',
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write('first half, ');
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end('second half'), 300);
        }, 300);
      });
      expect(await upload).toBe(200);
      expect(await server.exited).toBe(0);
      expect(readFileSync(join(repo, 'mlartifacts', '1', 'r', 'artifacts', 'slow.txt'), 'utf8')).toBe(
        'first half, second half',
      );
      expect(server.stderr()).toContain('tracking server stopped');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('runs several workers on one SQLite database without losing a write', async () => {
    const db = join(work, 'workers.db');
    const server = await start(
      [
        'server',
        '--port',
        '0',
        '--workers',
        '2',
        '--backend-store-uri',
        `sqlite:///${db}`,
        '--artifacts-destination',
        join(work, 'wa'),
      ],
      work,
    );
    try {
      const id = (await api(server, 'POST', '/experiments/create', { name: 'many' })).body
        .experiment_id as string;
      const runs = await Promise.all(
        Array.from(
          { length: 8 },
          async () =>
            (await api(server, 'POST', '/runs/create', { experiment_id: id })).body.run as {
              info: { run_id: string };
            },
        ),
      );
      await Promise.all(
        runs.flatMap((run) =>
          Array.from({ length: 10 }, (_, step) =>
            api(server, 'POST', '/runs/log-metric', {
              run_id: run.info.run_id,
              key: 'm',
              value: step,
              timestamp: 1,
              step,
            }),
          ),
        ),
      );
      for (const run of runs) {
        const history = await api(server, 'GET', '/metrics/get-history', {
          run_id: run.info.run_id,
          metric_key: 'm',
        });
        expect((history.body.metrics as unknown[]).length).toBe(10);
      }
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('refuses an http backend store and a bad port before listening', async () => {
    const http = await runCli(['server', '--backend-store-uri', 'http://127.0.0.1:1'], {
      env: envWithoutTrackingUri(),
      cwd: work,
    });
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('is itself a tracking server');
    const port = await runCli(['server', '--port', '70000'], { env: envWithoutTrackingUri(), cwd: work });
    expect(port.code).toBe(2);
  });

  it('hash-password prints a scrypt hash of stdin', async () => {
    const child = spawn(process.execPath, [cli, 'server', 'hash-password'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdin.end('s3cret\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  });
});

describe('recipe ui', () => {
  it('starts on the repository’s store and prints the URL', async () => {
    const repo = join(work, 'ui-repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    const ui = await start(['ui', '--port', '0'], repo);
    try {
      const experiment = await api(ui, 'GET', '/experiments/get', { experiment_id: '0' });
      expect((experiment.body.experiment as { artifact_location: string }).artifact_location).toBe(
        join(repo, 'mlruns', 'artifacts', '0'),
      );
      ui.child.kill('SIGTERM');
      expect(await ui.exited).toBe(0);
    } finally {
      ui.child.kill('SIGKILL');
    }
  });
});
