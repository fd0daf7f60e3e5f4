/**
 * Starts `recipe server --port 0` from the compiled CLI as a real child process and reads the
 * URL it prints; `stop()` sends SIGTERM and waits for the process to end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cli } from '../helpers/cli.js';

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startServerProcess(options: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  args: string[];
}): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [cli, 'server', '--port', '0', ...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) resolve(match[0]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`recipe server exited with ${code} before listening:\n${output}`)),
    );
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
