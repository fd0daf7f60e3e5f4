import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  outputOption,
  viewOption,
  viewTypeOf,
  withTrackingStore
} from "./chunk-chunk-WZYJLL2R.js";
import {
  formatTable,
  formatTime,
  printJson
} from "./chunk-chunk-6Y2UQZLY.js";
import {
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  StoreError
} from "./chunk-chunk-FHTLSLDU.js";

// src/cli/experiments.ts
import { resolve } from "node:path";
function registerExperimentsCommands(program) {
  const experiments = program.command("experiments").description("list, create, delete and restore tracking experiments");
  experiments.command("list").description("list experiments (active ones unless --view says otherwise)").addOption(viewOption("experiments")).addOption(outputOption()).action(async (opts, command) => {
    const list = await withTrackingStore(command, (store) => allExperiments(store, viewTypeOf(opts.view)));
    if (opts.output === "json") {
      printJson(list);
      return;
    }
    const rows = list.map((e) => [
      e.experiment_id,
      e.name,
      e.lifecycle_stage,
      formatTime(e.creation_time),
      e.artifact_location
    ]);
    cliStdout().write(`${formatTable(["ID", "NAME", "STAGE", "CREATED", "ARTIFACT LOCATION"], rows)}
`);
  });
  experiments.command("create").description("create an experiment and print its id").requiredOption("-n, --name <name>", "the new experiment\u2019s name (unique, also among deleted ones)").option(
    "-l, --artifact-location <location>",
    "where its runs keep artifacts: a directory or file:// URI (default: <artifact root>/<experiment id>)"
  ).addOption(outputOption()).action(
    async (opts, command) => {
      const location = opts.artifactLocation === void 0 ? void 0 : absoluteLocation(opts.artifactLocation);
      const experiment = await withTrackingStore(
        command,
        async (store) => store.getExperiment(await store.createExperiment(opts.name, location))
      );
      if (opts.output === "json") printJson(experiment);
      else
        cliStdout().write(`Created experiment '${experiment.name}' with id ${experiment.experiment_id}
`);
    }
  );
  experiments.command("delete").description("mark an experiment (and its runs) deleted; `restore` undoes it").argument("<id-or-name>", "experiment id, or its name").action(async (idOrName, _opts, command) => {
    const experiment = await withTrackingStore(command, async (store) => {
      const found = await findExperiment(store, idOrName);
      await store.deleteExperiment(found.experiment_id);
      return found;
    });
    cliStdout().write(`Deleted experiment '${experiment.name}' (id ${experiment.experiment_id})
`);
  });
  experiments.command("restore").description("restore a deleted experiment").argument("<id-or-name>", "experiment id, or its name").action(async (idOrName, _opts, command) => {
    const experiment = await withTrackingStore(command, async (store) => {
      const found = await findExperiment(store, idOrName);
      await store.restoreExperiment(found.experiment_id);
      return found;
    });
    cliStdout().write(`Restored experiment '${experiment.name}' (id ${experiment.experiment_id})
`);
  });
}
async function allExperiments(store, viewType) {
  const all = [];
  let pageToken;
  do {
    const page = await store.searchExperiments({ viewType, pageToken, maxResults: 1e3 });
    all.push(...page.experiments);
    pageToken = page.next_page_token;
  } while (pageToken);
  return all;
}
async function findExperiment(store, idOrName) {
  if (/^\d+$/.test(idOrName)) {
    try {
      return await store.getExperiment(idOrName);
    } catch (error) {
      if (!(error instanceof StoreError && error.mlflowErrorCode === "RESOURCE_DOES_NOT_EXIST")) throw error;
    }
  }
  const byName = await store.getExperimentByName(idOrName);
  if (byName) return byName;
  throw new StoreError("RESOURCE_DOES_NOT_EXIST", `no experiment has the id or name "${idOrName}"`, {
    hint: "see them all with `recipe experiments list --view all`"
  });
}
function absoluteLocation(location) {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(location) ? location : resolve(location);
}

export {
  registerExperimentsCommands,
  findExperiment
};
