/**
 * A long-running `recipe` command as a real child process (the compiled CLI): a server, a worker,
 * a sweep. Tests wait on the lines it prints, never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cli } from './cli.js';

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stdout+stderr. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const check = () => {
    for (const w of [...watchers]) {
      const m = w.pattern.exec(out + err);
      if (m) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    check();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve });
        check();
        void exited.then((code) =>
          reject(new Error(`recipe ${args.join(' ')} exited ${code} before ${pattern}: ${err}`)),
        );
      }),
  };
}
