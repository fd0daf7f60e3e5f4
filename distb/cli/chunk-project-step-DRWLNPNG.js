import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  NOT_CODE,
  isCodePath
} from "./chunk-chunk-Q3NCXTSE.js";
import {
  escapeHtml
} from "./chunk-chunk-FZAGW6XK.js";
import {
  ConfigError,
  StepError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/projects/project-step.ts
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { extname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
var PROJECT_DATA_FORMATS = ["csv", "parquet", "json", "arrow"];
var PROJECT_SOURCE_FIELDS = [
  "uri",
  "entry_point",
  "parameters",
  "version",
  "format",
  "output"
];
function isProjectSource(cfg) {
  return cfg !== null && typeof cfg === "object" && cfg.using === "project";
}
var GIT_URL = /^(https?|ssh|git|file):\/\//i;
var SCP_LIKE = /^[^/]*:/;
function isGitUri(uri) {
  const base = uri.includes("#") ? uri.slice(0, uri.indexOf("#")) : uri;
  return GIT_URL.test(base) || SCP_LIKE.test(base) && !/^[a-zA-Z]:[\\/]/.test(base);
}
function localProjectDir(uri, recipeDir) {
  const hash = uri.indexOf("#");
  const base = hash >= 0 ? uri.slice(0, hash) : uri;
  const sub = hash >= 0 ? uri.slice(hash + 1) : "";
  return resolve(recipeDir, base || ".", sub);
}
function localProjectFiles(projectDir) {
  let rel;
  try {
    const out = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
      {
        cwd: projectDir,
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 256 * 1024 * 1024
      }
    );
    rel = out.toString("utf8").split("\0").filter(Boolean);
  } catch {
    return walkFiles(projectDir);
  }
  return [...new Set(rel.filter(isCodePath))].sort().map((r) => join(projectDir, r));
}
function walkFiles(root) {
  const files = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (NOT_CODE.has(entry.name)) continue;
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) files.push(abs);
    }
  };
  walk(root);
  return files.sort();
}
async function pathParameterFiles(cfg, recipeDir) {
  const { getEntryPoint, loadProject } = await import("./chunk-mlproject-TT5NSNQJ.js");
  const projectDir = localProjectDir(cfg.uri, recipeDir);
  let parameters;
  try {
    parameters = getEntryPoint(loadProject(projectDir), cfg.entry_point ?? "main").parameters;
  } catch {
    return [];
  }
  const files = /* @__PURE__ */ new Set();
  for (const spec of parameters) {
    if (spec.type !== "path") continue;
    const given = cfg.parameters?.[spec.name];
    const value = given !== void 0 ? String(given) : spec.default;
    if (value === void 0 || value === "") continue;
    let local;
    if (value.startsWith("file:")) {
      try {
        local = fileURLToPath(value);
      } catch {
        continue;
      }
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
    else local = resolve(recipeDir, value);
    let info;
    try {
      info = statSync(local);
    } catch {
      continue;
    }
    if (info.isFile()) files.add(local);
    else if (info.isDirectory()) for (const f of walkFiles(local)) files.add(f);
  }
  const inside = `${projectDir}${sep}`;
  return [...files].filter((f) => !f.startsWith(inside)).sort();
}
function field(kind, key) {
  return `steps.${kind}.${key}`;
}
function configIssue(kind, key, message, hint) {
  return new ConfigError([
    { file: "recipe.yaml", line: 0, column: 0, path: field(kind, key), message, hint }
  ]);
}
function checkProjectConfig(kind, cfg) {
  if (typeof cfg.uri !== "string" || cfg.uri === "") {
    throw configIssue(
      kind,
      "uri",
      "using: project needs a uri",
      "a project directory such as ./etl, or a git URI"
    );
  }
  if (typeof cfg.output !== "string" || cfg.output === "") {
    throw configIssue(
      kind,
      "output",
      "using: project needs output",
      "name the output the command writes to $RECIPE_OUTPUTS_FILE, e.g. output: dataset"
    );
  }
  if (cfg.format !== void 0 && !PROJECT_DATA_FORMATS.includes(cfg.format)) {
    throw configIssue(
      kind,
      "format",
      `unknown format ${JSON.stringify(cfg.format)}`,
      "use csv, parquet, json or arrow"
    );
  }
}
function stringParameters(cfg) {
  return Object.fromEntries(Object.entries(cfg.parameters ?? {}).map(([k, v]) => [k, String(v)]));
}
function outputFile(options) {
  const { kind, name, value, runId } = options;
  if (value.startsWith("file:")) {
    try {
      return fileURLToPath(value);
    } catch (error) {
      throw new StepError(kind, `output ${name} of project run ${runId} is not a valid file URI: ${value}`, {
        cause: error
      });
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-zA-Z]:[\\/]/.test(value)) {
    throw new StepError(
      kind,
      `output ${name} of project run ${runId} is ${value}, which is not a local file`,
      {
        hint: "write the file to $RECIPE_ARTIFACTS_DIR and give its path, or $RECIPE_ARTIFACT_URI/<name>, as the output"
      }
    );
  }
  if (isAbsolute(value)) return value;
  if (options.projectDir) return resolve(options.projectDir, value);
  throw new StepError(
    kind,
    `output ${name} of project run ${runId} is a relative path (${value}) in a git project`,
    {
      hint: "give an absolute path or an artifact URI ($RECIPE_ARTIFACT_URI/<name>)"
    }
  );
}
function formatOf(kind, file, cfg) {
  if (cfg.format) return cfg.format;
  const ext = extname(file).slice(1).toLowerCase();
  const byExt = {
    csv: "csv",
    parquet: "parquet",
    pq: "parquet",
    json: "json",
    jsonl: "json",
    arrow: "arrow",
    feather: "arrow",
    ipc: "arrow"
  };
  const format = byExt[ext];
  if (!format) {
    throw configIssue(
      kind,
      "format",
      `cannot tell the format of the project's output ${file} from its extension`,
      "set format: csv, parquet, json or arrow"
    );
  }
  return format;
}
function withProjectSource(base) {
  const kind = base.kind;
  return {
    ...base,
    codeFiles(cfg, recipeDir) {
      if (!isProjectSource(cfg)) return base.codeFiles(cfg, recipeDir);
      if (typeof cfg.uri !== "string" || isGitUri(cfg.uri)) return [];
      return localProjectFiles(localProjectDir(cfg.uri, recipeDir));
    },
    async inputFiles(cfg, recipeDir) {
      if (!isProjectSource(cfg)) return base.inputFiles(cfg, recipeDir);
      if (typeof cfg.uri !== "string" || isGitUri(cfg.uri)) return [];
      return pathParameterFiles(cfg, recipeDir);
    },
    async fingerprintExtras(cfg, recipeDir) {
      if (!isProjectSource(cfg)) return base.fingerprintExtras ? base.fingerprintExtras(cfg, recipeDir) : {};
      checkProjectConfig(kind, cfg);
      if (!isGitUri(cfg.uri)) return {};
      const { planProjectRun } = await import("./chunk-run-project-E4NHSJ6U.js");
      const plan = await planProjectRun({
        uri: cfg.uri,
        entryPoint: cfg.entry_point ?? "main",
        parameters: stringParameters(cfg),
        ...cfg.version !== void 0 ? { version: cfg.version } : {},
        cwd: recipeDir
      });
      return {
        "project.git_commit": plan.gitCommit ?? "",
        "project.reuse_key": plan.reuseKey
      };
    },
    honoursAbort(cfg) {
      return isProjectSource(cfg) || (base.honoursAbort?.(cfg) ?? false);
    },
    async run(cfg, ctx) {
      if (!isProjectSource(cfg)) return base.run(cfg, ctx);
      return runProjectSource(base, cfg, ctx);
    }
  };
}
async function runProjectSource(base, cfg, ctx) {
  const kind = base.kind;
  checkProjectConfig(kind, cfg);
  const { runProjectEntryPoint } = await import("./chunk-entry-point-step-GM7DHEP5.js");
  const entryPoint = cfg.entry_point ?? "main";
  ctx.log(`running project ${cfg.uri} entry point ${entryPoint}`);
  const run = await runProjectEntryPoint({
    uri: cfg.uri,
    entryPoint,
    parameters: stringParameters(cfg),
    ...cfg.version !== void 0 ? { version: cfg.version } : {},
    cwd: ctx.recipeDir,
    ...ctx.experimentId !== void 0 ? { experimentId: ctx.experimentId } : {},
    ...ctx.trackingUri !== void 0 ? { trackingUri: ctx.trackingUri } : {},
    ...ctx.runId !== void 0 ? { parentRunId: ctx.runId } : {},
    ...ctx.store ? { store: ctx.store } : {},
    // Ctrl-C / SIGTERM to `recipe run`: stop the command's process group, record the run KILLED.
    ...ctx.signal ? { signal: ctx.signal } : {},
    // The step cache decides whether to run; a cache miss (or --no-cache) means run it.
    reuse: false,
    // The command's output is in the run's stdout.txt / stderr.txt; the progress display stays clean.
    stdout: null,
    stderr: null,
    log: ctx.log
  });
  const value = run.outputs[cfg.output];
  if (value === void 0) {
    const names = Object.keys(run.outputs).filter((n) => n !== "run_id" && n !== "artifact_uri");
    throw new StepError(kind, `project run ${run.runId} has no output "${cfg.output}"`, {
      hint: `its outputs: ${names.length > 0 ? names.join(", ") : "(none)"}; the command must write {"${cfg.output}": "<path or artifact URI>"} to $RECIPE_OUTPUTS_FILE`
    });
  }
  const file = outputFile({
    kind,
    name: cfg.output,
    value,
    runId: run.runId,
    ...isGitUri(cfg.uri) ? {} : { projectDir: localProjectDir(cfg.uri, ctx.recipeDir) }
  });
  const format = formatOf(kind, file, cfg);
  ctx.log(`project run ${run.runId} finished; reading its output ${cfg.output} (${format})`);
  const readConfig = {
    using: format,
    location: file,
    ...cfg.skip_data_profiling !== void 0 ? { skip_data_profiling: cfg.skip_data_profiling } : {}
  };
  const result = await base.run(readConfig, ctx);
  const project = {
    uri: cfg.uri,
    entry_point: entryPoint,
    parameters: stringParameters(cfg),
    ...cfg.version !== void 0 ? { version: cfg.version } : {},
    run_id: run.runId,
    artifact_uri: run.artifactUri,
    output: cfg.output,
    output_value: value
  };
  const rows = [
    ["project", cfg.uri],
    ["entry point", entryPoint],
    ...Object.entries(project.parameters).map(([k, v]) => [`parameter ${k}`, v]),
    ...cfg.version !== void 0 ? [["version", cfg.version]] : [],
    ["run", run.runId],
    [`output ${cfg.output}`, value]
  ];
  return {
    ...result,
    tags: { ...result.tags ?? {}, [`mlrecipe.step.${kind}.project_run_id`]: run.runId },
    card: {
      ...result.card,
      data: { ...result.card.data, using: "project", format, project },
      sections: [
        {
          title: "Project run",
          html: `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`).join("")}</table>`
        },
        ...result.card.sections
      ]
    }
  };
}
export {
  PROJECT_DATA_FORMATS,
  PROJECT_SOURCE_FIELDS,
  isGitUri,
  isProjectSource,
  localProjectDir,
  localProjectFiles,
  outputFile,
  pathParameterFiles,
  withProjectSource
};
