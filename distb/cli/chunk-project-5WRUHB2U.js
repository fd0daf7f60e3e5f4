import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  Option
} from "./chunk-chunk-UTGYEUUB.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  writeFileAtomic
} from "./chunk-chunk-NOK55ACX.js";
import {
  MlrecipeError,
  StepError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/project.ts
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
var ENV_MANAGER_CHOICES = [
  "local",
  "virtualenv",
  "conda",
  "docker"
];
var DETACHED_RUN_ID_FILE = "RECIPE_DETACHED_RUN_ID_FILE";
function collect(value, previous) {
  return [...previous, value];
}
function registerProjectCommands(program) {
  if (firstOperand(process.argv.slice(2)) === "project") program.enablePositionalOptions();
  const project = program.command("project").description("run MLflow Projects (MLproject files, git sources)");
  project.command("run").description(
    "run a project entry point as a tracked run: a directory, dir#subdir, or git URI (https://\u2026, git@\u2026, file://\u2026)#subdir"
  ).argument("<uri>", "project directory or git repository URI, optionally with #subdirectory").option(
    "-e, --entry-point <name>",
    "entry point, or a script file of the project (.py .sh .js .mjs .ts)",
    "main"
  ).option(
    "-P, --param <key=value>",
    "a parameter (repeatable); undeclared ones are passed as --key value",
    collect,
    []
  ).option("--experiment-name <name>", "experiment to record into (created if missing)").option("--experiment-id <id>", "experiment id to record into").addOption(
    new Option(
      "--env-manager <manager>",
      "how to provide the environment (default: what the project declares)"
    ).choices([...ENV_MANAGER_CHOICES])
  ).option("--version <rev>", "branch, tag or commit of a git project").option("--run-name <name>", "name of the run").option("--detach", "start the run in the background, print its id and return").addOption(
    new Option("--tracking-uri <uri>", "tracking store URI (also accepted before the command)").hideHelp()
  ).addOption(new Option("--verbose", "print stack traces").hideHelp()).action(async (uri, opts, command) => {
    if (opts.detach) {
      await detach();
      return;
    }
    const { trackingUri } = command.optsWithGlobals();
    const runIdFile = process.env[DETACHED_RUN_ID_FILE];
    const childEnv = { ...process.env };
    delete childEnv[DETACHED_RUN_ID_FILE];
    const { parseParameterAssignments, runProject } = await import("./chunk-projects-Z7PV6VBU.js");
    const result = await runProject({
      uri,
      entryPoint: opts.entryPoint,
      parameters: parseParameterAssignments(opts.param),
      ...opts.experimentName !== void 0 ? { experimentName: opts.experimentName } : {},
      ...opts.experimentId !== void 0 ? { experimentId: opts.experimentId } : {},
      ...opts.envManager ? { envManager: opts.envManager } : {},
      ...opts.version !== void 0 ? { version: opts.version } : {},
      ...opts.runName !== void 0 ? { runName: opts.runName } : {},
      ...trackingUri ? { trackingUri } : {},
      env: childEnv,
      ...runIdFile ? { onRunCreated: (run) => writeFileAtomic(runIdFile, run.info.run_id) } : {}
    });
    if (result.status === "FINISHED") return;
    const why = result.status === "KILLED" ? `was killed${result.signal ? ` (${result.signal})` : ""}` : result.exitCode !== void 0 ? `exited with code ${result.exitCode}` : `failed${result.signal ? ` (${result.signal})` : ""}`;
    const problems = result.problems.length > 0 ? `; ${result.problems.join("; ")}` : "";
    throw new StepError(
      `project ${opts.entryPoint}`,
      `the command ${why}; run ${result.runId} is ${result.status}${problems}`,
      {
        hint: `its output is in the run's stdout.txt / stderr.txt artifacts (recipe runs show ${result.runId})`
      }
    );
  });
}
async function detach() {
  const dir = mkdtempSync(join(tmpdir(), "mlrecipe-detached-"));
  const runIdFile = join(dir, "run-id");
  const logFile = join(dir, "output.log");
  const argv = process.argv.slice(1).filter((a) => a !== "--detach");
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, argv, {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: { ...process.env, [DETACHED_RUN_ID_FILE]: runIdFile }
  });
  closeSync(fd);
  let exited;
  child.on("exit", (code) => {
    exited = code;
  });
  while (!existsSync(runIdFile)) {
    if (exited !== void 0) {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8").trim() : "";
      throw new MlrecipeError(`the detached run did not start (exit ${exited})${log ? `:
${log}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.unref();
  const runId = readFileSync(runIdFile, "utf8").trim();
  cliStderr().write(`run ${runId} continues in the background (pid ${child.pid}); its output: ${logFile}
`);
  cliStdout().write(`${runId}
`);
}
function firstOperand(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--tracking-uri") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return void 0;
}
export {
  registerProjectCommands
};
