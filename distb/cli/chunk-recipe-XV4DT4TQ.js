import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  STEP_KINDS
} from "./chunk-chunk-I5LLZ7WK.js";
import {
  formatTable,
  printJson
} from "./chunk-chunk-6Y2UQZLY.js";
import {
  Option
} from "./chunk-chunk-UTGYEUUB.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/recipe.ts
function registerRecipeCommands(program) {
  const recipeDir = () => new Option("--recipe-dir <dir>", "directory holding recipe.yaml").default(".");
  const profile = () => new Option("-p, --profile <name>", "profile in profiles/ that fills {{ placeholders }} (default: local)");
  const step = (what) => new Option("-s, --step <step>", what).choices([...STEP_KINDS]);
  const output = () => new Option("-o, --output <format>", "output format: table or json").choices(["table", "json"]).default("table");
  program.command("run").description("run the recipe: each step whose inputs changed, reusing cached outputs for the rest").addOption(
    step(
      "run this step and the steps it needs (default: through register; ingest_scoring/predict only when named)"
    )
  ).addOption(profile()).addOption(recipeDir()).option("--no-cache", "run every step even if a cached result matches (the cache entry is replaced)").option("--no-wait", "fail at once if another recipe command holds the lock instead of waiting").option("--no-tracking", "do not record the run in the tracking store").addOption(output()).action(async (opts, command) => {
    const { trackingUri } = command.optsWithGlobals();
    const { createProgressReporter, recipeRunStatus, runRecipe, trackingRecorder, formatDuration } = await import("./chunk-recipes-KELBJVAS.js");
    const { defaultStepRegistry } = await import("./chunk-step-registry-FGM66NUR.js");
    const result = await runRecipe({
      recipeDir: opts.recipeDir,
      profile: opts.profile,
      steps: opts.step ? [opts.step] : void 0,
      noCache: opts.cache === false,
      wait: opts.wait !== false,
      registry: defaultStepRegistry,
      progress: createProgressReporter({ stream: cliStderr() }),
      recorder: opts.tracking === false ? void 0 : trackingRecorder({ trackingUri }),
      handleSignals: true
    });
    if (opts.output === "json") {
      printJson({
        run_id: result.runId ?? null,
        experiment_id: result.experimentId ?? null,
        status: recipeRunStatus(result.error),
        ...result.error?.code === "GATE_REJECTED" ? { validation_status: "REJECTED" } : {},
        steps: result.outcomes.map((o) => ({
          step: o.step,
          state: o.state,
          duration_s: o.durationMs / 1e3,
          fingerprint: o.fingerprint,
          dir: o.dir ?? null,
          metrics: o.metrics,
          reused_from: o.reusedFromRunId ?? null,
          error: o.error?.message ?? null
        }))
      });
    } else {
      cliStdout().write(
        `${formatTable(
          ["STEP", "STATE", "DURATION"],
          result.outcomes.map((o) => [
            o.step,
            o.state,
            o.state === "skipped" ? "" : formatDuration(o.durationMs)
          ])
        )}
`
      );
      if (result.runId)
        cliStdout().write(`tracking run ${result.runId} (experiment ${result.experimentId})
`);
    }
    if (result.error) throw result.error;
  });
  program.command("status").description("show each step as cached, stale (and why) or never run, like `dvc status`").addOption(profile()).addOption(recipeDir()).addOption(output()).action(async (opts) => {
    const { recipeStatus } = await import("./chunk-recipes-KELBJVAS.js");
    const { defaultStepRegistry } = await import("./chunk-step-registry-FGM66NUR.js");
    const statuses = await recipeStatus({
      recipeDir: opts.recipeDir,
      profile: opts.profile,
      registry: defaultStepRegistry
    });
    if (opts.output === "json") {
      printJson(
        statuses.map((s) => ({
          step: s.step,
          state: s.state,
          fingerprint: s.fingerprint,
          reasons: s.reasons,
          dir: s.dir ?? null,
          last_run: s.last ?? null
        }))
      );
      return;
    }
    cliStdout().write(
      `${formatTable(
        ["STEP", "STATE", "WHY"],
        statuses.map((s) => [s.step, s.state, s.reasons.join("; ")])
      )}
`
    );
  });
  program.command("inspect").description("show the recipe's DAG with each step's state, duration and outputs, or one step's card").addOption(step("show this step: its card path and a summary of card.json")).addOption(profile()).addOption(recipeDir()).addOption(output()).action(async (opts) => {
    const { inspectRecipe, formatDuration } = await import("./chunk-recipes-KELBJVAS.js");
    const { defaultStepRegistry } = await import("./chunk-step-registry-FGM66NUR.js");
    const { STEP_INPUTS } = await import("./chunk-types-AWOCNCSD.js");
    const steps = await inspectRecipe({
      recipeDir: opts.recipeDir,
      profile: opts.profile,
      registry: defaultStepRegistry,
      step: opts.step
    });
    if (opts.output === "json") {
      printJson(
        steps.map((s2) => ({
          step: s2.step,
          inputs: STEP_INPUTS[s2.step],
          state: s2.state,
          reasons: s2.reasons,
          duration_s: s2.durationMs === void 0 ? null : s2.durationMs / 1e3,
          outputs: s2.outputs,
          card: s2.card ? { html: s2.card.html, json: s2.card.json } : null,
          card_data: opts.step ? s2.card?.summary ?? null : void 0
        }))
      );
      return;
    }
    if (!opts.step) {
      cliStdout().write(
        `${formatTable(
          ["STEP", "AFTER", "STATE", "DURATION", "OUTPUTS"],
          steps.map((s2) => [
            s2.step,
            STEP_INPUTS[s2.step].join(", ") || "-",
            s2.state,
            s2.durationMs === void 0 ? "" : formatDuration(s2.durationMs),
            Object.keys(s2.outputs).filter((k) => k !== "card" && k !== "card_json").join(", ")
          ])
        )}
`
      );
      return;
    }
    const s = steps[0];
    if (!s) return;
    const lines = [
      `step:     ${s.step} (${s.state}${s.reasons.length ? `: ${s.reasons.join("; ")}` : ""})`
    ];
    if (s.durationMs !== void 0) lines.push(`duration: ${formatDuration(s.durationMs)}`);
    for (const [name, path] of Object.entries(s.outputs)) lines.push(`output:   ${name} = ${path}`);
    if (s.card) {
      lines.push(`card:     ${s.card.html}`);
      const sections = s.card.summary.sections;
      if (Array.isArray(sections)) lines.push(`sections: ${sections.join(", ")}`);
      const data = s.card.summary.data ?? {};
      for (const [key, value] of Object.entries(data)) lines.push(`  ${key}: ${summarise(value)}`);
    } else {
      lines.push(`card:     (none yet: run \`recipe run --step ${s.step}\`)`);
    }
    const trials = s.outputs.trials;
    if (trials) lines.push("", ...await formatTrials(trials));
    cliStdout().write(`${lines.join("\n")}
`);
  });
  program.command("clean").description("remove cached step outputs (one step with --step, else all)").addOption(step("remove only this step's cache entries")).addOption(recipeDir()).option("--no-wait", "fail at once if another recipe command holds the lock").action(async (opts) => {
    const { cleanRecipe } = await import("./chunk-recipes-KELBJVAS.js");
    const { removed } = await cleanRecipe({
      recipeDir: opts.recipeDir,
      step: opts.step,
      wait: opts.wait !== false
    });
    cliStdout().write(`removed ${removed} cache entr${removed === 1 ? "y" : "ies"}
`);
  });
  program.command("gc").description("remove cache entries the current recipe and profile no longer reach").addOption(profile()).addOption(recipeDir()).option("--no-wait", "fail at once if another recipe command holds the lock").addOption(output()).action(async (opts) => {
    const { gcRecipe } = await import("./chunk-recipes-KELBJVAS.js");
    const { defaultStepRegistry } = await import("./chunk-step-registry-FGM66NUR.js");
    const result = await gcRecipe({
      recipeDir: opts.recipeDir,
      profile: opts.profile,
      registry: defaultStepRegistry,
      wait: opts.wait !== false
    });
    if (opts.output === "json") {
      printJson(result);
      return;
    }
    cliStdout().write(
      `removed ${result.removed.length} cache entr${result.removed.length === 1 ? "y" : "ies"}, kept ${result.kept}
`
    );
  });
  program.command("get-artifact").description("print the path of a step output (e.g. --step train --name model)").addOption(step("the step that wrote the output").makeOptionMandatory()).requiredOption("-n, --name <name>", "output name (see `recipe inspect --step S`)").addOption(profile()).addOption(recipeDir()).action(async (opts) => {
    const { stepArtifactPath } = await import("./chunk-recipes-KELBJVAS.js");
    const { defaultStepRegistry } = await import("./chunk-step-registry-FGM66NUR.js");
    const { path, stale } = await stepArtifactPath({
      recipeDir: opts.recipeDir,
      profile: opts.profile,
      registry: defaultStepRegistry,
      step: opts.step,
      name: opts.name
    });
    if (stale)
      cliStderr().write(`warning: step ${opts.step} is stale; this is the output of its last run
`);
    cliStdout().write(`${path}
`);
  });
}
function summarise(value) {
  if (value === null || typeof value !== "object") return String(value);
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
async function formatTrials(file) {
  const { readFileSync } = await import("node:fs");
  const data = JSON.parse(readFileSync(file, "utf8"));
  const names = [...new Set(data.trials.flatMap((t) => Object.keys(t.params)))];
  const sorted = [...data.trials].sort(
    (a, b) => (a.loss ?? Number.POSITIVE_INFINITY) - (b.loss ?? Number.POSITIVE_INFINITY) || a.index - b.index
  );
  const rows = sorted.map((t) => [
    t.index < 0 ? "untuned" : String(t.index),
    t.status === "ok" ? String(t.metrics[data.primary_metric]) : `failed: ${t.error ?? ""}`,
    ...names.map(
      (n) => t.params[n] === void 0 ? "" : typeof t.params[n] === "string" ? t.params[n] : JSON.stringify(t.params[n])
    ),
    t.cached ? "yes" : "no",
    t.runId ?? ""
  ]);
  return [
    `trials (${data.trials.length}, best first; best: ${data.best_trial < 0 ? "untuned" : `trial ${data.best_trial}`})`,
    formatTable(["TRIAL", `val_${data.primary_metric}`, ...names, "CACHED", "RUN_ID"], rows)
  ];
}
export {
  registerRecipeCommands
};
