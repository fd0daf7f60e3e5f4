import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, envWithoutTrackingUri, runCli } from '../helpers/cli.js';

let tmp: string;
let uri: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlrecipe-cli-exp-'));
  uri = `sqlite:///${join(tmp, 'tracking.db')}`;
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function recipe(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { cwd: tmp, env: { ...envWithoutTrackingUri(), ...env } });
}

describe('recipe experiments', () => {
  it('creates, lists, deletes and restores experiments by id or name', async () => {
    const created = await recipe(['--tracking-uri', uri, 'experiments', 'create', '--name', 'wine']);
    expect(created).toMatchObject({ code: 0 });
    const id = /with id (\d+)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();

    const table = await recipe(['--tracking-uri', uri, 'experiments', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STAGE\s+CREATED\s+ARTIFACT LOCATION$/);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+wine\\s+active`, 'm'));
    expect(table.stdout).toMatch(/^0\s+Default\s+active/m);

    expect((await recipe(['--tracking-uri', uri, 'experiments', 'delete', 'wine'])).stdout).toBe(
      `Deleted experiment 'wine' (id ${id})\n`,
    );
    const active = JSON.parse(
      (await recipe(['--tracking-uri', uri, 'experiments', 'list', '-o', 'json'])).stdout,
    );
    expect(active.map((e: { name: string }) => e.name)).toEqual(['Default']);
    const deleted = JSON.parse(
      (await recipe(['--tracking-uri', uri, 'experiments', 'list', '--view', 'deleted', '--output', 'json']))
        .stdout,
    );
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ experiment_id: id, name: 'wine', lifecycle_stage: 'deleted' });
    expect(Object.keys(deleted[0]).sort()).toEqual(
      [
        'artifact_location',
        'creation_time',
        'experiment_id',
        'last_update_time',
        'lifecycle_stage',
        'name',
        'tags',
      ].sort(),
    );

    expect((await recipe(['--tracking-uri', uri, 'experiments', 'restore', String(id)])).code).toBe(0);
    const all = JSON.parse(
      (await recipe(['--tracking-uri', uri, 'experiments', 'list', '--view', 'all', '-o', 'json'])).stdout,
    );
    expect(all.find((e: { name: string }) => e.name === 'wine')?.lifecycle_stage).toBe('active');
  });

  it('takes the store from RECIPE_TRACKING_URI and pins a relative artifact location', async () => {
    const created = await recipe(
      ['experiments', 'create', '--name', 'x', '--artifact-location', 'store/x', '--output', 'json'],
      { RECIPE_TRACKING_URI: uri },
    );
    expect(created.code).toBe(0);
    const experiment = JSON.parse(created.stdout);
    expect(experiment.name).toBe('x');
    expect(experiment.artifact_location).toContain(join(tmp, 'store', 'x'));
  });

  it('reports a duplicate name, an unknown experiment and bad options with the right exit codes', async () => {
    await recipe(['--tracking-uri', uri, 'experiments', 'create', '--name', 'dup']);
    const dup = await recipe(['--tracking-uri', uri, 'experiments', 'create', '--name', 'dup']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^error: .*dup/m);

    const missing = await recipe(['--tracking-uri', uri, 'experiments', 'delete', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: no experiment has the id or name "nope"');
    expect(missing.stderr).toContain('hint: see them all with `recipe experiments list --view all`');

    const badView = await recipe(['--tracking-uri', uri, 'experiments', 'list', '--view', 'gone']);
    expect(badView.code).toBe(2);
    expect(badView.stderr).toMatch(/--view.*active, deleted, all/s);

    const fileStore = await recipe(['--tracking-uri', './mlruns', 'experiments', 'list']);
    expect(fileStore.code).toBe(2);
    expect(fileStore.stderr).toMatch(/file store/);
    expect(fileStore.stderr).toMatch(/hint: .*sqlite:\/\/\//);
  });

  it('documents every command and option in --help', async () => {
    const help = await recipe(['experiments', 'list', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--view <view>\s+which experiments to show/);
    expect(help.stdout).toMatch(/--output <format>\s+output format/);
    const group = await recipe(['experiments', '--help']);
    for (const sub of ['list', 'create', 'delete', 'restore'])
      expect(group.stdout).toMatch(new RegExp(`^\\s+${sub}\\b.*\\S`, 'm'));
  });
});
