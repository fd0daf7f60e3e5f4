/**
 * toProtoJson writes MLflow's protobuf JSON: non-finite doubles as strings, empty repeated fields
 * unset. Table-driven against the plain definition (JSON.stringify with a replacer).
 */
import { describe, expect, it } from 'vitest';
import { toProtoJson } from '../../src/server/tracking/proto-json.js';

/** The definition, written the slow and obvious way. */
function reference(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v))
      return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    if (Array.isArray(v) && v.length === 0) return undefined;
    return v;
  });
}

describe('toProtoJson', () => {
  it.each<[string, object]>([
    [
      'non-finite metric values',
      {
        metrics: [
          { key: 'a', value: Number.NaN },
          { key: 'b', value: Infinity },
          { key: 'c', value: -Infinity },
          { key: 'd', value: 1.5 },
        ],
      },
    ],
    [
      'empty lists, nested and at the top',
      {
        experiments: [],
        run: { data: { params: [], tags: [{ key: 't', value: '' }] }, inputs: { dataset_inputs: [] } },
      },
    ],
    [
      'non-finite numbers and empty lists inside arrays',
      { values: [Number.NaN, [], 3, [Infinity], null, 'x'] },
    ],
    ['nothing to change', { run: { info: { run_id: 'r', start_time: 1, end_time: null, ok: true } } }],
    ['a Date and an unset field', { when: new Date(0), gone: undefined, kept: 0 }],
  ])('%s', (_name, body) => {
    expect(toProtoJson(body)).toBe(reference(body));
  });

  it('leaves its input as it was', () => {
    const body = { metrics: [{ key: 'a', value: Number.NaN }], params: [] as unknown[] };
    toProtoJson(body);
    expect(body.metrics[0]?.value).toBeNaN();
    expect(body.params).toEqual([]);
  });
});
