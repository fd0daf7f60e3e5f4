#!/usr/bin/env node
/**
 * Writes src/steps/recipe-config.ts, the TypeScript types of a resolved recipe.yaml, from
 * schema/recipe.schema.json, the one declaration of the recipe's shape (editors read the same
 * file). `--check` writes nothing and exits 1 when the committed file is not what the schema
 * gives (`npm run typecheck` and test/recipes/config-types.test.ts run it).
 *
 * The schema stays untouched: the names of the generated interfaces come from the titles this
 * script puts on a copy of it (TITLES below).
 *
 *   node scripts/recipe-config-types.mjs          # regenerate after editing the schema
 *   node scripts/recipe-config-types.mjs --check
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
/** `--schema <file>` / `--out <file>` replace the defaults (tests check a changed schema). */
function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const schemaFile = option('--schema', `${root}schema/recipe.schema.json`);
const outFile = option('--out', `${root}src/steps/recipe-config.ts`);

/** Schema location (JSON pointer segments) → the interface name it gets. */
const TITLES = [
  [[], 'RecipeConfig'],
  [['definitions', 'ingest'], 'IngestConfig'],
  [['properties', 'steps'], 'StepsConfig'],
  [['properties', 'steps', 'properties', 'split'], 'SplitConfig'],
  [['properties', 'steps', 'properties', 'transform'], 'TransformConfig'],
  [['properties', 'steps', 'properties', 'train'], 'TrainConfig'],
  [['properties', 'steps', 'properties', 'train', 'properties', 'estimator'], 'EstimatorSpec'],
  [['properties', 'steps', 'properties', 'evaluate'], 'EvaluateConfig'],
  [
    ['properties', 'steps', 'properties', 'evaluate', 'properties', 'validation_criteria', 'items'],
    'ValidationCriterion',
  ],
  [['properties', 'steps', 'properties', 'register'], 'RegisterConfig'],
  [['properties', 'steps', 'properties', 'predict'], 'PredictConfig'],
  [['properties', 'steps', 'properties', 'predict', 'properties', 'output'], 'PredictOutputConfig'],
  [['properties', 'custom_metrics', 'items'], 'CustomMetricConfig'],
  [['properties', 'experiment'], 'ExperimentConfig'],
  [['properties', 'model_registry'], 'ModelRegistryConfig'],
];

const BANNER = `/**
 * The shape of a resolved recipe.yaml (profile applied, schema-valid), with MLflow Recipes' field
 * names. GENERATED from schema/recipe.schema.json by scripts/recipe-config-types.mjs: edit the
 * schema, then run \`npm run gen:config-types\` (\`npm run typecheck\` fails while this file is
 * out of date).
 */`;

async function recipeConfigTypes() {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  for (const [path, title] of TITLES) {
    let node = schema;
    for (const segment of path) {
      node = node?.[segment];
      if (node === undefined) throw new Error(`${schemaFile} has no ${path.join('/')}`);
    }
    node.title = title;
  }
  return compile(schema, 'RecipeConfig', {
    bannerComment: BANNER,
    additionalProperties: true,
    // `unknown` for open mappings (estimator params), not `any`.
    unknownAny: true,
    strictIndexSignatures: false,
    style: { singleQuote: true, printWidth: 110 },
  });
}

const generated = await recipeConfigTypes();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(outFile, 'utf8');
  } catch {
    // missing: reported below
  }
  if (current !== generated) {
    process.stderr.write(
      'error: src/steps/recipe-config.ts is not what schema/recipe.schema.json gives\n' +
        'hint: run `npm run gen:config-types` and commit the result\n',
    );
    process.exit(1);
  }
} else {
  writeFileSync(outFile, generated);
  process.stdout.write(`wrote ${outFile}\n`);
}
