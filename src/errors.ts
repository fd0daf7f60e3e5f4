/**
 * Errors are part of mlrecipe's interface. Every failure a user can cause or meet has its own
 * class with a stable `code`, a message that says what to do, and the CLI exit code it maps to
 * (DESIGN.md: 0 success, 1 a step or command failed, 2 bad usage or invalid config, 3 the
 * baseline gate rejected the candidate). The CLI prints `error: <message>` (plus `hint:` and the
 * source position when known); the servers turn `mlflowErrorCode` into MLflow's JSON error body.
 */

/** MLflow's `error_code` values (mlflow/protos/databricks.proto) that mlrecipe produces. */
export type MlflowErrorCode =
  | 'INTERNAL_ERROR'
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'ENDPOINT_NOT_FOUND'
  | 'MALFORMED_REQUEST'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'NOT_IMPLEMENTED'
  | 'TEMPORARILY_UNAVAILABLE';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_GATE_REJECTED = 3;

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class MlrecipeError extends Error {
  readonly code: string = 'MLRECIPE_ERROR';
  readonly exitCode: number = EXIT_FAILURE;
  /** What the user can do about it, printed as `hint: …`. */
  readonly hint?: string;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad command-line usage: unknown option values, missing arguments. Exit 2. */
export class UsageError extends MlrecipeError {
  override readonly code = 'USAGE';
  override readonly exitCode = EXIT_USAGE;
}

export interface SourcePosition {
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
}

export interface ConfigIssue extends SourcePosition {
  /** JSON-pointer-like field path, e.g. `steps.split.split_ratios`. */
  path: string;
  message: string;
  hint?: string;
}

/**
 * An invalid recipe.yaml, profile, MLproject or workflow file. Carries every issue found, so the
 * user fixes them all in one go. Exit 2.
 */
export class ConfigError extends MlrecipeError {
  override readonly code = 'INVALID_CONFIG';
  override readonly exitCode = EXIT_USAGE;
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options: ErrorOptions = {}) {
    super(issues.map(formatIssue).join('\n'), options);
    this.issues = issues;
  }

  get file(): string | undefined {
    return this.issues[0]?.file;
  }
  get line(): number | undefined {
    return this.issues[0]?.line;
  }
  get column(): number | undefined {
    return this.issues[0]?.column;
  }
  get path(): string | undefined {
    return this.issues[0]?.path;
  }
}

/**
 * `file:line:column: path: message`, then `hint: …` on its own line (indented under the issue), so
 * that every problem says where it is and what to do about it.
 */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const field = issue.path ? ` ${issue.path}:` : '';
  const hint = issue.hint ? `\n    hint: ${issue.hint}` : '';
  return `${where}:${field} ${issue.message}${hint}`;
}

/**
 * A config problem that a step finds only while it runs (a `positive_class` the data does not
 * have, parameter values an estimator refuses): the step knows the field, not where it is written.
 * The recipe engine fills in file, line and column from the recipe's source map
 * (`locateConfigError` in src/recipes/load.ts) before anyone sees it.
 */
export function configFieldError(path: string, message: string, hint: string): ConfigError {
  return new ConfigError([{ file: 'recipe.yaml', line: 0, column: 0, path, message, hint }]);
}

/**
 * A tracking-store, registry or REST failure. `mlflowErrorCode` is MLflow's `error_code`, used
 * verbatim in REST error bodies. INVALID_PARAMETER_VALUE maps to exit 2 (the user passed
 * something malformed, such as a bad search filter); the rest to exit 1.
 */
export class StoreError extends MlrecipeError {
  override readonly code: string;
  override readonly exitCode: number;
  readonly mlflowErrorCode: MlflowErrorCode;
  /** HTTP status MLflow's server would answer with. */
  readonly httpStatus: number;

  constructor(mlflowErrorCode: MlflowErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.mlflowErrorCode = mlflowErrorCode;
    this.code = mlflowErrorCode;
    this.exitCode = mlflowErrorCode === 'INVALID_PARAMETER_VALUE' ? EXIT_USAGE : EXIT_FAILURE;
    this.httpStatus = httpStatusFor(mlflowErrorCode);
  }
}

function httpStatusFor(code: MlflowErrorCode): number {
  switch (code) {
    case 'RESOURCE_DOES_NOT_EXIST':
    case 'ENDPOINT_NOT_FOUND':
      return 404;
    case 'PERMISSION_DENIED':
      return 403;
    case 'UNAUTHENTICATED':
      return 401;
    case 'NOT_IMPLEMENTED':
      return 501;
    case 'TEMPORARILY_UNAVAILABLE':
      return 503;
    // MLflow answers INVALID_STATE with 500 (mlflow/exceptions.py).
    case 'INTERNAL_ERROR':
    case 'INVALID_STATE':
      return 500;
    default:
      return 400;
  }
}

/** A recipe step or project command failed while running. Exit 1. */
export class StepError extends MlrecipeError {
  override readonly code = 'STEP_FAILED';
  readonly step: string;
  constructor(step: string, message: string, options: ErrorOptions = {}) {
    super(`step ${step} failed: ${message}`, options);
    this.step = step;
  }
}

/** A data file that cannot be read or does not match what is expected. Exit 1. */
export class DataError extends MlrecipeError {
  override readonly code = 'DATA_ERROR';
}

/**
 * The baseline gate rejected the candidate model. Exit 3. A rejection is a decision, not a
 * failure: the recipe run that made it ends FINISHED (MLflow: `model_validation_status`), with
 * `tags` (e.g. `validation_status=REJECTED`) set on it.
 */
export class GateRejectedError extends MlrecipeError {
  override readonly code = 'GATE_REJECTED';
  override readonly exitCode = EXIT_GATE_REJECTED;
  /** Tags for the tracking run that made the decision. */
  readonly tags: Readonly<Record<string, string>>;
  constructor(message: string, options: ErrorOptions & { tags?: Record<string, string> } = {}) {
    super(message, options);
    this.tags = options.tags ?? {};
  }
}

/**
 * The baseline model cannot score the data the candidate is gated on (a column was renamed or
 * dropped since it was trained), so no comparison is possible. Exit 2: the user decides how to go
 * on (the register step's `on_baseline_error`, `recipe gate --force`).
 */
export class BaselineScoringError extends MlrecipeError {
  override readonly code = 'BASELINE_CANNOT_SCORE';
  override readonly exitCode = EXIT_USAGE;
}

export function isMlrecipeError(error: unknown): error is MlrecipeError {
  return error instanceof MlrecipeError;
}
