#!/usr/bin/env node
// Writes docs/cli.md from the CLI's own --help texts, so the reference never drifts from the
// code: `npm run docs:cli` after changing a command. test/cli/reference.test.ts checks that the
// committed file is current.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { buildProgram } = await import(join(root, 'dist', 'cli', 'program.js'));

export async function cliReference() {
  const program = await buildProgram();
  const sections = [];
  const walk = (command, path) => {
    const name = path.join(' ');
    command.configureOutput({ getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });
    sections.push(`## \`${name}\`\n\n\`\`\`\n${command.helpInformation().trimEnd()}\n\`\`\`\n`);
    for (const sub of command.commands) {
      if (sub.name() === 'help') continue;
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(program, ['recipe']);
  return `# CLI reference\n\nGenerated from \`recipe … --help\` by \`npm run docs:cli\`; do not edit by hand.\n\n${sections.join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(join(root, 'docs', 'cli.md'), await cliReference());
  console.log('wrote docs/cli.md');
}
