/**
 * `using: project` for the data-reading steps (ingest, ingest_scoring): the step runs an MLproject
 * entry point as a child run of the recipe's tracking run, takes one of the run's named outputs (a
 * file path or artifact URI the command wrote to $RECIPE_OUTPUTS_FILE) and reads that file as the
 * step would read `location`, so the step still writes `dataset.arrow` and its card.
 *
 *   steps:
 *     ingest:
 *       using: project
 *       uri: ./etl            # project directory (relative to the recipe dir) or git URI[#subdir]
 *       entry_point: main
 *       parameters: {rows: 100}
 *       version: v1.2         # git URIs only
 *       format: csv           # default: from the output file's extension
 *       output: dataset       # the output name the command writes
 *
 * Fingerprint: the config (entry point, parameters, output, format) is part of it already; the
 * code identity of a local project is the content of its files, listed as the step's code files so
 * the engine hashes them through its stat cache and `recipe status` names an edited script. A git
 * project is identified by the commit `version` resolves to and its reuse key (entry point +
 * params + commit), as a fingerprint extra. A local project's HEAD commit is deliberately not
 * part of it: committing an unrelated file in the recipe's repository must not re-run ingest.
 *
 * Static imports stay light (this module is loaded with ingest on every `recipe run`); the
 * projects module (execa, simple-git) is imported only when a project actually runs or is planned.
 */
import { execFileSync } from 'node:child_process';
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml } from '../data/svg-histogram.js';
import { ConfigError, StepError } from '../errors.js';
import { isCodePath, NOT_CODE } from './code-paths.js';
import type { Step, StepContext, StepKind, StepResult } from '../steps/types.js';

export const PROJECT_DATA_FORMATS = ['csv', 'parquet', 'json', 'arrow'] as const;
export type ProjectDataFormat = (typeof PROJECT_DATA_FORMATS)[number];

export interface ProjectSourceConfig {
  using: 'project';
  /** Project directory (relative to the recipe dir), `dir#subdir`, or git URI with optional `#subdir`. */
  uri: string;
  entry_point?: string;
  parameters?: Record<string, string | number | boolean>;
  /** Branch, tag or commit of a git URI. */
  version?: string;
  /** How to read the output file; default: from its extension. */
  format?: ProjectDataFormat;
  /** Name of the run output (in $RECIPE_OUTPUTS_FILE) that holds the data's path or URI. */
  output: string;
  skip_data_profiling?: boolean;
}

/** The config fields only `using: project` reads (validation rejects them elsewhere). */
export const PROJECT_SOURCE_FIELDS = [
  'uri',
  'entry_point',
  'parameters',
  'version',
  'format',
  'output',
] as const;

export function isProjectSource(cfg: unknown): cfg is ProjectSourceConfig {
  return cfg !== null && typeof cfg === 'object' && (cfg as { using?: unknown }).using === 'project';
}

/**
 * Git remote forms, as parseProjectUri in src/projects/git-source.ts decides them. Repeated here so
 * that planning a local project (a synchronous file listing) does not load simple-git; a test
 * checks the two agree.
 */
const GIT_URL = /^(https?|ssh|git|file):\/\//i;
const SCP_LIKE = /^[^/]*:/;

/** Whether a project URI names a git repository (else a local directory). */
export function isGitUri(uri: string): boolean {
  const base = uri.includes('#') ? uri.slice(0, uri.indexOf('#')) : uri;
  return GIT_URL.test(base) || (SCP_LIKE.test(base) && !/^[a-zA-Z]:[\\/]/.test(base));
}

/** The directory of a local project URI (`dir` or `dir#subdir`), absolute. */
export function localProjectDir(uri: string, recipeDir: string): string {
  const hash = uri.indexOf('#');
  const base = hash >= 0 ? uri.slice(0, hash) : uri;
  const sub = hash >= 0 ? uri.slice(hash + 1) : '';
  return resolve(recipeDir, base || '.', sub);
}

/**
 * The files that make up a local project's code, absolute and sorted: in a git work tree, what git
 * tracks or would track (`.gitignore`d outputs do not count); elsewhere every file. Either way
 * without NOT_CODE directories.
 */
export function localProjectFiles(projectDir: string): string[] {
  let rel: string[];
  try {
    const out = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'],
      {
        cwd: projectDir,
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    rel = out.toString('utf8').split('\0').filter(Boolean);
  } catch {
    // Not a git work tree (or no git, or no such directory): walk it.
    return walkFiles(projectDir);
  }
  return [...new Set(rel.filter(isCodePath))].sort().map((r) => join(projectDir, r));
}

/** Every file under `root` (absolute, sorted), without NOT_CODE directories. */
function walkFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries: Dirent[];
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

/**
 * The local files behind the entry point's `path` parameters (given or defaulted; a directory
 * counts as the files under it), outside the project directory: the data the project reads, whose
 * content the fingerprint must cover as it covers ingest's `location`. A project that cannot be
 * loaded lists none; running it reports the problem.
 */
export async function pathParameterFiles(cfg: ProjectSourceConfig, recipeDir: string): Promise<string[]> {
  const { getEntryPoint, loadProject } = await import('./mlproject.js');
  const projectDir = localProjectDir(cfg.uri, recipeDir);
  let parameters: Array<{ name: string; type: string; default?: string }>;
  try {
    parameters = getEntryPoint(loadProject(projectDir), cfg.entry_point ?? 'main').parameters;
  } catch {
    return [];
  }
  const files = new Set<string>();
  for (const spec of parameters) {
    if (spec.type !== 'path') continue;
    const given = cfg.parameters?.[spec.name];
    const value = given !== undefined ? String(given) : spec.default;
    if (value === undefined || value === '') continue;
    let local: string;
    if (value.startsWith('file:')) {
      try {
        local = fileURLToPath(value);
      } catch {
        continue;
      }
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
    else local = resolve(recipeDir, value);
    let info: ReturnType<typeof statSync>;
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

function field(kind: StepKind, key: string): string {
  return `steps.${kind}.${key}`;
}

function configIssue(kind: StepKind, key: string, message: string, hint: string): ConfigError {
  return new ConfigError([
    { file: 'recipe.yaml', line: 0, column: 0, path: field(kind, key), message, hint },
  ]);
}

/** What the schema already says, again for callers that bypass validation (tests, the API). */
function checkProjectConfig(kind: StepKind, cfg: ProjectSourceConfig): void {
  if (typeof cfg.uri !== 'string' || cfg.uri === '') {
    throw configIssue(
      kind,
      'uri',
      'using: project needs a uri',
      'a project directory such as ./etl, or a git URI',
    );
  }
  if (typeof cfg.output !== 'string' || cfg.output === '') {
    throw configIssue(
      kind,
      'output',
      'using: project needs output',
      'name the output the command writes to $RECIPE_OUTPUTS_FILE, e.g. output: dataset',
    );
  }
  if (cfg.format !== undefined && !(PROJECT_DATA_FORMATS as readonly string[]).includes(cfg.format)) {
    throw configIssue(
      kind,
      'format',
      `unknown format ${JSON.stringify(cfg.format)}`,
      'use csv, parquet, json or arrow',
    );
  }
}

function stringParameters(cfg: ProjectSourceConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(cfg.parameters ?? {}).map(([k, v]) => [k, String(v)]));
}

/**
 * The local file an output names: a `file:` URI, an absolute path, or a path relative to a local
 * project's directory (where its command ran). Other URIs cannot be read here.
 */
export function outputFile(options: {
  kind: StepKind;
  name: string;
  value: string;
  runId: string;
  /** The project directory, for a local project. */
  projectDir?: string;
}): string {
  const { kind, name, value, runId } = options;
  if (value.startsWith('file:')) {
    try {
      return fileURLToPath(value);
    } catch (error) {
      throw new StepError(kind, `output ${name} of project run ${runId} is not a valid file URI: ${value}`, {
        cause: error,
      });
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-zA-Z]:[\\/]/.test(value)) {
    throw new StepError(
      kind,
      `output ${name} of project run ${runId} is ${value}, which is not a local file`,
      {
        hint: 'write the file to $RECIPE_ARTIFACTS_DIR and give its path, or $RECIPE_ARTIFACT_URI/<name>, as the output',
      },
    );
  }
  if (isAbsolute(value)) return value;
  if (options.projectDir) return resolve(options.projectDir, value);
  throw new StepError(
    kind,
    `output ${name} of project run ${runId} is a relative path (${value}) in a git project`,
    {
      hint: 'give an absolute path or an artifact URI ($RECIPE_ARTIFACT_URI/<name>)',
    },
  );
}

function formatOf(kind: StepKind, file: string, cfg: ProjectSourceConfig): ProjectDataFormat {
  if (cfg.format) return cfg.format;
  const ext = extname(file).slice(1).toLowerCase();
  const byExt: Record<string, ProjectDataFormat> = {
    csv: 'csv',
    parquet: 'parquet',
    pq: 'parquet',
    json: 'json',
    jsonl: 'json',
    arrow: 'arrow',
    feather: 'arrow',
    ipc: 'arrow',
  };
  const format = byExt[ext];
  if (!format) {
    throw configIssue(
      kind,
      'format',
      `cannot tell the format of the project's output ${file} from its extension`,
      'set format: csv, parquet, json or arrow',
    );
  }
  return format;
}

/**
 * Wraps a data-reading step (ingest, ingest_scoring) so that `using: project` runs an entry point
 * and then reads its output through `base` (same types, profile and card), and any other `using`
 * goes to `base` unchanged. `base.run` is called with `{using: <format>, location: <file>}`.
 */
export function withProjectSource<Cfg>(base: Step<Cfg>): Step<Cfg> {
  const kind = base.kind;
  return {
    ...base,
    codeFiles(cfg, recipeDir) {
      if (!isProjectSource(cfg)) return base.codeFiles(cfg, recipeDir);
      if (typeof cfg.uri !== 'string' || isGitUri(cfg.uri)) return [];
      return localProjectFiles(localProjectDir(cfg.uri, recipeDir));
    },
    async inputFiles(cfg, recipeDir) {
      if (!isProjectSource(cfg)) return base.inputFiles(cfg, recipeDir);
      if (typeof cfg.uri !== 'string' || isGitUri(cfg.uri)) return [];
      return pathParameterFiles(cfg, recipeDir);
    },
    async fingerprintExtras(cfg, recipeDir) {
      if (!isProjectSource(cfg)) return base.fingerprintExtras ? base.fingerprintExtras(cfg, recipeDir) : {};
      checkProjectConfig(kind, cfg);
      if (!isGitUri(cfg.uri)) return {};
      // A branch or tag can move: resolve it now, so a new commit re-runs the step.
      const { planProjectRun } = await import('./run-project.js');
      const plan = await planProjectRun({
        uri: cfg.uri,
        entryPoint: cfg.entry_point ?? 'main',
        parameters: stringParameters(cfg),
        ...(cfg.version !== undefined ? { version: cfg.version } : {}),
        cwd: recipeDir,
      });
      return {
        'project.git_commit': plan.gitCommit ?? '',
        'project.reuse_key': plan.reuseKey,
      };
    },
    honoursAbort(cfg) {
      return isProjectSource(cfg) || (base.honoursAbort?.(cfg) ?? false);
    },
    async run(cfg, ctx) {
      if (!isProjectSource(cfg)) return base.run(cfg, ctx);
      return runProjectSource(base, cfg, ctx);
    },
  };
}

async function runProjectSource<Cfg>(
  base: Step<Cfg>,
  cfg: ProjectSourceConfig,
  ctx: StepContext,
): Promise<StepResult> {
  const kind = base.kind;
  checkProjectConfig(kind, cfg);
  const { runProjectEntryPoint } = await import('./entry-point-step.js');
  const entryPoint = cfg.entry_point ?? 'main';
  ctx.log(`running project ${cfg.uri} entry point ${entryPoint}`);
  const run = await runProjectEntryPoint({
    uri: cfg.uri,
    entryPoint,
    parameters: stringParameters(cfg),
    ...(cfg.version !== undefined ? { version: cfg.version } : {}),
    cwd: ctx.recipeDir,
    ...(ctx.experimentId !== undefined ? { experimentId: ctx.experimentId } : {}),
    ...(ctx.trackingUri !== undefined ? { trackingUri: ctx.trackingUri } : {}),
    ...(ctx.runId !== undefined ? { parentRunId: ctx.runId } : {}),
    ...(ctx.store ? { store: ctx.store } : {}),
    // Ctrl-C / SIGTERM to `recipe run`: stop the command's process group, record the run KILLED.
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    // The step cache decides whether to run; a cache miss (or --no-cache) means run it.
    reuse: false,
    // The command's output is in the run's stdout.txt / stderr.txt; the progress display stays clean.
    stdout: null,
    stderr: null,
    log: ctx.log,
  });
  const value = run.outputs[cfg.output];
  if (value === undefined) {
    const names = Object.keys(run.outputs).filter((n) => n !== 'run_id' && n !== 'artifact_uri');
    throw new StepError(kind, `project run ${run.runId} has no output "${cfg.output}"`, {
      hint: `its outputs: ${names.length > 0 ? names.join(', ') : '(none)'}; the command must write {"${cfg.output}": "<path or artifact URI>"} to $RECIPE_OUTPUTS_FILE`,
    });
  }
  const file = outputFile({
    kind,
    name: cfg.output,
    value,
    runId: run.runId,
    ...(isGitUri(cfg.uri) ? {} : { projectDir: localProjectDir(cfg.uri, ctx.recipeDir) }),
  });
  const format = formatOf(kind, file, cfg);
  ctx.log(`project run ${run.runId} finished; reading its output ${cfg.output} (${format})`);
  const readConfig = {
    using: format,
    location: file,
    ...(cfg.skip_data_profiling !== undefined ? { skip_data_profiling: cfg.skip_data_profiling } : {}),
  } as unknown as Cfg;
  const result = await base.run(readConfig, ctx);
  const project = {
    uri: cfg.uri,
    entry_point: entryPoint,
    parameters: stringParameters(cfg),
    ...(cfg.version !== undefined ? { version: cfg.version } : {}),
    run_id: run.runId,
    artifact_uri: run.artifactUri,
    output: cfg.output,
    output_value: value,
  };
  const rows: Array<[string, string]> = [
    ['project', cfg.uri],
    ['entry point', entryPoint],
    ...Object.entries(project.parameters).map(([k, v]): [string, string] => [`parameter ${k}`, v]),
    ...(cfg.version !== undefined ? [['version', cfg.version] as [string, string]] : []),
    ['run', run.runId],
    [`output ${cfg.output}`, value],
  ];
  return {
    ...result,
    tags: { ...(result.tags ?? {}), [`mlrecipe.step.${kind}.project_run_id`]: run.runId },
    card: {
      ...result.card,
      data: { ...result.card.data, using: 'project', format, project },
      sections: [
        {
          title: 'Project run',
          html: `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`).join('')}</table>`,
        },
        ...result.card.sections,
      ],
    },
  };
}
