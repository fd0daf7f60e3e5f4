/**
 * Errors of the Python worker. A Python exception becomes a PythonError that names the user's
 * file, line and function (the last traceback frame inside the recipe, where the user can act),
 * not the worker's own frames.
 */
import { relative, sep } from 'node:path';
import { MlrecipeError } from '../errors.js';

export interface PythonFrame {
  file: string;
  line: number;
  function: string;
  text: string;
}

/** The worker could not start, lacks a package, or died. Exit 1. */
export class PythonWorkerError extends MlrecipeError {
  override readonly code = 'PYTHON_WORKER';
}

/** An exception raised by Python code (user code or a library it called). Exit 1. */
export class PythonError extends MlrecipeError {
  override readonly code = 'PYTHON_EXCEPTION';
  readonly pythonType: string;
  readonly pythonMessage: string;
  readonly frames: readonly PythonFrame[];
  /** The frame shown to the user: the last one in the user's files, else the last one. */
  readonly userFrame?: PythonFrame;
  readonly traceback?: string;

  constructor(options: {
    what: string;
    type: string;
    message: string;
    frames: readonly PythonFrame[];
    traceback?: string;
    userRoot?: string;
    hint?: string;
  }) {
    const userFrame = pickUserFrame(options.frames, options.userRoot);
    const where = userFrame
      ? ` at ${shownFile(userFrame.file, options.userRoot)}:${userFrame.line} in ${userFrame.function}()` +
        (userFrame.text ? ` (\`${userFrame.text.trim()}\`)` : '')
      : '';
    super(`${options.what} raised ${options.type}: ${options.message}${where}`, {
      hint:
        options.hint ??
        (userFrame
          ? `fix ${shownFile(userFrame.file, options.userRoot)} line ${userFrame.line}; run with --verbose for the Python traceback`
          : 'run with --verbose for the Python traceback'),
    });
    this.pythonType = options.type;
    this.pythonMessage = options.message;
    this.frames = options.frames;
    this.userFrame = userFrame;
    this.traceback = options.traceback;
    // --verbose prints `stack`: let it show Python's traceback rather than Node's frames.
    if (options.traceback) this.stack = `${this.name}: ${this.message}\n${options.traceback}`;
  }

  /** `steps/split.py` etc., relative to the recipe when the file is inside it. */
  get file(): string | undefined {
    return this.userFrame?.file;
  }
  get line(): number | undefined {
    return this.userFrame?.line;
  }
}

const WORKER_FILE = 'mlrecipe_worker.py';

function pickUserFrame(
  frames: readonly PythonFrame[],
  userRoot: string | undefined,
): PythonFrame | undefined {
  const own = frames.filter((f) => !f.file.endsWith(`${sep}${WORKER_FILE}`));
  if (userRoot) {
    const root = userRoot.endsWith(sep) ? userRoot : `${userRoot}${sep}`;
    const inside = own.filter((f) => f.file.startsWith(root));
    if (inside.length > 0) return inside[inside.length - 1];
  }
  return own[own.length - 1];
}

function shownFile(file: string, userRoot: string | undefined): string {
  if (userRoot && file.startsWith(userRoot)) return relative(userRoot, file);
  return file;
}
