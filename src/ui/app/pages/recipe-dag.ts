/**
 * The DAG of a recipe run, drawn from what the run recorded: `mlrecipe.step.<step>.state` tags
 * (ran, cached, failed, skipped) and `step.<step>.duration_s` metrics.
 */
import { svg } from '../dom.js';
import type { Run } from '../types.js';

/** The recipe steps and what each reads from (MLflow Recipes' regression/classification DAG). */
const UPSTREAM: Record<string, string[]> = {
  ingest: [],
  split: ['ingest'],
  transform: ['split'],
  train: ['transform', 'split'],
  evaluate: ['train', 'split'],
  register: ['evaluate', 'train'],
  ingest_scoring: [],
  predict: ['ingest_scoring', 'register'],
};

export interface RecipeStepState {
  step: string;
  state: string;
  durationS?: number;
}

const STEP_TAG = /^mlrecipe\.step\.([A-Za-z0-9_]+)\.state$/;

export function recipeSteps(run: Run): RecipeStepState[] {
  const steps: RecipeStepState[] = [];
  for (const tag of run.data.tags ?? []) {
    const match = STEP_TAG.exec(tag.key);
    if (!match) continue;
    const duration = run.data.metrics?.find((m) => m.key === `step.${match[1]}.duration_s`);
    steps.push({
      step: match[1],
      state: tag.value,
      ...(duration ? { durationS: Number(duration.value) } : {}),
    });
  }
  const order = Object.keys(UPSTREAM);
  return steps.sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
}

export function recipeDag(steps: RecipeStepState[]): SVGElement {
  const present = new Set(steps.map((s) => s.step));
  const level = new Map<string, number>();
  const levelOf = (step: string): number => {
    const known = level.get(step);
    if (known !== undefined) return known;
    const ups = (UPSTREAM[step] ?? []).filter((u) => present.has(u));
    const value = ups.length ? Math.max(...ups.map(levelOf)) + 1 : 0;
    level.set(step, value);
    return value;
  };
  const rows = new Map<number, number>();
  const position = new Map<string, { x: number; y: number }>();
  const scoring = (step: string) => step === 'ingest_scoring' || step === 'predict';
  for (const { step } of steps) {
    const col = levelOf(step);
    const row = scoring(step) ? 1 : (rows.get(col) ?? 0);
    rows.set(col, row + 1);
    position.set(step, { x: 20 + col * 150, y: 20 + row * 80 });
  }
  const width = Math.max(...[...position.values()].map((p) => p.x)) + 150;
  const height = Math.max(...[...position.values()].map((p) => p.y)) + 70;
  const root = svg('svg', { class: 'dag', width, height, viewBox: `0 0 ${width} ${height}` });
  for (const { step } of steps) {
    for (const up of UPSTREAM[step] ?? []) {
      const from = position.get(up);
      const to = position.get(step);
      if (!from || !to) continue;
      root.appendChild(
        svg('path', {
          d: `M${from.x + 120},${from.y + 25} C${from.x + 135},${from.y + 25} ${to.x - 15},${to.y + 25} ${to.x},${to.y + 25}`,
          class: 'dag-edge',
          fill: 'none',
        }),
      );
    }
  }
  for (const s of steps) {
    const p = position.get(s.step);
    if (!p) continue;
    const node = svg('g', { class: `dag-node state-${s.state}`, 'data-step': s.step, 'data-state': s.state });
    node.appendChild(svg('rect', { x: p.x, y: p.y, width: 120, height: 50, rx: 6 }));
    node.appendChild(
      svg('text', { x: p.x + 60, y: p.y + 21, 'text-anchor': 'middle', class: 'dag-name' }, s.step),
    );
    const detail = s.durationS !== undefined ? `${s.state} · ${s.durationS.toFixed(2)} s` : s.state;
    node.appendChild(
      svg('text', { x: p.x + 60, y: p.y + 38, 'text-anchor': 'middle', class: 'dag-state' }, detail),
    );
    root.appendChild(node);
  }
  return root;
}
