import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that spawn the CLI run the compiled dist/; build it once per test run.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests make real git commits; a fresh CI machine has no git identity configured.
    env: {
      GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? 'mlrecipe tests',
      GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? 'tests@mlrecipe.invalid',
      GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? 'mlrecipe tests',
      GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? 'tests@mlrecipe.invalid',
    },
  },
});
