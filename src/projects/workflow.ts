import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { type DagTask, executeDag } from '../dag-executor.js';
import { ConfigError, type ConfigIssue, MlrecipeError, StepError } from '../errors.js';
import {
  openTrackingStore,
  type Run,
  type RunStatus,
  resolveTrackingUri,
  runnerTags,
  TAGS,
  type TrackingStore,
} from '../tracking/index.js';
import type { EnvManager } from './environments.js';
import { parseProjectUri } from './git-source.js';
import { getEntryPoint, loadProject } from './mlproject.js';
import { checkParameterValue } from './params.js';
import {
  executeProjectRun,
  PROJECT_TAGS,
  type ProjectRunPlan,
  planProjectRun,
  recordedParams,
  resolveExperimentId,
} from './run-project.js';
import { type PositionedYaml, readPositionedYaml, schemaIssues } from './yaml-document.js';

export interface WorkflowStep {
  name: string;
  /** Absolute local directory (with `#subdir` kept) or a git URI. */
  project: string;
  entryPoint: string;
  version?: string;
  envManager?: EnvManager;
  /** Parameter templates; `{{ steps.X.outputs.Y }}` is filled in when the step starts. */
  parameters: Record<string, string>;
  /** Steps that must finish first: depends_on plus every step a parameter refers to. */
  dependsOn: string[];
  /** Where the step is declared in the workflow file. */
  source: { file: string; line: number; column: number };
}

export interface Workflow {
  file: string;
  dir: string;
  name: string;
  experimentName?: string;
  maxParallel: number;
  /** In a topological order (declaration order among independent steps). */
  steps: WorkflowStep[];
}

/** Outputs every step has without writing them: its run id and artifact root. */
export const BUILTIN_OUTPUTS = ['run_id', 'artifact_uri'] as const;

const REFERENCE = /\{\{\s*([^}]*?)\s*\}\}/g;
const STEP_OUTPUT = /^steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][\w.-]*)$/;

let validator: ValidateFunction | undefined;
function workflowValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(new URL('../../schema/workflow.schema.json', import.meta.url), 'utf8'),
    );
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/**
 * Loads and validates a workflow file (schema/workflow.schema.json): every reference names a
 * declared step, depends_on names declared steps, and the steps form a DAG. Errors carry
 * file:line:column.
 */
export function loadWorkflow(file: string): Workflow {
  const abs = resolve(file);
  return parseWorkflow(readPositionedYaml(abs));
}

export function parseWorkflow(doc: PositionedYaml): Workflow {
  const raw = doc.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([doc.issue([], 'a workflow file must be a YAML mapping with name and steps')]);
  }
  const validate = workflowValidator();
  if (!validate(raw)) throw new ConfigError(schemaIssues(doc, validate.errors ?? []));
  const spec = raw as {
    name: string;
    experiment_name?: string;
    env_manager?: EnvManager;
    max_parallel?: number;
    steps: Record<
      string,
      {
        project?: string;
        entry_point?: string;
        version?: string;
        env_manager?: EnvManager;
        parameters?: Record<string, string | number | boolean>;
        depends_on?: string[];
      }
    >;
  };
  const dir = dirname(doc.file);
  const names = Object.keys(spec.steps);
  const issues: ConfigIssue[] = [];
  const steps: WorkflowStep[] = [];
  for (const name of names) {
    const s = spec.steps[name] as (typeof spec.steps)[string];
    const deps = new Set<string>();
    for (const [i, dep] of (s.depends_on ?? []).entries()) {
      if (!names.includes(dep)) {
        issues.push(
          doc.issue(
            ['steps', name, 'depends_on', i],
            `depends on "${dep}", which is not a step`,
            hintFor(dep, names),
          ),
        );
      } else if (dep === name) {
        issues.push(doc.issue(['steps', name, 'depends_on', i], 'a step cannot depend on itself'));
      } else {
        deps.add(dep);
      }
    }
    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(s.parameters ?? {})) {
      const text = String(value);
      parameters[key] = text;
      for (const match of text.matchAll(REFERENCE)) {
        const ref = STEP_OUTPUT.exec(match[1] ?? '');
        const where = ['steps', name, 'parameters', key];
        if (!ref) {
          issues.push(
            doc.issue(
              where,
              `"${match[0]}" is not a reference mlrecipe understands`,
              'write {{ steps.<step>.outputs.<name> }}',
            ),
          );
          continue;
        }
        const target = ref[1] as string;
        if (!names.includes(target)) {
          issues.push(
            doc.issue(where, `refers to step "${target}", which is not declared`, hintFor(target, names)),
          );
        } else if (target === name) {
          issues.push(doc.issue(where, 'a step cannot use its own outputs'));
        } else {
          deps.add(target);
        }
      }
    }
    const project = s.project ?? '.';
    const envManager = s.env_manager ?? spec.env_manager;
    steps.push({
      name,
      project: localizeProject(project, dir),
      entryPoint: s.entry_point ?? 'main',
      ...(s.version ? { version: s.version } : {}),
      ...(envManager ? { envManager } : {}),
      parameters,
      dependsOn: [...deps],
      source: { file: doc.file, ...doc.positionOf(['steps', name], { key: true }) },
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const ordered = topologicalOrder(steps, doc);
  return {
    file: doc.file,
    dir,
    name: spec.name,
    ...(spec.experiment_name ? { experimentName: spec.experiment_name } : {}),
    maxParallel: spec.max_parallel ?? 2,
    steps: ordered,
  };
}

/** A local project path is relative to the workflow file; git URIs stay as written. */
function localizeProject(project: string, dir: string): string {
  const source = parseProjectUri(project);
  if (source.kind === 'git') return project;
  const base = isAbsolute(source.path) ? source.path : resolve(dir, source.path);
  return source.subdirectory ? `${base}#${source.subdirectory}` : base;
}

function hintFor(name: string, names: string[]): string {
  const close = names.find((n) => n.toLowerCase() === name.toLowerCase() || levenshtein(n, name) <= 2);
  return close ? `did you mean "${close}"?` : `steps: ${names.join(', ')}`;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/** Kahn's algorithm, keeping declaration order among ready steps; a cycle is a ConfigError. */
function topologicalOrder(steps: WorkflowStep[], doc: PositionedYaml): WorkflowStep[] {
  const done = new Set<string>();
  const ordered: WorkflowStep[] = [];
  let pending = [...steps];
  while (pending.length > 0) {
    const ready = pending.filter((s) => s.dependsOn.every((d) => done.has(d)));
    if (ready.length === 0) {
      const cycle = findCycle(pending);
      throw new ConfigError([
        doc.issue(
          ['steps', cycle[0] as string],
          `steps depend on each other in a cycle: ${cycle.join(' → ')}`,
          'remove one of these dependencies',
        ),
      ]);
    }
    for (const s of ready) {
      done.add(s.name);
      ordered.push(s);
    }
    pending = pending.filter((s) => !done.has(s.name));
  }
  return ordered;
}

function findCycle(pending: WorkflowStep[]): string[] {
  const byName = new Map(pending.map((s) => [s.name, s]));
  let current = pending[0] as WorkflowStep;
  const path: string[] = [];
  while (!path.includes(current.name)) {
    path.push(current.name);
    const next = current.dependsOn.map((d) => byName.get(d)).find((s) => s !== undefined);
    if (!next) break;
    current = next;
  }
  const start = path.indexOf(current.name);
  return [...path.slice(start), current.name];
}

/**
 * Checks what can be checked before a workflow starts: each local step's project and entry
 * point exist, every required parameter is given, and values without references have their
 * declared type. Git sources are fetched (and checked) when their step starts.
 */
function checkLocalSteps(workflow: Workflow): void {
  const issues: ConfigIssue[] = [];
  for (const step of workflow.steps) {
    const source = parseProjectUri(step.project);
    if (source.kind !== 'local') continue;
    const project = loadProject(source.subdirectory ? join(source.path, source.subdirectory) : source.path);
    const entryPoint = getEntryPoint(project, step.entryPoint);
    const at = { ...step.source, path: `steps.${step.name}.parameters` };
    const missing = entryPoint.parameters.filter(
      (p) => p.default === undefined && step.parameters[p.name] === undefined,
    );
    if (missing.length > 0) {
      issues.push({
        ...at,
        message: `entry point "${entryPoint.name}" needs ${missing.map((p) => `${p.name} (${p.type})`).join(', ')}, which ${missing.length === 1 ? 'has' : 'have'} no default`,
        hint: `add ${missing.map((p) => `${p.name}: …`).join(', ')} under steps.${step.name}.parameters`,
      });
    }
    for (const spec of entryPoint.parameters) {
      const value = step.parameters[spec.name];
      if (value === undefined || value.includes('{{')) continue;
      const problem = checkParameterValue(spec, value);
      if (problem)
        issues.push({ ...at, path: `${at.path}.${spec.name}`, message: `${spec.name} ${problem}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/** Fills `{{ steps.X.outputs.Y }}` with the outputs of finished steps. */
export function substituteOutputs(
  step: WorkflowStep,
  outputsByStep: ReadonlyMap<string, Record<string, string>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, template] of Object.entries(step.parameters)) {
    result[key] = template.replace(REFERENCE, (whole, inner: string) => {
      const ref = STEP_OUTPUT.exec(inner) as RegExpExecArray;
      const [, target, output] = ref as unknown as [string, string, string];
      const outputs = outputsByStep.get(target) ?? {};
      const value = outputs[output];
      if (value === undefined) {
        const known = Object.keys(outputs);
        throw new StepError(
          step.name,
          `parameter ${key} uses ${whole}, but step ${target} recorded no output "${output}" (its outputs: ${known.join(', ') || 'none'})`,
          {
            hint: `have ${target}'s command write {"${output}": …} to $RECIPE_OUTPUTS_FILE, or set tag ${PROJECT_TAGS.outputPrefix}${output} on its run`,
          },
        );
      }
      return value;
    });
  }
  return result;
}

/** A run's outputs: tags `mlrecipe.output.<name>` plus the built-ins run_id and artifact_uri. */
export function outputsOfRun(run: Run): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const tag of run.data.tags) {
    if (tag.key.startsWith(PROJECT_TAGS.outputPrefix))
      outputs[tag.key.slice(PROJECT_TAGS.outputPrefix.length)] = tag.value;
  }
  outputs.run_id = run.info.run_id;
  outputs.artifact_uri = run.info.artifact_uri;
  return outputs;
}

/**
 * The latest FINISHED, active run in `experimentId` with the same reuse key (same entry point,
 * params and code), as MLflow's multistep example `_already_ran` looks for; null when none.
 */
export async function findReusableRun(
  store: TrackingStore,
  args: { experimentId: string; plan: ProjectRunPlan },
): Promise<Run | null> {
  const { plan } = args;
  const result = await store.searchRuns({
    experimentIds: [args.experimentId],
    filter: `tags.\`${PROJECT_TAGS.reuseKey}\` = '${plan.reuseKey}' and attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
    maxResults: 20,
  });
  const wanted = recordedParams(plan.parameters);
  for (const run of result.runs) {
    // The key is a hash; compare what it stands for, so a collision or a hand-set tag cannot
    // make a different run count as this one.
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    if (tags[TAGS.projectEntryPoint] !== plan.entryPoint.name) continue;
    if ((tags[TAGS.gitCommit] ?? undefined) !== plan.gitCommit) continue;
    if (!sameRecord(params, wanted)) continue;
    return run;
  }
  return null;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export interface StepOutcome {
  name: string;
  runId: string;
  status: RunStatus;
  /** True when an earlier FINISHED run was reused instead of executing. */
  reused: boolean;
  outputs: Record<string, string>;
}

export interface WorkflowResult {
  parentRunId: string;
  experimentId: string;
  status: RunStatus;
  steps: StepOutcome[];
  /** Steps that ran a command in this invocation. */
  executed: string[];
  /** Steps served by an earlier run. */
  reused: string[];
}

export interface RunWorkflowOptions {
  /** Path of workflow.yaml. */
  file: string;
  /** Reuse matching FINISHED runs (default true; `--no-reuse` sets false). */
  reuse?: boolean;
  trackingUri?: string;
  /** Record into this open store (the caller closes it); trackingUri must name it. */
  store?: TrackingStore;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream | null;
  stderr?: NodeJS.WritableStream | null;
  log?: (message: string) => void;
  /** Overrides the workflow's max_parallel. */
  maxParallel?: number;
  /** Install SIGINT/SIGTERM handlers that stop running steps (default true). */
  handleSignals?: boolean;
}

/**
 * Runs a workflow: a parent run (tag `mlrecipe.workflow`), then each step as a child run
 * (`mlflow.parentRunId`) as soon as the steps it depends on have finished, at most max_parallel
 * at a time. A step whose entry point, params and code match an earlier FINISHED run is not
 * executed: that run is reused and linked from the parent (tags `mlrecipe.step.<step>.run_id`
 * and `mlrecipe.step.<step>.reused`). The first failing step stops the scheduling of new steps;
 * the parent ends FAILED (KILLED when interrupted) and a StepError names the step.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const workflow = loadWorkflow(resolve(cwd, options.file));
  // Local projects, entry points and literal parameters are checked before anything is recorded
  // (git sources are fetched when their step starts).
  checkLocalSteps(workflow);
  const reuse = options.reuse !== false;
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd, env });
  const store =
    options.store ??
    (await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot }));
  try {
    const experimentId = await resolveExperimentId(store, {
      ...(workflow.experimentName ? { experimentName: workflow.experimentName } : {}),
      env,
    });
    const parent = await store.createRun({
      experimentId,
      runName: workflow.name,
      tags: [
        { key: TAGS.user, value: env.LOGNAME || env.USER || userInfo().username },
        { key: TAGS.sourceType, value: 'PROJECT' },
        { key: TAGS.sourceName, value: workflow.file },
        { key: PROJECT_TAGS.workflow, value: workflow.name },
        // If this process dies without ending the parent run, the next store opening ends it KILLED.
        ...runnerTags(),
      ],
    });
    const parentRunId = parent.info.run_id;
    log(`=== Workflow ${workflow.name}: parent run ${parentRunId} (${workflow.steps.length} steps) ===`);

    const outcomes = new Map<string, StepOutcome>();
    const failures: Array<{ step: string; error: unknown }> = [];
    const controller = new AbortController();
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      controller.abort();
    };
    const handleSignals = options.handleSignals !== false;
    if (handleSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }

    const runStep = async (
      step: WorkflowStep,
      upstream: ReadonlyMap<string, StepOutcome>,
    ): Promise<StepOutcome> => {
      // Every step a parameter refers to is one the step depends on, so its outcome is here.
      const outputsByStep = new Map([...upstream].map(([name, o]) => [name, o.outputs]));
      const parameters = substituteOutputs(step, outputsByStep);
      const plan = await planProjectRun({
        uri: step.project,
        entryPoint: step.entryPoint,
        parameters,
        ...(step.version ? { version: step.version } : {}),
        ...(step.envManager ? { envManager: step.envManager } : {}),
        // Relative path parameters mean paths next to the workflow file.
        cwd: workflow.dir,
        // Editing a step's parameters in the workflow file must not invalidate the other steps.
        excludeFromCodeDigest: [workflow.file],
        env,
        log,
      });
      const previous = reuse ? await findReusableRun(store, { experimentId, plan }) : null;
      let outcome: StepOutcome;
      if (previous) {
        log(
          `=== Step ${step.name}: reusing FINISHED run ${previous.info.run_id} (same entry point, parameters and code) ===`,
        );
        outcome = {
          name: step.name,
          runId: previous.info.run_id,
          status: 'FINISHED',
          reused: true,
          outputs: outputsOfRun(previous),
        };
      } else {
        const result = await executeProjectRun(plan, {
          store,
          trackingUri: resolved.uri,
          experimentId,
          runName: step.name,
          parentRunId,
          tags: { 'mlrecipe.workflow.step': step.name },
          env,
          ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
          ...(options.stderr !== undefined ? { stderr: options.stderr } : {}),
          log,
          handleSignals: false,
          signal: controller.signal,
        });
        const run = await store.getRun(result.runId);
        outcome = {
          name: step.name,
          runId: result.runId,
          status: result.status,
          reused: false,
          outputs: outputsOfRun(run),
        };
        if (result.status !== 'FINISHED') {
          const why =
            result.status === 'KILLED'
              ? 'was killed'
              : `exited with code ${result.exitCode ?? result.signal ?? '?'}${result.problems.length ? ` (${result.problems.join('; ')})` : ''}`;
          outcomes.set(step.name, outcome);
          throw new StepError(step.name, `run ${result.runId} ${why}`, {
            hint: `see the run's stderr.txt artifact; rerun with \`recipe workflow run ${options.file}\` once fixed (finished steps are reused)`,
          });
        }
      }
      outcomes.set(step.name, outcome);
      await store.logBatch(parentRunId, {
        tags: [
          { key: `${PROJECT_TAGS.stepPrefix}${step.name}.run_id`, value: outcome.runId },
          { key: `${PROJECT_TAGS.stepPrefix}${step.name}.reused`, value: String(outcome.reused) },
        ],
      });
      return outcome;
    };

    // The recipe engine's executor: a step starts once the steps it depends on have finished;
    // a failed step keeps its dependants from starting. A workflow also fails fast: the first
    // failure aborts the controller, which stops the steps still running and keeps every other
    // step from starting.
    await executeDag<WorkflowStep & DagTask, StepOutcome>({
      tasks: workflow.steps.map((step) => ({ ...step, id: step.name })),
      concurrency: options.maxParallel ?? workflow.maxParallel,
      run: async (step, upstream) => {
        try {
          return await runStep(step, upstream);
        } catch (error) {
          controller.abort();
          throw error;
        }
      },
      // In the order steps fail, so the error reported is the first one.
      onSettled: (step, settlement) => {
        if (settlement.state === 'failed') failures.push({ step: step.name, error: settlement.error });
      },
      signal: controller.signal,
    });
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }

    const status: RunStatus = interrupted ? 'KILLED' : failures.length > 0 ? 'FAILED' : 'FINISHED';
    await store.updateRun(parentRunId, { status, endTime: Date.now() });
    const steps = workflow.steps
      .map((s) => outcomes.get(s.name))
      .filter((o): o is StepOutcome => o !== undefined);
    const result: WorkflowResult = {
      parentRunId,
      experimentId,
      status,
      steps,
      executed: steps.filter((s) => !s.reused).map((s) => s.name),
      reused: steps.filter((s) => s.reused).map((s) => s.name),
    };
    log(
      `=== Workflow ${workflow.name} ${status === 'FINISHED' ? 'succeeded' : status === 'KILLED' ? 'was killed' : 'failed'}: executed ${result.executed.length}, reused ${result.reused.length} (parent run ${parentRunId}) ===`,
    );
    if (failures.length > 0 || interrupted) {
      const first = failures[0];
      if (first?.error instanceof MlrecipeError) throw first.error;
      if (first)
        throw new StepError(
          first.step,
          first.error instanceof Error ? first.error.message : String(first.error),
        );
      throw new MlrecipeError(
        `workflow ${workflow.name} was interrupted (parent run ${parentRunId} is KILLED)`,
      );
    }
    return result;
  } finally {
    if (!options.store) await store.close();
  }
}
