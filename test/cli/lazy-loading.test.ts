/**
 * CLI start-up stays lean: a command loads only its own command group, and `recipe --version` /
 * `recipe status` do not load heavy packages (servers, Arrow, Parquet, database drivers) that
 * only other commands or a step's run() need. Checked by recording, in real `recipe` processes,
 * every module Node loads (an ESM load hook plus require.cache at exit) — no timing assertions.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandGroups, type LazyCommandGroup, type RegisterCommands } from '../../src/cli/commands.js';
import { groupsToLoad } from '../../src/cli/program.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
// The `bin` (package.json): the CommonJS entry point, whose own modules meta.json maps too.
const cli = join(root, 'dist', 'cli', 'main.cjs');
const commandsSource = fileURLToPath(new URL('../../src/cli/commands.ts', import.meta.url));

/** Heavy packages that neither `recipe --version` nor `recipe status` needs. */
const HEAVY = [
  'apache-arrow',
  'hyparquet',
  'hyparquet-compressors',
  'fastify',
  'pg',
  'better-sqlite3',
  'execa',
  'simple-git',
  'ml-regression',
];

const RECORD_HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.RECIPE_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}
`;
const RECORD_REGISTER = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register(new URL('./record-hooks.mjs', import.meta.url));
const require = createRequire(import.meta.url);
// CommonJS modules required from CommonJS never pass the ESM hook; require.cache has them.
// Built-ins required from CommonJS are in neither: process.moduleLoadList names every one loaded.
process.on('exit', () => {
  appendFileSync(process.env.RECIPE_TEST_MODULE_LOG, Object.keys(require.cache).join('\\n') + '\\n');
  const builtins = process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule '));
  appendFileSync(
    process.env.RECIPE_TEST_MODULE_LOG,
    builtins.map((entry) => 'builtin:' + entry.slice('NativeModule '.length)).join('\\n') + '\\n',
  );
});
`;

let dir: string;
let register: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-lazy-'));
  writeFileSync(join(dir, 'record-hooks.mjs'), RECORD_HOOKS);
  writeFileSync(join(dir, 'record-register.mjs'), RECORD_REGISTER);
  register = pathToFileURL(join(dir, 'record-register.mjs')).href;
  execFileSync(process.execPath, [cli, 'init', '--template', 'regression', join(dir, 'recipe')], {
    stdio: 'pipe',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What the `recipe` bundle's output files hold: esbuild's metafile (written by
 * scripts/bundle-cli.mjs), output path relative to the package root → its source files.
 */
function bundleInputs(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return new Map(Object.entries(meta.outputs).map(([output, { inputs }]) => [output, Object.keys(inputs)]));
}

/**
 * The packages (node_modules/<name>) and mlrecipe modules (as paths under dist/, e.g.
 * `ml/estimators.js`) a process loaded. A file of the CLI bundle (dist/cli/) stands for the source
 * files esbuild put into it; every other file is itself.
 */
async function loadedPackages(
  args: string[],
  cwd: string,
  build: 'chunks' | 'single file' = 'chunks',
): Promise<{
  packages: Set<string>;
  modules: Set<string>;
  builtins: Set<string>;
  /** Every built-in the process loaded, however (`http`, `internal/…`): process.moduleLoadList. */
  loadedBuiltins: Set<string>;
  /** Files loaded from node_modules, relative to the package root. */
  packageFiles: string[];
  unbundled: string[];
  stdout: string;
}> {
  const log = join(dir, `modules-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const { stdout } = await run(process.execPath, ['--import', register, ...args], {
    cwd,
    // By default the per-command chunks, which esbuild's metafile maps back to source modules:
    // the recipe commands' single file (src/cli/code-cache.ts) holds every module they can reach,
    // lazily initialised by the same dynamic imports checked here; for it only packages count.
    env: {
      ...process.env,
      RECIPE_TEST_MODULE_LOG: log,
      RECIPE_CLI_CODE_CACHE: build === 'chunks' ? 'off' : 'on',
    },
  });
  const bundle = bundleInputs();
  const files = new Set<string>();
  const builtins = new Set<string>();
  const loadedBuiltins = new Set<string>();
  const packageFiles: string[] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line.startsWith('node:')) builtins.add(line);
    if (line.startsWith('builtin:')) loadedBuiltins.add(line.slice('builtin:'.length));
    if (line === '' || line.startsWith('node:') || line.startsWith('builtin:')) continue;
    const path = line.startsWith('file:') ? fileURLToPath(line) : line;
    const rel = relative(root, path).split(sep).join('/');
    if (rel.startsWith('node_modules/')) packageFiles.push(rel);
    for (const input of bundle.get(rel) ?? [rel]) files.add(input);
  }
  // mlrecipe's own modules: src/x/y.ts (bundled) or dist/x/y.js (the library, compiled by tsc).
  const modules = new Set(
    [...files]
      .flatMap((file) => /^(?:src|dist)\/(.+)\.[jt]s$/.exec(file)?.slice(1) ?? [])
      .map((m) => `${m}.js`),
  );
  const packages = new Set<string>();
  for (const file of files) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match) packages.add(match[1] as string);
  }
  // mlrecipe files loaded outside the bundle: tsc's per-module library files (dist/<module>/).
  const unbundled = [...files].filter((file) => file.startsWith('dist/'));
  return { packages, modules, builtins, loadedBuiltins, packageFiles, unbundled, stdout };
}

describe('lazy command groups', () => {
  it('commands.ts imports no command module statically and lists only lazy groups', () => {
    const staticImports = readFileSync(commandsSource, 'utf8')
      .split('\n')
      .filter((line) => /^import\s+(?!type\b)/.test(line) && /from\s+'\.\//.test(line))
      // The recipe group's command names: a constant module, shared with the binary.
      .filter((line) => !line.includes("from './recipe-command-names.js'"));
    expect(staticImports).toEqual([]);
    const oldStyle = commandGroups.filter((group) => typeof group === 'function');
    expect(oldStyle.map((group) => (group as RegisterCommands).name)).toEqual([]);
  });

  it('each group adds exactly the top-level commands it declares', async () => {
    for (const group of commandGroups as LazyCommandGroup[]) {
      const program = new Command('recipe');
      (await group.load())(program, { argv: [] });
      expect(program.commands.map((command) => command.name()).sort()).toEqual([...group.commands].sort());
    }
  });

  it('picks the groups a command line names, none for --version, all for help and unknown commands', () => {
    const groups = commandGroups as LazyCommandGroup[];
    const pick = (...args: string[]) =>
      groupsToLoad(groups, ['node', 'recipe', ...args]) as LazyCommandGroup[];
    const names = (...args: string[]) => [...new Set(pick(...args).flatMap((group) => group.commands))];
    expect(pick('--version')).toEqual([]);
    expect(pick('--verbose', '-V')).toEqual([]);
    expect(names('run')).toEqual(['run', 'status', 'inspect', 'clean', 'gc', 'get-artifact']);
    expect(names('--tracking-uri', 'sqlite:///x.db', 'runs', 'list')).toEqual(['runs']);
    expect(names('--tracking-uri=sqlite:///x.db', '--verbose', 'experiments')).toEqual(['experiments']);
    // `models` is populated by several modules: all of them load.
    expect(pick('models', 'predict').length).toBe(groups.filter((g) => g.commands.includes('models')).length);
    expect(pick('models').length).toBeGreaterThanOrEqual(3);
    for (const args of [
      [],
      ['--help'],
      ['-h'],
      ['help', 'run'],
      ['no-such-command'],
      ['--version', '--help'],
    ]) {
      expect(pick(...args)).toEqual(groups);
    }
    // An old-style entry (a plain register function) is always registered.
    const eager: RegisterCommands = () => {};
    expect(groupsToLoad([...groups, eager], ['node', 'recipe', '--version'])).toEqual([eager]);
    expect(groupsToLoad([...groups, eager], ['node', 'recipe', 'gate'])).toContain(eager);
  });
});

describe('heavy modules at start-up', () => {
  it('the module recorder sees ESM imports and CommonJS requires (control)', async () => {
    const script =
      "import { createRequire } from 'node:module'; await import('fastify');" +
      " createRequire(process.cwd() + '/')('apache-arrow');";
    const { packages } = await loadedPackages(['--input-type=module', '-e', script], process.cwd());
    expect(packages.has('fastify')).toBe(true);
    expect(packages.has('apache-arrow')).toBe(true);
  });

  it('`recipe --version` loads no package but commander', async () => {
    const { packages, stdout } = await loadedPackages([cli, '--version'], dir);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect([...packages]).toEqual(['commander']);
  });

  it('`recipe --help` lists every command without loading any package but commander', async () => {
    const { packages, stdout } = await loadedPackages([cli, '--help'], dir);
    for (const command of ['run', 'status', 'models', 'project', 'workflow', 'runs', 'experiments', 'gate'])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect([...packages]).toEqual(['commander']);
  });

  it('`recipe models --help` registers every models subcommand without loading the server or model stack', async () => {
    const { packages, stdout } = await loadedPackages([cli, 'models', '--help'], dir);
    for (const sub of ['predict', 'list', 'serve', 'build-docker']) expect(stdout).toContain(sub);
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  it('a no-op `recipe run` (every step cached) loads neither servers, Arrow, Parquet, pg nor process/git libraries', async () => {
    const recipe = join(dir, 'recipe');
    await run(process.execPath, [cli, 'run'], { cwd: recipe });
    const { packages, modules, builtins, unbundled, stdout } = await loadedPackages(
      [cli, 'run', '--output', 'json'],
      recipe,
    );
    const { steps } = JSON.parse(stdout) as { steps: Array<{ step: string; state: string }> };
    expect(steps.filter((s) => s.step !== 'register').map((s) => s.state)).toEqual(Array(5).fill('cached'));
    expect(packages.has('better-sqlite3')).toBe(true); // it did record the run
    const heavy = HEAVY.filter((name) => name !== 'better-sqlite3');
    expect(heavy.filter((name) => packages.has(name))).toEqual([]);
    expect(packages.has('ajv')).toBe(false); // the config already passed the schema
    // Nor the training code: no estimator, transformer or model pipeline, and of the steps only
    // the ones whose plan-time answers live in their own module (ingest, split) and register,
    // which decides "unchanged" from model bytes and the registry.
    expect(modules.has('recipes/execute.js')).toBe(true); // the control: dist/ modules are seen
    // From the bundle (scripts/bundle-cli.mjs), not from per-module files: tsc's dist/<module>/
    // files are the library's, and the loader's per-file cost is what bundling removes.
    expect(unbundled).toEqual([]);
    const training = [
      'ml/estimators.js',
      'ml/column-transformer.js',
      'ml/linear-regression.js',
      'ml/decision-tree.js',
      'models/load.js',
      'models/pipeline.js',
      'registry/score-model.js',
      'steps/transform.js',
      'steps/train.js',
      'steps/evaluate.js',
    ];
    expect(training.filter((module) => modules.has(module))).toEqual([]);
    // Nor what only a step that runs, an error or a changed file needs (issue 15): the YAML parser
    // (parsed recipes are remembered; train recorded the model's digest), the data readers and the
    // glob matcher (ingest and split plan from light modules), the sweeps' trial scheduler and
    // project sweeps (validation needs only the tuning parser), the tracking module's index
    // (export/import), and the model-content digest itself.
    expect(['yaml', 'picomatch'].filter((name) => packages.has(name))).toEqual([]);
    const notForNoOp = [
      'steps/ingest.js',
      'steps/split.js',
      'data/read-dataset.js',
      'data/csv.js',
      'data/json.js',
      'data/parquet.js',
      'sweeps/index.js',
      'sweeps/worker-pool.js',
      'sweeps/project-sweep.js',
      'tracking/index.js',
      'tracking/import-runs.js',
      'tracking/export-runs.js',
      'models/mlmodel.js',
      'models/content-digest.js',
    ];
    expect(notForNoOp.filter((module) => modules.has(module))).toEqual([]);
    expect(modules.has('steps/ingest-files.js')).toBe(true); // the control: ingest was planned
    expect(['node:worker_threads', 'node:zlib', 'node:readline'].filter((b) => builtins.has(b))).toEqual([]);
  });

  it('the same no-op `recipe run` from the single file loads no heavy package either', async () => {
    const recipe = join(dir, 'recipe');
    await run(process.execPath, [cli, 'run'], { cwd: recipe });
    const { packages, packageFiles, loadedBuiltins, stdout } = await loadedPackages(
      [cli, 'run', '--output', 'json'],
      recipe,
      'single file',
    );
    const { steps } = JSON.parse(stdout) as { steps: Array<{ step: string; state: string }> };
    expect(steps.filter((s) => s.step !== 'register').map((s) => s.state)).toEqual(Array(5).fill('cached'));
    expect(packages.has('better-sqlite3')).toBe(true); // the control: requires are seen
    const heavy = HEAVY.filter((name) => name !== 'better-sqlite3');
    expect([...heavy, 'ajv'].filter((name) => packages.has(name))).toEqual([]);
    // better-sqlite3's JavaScript is in the single file (scripts/bundle-cli.mjs): from
    // node_modules only its compiled addon loads, by path.
    expect(packageFiles.filter((file) => file.startsWith('node_modules/better-sqlite3/'))).toEqual([
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]);
    // Nor Node's HTTP and TLS stacks: only an S3 client with MLFLOW_S3_IGNORE_TLS needs https.
    expect(loadedBuiltins.has('child_process')).toBe(true); // the control: git ran
    expect(
      ['http', 'https', 'tls', '_http_client', '_http_server'].filter((b) => loadedBuiltins.has(b)),
    ).toEqual([]);
  });

  it('`recipe status` plans a recipe without loading servers, Arrow, Parquet or database drivers', async () => {
    const { packages, modules, stdout } = await loadedPackages([cli, 'status'], join(dir, 'recipe'));
    expect(stdout).toContain('ingest');
    expect(modules.has('recipes/load.js')).toBe(true); // it did load the recipe
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });
});
