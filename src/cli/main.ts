#!/usr/bin/env node
import { buildProgram, reportError } from './program.js';

const verbose = process.argv.includes('--verbose');
try {
  // Loads only the command group argv names (see groupsToLoad): start-up cost is per command.
  const program = await buildProgram({ argv: process.argv });
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, verbose);
}
