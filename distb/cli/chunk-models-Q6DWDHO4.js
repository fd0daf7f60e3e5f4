import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  modelsCommand
} from "./chunk-chunk-WFIPGIBO.js";
import {
  collect,
  outputOption,
  parsePositiveInt
} from "./chunk-chunk-WZYJLL2R.js";
import {
  formatTable,
  formatTime,
  printJson
} from "./chunk-chunk-6Y2UQZLY.js";
import "./chunk-chunk-UTGYEUUB.js";
import {
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/models.ts
var registryModule = () => import("./chunk-registry-TZKMF4JA.js");
var STAGE_NAMES = ["None", "Staging", "Production", "Archived"];
async function withRegistry(command, fn) {
  const { trackingUri } = command.optsWithGlobals();
  const [{ registryForTrackingStore }, { openTrackingStore, resolveTrackingUri }] = await Promise.all([
    registryModule(),
    import("./chunk-tracking-RHGRVUZK.js")
  ]);
  const resolved = resolveTrackingUri({ flag: trackingUri, cwd: process.cwd() });
  const tracking = await openTrackingStore(resolved.uri, {
    defaultArtifactRoot: resolved.defaultArtifactRoot
  });
  try {
    return await fn(registryForTrackingStore(tracking), tracking);
  } finally {
    await tracking.close();
  }
}
function parseTagArgument(text, allowBareKey) {
  const equals = text.indexOf("=");
  if (equals < 0) {
    if (allowBareKey && text !== "") return { key: text, value: "" };
    throw new UsageError(`tag "${text}" has no "=": write it as key=value`, {
      hint: "e.g. validation_status=PASSED"
    });
  }
  const key = text.slice(0, equals);
  if (key === "") throw new UsageError(`tag "${text}" has an empty key`, { hint: "write it as key=value" });
  return { key, value: text.slice(equals + 1) };
}
function stagesSummary(model) {
  return model.latest_versions.filter((version) => version.current_stage !== "None").map((version) => `${version.current_stage}:${version.version}`).join(" ");
}
function aliasSummary(model) {
  return model.aliases.map((alias) => `${alias.alias}\u2192${alias.version}`).join(" ");
}
function printVersion(version, output, verb) {
  if (output === "json") {
    printJson(version);
    return;
  }
  cliStdout().write(
    `${verb} model '${version.name}' version ${version.version} (stage ${version.current_stage}, ${version.status})
`
  );
}
async function allVersions(registry, name) {
  const { quoteFilterString } = await registryModule();
  const versions = [];
  let pageToken;
  do {
    const page = await registry.searchModelVersions({
      filter: `name = ${quoteFilterString(name)}`,
      orderBy: ["version_number DESC"],
      maxResults: 1e4,
      pageToken
    });
    versions.push(...page.model_versions);
    pageToken = page.next_page_token;
  } while (pageToken);
  return versions;
}
function registerModelsRegistryCommands(program) {
  const models = modelsCommand(program);
  models.command("list").description("list registered models with their aliases and staged versions").option(
    "--filter <filter>",
    `MLflow search filter, e.g. "name LIKE 'cars%'" or "tags.team = 'pricing'"`
  ).option("--order-by <clause>", 'e.g. "name DESC", "last_updated_timestamp DESC" (repeatable)', collect).option("--max-results <n>", "at most this many models (default: all)", parsePositiveInt).addOption(outputOption()).action(
    async (opts, command) => {
      const list = await withRegistry(command, async (registry) => {
        const all = [];
        let pageToken;
        do {
          const limit = opts.maxResults === void 0 ? 1e3 : Math.min(1e3, opts.maxResults - all.length);
          const page = await registry.searchRegisteredModels({
            ...opts.filter === void 0 ? {} : { filter: opts.filter },
            ...opts.orderBy === void 0 ? {} : { orderBy: opts.orderBy },
            maxResults: limit,
            pageToken
          });
          all.push(...page.registered_models);
          pageToken = page.next_page_token;
        } while (pageToken && (opts.maxResults === void 0 || all.length < opts.maxResults));
        return all;
      });
      if (opts.output === "json") {
        printJson(list);
        return;
      }
      const rows = list.map((model) => [
        model.name,
        model.latest_versions.length === 0 ? "" : String(Math.max(...model.latest_versions.map((version) => Number(version.version)))),
        aliasSummary(model),
        stagesSummary(model),
        formatTime(model.last_updated_timestamp),
        model.description
      ]);
      cliStdout().write(
        `${formatTable(["NAME", "LATEST", "ALIASES", "STAGES", "UPDATED", "DESCRIPTION"], rows)}
`
      );
    }
  );
  models.command("show").description("show a registered model and its versions").argument("<name>", "registered model name").addOption(outputOption()).action(async (name, opts, command) => {
    const { model, versions } = await withRegistry(command, async (registry) => ({
      model: await registry.getRegisteredModel(name),
      versions: await allVersions(registry, name)
    }));
    if (opts.output === "json") {
      printJson({ registered_model: model, model_versions: versions });
      return;
    }
    const lines = [
      `Model:       ${model.name}`,
      `Created:     ${formatTime(model.creation_timestamp)}`,
      `Updated:     ${formatTime(model.last_updated_timestamp)}`
    ];
    if (model.description) lines.push(`Description: ${model.description}`);
    if (model.aliases.length > 0) lines.push(`Aliases:     ${aliasSummary(model)}`);
    if (model.tags.length > 0)
      lines.push(`Tags:        ${model.tags.map((t) => `${t.key}=${t.value}`).join(" ")}`);
    const rows = versions.map((version) => [
      version.version,
      version.current_stage,
      version.status,
      version.aliases.join(" "),
      version.run_id,
      formatTime(version.creation_timestamp),
      version.source
    ]);
    cliStdout().write(
      `${lines.join("\n")}

${formatTable(["VERSION", "STAGE", "STATUS", "ALIASES", "RUN ID", "CREATED", "SOURCE"], rows)}
`
    );
  });
  models.command("register").description(
    "register a model as a new version (copied into the registry; the model is created when new)"
  ).requiredOption("-m, --model-uri <uri>", "model directory, runs:/<run_id>/<path> or models:/\u2026 URI").requiredOption("-n, --name <name>", "registered model name").option("--run-id <id>", "the run that produced the model (taken from a runs:/ URI when omitted)").option("-d, --description <text>", "version description").option("-t, --tag <key=value>", "version tag (repeatable)", collect).option("--alias <alias>", "point this alias at the new version").addOption(outputOption()).action(
    async (opts, command) => {
      const version = await withRegistry(command, async (registry, tracking) => {
        const { registerModel } = await registryModule();
        const registered = await registerModel({
          store: registry,
          modelUri: opts.modelUri,
          name: opts.name,
          trackingStore: tracking,
          trackingUri: command.optsWithGlobals().trackingUri,
          ...opts.runId === void 0 ? {} : { runId: opts.runId },
          ...opts.description === void 0 ? {} : { description: opts.description },
          ...opts.tag === void 0 ? {} : { tags: opts.tag.map((tag) => parseTagArgument(tag, false)) }
        });
        if (opts.alias === void 0) return registered;
        await registry.setRegisteredModelAlias(opts.name, opts.alias, registered.version);
        return registry.getModelVersion(opts.name, registered.version);
      });
      printVersion(version, opts.output, "Registered");
    }
  );
  models.command("alias").description("point an alias (e.g. champion) at a version, moving it if set; --delete removes it").argument("<name>", "registered model name").argument("<alias>", "alias name: letters, digits, _ and -").argument("[version]", "version number (not with --delete)").option("--delete", "remove the alias instead").addOption(outputOption()).action(
    async (name, alias, version, opts, command) => {
      if (opts.delete) {
        if (version !== void 0)
          throw new UsageError("--delete takes no version", {
            hint: `recipe models alias ${name} ${alias} --delete`
          });
        await withRegistry(command, (registry) => registry.deleteRegisteredModelAlias(name, alias));
        if (opts.output === "json") printJson({});
        else cliStdout().write(`Deleted alias '${alias}' of model '${name}'
`);
        return;
      }
      if (version === void 0) {
        throw new UsageError("missing the version the alias should point at", {
          hint: `recipe models alias ${name} ${alias} <version>, or --delete`
        });
      }
      const updated = await withRegistry(command, async (registry) => {
        await registry.setRegisteredModelAlias(name, alias, version);
        return registry.getModelVersion(name, version);
      });
      if (opts.output === "json") printJson(updated);
      else cliStdout().write(`Alias '${alias}' of model '${name}' \u2192 version ${updated.version}
`);
    }
  );
  models.command("transition").description("move a version to another stage").argument("<name>", "registered model name").argument("<version>", "version number").argument("<stage>", `one of ${STAGE_NAMES.join(", ")} (any case)`).option("--archive-existing", "archive the other versions in the target stage (Staging or Production)").addOption(outputOption()).action(
    async (name, version, stage, opts, command) => {
      const updated = await withRegistry(
        command,
        (registry) => registry.transitionModelVersionStage(
          name,
          version,
          stage,
          opts.archiveExisting === true
        )
      );
      printVersion(updated, opts.output, "Transitioned");
    }
  );
  models.command("describe").description("set the description of a model, or of one of its versions").argument("<name>", "registered model name").argument("[version]", "version number (omit to describe the model)").requiredOption("-d, --description <text>", 'the new description ("" clears it)').addOption(outputOption()).action(
    async (name, version, opts, command) => {
      const updated = await withRegistry(
        command,
        (registry) => version === void 0 ? registry.updateRegisteredModel(name, opts.description) : registry.updateModelVersion(name, version, opts.description)
      );
      if (opts.output === "json") printJson(updated);
      else
        cliStdout().write(
          `Updated the description of '${name}'${version === void 0 ? "" : ` version ${version}`}
`
        );
    }
  );
  models.command("tag").description("set (or with --delete remove) a tag on a model, or on one of its versions").argument("<name>", "registered model name").argument("<args...>", "[version] key=value  (with --delete: [version] key)").option("--delete", "remove the tag instead").addOption(outputOption()).action(
    async (name, args, opts, command) => {
      if (args.length > 2) {
        throw new UsageError(`too many arguments: ${args.join(" ")}`, {
          hint: "recipe models tag <name> [<version>] key=value [--delete]"
        });
      }
      const version = args.length === 2 ? args[0] : void 0;
      const tag = parseTagArgument(args[args.length - 1], opts.delete === true);
      const target = await withRegistry(command, async (registry) => {
        if (version === void 0) {
          if (opts.delete) await registry.deleteRegisteredModelTag(name, tag.key);
          else await registry.setRegisteredModelTag(name, tag);
          return registry.getRegisteredModel(name);
        }
        if (opts.delete) await registry.deleteModelVersionTag(name, version, tag.key);
        else await registry.setModelVersionTag(name, version, tag);
        return registry.getModelVersion(name, version);
      });
      if (opts.output === "json") {
        printJson(target);
        return;
      }
      const what = version === void 0 ? `model '${name}'` : `model '${name}' version ${version}`;
      cliStdout().write(
        opts.delete ? `Deleted tag '${tag.key}' of ${what}
` : `Set tag ${tag.key}=${tag.value} on ${what}
`
      );
    }
  );
  models.command("delete").description(
    "delete a model (all its versions, tags and aliases) or one version, with the registry's copies"
  ).argument("<name>", "registered model name").argument("[version]", "version number (omit to delete the whole model)").addOption(outputOption()).action(
    async (name, version, opts, command) => {
      await withRegistry(command, async (registry) => {
        const doomed = version === void 0 ? await allVersions(registry, name) : [await registry.getModelVersion(name, version)];
        if (version === void 0) await registry.deleteRegisteredModel(name);
        else await registry.deleteModelVersion(name, version);
        const { removeRegisteredFiles } = await registryModule();
        await removeRegisteredFiles(registry.artifactRoot, doomed);
      });
      if (opts.output === "json") printJson({});
      else
        cliStdout().write(
          version === void 0 ? `Deleted model '${name}'
` : `Deleted model '${name}' version ${version}
`
        );
    }
  );
}
export {
  registerModelsRegistryCommands
};
