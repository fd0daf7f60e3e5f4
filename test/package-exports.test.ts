import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string>;
  files: string[];
};

describe('package exports', () => {
  // A script importing `mlrecipe/<module>` (as a user's training script would) gets the module's
  // public surface from the compiled dist/.
  it.each(Object.keys(pkg.exports).filter((k) => !k.includes('*') && !k.endsWith('.json')))(
    'mlrecipe%s resolves and loads',
    async (subpath) => {
      const specifier = `mlrecipe${subpath.slice(1)}`;
      const { stdout } = await exec(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length)`,
        ],
        { cwd: root },
      );
      expect(Number(stdout.trim())).toBeGreaterThan(0);
    },
  );

  it('the tracking client is reachable as documented in the README', async () => {
    const { stdout } = await exec(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const t = await import('mlrecipe/tracking'); console.log(typeof t.startRun, typeof t.TrackingClient)",
      ],
      { cwd: root },
    );
    expect(stdout.trim()).toBe('function function');
  });

  it('ships the python_function loader that the compiled saveModel copies into each model', async () => {
    expect(pkg.files).toContain('src/models/python');
    const { stdout } = await exec(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./dist/models/pyfunc.js'); const fs = await import('node:fs'); const p = m.pyfuncModulePath(); console.log(p.endsWith('src/models/python/mlrecipe_pyfunc.py'), fs.existsSync(p))",
      ],
      { cwd: root },
    );
    expect(stdout.trim()).toBe('true true');
  });
});
