import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { MlrecipeError, UsageError } from '../errors.js';
import {
  artifactRepositoryForUri,
  isLocalArtifactUri,
  localPathFromArtifactUri,
  logBatchChunked,
  openTrackingStore,
  type Run,
  type RunStatus,
  resolveTrackingUri,
  runnerTags,
  TAGS,
  type Tag,
  TrackingClient,
  type TrackingStore,
} from '../tracking/index.js';
import { projectCodeDigest } from './code-digest.js';
import { renderCommand, shellQuote } from './command.js';
import { type EnvManager, type PreparedEnvironment, prepareEnvironment, shellPath } from './environments.js';
import { fetchGitProject, gitInfoOf, parseProjectUri } from './git-source.js';
import { type EntryPoint, getEntryPoint, loadProject, type Project } from './mlproject.js';
import { type ResolvedParameters, resolveParameters } from './params.js';

/** Tag keys mlrecipe adds to project runs (beyond MLflow's, which are in TAGS). */
export const PROJECT_TAGS = {
  projectEnv: 'mlflow.project.env',
  /** MLflow's legacy duplicates, still written by MLflow 2.x. */
  legacyGitRepoUrl: 'mlflow.gitRepoURL',
  legacyGitBranch: 'mlflow.gitBranchName',
  /** sha256 over entry point, params and code identity: equal keys mean an equivalent run. */
  reuseKey: 'mlrecipe.reuse_key',
  codeDigest: 'mlrecipe.project.code_digest',
  /** Prefix of the tags holding a run's named outputs (`mlrecipe.output.dataset_uri`). */
  outputPrefix: 'mlrecipe.output.',
  /** On a workflow's parent run: which run served a step (`mlrecipe.step.etl.run_id`). */
  stepPrefix: 'mlrecipe.step.',
  workflow: 'mlrecipe.workflow',
} as const;

export interface PlanProjectRunOptions {
  /** Directory, `dir#subdir`, or git URI (`https://…`, `git@…`, `file://…`, with optional `#subdir`). */
  uri: string;
  /** Default `main`. */
  entryPoint?: string;
  /** `-P` values, unparsed strings. */
  parameters?: Record<string, string>;
  /** Branch, tag or commit of a git source. */
  version?: string;
  envManager?: EnvManager;
  /** Relative local URIs and `path` parameters resolve against it; default `process.cwd()`. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (cloning, npm ci). */
  log?: (message: string) => void;
  /** Absolute paths that are not part of the project's code identity (e.g. the workflow file). */
  excludeFromCodeDigest?: readonly string[];
}

/** Everything decided before a run starts: nothing here has touched the tracking store. */
export interface ProjectRunPlan {
  uri: string;
  project: Project;
  entryPoint: EntryPoint;
  parameters: ResolvedParameters;
  /** The rendered shell command. */
  command: string;
  environment: PreparedEnvironment;
  /** MLflow's source tags (source name/type, git commit/repoURL/branch, entry point). */
  sourceTags: Tag[];
  gitCommit?: string;
  codeDigest: string;
  reuseKey: string;
}

/**
 * A project fetched, loaded and made ready to run one entry point, before its parameters are
 * known: what a sweep decides once and reuses for every trial (see `planProjectParameters`).
 */
export interface PreparedProject {
  uri: string;
  project: Project;
  entryPoint: EntryPoint;
  environment: PreparedEnvironment;
  sourceTags: Tag[];
  gitCommit?: string;
  codeDigest: string;
}

/**
 * Fetches the project, finds the entry point, makes the environment ready and computes the code
 * identity: everything of a run plan except its parameters. Unknown entry points, a missing conda
 * and other user errors surface here, before any run is created.
 */
export async function prepareProject(
  options: PlanProjectRunOptions & {
    /**
     * Checks the entry point before the environment is made ready (npm ci, conda), so a bad
     * parameter fails fast; throw to refuse.
     */
    checkEntryPoint?: (entryPoint: EntryPoint) => void;
  },
): Promise<PreparedProject> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const log = options.log ?? (() => {});
  const source = parseProjectUri(options.uri);
  const sourceTags: Tag[] = [{ key: TAGS.sourceType, value: 'PROJECT' }];
  let projectDir: string;
  let branch: string | undefined;
  if (source.kind === 'git') {
    const fetched = await fetchGitProject({ repoUrl: source.repoUrl, version: options.version, log });
    projectDir = source.subdirectory ? join(fetched.checkoutDir, source.subdirectory) : fetched.checkoutDir;
    branch = fetched.branch;
    if (!existsSync(projectDir)) {
      throw new UsageError(
        `subdirectory ${source.subdirectory} does not exist in ${source.repoUrl} at ${fetched.commit}`,
      );
    }
    // MLflow records a remote project's URI as given.
    sourceTags.push({ key: TAGS.sourceName, value: options.uri });
  } else {
    if (options.version !== undefined) {
      throw new UsageError(`--version applies to git project URIs, and ${options.uri} is a local directory`, {
        hint: 'drop --version, or point at the repository with file://, https:// or git@',
      });
    }
    const base = resolve(cwd, source.path);
    projectDir = source.subdirectory ? join(base, source.subdirectory) : base;
  }
  const project = loadProject(projectDir);
  const git = await gitInfoOf(projectDir);
  if (source.kind === 'local') {
    // MLflow's _get_git_url_if_present: a local project inside a repository is named file://root#subdir.
    const rel = git ? relative(git.root, projectDir) : '';
    const name = git ? `file://${git.root}${rel ? `#${rel}` : ''}` : projectDir;
    sourceTags.push({ key: TAGS.sourceName, value: name });
  }
  if (git) {
    sourceTags.push({ key: TAGS.gitCommit, value: git.commit });
    if (git.repoUrl) {
      sourceTags.push(
        { key: TAGS.gitRepoUrl, value: git.repoUrl },
        { key: PROJECT_TAGS.legacyGitRepoUrl, value: git.repoUrl },
      );
    }
  }
  if (branch) {
    sourceTags.push(
      { key: TAGS.gitBranch, value: branch },
      { key: PROJECT_TAGS.legacyGitBranch, value: branch },
    );
  }

  const entryPoint = getEntryPoint(project, options.entryPoint ?? 'main');
  sourceTags.push({ key: TAGS.projectEntryPoint, value: entryPoint.name });
  options.checkEntryPoint?.(entryPoint);
  const environment = await prepareEnvironment({
    project,
    ...(options.envManager ? { envManager: options.envManager } : {}),
    log,
    ...(options.env ? { env: options.env } : {}),
  });
  const codeDigest = await projectCodeDigest(projectDir, git, {
    exclude: options.excludeFromCodeDigest ?? [],
    // Files a run leaves in the shared checkout of a git source are outputs, not code.
    commitOnly: source.kind === 'git',
  });
  return {
    uri: options.uri,
    project,
    entryPoint,
    environment,
    sourceTags,
    ...(git ? { gitCommit: git.commit } : {}),
    codeDigest,
  };
}

/**
 * The run plan of a prepared project for one set of `-P` values: parameters checked against the
 * entry point (UsageError on a missing or mistyped one), the command rendered, the reuse key.
 * Pure apart from checking that `path` parameters exist.
 */
export function planProjectParameters(
  prepared: PreparedProject,
  options: { parameters?: Record<string, string>; cwd?: string },
): ProjectRunPlan {
  const { entryPoint } = prepared;
  const cwd = resolve(options.cwd ?? process.cwd());
  const parameters = resolveParameters({ entryPoint, given: options.parameters ?? {}, cwd });
  const command = renderCommand({
    template: entryPoint.command,
    values: parameters.commandValues,
    extra: parameters.extra,
    entryPoint: entryPoint.name,
  });
  const reuseKey = computeReuseKey({
    entryPoint: entryPoint.name,
    params: { ...parameters.declared, ...parameters.extra },
    codeDigest: prepared.codeDigest,
  });
  return { ...prepared, parameters, command, reuseKey };
}

/**
 * Fetches the project, validates the entry point's parameters, renders its command and makes the
 * environment ready. Every user error (unknown entry point, missing or mistyped parameter, conda
 * missing) surfaces here, before any run is created or anything executes.
 */
export async function planProjectRun(options: PlanProjectRunOptions): Promise<ProjectRunPlan> {
  const prepared = await prepareProject({
    ...options,
    checkEntryPoint: (entryPoint) =>
      resolveParameters({
        entryPoint,
        given: options.parameters ?? {},
        cwd: resolve(options.cwd ?? process.cwd()),
      }),
  });
  return planProjectParameters(prepared, {
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

/** Equal keys mean: same entry point, same params (as recorded), same code. */
/**
 * The params a project run records: every declared parameter (given or defaulted) and every
 * extra `-P` key, each value in the shell-quoted form it takes in the command — what MLflow
 * records (`EntryPoint.compute_parameters` → `_sanitize_param_dict`, MLflow 2.x), so `'a b'`
 * keeps its quotes while words that need no quoting are unchanged.
 */
export function recordedParams(parameters: ResolvedParameters): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...parameters.declared, ...parameters.extra }).map(([key, value]) => [
      key,
      shellQuote(value),
    ]),
  );
}

export function computeReuseKey(args: {
  entryPoint: string;
  params: Record<string, string>;
  codeDigest: string;
}): string {
  const params = Object.keys(args.params)
    .sort()
    .map((k) => [k, args.params[k]]);
  return createHash('sha256')
    .update(JSON.stringify({ entryPoint: args.entryPoint, params, code: args.codeDigest }))
    .digest('hex');
}

export interface ExecuteProjectRunOptions {
  /** Open store to record into; the caller closes it. */
  store: TrackingStore;
  /** The tracking URI handed to the child (MLFLOW_TRACKING_URI); must name the same store. */
  trackingUri: string;
  experimentId: string;
  runName?: string;
  parentRunId?: string;
  /** Extra tags for the run. */
  tags?: Record<string, string>;
  /** Base environment of the child (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Where the child's output is echoed as it arrives; null to keep quiet. Default: this process's. */
  stdout?: NodeJS.WritableStream | null;
  stderr?: NodeJS.WritableStream | null;
  /** Progress lines, MLflow style (`=== Running command … ===`). */
  log?: (message: string) => void;
  /** Install SIGINT/SIGTERM handlers that stop the child's process group (default true). */
  handleSignals?: boolean;
  /** Aborting stops the child's process group and marks the run KILLED. */
  signal?: AbortSignal;
  /** Called once the run exists, before the command starts (e.g. to print its id). */
  onRunCreated?: (run: Run) => void;
  /** Grace period between SIGTERM and SIGKILL of the process group (default 10 s). */
  killGraceMs?: number;
  /**
   * Execute into this RUNNING run, created beforehand with createProjectRun (by a queue's
   * enqueuer, so that a job retried on another worker records into the same run), instead of
   * creating one: its tags and params are not written again.
   */
  runId?: string;
}

/**
 * Where a project run executes: here (executeProjectRun) or elsewhere, e.g. on queue workers
 * (src/queue). A session is opened once per command (a sweep's trials share it) and closed after.
 */
export interface ProjectRunExecutor {
  readonly name: string;
  open(options: OpenProjectRunSessionOptions): Promise<ProjectRunSession>;
}

export interface OpenProjectRunSessionOptions {
  prepared: PreparedProject;
  store: TrackingStore;
  /** The tracking URI the runs are recorded under (handed to the workers). */
  trackingUri: string;
  /** An artifact URI the session may store its inputs under (the sweep's parent run, or the run itself). */
  stagingArtifactUri?: string;
  envManager?: EnvManager;
  log: (message: string) => void;
}

export interface ProjectRunSession {
  /** What executeProjectRun does, elsewhere: the same run tags and params, the same result. */
  execute(plan: ProjectRunPlan, options: ExecuteProjectRunOptions): Promise<ProjectRunResult>;
  close(): Promise<void>;
}

export interface ProjectRunResult {
  runId: string;
  experimentId: string;
  status: RunStatus;
  /** The command's exit code; undefined when a signal ended it. */
  exitCode?: number;
  /** The signal that ended the command, if any. */
  signal?: string;
  command: string;
  artifactUri: string;
  /** Named outputs the command wrote to $RECIPE_OUTPUTS_FILE. */
  outputs: Record<string, string>;
  /** Why the run failed beyond its exit code (an invalid outputs file, artifact upload errors). */
  problems: string[];
}

/**
 * Records a run for a planned command and executes it: the run gets MLflow's source tags, the
 * params (declared, after defaults, plus extras), then the command runs under `bash -c` in its
 * own process group with MLFLOW_RUN_ID / MLFLOW_TRACKING_URI / MLFLOW_EXPERIMENT_ID set, its
 * output teed to the terminal and to the artifacts stdout.txt / stderr.txt. The run ends
 * FINISHED (exit 0), FAILED (non-zero) or KILLED (stopped by a signal or `options.signal`).
 */
/**
 * The RUNNING run executeProjectRun records into: MLflow's source tags, the project's, the
 * caller's, the runner tags of this process (which waits for it), and the params (declared, after
 * defaults, plus extras). A run whose params cannot be written ends FAILED.
 */
export async function createProjectRun(
  plan: ProjectRunPlan,
  options: Pick<
    ExecuteProjectRunOptions,
    'store' | 'experimentId' | 'runName' | 'parentRunId' | 'tags' | 'env'
  > & {
    backend?: string;
  },
): Promise<Run> {
  const { store } = options;
  const baseEnv = options.env ?? process.env;
  const tags: Tag[] = [
    { key: TAGS.user, value: currentUser(baseEnv) },
    ...plan.sourceTags,
    { key: PROJECT_TAGS.projectEnv, value: plan.environment.name },
    { key: TAGS.projectBackend, value: options.backend ?? 'local' },
    { key: PROJECT_TAGS.reuseKey, value: plan.reuseKey },
    { key: PROJECT_TAGS.codeDigest, value: plan.codeDigest },
  ];
  if (options.parentRunId) tags.push({ key: TAGS.parentRunId, value: options.parentRunId });
  for (const [key, value] of Object.entries(options.tags ?? {})) tags.push({ key, value });
  // Who waits for this run: if this process dies without ending it, the next command that opens
  // the store ends it KILLED (tracking/orphaned-runs.ts).
  tags.push(...runnerTags());
  const run = await store.createRun({
    experimentId: options.experimentId,
    userId: currentUser(baseEnv),
    tags,
    ...(options.runName ? { runName: options.runName } : {}),
  });
  const params = Object.entries(recordedParams(plan.parameters)).map(([key, value]) => ({ key, value }));
  try {
    await logBatchChunked(store, run.info.run_id, { params });
  } catch (error) {
    await store.updateRun(run.info.run_id, { status: 'FAILED', endTime: Date.now() });
    throw error;
  }
  return run;
}

export async function executeProjectRun(
  plan: ProjectRunPlan,
  options: ExecuteProjectRunOptions,
): Promise<ProjectRunResult> {
  const { store } = options;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const baseEnv = options.env ?? process.env;

  // The handlers go in before the run exists: a signal from here on must end the run KILLED, not
  // kill mlrecipe and leave the run RUNNING. (Node runs signal listeners from the event loop, so
  // they see `pid` once it is set.)
  let killedBy: string | undefined;
  let pid: number | undefined;
  let escalation: NodeJS.Timeout | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (killedBy === undefined) {
      killedBy = signal;
      log(`=== Stopping run (${signal}) ===`);
    }
    if (pid === undefined) return;
    const group = pid;
    killGroup(group, signal);
    escalation ??= setTimeout(() => killGroup(group, 'SIGKILL'), options.killGraceMs ?? 10_000);
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  const onAbort = () => stop('SIGTERM');
  const handleSignals = options.handleSignals !== false;
  if (handleSignals) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    process.on('SIGHUP', onSigterm);
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await recordAndRun();
  } finally {
    if (escalation) clearTimeout(escalation);
    if (handleSignals) {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      process.off('SIGHUP', onSigterm);
    }
    options.signal?.removeEventListener('abort', onAbort);
  }

  async function recordAndRun(): Promise<ProjectRunResult> {
    const run = options.runId ? await store.getRun(options.runId) : await createProjectRun(plan, options);
    const runId = run.info.run_id;
    const artifactUri = run.info.artifact_uri;
    options.onRunCreated?.(run);

    const staging = mkdtempSync(join(tmpdir(), `mlrecipe-run-${runId.slice(0, 8)}-`));
    const artifactsDir = join(staging, 'artifacts');
    const outputsFile = join(staging, 'outputs.json');
    mkdirSync(artifactsDir);
    const problems: string[] = [];
    // stdout.txt / stderr.txt are written straight into the run's artifact directory as the output
    // arrives, so a runner that is SIGKILLed still leaves the output as far as it got.
    let logsDir: string;
    try {
      if (!isLocalArtifactUri(artifactUri)) {
        // Behind a tracking server's artifact proxy: the output is kept in the staging directory
        // and uploaded with the other artifacts when the command ends.
        logsDir = join(staging, 'logs');
        mkdirSync(logsDir);
      } else {
        logsDir = localPathFromArtifactUri(artifactUri);
        mkdirSync(logsDir, { recursive: true });
      }
    } catch (error) {
      problems.push(`could not create the artifact directory: ${(error as Error).message}`);
      logsDir = join(staging, 'logs');
      mkdirSync(logsDir);
    }
    let exitCode: number | undefined;
    let endSignal: string | undefined;
    try {
      const childEnv: Record<string, string | undefined> = {
        ...baseEnv,
        ...plan.environment.env,
        MLFLOW_RUN_ID: runId,
        MLFLOW_TRACKING_URI: options.trackingUri,
        MLFLOW_EXPERIMENT_ID: options.experimentId,
        RECIPE_TRACKING_URI: options.trackingUri,
        RECIPE_RUN_ID: runId,
        RECIPE_ARTIFACT_URI: artifactUri,
        RECIPE_ARTIFACTS_DIR: artifactsDir,
        RECIPE_OUTPUTS_FILE: outputsFile,
      };
      // The child resumes our run through MLFLOW_RUN_ID; an experiment *name* from our own
      // environment would point its client elsewhere.
      delete childEnv.MLFLOW_EXPERIMENT_NAME;
      const launch = plan.environment.launch(plan.command, {
        envNames: Object.keys(childEnv).filter((k) => k.startsWith('MLFLOW_') || k.startsWith('RECIPE_')),
        mounts: [staging, ...localStoreDirs(options.trackingUri, artifactUri)],
      });
      log(`=== Running command '${plan.command}' in run with ID '${runId}' ===`);
      const stdoutFile = createWriteStream(join(logsDir, 'stdout.txt'));
      const stderrFile = createWriteStream(join(logsDir, 'stderr.txt'));

      let detachTimer: NodeJS.Timeout | undefined;
      try {
        if (options.signal?.aborted) {
          // Stopped before it started: nothing to run.
          onAbort();
        } else if (killedBy === undefined) {
          const graceSeconds = String((options.killGraceMs ?? 10_000) / 1000);
          const child = execa(
            shellPath(),
            ['-c', WATCHDOG_SCRIPT, 'mlrecipe-run', graceSeconds, launch.file, ...launch.args],
            {
              cwd: plan.project.dir,
              env: childEnv,
              extendEnv: false,
              // Its own process group, so stopping the run can stop everything the command started.
              detached: true,
              // Never written to: when this process dies, even by SIGKILL, the kernel closes it and
              // the watchdog in WATCHDOG_SCRIPT stops the command's process group.
              stdin: 'pipe',
              stdout: 'pipe',
              stderr: 'pipe',
              buffer: false,
              reject: false,
              cleanup: false,
            },
          );
          pid = child.pid;
          let streamsOpen = 2;
          child.once('exit', () => {
            // Once a stopped run's shell has exited, whatever it left behind goes at once:
            // background jobs of a non-interactive shell ignore SIGINT and would hold the pipes open.
            if (pid !== undefined && killedBy !== undefined) killGroup(pid, 'SIGKILL');
            // Like MLflow (which waits for the shell only), a run ends with its shell; background
            // processes the command left running may keep the pipes open, so stop reading after a
            // grace period instead of waiting for them.
            detachTimer = setTimeout(() => {
              if (streamsOpen === 0) return;
              log(
                `warning: the command left processes running (process group ${pid}); their further output is not recorded`,
              );
              child.stdout?.destroy();
              child.stderr?.destroy();
            }, OUTPUT_DRAIN_MS);
          });
          const tee = (
            from: NodeJS.ReadableStream | null,
            file: WriteStream,
            terminal: NodeJS.WritableStream | null,
          ) =>
            new Promise<void>((done) => {
              if (!from) return done();
              from.on('data', (chunk: Buffer) => {
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
              from.once('end', finish);
              from.once('error', finish);
              from.once('close', finish);
            });
          const teeing = Promise.all([
            tee(child.stdout, stdoutFile, options.stdout === undefined ? process.stdout : options.stdout),
            tee(child.stderr, stderrFile, options.stderr === undefined ? process.stderr : options.stderr),
          ]);
          const result = await child;
          exitCode = result.exitCode;
          endSignal = result.signal;
          // Grandchildren may outlive the shell; the run is over, so its process group goes too.
          if (pid !== undefined && killedBy !== undefined) killGroup(pid, 'SIGKILL');
          await teeing;
          if (exitCode === undefined && endSignal === undefined && killedBy === undefined) {
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

    let status: RunStatus = killedBy ? 'KILLED' : exitCode === 0 ? 'FINISHED' : 'FAILED';
    const outputs = readOutputs(outputsFile, problems);
    if (status === 'FINISHED' && problems.length > 0) status = 'FAILED';
    try {
      // A local directory, or a tracking server's artifact proxy (mlflow-artifacts:/ run roots).
      const repo = artifactRepositoryForUri(artifactUri, { trackingUri: options.trackingUri });
      if (logsDir.startsWith(staging)) await repo.logArtifacts(logsDir);
      if (readdirSync(artifactsDir).length > 0) await repo.logArtifacts(artifactsDir);
      if (existsSync(outputsFile) && Object.keys(outputs).length > 0) await repo.logArtifact(outputsFile);
    } catch (error) {
      problems.push(
        `could not store the run's artifacts: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    try {
      const outputTags = Object.entries(outputs).map(([name, value]) => ({
        key: `${PROJECT_TAGS.outputPrefix}${name}`,
        value,
      }));
      if (outputTags.length > 0) await logBatchChunked(store, runId, { tags: outputTags });
    } catch (error) {
      problems.push(`could not record outputs: ${error instanceof Error ? error.message : String(error)}`);
      if (status === 'FINISHED') status = 'FAILED';
    }
    await store.updateRun(runId, { status, endTime: Date.now() });
    rmSync(staging, { recursive: true, force: true });
    // A failed run reports its problems through the caller's error; a finished one only here.
    if (status === 'FINISHED') for (const problem of problems) log(`warning: ${problem}`);
    const verdict = status === 'FINISHED' ? 'succeeded' : status === 'KILLED' ? 'was killed' : 'failed';
    log(`=== Run (ID '${runId}') ${verdict} ===`);
    return {
      runId,
      experimentId: options.experimentId,
      status,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(endSignal ? { signal: endSignal } : killedBy ? { signal: killedBy } : {}),
      command: plan.command,
      artifactUri,
      outputs,
      problems,
    };
  }
}

/**
 * Runs `$2 $3 …` (the environment's launch command) with stdin from /dev/null, next to a
 * watchdog that blocks reading the runner's pipe (fd 3). The runner never writes to it, so the
 * read ends only when the runner is gone — however it died, SIGKILL included — and the watchdog
 * then sends SIGTERM to the whole process group and SIGKILL after `$1` seconds. (Linux has no
 * portable "kill me with my parent" for a process group, and Node offers no prctl.) When the
 * command ends first, the watchdog is removed and background processes the command left behind
 * keep running, as in MLflow. The watchdog ignores SIGINT/SIGTERM (the runner's own stop signals
 * go to the group) and writes nowhere, so it never holds the output pipes open. It is disowned so
 * that bash does not print "Killed" onto the command's stderr when it is removed.
 */
const WATCHDOG_SCRIPT = `exec 3<&0 </dev/null
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

/** How long output may keep flowing after the command's shell has exited. */
const OUTPUT_DRAIN_MS = 1000;

/** Named outputs from $RECIPE_OUTPUTS_FILE: a JSON object of strings (numbers and booleans are stringified). */
function readOutputs(file: string, problems: string[]): Record<string, string> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`$RECIPE_OUTPUTS_FILE is not valid JSON: ${(error as Error).message}`);
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push('$RECIPE_OUTPUTS_FILE must hold a JSON object of name → string');
    return {};
  }
  const outputs: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) {
      problems.push(`output name ${JSON.stringify(name)} must be letters, digits, _, - or .`);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      outputs[name] = String(value);
    } else {
      problems.push(`output ${name} must be a string, number or boolean`);
    }
  }
  return outputs;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((done) => stream.end(done));
}

/** Local directories a containerised command must see at the same path (SQLite file, artifacts). */
function localStoreDirs(trackingUri: string, artifactUri: string): string[] {
  const dirs: string[] = [];
  const sqlite = /^sqlite:\/\/\/(\/.*)$/.exec(trackingUri)?.[1];
  if (sqlite) dirs.push(resolve(sqlite, '..'));
  try {
    dirs.push(localPathFromArtifactUri(artifactUri));
  } catch {
    // A remote artifact store: nothing to mount.
  }
  return dirs;
}

function currentUser(env: NodeJS.ProcessEnv): string {
  for (const name of ['LOGNAME', 'USER', 'LNAME', 'USERNAME']) {
    const value = env[name];
    if (value) return value;
  }
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export interface RunProjectOptions extends PlanProjectRunOptions {
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  /** `--tracking-uri`; else $RECIPE_TRACKING_URI, $MLFLOW_TRACKING_URI, the default SQLite file. */
  trackingUri?: string;
  /** Record into this open store instead of opening one (then trackingUri must name it). */
  store?: TrackingStore;
  parentRunId?: string;
  tags?: Record<string, string>;
  stdout?: NodeJS.WritableStream | null;
  stderr?: NodeJS.WritableStream | null;
  handleSignals?: boolean;
  signal?: AbortSignal;
  onRunCreated?: (run: Run) => void;
  /** Where the command executes (default here; `queueProjectExecutor` puts it on a queue worker). */
  executor?: ProjectRunExecutor;
}

/**
 * `recipe project run` as a function: plan (validate everything), open the tracking store,
 * pick the experiment (id, else name — created when missing, as MLflow does — else
 * $MLFLOW_EXPERIMENT_ID / $MLFLOW_EXPERIMENT_NAME, else Default), then execute and record.
 */
export async function runProject(options: RunProjectOptions): Promise<ProjectRunResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const plan = await planProjectRun({ ...options, cwd });
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd, env });
  const store =
    options.store ??
    (await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot }));
  try {
    const experimentId = await resolveExperimentId(store, { ...options, env });
    const session = await options.executor?.open({
      prepared: plan,
      store,
      trackingUri: resolved.uri,
      ...(options.envManager ? { envManager: options.envManager } : {}),
      log: options.log ?? ((m: string) => process.stderr.write(`${m}\n`)),
    });
    try {
      return await (session ? session.execute : executeProjectRun)(plan, {
        store,
        trackingUri: resolved.uri,
        experimentId,
        ...(options.runName ? { runName: options.runName } : {}),
        ...(options.parentRunId ? { parentRunId: options.parentRunId } : {}),
        ...(options.tags ? { tags: options.tags } : {}),
        env,
        ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
        ...(options.stderr !== undefined ? { stderr: options.stderr } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.handleSignals !== undefined ? { handleSignals: options.handleSignals } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onRunCreated ? { onRunCreated: options.onRunCreated } : {}),
      });
    } finally {
      await session?.close();
    }
  } finally {
    if (!options.store) await store.close();
  }
}

/** The experiment a run goes to: id, else name (created if missing), else MLflow's env vars, else Default. */
export async function resolveExperimentId(
  store: TrackingStore,
  options: { experimentId?: string; experimentName?: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const env = options.env ?? process.env;
  if (options.experimentId !== undefined && options.experimentName !== undefined) {
    throw new UsageError('pass --experiment-id or --experiment-name, not both');
  }
  if (options.experimentId !== undefined) {
    const experiment = await store.getExperiment(options.experimentId);
    if (experiment.lifecycle_stage === 'deleted') {
      throw new MlrecipeError(`experiment ${options.experimentId} is deleted`, {
        hint: `restore it with \`recipe experiments restore ${options.experimentId}\``,
      });
    }
    return options.experimentId;
  }
  const client = new TrackingClient(store, { env: {} });
  if (options.experimentName !== undefined) return client.getOrCreateExperiment(options.experimentName);
  if (env.MLFLOW_EXPERIMENT_ID) return env.MLFLOW_EXPERIMENT_ID;
  if (env.MLFLOW_EXPERIMENT_NAME) return client.getOrCreateExperiment(env.MLFLOW_EXPERIMENT_NAME);
  return '0';
}
