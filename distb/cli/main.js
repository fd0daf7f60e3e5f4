#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  Command,
  CommanderError
} from "./chunk-chunk-UTGYEUUB.js";
import {
  cliStderr,
  cliStdout,
  withCliIo
} from "./chunk-chunk-NLRYTIKR.js";
import {
  ConfigError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  formatIssue,
  isMlrecipeError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/program.ts
import { readFileSync } from "node:fs";
function packageVersion() {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return pkg.version;
}
async function buildProgram(options = {}) {
  const program = new Command("recipe").description(
    "Declarative ML pipelines: MLflow-compatible recipes, projects, tracking, registry and serving."
  ).version(packageVersion(), "-V, --version", "print the mlrecipe version").option("--verbose", "print stack traces and debug output").option(
    "--tracking-uri <uri>",
    "tracking store URI (else $RECIPE_TRACKING_URI, $MLFLOW_TRACKING_URI, sqlite mlruns/)"
  ).showHelpAfterError("(run with --help for usage)").configureOutput({
    writeOut: (text) => cliStdout().write(text),
    writeErr: (text) => cliStderr().write(text)
  }).exitOverride();
  const { commandGroups } = await import("./chunk-commands-GYC2QU36.js");
  const wanted = options.argv === void 0 ? commandGroups : groupsToLoad(commandGroups, options.argv);
  const registers = await Promise.all(
    wanted.map((group) => typeof group === "function" ? group : group.load())
  );
  for (const register of registers) register(program);
  return program;
}
var ROOT_OPTIONS_WITH_VALUE = /* @__PURE__ */ new Set(["--tracking-uri"]);
function groupsToLoad(groups, argv) {
  const args = argv.slice(2);
  let name;
  let onlyVersionOptions = true;
  for (let i = 0; i < args.length && name === void 0; i++) {
    const arg = args[i];
    if (ROOT_OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (arg.startsWith("--tracking-uri=") || arg === "--verbose" || arg === "-V" || arg === "--version")
      continue;
    else if (arg.startsWith("-"))
      onlyVersionOptions = false;
    else name = arg;
  }
  const eager = groups.filter((group) => typeof group === "function");
  if (name === void 0) {
    const versionOnly = onlyVersionOptions && (args.includes("-V") || args.includes("--version"));
    return versionOnly ? eager : [...groups];
  }
  const named = groups.filter((group) => typeof group !== "function" && group.commands.includes(name));
  if (named.length === 0) return [...groups];
  return groups.filter((group) => typeof group === "function" || named.includes(group));
}
async function main(argv, io) {
  const args = ["node", "recipe", ...argv];
  const verbose = argv.includes("--verbose");
  return withCliIo(io, async () => {
    try {
      const program = await buildProgram({ argv: args });
      await program.parseAsync(args);
      return EXIT_OK;
    } catch (error) {
      return reportError(error, verbose);
    }
  });
}
function reportError(error, verbose) {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isMlrecipeError(error)) {
    if (error instanceof ConfigError) {
      cliStderr().write(
        `error: invalid configuration (${error.issues.length} problem${error.issues.length === 1 ? "" : "s"})
`
      );
      for (const issue of error.issues) cliStderr().write(`  ${formatIssue(issue)}
`);
    } else {
      cliStderr().write(`error: ${error.message}
`);
    }
    if (error.hint) cliStderr().write(`hint: ${error.hint}
`);
    if (verbose && error.stack) cliStderr().write(`${error.stack}
`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  cliStderr().write(`error: ${message}
`);
  if (verbose && error instanceof Error && error.stack) cliStderr().write(`${error.stack}
`);
  return EXIT_FAILURE;
}

// src/cli/main.ts
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
