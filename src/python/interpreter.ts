/**
 * Which Python runs a recipe's Python code: the profile's `python:` (relative paths from the
 * recipe directory), else the RECIPE_PYTHON environment variable, else `python3` on PATH — the
 * order docs/python-worker.md documents, so a team pins its interpreter in the profile and a
 * developer overrides it for one shell.
 */
import { isAbsolute, resolve } from 'node:path';

export type InterpreterSource = 'profile' | 'RECIPE_PYTHON' | 'PATH';

export interface PythonInterpreter {
  /** What is spawned: an absolute path, or a command name looked up on PATH. */
  command: string;
  source: InterpreterSource;
}

export function resolvePythonInterpreter(
  options: {
    /** The profile's (merged recipe's) `python:` value. */
    configured?: unknown;
    recipeDir?: string;
    env?: NodeJS.ProcessEnv;
  } = {},
): PythonInterpreter {
  const env = options.env ?? process.env;
  if (typeof options.configured === 'string' && options.configured.trim() !== '') {
    return { command: pathOrCommand(options.configured.trim(), options.recipeDir), source: 'profile' };
  }
  const fromEnv = env.RECIPE_PYTHON?.trim();
  if (fromEnv) return { command: pathOrCommand(fromEnv, process.cwd()), source: 'RECIPE_PYTHON' };
  return { command: 'python3', source: 'PATH' };
}

/** A value with a slash is a path (relative to `base`); a bare name is looked up on PATH. */
function pathOrCommand(value: string, base: string | undefined): string {
  if (!value.includes('/')) return value;
  return isAbsolute(value) ? value : resolve(base ?? process.cwd(), value);
}

/** How the interpreter was chosen, for error messages. */
export function describeSource(source: InterpreterSource): string {
  switch (source) {
    case 'profile':
      return "the profile's python:";
    case 'RECIPE_PYTHON':
      return 'RECIPE_PYTHON';
    case 'PATH':
      return 'python3 on PATH';
  }
}
