import { StepError } from '../errors.js';
import type { TrackingStore } from '../tracking/index.js';
import { planProjectRun, runProject } from './run-project.js';
import { findReusableRun, outputsOfRun } from './workflow.js';

export interface RunProjectEntryPointOptions {
  /** Project directory (relative to `cwd`), `dir#subdir`, or git URI. */
  uri: string;
  entryPoint?: string;
  /** Parameter values; numbers and booleans are stringified as MLflow does. */
  parameters?: Record<string, string | number | boolean>;
  experimentId?: string;
  trackingUri?: string;
  /** The recipe run this entry point's run nests under (tag mlflow.parentRunId). */
  parentRunId?: string;
  /** Git branch, tag or commit. */
  version?: string;
  /** Base directory for a relative `uri` and relative `path` parameters (the recipe's root). */
  cwd?: string;
  /** An open store to record into (the caller closes it). */
  store?: TrackingStore;
  /** Reuse an earlier FINISHED run with the same entry point, params and code (default false). */
  reuse?: boolean;
  stdout?: NodeJS.WritableStream | null;
  stderr?: NodeJS.WritableStream | null;
  log?: (message: string) => void;
  signal?: AbortSignal;
}

export interface EntryPointRunResult {
  runId: string;
  artifactUri: string;
  /** Named outputs (tags `mlrecipe.output.*`) plus run_id and artifact_uri. */
  outputs: Record<string, string>;
  reused: boolean;
}

/**
 * Runs one MLproject entry point as a nested run, for a recipe step declared `using: project`.
 * Resolves when the run FINISHED; a FAILED or KILLED run is a StepError naming the entry point
 * and the run. Signal handling stays with the caller (pass `signal` to stop the command).
 */
export async function runProjectEntryPoint(
  options: RunProjectEntryPointOptions,
): Promise<EntryPointRunResult> {
  const entryPoint = options.entryPoint ?? 'main';
  const parameters = Object.fromEntries(
    Object.entries(options.parameters ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const common = {
    uri: options.uri,
    entryPoint,
    parameters,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  if (options.reuse && options.store && options.experimentId !== undefined) {
    const plan = await planProjectRun(common);
    const previous = await findReusableRun(options.store, { experimentId: options.experimentId, plan });
    if (previous) {
      return {
        runId: previous.info.run_id,
        artifactUri: previous.info.artifact_uri,
        outputs: outputsOfRun(previous),
        reused: true,
      };
    }
  }
  const result = await runProject({
    ...common,
    ...(options.experimentId !== undefined ? { experimentId: options.experimentId } : {}),
    ...(options.trackingUri !== undefined ? { trackingUri: options.trackingUri } : {}),
    ...(options.parentRunId !== undefined ? { parentRunId: options.parentRunId } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
    ...(options.stderr !== undefined ? { stderr: options.stderr } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    handleSignals: false,
  });
  if (result.status !== 'FINISHED') {
    throw new StepError(
      `project ${entryPoint}`,
      `run ${result.runId} ended ${result.status}${result.exitCode !== undefined ? ` (exit code ${result.exitCode})` : ''}`,
      { hint: "see the run's stderr.txt artifact" },
    );
  }
  return {
    runId: result.runId,
    artifactUri: result.artifactUri,
    outputs: { ...result.outputs, run_id: result.runId, artifact_uri: result.artifactUri },
    reused: false,
  };
}
