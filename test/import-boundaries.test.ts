// The import-boundary rules of `npm run lint` (.dependency-cruiser.js, DESIGN.md's layer order and
// no cycles): the source tree keeps them, and they do fail on deliberately bad trees, so that a
// new cycle or an upward import cannot slip through a rule that never fires.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Violation {
  rule: string;
  from: string;
  to: string;
}

async function violations(baseDir: string): Promise<Violation[]> {
  const config = (await import(pathToFileURL(join(root, '.dependency-cruiser.js')).href)) as {
    default: { forbidden: IForbiddenRuleType[] };
  };
  const result = await cruise(
    ['src'],
    {
      baseDir,
      ruleSet: { forbidden: config.default.forbidden },
      tsPreCompilationDeps: true,
      validate: true,
      doNotFollow: { path: 'node_modules' },
    },
    // NodeNext sources import `./x.js` meaning `./x.ts`.
    { extensionAlias: { '.js': ['.ts', '.js'] } },
  );
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  return result.output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

const fixtures: string[] = [];
afterAll(() => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway source tree: path under src/ → file text. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlrecipe-imports-'));
  fixtures.push(dir);
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, 'src', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

describe('import boundaries', () => {
  it('the source tree has no import cycle and no upward import (besides the listed known ones)', async () => {
    const known = JSON.parse(
      readFileSync(join(root, '.dependency-cruiser-known-violations.json'), 'utf8'),
    ) as Array<{
      from: string;
      to: string;
      rule: { name: string };
    }>;
    const isKnown = (v: Violation): boolean =>
      known.some((k) => k.from === v.from && k.to === v.to && k.rule.name === v.rule);
    expect((await violations(root)).filter((v) => !isKnown(v))).toEqual([]);
  });

  it('fails on a type-only two-file cycle, a runtime three-file cycle and upward imports', async () => {
    const dir = tree({
      // The shape of the recipes/load ↔ validate circle: type imports both ways.
      'recipes/load.ts':
        "import type { Locator } from './validate.js';\nexport type ConfigPath = string[];\nexport const locate = (l: Locator): Locator => l;\n",
      'recipes/validate.ts':
        "import type { ConfigPath } from './load.js';\nexport type Locator = (p: ConfigPath) => number;\n",
      'ml/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'ml/b.ts': "import { c } from './c.js';\nexport const b = (): number => c();\n",
      'ml/c.ts': "import { a } from './a.js';\nexport const c = (): number => a();\n",
      // A step reaching into the engine, and the registry loading a step lazily.
      'steps/train.ts': "import { locate } from '../recipes/load.js';\nexport const train = locate;\n",
      'registry/gate.ts':
        "export async function gate(): Promise<unknown> {\n  return (await import('../steps/train.js')).train;\n}\n",
      // Same layer, the forbidden direction (projects may not import recipes).
      'projects/run.ts':
        "import type { ConfigPath } from '../recipes/load.js';\nexport type Run = ConfigPath;\n",
      'tracking/store.ts': "import { DataError } from '../errors.js';\nexport const store = DataError;\n",
      'errors.ts':
        "import { store } from './tracking/store.js';\nexport class DataError extends Error {}\nexport const s = store;\n",
    });
    const found = await violations(dir);
    const rules = (rule: string): string[] =>
      found.filter((v) => v.rule === rule).map((v) => `${v.from} → ${v.to}`);
    expect(rules('no-circular')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/recipes\/(load|validate)\.ts → src\/recipes\/(validate|load)\.ts$/),
        expect.stringMatching(/^src\/ml\/[abc]\.ts → src\/ml\/[abc]\.ts$/),
      ]),
    );
    expect(rules('layer-steps')).toEqual(['src/steps/train.ts → src/recipes/load.ts']);
    expect(rules('layer-registry')).toEqual(['src/registry/gate.ts → src/steps/train.ts']);
    expect(rules('layer-projects')).toEqual(['src/projects/run.ts → src/recipes/load.ts']);
    expect(rules('layer-errors')).toEqual(['src/errors.ts → src/tracking/store.ts']);
  });

  it('fails on a scheduling queue outside the one DAG executor (src/dag-executor.ts)', async () => {
    const dir = tree({
      'projects/workflow.ts':
        "import PQueue from 'p-queue';\nexport const queue = (): unknown => new PQueue({ concurrency: 2 });\n",
      'recipes/execute.ts':
        "import { executeDag } from '../dag-executor.js';\nexport const run = executeDag;\n",
      'dag-executor.ts':
        "export async function executeDag(): Promise<unknown> {\n  return (await import('p-queue')).default;\n}\n",
      'sweeps/run-sweep.ts': "import PQueue from 'p-queue';\nexport const trials = PQueue;\n",
    });
    const found = await violations(dir);
    expect(found.filter((v) => v.rule === 'one-dag-executor').map((v) => `${v.from} → ${v.to}`)).toEqual([
      'src/projects/workflow.ts → p-queue',
    ]);
  });

  it('lets imports point down the layers', async () => {
    const dir = tree({
      'cli/main.ts': "import { run } from '../recipes/execute.js';\nexport const main = run;\n",
      'recipes/execute.ts':
        "import { train } from '../steps/train.js';\nimport type { Project } from '../projects/project.js';\nexport const run = (p?: Project): unknown => train(p);\n",
      'projects/project.ts':
        "import type { Frame } from '../ml/frame.js';\nexport type Project = { frame: Frame };\n",
      'steps/train.ts':
        "import { fit } from '../models/fit.js';\nexport const train = (x: unknown): unknown => fit(x);\n",
      'models/fit.ts':
        "import type { Frame } from '../ml/frame.js';\nimport { DataError } from '../errors.js';\nexport const fit = (x: unknown): Frame | DataError => (x ? { rows: 1 } : new DataError());\n",
      'ml/frame.ts': 'export interface Frame {\n  rows: number;\n}\n',
      'errors.ts': 'export class DataError extends Error {}\n',
    });
    expect(await violations(dir)).toEqual([]);
  });
});
