/**
 * `recipe init --template regression|classification <dir>`: a new recipe repository from one of
 * the templates in `templates/`, with its data copied from the vega-datasets npm package (read
 * from disk, so init works offline) and an initial git commit.
 *
 * Kept small and self-contained: `createRecipeFromTemplate` does the work and is exported for
 * tests and for callers that scaffold recipes programmatically.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { MlrecipeError, UsageError } from '../errors.js';
import { cliStdout } from './io.js';

/** `templates/` in the mlrecipe package (the same relative place from src/cli and dist/cli). */
export function templatesDir(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

/** Template names: the folders of `templates/` that hold a recipe.yaml. */
export function listTemplates(): string[] {
  const dir = templatesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'recipe.yaml')))
    .map((e) => e.name)
    .sort();
}

interface TemplateManifest {
  name: string;
  description: string;
  data: Array<{ package: 'vega-datasets'; file: string; to: string; license: string }>;
}

/**
 * The folder of vega-datasets' data files. The package's `exports` map hides `data/` and its JS
 * entry downloads from the internet, so the folder is found next to the resolved entry point.
 */
export function vegaDatasetsDir(): string {
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve('vega-datasets'));
  } catch {
    entry = createRequire(import.meta.url).resolve('vega-datasets');
  }
  // entry is <pkg>/build/index.js
  const dir = join(dirname(entry), '..', 'data');
  if (!existsSync(dir)) {
    throw new MlrecipeError(`vega-datasets' data folder is missing (looked in ${dir})`, {
      hint: 'reinstall mlrecipe’s dependencies (npm ci): the templates copy their data from that package',
    });
  }
  return dir;
}

export interface CreateRecipeOptions {
  template: string;
  /** Target directory; must not exist or be empty. */
  dir: string;
  /** Run `git init` and commit the new files (default true). */
  git?: boolean;
}

export interface CreatedRecipe {
  dir: string;
  template: string;
  /** Files written, relative to `dir`, sorted. */
  files: string[];
  /** The initial commit's hash, when git was used. */
  commit?: string;
}

/** Creates a recipe directory from a template. */
export async function createRecipeFromTemplate(options: CreateRecipeOptions): Promise<CreatedRecipe> {
  const available = listTemplates();
  if (!available.includes(options.template)) {
    throw new UsageError(`unknown template "${options.template}"`, {
      hint:
        available.length > 0
          ? `templates: ${available.join(', ')}`
          : 'the templates/ folder of mlrecipe is missing',
    });
  }
  const source = join(templatesDir(), options.template);
  const manifest = JSON.parse(readFileSync(join(source, 'template.json'), 'utf8')) as TemplateManifest;
  const dir = resolve(options.dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${options.dir} exists and is not a directory`);
    if (readdirSync(dir).length > 0) {
      throw new UsageError(`${options.dir} is not empty`, {
        hint: 'choose a new directory name, or empty this one first',
      });
    }
  }
  const createdDir = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  try {
    const files: string[] = [];
    copyTree(source, dir, files, source);
    const data = vegaDatasetsDir();
    for (const item of manifest.data) {
      const target = resolve(dir, item.to);
      if (!target.startsWith(dir + sep))
        throw new MlrecipeError(
          `template.json of ${options.template}: "${item.to}" leaves the recipe directory`,
        );
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(data, item.file), target);
      files.push(relative(dir, target).split(sep).join('/'));
    }
    files.sort();
    let commit: string | undefined;
    if (options.git !== false) commit = await initialCommit(dir, options.template);
    return { dir, template: options.template, files, ...(commit ? { commit } : {}) };
  } catch (error) {
    // Leave nothing half-made behind: the user re-runs init on the same name.
    if (createdDir) rmSync(dir, { recursive: true, force: true });
    else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    throw error;
  }
}

/** Copies the template folder; `template.json` stays behind, `gitignore` becomes `.gitignore`. */
function copyTree(from: string, to: string, files: string[], root: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    if (from === root && entry.name === 'template.json') continue;
    // npm leaves dot-gitignore files out of packages, so templates store it without the dot.
    const name = from === root && entry.name === 'gitignore' ? '.gitignore' : entry.name;
    const dest = join(to, name);
    if (entry.isDirectory()) {
      mkdirSync(dest, { recursive: true });
      copyTree(src, dest, files, root);
    } else if (entry.isFile()) {
      copyFileSync(src, dest);
      files.push(
        relative(root, src) === 'gitignore' ? '.gitignore' : relative(root, src).split(sep).join('/'),
      );
    }
  }
}

async function initialCommit(dir: string, template: string): Promise<string> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit(dir);
  try {
    await git.init();
    // Commit as the user if git knows who they are; otherwise set a local identity for this
    // repository only, never touching the user's global configuration.
    for (const [key, fallback] of [
      ['user.name', 'mlrecipe'],
      ['user.email', 'mlrecipe@localhost'],
    ] as const) {
      const value = await git.raw(['config', '--get', key]).catch(() => '');
      if (value.trim() === '') await git.addConfig(key, fallback, false, 'local');
    }
    await git.add('.');
    const result = await git.commit(`Create recipe from the mlrecipe ${template} template`);
    return result.commit;
  } catch (error) {
    throw new MlrecipeError(`git init / commit in ${dir} failed: ${(error as Error).message}`, {
      hint: 'install git, or run `recipe init --no-git` and initialise the repository yourself',
      cause: error,
    });
  }
}

/** Registers `recipe init`. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a new recipe repository from a template (regression or classification)')
    .argument('<dir>', 'directory to create (must not exist or be empty)')
    .option('-t, --template <name>', 'template: regression or classification', 'regression')
    .option('--no-git', 'do not run git init and the initial commit')
    .action(async (dir: string, opts: { template: string; git: boolean }) => {
      const created = await createRecipeFromTemplate({ template: opts.template, dir, git: opts.git });
      const rel = relative(process.cwd(), created.dir);
      const shown = rel === '' ? '.' : rel.startsWith('..') ? created.dir : rel;
      const lines = [
        `Created a ${created.template} recipe in ${shown} (${created.files.length} files${created.commit ? `, git commit ${created.commit.slice(0, 7)}` : ''}).`,
        '',
        'Next steps:',
        `  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`,
        '  recipe run                       # ingest → split → transform → train → evaluate → register',
        '  recipe inspect --step evaluate   # metrics and validation status',
        '  cat README.md                    # what each file does and what to change',
      ];
      cliStdout().write(`${lines.join('\n')}\n`);
    });
}
