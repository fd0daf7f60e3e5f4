import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/errors.ts
var EXIT_OK = 0;
var EXIT_FAILURE = 1;
var EXIT_USAGE = 2;
var EXIT_GATE_REJECTED = 3;
var MlrecipeError = class extends Error {
  code = "MLRECIPE_ERROR";
  exitCode = EXIT_FAILURE;
  /** What the user can do about it, printed as `hint: …`. */
  hint;
  constructor(message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
};
var UsageError = class extends MlrecipeError {
  code = "USAGE";
  exitCode = EXIT_USAGE;
};
var ConfigError = class extends MlrecipeError {
  code = "INVALID_CONFIG";
  exitCode = EXIT_USAGE;
  issues;
  constructor(issues, options = {}) {
    super(issues.map(formatIssue).join("\n"), options);
    this.issues = issues;
  }
  get file() {
    return this.issues[0]?.file;
  }
  get line() {
    return this.issues[0]?.line;
  }
  get column() {
    return this.issues[0]?.column;
  }
  get path() {
    return this.issues[0]?.path;
  }
};
function formatIssue(issue) {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const field = issue.path ? ` ${issue.path}:` : "";
  const hint = issue.hint ? `
    hint: ${issue.hint}` : "";
  return `${where}:${field} ${issue.message}${hint}`;
}
function configFieldError(path, message, hint) {
  return new ConfigError([{ file: "recipe.yaml", line: 0, column: 0, path, message, hint }]);
}
var StoreError = class extends MlrecipeError {
  code;
  exitCode;
  mlflowErrorCode;
  /** HTTP status MLflow's server would answer with. */
  httpStatus;
  constructor(mlflowErrorCode, message, options = {}) {
    super(message, options);
    this.mlflowErrorCode = mlflowErrorCode;
    this.code = mlflowErrorCode;
    this.exitCode = mlflowErrorCode === "INVALID_PARAMETER_VALUE" ? EXIT_USAGE : EXIT_FAILURE;
    this.httpStatus = httpStatusFor(mlflowErrorCode);
  }
};
function httpStatusFor(code) {
  switch (code) {
    case "RESOURCE_DOES_NOT_EXIST":
    case "ENDPOINT_NOT_FOUND":
      return 404;
    case "PERMISSION_DENIED":
      return 403;
    case "UNAUTHENTICATED":
      return 401;
    case "NOT_IMPLEMENTED":
      return 501;
    case "TEMPORARILY_UNAVAILABLE":
      return 503;
    // MLflow answers INVALID_STATE with 500 (mlflow/exceptions.py).
    case "INTERNAL_ERROR":
    case "INVALID_STATE":
      return 500;
    default:
      return 400;
  }
}
var StepError = class extends MlrecipeError {
  code = "STEP_FAILED";
  step;
  constructor(step, message, options = {}) {
    super(`step ${step} failed: ${message}`, options);
    this.step = step;
  }
};
var DataError = class extends MlrecipeError {
  code = "DATA_ERROR";
};
var GateRejectedError = class extends MlrecipeError {
  code = "GATE_REJECTED";
  exitCode = EXIT_GATE_REJECTED;
  /** Tags for the tracking run that made the decision. */
  tags;
  constructor(message, options = {}) {
    super(message, options);
    this.tags = options.tags ?? {};
  }
};
var BaselineScoringError = class extends MlrecipeError {
  code = "BASELINE_CANNOT_SCORE";
  exitCode = EXIT_USAGE;
};
function isMlrecipeError(error) {
  return error instanceof MlrecipeError;
}

export {
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_USAGE,
  MlrecipeError,
  UsageError,
  ConfigError,
  formatIssue,
  configFieldError,
  StoreError,
  StepError,
  DataError,
  GateRejectedError,
  BaselineScoringError,
  isMlrecipeError
};
