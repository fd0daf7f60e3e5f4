/**
 * The Python environment is part of the Python steps' fingerprints (issue 19): the interpreter,
 * its version and the versions of the packages a step's code imports. The interpreter here is a
 * real wrapper script around Debian's Python whose PYTHONPATH starts with a directory of its own;
 * "upgrading" scikit-learn puts a scikit_learn dist-info with another version there, which is
 * what the installed-package metadata then reports (the module itself still imports). train and
 * transform (whose code imports sklearn) go stale and re-run; ingest and split (pandas only) stay
 * cached; `recipe status` names the package and both versions.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixture = fileURLToPath(new URL('../fixtures/mlflow-recipe', import.meta.url));
let root: string;
let dir: string;
let wrapper: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mlrecipe-python-fingerprint-'));
  dir = join(root, 'recipe');
  cpSync(fixture, dir, { recursive: true });
  mkdirSync(join(root, 'site'));
  wrapper = join(root, 'python3');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nPYTHONPATH='${join(root, 'site')}'\${PYTHONPATH:+:$PYTHONPATH}\nexport PYTHONPATH\nexec /usr/bin/python3 "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = (python: string) => {
  const copy: NodeJS.ProcessEnv = { ...process.env, RECIPE_PYTHON: python };
  delete copy.RECIPE_TRACKING_URI;
  delete copy.MLFLOW_TRACKING_URI;
  return copy;
};

function states(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^(ingest|split|transform|train|evaluate)\s+(\w+)/gm)) {
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

describe('the Python environment in the fingerprints of Python steps', () => {
  it('re-runs the steps whose code imports scikit-learn when its version changes, and says why', async () => {
    const first = await runCli(['run', '--profile', 'local', '--step', 'train'], {
      cwd: dir,
      env: env(wrapper),
    });
    expect(first.code).toBe(0);

    const dist = join(root, 'site', 'scikit_learn-99.1.0.dist-info');
    mkdirSync(dist);
    writeFileSync(join(dist, 'METADATA'), 'Metadata-Version: 2.1\nName: scikit-learn\nVersion: 99.1.0\n');

    const status = await runCli(['status', '--profile', 'local'], { cwd: dir, env: env(wrapper) });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/python package sklearn changed \(1\.\d+\.\d+ → 99\.1\.0\)/);
    const second = await runCli(['run', '--profile', 'local', '--step', 'train'], {
      cwd: dir,
      env: env(wrapper),
    });
    expect(second.code).toBe(0);
    expect(states(second.stdout)).toEqual({
      ingest: 'cached',
      split: 'cached',
      transform: 'ran',
      train: 'ran',
    });
  }, 300_000);

  it('re-runs every Python step for another interpreter', async () => {
    const status = await runCli(['status', '--profile', 'local'], { cwd: dir, env: env('/usr/bin/python3') });
    expect(status.stdout).toContain(`python interpreter changed (${wrapper} → /usr/bin/python3)`);
    const third = await runCli(['run', '--profile', 'local', '--step', 'train'], {
      cwd: dir,
      env: env('/usr/bin/python3'),
    });
    expect(third.code).toBe(0);
    expect(states(third.stdout)).toEqual({ ingest: 'ran', split: 'ran', transform: 'ran', train: 'ran' });
  }, 300_000);
});
