import { resolve } from 'node:path';
import type { Command } from 'commander';
import { StoreError } from '../errors.js';
import type { Experiment, TrackingStore } from '../tracking/index.js';
import { formatTable, formatTime, type OutputFormat, printJson } from './output.js';
import { outputOption, viewOption, viewTypeOf, withTrackingStore } from './store-option.js';
import { cliStdout } from './io.js';

/** `recipe experiments list|create|delete|restore`. */
export function registerExperimentsCommands(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('list, create, delete and restore tracking experiments');

  experiments
    .command('list')
    .description('list experiments (active ones unless --view says otherwise)')
    .addOption(viewOption('experiments'))
    .addOption(outputOption())
    .action(async (opts: { view: string; output: OutputFormat }, command: Command) => {
      const list = await withTrackingStore(command, (store) => allExperiments(store, viewTypeOf(opts.view)));
      if (opts.output === 'json') {
        printJson(list);
        return;
      }
      const rows = list.map((e) => [
        e.experiment_id,
        e.name,
        e.lifecycle_stage,
        formatTime(e.creation_time),
        e.artifact_location,
      ]);
      cliStdout().write(`${formatTable(['ID', 'NAME', 'STAGE', 'CREATED', 'ARTIFACT LOCATION'], rows)}\n`);
    });

  experiments
    .command('create')
    .description('create an experiment and print its id')
    .requiredOption('-n, --name <name>', 'the new experiment’s name (unique, also among deleted ones)')
    .option(
      '-l, --artifact-location <location>',
      'where its runs keep artifacts: a directory or file:// URI (default: <artifact root>/<experiment id>)',
    )
    .addOption(outputOption())
    .action(
      async (opts: { name: string; artifactLocation?: string; output: OutputFormat }, command: Command) => {
        const location =
          opts.artifactLocation === undefined ? undefined : absoluteLocation(opts.artifactLocation);
        const experiment = await withTrackingStore(command, async (store) =>
          store.getExperiment(await store.createExperiment(opts.name, location)),
        );
        if (opts.output === 'json') printJson(experiment);
        else
          cliStdout().write(`Created experiment '${experiment.name}' with id ${experiment.experiment_id}\n`);
      },
    );

  experiments
    .command('delete')
    .description('mark an experiment (and its runs) deleted; `restore` undoes it')
    .argument('<id-or-name>', 'experiment id, or its name')
    .action(async (idOrName: string, _opts: unknown, command: Command) => {
      const experiment = await withTrackingStore(command, async (store) => {
        const found = await findExperiment(store, idOrName);
        await store.deleteExperiment(found.experiment_id);
        return found;
      });
      cliStdout().write(`Deleted experiment '${experiment.name}' (id ${experiment.experiment_id})\n`);
    });

  experiments
    .command('restore')
    .description('restore a deleted experiment')
    .argument('<id-or-name>', 'experiment id, or its name')
    .action(async (idOrName: string, _opts: unknown, command: Command) => {
      const experiment = await withTrackingStore(command, async (store) => {
        const found = await findExperiment(store, idOrName);
        await store.restoreExperiment(found.experiment_id);
        return found;
      });
      cliStdout().write(`Restored experiment '${experiment.name}' (id ${experiment.experiment_id})\n`);
    });
}

/** Every experiment of a view, following page tokens. */
async function allExperiments(
  store: TrackingStore,
  viewType: ReturnType<typeof viewTypeOf>,
): Promise<Experiment[]> {
  const all: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({ viewType, pageToken, maxResults: 1000 });
    all.push(...page.experiments);
    pageToken = page.next_page_token;
  } while (pageToken);
  return all;
}

/**
 * An experiment by id, else by name (active or deleted). A name made of digits is tried as an
 * id first, since ids are what MLflow's own CLI takes.
 */
export async function findExperiment(store: TrackingStore, idOrName: string): Promise<Experiment> {
  if (/^\d+$/.test(idOrName)) {
    try {
      return await store.getExperiment(idOrName);
    } catch (error) {
      if (!(error instanceof StoreError && error.mlflowErrorCode === 'RESOURCE_DOES_NOT_EXIST')) throw error;
    }
  }
  const byName = await store.getExperimentByName(idOrName);
  if (byName) return byName;
  throw new StoreError('RESOURCE_DOES_NOT_EXIST', `no experiment has the id or name "${idOrName}"`, {
    hint: 'see them all with `recipe experiments list --view all`',
  });
}

/** Relative directories would mean different places to different commands; pin them now. */
function absoluteLocation(location: string): string {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(location) ? location : resolve(location);
}
