import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  isCodePath
} from "./chunk-chunk-Q3NCXTSE.js";
import {
  findOnPath,
  getEntryPoint,
  loadProject,
  renderCommand,
  resolveParameters,
  shellQuote
} from "./chunk-chunk-FABSN7QC.js";
import {
  TrackingClient,
  logBatchChunked
} from "./chunk-chunk-QBLXTEZY.js";
import {
  openTrackingStore,
  runnerTags
} from "./chunk-chunk-7Y5GNMMB.js";
import {
  require_dist
} from "./chunk-chunk-VDD6CXJ7.js";
import {
  LocalArtifactRepository,
  localPathFromArtifactUri
} from "./chunk-chunk-BGKV5I2Y.js";
import {
  replaceAtomicallyAsync
} from "./chunk-chunk-NOK55ACX.js";
import {
  resolveTrackingUri
} from "./chunk-chunk-IPY3WFCW.js";
import {
  TAGS
} from "./chunk-chunk-5AC5CY3N.js";
import {
  EXIT_USAGE,
  MlrecipeError,
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import {
  __toESM
} from "./chunk-chunk-ZGLOIRZZ.js";

// src/projects/run-project.ts
import { createHash as createHash4 } from "node:crypto";
import {
  createWriteStream,
  existsSync as existsSync4,
  mkdirSync as mkdirSync3,
  mkdtempSync,
  readdirSync as readdirSync2,
  readFileSync as readFileSync2,
  rmSync
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join as join4, relative as relative2, resolve as resolve3 } from "node:path";
import { execa as execa2 } from "execa";

// src/projects/code-digest.ts
import { createHash as createHash2 } from "node:crypto";
import { createReadStream, existsSync as existsSync2, lstatSync, readdirSync, statSync } from "node:fs";
import { join as join2, relative, resolve as resolve2 } from "node:path";

// src/projects/git-source.ts
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, normalize, resolve, sep } from "node:path";
import { simpleGit } from "simple-git";
var GIT_URL = /^(https?|ssh|git|file):\/\//i;
var SCP_LIKE = /^[^/]*:/;
function parseProjectUri(uri) {
  const hash = uri.indexOf("#");
  const base = hash >= 0 ? uri.slice(0, hash) : uri;
  const rawSub = hash >= 0 ? uri.slice(hash + 1) : "";
  let subdirectory;
  if (rawSub) {
    const norm = normalize(rawSub).replace(/\/+$/, "");
    if (isAbsolute(rawSub) || norm === ".." || norm.startsWith(`..${sep}`)) {
      throw new UsageError(`project subdirectory "${rawSub}" in ${uri} escapes the project`, {
        hint: 'write the subdirectory relative to the repository root, without ".."'
      });
    }
    subdirectory = norm === "." ? void 0 : norm;
  }
  const isGit = GIT_URL.test(base) || SCP_LIKE.test(base) && !/^[a-zA-Z]:[\\/]/.test(base);
  if (isGit) return { kind: "git", repoUrl: base, ...subdirectory ? { subdirectory } : {} };
  return { kind: "local", path: base || ".", ...subdirectory ? { subdirectory } : {} };
}
function projectCacheDir(env = process.env) {
  const root = env.RECIPE_CACHE_DIR ? resolve(env.RECIPE_CACHE_DIR) : join(homedir(), ".cache", "mlrecipe");
  return join(root, "projects");
}
async function fetchGitProject(options) {
  const cacheDir = options.cacheDir ?? projectCacheDir();
  const repoKey = createHash("sha256").update(options.repoUrl).digest("hex").slice(0, 20);
  const mirrorDir = join(cacheDir, "repos", repoKey);
  const log = options.log ?? (() => {
  });
  if (options.version !== void 0 && (options.version === "" || options.version.startsWith("-"))) {
    throw new UsageError(`--version ${JSON.stringify(options.version)} is not a branch, tag or commit`);
  }
  if (!existsSync(mirrorDir)) {
    mkdirSync(join(cacheDir, "repos"), { recursive: true });
    log(`cloning ${options.repoUrl}`);
    await replaceAtomicallyAsync(
      mirrorDir,
      async (tmp) => {
        try {
          await simpleGit().raw(["clone", "--mirror", "--quiet", "--", options.repoUrl, tmp]);
        } catch (error) {
          throw new MlrecipeError(`cannot clone ${options.repoUrl}: ${gitMessage(error)}`, {
            hint: "check the URI and that you can reach it with `git ls-remote <uri>`"
          });
        }
      },
      { keepExisting: true }
    );
  } else if (!await isKnownCommit(simpleGit(mirrorDir), options.version)) {
    log(`fetching ${options.repoUrl}`);
    try {
      await simpleGit(mirrorDir).raw(["fetch", "--prune", "--quiet", "origin"]);
    } catch (error) {
      throw new MlrecipeError(`cannot fetch ${options.repoUrl}: ${gitMessage(error)}`, {
        hint: "check your network, or pass --version <full commit id> to use the cached clone"
      });
    }
  }
  const mirror = simpleGit(mirrorDir);
  const rev = options.version ?? "HEAD";
  let commit;
  try {
    commit = (await mirror.raw(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`])).trim();
  } catch {
    commit = "";
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new UsageError(`version ${JSON.stringify(rev)} does not exist in ${options.repoUrl}`, {
      hint: "pass --version with a branch, tag or commit of that repository"
    });
  }
  let branch;
  if (options.version !== void 0) {
    const ref = await mirror.raw(["rev-parse", "--verify", "--quiet", `refs/heads/${options.version}`]).catch(() => "");
    branch = ref.trim() ? options.version : void 0;
  }
  const checkoutDir = join(cacheDir, "checkouts", repoKey, commit);
  if (!existsSync(checkoutDir)) {
    mkdirSync(join(cacheDir, "checkouts", repoKey), { recursive: true });
    await replaceAtomicallyAsync(
      checkoutDir,
      async (tmp) => {
        try {
          await simpleGit().raw(["clone", "--quiet", "--no-checkout", "--shared", "--", mirrorDir, tmp]);
          const work = simpleGit(tmp);
          await work.raw(["remote", "set-url", "origin", options.repoUrl]);
          await work.raw(["checkout", "--quiet", "--detach", commit]);
          if (existsSync(join(tmp, ".gitmodules")))
            await work.raw(["submodule", "update", "--init", "--recursive"]);
        } catch (error) {
          throw new MlrecipeError(`cannot check out ${commit} of ${options.repoUrl}: ${gitMessage(error)}`);
        }
      },
      { keepExisting: true }
    );
  }
  return { checkoutDir, commit, ...branch ? { branch } : {} };
}
async function isKnownCommit(git, version) {
  if (!version || !/^[0-9a-f]{40}$/.test(version)) return false;
  const type = await git.raw(["cat-file", "-t", version]).catch(() => "");
  return type.trim() === "commit";
}
function gitMessage(error) {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split("\n").filter(Boolean).slice(-2).join(" ");
}
async function gitInfoOf(dir) {
  const git = simpleGit(dir);
  let root;
  let commit;
  try {
    root = (await git.raw(["rev-parse", "--show-toplevel"])).trim();
    commit = (await git.raw(["rev-parse", "--verify", "--quiet", "HEAD"])).trim();
  } catch {
    return void 0;
  }
  if (!root || !commit) return void 0;
  let repoUrl;
  try {
    repoUrl = (await git.raw(["remote", "get-url", "origin"])).trim() || void 0;
  } catch {
    repoUrl = void 0;
  }
  return { root, commit, ...repoUrl ? { repoUrl } : {} };
}
async function changedFiles(dir) {
  const out = await simpleGit(dir).raw([
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
    "--",
    "."
  ]);
  const files = [];
  const entries = out.split("\0");
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2);
    files.push(entry.slice(3));
    if (status.includes("R") || status.includes("C")) i++;
  }
  return files;
}

// src/projects/code-digest.ts
var LARGE_FILE_BYTES = 32 * 1024 * 1024;
async function hashFile(hash, path) {
  for await (const chunk of createReadStream(path)) hash.update(chunk);
}
async function projectCodeDigest(projectDir, git, options = {}) {
  const hash = createHash2("sha256");
  const excluded = new Set((options.exclude ?? []).map((p) => resolve2(p)));
  if (git) {
    hash.update(`git:${git.commit}
`);
    if (options.commitOnly) return hash.digest("hex");
    const changed = (await changedFiles(projectDir)).filter((rel) => isCodePath(rel) && !excluded.has(join2(git.root, rel))).sort();
    for (const rel of changed) {
      const abs = join2(git.root, rel);
      hash.update(`${rel}\0`);
      if (existsSync2(abs) && lstatSync(abs).isFile()) await hashFile(hash, abs);
      else hash.update("<deleted>");
      hash.update("\0");
    }
    return hash.digest("hex");
  }
  hash.update("files\n");
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join2(dir, entry.name);
      const rel = relative(projectDir, abs).split("\\").join("/");
      if (!isCodePath(rel) || excluded.has(abs)) continue;
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) files.push(rel);
    }
  };
  walk(projectDir);
  for (const rel of files.sort()) {
    hash.update(`${rel}\0`);
    const abs = join2(projectDir, rel);
    const info = statSync(abs);
    if (info.size > LARGE_FILE_BYTES) hash.update(`size:${info.size} mtime:${info.mtimeMs}`);
    else await hashFile(hash, abs);
    hash.update("\0");
  }
  return hash.digest("hex");
}

// src/projects/environments.ts
var import_yaml = __toESM(require_dist(), 1);
import { createHash as createHash3 } from "node:crypto";
import { existsSync as existsSync3, mkdirSync as mkdirSync2, readFileSync, writeFileSync } from "node:fs";
import { dirname, join as join3 } from "node:path";
import { execa } from "execa";
import { satisfies, validRange } from "semver";
var ENV_MANAGERS = ["local", "virtualenv", "conda", "docker"];
var EnvironmentUnavailableError = class extends MlrecipeError {
  code = "ENVIRONMENT_UNAVAILABLE";
  exitCode = EXIT_USAGE;
};
function shellPath() {
  return existsSync3("/bin/bash") ? "/bin/bash" : "/bin/sh";
}
function localLaunch(command) {
  return { file: shellPath(), args: ["-c", command] };
}
async function prepareEnvironment(options) {
  const { project } = options;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {
  });
  const declared = project.environment;
  const manager = options.envManager;
  const local = { name: "local", env: {}, launch: localLaunch };
  if (manager === "local") return local;
  switch (declared.kind) {
    case "none":
      if (manager) {
        throw new UsageError(`--env-manager ${manager}: the project declares no environment to create`, {
          hint: "omit --env-manager (or pass local), or declare python_env / conda_env / docker_env in MLproject"
        });
      }
      return local;
    case "node_env": {
      if (manager) {
        throw new UsageError(`--env-manager ${manager} does not apply to a node_env project`, {
          hint: "omit --env-manager to run npm ci in the project, or pass --env-manager local"
        });
      }
      if (declared.node && !satisfiesNodeRange(process.versions.node, declared.node)) {
        throw new EnvironmentUnavailableError(
          `the project needs Node.js ${declared.node} (node_env), but this is Node.js ${process.versions.node}`,
          { hint: "run mlrecipe with a matching Node.js, or pass --env-manager local to try anyway" }
        );
      }
      if (declared.npmCi) await npmCiOnce(project.dir, log);
      return { name: "node", env: {}, launch: localLaunch };
    }
    case "docker_env": {
      if (manager && manager !== "docker") {
        throw new UsageError(`--env-manager ${manager} does not apply to a docker_env project`, {
          hint: "omit --env-manager to run in the image, or pass --env-manager local"
        });
      }
      await requireDocker(env);
      const image = declared.image;
      return {
        name: "docker",
        env: {},
        launch(command, context) {
          const args = [
            "run",
            "--rm",
            "-v",
            `${project.dir}:/mlflow/projects/code`,
            "-w",
            "/mlflow/projects/code"
          ];
          for (const mount of context.mounts) args.push("-v", `${mount}:${mount}`);
          for (const volume of declared.volumes) args.push("-v", volume);
          for (const name of context.envNames) args.push("-e", name);
          for (const entry of declared.environment) {
            args.push("-e", typeof entry === "string" ? entry : `${entry[0]}=${entry[1]}`);
          }
          args.push(image, "bash", "-c", command);
          return { file: "docker", args };
        }
      };
    }
    case "conda_env": {
      if (manager && manager !== "conda") {
        throw new UsageError(`--env-manager ${manager} does not apply to a conda_env project`, {
          hint: "omit --env-manager to use conda, or pass --env-manager local"
        });
      }
      const conda = env.MLFLOW_CONDA_HOME ? join3(env.MLFLOW_CONDA_HOME, "bin", "conda") : env.CONDA_EXE ?? findOnPath("conda", env);
      if (!conda || !existsSync3(conda)) {
        throw new EnvironmentUnavailableError(
          `the project declares conda_env (${declared.file}), but conda is not installed (not on PATH, no $CONDA_EXE or $MLFLOW_CONDA_HOME)`,
          { hint: "install conda, or pass --env-manager local to run with the tools installed here" }
        );
      }
      const name = `mlflow-${createHash3("sha1").update(readFileSync(declared.file)).digest("hex")}`;
      const listed = await execa(conda, ["env", "list", "--json"], { reject: false });
      const known = listed.exitCode === 0 && JSON.parse(listed.stdout).envs.some((p) => p.endsWith(`/${name}`));
      if (!known) {
        log(`creating conda environment ${name} from ${declared.file}`);
        const created = await execa(conda, ["env", "create", "-n", name, "-f", declared.file], {
          reject: false,
          all: true
        });
        if (created.exitCode !== 0) {
          throw new EnvironmentUnavailableError(
            `conda env create failed for ${declared.file}: ${tail(created.all ?? "")}`,
            {
              hint: "fix the conda environment file, or pass --env-manager local"
            }
          );
        }
      }
      return {
        name: "conda",
        env: {},
        launch: (command) => ({
          file: conda,
          args: ["run", "--no-capture-output", "-n", name, "bash", "-c", command]
        })
      };
    }
    case "python_env": {
      if (manager && manager !== "virtualenv") {
        throw new UsageError(`--env-manager ${manager} does not apply to a python_env project`, {
          hint: "omit --env-manager (virtualenv), or pass --env-manager local"
        });
      }
      const venv = await virtualenvFor(declared.file, project.dir, env, log);
      return {
        name: "virtualenv",
        env: { VIRTUAL_ENV: venv, PATH: `${join3(venv, "bin")}:${env.PATH ?? ""}` },
        launch: localLaunch
      };
    }
  }
}
async function requireDocker(env) {
  const docker = findOnPath("docker", env);
  const hint = "start a Docker engine, or pass --env-manager local to run with the tools installed here";
  if (!docker) {
    throw new EnvironmentUnavailableError(
      "the project declares docker_env, but docker is not installed (not on PATH)",
      { hint }
    );
  }
  const info = await execa(docker, ["info", "--format", "{{.ServerVersion}}"], {
    reject: false,
    timeout: 2e4,
    all: true
  });
  if (info.exitCode !== 0) {
    throw new EnvironmentUnavailableError(
      `the project declares docker_env, but no Docker engine answers (docker info: ${tail(info.all ?? "") || "failed"})`,
      { hint }
    );
  }
}
var npmCiRuns = /* @__PURE__ */ new Map();
async function npmCiOnce(dir, log = () => {
}) {
  const lockfile = join3(dir, "package-lock.json");
  if (!existsSync3(lockfile)) return false;
  const previous = npmCiRuns.get(dir);
  if (previous) {
    await previous;
    return false;
  }
  const marker = join3(dir, "node_modules", ".mlrecipe-npm-ci");
  const hash = createHash3("sha256").update(readFileSync(lockfile)).digest("hex");
  if (existsSync3(marker) && readFileSync(marker, "utf8").trim() === hash) return false;
  const run = (async () => {
    log(`npm ci in ${dir}`);
    const npm = findOnPath("npm") ?? "npm";
    const result = await execa(npm, ["ci", "--no-audit", "--no-fund"], {
      cwd: dir,
      reject: false,
      all: true
    });
    if (result.exitCode !== 0) {
      throw new EnvironmentUnavailableError(`npm ci failed in ${dir}: ${tail(result.all ?? "")}`, {
        hint: "fix package.json/package-lock.json (npm ci needs them in sync), or pass --env-manager local"
      });
    }
    mkdirSync2(dirname(marker), { recursive: true });
    writeFileSync(marker, `${hash}
`);
  })();
  npmCiRuns.set(dir, run);
  try {
    await run;
  } finally {
    npmCiRuns.delete(dir);
  }
  return true;
}
async function virtualenvFor(file, projectDir, env, log) {
  const text = readFileSync(file, "utf8");
  const spec = (0, import_yaml.parse)(text) ?? {};
  const wanted = spec.python ? String(spec.python) : void 0;
  const python = await findPython(wanted, env);
  const hint = "install that Python, or pass --env-manager local to run with the local python";
  if (!python) {
    throw new EnvironmentUnavailableError(
      `python_env ${file} asks for Python ${wanted ?? "3"}, which is not installed here`,
      { hint }
    );
  }
  const key = createHash3("sha256").update(text).update(python).digest("hex").slice(0, 20);
  const venv = join3(projectCacheDir(env), "envs", `venv-${key}`);
  if (existsSync3(venv)) return venv;
  mkdirSync2(dirname(venv), { recursive: true });
  log(`creating virtualenv for ${file} with ${python}`);
  await replaceAtomicallyAsync(
    venv,
    async (tmp) => {
      const steps = [[python, ["-m", "venv", tmp]]];
      const pip = join3(tmp, "bin", "python");
      if (spec.build_dependencies?.length)
        steps.push([pip, ["-m", "pip", "install", ...spec.build_dependencies]]);
      if (spec.dependencies?.length) steps.push([pip, ["-m", "pip", "install", ...spec.dependencies]]);
      for (const [cmd, args] of steps) {
        const result = await execa(cmd, args, { cwd: projectDir, reject: false, all: true });
        if (result.exitCode !== 0) {
          throw new EnvironmentUnavailableError(
            `creating the virtualenv for ${file} failed: ${tail(result.all ?? "")}`,
            { hint }
          );
        }
      }
    },
    { keepExisting: true }
  );
  return venv;
}
async function findPython(wanted, env) {
  const minor = wanted?.split(".").slice(0, 2).join(".");
  const candidates = [minor ? `python${minor}` : void 0, "python3", "python"].filter(
    (c) => !!c
  );
  for (const name of candidates) {
    const path = findOnPath(name, env);
    if (!path) continue;
    const result = await execa(path, ["--version"], { reject: false, all: true });
    const version = /Python (\S+)/.exec(result.all ?? "")?.[1];
    if (!version) continue;
    if (!wanted || version === wanted || version.startsWith(`${wanted}.`)) return path;
  }
  return void 0;
}
function tail(text) {
  return text.trim().split("\n").slice(-3).join(" | ");
}
function satisfiesNodeRange(version, range) {
  if (validRange(range) === null) {
    throw new UsageError(
      `node_env range ${JSON.stringify(range)} is not a semver range mlrecipe understands`
    );
  }
  return satisfies(version.replace(/^v/, ""), range);
}

// src/projects/run-project.ts
var PROJECT_TAGS = {
  projectEnv: "mlflow.project.env",
  /** MLflow's legacy duplicates, still written by MLflow 2.x. */
  legacyGitRepoUrl: "mlflow.gitRepoURL",
  legacyGitBranch: "mlflow.gitBranchName",
  /** sha256 over entry point, params and code identity: equal keys mean an equivalent run. */
  reuseKey: "mlrecipe.reuse_key",
  codeDigest: "mlrecipe.project.code_digest",
  /** Prefix of the tags holding a run's named outputs (`mlrecipe.output.dataset_uri`). */
  outputPrefix: "mlrecipe.output.",
  /** On a workflow's parent run: which run served a step (`mlrecipe.step.etl.run_id`). */
  stepPrefix: "mlrecipe.step.",
  workflow: "mlrecipe.workflow"
};
async function planProjectRun(options) {
  const cwd = resolve3(options.cwd ?? process.cwd());
  const log = options.log ?? (() => {
  });
  const source = parseProjectUri(options.uri);
  const sourceTags = [{ key: TAGS.sourceType, value: "PROJECT" }];
  let projectDir;
  let branch;
  if (source.kind === "git") {
    const fetched = await fetchGitProject({ repoUrl: source.repoUrl, version: options.version, log });
    projectDir = source.subdirectory ? join4(fetched.checkoutDir, source.subdirectory) : fetched.checkoutDir;
    branch = fetched.branch;
    if (!existsSync4(projectDir)) {
      throw new UsageError(
        `subdirectory ${source.subdirectory} does not exist in ${source.repoUrl} at ${fetched.commit}`
      );
    }
    sourceTags.push({ key: TAGS.sourceName, value: options.uri });
  } else {
    if (options.version !== void 0) {
      throw new UsageError(`--version applies to git project URIs, and ${options.uri} is a local directory`, {
        hint: "drop --version, or point at the repository with file://, https:// or git@"
      });
    }
    const base = resolve3(cwd, source.path);
    projectDir = source.subdirectory ? join4(base, source.subdirectory) : base;
  }
  const project = loadProject(projectDir);
  const git = await gitInfoOf(projectDir);
  if (source.kind === "local") {
    const rel = git ? relative2(git.root, projectDir) : "";
    const name = git ? `file://${git.root}${rel ? `#${rel}` : ""}` : projectDir;
    sourceTags.push({ key: TAGS.sourceName, value: name });
  }
  if (git) {
    sourceTags.push({ key: TAGS.gitCommit, value: git.commit });
    if (git.repoUrl) {
      sourceTags.push(
        { key: TAGS.gitRepoUrl, value: git.repoUrl },
        { key: PROJECT_TAGS.legacyGitRepoUrl, value: git.repoUrl }
      );
    }
  }
  if (branch) {
    sourceTags.push(
      { key: TAGS.gitBranch, value: branch },
      { key: PROJECT_TAGS.legacyGitBranch, value: branch }
    );
  }
  const entryPoint = getEntryPoint(project, options.entryPoint ?? "main");
  sourceTags.push({ key: TAGS.projectEntryPoint, value: entryPoint.name });
  const parameters = resolveParameters({ entryPoint, given: options.parameters ?? {}, cwd });
  const command = renderCommand({
    template: entryPoint.command,
    values: parameters.commandValues,
    extra: parameters.extra,
    entryPoint: entryPoint.name
  });
  const environment = await prepareEnvironment({
    project,
    ...options.envManager ? { envManager: options.envManager } : {},
    log,
    ...options.env ? { env: options.env } : {}
  });
  const codeDigest = await projectCodeDigest(projectDir, git, {
    exclude: options.excludeFromCodeDigest ?? [],
    // Files a run leaves in the shared checkout of a git source are outputs, not code.
    commitOnly: source.kind === "git"
  });
  const reuseKey = computeReuseKey({
    entryPoint: entryPoint.name,
    params: { ...parameters.declared, ...parameters.extra },
    codeDigest
  });
  return {
    uri: options.uri,
    project,
    entryPoint,
    parameters,
    command,
    environment,
    sourceTags,
    ...git ? { gitCommit: git.commit } : {},
    codeDigest,
    reuseKey
  };
}
function recordedParams(parameters) {
  return Object.fromEntries(
    Object.entries({ ...parameters.declared, ...parameters.extra }).map(([key, value]) => [
      key,
      shellQuote(value)
    ])
  );
}
function computeReuseKey(args) {
  const params = Object.keys(args.params).sort().map((k) => [k, args.params[k]]);
  return createHash4("sha256").update(JSON.stringify({ entryPoint: args.entryPoint, params, code: args.codeDigest })).digest("hex");
}
async function executeProjectRun(plan, options) {
  const { store } = options;
  const log = options.log ?? ((m) => process.stderr.write(`${m}
`));
  const baseEnv = options.env ?? process.env;
  const tags = [
    { key: TAGS.user, value: currentUser(baseEnv) },
    ...plan.sourceTags,
    { key: PROJECT_TAGS.projectEnv, value: plan.environment.name },
    { key: TAGS.projectBackend, value: "local" },
    { key: PROJECT_TAGS.reuseKey, value: plan.reuseKey },
    { key: PROJECT_TAGS.codeDigest, value: plan.codeDigest }
  ];
  if (options.parentRunId) tags.push({ key: TAGS.parentRunId, value: options.parentRunId });
  for (const [key, value] of Object.entries(options.tags ?? {})) tags.push({ key, value });
  tags.push(...runnerTags());
  let killedBy;
  let pid;
  let escalation;
  const stop = (signal) => {
    if (killedBy === void 0) {
      killedBy = signal;
      log(`=== Stopping run (${signal}) ===`);
    }
    if (pid === void 0) return;
    const group = pid;
    killGroup(group, signal);
    escalation ??= setTimeout(() => killGroup(group, "SIGKILL"), options.killGraceMs ?? 1e4);
  };
  const onSigint = () => stop("SIGINT");
  const onSigterm = () => stop("SIGTERM");
  const onAbort = () => stop("SIGTERM");
  const handleSignals = options.handleSignals !== false;
  if (handleSignals) {
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    process.on("SIGHUP", onSigterm);
  }
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await recordAndRun();
  } finally {
    if (escalation) clearTimeout(escalation);
    if (handleSignals) {
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
      process.off("SIGHUP", onSigterm);
    }
    options.signal?.removeEventListener("abort", onAbort);
  }
  async function recordAndRun() {
    const run = await store.createRun({
      experimentId: options.experimentId,
      userId: currentUser(baseEnv),
      tags,
      ...options.runName ? { runName: options.runName } : {}
    });
    const runId = run.info.run_id;
    const artifactUri = run.info.artifact_uri;
    const params = Object.entries(recordedParams(plan.parameters)).map(([key, value]) => ({ key, value }));
    try {
      await logBatchChunked(store, runId, { params });
    } catch (error) {
      await store.updateRun(runId, { status: "FAILED", endTime: Date.now() });
      throw error;
    }
    options.onRunCreated?.(run);
    const staging = mkdtempSync(join4(tmpdir(), `mlrecipe-run-${runId.slice(0, 8)}-`));
    const artifactsDir = join4(staging, "artifacts");
    const outputsFile = join4(staging, "outputs.json");
    mkdirSync3(artifactsDir);
    const problems = [];
    let logsDir;
    try {
      logsDir = localPathFromArtifactUri(artifactUri);
      mkdirSync3(logsDir, { recursive: true });
    } catch (error) {
      problems.push(`could not create the artifact directory: ${error.message}`);
      logsDir = join4(staging, "logs");
      mkdirSync3(logsDir);
    }
    let exitCode;
    let endSignal;
    try {
      const childEnv = {
        ...baseEnv,
        ...plan.environment.env,
        MLFLOW_RUN_ID: runId,
        MLFLOW_TRACKING_URI: options.trackingUri,
        MLFLOW_EXPERIMENT_ID: options.experimentId,
        RECIPE_TRACKING_URI: options.trackingUri,
        RECIPE_RUN_ID: runId,
        RECIPE_ARTIFACT_URI: artifactUri,
        RECIPE_ARTIFACTS_DIR: artifactsDir,
        RECIPE_OUTPUTS_FILE: outputsFile
      };
      delete childEnv.MLFLOW_EXPERIMENT_NAME;
      const launch = plan.environment.launch(plan.command, {
        envNames: Object.keys(childEnv).filter((k) => k.startsWith("MLFLOW_") || k.startsWith("RECIPE_")),
        mounts: [staging, ...localStoreDirs(options.trackingUri, artifactUri)]
      });
      log(`=== Running command '${plan.command}' in run with ID '${runId}' ===`);
      const stdoutFile = createWriteStream(join4(logsDir, "stdout.txt"));
      const stderrFile = createWriteStream(join4(logsDir, "stderr.txt"));
      let detachTimer;
      try {
        if (options.signal?.aborted) {
          onAbort();
        } else if (killedBy === void 0) {
          const graceSeconds = String((options.killGraceMs ?? 1e4) / 1e3);
          const child = execa2(
            shellPath(),
            ["-c", WATCHDOG_SCRIPT, "mlrecipe-run", graceSeconds, launch.file, ...launch.args],
            {
              cwd: plan.project.dir,
              env: childEnv,
              extendEnv: false,
              // Its own process group, so stopping the run can stop everything the command started.
              detached: true,
              // Never written to: when this process dies, even by SIGKILL, the kernel closes it and
              // the watchdog in WATCHDOG_SCRIPT stops the command's process group.
              stdin: "pipe",
              stdout: "pipe",
              stderr: "pipe",
              buffer: false,
              reject: false,
              cleanup: false
            }
          );
          pid = child.pid;
          let streamsOpen = 2;
          child.once("exit", () => {
            if (pid !== void 0 && killedBy !== void 0) killGroup(pid, "SIGKILL");
            detachTimer = setTimeout(() => {
              if (streamsOpen === 0) return;
              log(
                `warning: the command left processes running (process group ${pid}); their further output is not recorded`
              );
              child.stdout?.destroy();
              child.stderr?.destroy();
            }, OUTPUT_DRAIN_MS);
          });
          const tee = (from, file, terminal) => new Promise((done) => {
            if (!from) return done();
            from.on("data", (chunk) => {
              file.write(chunk);
              terminal?.write(chunk);
            });
            let finished = false;
            const finish = () => {
              if (finished) return;
              finished = true;
              streamsOpen--;
              done();
            };
            from.once("end", finish);
            from.once("error", finish);
            from.once("close", finish);
          });
          const teeing = Promise.all([
            tee(child.stdout, stdoutFile, options.stdout === void 0 ? process.stdout : options.stdout),
            tee(child.stderr, stderrFile, options.stderr === void 0 ? process.stderr : options.stderr)
          ]);
          const result = await child;
          exitCode = result.exitCode;
          endSignal = result.signal;
          if (pid !== void 0 && killedBy !== void 0) killGroup(pid, "SIGKILL");
          await teeing;
          if (exitCode === void 0 && endSignal === void 0 && killedBy === void 0) {
            problems.push(`the command could not be started: ${launch.file}`);
          }
        }
      } finally {
        if (detachTimer) clearTimeout(detachTimer);
        await Promise.all([closeStream(stdoutFile), closeStream(stderrFile)]);
      }
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    let status = killedBy ? "KILLED" : exitCode === 0 ? "FINISHED" : "FAILED";
    const outputs = readOutputs(outputsFile, problems);
    if (status === "FINISHED" && problems.length > 0) status = "FAILED";
    try {
      const repo = new LocalArtifactRepository(artifactUri);
      if (logsDir.startsWith(staging)) await repo.logArtifacts(logsDir);
      if (readdirSync2(artifactsDir).length > 0) await repo.logArtifacts(artifactsDir);
      if (existsSync4(outputsFile) && Object.keys(outputs).length > 0) await repo.logArtifact(outputsFile);
    } catch (error) {
      problems.push(
        `could not store the run's artifacts: ${error instanceof Error ? error.message : String(error)}`
      );
    }
    try {
      const outputTags = Object.entries(outputs).map(([name, value]) => ({
        key: `${PROJECT_TAGS.outputPrefix}${name}`,
        value
      }));
      if (outputTags.length > 0) await logBatchChunked(store, runId, { tags: outputTags });
    } catch (error) {
      problems.push(`could not record outputs: ${error instanceof Error ? error.message : String(error)}`);
      if (status === "FINISHED") status = "FAILED";
    }
    await store.updateRun(runId, { status, endTime: Date.now() });
    rmSync(staging, { recursive: true, force: true });
    if (status === "FINISHED") for (const problem of problems) log(`warning: ${problem}`);
    const verdict = status === "FINISHED" ? "succeeded" : status === "KILLED" ? "was killed" : "failed";
    log(`=== Run (ID '${runId}') ${verdict} ===`);
    return {
      runId,
      experimentId: options.experimentId,
      status,
      ...exitCode !== void 0 ? { exitCode } : {},
      ...endSignal ? { signal: endSignal } : killedBy ? { signal: killedBy } : {},
      command: plan.command,
      artifactUri,
      outputs,
      problems
    };
  }
}
var WATCHDOG_SCRIPT = `exec 3<&0 </dev/null
( trap '' INT TERM HUP
  while read -r -u 3 _; do :; done
  kill -TERM 0
  sleep "$1"
  kill -KILL 0 ) >/dev/null 2>&1 &
watchdog=$!
disown "$watchdog"
exec 3<&-
"\${@:2}"
code=$?
kill -KILL "$watchdog" 2>/dev/null
exit "$code"`;
var OUTPUT_DRAIN_MS = 1e3;
function readOutputs(file, problems) {
  if (!existsSync4(file)) return {};
  let parsed;
  try {
    parsed = JSON.parse(readFileSync2(file, "utf8"));
  } catch (error) {
    problems.push(`$RECIPE_OUTPUTS_FILE is not valid JSON: ${error.message}`);
    return {};
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push("$RECIPE_OUTPUTS_FILE must hold a JSON object of name \u2192 string");
    return {};
  }
  const outputs = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) {
      problems.push(`output name ${JSON.stringify(name)} must be letters, digits, _, - or .`);
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      outputs[name] = String(value);
    } else {
      problems.push(`output ${name} must be a string, number or boolean`);
    }
  }
  return outputs;
}
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
  }
}
function closeStream(stream) {
  return new Promise((done) => stream.end(done));
}
function localStoreDirs(trackingUri, artifactUri) {
  const dirs = [];
  const sqlite = /^sqlite:\/\/\/(\/.*)$/.exec(trackingUri)?.[1];
  if (sqlite) dirs.push(resolve3(sqlite, ".."));
  try {
    dirs.push(localPathFromArtifactUri(artifactUri));
  } catch {
  }
  return dirs;
}
function currentUser(env) {
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const value = env[name];
    if (value) return value;
  }
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
async function runProject(options) {
  const cwd = resolve3(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const plan = await planProjectRun({ ...options, cwd });
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd, env });
  const store = options.store ?? await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    const experimentId = await resolveExperimentId(store, { ...options, env });
    return await executeProjectRun(plan, {
      store,
      trackingUri: resolved.uri,
      experimentId,
      ...options.runName ? { runName: options.runName } : {},
      ...options.parentRunId ? { parentRunId: options.parentRunId } : {},
      ...options.tags ? { tags: options.tags } : {},
      env,
      ...options.stdout !== void 0 ? { stdout: options.stdout } : {},
      ...options.stderr !== void 0 ? { stderr: options.stderr } : {},
      ...options.log ? { log: options.log } : {},
      ...options.handleSignals !== void 0 ? { handleSignals: options.handleSignals } : {},
      ...options.signal ? { signal: options.signal } : {},
      ...options.onRunCreated ? { onRunCreated: options.onRunCreated } : {}
    });
  } finally {
    if (!options.store) await store.close();
  }
}
async function resolveExperimentId(store, options) {
  const env = options.env ?? process.env;
  if (options.experimentId !== void 0 && options.experimentName !== void 0) {
    throw new UsageError("pass --experiment-id or --experiment-name, not both");
  }
  if (options.experimentId !== void 0) {
    const experiment = await store.getExperiment(options.experimentId);
    if (experiment.lifecycle_stage === "deleted") {
      throw new MlrecipeError(`experiment ${options.experimentId} is deleted`, {
        hint: `restore it with \`recipe experiments restore ${options.experimentId}\``
      });
    }
    return options.experimentId;
  }
  const client = new TrackingClient(store, { env: {} });
  if (options.experimentName !== void 0) return client.getOrCreateExperiment(options.experimentName);
  if (env.MLFLOW_EXPERIMENT_ID) return env.MLFLOW_EXPERIMENT_ID;
  if (env.MLFLOW_EXPERIMENT_NAME) return client.getOrCreateExperiment(env.MLFLOW_EXPERIMENT_NAME);
  return "0";
}

export {
  parseProjectUri,
  projectCacheDir,
  fetchGitProject,
  ENV_MANAGERS,
  EnvironmentUnavailableError,
  prepareEnvironment,
  npmCiOnce,
  satisfiesNodeRange,
  PROJECT_TAGS,
  planProjectRun,
  recordedParams,
  computeReuseKey,
  executeProjectRun,
  runProject,
  resolveExperimentId
};
