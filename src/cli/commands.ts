import type { Command } from 'commander';
import { registerExperimentsCommands } from './experiments.js';
import { registerGateCommand } from './gate.js';
import { registerInitCommand } from './init.js';
import { registerModelsPredictCommand } from './models-predict.js';
import { registerModelsRegistryCommands } from './models.js';
import { registerModelsServeCommands } from './models-serve.js';
import { registerProjectCommands } from './project.js';
import { registerWorkflowCommands } from './workflow.js';
import { registerRecipeCommands } from './recipe.js';
import { registerRunsCommands } from './runs.js';

/**
 * Every command group of the `recipe` CLI. A group is a function that adds its commands to the
 * program; add a new group's import and entry here.
 */
export const commandGroups: Array<(program: Command) => void> = [
  registerExperimentsCommands,
  registerRunsCommands,
  registerModelsPredictCommand,
  registerModelsRegistryCommands,
  registerModelsServeCommands,
  registerInitCommand,
  registerProjectCommands,
  registerWorkflowCommands,
  registerRecipeCommands,
  registerGateCommand,
];
