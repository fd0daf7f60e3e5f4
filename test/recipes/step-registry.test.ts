/**
 * The default step registry gives the training chain's steps (ingest, split, transform, train,
 * evaluate, register) as lazy steps (their plan-time side from light modules, run() imported on
 * first use). Their plan-time answers must
 * be the real steps' answers, or a fingerprint would differ between planning and the step.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withProjectSource } from '../../src/projects/project-step.js';
import { evaluateStep } from '../../src/steps/evaluate.js';
import { ingestStep } from '../../src/steps/ingest.js';
import { splitStep } from '../../src/steps/split.js';
import { registerStep } from '../../src/steps/register.js';
import { defaultStepRegistry, lazyStep } from '../../src/recipes/step-registry.js';
import { trainStep } from '../../src/steps/train.js';
import { transformStep } from '../../src/steps/transform.js';
import type { Step, StepContext, StepKind } from '../../src/steps/types.js';

const real: Partial<Record<StepKind, Step>> = {
  transform: transformStep as unknown as Step,
  train: trainStep as unknown as Step,
  evaluate: evaluateStep as unknown as Step,
  register: registerStep as unknown as Step,
};

let withModules: string;
let bare: string;

beforeAll(() => {
  withModules = mkdtempSync(join(tmpdir(), 'mlrecipe-registry-'));
  mkdirSync(join(withModules, 'steps'));
  for (const module of ['transform', 'train', 'custom_metrics', 'split', 'ingest'])
    writeFileSync(join(withModules, 'steps', `${module}.ts`), 'export const x = 1;\n');
  for (const file of ['a.csv', 'b.csv', 'c.json']) writeFileSync(join(withModules, file), 'x\n1\n');
  bare = mkdtempSync(join(tmpdir(), 'mlrecipe-registry-bare-'));
});

afterAll(() => {
  rmSync(withModules, { recursive: true, force: true });
  rmSync(bare, { recursive: true, force: true });
});

describe('lazy steps in the default registry', () => {
  const configs: Array<Record<string, unknown>> = [{}, { using: 'custom' }, { using: 'default' }];

  it.each(Object.keys(real) as StepKind[])('%s answers planning as the real step does', async (kind) => {
    const lazy = await (defaultStepRegistry[kind] as () => Promise<Step>)();
    const step = real[kind] as Step;
    expect(lazy.kind).toBe(step.kind);
    expect(lazy.alwaysRun ?? false).toBe(step.alwaysRun ?? false);
    expect(lazy.fingerprintExtras).toBe(step.fingerprintExtras);
    expect(lazy.honoursAbort).toBe(step.honoursAbort);
    for (const dir of [withModules, bare]) {
      for (const cfg of configs) {
        expect(lazy.codeFiles(cfg, dir)).toEqual(step.codeFiles(cfg, dir));
        expect(await lazy.inputFiles(cfg, dir)).toEqual(await step.inputFiles(cfg, dir));
      }
    }
    // The user modules are found where they exist (the comparison above is not of two empty lists).
    const found = configs.flatMap((cfg) => lazy.codeFiles(cfg, withModules));
    expect(found.length).toBeGreaterThan(0);
  });

  it('imports the step module when run() is called, not before, and hands it the config and context', async () => {
    const calls: unknown[] = [];
    let loads = 0;
    const step = lazyStep({ kind: 'train', codeFiles: () => [], inputFiles: async () => [] }, async () => {
      loads++;
      return {
        kind: 'train',
        codeFiles: () => [],
        inputFiles: async () => [],
        run: async (cfg, ctx) => {
          calls.push([cfg, ctx.outDir]);
          return { outputs: {}, card: { step: 'train', data: {}, sections: [] } };
        },
      };
    });
    expect(loads).toBe(0);
    const ctx = { outDir: '/tmp/out' } as StepContext;
    await step.run({ a: 1 }, ctx);
    expect(loads).toBe(1);
    expect(calls).toEqual([[{ a: 1 }, '/tmp/out']]);
  });

  /** What a plan-time call gives: its value, or the error it throws (message and class). */
  async function outcome(call: () => unknown): Promise<unknown> {
    try {
      return { value: await call() };
    } catch (error) {
      return { error: (error as Error).constructor.name, message: (error as Error).message };
    }
  }

  it.each([
    ['ingest', withProjectSource(ingestStep as unknown as Step)],
    ['split', splitStep as unknown as Step],
  ] as const)('%s (with using: project) answers planning as the real step does', async (kind, step) => {
    const lazy = await (defaultStepRegistry[kind] as () => Promise<Step>)();
    expect(lazy.kind).toBe(step.kind);
    expect(lazy.alwaysRun ?? false).toBe(step.alwaysRun ?? false);
    const configs: Array<Record<string, unknown>> = [
      {},
      { using: 'csv', location: 'a.csv' },
      { using: 'csv', location: '*.csv' },
      { using: 'csv', location: ['b.csv', 'a.csv'] },
      { using: 'json', location: 'missing.json' },
      { using: 'nope', location: 'a.csv' },
      { using: 'csv' },
      { using: 'custom' },
      { using: 'custom', loader_method: 'load' },
      { using: 'custom', loader_method: 'load', location: 'c.json' },
      { post_split_filter_method: 'keep' },
      { using: 'custom', split_method: 'split' },
      { using: 'project', uri: './etl', output: 'dataset' },
    ];
    let answered = 0;
    for (const dir of [withModules, bare]) {
      for (const cfg of configs) {
        const got = await outcome(() => lazy.codeFiles(cfg, dir));
        expect(got).toEqual(await outcome(() => step.codeFiles(cfg, dir)));
        const files = await outcome(() => lazy.inputFiles(cfg, dir));
        expect(files).toEqual(await outcome(() => step.inputFiles(cfg, dir)));
        if (JSON.stringify(got).includes(dir) || JSON.stringify(files).includes(dir)) answered++;
      }
    }
    expect(answered).toBeGreaterThan(0); // not only empty lists and errors
  });
});
