import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { modelsCommand } from './models-predict.js';
import { refuseProtectedOutput } from './output.js';
import { cliStderr, cliStdout } from './io.js';
import { parsePort, wholeNumberFrom } from './option-values.js';

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 3600) {
    throw new InvalidArgumentError(`expected a number of seconds above 0 and at most 3600, not "${value}"`);
  }
  return seconds;
}

interface ServeOptions {
  modelUri: string;
  host: string;
  port: number;
  workers: number;
  requestTimeout: number;
}

interface BuildDockerCliOptions {
  modelUri: string;
  name: string;
  dockerfileOnly?: string;
}

/**
 * `recipe models serve` (MLflow's scoring protocol on a port) and `recipe models build-docker`
 * (an image that runs the same server), like `mlflow models serve|build-docker`.
 */
export function registerModelsServeCommands(program: Command): void {
  const models = modelsCommand(program);
  models
    .command('serve')
    .description(
      "serve a model over HTTP with MLflow's scoring protocol: POST /invocations (JSON dataframe_split, " +
        'dataframe_records, instances, inputs, or CSV), GET /ping, /health, /version',
    )
    .requiredOption('-m, --model-uri <uri>', 'model directory or URI (runs:/, models:/)')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', parsePort, 5001)
    .option('-w, --workers <n>', 'worker processes sharing the port', wholeNumberFrom(1, 256), 1)
    .option(
      '--request-timeout <seconds>',
      'seconds a client has to send a whole request; slower ones get 408 and are dropped',
      parseTimeout,
      30,
    )
    .action(async (opts: ServeOptions, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      // Imported here: fastify and the model stack are slow to load, and `recipe models list`
      // and the other `models` commands register these commands too.
      const { serveModel } = await import('../server/serve.js');
      const handle = await serveModel({
        modelUri: opts.modelUri,
        host: opts.host,
        port: opts.port,
        workers: opts.workers,
        requestTimeoutMs: Math.round(opts.requestTimeout * 1000),
        handleSignals: true,
        // A server process of its own: keep the heap small (bench/serve-fuzz, BENCHMARKS.md).
        optimizeForSize: true,
        ...(trackingUri ? { trackingUri } : {}),
      });
      // One line on stdout, so that a caller that asked for port 0 can read the port.
      cliStdout().write(
        `serving ${handle.modelDir} at ${handle.url} (${handle.workers} worker${handle.workers === 1 ? '' : 's'})\n`,
      );
      await handle.closed;
      cliStderr().write('scoring server stopped\n');
    });

  models
    .command('build-docker')
    .description(
      'write a Docker build context (model, mlrecipe, Dockerfile) that serves the model on port 8080, and build it',
    )
    .requiredOption('-m, --model-uri <uri>', 'model directory or URI (runs:/, models:/)')
    .requiredOption('-n, --name <image>', 'image name, e.g. cars-model:1')
    .option('--dockerfile-only <dir>', 'only write the build context to this new or empty directory')
    .action(async (opts: BuildDockerCliOptions, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      if (opts.dockerfileOnly !== undefined)
        await refuseProtectedOutput('--dockerfile-only', opts.dockerfileOnly);
      const { buildDocker } = await import('../server/docker.js');
      const result = await buildDocker({
        modelUri: opts.modelUri,
        image: opts.name,
        ...(opts.dockerfileOnly !== undefined ? { dockerfileOnly: resolve(opts.dockerfileOnly) } : {}),
        ...(trackingUri ? { trackingUri } : {}),
      });
      cliStdout().write(
        result.built
          ? `built image ${opts.name}\n`
          : `wrote the build context to ${result.contextDir}; build it with: docker build -t ${opts.name} ${result.contextDir}\n`,
      );
    });
}
