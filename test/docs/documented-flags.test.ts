/**
 * Every `recipe …` command line shown in README.md and docs/*.md names a real command, and every
 * option it shows is one that command (or the program) accepts: a renamed or removed flag fails
 * here until the docs follow. Lines are taken from fenced code blocks; `npx` and `$ ` prefixes,
 * `[optional]` brackets, quoted values and trailing comments are read as a shell user would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

interface Shown {
  page: string;
  line: number;
  text: string;
}

/** `recipe …` lines inside fenced blocks, continuation lines joined. */
function shownCommands(page: string): Shown[] {
  const lines = readFileSync(join(repoRoot, page), 'utf8').split('\n');
  const shown: Shown[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trimStart().startsWith('```')) {
      fenced = !fenced;
      continue;
    }
    const match = fenced ? /^\s*(?:\$ )?(?:npx )?recipe( .*)?$/.exec(line) : null;
    if (!match) continue;
    let text = match[1] ?? '';
    const start = i;
    while (text.trimEnd().endsWith('\\') && i + 1 < lines.length)
      text = `${text.trimEnd().slice(0, -1)} ${lines[++i]}`;
    shown.push({ page, line: start + 1, text });
  }
  return shown;
}

/** Words of a shown line: comments, quoted strings, redirections and shell operators dropped. */
function words(text: string): string[] {
  const bare = text
    .replace(/\s#\s.*$/, '')
    .replace(/"[^"]*"|'[^']*'/g, 'VALUE')
    .split(/\s(?:&&|\||>|&)\s|\s&$/)[0] as string;
  return bare.replace(/[[\]]/g, ' ').split(/\s+/).filter(Boolean);
}

function optionNames(command: Command): Set<string> {
  const names = new Set<string>(['--help', '-h']);
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.options) {
      if (option.long) names.add(option.long);
      if (option.short) names.add(option.short);
      if (option.negate && option.long) names.add(option.long);
    }
  }
  return names;
}

describe('recipe commands shown in the docs', async () => {
  const program = await buildProgram();
  const all = pages.flatMap(shownCommands);

  it('finds the documented command lines', () => {
    expect(all.length).toBeGreaterThan(40);
  });

  it.each(all.map((s) => [`${s.page}:${s.line}`, s] as const))(
    '%s names a real command and real options',
    (_where, shown) => {
      const tokens = words(shown.text);
      let command: Command = program;
      let at = 0;
      for (; at < tokens.length; at++) {
        const next = command.commands.find(
          (c) => c.name() === tokens[at] || c.aliases().includes(tokens[at] as string),
        );
        if (!next) break;
        command = next;
      }
      expect(command, `${shown.page}:${shown.line}: "recipe${shown.text}" names no command`).not.toBe(
        program,
      );
      const known = optionNames(command);
      for (const token of tokens.slice(at)) {
        if (!token.startsWith('-') || token === '-' || token === '--') continue;
        const flag = token.split('=')[0] as string;
        expect(
          known.has(flag),
          `${shown.page}:${shown.line}: \`recipe ${command.name()}\` has no option ${flag}`,
        ).toBe(true);
      }
    },
  );
});
