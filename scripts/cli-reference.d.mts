/** Types for cli-reference.mjs (used by test/cli/reference.test.ts). */
export function cliReference(): Promise<string>;
