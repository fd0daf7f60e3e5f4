import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  findExperiment
} from "./chunk-chunk-I3XJZPJQ.js";
import {
  collect,
  outputOption,
  parsePositiveInt,
  viewOption,
  viewTypeOf,
  withTrackingStore
} from "./chunk-chunk-WZYJLL2R.js";
import {
  formatTable,
  formatTime,
  jsonReplacer,
  printJson
} from "./chunk-chunk-6Y2UQZLY.js";
import {
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

// src/cli/runs.ts
import { isAbsolute } from "node:path";
function summariseRun(run) {
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
    tags: Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]))
  };
}
var DEFAULT_MAX_RESULTS = 1e3;
function registerRunsCommands(program) {
  const runs = program.command("runs").description("list, search, show, delete and restore tracked runs");
  const withSelection = (command) => command.addOption(
    new Option("-e, --experiment-name <name>", "experiment to look in, by name").conflicts(
      "experimentId"
    )
  ).addOption(new Option("-x, --experiment-id <id>", "experiment to look in, by id")).addOption(viewOption("runs")).option(
    "-m, --max-results <n>",
    `show at most this many runs (default ${DEFAULT_MAX_RESULTS}; pages are followed)`,
    parsePositiveInt
  ).option(
    "-c, --columns <keys>",
    'table columns after the run\u2019s info, comma-separated, e.g. "metrics.rmse,params.alpha,tags.mlflow.source.git.commit" (default: the first few metrics and params by name)',
    parseColumns
  ).addOption(outputOption());
  withSelection(runs.command("list").description("list the runs of an experiment, newest first")).action(
    async (opts, command) => {
      await searchAndPrint(command, opts);
    }
  );
  withSelection(
    runs.command("search").description("search the runs of an experiment with MLflow\u2019s filter grammar").option(
      "-f, --filter <filter>",
      `MLflow search filter, e.g. "metrics.rmse < 0.5 and params.alpha = '0.1'"`
    ).option(
      "--order-by <clause>",
      'sort key, e.g. "metrics.rmse ASC" or "attributes.start_time DESC" (repeat for tie-breakers)',
      collect
    )
  ).action(async (opts, command) => {
    await searchAndPrint(command, opts);
  });
  runs.command("show").description("show a run\u2019s info, params, latest metrics and tags").argument("<run_id>", "the run\u2019s id (32 hex characters)").addOption(outputOption()).action(async (runId, opts, command) => {
    const { run, children } = await withTrackingStore(command, async (store) => {
      const found = await store.getRun(runId);
      return { run: found, children: await childRuns(store, found) };
    });
    if (opts.output === "json") {
      printJson(run);
      return;
    }
    const local = isAbsolute(run.info.artifact_uri) || run.info.artifact_uri.startsWith("file:");
    const { LocalArtifactRepository } = await import("./chunk-tracking-RHGRVUZK.js");
    const artifacts = local ? await new LocalArtifactRepository(run.info.artifact_uri).listArtifacts() : void 0;
    cliStdout().write(formatRunDetails(run, artifacts));
    if (children.length > 0) cliStdout().write(formatChildRuns(children));
  });
  runs.command("delete").description("mark a run deleted; `restore` undoes it").argument("<run_id>", "the run\u2019s id").action(async (runId, _opts, command) => {
    await withTrackingStore(command, (store) => store.deleteRun(runId));
    cliStdout().write(`Deleted run ${runId}
`);
  });
  runs.command("restore").description("restore a deleted run").argument("<run_id>", "the run\u2019s id").action(async (runId, _opts, command) => {
    await withTrackingStore(command, (store) => store.restoreRun(runId));
    cliStdout().write(`Restored run ${runId}
`);
  });
}
async function searchAndPrint(command, opts) {
  if (opts.experimentName === void 0 && opts.experimentId === void 0) {
    throw new UsageError(
      `recipe runs ${command.name()} needs --experiment-name <name> or --experiment-id <id>`,
      {
        hint: "see the experiments with `recipe experiments list`"
      }
    );
  }
  const limit = opts.maxResults ?? DEFAULT_MAX_RESULTS;
  const { runs, more } = await withTrackingStore(command, async (store) => {
    const experiment = await findExperiment(store, opts.experimentId ?? opts.experimentName ?? "");
    return searchUpTo(store, {
      experimentIds: [experiment.experiment_id],
      filter: opts.filter,
      orderBy: opts.orderBy,
      runViewType: viewTypeOf(opts.view),
      maxResults: limit
    });
  });
  if (opts.output === "json") {
    printJson(runs.map(summariseRun));
    return;
  }
  cliStdout().write(`${formatRunsTable(runs, opts.columns)}
`);
  if (more) cliStderr().write(`(showing the first ${runs.length} runs; raise --max-results to see more)
`);
}
async function searchUpTo(store, options) {
  const runs = [];
  let pageToken;
  do {
    const page = await store.searchRuns({
      ...options,
      maxResults: Math.min(options.maxResults - runs.length, 5e4),
      pageToken
    });
    runs.push(...page.runs);
    pageToken = page.next_page_token;
  } while (pageToken && runs.length < options.maxResults);
  return { runs, more: pageToken !== void 0 };
}
var MAX_METRIC_COLUMNS = 6;
var MAX_PARAM_COLUMNS = 4;
var MAX_CELL = 40;
function parseColumns(value) {
  return value.split(",").map((c) => c.trim()).filter((c) => c.length > 0).map((column) => {
    const match = /^(metrics|params|tags)\.(.+)$/.exec(column);
    if (!match) {
      throw new UsageError(`--columns: "${column}" is not metrics.<key>, params.<key> or tags.<key>`);
    }
    return { kind: match[1], key: match[2] };
  });
}
function formatRunsTable(runs, columns) {
  const chosen = columns ?? [
    ...[...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort().slice(0, MAX_METRIC_COLUMNS).map((key) => ({ kind: "metrics", key })),
    ...[...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort().slice(0, MAX_PARAM_COLUMNS).map((key) => ({ kind: "params", key }))
  ];
  const headers = ["RUN ID", "NAME", "STATUS", "START", "END", ...chosen.map((c) => `${c.kind}.${c.key}`)];
  const rows = runs.map((run) => {
    const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
    const params = new Map(run.data.params.map((p) => [p.key, p.value]));
    const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
    const cell = (c) => {
      if (c.kind === "metrics") return formatNumber(metrics.get(c.key));
      const value = (c.kind === "params" ? params : tags).get(c.key) ?? "";
      return value.length > MAX_CELL ? `${value.slice(0, MAX_CELL - 1)}\u2026` : value;
    };
    return [
      run.info.run_id,
      run.info.run_name,
      run.info.status,
      formatTime(run.info.start_time),
      formatTime(run.info.end_time),
      ...chosen.map(cell)
    ];
  });
  return formatTable(headers, rows);
}
async function childRuns(store, run) {
  if (!/^[0-9a-f]{32}$/.test(run.info.run_id)) return [];
  const out = [];
  let pageToken;
  do {
    const page = await store.searchRuns({
      experimentIds: [run.info.experiment_id],
      filter: `tags.mlflow.parentRunId = '${run.info.run_id}'`,
      maxResults: 1e3,
      ...pageToken ? { pageToken } : {}
    });
    out.push(...page.runs);
    pageToken = page.next_page_token;
  } while (pageToken);
  const loss = (r) => r.data.metrics.find((m) => m.key === "loss")?.value ?? Number.POSITIVE_INFINITY;
  return out.sort((a, b) => loss(a) - loss(b) || a.info.start_time - b.info.start_time);
}
function formatChildRuns(children) {
  const paramKeys = [...new Set(children.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  const varying = paramKeys.filter(
    (k) => new Set(children.map((r) => r.data.params.find((p) => p.key === k)?.value)).size > 1
  );
  const metricKeys = [...new Set(children.flatMap((r) => r.data.metrics.map((m) => m.key)))].filter((k) => k === "loss" || k.startsWith("val_") && k !== "val_example_count").sort((a, b) => a === "loss" ? -1 : b === "loss" ? 1 : a < b ? -1 : a > b ? 1 : 0).slice(0, 3);
  const rows = children.map((r) => [
    r.info.run_id,
    r.info.run_name,
    r.info.status,
    ...metricKeys.map((k) => formatNumber(r.data.metrics.find((m) => m.key === k)?.value)),
    ...varying.map((k) => r.data.params.find((p) => p.key === k)?.value ?? "")
  ]);
  return `
Child runs (${children.length}, best loss first)
${formatTable(
    [
      "RUN_ID",
      "NAME",
      "STATUS",
      ...metricKeys.map((k) => `metrics.${k}`),
      ...varying.map((k) => `params.${k}`)
    ],
    rows
  )}
`;
}
function formatRunDetails(run, artifacts) {
  const info = run.info;
  const infoRows = [
    ["run_id", info.run_id],
    ["run_name", info.run_name],
    ["experiment_id", info.experiment_id],
    ["status", info.status],
    ["lifecycle_stage", info.lifecycle_stage],
    ["user_id", info.user_id],
    ["start_time", formatTime(info.start_time)],
    ["end_time", formatTime(info.end_time)],
    ["artifact_uri", info.artifact_uri]
  ];
  const byKey = (items) => [...items].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const sections = [
    formatTable(["FIELD", "VALUE"], infoRows),
    `
Params
${formatTable(
      ["KEY", "VALUE"],
      byKey(run.data.params).map((p) => [p.key, p.value])
    )}`,
    `
Metrics (latest)
${formatTable(
      ["KEY", "VALUE", "STEP", "TIME"],
      byKey(run.data.metrics).map((m) => [
        m.key,
        formatNumber(m.value),
        String(m.step),
        formatTime(m.timestamp)
      ])
    )}`,
    `
Tags
${formatTable(
      ["KEY", "VALUE"],
      byKey(run.data.tags).map((t) => [t.key, t.value])
    )}`
  ];
  if (artifacts !== void 0) {
    const rows = artifacts.map((a) => [
      a.is_dir ? `${a.path}/` : a.path,
      a.is_dir ? "" : String(a.file_size ?? "")
    ]);
    sections.push(`
Artifacts (top level)
${formatTable(["PATH", "SIZE"], rows)}`);
  }
  return `${sections.join("\n")}
`;
}
function formatNumber(value) {
  if (value === void 0) return "";
  const replaced = jsonReplacer("", value);
  return typeof replaced === "string" ? replaced : String(value);
}
export {
  formatRunsTable,
  parseColumns,
  registerRunsCommands,
  summariseRun
};
