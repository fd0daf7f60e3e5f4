// Import boundaries between mlrecipe's modules, checked by `npm run lint` (depcruise).
//
// DESIGN.md: imports point one way, down LAYERS; `steps` get what they need from their context,
// never from `recipes/` internals; `registry` never imports `steps`; no import cycles. Type-only
// imports count too (tsPreCompilationDeps), so a cycle cannot hide behind `import type`, and so
// do dynamic `import()`s: loading a module lazily does not make an upward import right.
// test/lint/import-boundaries.test.ts proves that this configuration fails on a bad fixture.

/** Top to bottom: a module may import the modules of the layers below its own. */
export const LAYERS = [
  ['cli'],
  ['server', 'queue'],
  ['recipes', 'projects', 'sweeps'],
  ['steps'],
  ['registry', 'models', 'python'],
  ['ml', 'data'],
  ['tracking'],
  // Single files at the bottom, importable from everywhere.
  ['errors.ts', 'display-path.ts', 'atomic-write.ts', 'dag-executor.ts'],
];

/**
 * Imports allowed between two modules of the same layer, in one direction only (the reverse is
 * forbidden, which keeps the pair from forming a cycle at the module level).
 */
export const SAME_LAYER = {
  recipes: ['projects', 'sweeps'],
  sweeps: ['projects'],
  server: ['queue'],
  registry: ['models', 'python'],
  models: ['python'],
  data: ['ml'],
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The path pattern of a module: a folder under src/, or one file directly in src/. */
const pathOf = (name) => (name.endsWith('.ts') ? `^src/${escape(name)}$` : `^src/${escape(name)}/`);

function layerRules() {
  const rules = [];
  LAYERS.forEach((layer, index) => {
    for (const name of layer) {
      const allowedSiblings = SAME_LAYER[name] ?? [];
      const forbidden = LAYERS.slice(0, index + 1)
        .flat()
        .filter((other) => other !== name && !allowedSiblings.includes(other));
      if (forbidden.length === 0) continue;
      rules.push({
        name: `layer-${name.replace(/\.ts$/, '')}`,
        comment:
          `src/${name} may import only modules of the layers below it (DESIGN.md: ` +
          `${LAYERS.map((l) => l.join('/')).join(' → ')}); pass what it needs in through a ` +
          'parameter or context, or move the shared code down',
        severity: 'error',
        from: { path: pathOf(name) },
        to: { path: forbidden.map(pathOf) },
      });
    }
  });
  return rules;
}

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'an import cycle (type-only imports included): move the shared declarations into the ' +
        'file that is imported, or into a module below both',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'one-dag-executor',
      comment:
        'recipe steps and workflow steps are scheduled by src/dag-executor.ts alone (issue 15: one ' +
        'executor, so both follow the same rules); give it a task list instead of a queue of your ' +
        "own. Sweeps' trial scheduler is not a DAG and keeps its own queue",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/dag-executor\\.ts$', '^src/sweeps/'] },
      to: { path: ['(^|/)node_modules/p-queue/', '^p-queue$'] },
    },
    ...layerRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
