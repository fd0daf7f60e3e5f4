/**
 * MLflow Projects for mlrecipe: load and validate MLproject files, type-check parameters, render
 * commands with shell quoting, provide environments, fetch git sources, run entry points as
 * tracked runs, and run workflows that chain entry points and reuse matching runs.
 */
export { isCodePath } from './code-paths.js';
export { type RenderCommandOptions, renderCommand, shellQuote } from './command.js';
export {
  type EntryPointRunResult,
  type RunProjectEntryPointOptions,
  runProjectEntryPoint,
} from './entry-point-step.js';
export {
  ENV_MANAGERS,
  EnvironmentUnavailableError,
  type EnvManager,
  npmCiOnce,
  type PreparedEnvironment,
  prepareEnvironment,
  satisfiesNodeRange,
} from './environments.js';
export {
  type FetchedGitProject,
  fetchGitProject,
  type ProjectSource,
  parseProjectUri,
  projectCacheDir,
} from './git-source.js';
export {
  type EntryPoint,
  getEntryPoint,
  loadProject,
  type Project,
  type ProjectEnvironment,
  SCRIPT_RUNNERS,
} from './mlproject.js';
export {
  checkParameterValue,
  PARAM_TYPES,
  type ParameterSpec,
  type ParamType,
  parseParameterAssignments,
  type ResolvedParameters,
  resolveParameters,
} from './params.js';
export {
  computeReuseKey,
  recordedParams,
  createProjectRun,
  type ExecuteProjectRunOptions,
  executeProjectRun,
  type OpenProjectRunSessionOptions,
  type ProjectRunExecutor,
  type ProjectRunSession,
  type PlanProjectRunOptions,
  planProjectParameters,
  type PreparedProject,
  prepareProject,
  PROJECT_TAGS,
  type ProjectRunPlan,
  type ProjectRunResult,
  planProjectRun,
  type RunProjectOptions,
  resolveExperimentId,
  runProject,
} from './run-project.js';
export { type PositionedYaml, readPositionedYaml } from './yaml-document.js';
export {
  BUILTIN_OUTPUTS,
  findReusableRun,
  loadWorkflow,
  outputsOfRun,
  type RunWorkflowOptions,
  runWorkflow,
  type StepOutcome,
  type Workflow,
  type WorkflowResult,
  type WorkflowStep,
} from './workflow.js';
