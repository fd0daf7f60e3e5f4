import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ModelStage, ModelVersion, RegisteredModel, OpenedModelRegistry } from '../registry/index.js';
import type { Tag, TrackingStore } from '../tracking/index.js';
import { modelsCommand } from './models-predict.js';
import { formatTable, formatTime, type OutputFormat, printJson } from './output.js';
import { collect, outputOption, parsePositiveInt } from './store-option.js';
import { cliStdout } from './io.js';

/**
 * The registry and tracking modules load when a command runs, not when it is registered (every
 * group registers for `recipe --help`; the registry pulls in the model stack).
 */
const registryModule = () => import('../registry/index.js');

/** Stage names for help text (MLflow's four); the type check fails if they drift from ModelStage. */
const STAGE_NAMES = ['None', 'Staging', 'Production', 'Archived'] as const satisfies readonly ModelStage[];
const _everyStageListed: [Exclude<ModelStage, (typeof STAGE_NAMES)[number]>] extends [never] ? true : never =
  true;

/**
 * Opens the tracking store the command names (as `withTrackingStore` does) and the registry in
 * its database; both are closed when `fn` settles.
 */
async function withRegistry<T>(
  command: Command,
  fn: (registry: OpenedModelRegistry, tracking: TrackingStore) => Promise<T>,
): Promise<T> {
  const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
  const [{ registryForTrackingStore }, { openTrackingStore, resolveTrackingUri }] = await Promise.all([
    registryModule(),
    import('../tracking/index.js'),
  ]);
  const resolved = resolveTrackingUri({ flag: trackingUri, cwd: process.cwd() });
  const tracking = await openTrackingStore(resolved.uri, {
    defaultArtifactRoot: resolved.defaultArtifactRoot,
  });
  try {
    return await fn(registryForTrackingStore(tracking), tracking);
  } finally {
    await tracking.close();
  }
}

/** `key=value` from the command line; the value may itself hold `=`. */
function parseTagArgument(text: string, allowBareKey: boolean): Tag {
  const equals = text.indexOf('=');
  if (equals < 0) {
    if (allowBareKey && text !== '') return { key: text, value: '' };
    throw new UsageError(`tag "${text}" has no "=": write it as key=value`, {
      hint: 'e.g. validation_status=PASSED',
    });
  }
  const key = text.slice(0, equals);
  if (key === '') throw new UsageError(`tag "${text}" has an empty key`, { hint: 'write it as key=value' });
  return { key, value: text.slice(equals + 1) };
}

function stagesSummary(model: RegisteredModel): string {
  return model.latest_versions
    .filter((version) => version.current_stage !== 'None')
    .map((version) => `${version.current_stage}:${version.version}`)
    .join(' ');
}

function aliasSummary(model: RegisteredModel): string {
  return model.aliases.map((alias) => `${alias.alias}→${alias.version}`).join(' ');
}

function printVersion(version: ModelVersion, output: OutputFormat, verb: string): void {
  if (output === 'json') {
    printJson(version);
    return;
  }
  cliStdout().write(
    `${verb} model '${version.name}' version ${version.version} (stage ${version.current_stage}, ${version.status})\n`,
  );
}

/** Every version of a model (not deleted), newest first, following page tokens. */
async function allVersions(registry: OpenedModelRegistry, name: string): Promise<ModelVersion[]> {
  const { quoteFilterString } = await registryModule();
  const versions: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await registry.searchModelVersions({
      filter: `name = ${quoteFilterString(name)}`,
      orderBy: ['version_number DESC'],
      maxResults: 10_000,
      pageToken,
    });
    versions.push(...page.model_versions);
    pageToken = page.next_page_token;
  } while (pageToken);
  return versions;
}

/**
 * `recipe models list|show|register|alias|transition|describe|tag|delete`, the registry's side
 * of the `models` group (predict and serve live in their own files).
 */
export function registerModelsRegistryCommands(program: Command): void {
  const models = modelsCommand(program);

  models
    .command('list')
    .description('list registered models with their aliases and staged versions')
    .option(
      '--filter <filter>',
      'MLflow search filter, e.g. "name LIKE \'cars%\'" or "tags.team = \'pricing\'"',
    )
    .option('--order-by <clause>', 'e.g. "name DESC", "last_updated_timestamp DESC" (repeatable)', collect)
    .option('--max-results <n>', 'at most this many models (default: all)', parsePositiveInt)
    .addOption(outputOption())
    .action(
      async (
        opts: { filter?: string; orderBy?: string[]; maxResults?: number; output: OutputFormat },
        command: Command,
      ) => {
        const list = await withRegistry(command, async (registry) => {
          const all: RegisteredModel[] = [];
          let pageToken: string | undefined;
          do {
            const limit = opts.maxResults === undefined ? 1000 : Math.min(1000, opts.maxResults - all.length);
            const page = await registry.searchRegisteredModels({
              ...(opts.filter === undefined ? {} : { filter: opts.filter }),
              ...(opts.orderBy === undefined ? {} : { orderBy: opts.orderBy }),
              maxResults: limit,
              pageToken,
            });
            all.push(...page.registered_models);
            pageToken = page.next_page_token;
          } while (pageToken && (opts.maxResults === undefined || all.length < opts.maxResults));
          return all;
        });
        if (opts.output === 'json') {
          printJson(list);
          return;
        }
        const rows = list.map((model) => [
          model.name,
          model.latest_versions.length === 0
            ? ''
            : String(Math.max(...model.latest_versions.map((version) => Number(version.version)))),
          aliasSummary(model),
          stagesSummary(model),
          formatTime(model.last_updated_timestamp),
          model.description,
        ]);
        cliStdout().write(
          `${formatTable(['NAME', 'LATEST', 'ALIASES', 'STAGES', 'UPDATED', 'DESCRIPTION'], rows)}\n`,
        );
      },
    );

  models
    .command('show')
    .description('show a registered model and its versions')
    .argument('<name>', 'registered model name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output: OutputFormat }, command: Command) => {
      const { model, versions } = await withRegistry(command, async (registry) => ({
        model: await registry.getRegisteredModel(name),
        versions: await allVersions(registry, name),
      }));
      if (opts.output === 'json') {
        printJson({ registered_model: model, model_versions: versions });
        return;
      }
      const lines = [
        `Model:       ${model.name}`,
        `Created:     ${formatTime(model.creation_timestamp)}`,
        `Updated:     ${formatTime(model.last_updated_timestamp)}`,
      ];
      if (model.description) lines.push(`Description: ${model.description}`);
      if (model.aliases.length > 0) lines.push(`Aliases:     ${aliasSummary(model)}`);
      if (model.tags.length > 0)
        lines.push(`Tags:        ${model.tags.map((t) => `${t.key}=${t.value}`).join(' ')}`);
      const rows = versions.map((version) => [
        version.version,
        version.current_stage,
        version.status,
        version.aliases.join(' '),
        version.run_id,
        formatTime(version.creation_timestamp),
        version.source,
      ]);
      cliStdout().write(
        `${lines.join('\n')}\n\n${formatTable(['VERSION', 'STAGE', 'STATUS', 'ALIASES', 'RUN ID', 'CREATED', 'SOURCE'], rows)}\n`,
      );
    });

  models
    .command('register')
    .description(
      'register a model as a new version (copied into the registry; the model is created when new)',
    )
    .requiredOption('-m, --model-uri <uri>', 'model directory, runs:/<run_id>/<path> or models:/… URI')
    .requiredOption('-n, --name <name>', 'registered model name')
    .option('--run-id <id>', 'the run that produced the model (taken from a runs:/ URI when omitted)')
    .option('-d, --description <text>', 'version description')
    .option('-t, --tag <key=value>', 'version tag (repeatable)', collect)
    .option('--alias <alias>', 'point this alias at the new version')
    .addOption(outputOption())
    .action(
      async (
        opts: {
          modelUri: string;
          name: string;
          runId?: string;
          description?: string;
          tag?: string[];
          alias?: string;
          output: OutputFormat;
        },
        command: Command,
      ) => {
        const version = await withRegistry(command, async (registry, tracking) => {
          const { registerModel } = await registryModule();
          const registered = await registerModel({
            store: registry,
            modelUri: opts.modelUri,
            name: opts.name,
            trackingStore: tracking,
            trackingUri: command.optsWithGlobals<{ trackingUri?: string }>().trackingUri,
            ...(opts.runId === undefined ? {} : { runId: opts.runId }),
            ...(opts.description === undefined ? {} : { description: opts.description }),
            ...(opts.tag === undefined ? {} : { tags: opts.tag.map((tag) => parseTagArgument(tag, false)) }),
          });
          if (opts.alias === undefined) return registered;
          await registry.setRegisteredModelAlias(opts.name, opts.alias, registered.version);
          return registry.getModelVersion(opts.name, registered.version);
        });
        printVersion(version, opts.output, 'Registered');
      },
    );

  models
    .command('alias')
    .description('point an alias (e.g. champion) at a version, moving it if set; --delete removes it')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias name: letters, digits, _ and -')
    .argument('[version]', 'version number (not with --delete)')
    .option('--delete', 'remove the alias instead')
    .addOption(outputOption())
    .action(
      async (
        name: string,
        alias: string,
        version: string | undefined,
        opts: { delete?: boolean; output: OutputFormat },
        command: Command,
      ) => {
        if (opts.delete) {
          if (version !== undefined)
            throw new UsageError('--delete takes no version', {
              hint: `recipe models alias ${name} ${alias} --delete`,
            });
          await withRegistry(command, (registry) => registry.deleteRegisteredModelAlias(name, alias));
          if (opts.output === 'json') printJson({});
          else cliStdout().write(`Deleted alias '${alias}' of model '${name}'\n`);
          return;
        }
        if (version === undefined) {
          throw new UsageError('missing the version the alias should point at', {
            hint: `recipe models alias ${name} ${alias} <version>, or --delete`,
          });
        }
        const updated = await withRegistry(command, async (registry) => {
          await registry.setRegisteredModelAlias(name, alias, version);
          return registry.getModelVersion(name, version);
        });
        if (opts.output === 'json') printJson(updated);
        else cliStdout().write(`Alias '${alias}' of model '${name}' → version ${updated.version}\n`);
      },
    );

  models
    .command('transition')
    .description('move a version to another stage')
    .argument('<name>', 'registered model name')
    .argument('<version>', 'version number')
    .argument('<stage>', `one of ${STAGE_NAMES.join(', ')} (any case)`)
    .option('--archive-existing', 'archive the other versions in the target stage (Staging or Production)')
    .addOption(outputOption())
    .action(
      async (
        name: string,
        version: string,
        stage: string,
        opts: { archiveExisting?: boolean; output: OutputFormat },
        command: Command,
      ) => {
        const updated = await withRegistry(command, (registry) =>
          registry.transitionModelVersionStage(
            name,
            version,
            stage as ModelStage,
            opts.archiveExisting === true,
          ),
        );
        printVersion(updated, opts.output, 'Transitioned');
      },
    );

  models
    .command('describe')
    .description('set the description of a model, or of one of its versions')
    .argument('<name>', 'registered model name')
    .argument('[version]', 'version number (omit to describe the model)')
    .requiredOption('-d, --description <text>', 'the new description ("" clears it)')
    .addOption(outputOption())
    .action(
      async (
        name: string,
        version: string | undefined,
        opts: { description: string; output: OutputFormat },
        command: Command,
      ) => {
        const updated = await withRegistry<RegisteredModel | ModelVersion>(command, (registry) =>
          version === undefined
            ? registry.updateRegisteredModel(name, opts.description)
            : registry.updateModelVersion(name, version, opts.description),
        );
        if (opts.output === 'json') printJson(updated);
        else
          cliStdout().write(
            `Updated the description of '${name}'${version === undefined ? '' : ` version ${version}`}\n`,
          );
      },
    );

  models
    .command('tag')
    .description('set (or with --delete remove) a tag on a model, or on one of its versions')
    .argument('<name>', 'registered model name')
    .argument('<args...>', '[version] key=value  (with --delete: [version] key)')
    .option('--delete', 'remove the tag instead')
    .addOption(outputOption())
    .action(
      async (
        name: string,
        args: string[],
        opts: { delete?: boolean; output: OutputFormat },
        command: Command,
      ) => {
        if (args.length > 2) {
          throw new UsageError(`too many arguments: ${args.join(' ')}`, {
            hint: 'recipe models tag <name> [<version>] key=value [--delete]',
          });
        }
        const version = args.length === 2 ? args[0] : undefined;
        const tag = parseTagArgument(args[args.length - 1], opts.delete === true);
        const target = await withRegistry(command, async (registry) => {
          if (version === undefined) {
            if (opts.delete) await registry.deleteRegisteredModelTag(name, tag.key);
            else await registry.setRegisteredModelTag(name, tag);
            return registry.getRegisteredModel(name);
          }
          if (opts.delete) await registry.deleteModelVersionTag(name, version, tag.key);
          else await registry.setModelVersionTag(name, version, tag);
          return registry.getModelVersion(name, version);
        });
        if (opts.output === 'json') {
          printJson(target);
          return;
        }
        const what = version === undefined ? `model '${name}'` : `model '${name}' version ${version}`;
        cliStdout().write(
          opts.delete
            ? `Deleted tag '${tag.key}' of ${what}\n`
            : `Set tag ${tag.key}=${tag.value} on ${what}\n`,
        );
      },
    );

  models
    .command('delete')
    .description(
      "delete a model (all its versions, tags and aliases) or one version, with the registry's copies",
    )
    .argument('<name>', 'registered model name')
    .argument('[version]', 'version number (omit to delete the whole model)')
    .addOption(outputOption())
    .action(
      async (name: string, version: string | undefined, opts: { output: OutputFormat }, command: Command) => {
        await withRegistry(command, async (registry) => {
          // Read the sources first: deleting redacts or removes them.
          const doomed =
            version === undefined
              ? await allVersions(registry, name)
              : [await registry.getModelVersion(name, version)];
          if (version === undefined) await registry.deleteRegisteredModel(name);
          else await registry.deleteModelVersion(name, version);
          const { removeRegisteredCopies } = await registryModule();
          await removeRegisteredCopies(registry, doomed);
        });
        if (opts.output === 'json') printJson({});
        else
          cliStdout().write(
            version === undefined
              ? `Deleted model '${name}'\n`
              : `Deleted model '${name}' version ${version}\n`,
          );
      },
    );
}
