/**
 * Runs whose runner died without ending them. A runner that is SIGKILLed (or loses its machine)
 * cannot mark its run KILLED, so it records who it is in tags MLflow ignores — `mlrecipe.runner_*`,
 * never new columns in MLflow's tables — and the next mlrecipe command on the same host that
 * opens the store ends every RUNNING run whose runner process is gone.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Tag, TrackingStore } from './types.js';

export const RUNNER_TAGS = {
  /** Process id of the mlrecipe process that started the run and waits for it. */
  pid: 'mlrecipe.runner_pid',
  /** Host name of that process: a pid means nothing on another machine. */
  host: 'mlrecipe.runner_host',
  /** Its start time in clock ticks since boot (/proc/<pid>/stat field 22), so a reused pid is told apart. */
  start: 'mlrecipe.runner_start',
  /** Set on a run this module ended: why it was ended. */
  lost: 'mlrecipe.runner_lost',
} as const;

/** The tags that identify this process as a run's runner. */
export function runnerTags(): Tag[] {
  const start = processStartTicks(process.pid);
  return [
    { key: RUNNER_TAGS.pid, value: String(process.pid) },
    { key: RUNNER_TAGS.host, value: hostname() },
    ...(start !== null ? [{ key: RUNNER_TAGS.start, value: start }] : []),
  ];
}

/**
 * Marks KILLED every RUNNING run (any experiment, active or deleted) whose runner ran on this
 * host and is gone: no such process, a zombie, or a process with another start time (a reused
 * pid). Runs without runner tags (an MLflow client's, another host's) are left alone. Returns the
 * ids it ended.
 */
export async function endOrphanedRuns(store: TrackingStore): Promise<string[]> {
  const experimentIds: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({
      viewType: 'ALL',
      maxResults: 1000,
      ...(pageToken ? { pageToken } : {}),
    });
    experimentIds.push(...page.experiments.map((e) => e.experiment_id));
    pageToken = page.next_page_token;
  } while (pageToken);
  if (experimentIds.length === 0) return [];
  const host = hostname();
  const ended: string[] = [];
  pageToken = undefined;
  do {
    const page = await store.searchRuns({
      experimentIds,
      // Filter values are parameters in the compiled SQL, so the host name needs no escaping
      // beyond the grammar's own quote doubling.
      filter: `attributes.status = 'RUNNING' and tags.\`${RUNNER_TAGS.host}\` = '${host.replace(/'/g, "''")}'`,
      runViewType: 'ALL',
      maxResults: 1000,
      ...(pageToken ? { pageToken } : {}),
    });
    for (const run of page.runs) {
      const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
      const pid = Number(tags[RUNNER_TAGS.pid]);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      if (isRunnerAlive(pid, tags[RUNNER_TAGS.start])) continue;
      await store.setTag(run.info.run_id, {
        key: RUNNER_TAGS.lost,
        value: `runner process ${pid} on ${host} was gone when the store was next opened`,
      });
      await store.updateRun(run.info.run_id, { status: 'KILLED', endTime: Date.now() });
      ended.push(run.info.run_id);
    }
    pageToken = page.next_page_token;
  } while (pageToken);
  return ended;
}

function isRunnerAlive(pid: number, recordedStart: string | undefined): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === null) return true; // no /proc: the pid exists, which is all we can know
  if (stat.state === 'Z') return false;
  return recordedStart === undefined || stat.startTicks === recordedStart;
}

function processStartTicks(pid: number): string | null {
  return procStat(pid)?.startTicks ?? null;
}

/** State and start time from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function procStat(pid: number): { state: string; startTicks: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: field 3 is the state, field 22 the start time (fields[0] and fields[19]).
  const state = fields[0];
  const startTicks = fields[19];
  return state && startTicks ? { state, startTicks } : null;
}
