import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  InvalidArgumentError,
  Option
} from "./chunk-chunk-UTGYEUUB.js";
import {
  cliStderr,
  cliStdout
} from "./chunk-chunk-NLRYTIKR.js";
import {
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/cli/server.ts
function parsePort(value) {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`expected a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
}
function parseWorkers(value) {
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 64) {
    throw new InvalidArgumentError(`expected a whole number from 1 to 64, not "${value}"`);
  }
  return workers;
}
function parseList(value, previous) {
  return [
    ...previous ?? [],
    ...value.split(",").map((each) => each.trim()).filter((each) => each !== "")
  ];
}
function addListenOptions(command, defaultPort) {
  return command.addOption(
    new Option("--host <host>", "address to listen on (0.0.0.0 exposes the server to the network)").env("MLFLOW_HOST").default("127.0.0.1")
  ).addOption(
    new Option("-p, --port <port>", "port to listen on (0: any free port)").env("MLFLOW_PORT").argParser(parsePort).default(defaultPort)
  ).option(
    "--allowed-hosts <hosts>",
    'more host names the Host header may carry, comma-separated (default: localhost, 127.0.0.1, ::1 and the bound address; "*" turns the DNS-rebinding guard off)',
    parseList
  ).option(
    "--cors-allowed-origins <origins>",
    "browser origins allowed to call the API cross-origin, comma-separated (default: none)",
    parseList
  ).option(
    "--auth-file <file>",
    "turn on HTTP basic auth with the users and permissions in this YAML file (see docs/server.md)"
  ).option("--no-ui", "do not serve the web UI at /");
}
function registerServerCommands(program) {
  const server = program.command("server").description(
    "run a tracking server: MLflow's REST API 2.0 at /api/2.0/mlflow/, the artifact proxy at /api/2.0/mlflow-artifacts/, and the web UI at /; MLflow clients log to it with MLFLOW_TRACKING_URI=http://host:port"
  );
  addListenOptions(server, 5e3).addOption(
    new Option(
      "--backend-store-uri <uri>",
      "database for runs and models: sqlite:///path.db or postgresql://\u2026 (default: the repository's mlruns/tracking.db)"
    ).env("MLFLOW_BACKEND_STORE_URI")
  ).addOption(
    new Option(
      "--default-artifact-root <uri>",
      "artifact root of new experiments (default: mlflow-artifacts:/ when serving artifacts, else the store's artifacts directory)"
    ).env("MLFLOW_DEFAULT_ARTIFACT_ROOT")
  ).addOption(
    new Option(
      "--artifacts-destination <dir>",
      "directory behind mlflow-artifacts: URIs (default: ./mlartifacts)"
    ).env("MLFLOW_ARTIFACTS_DESTINATION")
  ).option("--serve-artifacts", "proxy artifact uploads, downloads and listings (default)", true).option("--no-serve-artifacts", "do not proxy artifacts; clients write to the artifact root directly").addOption(
    new Option("--artifacts-only", "serve only the artifact proxy; tracking endpoints answer 503").env(
      "MLFLOW_ARTIFACTS_ONLY"
    )
  ).addOption(
    new Option("-w, --workers <n>", "processes sharing the port").env("MLFLOW_WORKERS").argParser(parseWorkers).default(1)
  ).action(async (opts) => {
    const { resolveTrackingUri } = await import("./chunk-tracking-RHGRVUZK.js");
    const backendStoreUri = opts.backendStoreUri ?? resolveTrackingUri({ cwd: process.cwd(), env: {} }).uri;
    await runServer(opts, { backendStoreUri });
  });
  server.command("hash-password").description("read a password from stdin and print its hash for the auth file's password_hash").action(async () => {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
    if (password === "")
      throw new UsageError("no password on stdin", {
        hint: `pipe it in: printf '%s' "$PASSWORD" | recipe server hash-password`
      });
    const { hashPassword } = await import("./chunk-auth-4OBQ777W.js");
    cliStdout().write(`${await hashPassword(password)}
`);
  });
  addListenOptions(
    program.command("ui").description(
      "open the web UI on the tracking store in use (the repository's mlruns/tracking.db by default) and print its URL"
    ),
    5e3
  ).action(async (opts, command) => {
    const { trackingUri } = command.optsWithGlobals();
    const { resolveTrackingUri } = await import("./chunk-tracking-RHGRVUZK.js");
    const resolved = resolveTrackingUri({ flag: trackingUri, cwd: process.cwd() });
    if (resolved.backend === "http") {
      cliStdout().write(`the tracking store is already a server: open ${resolved.uri}
`);
      return;
    }
    await runServer(
      { ...opts, serveArtifacts: true, workers: 1 },
      {
        backendStoreUri: resolved.uri,
        ...resolved.defaultArtifactRoot !== void 0 ? { defaultArtifactRoot: resolved.defaultArtifactRoot } : {}
      }
    );
  });
}
async function runServer(opts, store) {
  const { startTrackingServer } = await import("./chunk-tracking-C3AQUB7E.js");
  const handle = await startTrackingServer({
    backendStoreUri: store.backendStoreUri,
    host: opts.host,
    port: opts.port,
    workers: opts.workers,
    serveArtifacts: opts.serveArtifacts,
    handleSignals: true,
    ...opts.defaultArtifactRoot !== void 0 || store.defaultArtifactRoot !== void 0 ? { defaultArtifactRoot: opts.defaultArtifactRoot ?? store.defaultArtifactRoot } : {},
    ...opts.artifactsDestination !== void 0 ? { artifactsDestination: opts.artifactsDestination } : {},
    ...opts.artifactsOnly ? { artifactsOnly: true } : {},
    ...opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {},
    ...opts.corsAllowedOrigins ? { corsAllowedOrigins: opts.corsAllowedOrigins } : {},
    ...opts.authFile !== void 0 ? { authFile: opts.authFile } : {},
    ...opts.ui ? {} : { ui: false }
  });
  cliStdout().write(
    `tracking server on ${store.backendStoreUri} at ${handle.url} (${handle.workers} worker${handle.workers === 1 ? "" : "s"})
`
  );
  await handle.closed;
  cliStderr().write("tracking server stopped\n");
}
export {
  registerServerCommands
};
