import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  modelsCommand
} from "./chunk-chunk-WFIPGIBO.js";
import {
  refuseProtectedOutput
} from "./chunk-chunk-6Y2UQZLY.js";
import {
  InvalidArgumentError
} from "./chunk-chunk-UTGYEUUB.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/models-serve.ts
import { resolve } from "node:path";
function parsePort(value) {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`expected a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
}
function parseWorkers(value) {
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 256) {
    throw new InvalidArgumentError(`expected a whole number from 1 to 256, not "${value}"`);
  }
  return workers;
}
function parseTimeout(value) {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 3600) {
    throw new InvalidArgumentError(`expected a number of seconds above 0 and at most 3600, not "${value}"`);
  }
  return seconds;
}
function registerModelsServeCommands(program) {
  const models = modelsCommand(program);
  models.command("serve").description(
    "serve a model over HTTP with MLflow's scoring protocol: POST /invocations (JSON dataframe_split, dataframe_records, instances, inputs, or CSV), GET /ping, /health, /version"
  ).requiredOption("-m, --model-uri <uri>", "model directory or URI (runs:/, models:/)").option("--host <host>", "address to listen on (0.0.0.0 for every interface)", "127.0.0.1").option("-p, --port <port>", "port to listen on (0: any free port)", parsePort, 5001).option("-w, --workers <n>", "worker processes sharing the port", parseWorkers, 1).option(
    "--request-timeout <seconds>",
    "seconds a client has to send a whole request; slower ones get 408 and are dropped",
    parseTimeout,
    30
  ).action(async (opts, command) => {
    const { trackingUri } = command.optsWithGlobals();
    const { serveModel } = await import("./chunk-serve-WIX5DNQ7.js");
    const handle = await serveModel({
      modelUri: opts.modelUri,
      host: opts.host,
      port: opts.port,
      workers: opts.workers,
      requestTimeoutMs: Math.round(opts.requestTimeout * 1e3),
      handleSignals: true,
      ...trackingUri ? { trackingUri } : {}
    });
    cliStdout().write(
      `serving ${handle.modelDir} at ${handle.url} (${handle.workers} worker${handle.workers === 1 ? "" : "s"})
`
    );
    await handle.closed;
    cliStderr().write("scoring server stopped\n");
  });
  models.command("build-docker").description(
    "write a Docker build context (model, mlrecipe, Dockerfile) that serves the model on port 8080, and build it"
  ).requiredOption("-m, --model-uri <uri>", "model directory or URI (runs:/, models:/)").requiredOption("-n, --name <image>", "image name, e.g. cars-model:1").option("--dockerfile-only <dir>", "only write the build context to this new or empty directory").action(async (opts, command) => {
    const { trackingUri } = command.optsWithGlobals();
    if (opts.dockerfileOnly !== void 0)
      await refuseProtectedOutput("--dockerfile-only", opts.dockerfileOnly);
    const { buildDocker } = await import("./chunk-docker-IDPEHIRT.js");
    const result = await buildDocker({
      modelUri: opts.modelUri,
      image: opts.name,
      ...opts.dockerfileOnly !== void 0 ? { dockerfileOnly: resolve(opts.dockerfileOnly) } : {},
      ...trackingUri ? { trackingUri } : {}
    });
    cliStdout().write(
      result.built ? `built image ${opts.name}
` : `wrote the build context to ${result.contextDir}; build it with: docker build -t ${opts.name} ${result.contextDir}
`
    );
  });
}
export {
  registerModelsServeCommands
};
