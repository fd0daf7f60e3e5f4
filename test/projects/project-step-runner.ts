/**
 * A real `recipe run --step ingest` process for project-step.test.ts, with the engine's signal
 * handling: `node --import tsx project-step-runner.ts <recipeDir> <trackingUri>`.
 */
import { runRecipe } from '../../src/recipes/execute.js';
import { createProgressReporter } from '../../src/recipes/progress.js';
import { trackingRecorder } from '../../src/recipes/record.js';

const [recipeDir, trackingUri] = process.argv.slice(2);
try {
  const result = await runRecipe({
    recipeDir: recipeDir ?? '.',
    steps: ['ingest'],
    progress: createProgressReporter({ mode: 'plain' }),
    handleSignals: true,
    recorder: trackingRecorder({ trackingUri }),
  });
  process.stdout.write(`${JSON.stringify({ runId: result.runId })}\n`);
  if (result.error) {
    process.stderr.write(`${result.error.message}\n`);
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
