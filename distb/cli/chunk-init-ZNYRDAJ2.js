import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  MlrecipeError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/init.ts
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
function templatesDir() {
  return fileURLToPath(new URL("../../templates/", import.meta.url));
}
function listTemplates() {
  const dir = templatesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "recipe.yaml"))).map((e) => e.name).sort();
}
function vegaDatasetsDir() {
  let entry;
  try {
    entry = fileURLToPath(import.meta.resolve("vega-datasets"));
  } catch {
    entry = createRequire(import.meta.url).resolve("vega-datasets");
  }
  const dir = join(dirname(entry), "..", "data");
  if (!existsSync(dir)) {
    throw new MlrecipeError(`vega-datasets' data folder is missing (looked in ${dir})`, {
      hint: "reinstall mlrecipe\u2019s dependencies (npm ci): the templates copy their data from that package"
    });
  }
  return dir;
}
async function createRecipeFromTemplate(options) {
  const available = listTemplates();
  if (!available.includes(options.template)) {
    throw new UsageError(`unknown template "${options.template}"`, {
      hint: available.length > 0 ? `templates: ${available.join(", ")}` : "the templates/ folder of mlrecipe is missing"
    });
  }
  const source = join(templatesDir(), options.template);
  const manifest = JSON.parse(readFileSync(join(source, "template.json"), "utf8"));
  const dir = resolve(options.dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${options.dir} exists and is not a directory`);
    if (readdirSync(dir).length > 0) {
      throw new UsageError(`${options.dir} is not empty`, {
        hint: "choose a new directory name, or empty this one first"
      });
    }
  }
  const createdDir = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  try {
    const files = [];
    copyTree(source, dir, files, source);
    const data = vegaDatasetsDir();
    for (const item of manifest.data) {
      const target = resolve(dir, item.to);
      if (!target.startsWith(dir + sep))
        throw new MlrecipeError(
          `template.json of ${options.template}: "${item.to}" leaves the recipe directory`
        );
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(data, item.file), target);
      files.push(relative(dir, target).split(sep).join("/"));
    }
    files.sort();
    let commit;
    if (options.git !== false) commit = await initialCommit(dir, options.template);
    return { dir, template: options.template, files, ...commit ? { commit } : {} };
  } catch (error) {
    if (createdDir) rmSync(dir, { recursive: true, force: true });
    else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    throw error;
  }
}
function copyTree(from, to, files, root) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    if (from === root && entry.name === "template.json") continue;
    const name = from === root && entry.name === "gitignore" ? ".gitignore" : entry.name;
    const dest = join(to, name);
    if (entry.isDirectory()) {
      mkdirSync(dest, { recursive: true });
      copyTree(src, dest, files, root);
    } else if (entry.isFile()) {
      copyFileSync(src, dest);
      files.push(
        relative(root, src) === "gitignore" ? ".gitignore" : relative(root, src).split(sep).join("/")
      );
    }
  }
}
async function initialCommit(dir, template) {
  const { simpleGit } = await import("simple-git");
  const git = simpleGit(dir);
  try {
    await git.init();
    for (const [key, fallback] of [
      ["user.name", "mlrecipe"],
      ["user.email", "mlrecipe@localhost"]
    ]) {
      const value = await git.raw(["config", "--get", key]).catch(() => "");
      if (value.trim() === "") await git.addConfig(key, fallback, false, "local");
    }
    await git.add(".");
    const result = await git.commit(`Create recipe from the mlrecipe ${template} template`);
    return result.commit;
  } catch (error) {
    throw new MlrecipeError(`git init / commit in ${dir} failed: ${error.message}`, {
      hint: "install git, or run `recipe init --no-git` and initialise the repository yourself",
      cause: error
    });
  }
}
function registerInitCommand(program) {
  program.command("init").description("create a new recipe repository from a template (regression or classification)").argument("<dir>", "directory to create (must not exist or be empty)").option("-t, --template <name>", "template: regression or classification", "regression").option("--no-git", "do not run git init and the initial commit").action(async (dir, opts) => {
    const created = await createRecipeFromTemplate({ template: opts.template, dir, git: opts.git });
    const rel = relative(process.cwd(), created.dir);
    const shown = rel === "" ? "." : rel.startsWith("..") ? created.dir : rel;
    const lines = [
      `Created a ${created.template} recipe in ${shown} (${created.files.length} files${created.commit ? `, git commit ${created.commit.slice(0, 7)}` : ""}).`,
      "",
      "Next steps:",
      `  cd ${shown.includes(" ") ? JSON.stringify(shown) : shown}`,
      "  recipe run                       # ingest \u2192 split \u2192 transform \u2192 train \u2192 evaluate \u2192 register",
      "  recipe inspect --step evaluate   # metrics and validation status",
      "  cat README.md                    # what each file does and what to change"
    ];
    cliStdout().write(`${lines.join("\n")}
`);
  });
}
export {
  createRecipeFromTemplate,
  listTemplates,
  registerInitCommand,
  templatesDir,
  vegaDatasetsDir
};
