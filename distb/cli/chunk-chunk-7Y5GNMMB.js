import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  sqlitePathFromUri
} from "./chunk-chunk-IPY3WFCW.js";
import {
  UsageError
} from "./chunk-chunk-FHTLSLDU.js";

// src/tracking/open-store.ts
import { isAbsolute, resolve } from "node:path";

// src/tracking/orphaned-runs.ts
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
var RUNNER_TAGS = {
  /** Process id of the mlrecipe process that started the run and waits for it. */
  pid: "mlrecipe.runner_pid",
  /** Host name of that process: a pid means nothing on another machine. */
  host: "mlrecipe.runner_host",
  /** Its start time in clock ticks since boot (/proc/<pid>/stat field 22), so a reused pid is told apart. */
  start: "mlrecipe.runner_start",
  /** Set on a run this module ended: why it was ended. */
  lost: "mlrecipe.runner_lost"
};
function runnerTags() {
  const start = processStartTicks(process.pid);
  return [
    { key: RUNNER_TAGS.pid, value: String(process.pid) },
    { key: RUNNER_TAGS.host, value: hostname() },
    ...start !== null ? [{ key: RUNNER_TAGS.start, value: start }] : []
  ];
}
async function endOrphanedRuns(store) {
  const experimentIds = [];
  let pageToken;
  do {
    const page = await store.searchExperiments({
      viewType: "ALL",
      maxResults: 1e3,
      ...pageToken ? { pageToken } : {}
    });
    experimentIds.push(...page.experiments.map((e) => e.experiment_id));
    pageToken = page.next_page_token;
  } while (pageToken);
  if (experimentIds.length === 0) return [];
  const host = hostname();
  const ended = [];
  pageToken = void 0;
  do {
    const page = await store.searchRuns({
      experimentIds,
      // Filter values are parameters in the compiled SQL, so the host name needs no escaping
      // beyond the grammar's own quote doubling.
      filter: `attributes.status = 'RUNNING' and tags.\`${RUNNER_TAGS.host}\` = '${host.replace(/'/g, "''")}'`,
      runViewType: "ALL",
      maxResults: 1e3,
      ...pageToken ? { pageToken } : {}
    });
    for (const run of page.runs) {
      const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
      const pid = Number(tags[RUNNER_TAGS.pid]);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      if (isRunnerAlive(pid, tags[RUNNER_TAGS.start])) continue;
      await store.setTag(run.info.run_id, {
        key: RUNNER_TAGS.lost,
        value: `runner process ${pid} on ${host} was gone when the store was next opened`
      });
      await store.updateRun(run.info.run_id, { status: "KILLED", endTime: Date.now() });
      ended.push(run.info.run_id);
    }
    pageToken = page.next_page_token;
  } while (pageToken);
  return ended;
}
function isRunnerAlive(pid, recordedStart) {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== "EPERM") return false;
  }
  const stat = procStat(pid);
  if (stat === null) return true;
  if (stat.state === "Z") return false;
  return recordedStart === void 0 || stat.startTicks === recordedStart;
}
function processStartTicks(pid) {
  return procStat(pid)?.startTicks ?? null;
}
function procStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTicks = fields[19];
  return state && startTicks ? { state, startTicks } : null;
}

// src/tracking/open-store.ts
var SCHEMES_HINT = "use sqlite:///path/to/tracking.db, sqlite:////abs/path.db, postgresql://user@host:port/db or http(s)://tracking-server:port";
function sqliteDatabasePath(uri) {
  if (/^sqlite:\/\//i.test(uri)) return sqlitePathFromUri(uri);
  const path = decodeURIComponent(uri.slice("sqlite:".length).replace(/\?.*$/, ""));
  if (path === "" || path === ":memory:") {
    throw new UsageError(`tracking URI "${uri}" names no database file`, { hint: SCHEMES_HINT });
  }
  return isAbsolute(path) ? path : resolve(path);
}
async function withOrphansEnded(store) {
  try {
    await endOrphanedRuns(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
async function openTrackingStore(uri, options = {}) {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    const { openSqliteTrackingStore } = await import("./chunk-sqlite-store-Q3FTNH64.js");
    return withOrphansEnded(
      await openSqliteTrackingStore({
        path: sqliteDatabasePath(uri),
        defaultArtifactRoot: options.defaultArtifactRoot
      })
    );
  }
  if (scheme === "postgresql" || scheme === "postgres" || scheme?.startsWith("postgresql+")) {
    const { openPostgresTrackingStore } = await import("./chunk-postgres-store-IEPO76KE.js");
    return withOrphansEnded(
      await openPostgresTrackingStore({
        connectionString: uri.replace(/^postgresql\+[^:]*:/i, "postgresql:"),
        defaultArtifactRoot: options.defaultArtifactRoot ?? resolve("mlruns", "artifacts")
      })
    );
  }
  if (scheme === "http" || scheme === "https") {
    const { openRestTrackingStore } = await import("./chunk-rest-store-ZSSITTMF.js");
    return openRestTrackingStore({ uri });
  }
  throw new UsageError(
    scheme === void 0 ? `tracking URI "${uri}" has no scheme` : `tracking URI "${uri}": unsupported scheme "${scheme}:"; supported: sqlite:, postgresql:, http(s):`,
    { hint: SCHEMES_HINT }
  );
}

export {
  RUNNER_TAGS,
  runnerTags,
  endOrphanedRuns,
  sqliteDatabasePath,
  openTrackingStore
};
