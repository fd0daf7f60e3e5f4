import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { cliStderr, cliStdout } from './io.js';
import { parsePort, wholeNumberFrom } from './option-values.js';

function parseList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((each) => each.trim())
      .filter((each) => each !== ''),
  ];
}

interface ServerCliOptions {
  host: string;
  port: number;
  backendStoreUri?: string;
  defaultArtifactRoot?: string;
  artifactsDestination?: string;
  serveArtifacts: boolean;
  artifactsOnly?: boolean;
  workers: number;
  allowedHosts?: string[];
  corsAllowedOrigins?: string[];
  authFile?: string;
  ui: boolean;
}

/** Options both `recipe server` and `recipe ui` take. */
function addListenOptions(command: Command, defaultPort: number): Command {
  return command
    .addOption(
      new Option('--host <host>', 'address to listen on (0.0.0.0 exposes the server to the network)')
        .env('MLFLOW_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (0: any free port)')
        .env('MLFLOW_PORT')
        .argParser(parsePort)
        .default(defaultPort),
    )
    .option(
      '--allowed-hosts <hosts>',
      'more host names the Host header may carry, comma-separated (default: localhost, 127.0.0.1, ::1 and the bound address; "*" turns the DNS-rebinding guard off)',
      parseList,
    )
    .option(
      '--cors-allowed-origins <origins>',
      'browser origins allowed to call the API cross-origin, comma-separated (default: none)',
      parseList,
    )
    .option(
      '--auth-file <file>',
      'turn on HTTP basic auth with the users and permissions in this YAML file (see docs/server.md)',
    )
    .option('--no-ui', 'do not serve the web UI at /');
}

/**
 * `recipe server` (MLflow's tracking server: REST API 2.0, artifact proxy, UI) and `recipe ui`
 * (the same on the repository's own store, for one person).
 */
export function registerServerCommands(program: Command): void {
  const server = program
    .command('server')
    .description(
      "run a tracking server: MLflow's REST API 2.0 at /api/2.0/mlflow/, the artifact proxy at " +
        '/api/2.0/mlflow-artifacts/, and the web UI at /; MLflow clients log to it with MLFLOW_TRACKING_URI=http://host:port',
    );
  addListenOptions(server, 5000)
    .addOption(
      new Option(
        '--backend-store-uri <uri>',
        "database for runs and models: sqlite:///path.db or postgresql://… (default: the repository's mlruns/tracking.db)",
      ).env('MLFLOW_BACKEND_STORE_URI'),
    )
    .addOption(
      new Option(
        '--default-artifact-root <uri>',
        "artifact root of new experiments (default: mlflow-artifacts:/ when serving artifacts, else the store's artifacts directory)",
      ).env('MLFLOW_DEFAULT_ARTIFACT_ROOT'),
    )
    .addOption(
      new Option(
        '--artifacts-destination <dir>',
        'directory behind mlflow-artifacts: URIs (default: ./mlartifacts)',
      ).env('MLFLOW_ARTIFACTS_DESTINATION'),
    )
    .option('--serve-artifacts', 'proxy artifact uploads, downloads and listings (default)', true)
    .option('--no-serve-artifacts', 'do not proxy artifacts; clients write to the artifact root directly')
    .addOption(
      new Option('--artifacts-only', 'serve only the artifact proxy; tracking endpoints answer 503').env(
        'MLFLOW_ARTIFACTS_ONLY',
      ),
    )
    .addOption(
      new Option('-w, --workers <n>', 'processes sharing the port')
        .env('MLFLOW_WORKERS')
        .argParser(wholeNumberFrom(1, 64))
        .default(1),
    )
    .action(async (opts: ServerCliOptions) => {
      const { resolveTrackingUri } = await import('../tracking/index.js');
      const backendStoreUri = opts.backendStoreUri ?? resolveTrackingUri({ cwd: process.cwd(), env: {} }).uri;
      await runServer(opts, { backendStoreUri });
    });

  server
    .command('hash-password')
    .description("read a password from stdin and print its hash for the auth file's password_hash")
    .action(async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      const password = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
      if (password === '')
        throw new UsageError('no password on stdin', {
          hint: 'pipe it in: printf \'%s\' "$PASSWORD" | recipe server hash-password',
        });
      const { hashPassword } = await import('../server/tracking/auth.js');
      cliStdout().write(`${await hashPassword(password)}\n`);
    });

  addListenOptions(
    program
      .command('ui')
      .description(
        "open the web UI on the tracking store in use (the repository's mlruns/tracking.db by default) and print its URL",
      ),
    5000,
  ).action(async (opts: ServerCliOptions, command: Command) => {
    const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
    const { resolveTrackingUri } = await import('../tracking/index.js');
    const resolved = resolveTrackingUri({ flag: trackingUri, cwd: process.cwd() });
    if (resolved.backend === 'http') {
      cliStdout().write(`the tracking store is already a server: open ${resolved.uri}\n`);
      return;
    }
    await runServer(
      { ...opts, serveArtifacts: true, workers: 1 },
      {
        backendStoreUri: resolved.uri,
        ...(resolved.defaultArtifactRoot !== undefined
          ? { defaultArtifactRoot: resolved.defaultArtifactRoot }
          : {}),
      },
    );
  });
}

async function runServer(
  opts: ServerCliOptions,
  store: { backendStoreUri: string; defaultArtifactRoot?: string },
): Promise<void> {
  // Imported here: fastify and the store drivers are slow to load.
  const { startTrackingServer } = await import('../server/tracking/index.js');
  const handle = await startTrackingServer({
    backendStoreUri: store.backendStoreUri,
    host: opts.host,
    port: opts.port,
    workers: opts.workers,
    serveArtifacts: opts.serveArtifacts,
    handleSignals: true,
    ...(opts.defaultArtifactRoot !== undefined || store.defaultArtifactRoot !== undefined
      ? { defaultArtifactRoot: opts.defaultArtifactRoot ?? store.defaultArtifactRoot }
      : {}),
    ...(opts.artifactsDestination !== undefined ? { artifactsDestination: opts.artifactsDestination } : {}),
    ...(opts.artifactsOnly ? { artifactsOnly: true } : {}),
    ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
    ...(opts.corsAllowedOrigins ? { corsAllowedOrigins: opts.corsAllowedOrigins } : {}),
    ...(opts.authFile !== undefined ? { authFile: opts.authFile } : {}),
    ...(opts.ui ? {} : { ui: false }),
  });
  // One line on stdout, so that a caller that asked for port 0 can read the URL.
  cliStdout().write(
    `tracking server on ${store.backendStoreUri} at ${handle.url} (${handle.workers} worker${handle.workers === 1 ? '' : 's'})\n`,
  );
  await handle.closed;
  cliStderr().write('tracking server stopped\n');
}
