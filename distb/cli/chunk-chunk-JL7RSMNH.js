import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  PROJECT_TAGS,
  executeProjectRun,
  parseProjectUri,
  planProjectRun,
  recordedParams,
  resolveExperimentId,
  runProject
} from "./chunk-chunk-AXWSSERG.js";
import {
  checkParameterValue,
  getEntryPoint,
  loadProject,
  readPositionedYaml,
  schemaIssues
} from "./chunk-chunk-FABSN7QC.js";
import {
  PQueue
} from "./chunk-chunk-GJMBG6NU.js";
import {
  openTrackingStore,
  runnerTags
} from "./chunk-chunk-7Y5GNMMB.js";
import {
  resolveTrackingUri
} from "./chunk-chunk-IPY3WFCW.js";
import {
  TAGS
} from "./chunk-chunk-5AC5CY3N.js";
import {
  ConfigError,
  MlrecipeError,
  StepError
} from "./chunk-chunk-FHTLSLDU.js";

// src/projects/workflow.ts
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { Ajv } from "ajv";
var BUILTIN_OUTPUTS = ["run_id", "artifact_uri"];
var REFERENCE = /\{\{\s*([^}]*?)\s*\}\}/g;
var STEP_OUTPUT = /^steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][\w.-]*)$/;
var validator;
function workflowValidator() {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(new URL("../../schema/workflow.schema.json", import.meta.url), "utf8")
    );
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}
function loadWorkflow(file) {
  const abs = resolve(file);
  return parseWorkflow(readPositionedYaml(abs));
}
function parseWorkflow(doc) {
  const raw = doc.value;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError([doc.issue([], "a workflow file must be a YAML mapping with name and steps")]);
  }
  const validate = workflowValidator();
  if (!validate(raw)) throw new ConfigError(schemaIssues(doc, validate.errors ?? []));
  const spec = raw;
  const dir = dirname(doc.file);
  const names = Object.keys(spec.steps);
  const issues = [];
  const steps = [];
  for (const name of names) {
    const s = spec.steps[name];
    const deps = /* @__PURE__ */ new Set();
    for (const [i, dep] of (s.depends_on ?? []).entries()) {
      if (!names.includes(dep)) {
        issues.push(
          doc.issue(
            ["steps", name, "depends_on", i],
            `depends on "${dep}", which is not a step`,
            hintFor(dep, names)
          )
        );
      } else if (dep === name) {
        issues.push(doc.issue(["steps", name, "depends_on", i], "a step cannot depend on itself"));
      } else {
        deps.add(dep);
      }
    }
    const parameters = {};
    for (const [key, value] of Object.entries(s.parameters ?? {})) {
      const text = String(value);
      parameters[key] = text;
      for (const match of text.matchAll(REFERENCE)) {
        const ref = STEP_OUTPUT.exec(match[1] ?? "");
        const where = ["steps", name, "parameters", key];
        if (!ref) {
          issues.push(
            doc.issue(
              where,
              `"${match[0]}" is not a reference mlrecipe understands`,
              "write {{ steps.<step>.outputs.<name> }}"
            )
          );
          continue;
        }
        const target = ref[1];
        if (!names.includes(target)) {
          issues.push(
            doc.issue(where, `refers to step "${target}", which is not declared`, hintFor(target, names))
          );
        } else if (target === name) {
          issues.push(doc.issue(where, "a step cannot use its own outputs"));
        } else {
          deps.add(target);
        }
      }
    }
    const project = s.project ?? ".";
    const envManager = s.env_manager ?? spec.env_manager;
    steps.push({
      name,
      project: localizeProject(project, dir),
      entryPoint: s.entry_point ?? "main",
      ...s.version ? { version: s.version } : {},
      ...envManager ? { envManager } : {},
      parameters,
      dependsOn: [...deps],
      source: { file: doc.file, ...doc.positionOf(["steps", name], { key: true }) }
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const ordered = topologicalOrder(steps, doc);
  return {
    file: doc.file,
    dir,
    name: spec.name,
    ...spec.experiment_name ? { experimentName: spec.experiment_name } : {},
    maxParallel: spec.max_parallel ?? 2,
    steps: ordered
  };
}
function localizeProject(project, dir) {
  const source = parseProjectUri(project);
  if (source.kind === "git") return project;
  const base = isAbsolute(source.path) ? source.path : resolve(dir, source.path);
  return source.subdirectory ? `${base}#${source.subdirectory}` : base;
}
function hintFor(name, names) {
  const close = names.find((n) => n.toLowerCase() === name.toLowerCase() || levenshtein(n, name) <= 2);
  return close ? `did you mean "${close}"?` : `steps: ${names.join(", ")}`;
}
function levenshtein(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1)
      );
      prev = tmp;
    }
  }
  return row[b.length];
}
function topologicalOrder(steps, doc) {
  const done = /* @__PURE__ */ new Set();
  const ordered = [];
  let pending = [...steps];
  while (pending.length > 0) {
    const ready = pending.filter((s) => s.dependsOn.every((d) => done.has(d)));
    if (ready.length === 0) {
      const cycle = findCycle(pending);
      throw new ConfigError([
        doc.issue(
          ["steps", cycle[0]],
          `steps depend on each other in a cycle: ${cycle.join(" \u2192 ")}`,
          "remove one of these dependencies"
        )
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
function findCycle(pending) {
  const byName = new Map(pending.map((s) => [s.name, s]));
  let current = pending[0];
  const path = [];
  while (!path.includes(current.name)) {
    path.push(current.name);
    const next = current.dependsOn.map((d) => byName.get(d)).find((s) => s !== void 0);
    if (!next) break;
    current = next;
  }
  const start = path.indexOf(current.name);
  return [...path.slice(start), current.name];
}
function checkLocalSteps(workflow) {
  const issues = [];
  for (const step of workflow.steps) {
    const source = parseProjectUri(step.project);
    if (source.kind !== "local") continue;
    const project = loadProject(source.subdirectory ? join(source.path, source.subdirectory) : source.path);
    const entryPoint = getEntryPoint(project, step.entryPoint);
    const at = { ...step.source, path: `steps.${step.name}.parameters` };
    const missing = entryPoint.parameters.filter(
      (p) => p.default === void 0 && step.parameters[p.name] === void 0
    );
    if (missing.length > 0) {
      issues.push({
        ...at,
        message: `entry point "${entryPoint.name}" needs ${missing.map((p) => `${p.name} (${p.type})`).join(", ")}, which ${missing.length === 1 ? "has" : "have"} no default`,
        hint: `add ${missing.map((p) => `${p.name}: \u2026`).join(", ")} under steps.${step.name}.parameters`
      });
    }
    for (const spec of entryPoint.parameters) {
      const value = step.parameters[spec.name];
      if (value === void 0 || value.includes("{{")) continue;
      const problem = checkParameterValue(spec, value);
      if (problem)
        issues.push({ ...at, path: `${at.path}.${spec.name}`, message: `${spec.name} ${problem}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
function substituteOutputs(step, outputsByStep) {
  const result = {};
  for (const [key, template] of Object.entries(step.parameters)) {
    result[key] = template.replace(REFERENCE, (whole, inner) => {
      const ref = STEP_OUTPUT.exec(inner);
      const [, target, output] = ref;
      const outputs = outputsByStep.get(target) ?? {};
      const value = outputs[output];
      if (value === void 0) {
        const known = Object.keys(outputs);
        throw new StepError(
          step.name,
          `parameter ${key} uses ${whole}, but step ${target} recorded no output "${output}" (its outputs: ${known.join(", ") || "none"})`,
          {
            hint: `have ${target}'s command write {"${output}": \u2026} to $RECIPE_OUTPUTS_FILE, or set tag ${PROJECT_TAGS.outputPrefix}${output} on its run`
          }
        );
      }
      return value;
    });
  }
  return result;
}
function outputsOfRun(run) {
  const outputs = {};
  for (const tag of run.data.tags) {
    if (tag.key.startsWith(PROJECT_TAGS.outputPrefix))
      outputs[tag.key.slice(PROJECT_TAGS.outputPrefix.length)] = tag.value;
  }
  outputs.run_id = run.info.run_id;
  outputs.artifact_uri = run.info.artifact_uri;
  return outputs;
}
async function findReusableRun(store, args) {
  const { plan } = args;
  const result = await store.searchRuns({
    experimentIds: [args.experimentId],
    filter: `tags.\`${PROJECT_TAGS.reuseKey}\` = '${plan.reuseKey}' and attributes.status = 'FINISHED'`,
    orderBy: ["attributes.start_time DESC"],
    maxResults: 20
  });
  const wanted = recordedParams(plan.parameters);
  for (const run of result.runs) {
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    if (tags[TAGS.projectEntryPoint] !== plan.entryPoint.name) continue;
    if ((tags[TAGS.gitCommit] ?? void 0) !== plan.gitCommit) continue;
    if (!sameRecord(params, wanted)) continue;
    return run;
  }
  return null;
}
function sameRecord(a, b) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
async function runWorkflow(options) {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const log = options.log ?? ((m) => process.stderr.write(`${m}
`));
  const workflow = loadWorkflow(resolve(cwd, options.file));
  checkLocalSteps(workflow);
  const reuse = options.reuse !== false;
  const resolved = resolveTrackingUri({ flag: options.trackingUri, cwd, env });
  const store = options.store ?? await openTrackingStore(resolved.uri, { defaultArtifactRoot: resolved.defaultArtifactRoot });
  try {
    const experimentId = await resolveExperimentId(store, {
      ...workflow.experimentName ? { experimentName: workflow.experimentName } : {},
      env
    });
    const parent = await store.createRun({
      experimentId,
      runName: workflow.name,
      tags: [
        { key: TAGS.user, value: env.LOGNAME || env.USER || userInfo().username },
        { key: TAGS.sourceType, value: "PROJECT" },
        { key: TAGS.sourceName, value: workflow.file },
        { key: PROJECT_TAGS.workflow, value: workflow.name },
        // If this process dies without ending the parent run, the next store opening ends it KILLED.
        ...runnerTags()
      ]
    });
    const parentRunId = parent.info.run_id;
    log(`=== Workflow ${workflow.name}: parent run ${parentRunId} (${workflow.steps.length} steps) ===`);
    const outputsByStep = /* @__PURE__ */ new Map();
    const outcomes = /* @__PURE__ */ new Map();
    const failures = [];
    const controller = new AbortController();
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      controller.abort();
    };
    const handleSignals = options.handleSignals !== false;
    if (handleSignals) {
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    }
    const runStep = async (step) => {
      const parameters = substituteOutputs(step, outputsByStep);
      const plan = await planProjectRun({
        uri: step.project,
        entryPoint: step.entryPoint,
        parameters,
        ...step.version ? { version: step.version } : {},
        ...step.envManager ? { envManager: step.envManager } : {},
        // Relative path parameters mean paths next to the workflow file.
        cwd: workflow.dir,
        // Editing a step's parameters in the workflow file must not invalidate the other steps.
        excludeFromCodeDigest: [workflow.file],
        env,
        log
      });
      const previous = reuse ? await findReusableRun(store, { experimentId, plan }) : null;
      let outcome;
      if (previous) {
        log(
          `=== Step ${step.name}: reusing FINISHED run ${previous.info.run_id} (same entry point, parameters and code) ===`
        );
        outcome = {
          name: step.name,
          runId: previous.info.run_id,
          status: "FINISHED",
          reused: true,
          outputs: outputsOfRun(previous)
        };
      } else {
        const result2 = await executeProjectRun(plan, {
          store,
          trackingUri: resolved.uri,
          experimentId,
          runName: step.name,
          parentRunId,
          tags: { "mlrecipe.workflow.step": step.name },
          env,
          ...options.stdout !== void 0 ? { stdout: options.stdout } : {},
          ...options.stderr !== void 0 ? { stderr: options.stderr } : {},
          log,
          handleSignals: false,
          signal: controller.signal
        });
        const run = await store.getRun(result2.runId);
        outcome = {
          name: step.name,
          runId: result2.runId,
          status: result2.status,
          reused: false,
          outputs: outputsOfRun(run)
        };
        if (result2.status !== "FINISHED") {
          const why = result2.status === "KILLED" ? "was killed" : `exited with code ${result2.exitCode ?? result2.signal ?? "?"}${result2.problems.length ? ` (${result2.problems.join("; ")})` : ""}`;
          outcomes.set(step.name, outcome);
          throw new StepError(step.name, `run ${result2.runId} ${why}`, {
            hint: `see the run's stderr.txt artifact; rerun with \`recipe workflow run ${options.file}\` once fixed (finished steps are reused)`
          });
        }
      }
      outcomes.set(step.name, outcome);
      outputsByStep.set(step.name, outcome.outputs);
      await store.logBatch(parentRunId, {
        tags: [
          { key: `${PROJECT_TAGS.stepPrefix}${step.name}.run_id`, value: outcome.runId },
          { key: `${PROJECT_TAGS.stepPrefix}${step.name}.reused`, value: String(outcome.reused) }
        ]
      });
    };
    const queue = new PQueue({ concurrency: options.maxParallel ?? workflow.maxParallel });
    const started = /* @__PURE__ */ new Set();
    await new Promise((allDone) => {
      const schedule = () => {
        if (failures.length === 0 && !interrupted) {
          for (const step of workflow.steps) {
            if (started.has(step.name)) continue;
            if (!step.dependsOn.every((d) => outputsByStep.has(d))) continue;
            started.add(step.name);
            void queue.add(async () => {
              try {
                if (failures.length === 0 && !interrupted) await runStep(step);
              } catch (error) {
                failures.push({ step: step.name, error });
                controller.abort();
              }
              schedule();
            });
          }
        }
        if (queue.size === 0 && queue.pending === 0) allDone();
      };
      schedule();
      queue.on("idle", () => allDone());
    });
    if (handleSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    const status = interrupted ? "KILLED" : failures.length > 0 ? "FAILED" : "FINISHED";
    await store.updateRun(parentRunId, { status, endTime: Date.now() });
    const steps = workflow.steps.map((s) => outcomes.get(s.name)).filter((o) => o !== void 0);
    const result = {
      parentRunId,
      experimentId,
      status,
      steps,
      executed: steps.filter((s) => !s.reused).map((s) => s.name),
      reused: steps.filter((s) => s.reused).map((s) => s.name)
    };
    log(
      `=== Workflow ${workflow.name} ${status === "FINISHED" ? "succeeded" : status === "KILLED" ? "was killed" : "failed"}: executed ${result.executed.length}, reused ${result.reused.length} (parent run ${parentRunId}) ===`
    );
    if (failures.length > 0 || interrupted) {
      const first = failures[0];
      if (first?.error instanceof MlrecipeError) throw first.error;
      if (first)
        throw new StepError(
          first.step,
          first.error instanceof Error ? first.error.message : String(first.error)
        );
      throw new MlrecipeError(
        `workflow ${workflow.name} was interrupted (parent run ${parentRunId} is KILLED)`
      );
    }
    return result;
  } finally {
    if (!options.store) await store.close();
  }
}

// src/projects/entry-point-step.ts
async function runProjectEntryPoint(options) {
  const entryPoint = options.entryPoint ?? "main";
  const parameters = Object.fromEntries(
    Object.entries(options.parameters ?? {}).map(([k, v]) => [k, String(v)])
  );
  const common = {
    uri: options.uri,
    entryPoint,
    parameters,
    ...options.version !== void 0 ? { version: options.version } : {},
    ...options.cwd !== void 0 ? { cwd: options.cwd } : {},
    ...options.log ? { log: options.log } : {}
  };
  if (options.reuse && options.store && options.experimentId !== void 0) {
    const plan = await planProjectRun(common);
    const previous = await findReusableRun(options.store, { experimentId: options.experimentId, plan });
    if (previous) {
      return {
        runId: previous.info.run_id,
        artifactUri: previous.info.artifact_uri,
        outputs: outputsOfRun(previous),
        reused: true
      };
    }
  }
  const result = await runProject({
    ...common,
    ...options.experimentId !== void 0 ? { experimentId: options.experimentId } : {},
    ...options.trackingUri !== void 0 ? { trackingUri: options.trackingUri } : {},
    ...options.parentRunId !== void 0 ? { parentRunId: options.parentRunId } : {},
    ...options.store ? { store: options.store } : {},
    ...options.stdout !== void 0 ? { stdout: options.stdout } : {},
    ...options.stderr !== void 0 ? { stderr: options.stderr } : {},
    ...options.signal ? { signal: options.signal } : {},
    handleSignals: false
  });
  if (result.status !== "FINISHED") {
    throw new StepError(
      `project ${entryPoint}`,
      `run ${result.runId} ended ${result.status}${result.exitCode !== void 0 ? ` (exit code ${result.exitCode})` : ""}`,
      { hint: "see the run's stderr.txt artifact" }
    );
  }
  return {
    runId: result.runId,
    artifactUri: result.artifactUri,
    outputs: { ...result.outputs, run_id: result.runId, artifact_uri: result.artifactUri },
    reused: false
  };
}

export {
  BUILTIN_OUTPUTS,
  loadWorkflow,
  outputsOfRun,
  findReusableRun,
  runWorkflow,
  runProjectEntryPoint
};
