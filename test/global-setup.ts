import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresProblemForCi } from './helpers/postgres-ci.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Builds dist/ once so that tests which spawn `recipe` as a real child process run current code.
 * Under CI=true, PostgreSQL must be reachable: the PostgreSQL suites fail there rather than skip.
 */
export default async function setup(): Promise<void> {
  const problem = await postgresProblemForCi(process.env);
  if (problem) throw new Error(problem);
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  // The CLI and the web UI's browser modules (served by `recipe server`) are two builds.
  for (const config of ['tsconfig.build.json', 'tsconfig.ui.json']) {
    execFileSync(process.execPath, [tsc, '-p', join(root, config)], { cwd: root, stdio: 'inherit' });
  }
  // The `recipe` binary is an esbuild bundle of src/cli (what `npm run build` does last).
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')], { cwd: root, stdio: 'inherit' });
  if (!process.env.RECIPE_TEST_POSTGRES_URL) {
    console.warn('notice: RECIPE_TEST_POSTGRES_URL is not set; PostgreSQL tests are skipped (CI sets it).');
  }
}
