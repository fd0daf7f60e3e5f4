/**
 * MLflow 2.12's own Python client against `recipe server` and against MLflow's own server, side by
 * side (issue 17's "Done when"). Both servers start on 127.0.0.1 over fresh SQLite files with the
 * artifact proxy on; scripts/mlflow-client-vs-server.py makes the same calls against each (create
 * experiment, start_run, log_params/metrics/batch, set_tags, log_artifact through the proxy and
 * download it back, search_runs with filter and order_by, register a model version, set an alias,
 * get it by alias) and prints what it got; this script compares the two answers key by key.
 *
 * Run through scripts/mlflow-client-vs-server.sh (skipped unless MLFLOW_SRC is set). Exit 1 when
 * any answer differs. Results are recorded in docs/compatibility.md.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const mlflowSrc = process.env.MLFLOW_SRC as string;
const pythonPath = [mlflowSrc, process.env.MLFLOW_PYTHONPATH].filter(Boolean).join(':');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'mlrecipe-client-vs-server-'));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Starts a server process and resolves with the URL it prints on its first matching line. */
function startServer(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<string> {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${command} exited with ${code} before it listened:\n${seen}`)),
    );
  });
}

async function waitHealthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/health never answered`);
}

async function driveClient(url: string, scratch: string): Promise<Record<string, unknown>> {
  const { stdout } = await execFileAsync(
    python,
    [join(root, 'scripts', 'mlflow-client-vs-server.py'), url, scratch],
    {
      env: { ...process.env, PYTHONPATH: pythonPath, MLFLOW_TRACKING_URI: url },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

async function main(): Promise<number> {
  const oursUrl = await startServer(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src', 'cli', 'main.ts'),
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-ui',
      '--backend-store-uri',
      `sqlite:///${join(work, 'ours.db')}`,
      '--artifacts-destination',
      join(work, 'ours-artifacts'),
    ],
    process.env,
    /at (http:\/\/127\.0\.0\.1:\d+)/,
  );
  const port = await freePort();
  const theirsUrl = await startServer(
    python,
    [
      join(root, 'scripts', 'mlflow-flask-server.py'),
      String(port),
      `sqlite:///${join(work, 'theirs.db')}`,
      join(work, 'theirs-artifacts'),
    ],
    { ...process.env, PYTHONPATH: pythonPath },
    /mlflow server at (http:\/\/127\.0\.0\.1:\d+)/,
  );
  await Promise.all([waitHealthy(oursUrl), waitHealthy(theirsUrl)]);
  const theirs = await driveClient(theirsUrl, join(work, 'client-theirs'));
  const ours = await driveClient(oursUrl, join(work, 'client-ours'));

  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])].sort();
  let differences = 0;
  console.log(`| call | MLflow 2.12.2's server vs recipe server |\n| --- | --- |`);
  for (const key of keys) {
    const same = isDeepStrictEqual(theirs[key], ours[key]);
    if (!same) differences += 1;
    console.log(`| ${key} | ${same ? 'equal' : 'DIFFERENT'} |`);
  }
  for (const key of keys) {
    if (isDeepStrictEqual(theirs[key], ours[key])) continue;
    console.log(`\n${key}\n  mlflow: ${JSON.stringify(theirs[key])}\n  recipe: ${JSON.stringify(ours[key])}`);
  }
  console.log(`\n${keys.length - differences} of ${keys.length} answers equal`);

  // The other direction: mlrecipe's REST client (`recipe run` with MLFLOW_TRACKING_URI) logging
  // the regression template to each server, then MLflow's client reading what arrived.
  const reverse = await recipeRunOnBoth(oursUrl, theirsUrl);
  const exported = reverse && (await exportImportRoundTrip(theirsUrl));
  return differences === 0 && reverse && exported ? 0 : 1;
}

async function summaryOf(uri: string): Promise<Record<string, unknown>> {
  const { stdout } = await execFileAsync(
    python,
    [join(root, 'scripts', 'mlflow-recipe-run-summary.py'), uri],
    {
      env: { ...process.env, PYTHONPATH: pythonPath },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

/**
 * `recipe runs export` from MLflow's own server (over REST, artifacts through its proxy), read
 * back by MLflow's FileStore; then `recipe runs import` of that directory into a fresh SQLite
 * file, read by MLflow's SQL store. MLflow's client must see the same runs all three times (the
 * registry is not part of an export).
 */
async function exportImportRoundTrip(theirsUrl: string): Promise<boolean> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.RECIPE_TRACKING_URI;
  delete env.MLFLOW_TRACKING_URI;
  const dir = join(work, 'exported');
  const db = `sqlite:///${join(work, 'imported.db')}`;
  await recipeCli(work, env, '--tracking-uri', theirsUrl, 'runs', 'export', '--format', 'mlflow', dir);
  await recipeCli(work, env, '--tracking-uri', db, 'runs', 'import', dir);
  const server = { ...(await summaryOf(theirsUrl)), models: [] };
  const fileStore = await summaryOf(`file://${dir}`);
  const imported = await summaryOf(db);
  const fileSame = isDeepStrictEqual(server, fileStore);
  const importSame = isDeepStrictEqual(server, imported);
  console.log(
    `recipe runs export from MLflow's server, read by MLflow's FileStore: ${fileSame ? 'equal' : 'DIFFERENT'}`,
  );
  console.log(`recipe runs import of it, read by MLflow's SQL store: ${importSame ? 'equal' : 'DIFFERENT'}`);
  if (!fileSame)
    console.log(`  server:     ${JSON.stringify(server)}\n  file store: ${JSON.stringify(fileStore)}`);
  if (!importSame)
    console.log(`  server:   ${JSON.stringify(server)}\n  imported: ${JSON.stringify(imported)}`);
  return fileSame && importSame;
}

function recipeCli(
  cwd: string,
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ stdout: string; stderr: string }> {
  // tsx by absolute URL: `--import tsx` would resolve from the repository under test, which has none.
  const tsx = import.meta.resolve('tsx');
  return execFileAsync(process.execPath, ['--import', tsx, join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function recipeRunOnBoth(oursUrl: string, theirsUrl: string): Promise<boolean> {
  const summaries: Record<string, unknown>[] = [];
  for (const [label, url] of [
    ['recipe server', oursUrl],
    ["MLflow's server", theirsUrl],
  ] as const) {
    // A repository of its own per server, so neither run finds the other's cached steps.
    const home = join(work, `recipe-run-${summaries.length}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      MLFLOW_TRACKING_URI: url,
      RECIPE_ARTIFACT_CACHE: join(home, 'artifact-cache'),
    };
    delete env.RECIPE_TRACKING_URI;
    await execFileAsync('mkdir', ['-p', home]);
    await recipeCli(home, env, 'init', '--template', 'regression', 'cars');
    try {
      await recipeCli(join(home, 'cars'), env, 'run');
      console.log(`\nrecipe run with MLFLOW_TRACKING_URI=<${label}>: exit 0`);
    } catch (error) {
      const failed = error as { code?: number; stderr?: string };
      console.log(
        `\nrecipe run with MLFLOW_TRACKING_URI=<${label}>: exit ${failed.code}\n${failed.stderr ?? ''}`,
      );
      return false;
    }
    summaries.push(await summaryOf(url));
  }
  const [ours, theirs] = summaries;
  const same = isDeepStrictEqual(ours, theirs);
  console.log(
    `what MLflow's client reads after recipe run, recipe server vs MLflow's server: ${same ? 'equal' : 'DIFFERENT'}`,
  );
  if (!same) {
    console.log(`  recipe server:   ${JSON.stringify(ours)}\n  MLflow's server: ${JSON.stringify(theirs)}`);
  }
  return same;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });
