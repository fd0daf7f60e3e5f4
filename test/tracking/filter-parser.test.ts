/** Table-driven tests of the filter grammar, order_by clauses and their compilation to SQL. */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { type FilterComparison, parseFilter, tokenize } from '../../src/tracking/filter-parser.js';
import { parseOrderBy } from '../../src/tracking/order-by.js';
import { decodePageToken, encodePageToken } from '../../src/tracking/page-token.js';
import { compileExperimentSearch, compileRunSearch } from '../../src/tracking/search-compiler.js';
import { renderSql } from '../../src/tracking/sql-fragment.js';

type Simple = Pick<FilterComparison, 'entity' | 'key' | 'comparator' | 'value'>;

function simple(filter: string): Simple[] {
  return parseFilter(filter).clauses.map(({ entity, key, comparator, value }) => ({
    entity,
    key,
    comparator,
    value,
  }));
}

const num = (value: number) => ({ kind: 'number' as const, value });
const str = (value: string) => ({ kind: 'string' as const, value });

describe('parseFilter', () => {
  it.each<[string, Simple[]]>([
    ['', []],
    ['   ', []],
    ['metrics.rmse < 0.5', [{ entity: 'metric', key: 'rmse', comparator: '<', value: num(0.5) }]],
    ['metric.rmse>=-1.5e-3', [{ entity: 'metric', key: 'rmse', comparator: '>=', value: num(-0.0015) }]],
    ['metrics.r2 != 1E2', [{ entity: 'metric', key: 'r2', comparator: '!=', value: num(100) }]],
    ['metrics.x <= .5', [{ entity: 'metric', key: 'x', comparator: '<=', value: num(0.5) }]],
    ["params.alpha = '0.1'", [{ entity: 'param', key: 'alpha', comparator: '=', value: str('0.1') }]],
    ['parameters.alpha = "0.1"', [{ entity: 'param', key: 'alpha', comparator: '=', value: str('0.1') }]],
    [
      "tags.mlflow.runName = 'r'",
      [{ entity: 'tag', key: 'mlflow.runName', comparator: '=', value: str('r') }],
    ],
    ['metrics."my metric" > 1', [{ entity: 'metric', key: 'my metric', comparator: '>', value: num(1) }]],
    [
      "params.`my param` LIKE 'a%'",
      [{ entity: 'param', key: 'my param', comparator: 'LIKE', value: str('a%') }],
    ],
    ["tags.t ilike '%X%'", [{ entity: 'tag', key: 't', comparator: 'ILIKE', value: str('%X%') }]],
    [
      'attributes.run_id IN (\'a\', "b")',
      [{ entity: 'attribute', key: 'run_id', comparator: 'IN', value: { kind: 'list', values: ['a', 'b'] } }],
    ],
    [
      "params.p not in ('x')",
      [{ entity: 'param', key: 'p', comparator: 'NOT IN', value: { kind: 'list', values: ['x'] } }],
    ],
    [
      "status = 'FINISHED'",
      [{ entity: 'attribute', key: 'status', comparator: '=', value: str('FINISHED') }],
    ],
    ["run_name != 'x'", [{ entity: 'attribute', key: 'run_name', comparator: '!=', value: str('x') }]],
    // MLflow keeps what is between the quotes as written: doubled and escaped quotes included.
    ["params.a = 'it''s'", [{ entity: 'param', key: 'a', comparator: '=', value: str("it''s") }]],
    ["params.a = 'it\\'s'", [{ entity: 'param', key: 'a', comparator: '=', value: str("it\\'s") }]],
    ["params.a LIKE '100\\%'", [{ entity: 'param', key: 'a', comparator: 'LIKE', value: str('100\\%') }]],
    [
      "params.a = 'back\\\\slash'",
      [{ entity: 'param', key: 'a', comparator: '=', value: str('back\\\\slash') }],
    ],
    ['params.path/to-key = "v"', [{ entity: 'param', key: 'path/to-key', comparator: '=', value: str('v') }]],
    [
      "metrics.a > 1 AND params.b = 'x' and tags.c != 'y' And attr.start_time >= 0",
      [
        { entity: 'metric', key: 'a', comparator: '>', value: num(1) },
        { entity: 'param', key: 'b', comparator: '=', value: str('x') },
        { entity: 'tag', key: 'c', comparator: '!=', value: str('y') },
        { entity: 'attribute', key: 'start_time', comparator: '>=', value: num(0) },
      ],
    ],
  ])('parses %j', (filter, expected) => {
    expect(simple(filter)).toEqual(expected);
  });

  it.each<[string, number, RegExp]>([
    ['metrics.rmse 0.5', 13, /comparison operator/],
    ['metrics.rmse < ', 15, /value/],
    ["metrics.rmse < 1 or params.a = 'x'", 17, /OR is not supported/],
    ["foo.bar = 'x'", 0, /invalid entity type 'foo'/],
    ["params.a = 'unterminated", 11, /unterminated/],
    ['params.a = FINISHED', 11, /quote strings/],
    ["params.a IN 'x'", 12, /parenthesised list/],
    ["params.a IN ('x' 'y')", 17, /',' or '\)'/],
    ['metrics. "spaced" > 1', 9, /a key right after 'metrics.'/],
    ["params.a NOT LIKE 'x'", 13, /IN after NOT/],
    ["params.a = 'x' ;", 15, /unexpected character ';'/],
  ])('points at the offending token in %j', (filter, position, message) => {
    let error: unknown;
    try {
      parseFilter(filter);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    const storeError = error as StoreError;
    expect(storeError.mlflowErrorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(storeError.message).toMatch(message);
    expect(storeError.message).toContain(`(at character ${position + 1})`);
    const lines = storeError.message.split('\n');
    expect(lines[1]).toBe(`  ${filter}`);
    expect(lines[2]).toBe(`  ${' '.repeat(position)}^`);
  });

  it('keeps token positions', () => {
    expect(tokenize("a.b = 'x'").map((t) => [t.kind, t.start])).toEqual([
      ['identifier', 0],
      ['operator', 4],
      ['string', 6],
      ['end', 9],
    ]);
  });
});

describe('parseOrderBy', () => {
  it.each([
    ['metrics.rmse', { entity: 'metric', key: 'rmse', ascending: true }],
    ['metrics.rmse DESC', { entity: 'metric', key: 'rmse', ascending: false }],
    ['params.alpha asc', { entity: 'param', key: 'alpha', ascending: true }],
    ['attributes.start_time DESC', { entity: 'attribute', key: 'start_time', ascending: false }],
    ['tags.`my tag` DESC', { entity: 'tag', key: 'my tag', ascending: false }],
    ['start_time', { entity: 'attribute', key: 'start_time', ascending: true }],
  ])('parses %j', (clause, expected) => {
    expect(parseOrderBy(clause)).toMatchObject(expected);
  });

  it.each(['metrics.rmse DOWN', 'metrics.rmse ASC extra', "'quoted' ASC"])('rejects %j', (clause) => {
    expect(() => parseOrderBy(clause)).toThrow(StoreError);
  });
});

describe('compiling to SQL', () => {
  const evilKey = "k'; DROP TABLE runs; --";
  const evilValue = "v' OR '1'='1";
  const filter = parseFilter(
    `params.\`${evilKey}\` = "${evilValue}" and metrics.\`${evilKey}\` > 1 and tags.t LIKE 'a%' and tags.u ILIKE 'B%' and attributes.run_id IN ('r1', 'r2')`,
  );
  const orderBy = [parseOrderBy(`metrics.\`${evilKey}\` DESC`), parseOrderBy('params.alpha')];

  it.each(['sqlite', 'postgres'] as const)('binds every key and value on %s', (dialect) => {
    const query = renderSql(
      compileRunSearch({
        experimentIds: [1, 2],
        filter,
        orderBy,
        viewType: 'ALL',
        limit: 11,
        offset: 20,
        dialect,
      }),
      dialect,
    );
    expect(query.text).not.toContain('DROP');
    expect(query.text).not.toContain("'1'='1");
    expect(query.values).toContain(evilKey);
    expect(query.values).toContain(evilValue);
    expect(query.values.slice(-2)).toEqual([11, 20]);
    if (dialect === 'sqlite') {
      expect(query.text).not.toMatch(/\$\d/);
      expect(query.text.split('?').length - 1).toBe(query.values.length);
      expect(query.text).toContain('lower(x.value) LIKE lower(?)');
    } else {
      expect(query.text).not.toContain('?');
      expect(query.text).toContain(`$${query.values.length}`);
      expect(query.text).toContain('ILIKE $');
    }
  });

  it.each<[string, RegExp]>([
    ["metrics.rmse = 'x'", /compares with a number/],
    ['params.alpha = 0.1', /quote the value/],
    ['metrics.rmse LIKE 1', /cannot compare metrics/],
    ["attributes.colour = 'red'", /invalid attribute key 'colour'/],
    ["attributes.start_time = 'x'", /compares with a number/],
  ])('rejects %j with a pointed message', (text, message) => {
    expect(() =>
      compileRunSearch({
        experimentIds: [0],
        filter: parseFilter(text),
        orderBy: [],
        limit: 1,
        offset: 0,
        dialect: 'sqlite',
      }),
    ).toThrow(message);
  });

  it.each<[string[], string]>([
    [[], 'e.creation_time DESC, e.experiment_id ASC'],
    [['name'], 'e.name COLLATE "C" ASC, e.experiment_id DESC'],
    [['experiment_id DESC'], 'e.experiment_id DESC'],
    [['last_update_time DESC', 'experiment_id'], 'e.last_update_time DESC, e.experiment_id ASC'],
  ])("orders experiments by %j with MLflow's tie-breaker", (orderBy, expected) => {
    const query = renderSql(
      compileExperimentSearch({
        filter: parseFilter(''),
        orderBy: orderBy.map(parseOrderBy),
        limit: 5,
        offset: 0,
        dialect: 'postgres',
      }),
      'postgres',
    );
    expect(query.text).toContain(`ORDER BY ${expected} LIMIT`);
  });

  it('checks attributes and equalities before ranges and datasets, and reports the first bad clause as written', () => {
    const query = renderSql(
      compileRunSearch({
        experimentIds: [0],
        filter: parseFilter(
          "datasets.name = 'd' and metrics.rmse < 1 and params.alpha = '0.1' and status = 'FINISHED'",
        ),
        orderBy: [],
        limit: 5,
        offset: 0,
        dialect: 'sqlite',
      }),
      'sqlite',
    );
    // Bound values follow the evaluation order: status, then alpha, then rmse, then the dataset.
    expect(query.values).toEqual([0, 'active', 'FINISHED', 'alpha', '0.1', 'rmse', 1, 'RUN', 'd', 5, 0]);
    expect(() =>
      compileRunSearch({
        experimentIds: [0],
        filter: parseFilter("metrics.rmse = 'x' and params.alpha = 1"),
        orderBy: [],
        limit: 1,
        offset: 0,
        dialect: 'sqlite',
      }),
    ).toThrow(/compares with a number/);
  });

  it('refuses the same order_by field twice', () => {
    expect(() =>
      compileRunSearch({
        experimentIds: [0],
        filter: parseFilter(''),
        orderBy: [parseOrderBy('metrics.rmse ASC'), parseOrderBy('metric.rmse DESC')],
        limit: 1,
        offset: 0,
        dialect: 'sqlite',
      }),
    ).toThrow(/`order_by` contains duplicate fields/);
  });

  it('compiles experiment searches and refuses run-only fields', () => {
    const query = renderSql(
      compileExperimentSearch({
        filter: parseFilter("name LIKE 'exp%' and tags.team = 'ml'"),
        orderBy: [parseOrderBy('name DESC')],
        limit: 5,
        offset: 0,
        dialect: 'postgres',
      }),
      'postgres',
    );
    expect(query.values).toEqual(['active', 'exp%', 'team', 'ml', 5, 0]);
    expect(() =>
      compileExperimentSearch({
        filter: parseFilter('metrics.rmse < 1'),
        orderBy: [],
        limit: 5,
        offset: 0,
        dialect: 'sqlite',
      }),
    ).toThrow(/experiments can be searched by name/);
  });
});

describe('page tokens', () => {
  it('round-trips an offset as base64 JSON and rejects garbage', () => {
    const token = encodePageToken(40);
    expect(JSON.parse(Buffer.from(token, 'base64').toString())).toEqual({ offset: 40 });
    expect(decodePageToken(token)).toBe(40);
    expect(decodePageToken(undefined)).toBe(0);
    expect(() => decodePageToken('not base64 json')).toThrow(StoreError);
    expect(() => decodePageToken(Buffer.from('{"offset":-1}').toString('base64'))).toThrow(/offset/);
  });
});
