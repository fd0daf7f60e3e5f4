/**
 * The README's quick start and docs/serving.md's requests, run as written: each `recipe …` line
 * through the CLI (in process), `cd` as a change of directory, `recipe models serve` as a real
 * scoring server on port 0, and `curl`/`printf` lines read for their request and sent with fetch.
 * Where the page shows an answer (`# {"predictions": …}` after a command) the answer must match.
 * A change to the template, the CLI or the server that makes a documented command fail, or its
 * documented answer wrong, fails here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServingHandle, serveModel } from '../../src/server/serve.js';
import { sqliteUriForPath } from '../../src/tracking/tracking-uri.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'mlrecipe-quick-start-'));
const env = cleanEnv(root);

let server: ServingHandle | undefined;
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The first fenced block of `lang` after the heading `heading` in a markdown file. */
function fencedBlock(file: string, heading: string, lang: string): string {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const at = text.indexOf(`${heading}\n`);
  if (at < 0) throw new Error(`${file}: no heading ${JSON.stringify(heading)}`);
  const open = text.indexOf(`\`\`\`${lang}\n`, at);
  const close = text.indexOf('\n```', open + 4);
  if (open < 0 || close < 0) throw new Error(`${file}: no \`\`\`${lang} block after ${heading}`);
  return text.slice(open + lang.length + 4, close);
}

interface Command {
  words: string[];
  /** The `# …` line that follows the command in the page: its documented output. */
  shows?: string;
}

/** Shell lines joined at trailing backslashes, comments dropped, split into words as sh would. */
function commands(block: string): Command[] {
  const result: Command[] = [];
  for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
    const shown = /^# (.*)$/.exec(line.trim());
    const last = result.at(-1);
    if (shown?.[1] !== undefined && last) last.shows = shown[1];
    if (shown || line.trim() === '') continue;
    result.push({ words: shellWords(line.replace(/\s+#\s.*$/, '')) });
  }
  return result;
}

/** Splits a command line into words: single quotes are literal, double quotes and \ escapes as sh. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; line[i] !== '"'; i++) text += line[i] === '\\' ? (line[++i] as string) : line[i];
      word = (word ?? '') + text;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The value after `flag` in `words`. */
function option(words: string[], ...flags: string[]): string | undefined {
  const at = words.findIndex((w) => flags.includes(w));
  return at < 0 ? undefined : words[at + 1];
}

/** printf's escapes (the ones the pages use). */
function printfText(format: string): string {
  return format.replaceAll('\\n', '\n').replaceAll('\\t', '\t');
}

interface Outcome {
  stdout: string;
  /** What a terminal shows: stdout and stderr. */
  output?: string;
}

/** Runs one documented command in `state.cwd`, as the page means it. */
async function run(command: Command, state: { cwd: string }): Promise<Outcome> {
  const words = command.words.at(-1) === '&' ? command.words.slice(0, -1) : command.words;
  const [program, ...args] = words;
  if (program === 'cd') {
    state.cwd = join(state.cwd, args[0] as string);
    return { stdout: '' };
  }
  if (program === 'printf') {
    const target = words.indexOf('>');
    writeFileSync(join(state.cwd, words[target + 1] as string), printfText(args[0] as string));
    return { stdout: '' };
  }
  if (program === 'curl') {
    if (!server) throw new Error('curl before `recipe models serve`');
    const url = (args.find((w) => w.includes('/invocations')) as string).replace(
      /^(http:\/\/)?localhost:\d+/,
      server.url,
    );
    const header = option(args, '-H') as string;
    const data = option(args, '-d', '--data-binary') as string;
    const body = data.startsWith('@') ? readFileSync(join(state.cwd, data.slice(1)), 'utf8') : data;
    const [name, value] = header.split(/:\s*/) as [string, string];
    const response = await fetch(url, { method: 'POST', headers: { [name]: value }, body });
    const text = await response.text();
    expect(response.status, `${words.join(' ')} answered ${text}`).toBe(200);
    return { stdout: text };
  }
  expect(program, `an unexpected command in the page: ${words.join(' ')}`).toBe('recipe');
  if (args[0] === 'models' && args[1] === 'serve') {
    await server?.close();
    server = await serveModel({
      modelUri: option(args, '-m', '--model-uri') as string,
      port: 0,
      trackingUri: sqliteUriForPath(join(state.cwd, 'mlruns', 'tracking.db')),
      log: () => undefined,
    });
    return { stdout: '' };
  }
  const result = await runCli(args, { cwd: state.cwd, env });
  expect(result.code, `recipe ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return { stdout: result.stdout, output: result.stdout + result.stderr };
}

/** Predictions in an answer, for comparing with the documented ones. */
function predictions(answer: string): number[] {
  return (JSON.parse(answer) as { predictions: number[] }).predictions;
}

describe('the README quick start and docs/serving.md, run as written', () => {
  const state = { cwd: root };

  it('README "Quick start in your own repository": every command succeeds, the second run is cached', async () => {
    const list = commands(fencedBlock('README.md', '## Quick start in your own repository', 'sh'));
    expect(list.length).toBeGreaterThan(8);
    let runs = 0;
    for (const command of list) {
      const { stdout, output } = await run(command, state);
      if (command.words[0] === 'recipe' && command.words[1] === 'run' && ++runs === 2) {
        // The README says: ingest … evaluate "cached"; register says "unchanged".
        for (const step of ['ingest', 'split', 'transform', 'train', 'evaluate']) {
          expect(stdout).toMatch(new RegExp(`^${step}\\s+cached\\s`, 'm'));
        }
        expect(output).toMatch(/\[register\] unchanged: the model is identical to cars-mpg@champion/);
      }
      if (command.words[0] === 'curl') expect(predictions(stdout)).toHaveLength(1);
    }
    expect(runs).toBe(2);
    expect(server).toBeDefined();
  }, 120_000);

  it('docs/serving.md: every request body scores against the template model', async () => {
    const bodies = fencedBlock('docs/serving.md', '### Request bodies', 'jsonc')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => line.replace(/\s+\/\/.*$/, ''));
    expect(bodies.length).toBe(5);
    for (const body of bodies) {
      const { stdout } = await run(
        { words: ['curl', 'localhost:5001/invocations', '-H', 'content-type: application/json', '-d', body] },
        state,
      );
      const parsed = JSON.parse(body) as Record<string, unknown>;
      const rows = JSON.stringify(parsed).includes('"Japan"') ? 2 : 1;
      expect(predictions(stdout), body).toHaveLength(rows);
    }
  });

  it('docs/serving.md "Example": the commands answer what the page shows', async () => {
    const list = commands(fencedBlock('docs/serving.md', '### Example', 'sh'));
    let compared = 0;
    for (const command of list) {
      const { stdout } = await run(command, state);
      if (command.shows === undefined) continue;
      const shown = predictions(command.shows);
      const got = predictions(stdout);
      expect(got).toHaveLength(shown.length);
      shown.forEach((value, i) => expect(got[i]).toBeCloseTo(value, 9));
      compared++;
    }
    expect(compared).toBe(2);
  });
});
