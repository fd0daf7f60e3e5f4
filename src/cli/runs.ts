import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { FileInfo, Run, SearchRunsOptions, TrackingStore, ViewType } from '../tracking/index.js';
import { DATASET_CONTEXT_TAG } from '../tracking/types.js';
import { findExperiment } from './experiments.js';
import { formatTable, formatTime, jsonReplacer, type OutputFormat, printJson } from './output.js';
import {
  collect,
  outputOption,
  parsePositiveInt,
  viewOption,
  viewTypeOf,
  withTrackingStore,
} from './store-option.js';
import { cliStderr, cliStdout } from './io.js';

/** One run as `runs list|search --output json` prints it: MLflow's names, params/metrics/tags as maps. */
export interface RunSummary {
  run_id: string;
  experiment_id: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  lifecycle_stage: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

export function summariseRun(run: Run): RunSummary {
  return {
    run_id: run.info.run_id,
    experiment_id: run.info.experiment_id,
    run_name: run.info.run_name,
    status: run.info.status,
    start_time: run.info.start_time,
    end_time: run.info.end_time ?? null,
    artifact_uri: run.info.artifact_uri,
    lifecycle_stage: run.info.lifecycle_stage,
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])),
    tags: Object.fromEntries(run.data.tags.map((t) => [t.key, t.value])),
  };
}

interface ListOptions {
  experimentName?: string;
  experimentId?: string;
  view: string;
  maxResults?: number;
  columns?: RunColumn[];
  output: OutputFormat;
}

interface SearchOptions extends ListOptions {
  filter?: string;
  orderBy?: string[];
}

interface ExportOptions {
  format: 'mlflow';
  experimentName?: string[];
  experimentId?: string[];
  artifacts: boolean;
  output: OutputFormat;
}

const DEFAULT_MAX_RESULTS = 1000;

/** `recipe runs list|search|show|delete|restore`. */
export function registerRunsCommands(program: Command): void {
  const runs = program
    .command('runs')
    .description('list, search, show, export, import, delete and restore tracked runs');

  const withSelection = (command: Command) =>
    command
      .addOption(
        new Option('-e, --experiment-name <name>', 'experiment to look in, by name').conflicts(
          'experimentId',
        ),
      )
      .addOption(new Option('-x, --experiment-id <id>', 'experiment to look in, by id'))
      .addOption(viewOption('runs'))
      .option(
        '-m, --max-results <n>',
        `show at most this many runs (default ${DEFAULT_MAX_RESULTS}; pages are followed)`,
        parsePositiveInt,
      )
      .option(
        '-c, --columns <keys>',
        'table columns after the run’s info, comma-separated, e.g. "metrics.rmse,params.alpha,tags.mlflow.source.git.commit" (default: the first few metrics and params by name)',
        parseColumns,
      )
      .addOption(outputOption());

  withSelection(runs.command('list').description('list the runs of an experiment, newest first')).action(
    async (opts: ListOptions, command: Command) => {
      await searchAndPrint(command, opts);
    },
  );

  withSelection(
    runs
      .command('search')
      .description('search the runs of an experiment with MLflow’s filter grammar')
      .option(
        '-f, --filter <filter>',
        `MLflow search filter, e.g. "metrics.rmse < 0.5 and params.alpha = '0.1'"`,
      )
      .option(
        '--order-by <clause>',
        'sort key, e.g. "metrics.rmse ASC" or "attributes.start_time DESC" (repeat for tie-breakers)',
        collect,
      ),
  ).action(async (opts: SearchOptions, command: Command) => {
    await searchAndPrint(command, opts);
  });

  runs
    .command('show')
    .description('show a run’s info, params, latest metrics, tags, datasets and top-level artifacts')
    .argument('<run_id>', 'the run’s id (32 hex characters)')
    .addOption(outputOption())
    .action(async (runId: string, opts: { output: OutputFormat }, command: Command) => {
      const { run, children } = await withTrackingStore(command, async (store) => {
        const found = await store.getRun(runId);
        return { run: found, children: await childRuns(store, found) };
      });
      if (opts.output === 'json') {
        printJson(run);
        return;
      }
      // A local directory, or a tracking server's artifact proxy (mlflow-artifacts:); other remote
      // stores (s3:) are not readable from here.
      const { artifactRepositoryForUri, isLocalArtifactUri, proxiedArtifactLocation, resolveTrackingUri } =
        await import('../tracking/index.js');
      const trackingUri = resolveTrackingUri({
        flag: command.optsWithGlobals<{ trackingUri?: string }>().trackingUri,
        cwd: process.cwd(),
      }).uri;
      const readable =
        isLocalArtifactUri(run.info.artifact_uri) ||
        (/^https?:/i.test(trackingUri) &&
          proxiedArtifactLocation(run.info.artifact_uri, trackingUri) !== undefined);
      const artifacts = readable
        ? await artifactRepositoryForUri(run.info.artifact_uri, { trackingUri }).listArtifacts()
        : undefined;
      cliStdout().write(formatRunDetails(run, artifacts));
      if (children.length > 0) cliStdout().write(formatChildRuns(children));
    });

  runs
    .command('export')
    .description(
      'write experiments and runs (params, metric histories, tags, datasets, artifacts) in MLflow’s file-store layout',
    )
    .argument(
      '<dir>',
      'directory to create (must not exist, or be empty); MLflow’s `mlflow ui --backend-store-uri DIR` reads it',
    )
    .addOption(
      new Option('--format <format>', 'layout to write (only MLflow’s file store so far)')
        .choices(['mlflow'])
        .default('mlflow'),
    )
    .option('-e, --experiment-name <name>', 'export only this experiment (repeatable)', collect)
    .option('-x, --experiment-id <id>', 'export only this experiment, by id (repeatable)', collect)
    .option('--no-artifacts', 'leave the runs’ artifacts out (metadata only)')
    .addOption(outputOption())
    .action(async (dir: string, opts: ExportOptions, command: Command) => {
      const result = await withTrackingStore(command, async (store) => {
        const { exportRuns } = await import('../tracking/index.js');
        const ids = [...(opts.experimentId ?? [])];
        for (const name of opts.experimentName ?? [])
          ids.push((await findExperiment(store, name)).experiment_id);
        return exportRuns({
          store,
          dir,
          experimentIds: ids.length > 0 ? ids : undefined,
          artifacts: opts.artifacts,
        });
      });
      if (opts.output === 'json') {
        printJson(result);
        return;
      }
      cliStdout().write(
        `Exported ${result.experiments} experiment(s), ${result.runs} run(s), ${result.metricPoints} metric point(s) and ${result.artifactFiles} artifact file(s) to ${result.dir}\n`,
      );
    });

  runs
    .command('import')
    .description(
      'read a directory in MLflow’s file-store layout (from `runs export` or MLflow itself) into the current store',
    )
    .argument('<dir>', 'the file store’s root, the folder holding <experiment_id>/meta.yaml (e.g. ./mlruns)')
    .option(
      '--new-ids',
      'give a run a fresh id when its id is taken by a different run (default: refuse the whole import)',
    )
    .addOption(outputOption())
    .action(async (dir: string, opts: { newIds?: boolean; output: OutputFormat }, command: Command) => {
      const result = await withTrackingStore(command, async (store) => {
        const { importRuns } = await import('../tracking/index.js');
        return importRuns({ store, dir, newIds: opts.newIds });
      });
      if (opts.output === 'json') {
        printJson(result);
        return;
      }
      const count = (outcome: string) => result.runs.filter((r) => r.outcome === outcome).length;
      const created = result.experiments.filter((e) => e.created).length;
      cliStdout().write(
        `Imported ${count('imported') + count('renamed')} run(s) (${count('renamed')} under new ids), ` +
          `${count('unchanged')} already present; ${result.experiments.length} experiment(s), ${created} created\n`,
      );
      for (const run of result.runs.filter((r) => r.outcome === 'renamed')) {
        cliStdout().write(`  ${run.source_run_id} -> ${run.run_id}\n`);
      }
    });

  runs
    .command('delete')
    .description('mark a run deleted; `restore` undoes it')
    .argument('<run_id>', 'the run’s id')
    .action(async (runId: string, _opts: unknown, command: Command) => {
      await withTrackingStore(command, (store) => store.deleteRun(runId));
      cliStdout().write(`Deleted run ${runId}\n`);
    });

  runs
    .command('restore')
    .description('restore a deleted run')
    .argument('<run_id>', 'the run’s id')
    .action(async (runId: string, _opts: unknown, command: Command) => {
      await withTrackingStore(command, (store) => store.restoreRun(runId));
      cliStdout().write(`Restored run ${runId}\n`);
    });
}

async function searchAndPrint(command: Command, opts: SearchOptions): Promise<void> {
  if (opts.experimentName === undefined && opts.experimentId === undefined) {
    throw new UsageError(
      `recipe runs ${command.name()} needs --experiment-name <name> or --experiment-id <id>`,
      {
        hint: 'see the experiments with `recipe experiments list`',
      },
    );
  }
  const limit = opts.maxResults ?? DEFAULT_MAX_RESULTS;
  const { runs, more } = await withTrackingStore(command, async (store) => {
    const experiment = await findExperiment(store, opts.experimentId ?? opts.experimentName ?? '');
    return searchUpTo(store, {
      experimentIds: [experiment.experiment_id],
      filter: opts.filter,
      orderBy: opts.orderBy,
      runViewType: viewTypeOf(opts.view) satisfies ViewType,
      maxResults: limit,
    });
  });
  if (opts.output === 'json') {
    printJson(runs.map(summariseRun));
    return;
  }
  cliStdout().write(`${formatRunsTable(runs, opts.columns)}\n`);
  if (more) cliStderr().write(`(showing the first ${runs.length} runs; raise --max-results to see more)\n`);
}

/** Follows page tokens until `maxResults` runs are collected or the search is exhausted. */
async function searchUpTo(
  store: TrackingStore,
  options: SearchRunsOptions & { maxResults: number },
): Promise<{ runs: Run[]; more: boolean }> {
  const runs: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({
      ...options,
      maxResults: Math.min(options.maxResults - runs.length, 50_000),
      pageToken,
    });
    runs.push(...page.runs);
    pageToken = page.next_page_token;
  } while (pageToken && runs.length < options.maxResults);
  return { runs, more: pageToken !== undefined };
}

const MAX_METRIC_COLUMNS = 6;
const MAX_PARAM_COLUMNS = 4;

/** Longest param/tag value shown in a table cell; `--output json` has the whole value. */
const MAX_CELL = 40;

export type RunColumn = { kind: 'metrics' | 'params' | 'tags'; key: string };

/** `metrics.rmse,params.alpha,tags.mlflow.runName` → columns; anything else is a usage error. */
export function parseColumns(value: string): RunColumn[] {
  return value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
    .map((column) => {
      const match = /^(metrics|params|tags)\.(.+)$/.exec(column);
      if (!match) {
        throw new UsageError(`--columns: "${column}" is not metrics.<key>, params.<key> or tags.<key>`);
      }
      return { kind: match[1] as RunColumn['kind'], key: match[2] };
    });
}

/**
 * Run id, name, status, times, then the chosen columns — by default a column per metric and
 * param (the first few by name, so the table stays readable).
 */
export function formatRunsTable(runs: Run[], columns?: RunColumn[]): string {
  const chosen = columns ?? [
    ...[...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))]
      .sort()
      .slice(0, MAX_METRIC_COLUMNS)
      .map((key): RunColumn => ({ kind: 'metrics', key })),
    ...[...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))]
      .sort()
      .slice(0, MAX_PARAM_COLUMNS)
      .map((key): RunColumn => ({ kind: 'params', key })),
  ];
  const headers = ['RUN ID', 'NAME', 'STATUS', 'START', 'END', ...chosen.map((c) => `${c.kind}.${c.key}`)];
  const rows = runs.map((run) => {
    const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
    const params = new Map(run.data.params.map((p) => [p.key, p.value]));
    const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
    const cell = (c: RunColumn): string => {
      if (c.kind === 'metrics') return formatNumber(metrics.get(c.key));
      const value = (c.kind === 'params' ? params : tags).get(c.key) ?? '';
      return value.length > MAX_CELL ? `${value.slice(0, MAX_CELL - 1)}…` : value;
    };
    return [
      run.info.run_id,
      run.info.run_name,
      run.info.status,
      formatTime(run.info.start_time),
      formatTime(run.info.end_time),
      ...chosen.map(cell),
    ];
  });
  return formatTable(headers, rows);
}

/**
 * The runs nested under `run` (tag mlflow.parentRunId), best loss first: a sweep's trials.
 * The id goes into the filter only after it checked out as a run id (the filter is parsed into
 * parameterised SQL anyway).
 */
async function childRuns(store: TrackingStore, run: Run): Promise<Run[]> {
  if (!/^[0-9a-f]{32}$/.test(run.info.run_id)) return [];
  const out: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({
      experimentIds: [run.info.experiment_id],
      filter: `tags.mlflow.parentRunId = '${run.info.run_id}'`,
      maxResults: 1000,
      ...(pageToken ? { pageToken } : {}),
    });
    out.push(...page.runs);
    pageToken = page.next_page_token;
  } while (pageToken);
  const loss = (r: Run) => r.data.metrics.find((m) => m.key === 'loss')?.value ?? Number.POSITIVE_INFINITY;
  return out.sort((a, b) => loss(a) - loss(b) || a.info.start_time - b.info.start_time);
}

function formatChildRuns(children: Run[]): string {
  const paramKeys = [...new Set(children.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  // Only the params that vary between children: the fixed ones say nothing about the trials.
  const varying = paramKeys.filter(
    (k) => new Set(children.map((r) => r.data.params.find((p) => p.key === k)?.value)).size > 1,
  );
  const metricKeys = [...new Set(children.flatMap((r) => r.data.metrics.map((m) => m.key)))]
    .filter((k) => k === 'loss' || (k.startsWith('val_') && k !== 'val_example_count'))
    .sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .slice(0, 3);
  const rows = children.map((r) => [
    r.info.run_id,
    r.info.run_name,
    r.info.status,
    ...metricKeys.map((k) => formatNumber(r.data.metrics.find((m) => m.key === k)?.value)),
    ...varying.map((k) => r.data.params.find((p) => p.key === k)?.value ?? ''),
  ]);
  return `\nChild runs (${children.length}, best loss first)\n${formatTable(
    [
      'RUN_ID',
      'NAME',
      'STATUS',
      ...metricKeys.map((k) => `metrics.${k}`),
      ...varying.map((k) => `params.${k}`),
    ],
    rows,
  )}\n`;
}

function formatRunDetails(run: Run, artifacts: FileInfo[] | undefined): string {
  const info = run.info;
  const infoRows: string[][] = [
    ['run_id', info.run_id],
    ['run_name', info.run_name],
    ['experiment_id', info.experiment_id],
    ['status', info.status],
    ['lifecycle_stage', info.lifecycle_stage],
    ['user_id', info.user_id],
    ['start_time', formatTime(info.start_time)],
    ['end_time', formatTime(info.end_time)],
    ['artifact_uri', info.artifact_uri],
  ];
  const byKey = <T extends { key: string }>(items: T[]) =>
    [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sections = [
    formatTable(['FIELD', 'VALUE'], infoRows),
    `\nParams\n${formatTable(
      ['KEY', 'VALUE'],
      byKey(run.data.params).map((p) => [p.key, p.value]),
    )}`,
    `\nMetrics (latest)\n${formatTable(
      ['KEY', 'VALUE', 'STEP', 'TIME'],
      byKey(run.data.metrics).map((m) => [
        m.key,
        formatNumber(m.value),
        String(m.step),
        formatTime(m.timestamp),
      ]),
    )}`,
    `\nTags\n${formatTable(
      ['KEY', 'VALUE'],
      byKey(run.data.tags).map((t) => [t.key, t.value]),
    )}`,
  ];
  const inputs = run.inputs?.dataset_inputs ?? [];
  if (inputs.length > 0) {
    const rows = inputs.map(({ dataset, tags }) => [
      dataset.name,
      dataset.digest,
      tags.find((t) => t.key === DATASET_CONTEXT_TAG)?.value ?? '',
      dataset.source_type,
      datasetRows(dataset.profile),
    ]);
    sections.push(`\nDatasets\n${formatTable(['NAME', 'DIGEST', 'CONTEXT', 'SOURCE', 'ROWS'], rows)}`);
  }
  if (artifacts !== undefined) {
    const rows = artifacts.map((a) => [
      a.is_dir ? `${a.path}/` : a.path,
      a.is_dir ? '' : String(a.file_size ?? ''),
    ]);
    sections.push(`\nArtifacts (top level)\n${formatTable(['PATH', 'SIZE'], rows)}`);
  }
  return `${sections.join('\n')}\n`;
}

/** `num_rows` of an MLflow dataset profile (JSON), when it has one. */
function datasetRows(profile: string | undefined): string {
  try {
    const rows = (JSON.parse(profile ?? '{}') as { num_rows?: unknown }).num_rows;
    return typeof rows === 'number' ? String(rows) : '';
  } catch {
    return '';
  }
}

function formatNumber(value: number | undefined): string {
  if (value === undefined) return '';
  const replaced = jsonReplacer('', value);
  return typeof replaced === 'string' ? replaced : String(value);
}
