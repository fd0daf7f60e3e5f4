import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';

// The generator runs against the compiled dist/ (built by the global setup).
const { cliReference } = (await import('../../scripts/cli-reference.mjs')) as {
  cliReference: () => Promise<string>;
};
// dist/cli is an esbuild bundle (scripts/bundle-cli.mjs) without type declarations.
const { buildProgram } = (await import(new URL('../../dist/cli/program.js', import.meta.url).href)) as {
  buildProgram: () => Promise<Command>;
};

describe('CLI reference', () => {
  it('docs/cli.md is what `npm run docs:cli` generates from the current --help texts', async () => {
    const committed = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(committed).toBe(await cliReference());
  });

  it('every command and option has a description', async () => {
    const missing: string[] = [];
    const walk = (command: Command, path: string) => {
      if (!command.description()) missing.push(path);
      for (const option of command.options) if (!option.description) missing.push(`${path} ${option.flags}`);
      for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`);
    };
    walk(await buildProgram(), 'recipe');
    expect(missing).toEqual([]);
  });
});
