import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** tsx's loader by absolute URL: the child runs in the recipe dir, where `tsx` does not resolve. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export const RUN_ENGINE = fileURLToPath(new URL('./fixtures/run-engine.ts', import.meta.url));

export const TEST_RECIPE = `recipe: regression/v1
target_col: y
steps:
  ingest:
    using: csv
    location: data.csv
  split:
    split_ratios: [0.5, 0.25, 0.25]
  transform:
    using: custom
    transformer_method: upper
  train:
    using: custom
    estimator_method: test
    estimator_params: {{ TRAIN_PARAMS }}
`;

/** A real git repository holding a recipe that the test steps can run. */
export function makeRecipeRepo(options: { trainParams?: Record<string, unknown> } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-engine-'));
  mkdirSync(join(dir, 'steps'));
  mkdirSync(join(dir, 'profiles'));
  writeFileSync(join(dir, 'recipe.yaml'), TEST_RECIPE);
  writeFileSync(
    join(dir, 'profiles', 'local.yaml'),
    `TRAIN_PARAMS: ${JSON.stringify(options.trainParams ?? {})}\n`,
  );
  writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n3,4\n5,6\n7,8\n');
  writeFileSync(
    join(dir, 'steps', 'transform.ts'),
    'export function upper(s: string): string {\n  return s.toUpperCase();\n}\n',
  );
  // The test train step (fixtures/test-steps.ts) reads estimator_params itself; validation only
  // asks that steps/train.ts export the estimator_method it names.
  writeFileSync(
    join(dir, 'steps', 'train.ts'),
    'export function test(): void {}\nexport function other(): void {}\n',
  );
  writeFileSync(join(dir, '.gitignore'), '.recipe/\nmlruns/\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  git('add', '-A');
  git('commit', '-q', '-m', 'recipe');
  return dir;
}

export function setProfile(dir: string, trainParams: Record<string, unknown>): void {
  writeFileSync(join(dir, 'profiles', 'local.yaml'), `TRAIN_PARAMS: ${JSON.stringify(trainParams)}\n`);
}

export function editFile(dir: string, file: string, edit: (text: string) => string): void {
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Spawned {
  child: ChildProcess;
  /** What the process has written so far. */
  stderr(): string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts a real engine process (tsx-loaded test steps). */
export function spawnEngine(recipeDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, RUN_ENGINE, recipeDir, ...args], {
    cwd: recipeDir,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** Polls until `check` is true (no timing assertions: only a generous upper bound). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
