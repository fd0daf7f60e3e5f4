/**
 * The Node side of the Python worker (docs/python-worker.md): spawns
 * `src/python/mlrecipe_worker.py` under the chosen interpreter, speaks newline-delimited JSON
 * over its stdin/stdout, and moves tables through exchange directories in a private temporary
 * folder (removed on close). Requests are answered in order; several may be in flight.
 *
 * While no request is pending the child and its pipes are unref'd, so a forgotten worker never
 * keeps Node alive; the worker exits on EOF when Node does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import type { Frame } from '../ml/types.js';
import { PythonError, type PythonFrame, PythonWorkerError } from './errors.js';
import {
  type ExchangeColumn,
  type ExchangeManifest,
  type ExchangeTable,
  frameToExchange,
  readExchangeTable,
  writeExchangeTable,
} from './exchange.js';
import { describeSource, type PythonInterpreter, resolvePythonInterpreter } from './interpreter.js';

export const WORKER_SCRIPT = 'mlrecipe_worker.py';

/** The worker script; `../../src/…` resolves from src/python under tsx, dist/python and dist/cli. */
export function workerScriptPath(): string {
  return fileURLToPath(new URL(`../../src/python/${WORKER_SCRIPT}`, import.meta.url));
}

/** Packages the worker needs for data (every call); sklearn and cloudpickle only for models. */
export const BASE_PACKAGES = ['numpy', 'pandas'] as const;

export interface EchoSeconds {
  nodeWrite: number;
  pythonRead: number;
  pythonWrite: number;
  nodeRead: number;
}

export interface WorkerInfo {
  /** `sys.executable`: the real interpreter path, shims resolved. */
  python: string;
  version: string;
  packages: Record<string, string>;
  missing: Record<string, string>;
  pid: number;
}

export interface StartPythonWorkerOptions {
  /** The interpreter; default resolvePythonInterpreter() (RECIPE_PYTHON, else python3). */
  interpreter?: PythonInterpreter;
  /** Lines the worker prints on stderr (user prints, warnings); default: process.stderr. */
  onStderr?: (line: string) => void;
  /** Packages that must import (default numpy and pandas). */
  require?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** A Python object kept in the worker (an estimator, a transformer), known by its handle. */
export interface PythonObject {
  handle: number;
  /** `module.QualifiedName` of its class. */
  type: string;
  repr: string;
}

/** An argument to a Python call. */
export type PythonArg =
  | { json: unknown }
  | { frame: Frame }
  | { table: ExchangeTable }
  | { series: ExchangeColumn }
  | { object: PythonObject }
  | { none: true };

/** What a Python call returned. */
export type PythonValue =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'table'; table: ExchangeTable; fromNdarray: boolean }
  | { kind: 'series'; column: ExchangeColumn }
  | { kind: 'object'; object: PythonObject };

interface WireError {
  type: string;
  message: string;
  frames: PythonFrame[];
  traceback?: string;
}

interface WireResponse {
  id: number | null;
  ok?: Record<string, unknown>;
  error?: WireError;
}

type WireResult =
  | { none: true }
  | { json: unknown; nan?: boolean }
  | { table: ExchangeManifest; dir: string; ndarray?: boolean }
  | { series: ExchangeManifest; dir: string }
  | { object: number; type: string; repr: string };

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
  what: string;
  userRoot?: string;
}

/** Where a call's exception is reported from (what raised, and the user's root directory). */
export interface CallContext {
  /** e.g. `steps/split.py: create_dataset_filter()`. */
  what: string;
  /** The recipe directory: the traceback frame shown is the last one under it. */
  userRoot?: string;
}

export class PythonWorker {
  readonly info: WorkerInfo;
  readonly interpreter: PythonInterpreter;
  /** Milliseconds from spawn to the answered `hello`. */
  readonly startMs: number;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly scratch: string;
  private nextId = 1;
  private nextDir = 1;
  private exited: Error | undefined;
  private readonly stderrTail: string[];

  private constructor(init: {
    child: ChildProcess;
    interpreter: PythonInterpreter;
    info: WorkerInfo;
    scratch: string;
    startMs: number;
    stderrTail: string[];
    pending: Map<number, Pending>;
    nextId: number;
  }) {
    this.child = init.child;
    this.interpreter = init.interpreter;
    this.info = init.info;
    this.scratch = init.scratch;
    this.startMs = init.startMs;
    this.stderrTail = init.stderrTail;
    this.pending = init.pending;
    this.nextId = init.nextId;
  }

  /** Spawns a worker and checks that the required packages import. */
  static async start(options: StartPythonWorkerOptions = {}): Promise<PythonWorker> {
    const interpreter = options.interpreter ?? resolvePythonInterpreter({ env: options.env });
    const started = performance.now();
    const scratch = mkdtempSync(join(tmpdir(), 'mlrecipe-py-'));
    const child = spawn(interpreter.command, ['-u', workerScriptPath()], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...(options.env ?? process.env), PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
    });
    const stderrTail: string[] = [];
    const onStderr = options.onStderr ?? ((line: string) => process.stderr.write(`${line}\n`));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      onStderr(line);
    });
    const pending = new Map<number, Pending>();
    const worker = new Promise<PythonWorker>((resolvePromise, rejectPromise) => {
      let instance: PythonWorker | undefined;
      const fail = (error: Error): void => {
        for (const p of pending.values()) p.reject(error);
        pending.clear();
        if (instance) instance.exited = error;
        else rejectPromise(error);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        rmSync(scratch, { recursive: true, force: true });
        fail(
          new PythonWorkerError(
            `cannot start the Python interpreter "${interpreter.command}" (from ${describeSource(interpreter.source)}): ${error.code === 'ENOENT' ? 'not found' : error.message}`,
            {
              hint:
                'install Python 3 (Debian: apt-get install python3 python3-pandas python3-sklearn), or name an interpreter ' +
                'with `python: /path/to/python` in the profile or the RECIPE_PYTHON environment variable',
            },
          ),
        );
      });
      child.on('exit', (code, signal) => {
        rmSync(scratch, { recursive: true, force: true });
        const tail = stderrTail.slice(-5).join('\n');
        fail(
          new PythonWorkerError(
            `the Python worker (${interpreter.command}) exited (${signal ? `signal ${signal}` : `code ${code}`})${tail ? `:\n${tail}` : ''}`,
            { hint: 'the lines above are the last it printed on stderr' },
          ),
        );
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        let response: WireResponse;
        try {
          response = JSON.parse(line) as WireResponse;
        } catch {
          fail(
            new PythonWorkerError(
              `the Python worker wrote a line that is not protocol JSON: ${line.slice(0, 200)}`,
            ),
          );
          return;
        }
        const p = response.id === null ? undefined : pending.get(response.id);
        if (!p) return;
        pending.delete(response.id as number);
        if (instance && pending.size === 0) instance.setRef(false);
        if (response.error) {
          p.reject(
            new PythonError({
              what: p.what,
              type: response.error.type,
              message: response.error.message,
              frames: response.error.frames,
              traceback: response.error.traceback,
              userRoot: p.userRoot,
              hint:
                response.error.type === 'ModuleNotFoundError' ? missingModuleHint(interpreter) : undefined,
            }),
          );
        } else p.resolve(response.ok ?? {});
      });
      // hello is sent before the instance exists: it answers with what the constructor needs.
      pending.set(0, {
        what: 'the Python worker',
        resolve: (ok) => {
          instance = new PythonWorker({
            child,
            interpreter,
            info: ok as unknown as WorkerInfo,
            scratch,
            startMs: performance.now() - started,
            stderrTail,
            pending,
            nextId: 1,
          });
          resolvePromise(instance);
        },
        reject: rejectPromise,
      });
      child.stdin?.write(`${JSON.stringify({ id: 0, op: 'hello' })}\n`);
    });
    const instance = await worker;
    instance.setRef(false);
    instance.requirePackages(options.require ?? BASE_PACKAGES, 'to exchange data with Python code');
    return instance;
  }

  /** Throws a PythonWorkerError naming the interpreter, the missing module and the fix. */
  requirePackages(packages: readonly string[], why: string): void {
    const missing = packages.filter((p) => this.info.packages[p] === undefined);
    if (missing.length === 0) return;
    const detail = missing.map((p) => `${p} (${this.info.missing[p] ?? 'not importable'})`).join(', ');
    throw new PythonWorkerError(
      `the Python interpreter ${this.info.python} (Python ${this.info.version}, from ${describeSource(this.interpreter.source)}) cannot import ${detail}, needed ${why}`,
      { hint: missingModuleHint(this.interpreter, missing) },
    );
  }

  /** A fresh directory for one table (inside the worker's scratch folder). */
  exchangeDir(): string {
    return join(this.scratch, `t${this.nextDir++}`);
  }

  /** Sends one request; resolves with its `ok` body. */
  request(message: Record<string, unknown>, context: CallContext): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      this.pending.set(id, {
        resolve: resolvePromise,
        reject,
        what: context.what,
        userRoot: context.userRoot,
      });
      this.setRef(true);
      this.child.stdin?.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  }

  /**
   * Calls `function` of the Python file `module` with positional `args`. A missing function is a
   * ConfigError naming the file and the functions it defines.
   */
  async callFunction(options: {
    module: string;
    function: string;
    args?: readonly PythonArg[];
    /** Pass only as many positional args as the function declares (MLflow's loaders). */
    fitArity?: boolean;
    recipeDir?: string;
    /** The file as the user knows it, e.g. `steps/split.py`. */
    shownFile: string;
  }): Promise<PythonValue> {
    const ok = await this.request(
      {
        op: 'call',
        module: options.module,
        function: options.function,
        recipe_dir: options.recipeDir,
        args: (options.args ?? []).map((a) => this.encodeArg(a)),
        fit_arity: options.fitArity === true,
        out: this.exchangeDir(),
      },
      { what: `${options.shownFile}: ${options.function}()`, userRoot: options.recipeDir },
    );
    if (typeof ok.missing_function === 'string') {
      const functions = (ok.functions as string[] | undefined) ?? [];
      throw new ConfigError([
        {
          file: options.shownFile,
          line: 0,
          column: 0,
          path: '',
          message: `does not define a function "${options.function}"`,
          hint:
            functions.length > 0
              ? `it defines: ${functions.join(', ')}`
              : `add \`def ${options.function}(...):\``,
        },
      ]);
    }
    return this.decodeResult(ok.result as WireResult);
  }

  /** Calls `object.method(*args)`. */
  async callMethod(
    object: PythonObject,
    method: string,
    args: readonly PythonArg[],
    context: CallContext,
  ): Promise<PythonValue> {
    const ok = await this.request(
      {
        op: 'method',
        object: object.handle,
        method,
        args: args.map((a) => this.encodeArg(a)),
        out: this.exchangeDir(),
      },
      context,
    );
    return this.decodeResult(ok.result as WireResult);
  }

  /** `getattr(object, name)`, or undefined when it has no such attribute. */
  async getAttribute(
    object: PythonObject,
    name: string,
    context: CallContext,
  ): Promise<PythonValue | undefined> {
    const ok = await this.request(
      { op: 'attribute', object: object.handle, name, out: this.exchangeDir() },
      context,
    );
    return ok.absent ? undefined : this.decodeResult(ok.result as WireResult);
  }

  /** Pickles an object into `path` (written to a temporary name, then renamed). */
  async savePickle(object: PythonObject, path: string, format: 'cloudpickle' | 'pickle'): Promise<void> {
    await this.request(
      { op: 'save_pickle', object: object.handle, path, format },
      { what: `pickling ${object.type}` },
    );
  }

  /** Unpickles `path` into an object in the worker. */
  async loadPickle(path: string, format: 'cloudpickle' | 'pickle'): Promise<PythonObject> {
    const ok = await this.request({ op: 'load_pickle', path, format }, { what: `unpickling ${path}` });
    const value = this.decodeResult(ok.result as WireResult);
    if (value.kind !== 'object') throw new PythonWorkerError(`${path} does not hold a model object`);
    return value.object;
  }

  /** Reads a table into pandas and writes it back (the exchange's round-trip check). */
  async echoTable(table: ExchangeTable): Promise<ExchangeTable> {
    return (await this.echoTableTimed(table)).table;
  }

  /** echoTable with the seconds each side spent writing and reading (bench/python-exchange). */
  async echoTableTimed(
    table: ExchangeTable,
    options: {
      /** Python reads column by column (np.load each, then pandas consolidates): the old path, as a baseline. */
      perColumn?: boolean;
      /** Called with the result directory before Node reads it (the bench times other readers on it). */
      beforeRead?: (dir: string) => void;
    } = {},
  ): Promise<{ table: ExchangeTable; seconds: EchoSeconds }> {
    const dir = this.exchangeDir();
    let started = performance.now();
    writeExchangeTable(dir, table);
    const nodeWrite = (performance.now() - started) / 1000;
    const ok = await this.request(
      {
        op: 'echo_table',
        table: dir,
        out: this.exchangeDir(),
        ...(options.perColumn ? { per_column: true } : {}),
      },
      { what: 'echo_table' },
    );
    const wire = ok.result as WireResult;
    if (options.beforeRead && 'dir' in wire && typeof wire.dir === 'string') options.beforeRead(wire.dir);
    started = performance.now();
    const value = this.decodeResult(wire);
    const nodeRead = (performance.now() - started) / 1000;
    rmSync(dir, { recursive: true, force: true });
    if (value.kind !== 'table') throw new PythonWorkerError('echo_table returned no table');
    return {
      table: value.table,
      seconds: { nodeWrite, pythonRead: Number(ok.read_s), pythonWrite: Number(ok.write_s), nodeRead },
    };
  }

  /** Renders a Jinja2 template with jinja2 itself (StrictUndefined). */
  async renderJinja(template: string, values: Record<string, unknown>): Promise<string> {
    const ok = await this.request({ op: 'render_jinja', template, values }, { what: 'Jinja2' });
    return String(ok.text);
  }

  /** Forgets objects the worker holds. */
  async release(objects: readonly PythonObject[]): Promise<void> {
    if (objects.length > 0)
      await this.request({ op: 'release', objects: objects.map((o) => o.handle) }, { what: 'release' });
  }

  /** Ends the worker (EOF on stdin) and removes its scratch folder. */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolvePromise) => this.child.once('exit', () => resolvePromise()));
    this.setRef(true);
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private encodeArg(arg: PythonArg): Record<string, unknown> {
    if ('json' in arg) return { json: arg.json };
    if ('none' in arg) return { none: true };
    if ('object' in arg) return { object: arg.object.handle };
    if ('frame' in arg || 'table' in arg) {
      const dir = this.exchangeDir();
      writeExchangeTable(dir, 'frame' in arg ? frameToExchange(arg.frame) : arg.table);
      return { table: dir };
    }
    const dir = this.exchangeDir();
    writeExchangeTable(dir, { nRows: seriesLength(arg.series), columns: [arg.series] });
    return { series: dir };
  }

  private decodeResult(result: WireResult): PythonValue {
    if ('none' in result) return { kind: 'none' };
    if ('json' in result) return { kind: 'json', value: result.nan ? Number.NaN : result.json };
    if ('object' in result) {
      return { kind: 'object', object: { handle: result.object, type: result.type, repr: result.repr } };
    }
    const table = readExchangeTable(result.dir);
    // Unlinking a large table's files costs as much as reading them (ext4): done on libuv's thread
    // pool, off the caller's path. What is left when the worker closes goes with its scratch dir.
    void rm(result.dir, { recursive: true, force: true }).catch(() => undefined);
    if ('series' in result) return { kind: 'series', column: table.columns[0] as ExchangeColumn };
    return { kind: 'table', table, fromNdarray: result.ndarray === true };
  }

  private setRef(on: boolean): void {
    const handles = [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as unknown as (
      { ref?: () => void; unref?: () => void } | null | undefined
    )[];
    for (const h of handles) {
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }
}

function seriesLength(col: ExchangeColumn): number {
  return col.kind === 'category' ? col.codes.length : col.values.length;
}

/** How to give an interpreter the packages it lacks. */
export function missingModuleHint(interpreter: PythonInterpreter, missing: readonly string[] = []): string {
  const debian: Record<string, string> = {
    numpy: 'python3-numpy',
    pandas: 'python3-pandas',
    sklearn: 'python3-sklearn',
    cloudpickle: 'python3-cloudpickle',
    jinja2: 'python3-jinja2',
  };
  const pip: Record<string, string> = { sklearn: 'scikit-learn' };
  const names = missing.length > 0 ? missing : ['pandas', 'sklearn'];
  return (
    `on Debian/Ubuntu: apt-get install ${names.map((m) => debian[m] ?? `python3-${m}`).join(' ')} (for /usr/bin/python3); ` +
    `or a virtualenv: python3 -m venv .venv && .venv/bin/pip install ${names.map((m) => pip[m] ?? m).join(' ')}, ` +
    `then set \`python: .venv/bin/python\` in the profile or RECIPE_PYTHON (now: ${interpreter.command} from ${describeSource(interpreter.source)})`
  );
}
