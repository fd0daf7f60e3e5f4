/**
 * `using: project` for ingest: a real git repository holding a recipe whose ingest runs a small
 * shell MLproject that writes a CSV into its run's artifacts; real SQLite tracking store; real
 * child processes. The engine runs ingest and split (the real steps).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseProjectUri } from '../../src/projects/git-source.js';
import { runRecipe } from '../../src/recipes/execute.js';
import { loadRecipe } from '../../src/recipes/load.js';
import { trackingRecorder } from '../../src/recipes/record.js';
import { recipeStatus } from '../../src/recipes/status.js';
import { isGitUri, outputFile } from '../../src/projects/project-step.js';
import { openTrackingStore } from '../../src/tracking/open-store.js';
import type { Run, TrackingStore } from '../../src/tracking/types.js';

const dirs: string[] = [];
const stores: TrackingStore[] = [];
let savedCacheDir: string | undefined;

beforeAll(() => {
  // Git project sources are cloned into this cache; keep it inside the test's temp dirs.
  savedCacheDir = process.env.RECIPE_CACHE_DIR;
  const cache = mkdtempSync(join(tmpdir(), 'mlrecipe-projcache-'));
  dirs.push(cache);
  process.env.RECIPE_CACHE_DIR = cache;
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.RECIPE_CACHE_DIR;
  else process.env.RECIPE_CACHE_DIR = savedCacheDir;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const MLPROJECT = `name: etl
entry_points:
  main:
    parameters:
      rows: {type: int, default: 5}
      slope: {type: float, default: 2}
    command: "sh make-data.sh {rows} {slope}"
  broken:
    command: "sh -c 'echo no data >&2; exit 3'"
  silent:
    command: "true"
  copy:
    parameters:
      src: path
    command: "sh copy.sh {src}"
  wait:
    parameters:
      marker: string
    command: "sh wait.sh {marker}"
`;

// Records its pid, then waits to be stopped.
const WAIT = `echo $$ > "$1.tmp" && mv "$1.tmp" "$1"
exec sleep 120
`;

// y = slope * x + 1; the data goes to the run's artifacts, its URI to the outputs file.
const MAKE_DATA = `set -e
rows="$1"
slope="$2"
out="$RECIPE_ARTIFACTS_DIR/data.csv"
echo "x,y" > "$out"
i=1
while [ "$i" -le "$rows" ]; do
  echo "$i,$(awk -v x="$i" -v s="$slope" 'BEGIN { print s * x + 1 }')" >> "$out"
  i=$((i + 1))
done
printf '{"dataset": "%s"}' "$RECIPE_ARTIFACT_URI/data.csv" > "$RECIPE_OUTPUTS_FILE"
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: 'pipe' }).toString().trim();
}

function initRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
}

function recipeYaml(ingest: string): string {
  return `recipe: regression/v1
target_col: y
steps:
  ingest:
${ingest
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
  split:
    split_ratios: [0.6, 0.2, 0.2]
`;
}

/** A recipe repository whose ingest runs ./etl; returns the dir and a SQLite tracking URI. */
function makeRepo(ingest: string, withProject = true): { dir: string; uri: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-projstep-'));
  const db = mkdtempSync(join(tmpdir(), 'mlrecipe-projstep-db-'));
  dirs.push(dir, db);
  writeFileSync(join(dir, 'recipe.yaml'), recipeYaml(ingest));
  writeFileSync(join(dir, '.gitignore'), '.recipe/\nmlruns/\n');
  if (withProject) {
    mkdirSync(join(dir, 'etl'));
    writeFileSync(join(dir, 'etl', 'MLproject'), MLPROJECT);
    writeFileSync(join(dir, 'etl', 'make-data.sh'), MAKE_DATA);
    writeFileSync(join(dir, 'etl', 'wait.sh'), WAIT);
    writeFileSync(
      join(dir, 'etl', 'copy.sh'),
      'cp "$1" "$RECIPE_ARTIFACTS_DIR/copy.csv"\nprintf \'{"dataset": "%s"}\' "$RECIPE_ARTIFACT_URI/copy.csv" > "$RECIPE_OUTPUTS_FILE"\n',
    );
  }
  initRepo(dir);
  return { dir, uri: `sqlite:///${join(db, 'tracking.db')}` };
}

const LOCAL_INGEST = `using: project
uri: ./etl
entry_point: main
parameters: {rows: 20}
output: dataset`;

async function openStore(uri: string): Promise<TrackingStore> {
  const store = await openTrackingStore(uri);
  stores.push(store);
  return store;
}

const tagsOf = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const paramsOf = (run: Run) => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));

/** Runs of the experiment whose mlflow.parentRunId is `parentRunId`. */
async function childRuns(store: TrackingStore, experimentId: string, parentRunId: string): Promise<Run[]> {
  const page = await store.searchRuns({ experimentIds: [experimentId], maxResults: 1000 });
  return page.runs.filter((r) => tagsOf(r)['mlflow.parentRunId'] === parentRunId);
}

function run(dir: string, uri: string) {
  return runRecipe({ recipeDir: dir, steps: ['split'], recorder: trackingRecorder({ trackingUri: uri }) });
}

const states = (result: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(result.outcomes.map((o) => [o.step, o.state]));

describe('ingest using: project', () => {
  it('runs the entry point as a child run, caches it, and re-runs ingest and split when the script changes', async () => {
    const { dir, uri } = makeRepo(LOCAL_INGEST);

    const first = await run(dir, uri);
    expect(first.error).toBeUndefined();
    expect(states(first)).toEqual({ ingest: 'ran', split: 'ran' });
    const store = await openStore(uri);
    const experimentId = first.experimentId as string;
    const children = await childRuns(store, experimentId, first.runId as string);
    expect(children).toHaveLength(1);
    const child = children[0] as Run;
    expect(child.info.status).toBe('FINISHED');
    expect(paramsOf(child)).toEqual({ rows: '20', slope: '2' });
    expect(tagsOf(child)).toMatchObject({
      'mlflow.project.entryPoint': 'main',
      'mlflow.source.type': 'PROJECT',
      'mlrecipe.output.dataset': expect.stringMatching(/data\.csv$/),
    });
    const parent = await store.getRun(first.runId as string);
    expect(tagsOf(parent)['mlrecipe.step.ingest.project_run_id']).toBe(child.info.run_id);

    // The dataset is the project's CSV, read as ingest reads data; the card names the run.
    const ingest = first.outcomes.find((o) => o.step === 'ingest');
    expect(ingest?.outputs.dataset).toBe('dataset.arrow');
    expect(existsSync(join(ingest?.dir as string, 'dataset.arrow'))).toBe(true);
    const card = JSON.parse(readFileSync(join(ingest?.dir as string, 'card.json'), 'utf8')) as {
      data: { rows: number; columns: number; using: string; format: string; project: { run_id: string } };
    };
    expect(card.data).toMatchObject({ rows: 20, columns: 2, using: 'project', format: 'csv' });
    expect(card.data.project.run_id).toBe(child.info.run_id);
    expect(readFileSync(join(ingest?.dir as string, 'card.html'), 'utf8')).toContain(child.info.run_id);

    // Nothing changed: everything is served from the cache and no project run is made.
    const second = await run(dir, uri);
    expect(states(second)).toEqual({ ingest: 'cached', split: 'cached' });
    expect(await childRuns(store, experimentId, second.runId as string)).toHaveLength(0);

    // A commit elsewhere in the repository is not a change of the project's code.
    writeFileSync(join(dir, 'README.md'), 'notes\n');
    git(dir, 'add', 'README.md');
    git(dir, 'commit', '-q', '-m', 'notes');
    const third = await run(dir, uri);
    expect(states(third)).toEqual({ ingest: 'cached', split: 'cached' });

    // Editing the project's script re-runs ingest (and split below it); status says why first.
    const script = join(dir, 'etl', 'make-data.sh');
    writeFileSync(script, readFileSync(script, 'utf8').replace('print s * x + 1', 'print s * x + 5'));
    const status = await recipeStatus({ recipeDir: dir });
    const ingestStatus = status.find((s) => s.step === 'ingest');
    expect(ingestStatus?.state).toBe('stale');
    expect(ingestStatus?.reasons).toContain('code etl/make-data.sh modified');
    const fourth = await run(dir, uri);
    expect(fourth.error).toBeUndefined();
    expect(states(fourth)).toEqual({ ingest: 'ran', split: 'ran' });
    expect(await childRuns(store, experimentId, fourth.runId as string)).toHaveLength(1);
    expect(fourth.outcomes[0]?.fingerprint).not.toBe(first.outcomes[0]?.fingerprint);

    // A changed parameter re-runs the project too.
    writeFileSync(join(dir, 'recipe.yaml'), recipeYaml(LOCAL_INGEST.replace('rows: 20', 'rows: 12')));
    const fifth = await run(dir, uri);
    expect(states(fifth)).toEqual({ ingest: 'ran', split: 'ran' });
    const fifthIngest = fifth.outcomes.find((o) => o.step === 'ingest');
    const fifthCard = JSON.parse(readFileSync(join(fifthIngest?.dir as string, 'card.json'), 'utf8')) as {
      data: { rows: number };
    };
    expect(fifthCard.data.rows).toBe(12);
  });

  it('a git project URI is identified by the commit its version resolves to', async () => {
    const project = mkdtempSync(join(tmpdir(), 'mlrecipe-projstep-src-'));
    dirs.push(project);
    writeFileSync(join(project, 'MLproject'), MLPROJECT);
    writeFileSync(join(project, 'make-data.sh'), MAKE_DATA);
    initRepo(project);
    const { dir, uri } = makeRepo(
      `using: project\nuri: file://${project}\nversion: main\nparameters: {rows: 8}\noutput: dataset`,
      false,
    );
    const first = await run(dir, uri);
    expect(first.error).toBeUndefined();
    expect(states(first)).toEqual({ ingest: 'ran', split: 'ran' });
    const store = await openStore(uri);
    const [child] = await childRuns(store, first.experimentId as string, first.runId as string);
    expect(tagsOf(child as Run)['mlflow.source.git.commit']).toBe(git(project, 'rev-parse', 'HEAD'));

    expect(states(await run(dir, uri))).toEqual({ ingest: 'cached', split: 'cached' });

    // A new commit on the branch the recipe follows is new code.
    writeFileSync(join(project, 'make-data.sh'), MAKE_DATA.replace('print s * x + 1', 'print s * x - 1'));
    git(project, 'commit', '-q', '-am', 'change');
    const third = await run(dir, uri);
    expect(states(third)).toEqual({ ingest: 'ran', split: 'ran' });
    const [again] = await childRuns(store, third.experimentId as string, third.runId as string);
    expect(tagsOf(again as Run)['mlflow.source.git.commit']).toBe(git(project, 'rev-parse', 'HEAD'));
  });

  it('a failing entry point fails ingest, naming the run; an entry point without the output says what to write', async () => {
    const { dir, uri } = makeRepo(
      LOCAL_INGEST.replace('entry_point: main', 'entry_point: broken').replace(
        'parameters: {rows: 20}\n',
        '',
      ),
    );
    const failed = await run(dir, uri);
    expect(states(failed)).toEqual({ ingest: 'failed', split: 'skipped' });
    expect(failed.error?.message).toMatch(
      /step project broken failed: run [0-9a-f]{32} ended FAILED \(exit code 3\)/,
    );
    const store = await openStore(uri);
    const [child] = await childRuns(store, failed.experimentId as string, failed.runId as string);
    expect(child?.info.status).toBe('FAILED');

    writeFileSync(
      join(dir, 'recipe.yaml'),
      recipeYaml(
        LOCAL_INGEST.replace('entry_point: main', 'entry_point: silent').replace(
          'parameters: {rows: 20}\n',
          '',
        ),
      ),
    );
    const missing = await run(dir, uri);
    expect(states(missing)).toEqual({ ingest: 'failed', split: 'skipped' });
    expect(missing.error?.message).toMatch(/has no output "dataset"/);
    expect(missing.error?.hint).toMatch(/\$RECIPE_OUTPUTS_FILE/);
  });

  it('SIGINT to recipe run stops the project command and records both runs KILLED', async () => {
    const markerDir = mkdtempSync(join(tmpdir(), 'mlrecipe-projstep-marker-'));
    dirs.push(markerDir);
    const marker = join(markerDir, 'pid');
    const { dir, uri } = makeRepo(
      `using: project\nuri: ./etl\nentry_point: wait\nparameters: {marker: ${JSON.stringify(marker)}}\noutput: dataset`,
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const runner = fileURLToPath(new URL('./project-step-runner.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', tsx, runner, dir, uri], {
      cwd: dir,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    // The marker is created before the pid is written into it: wait for the whole pid.
    while (!existsSync(marker) || !/^\d+\s*$/.test(readFileSync(marker, 'utf8'))) {
      if (Date.now() > deadline) throw new Error(`the project command did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const pid = Number(readFileSync(marker, 'utf8').trim());
    child.kill('SIGINT');
    expect(await done).toBe(130);
    // The command (in its own process group) ends, not orphaned: it gets SIGTERM at once and
    // SIGKILL after 10 s, so on a loaded machine it may still be exiting when the runner has.
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const gone = Date.now() + 20_000;
    while (alive() && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);

    const store = await openStore(uri);
    const experiment = await store.getExperimentByName(dir.split('/').pop() as string);
    const runs = (await store.searchRuns({ experimentIds: [experiment?.experiment_id as string] })).runs;
    expect(runs).toHaveLength(2);
    const recipeRun = runs.find((r) => tagsOf(r)['mlflow.source.type'] === 'RECIPE') as Run;
    const projectRun = runs.find((r) => tagsOf(r)['mlflow.source.type'] === 'PROJECT') as Run;
    expect(recipeRun.info.status).toBe('KILLED');
    expect(projectRun.info.status).toBe('KILLED');
    expect(tagsOf(projectRun)['mlflow.parentRunId']).toBe(recipeRun.info.run_id);
  });

  it('ingest_scoring runs a project too; a relative output path is read from the project directory', async () => {
    const { dir, uri } = makeRepo(LOCAL_INGEST);
    // This entry point leaves its file in the project directory (gitignored, so not code).
    writeFileSync(join(dir, 'etl', 'MLproject'), `${MLPROJECT}  local:\n    command: "sh local.sh"\n`);
    writeFileSync(
      join(dir, 'etl', 'local.sh'),
      `printf 'x,y\\n1,2\\n3,4\\n' > out.csv\nprintf '{"scoring": "out.csv"}' > "$RECIPE_OUTPUTS_FILE"\n`,
    );
    writeFileSync(join(dir, 'etl', '.gitignore'), 'out.csv\n');
    writeFileSync(
      join(dir, 'recipe.yaml'),
      `${recipeYaml(LOCAL_INGEST)}  ingest_scoring:\n    using: project\n    uri: ./etl\n    entry_point: local\n    output: scoring\n`,
    );
    const first = await runRecipe({
      recipeDir: dir,
      steps: ['ingest_scoring'],
      recorder: trackingRecorder({ trackingUri: uri }),
    });
    expect(first.error).toBeUndefined();
    expect(states(first)).toEqual({ ingest_scoring: 'ran' });
    const outcome = first.outcomes[0];
    const card = JSON.parse(readFileSync(join(outcome?.dir as string, 'card.json'), 'utf8')) as {
      data: { rows: number; project: { output_value: string } };
    };
    expect(card.data).toMatchObject({ rows: 2, project: { output_value: 'out.csv' } });
    const again = await runRecipe({ recipeDir: dir, steps: ['ingest_scoring'] });
    expect(states(again)).toEqual({ ingest_scoring: 'cached' });
  });

  it('data a path parameter names is an input: touching it re-runs nothing, editing it re-runs ingest', async () => {
    const { dir, uri } = makeRepo(
      'using: project\nuri: ./etl\nentry_point: copy\nparameters: {src: data/raw.csv}\noutput: dataset',
    );
    mkdirSync(join(dir, 'data'));
    const raw = join(dir, 'data', 'raw.csv');
    writeFileSync(raw, 'x,y\n1,3\n2,5\n3,7\n4,9\n5,11\n');
    const first = await run(dir, uri);
    expect(first.error).toBeUndefined();
    expect(first.outcomes[0]?.state).toBe('ran');
    writeFileSync(raw, readFileSync(raw));
    expect((await run(dir, uri)).outcomes[0]?.state).toBe('cached');
    writeFileSync(raw, 'x,y\n1,3\n2,5\n3,7\n4,9\n5,11\n6,13\n');
    const status = await recipeStatus({ recipeDir: dir });
    expect(status.find((s) => s.step === 'ingest')?.reasons).toContain('input data/raw.csv modified');
    const third = await run(dir, uri);
    expect(third.outcomes[0]?.state).toBe('ran');
    const card = JSON.parse(readFileSync(join(third.outcomes[0]?.dir as string, 'card.json'), 'utf8')) as {
      data: { rows: number };
    };
    expect(card.data.rows).toBe(6);
  });

  it('isGitUri decides as parseProjectUri does', () => {
    const uris = [
      './etl',
      'etl#sub',
      '/abs/etl',
      '',
      'https://github.com/o/r',
      'https://github.com/o/r#sub/dir',
      'git@github.com:o/r.git',
      'ssh://git@host/o/r',
      'git://host/o/r',
      'file:///tmp/repo#x',
      'C:\\projects\\etl',
      'dir:with-colon',
    ];
    for (const uri of uris) expect([uri, isGitUri(uri)]).toEqual([uri, parseProjectUri(uri).kind === 'git']);
  });

  it('outputFile: file URIs, absolute paths, project-relative paths; other URIs are refused', () => {
    const base = { kind: 'ingest' as const, name: 'dataset', runId: 'r1' };
    expect(outputFile({ ...base, value: 'file:///tmp/a%20b.csv' })).toBe('/tmp/a b.csv');
    expect(outputFile({ ...base, value: '/data/x.csv' })).toBe('/data/x.csv');
    expect(outputFile({ ...base, value: 'out/x.csv', projectDir: '/p/etl' })).toBe('/p/etl/out/x.csv');
    expect(() => outputFile({ ...base, value: 's3://bucket/x.csv' })).toThrow(/not a local file/);
    expect(() => outputFile({ ...base, value: 'x.csv' })).toThrow(
      /relative path \(x\.csv\) in a git project/,
    );
  });

  it('validation: using: project needs uri and output; project fields elsewhere are errors at their lines', () => {
    const { dir } = makeRepo('using: project\nentry_point: main\nlocation: data.csv', false);
    let error: unknown;
    try {
      loadRecipe({ recipeDir: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((i) => `${i.line}:${i.path}: ${i.message}`);
    expect(issues).toEqual([
      '5:steps.ingest.using: using: project needs uri',
      '5:steps.ingest.using: using: project needs output',
      '7:steps.ingest.location: location is not used with using: project',
    ]);

    writeFileSync(join(dir, 'recipe.yaml'), recipeYaml('using: csv\nlocation: data.csv\noutput: dataset'));
    expect(() => loadRecipe({ recipeDir: dir })).toThrow(
      /steps\.ingest\.output: output applies to using: project only/,
    );
  });
});
