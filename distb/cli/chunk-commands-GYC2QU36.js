import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/commands.ts
var commandGroups = [
  {
    commands: ["experiments"],
    load: async () => (await import("./chunk-experiments-X4LAM7HN.js")).registerExperimentsCommands
  },
  { commands: ["runs"], load: async () => (await import("./chunk-runs-YDGVVVA7.js")).registerRunsCommands },
  {
    commands: ["models"],
    load: async () => (await import("./chunk-models-predict-SCSPAQO4.js")).registerModelsPredictCommand
  },
  { commands: ["models"], load: async () => (await import("./chunk-models-Q6DWDHO4.js")).registerModelsRegistryCommands },
  { commands: ["models"], load: async () => (await import("./chunk-models-serve-74Q2NRA4.js")).registerModelsServeCommands },
  { commands: ["init"], load: async () => (await import("./chunk-init-ZNYRDAJ2.js")).registerInitCommand },
  { commands: ["project"], load: async () => (await import("./chunk-project-5WRUHB2U.js")).registerProjectCommands },
  { commands: ["workflow"], load: async () => (await import("./chunk-workflow-SKBTTH3J.js")).registerWorkflowCommands },
  {
    commands: ["run", "status", "inspect", "clean", "gc", "get-artifact"],
    load: async () => (await import("./chunk-recipe-XV4DT4TQ.js")).registerRecipeCommands
  },
  { commands: ["gate"], load: async () => (await import("./chunk-gate-GSI3JQ6V.js")).registerGateCommand },
  { commands: ["server", "ui"], load: async () => (await import("./chunk-server-C5YOXES5.js")).registerServerCommands }
];
export {
  commandGroups
};
