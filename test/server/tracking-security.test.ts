/**
 * The tracking server's edge: Host allow-list (DNS rebinding), CORS only when asked for,
 * cross-origin writes refused, and basic auth with MLflow's READ/EDIT/MANAGE permissions.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { BasicAuth, hashPassword, loadAuthFile, verifyPassword } from '../../src/server/tracking/index.js';
import { api, type RunningTrackingServer, startTestTrackingServer } from './tracking-server-fixture.js';

/** A raw request with a chosen Host header (fetch does not let callers set it). */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host header and CORS', () => {
  let server: RunningTrackingServer;
  beforeAll(async () => {
    server = await startTestTrackingServer({ corsAllowedOrigins: ['http://localhost:3000'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses a Host header naming another site (DNS rebinding) and accepts loopback names', async () => {
    const path = '/api/2.0/mlflow/experiments/get?experiment_id=0';
    const evil = await rawGet(server.port, path, { Host: `attacker.example:${server.port}` });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      expect((await rawGet(server.port, path, { Host: host })).status, host).toBe(200);
    }
  });

  it('accepts hosts added with allowedHosts, or every host with "*"', async () => {
    const named = await startTestTrackingServer({ allowedHosts: ['localhost', 'mlflow.internal'] });
    const open = await startTestTrackingServer({ allowedHosts: ['*'] });
    try {
      expect((await rawGet(named.port, '/health', { Host: 'mlflow.internal:80' })).status).toBe(200);
      expect((await rawGet(named.port, '/health', { Host: 'other.internal' })).status).toBe(403);
      expect((await rawGet(open.port, '/health', { Host: 'anything.example' })).status).toBe(200);
    } finally {
      await named.close();
      await open.close();
    }
  });

  it('sends no CORS headers to origins not allowed, and refuses their writes', async () => {
    const read = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`, {
      headers: { Origin: 'http://evil.example' },
    });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const write = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'from-evil' }),
    });
    expect(write.status).toBe(403);
    expect(await server.store.getExperimentByName('from-evil')).toBeNull();
  });

  it('answers preflights and sets CORS headers for an allowed origin', async () => {
    const preflight = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const write = await api(
      server,
      'POST',
      '/experiments/create',
      { name: 'from-allowed' },
      { headers: { Origin: 'http://localhost:3000' } },
    );
    expect(write.status).toBe(200);
    expect(write.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });
});

describe('basic auth', () => {
  let server: RunningTrackingServer;
  let dir: string;
  let authFile: string;
  const basic = (user: string, password: string) => ({
    Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });
  const admin = basic('admin', 'admin-pw');
  const alice = basic('alice', 'alice-pw');
  const bob = basic('bob', 'bob-pw');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlrecipe-auth-'));
    authFile = join(dir, 'auth.yaml');
    writeFileSync(
      authFile,
      [
        'default_permission: READ',
        'users:',
        `  - {username: admin, password_hash: "${await hashPassword('admin-pw')}", is_admin: true}`,
        `  - {username: alice, password_hash: "${await hashPassword('alice-pw')}"}`,
        `  - {username: bob, password_hash: "${await hashPassword('bob-pw')}"}`,
        'experiment_permissions:',
        '  - {experiment_id: "0", username: bob, permission: NO_PERMISSIONS}',
        '',
      ].join('\n'),
    );
    server = await startTestTrackingServer({ auth: BasicAuth.fromFile(authFile) });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hashes passwords with scrypt and verifies them', async () => {
    const hash = await hashPassword('pw');
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain('pw$');
    expect(await verifyPassword('pw', hash)).toBe(true);
    expect(await verifyPassword('other', hash)).toBe(false);
  });

  it('asks for credentials, and refuses wrong ones', async () => {
    const none = await api(server, 'GET', '/experiments/get', { experiment_id: '0' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="mlflow"');
    expect(none.body.error_code).toBe('UNAUTHENTICATED');
    expect(
      (
        await api(
          server,
          'GET',
          '/experiments/get',
          { experiment_id: '0' },
          { headers: basic('alice', 'wrong') },
        )
      ).status,
    ).toBe(401);
    expect(
      (await api(server, 'GET', '/experiments/get', { experiment_id: '0' }, { headers: alice })).status,
    ).toBe(200);
  });

  it('gives creators MANAGE, others the default READ, and explicit grants their level', async () => {
    const created = await api(server, 'POST', '/experiments/create', { name: 'alices' }, { headers: alice });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    const run = await api(server, 'POST', '/runs/create', { experiment_id: id }, { headers: alice });
    expect(run.status).toBe(200);
    const runId = (run.body.run as { info: { run_id: string; user_id: string } }).info.run_id;

    // bob reads (default READ) but may not write or delete.
    expect((await api(server, 'GET', '/runs/get', { run_id: runId }, { headers: bob })).status).toBe(200);
    const write = await api(
      server,
      'POST',
      '/runs/log-parameter',
      { run_id: runId, key: 'a', value: '1' },
      { headers: bob },
    );
    expect(write.status).toBe(403);
    expect(write.body.error_code).toBe('PERMISSION_DENIED');
    expect(
      (await api(server, 'POST', '/experiments/delete', { experiment_id: id }, { headers: bob })).status,
    ).toBe(403);
    expect((await api(server, 'POST', '/runs/create', { experiment_id: id }, { headers: bob })).status).toBe(
      403,
    );

    // bob has NO_PERMISSIONS on the Default experiment: not even reading, nor finding it in a search.
    expect(
      (await api(server, 'GET', '/experiments/get', { experiment_id: '0' }, { headers: bob })).status,
    ).toBe(403);
    const search = await api(server, 'POST', '/experiments/search', {}, { headers: bob });
    expect(
      (search.body.experiments as Array<{ experiment_id: string }>).map((e) => e.experiment_id),
    ).not.toContain('0');
    expect(
      (await api(server, 'POST', '/runs/search', { experiment_ids: ['0'] }, { headers: bob })).status,
    ).toBe(403);

    // alice manages what she made; the admin may do anything.
    expect(
      (
        await api(
          server,
          'POST',
          '/runs/log-parameter',
          { run_id: runId, key: 'a', value: '1' },
          { headers: alice },
        )
      ).status,
    ).toBe(200);
    expect(
      (await api(server, 'POST', '/experiments/delete', { experiment_id: id }, { headers: admin })).status,
    ).toBe(200);
    expect(
      (await api(server, 'GET', '/experiments/get', { experiment_id: '0' }, { headers: admin })).status,
    ).toBe(200);

    // The creator's grant survives a restart (kept next to the auth file).
    const grants = JSON.parse(readFileSync(`${authFile}.grants.json`, 'utf8')) as {
      experiment_permissions: unknown[];
    };
    expect(grants.experiment_permissions).toContainEqual({
      experiment_id: id,
      username: 'alice',
      permission: 'MANAGE',
    });
    const reloaded = BasicAuth.fromFile(authFile);
    expect(reloaded.can('experiment', id, 'alice', 'delete')).toBe(true);
    expect(reloaded.can('experiment', id, 'bob', 'update')).toBe(false);
  });

  it('applies model permissions and artifact-proxy permissions by experiment', async () => {
    expect(
      (await api(server, 'POST', '/registered-models/create', { name: 'alices-model' }, { headers: alice }))
        .status,
    ).toBe(200);
    expect(
      (
        await api(
          server,
          'PATCH',
          '/registered-models/update',
          { name: 'alices-model', description: 'x' },
          { headers: bob },
        )
      ).status,
    ).toBe(403);
    expect(
      (await api(server, 'GET', '/registered-models/get', { name: 'alices-model' }, { headers: bob })).status,
    ).toBe(200);
    expect(
      (await api(server, 'DELETE', '/registered-models/delete', { name: 'alices-model' }, { headers: alice }))
        .status,
    ).toBe(200);

    const created = await api(
      server,
      'POST',
      '/experiments/create',
      { name: 'artifacts-of-alice' },
      { headers: alice },
    );
    const id = created.body.experiment_id as string;
    const put = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${id}/r/artifacts/a.txt`, {
        method: 'PUT',
        body: 'a',
        headers,
      });
    expect((await put(bob)).status).toBe(403);
    expect((await put(alice)).status).toBe(200);
    expect(
      (
        await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${id}/r/artifacts/a.txt`, {
          headers: bob,
        })
      ).status,
    ).toBe(200);
  });

  it('reports auth-file mistakes with file, line and field, and refuses plain passwords', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'default_permission: WRITE\nusers:\n  - {username: carol, password_hash: "carol-pw"}\n',
    );
    let error: unknown;
    try {
      loadAuthFile(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual(['default_permission', 'users.0.password_hash']);
    expect(issues[0]).toMatchObject({ file: bad, line: 1 });
    expect(issues[1]?.line).toBe(3);
    expect(issues[1]?.message).toContain('recipe server hash-password');
  });
});
