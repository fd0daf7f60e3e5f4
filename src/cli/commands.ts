import type { Command } from 'commander';
import type { CommandLine } from './command-line.js';
import { RECIPE_COMMANDS } from './recipe-command-names.js';

/** Adds a group's commands to the program (the `registerXxxCommands` function of a module). */
export type RegisterCommands = (program: Command, commandLine: CommandLine) => void;

/**
 * A command group, loaded lazily: `commands` are the TOP-LEVEL command names its module adds,
 * `load` imports the module only when argv names one of them (all groups load for
 * `recipe --help`, `recipe help`, no command and an unknown command), so one command does not
 * pay for every other command's imports at start-up.
 */
export interface LazyCommandGroup {
  readonly commands: readonly string[];
  readonly load: () => Promise<RegisterCommands>;
}

/**
 * Every command group of the `recipe` CLI, in help order. Add a group as ONE lazy entry, with NO
 * static import of the command module in this file:
 *
 *   { commands: ['gate'], load: async () => (await import('./gate.js')).registerGateCommand },
  { commands: ['worker', 'queue'], load: async () => (await import('./queue.js')).registerQueueCommands },
 *
 * Several modules may add subcommands to one top-level group (`models`: each module calls
 * `modelsCommand(program)`); list each module with that name and all of them load for it.
 * A plain register function (old style) still works but is imported eagerly on every command;
 * test/cli/lazy-loading.test.ts fails on one.
 */
export const commandGroups: ReadonlyArray<LazyCommandGroup | RegisterCommands> = [
  {
    commands: ['experiments'],
    load: async () => (await import('./experiments.js')).registerExperimentsCommands,
  },
  { commands: ['runs'], load: async () => (await import('./runs.js')).registerRunsCommands },
  { commands: ['db'], load: async () => (await import('./db.js')).registerDbCommands },
  {
    commands: ['models'],
    load: async () => (await import('./models-predict.js')).registerModelsPredictCommand,
  },
  { commands: ['models'], load: async () => (await import('./models.js')).registerModelsRegistryCommands },
  { commands: ['models'], load: async () => (await import('./models-serve.js')).registerModelsServeCommands },
  { commands: ['init'], load: async () => (await import('./init.js')).registerInitCommand },
  { commands: ['project'], load: async () => (await import('./project.js')).registerProjectCommands },
  { commands: ['sweep'], load: async () => (await import('./sweep.js')).registerSweepCommand },
  { commands: ['workflow'], load: async () => (await import('./workflow.js')).registerWorkflowCommands },
  { commands: RECIPE_COMMANDS, load: async () => (await import('./recipe.js')).registerRecipeCommands },
  { commands: ['gate'], load: async () => (await import('./gate.js')).registerGateCommand },
  { commands: ['worker', 'queue'], load: async () => (await import('./queue.js')).registerQueueCommands },
  { commands: ['server', 'ui'], load: async () => (await import('./server.js')).registerServerCommands },
];
