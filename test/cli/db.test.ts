import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, envWithoutTrackingUri, runCli } from '../helpers/cli.js';

let tmp: string;
let path: string;
let uri: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-cli-db-'));
  path = join(tmp, 'tracking.db');
  uri = `sqlite:///${path}`;
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function recipe(args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: tmp, env: envWithoutTrackingUri() });
}

describe('recipe db upgrade', () => {
  it("upgrades a database at MLflow 2.11's head that other commands refuse, then has nothing to do", async () => {
    expect((await recipe(['--tracking-uri', uri, 'experiments', 'create', '--name', 'kept'])).code).toBe(0);
    // As MLflow 2.8–2.11 left it: no storage_location yet, stamped with that head, no mlrecipe tables.
    const db = new Database(path);
    db.exec(`ALTER TABLE model_versions DROP COLUMN storage_location;
             DROP TABLE mlrecipe_schema;
             UPDATE alembic_version SET version_num = '2d6e25af4d3e';`);
    db.close();

    const refused = await recipe(['--tracking-uri', uri, 'experiments', 'list']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/revision 2d6e25af4d3e, older than MLflow 2\.12's acf3f17fdcc7/);
    expect(refused.stderr).toMatch(/hint: .*recipe db upgrade/);

    const upgraded = await recipe(['db', 'upgrade', uri]);
    expect(upgraded).toMatchObject({ code: 0, stderr: '' });
    expect(upgraded.stdout).toBe(
      'applied acf3f17fdcc7: add storage_location field to model_versions\n' +
        `${uri} is now at MLflow 2.12's schema revision acf3f17fdcc7 (1 migration)\n`,
    );
    const listed = await recipe(['--tracking-uri', uri, 'experiments', 'list', '-o', 'json']);
    expect(JSON.parse(listed.stdout).map((e: { name: string }) => e.name)).toContain('kept');

    const again = await recipe(['--tracking-uri', uri, 'db', 'upgrade']);
    expect(again).toMatchObject({
      code: 0,
      stdout: `${uri} is already at MLflow schema revision acf3f17fdcc7; nothing to upgrade\n`,
    });
  });

  it('refuses a tracking server URI with a hint', async () => {
    const result = await recipe(['db', 'upgrade', 'http://127.0.0.1:5000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is a tracking server/);
    expect(result.stderr).toMatch(/hint: /);
  });
});
