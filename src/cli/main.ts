#!/usr/bin/env node
import { buildProgram, reportError } from './program.js';

const verbose = process.argv.includes('--verbose');
try {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, verbose);
}
