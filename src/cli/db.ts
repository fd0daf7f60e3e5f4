import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { PreparedSchema } from '../tracking/schema-setup.js';
import { cliStdout } from './io.js';

/** `recipe db upgrade [uri]`, as `mlflow db upgrade <url>`. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description("manage the tracking database's schema");

  db.command('upgrade')
    .description(
      "bring a tracking database MLflow created at an older schema (MLflow 1.25 to 2.11) to MLflow 2.12's, " +
        'in one transaction, as `mlflow db upgrade` does; back it up first',
    )
    .argument(
      '[uri]',
      'the database: sqlite:///path.db or postgresql://… (default: --tracking-uri, MLFLOW_TRACKING_URI, mlruns/tracking.db)',
    )
    .action(async (uri: string | undefined, _opts: unknown, command: Command) => {
      const { trackingUri } = command.optsWithGlobals<{ trackingUri?: string }>();
      const { openTrackingStore, resolveTrackingUri } = await import('../tracking/index.js');
      const resolved = resolveTrackingUri({ flag: uri ?? trackingUri, cwd: process.cwd() });
      if (/^https?:/i.test(resolved.uri)) {
        throw new UsageError(`${resolved.uri} is a tracking server; its database is upgraded where it runs`, {
          hint: 'run `recipe db upgrade <database uri>` (or `mlflow db upgrade`) against the database the server uses',
        });
      }
      let prepared: PreparedSchema | undefined;
      const store = await openTrackingStore(resolved.uri, {
        defaultArtifactRoot: resolved.defaultArtifactRoot,
        upgradeMlflowSchema: true,
        onSchemaPrepared: (result) => {
          prepared = result;
        },
      });
      await store.close();
      const out = cliStdout();
      const applied = prepared?.mlflowMigrationsApplied ?? [];
      for (const migration of applied) out.write(`applied ${migration.revision}: ${migration.description}\n`);
      out.write(
        applied.length === 0
          ? `${resolved.uri} is already at MLflow schema revision ${prepared?.alembicRevision ?? 'unknown'}; nothing to upgrade\n`
          : `${resolved.uri} is now at MLflow 2.12's schema revision ${prepared?.alembicRevision ?? ''} (${applied.length} ${applied.length === 1 ? 'migration' : 'migrations'})\n`,
      );
    });
}
