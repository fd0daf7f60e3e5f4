/**
 * Compiles parsed search filters and order_by clauses into parameterised SQL for SQLite and
 * PostgreSQL. Keys and values are always bound values; the only SQL text that varies comes from
 * the fixed column maps below. Semantics follow MLflow's SQL store (2.x):
 *
 * - metrics compare the run's latest stored value (latest_metrics); a run lacking the key never
 *   matches. A NaN is stored as 0 and compares as 0 (`metrics.m = 0` finds it), as in MLflow.
 * - params/tags: `=`, `!=`, LIKE, ILIKE; a run must have the key for any comparison, `!=`
 *   included. IN / NOT IN only on `run_id` and on datasets; MLflow refuses them elsewhere.
 * - LIKE is case-sensitive on both databases, ILIKE case-insensitive. The pattern goes to the
 *   database as written: PostgreSQL's LIKE treats `\` as an escape, SQLite's has none, so `\%`
 *   is a literal `%` on PostgreSQL and a backslash then any text on SQLite — MLflow's behaviour
 *   on each.
 * - order_by: metrics put NaN, then missing, last whatever the direction; params and tags put
 *   missing last; attributes use the database's own NULL order (as MLflow's query does). Ties
 *   are broken by start_time DESC (unless start_time was ordered on), then run_id ASC.
 */
import { StoreError } from '../errors.js';
import {
  type Comparator,
  type FilterComparison,
  filterSyntaxError,
  type ParsedFilter,
} from './filter-parser.js';
import type { OrderByClause } from './order-by.js';
import { joinSql, rawSql, type SqlDialect, type SqlFragment, sql, sqlList } from './sql-fragment.js';
import { DATASET_CONTEXT_TAG, type ViewType } from './types.js';

const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
/** MLflow's VALID_PARAM_COMPARATORS / VALID_TAG_COMPARATORS: no lists. */
const KEY_VALUE_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];

interface AttributeColumn {
  column: string;
  type: 'string' | 'number';
}

/**
 * Run attributes searchable by name: RunInfo's searchable attributes and MLflow's aliases
 * (SearchUtils.VALID_SEARCH_ATTRIBUTE_KEYS, 2.12).
 */
const RUN_ATTRIBUTES: Record<string, AttributeColumn> = {
  run_id: { column: 'r.run_uuid', type: 'string' },
  run_name: { column: 'r.name', type: 'string' },
  status: { column: 'r.status', type: 'string' },
  user_id: { column: 'r.user_id', type: 'string' },
  artifact_uri: { column: 'r.artifact_uri', type: 'string' },
  start_time: { column: 'r.start_time', type: 'number' },
  end_time: { column: 'r.end_time', type: 'number' },
  created: { column: 'r.start_time', type: 'number' },
  Created: { column: 'r.start_time', type: 'number' },
  'run name': { column: 'r.name', type: 'string' },
  'Run name': { column: 'r.name', type: 'string' },
  'Run Name': { column: 'r.name', type: 'string' },
};
/**
 * Sortable attributes (VALID_ORDER_BY_ATTRIBUTE_KEYS): the searchable ones and `created`, but
 * not the `run name` aliases; experiment_id and lifecycle_stage are refused, as by MLflow 2.12.
 */
const RUN_ORDER_ATTRIBUTES: readonly string[] = [
  'run_id',
  'run_name',
  'status',
  'user_id',
  'artifact_uri',
  'start_time',
  'end_time',
  'created',
  'Created',
];

/** SearchUtils.translate_key_alias. */
function canonicalAttribute(key: string): string {
  if (key === 'created' || key === 'Created') return 'start_time';
  if (key === 'run name' || key === 'Run name' || key === 'Run Name') return 'run_name';
  return key;
}

const EXPERIMENT_ATTRIBUTES: Record<string, AttributeColumn> = {
  name: { column: 'e.name', type: 'string' },
  creation_time: { column: 'e.creation_time', type: 'number' },
  last_update_time: { column: 'e.last_update_time', type: 'number' },
};
const EXPERIMENT_ORDER_ATTRIBUTES: Record<string, AttributeColumn> = {
  ...EXPERIMENT_ATTRIBUTES,
  experiment_id: { column: 'e.experiment_id', type: 'number' },
};

export function lifecycleStagesFor(viewType: ViewType | undefined): string[] {
  switch (viewType ?? 'ACTIVE_ONLY') {
    case 'ACTIVE_ONLY':
      return ['active'];
    case 'DELETED_ONLY':
      return ['deleted'];
    case 'ALL':
      return ['active', 'deleted'];
    default:
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Invalid view type ${JSON.stringify(viewType)}; use ACTIVE_ONLY, DELETED_ONLY or ALL.`,
      );
  }
}

function fail(filter: ParsedFilter, position: number, message: string): StoreError {
  return filterSyntaxError('filter', filter.source, position, message);
}

function checkComparator(
  filter: ParsedFilter,
  clause: FilterComparison,
  allowed: readonly Comparator[],
  what: string,
) {
  if (!allowed.includes(clause.comparator)) {
    throw fail(
      filter,
      clause.comparatorPosition,
      `'${clause.comparator}' cannot compare ${what}; use one of ${allowed.join(', ')}`,
    );
  }
}

const ENTITY_PREFIX: Record<FilterComparison['entity'], string> = {
  metric: 'metrics.',
  param: 'params.',
  tag: 'tags.',
  attribute: '',
  dataset: 'datasets.',
};

function expectNumber(filter: ParsedFilter, clause: FilterComparison, what: string): number {
  if (clause.value.kind !== 'number') {
    throw fail(
      filter,
      clause.valuePosition,
      `${what} compares with a number, e.g. ${ENTITY_PREFIX[clause.entity]}${clause.key} < 0.5 (no quotes)`,
    );
  }
  return clause.value.value;
}

function expectStringValue(filter: ParsedFilter, clause: FilterComparison, what: string): void {
  if (clause.value.kind === 'number') {
    throw fail(
      filter,
      clause.valuePosition,
      `${what} values are strings; quote the value: '${String(clause.value.value)}'`,
    );
  }
}

/** `<column> <comparator> <bound value>` for a string comparison, case rules as documented above. */
function stringComparison(column: SqlFragment, clause: FilterComparison, dialect: SqlDialect): SqlFragment {
  const { value } = clause;
  if (value.kind === 'list') {
    // An empty list (every id dropped): IN matches nothing, NOT IN everything.
    if (value.values.length === 0) return rawSql(clause.comparator === 'IN' ? '1 = 0' : '1 = 1');
    return sql`${column} ${rawSql(clause.comparator === 'IN' ? 'IN' : 'NOT IN')} ${sqlList(value.values)}`;
  }
  const bound = value.kind === 'string' ? value.value : String(value.value);
  switch (clause.comparator) {
    case 'LIKE':
      return sql`${column} LIKE ${bound}`;
    case 'ILIKE':
      // SQLite's connection runs with case_sensitive_like, so ILIKE lowercases both sides (as
      // SQLAlchemy renders ilike for SQLite).
      return dialect === 'postgres'
        ? sql`${column} ILIKE ${bound}`
        : sql`lower(${column}) LIKE lower(${bound})`;
    default:
      return sql`${column} ${rawSql(clause.comparator)} ${bound}`;
  }
}

function numericComparison(
  column: SqlFragment,
  comparator: Comparator,
  value: number,
  dialect: SqlDialect,
): SqlFragment {
  // PostgreSQL would type the parameter after a BIGINT column and then refuse a value like 0.5.
  const bound = dialect === 'postgres' ? sql`CAST(${value} AS DOUBLE PRECISION)` : sql`${value}`;
  return sql`${column} ${rawSql(comparator)} ${bound}`;
}

/** The dataset keys MLflow searches (SearchUtils.DATASET_ATTRIBUTES). */
const DATASET_COLUMNS: Record<string, string> = { name: 'd.name', digest: 'd.digest' };

/**
 * `datasets.name`, `datasets.digest`: some dataset the run used matches; `datasets.context`: some
 * use of a dataset was tagged `mlflow.data.context` with a matching value (MLflow 2.12).
 */
function compileDatasetClause(
  filter: ParsedFilter,
  clause: FilterComparison,
  dialect: SqlDialect,
): SqlFragment {
  const column = Object.hasOwn(DATASET_COLUMNS, clause.key) ? DATASET_COLUMNS[clause.key] : undefined;
  if (column === undefined && clause.key !== 'context') {
    throw fail(
      filter,
      clause.keyPosition,
      `invalid dataset key '${clause.key}'; use datasets.name, datasets.digest or datasets.context`,
    );
  }
  checkComparator(filter, clause, STRING_COMPARATORS, 'datasets');
  expectStringValue(filter, clause, 'dataset attributes');
  const uses = sql`FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
                   WHERE i.destination_type = ${'RUN'} AND i.destination_id = r.run_uuid`;
  if (column !== undefined) {
    return sql`EXISTS (SELECT 1 ${uses} AND ${stringComparison(rawSql(column), clause, dialect)})`;
  }
  return sql`EXISTS (SELECT 1 ${uses} AND EXISTS (SELECT 1 FROM input_tags t WHERE t.input_uuid = i.input_uuid
                 AND t.name = ${DATASET_CONTEXT_TAG} AND ${stringComparison(rawSql('t.value'), clause, dialect)}))`;
}

/**
 * A run has a row of `table` with this key whose value meets `condition`. An equality is written
 * as `r.run_uuid IN (SELECT …)`: the database then collects the few matching runs once, through
 * the (key, value) index (sql-schema.ts, own migration 2), and visits only those, instead of
 * probing every run of the experiment (10k runs, `params.p1 = 'v3'`: 3 ms against 26 ms). Ranges,
 * `!=` and patterns match many runs, so each candidate run is probed instead (EXISTS). Both forms
 * mean the same; only the plan differs.
 */
function keyedRowExists(
  table: 'params' | 'tags' | 'latest_metrics',
  clause: FilterComparison,
  condition: SqlFragment,
): SqlFragment {
  const from = rawSql(table);
  if (clause.comparator === '=') {
    return sql`r.run_uuid IN (SELECT x.run_uuid FROM ${from} x WHERE x.key = ${clause.key} AND ${condition})`;
  }
  return sql`EXISTS (SELECT 1 FROM ${from} x WHERE x.run_uuid = r.run_uuid AND x.key = ${clause.key} AND ${condition})`;
}

function compileRunClause(filter: ParsedFilter, clause: FilterComparison, dialect: SqlDialect): SqlFragment {
  switch (clause.entity) {
    case 'metric': {
      checkComparator(filter, clause, NUMERIC_COMPARATORS, 'metrics');
      const value = expectNumber(filter, clause, `metric '${clause.key}'`);
      // The stored value, as MLflow compares it: a NaN is its stored 0.
      const condition = numericComparison(rawSql('x.value'), clause.comparator, value, dialect);
      return keyedRowExists('latest_metrics', clause, condition);
    }
    case 'param':
    case 'tag': {
      const what = clause.entity === 'param' ? 'params' : 'tags';
      checkComparator(filter, clause, KEY_VALUE_COMPARATORS, what);
      expectStringValue(filter, clause, what);
      return keyedRowExists(what, clause, stringComparison(rawSql('x.value'), clause, dialect));
    }
    case 'dataset':
      return compileDatasetClause(filter, clause, dialect);
    case 'attribute': {
      const attribute = Object.hasOwn(RUN_ATTRIBUTES, clause.key) ? RUN_ATTRIBUTES[clause.key] : undefined;
      if (attribute === undefined) {
        throw fail(
          filter,
          clause.keyPosition,
          `invalid attribute key '${clause.key}'; searchable attributes: run_id, run_name, status, user_id, artifact_uri, start_time, end_time (did you mean metrics.${clause.key}, params.${clause.key} or tags.${clause.key}?)`,
        );
      }
      if (attribute.type === 'number') {
        checkComparator(filter, clause, NUMERIC_COMPARATORS, `attribute '${clause.key}'`);
        const value = expectNumber(filter, clause, `attribute '${clause.key}'`);
        return numericComparison(rawSql(attribute.column), clause.comparator, value, dialect);
      }
      checkComparator(filter, clause, STRING_COMPARATORS, `attribute '${clause.key}'`);
      expectStringValue(filter, clause, `attribute '${clause.key}'`);
      if (clause.value.kind === 'list') {
        if (canonicalAttribute(clause.key) !== 'run_id') {
          throw fail(
            filter,
            clause.valuePosition,
            "only the 'run_id' attribute supports comparison with a list of quoted string values (MLflow 2.12)",
          );
        }
        // MLflow drops ids with upper-case letters: run ids are lower-case hex.
        const ids = clause.value.values.filter((id) => id === id.toLowerCase());
        return stringComparison(
          rawSql(attribute.column),
          { ...clause, value: { kind: 'list', values: ids } },
          dialect,
        );
      }
      return stringComparison(rawSql(attribute.column), clause, dialect);
    }
  }
}

/**
 * Strings sort by code point on both databases (SQLite's BINARY), whatever locale a PostgreSQL
 * database was created with, so a page order never depends on the server.
 */
function binaryCollation(dialect: SqlDialect): SqlFragment {
  return rawSql(dialect === 'postgres' ? ' COLLATE "C"' : '');
}

export interface RunSearchQuery {
  experimentIds: number[];
  filter: ParsedFilter;
  orderBy: OrderByClause[];
  viewType?: ViewType;
  limit: number;
  offset: number;
  dialect: SqlDialect;
}

function orderByError(clause: OrderByClause, message: string): StoreError {
  return filterSyntaxError('order_by clause', clause.source, clause.keyPosition, message);
}

/**
 * How early a filter clause is worth checking: attributes are columns of the row at hand; an
 * equality (or list) on a key picks few runs with one index lookup; ranges, `!=` and patterns
 * pick many; dataset clauses join two tables.
 */
function clauseCost(clause: FilterComparison): number {
  if (clause.entity === 'attribute') return 0;
  if (clause.entity === 'dataset') return 3;
  return clause.comparator === '=' || clause.comparator === 'IN' ? 1 : 2;
}

/** SELECT r.run_uuid … for one page of a run search, in order. */
export function compileRunSearch(query: RunSearchQuery): SqlFragment {
  const { dialect } = query;
  // Compiled in the order written (the first bad clause is the one reported), then evaluated
  // cheapest and most selective first: SQLite checks a scan's terms in the order given, and an
  // equality on a param rules out most runs before a range on a metric is looked up (10k runs,
  // `metrics.m0 < 0.5 and params.p1 = 'v3'`: 42 ms against 58 ms). AND has no order to keep.
  const clauses = query.filter.clauses
    .map((clause) => ({
      rank: clauseCost(clause),
      fragment: compileRunClause(query.filter, clause, dialect),
    }))
    .sort((a, b) => a.rank - b.rank);
  const where: SqlFragment[] = [
    query.experimentIds.length > 0 ? sql`r.experiment_id IN ${sqlList(query.experimentIds)}` : sql`1 = 0`,
    sql`r.lifecycle_stage IN ${sqlList(lifecycleStagesFor(query.viewType))}`,
    ...clauses.map((each) => each.fragment),
  ];
  const joins: SqlFragment[] = [];
  const order: SqlFragment[] = [];
  const seen = new Set<string>();
  query.orderBy.forEach((clause, index) => {
    const key = clause.entity === 'attribute' ? canonicalAttribute(clause.key) : clause.key;
    // MLflow refuses the same field twice; its exception carries no code, so INTERNAL_ERROR.
    const field = `${clause.entity}\u0000${key}`;
    if (seen.has(field)) {
      throw new StoreError(
        'INTERNAL_ERROR',
        `\`order_by\` contains duplicate fields: [${query.orderBy.map((c) => `'${c.source}'`).join(', ')}]`,
        { hint: `order by '${clause.key}' once` },
      );
    }
    seen.add(field);
    const direction = rawSql(clause.ascending ? 'ASC' : 'DESC');
    const alias = rawSql(`o${index}`);
    switch (clause.entity) {
      case 'dataset':
        throw orderByError(
          clause,
          'runs cannot be ordered by datasets; order by metrics, params, tags or attributes',
        );
      case 'metric':
        joins.push(
          sql`LEFT JOIN latest_metrics ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ${clause.key}`,
        );
        order.push(
          sql`CASE WHEN ${alias}.is_nan = ${true} THEN 1 WHEN ${alias}.run_uuid IS NULL THEN 2 ELSE 0 END`,
          sql`${alias}.value ${direction}`,
        );
        break;
      case 'param':
      case 'tag': {
        const table = rawSql(clause.entity === 'param' ? 'params' : 'tags');
        joins.push(
          sql`LEFT JOIN ${table} ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ${clause.key}`,
        );
        order.push(
          sql`CASE WHEN ${alias}.run_uuid IS NULL THEN 1 ELSE 0 END`,
          sql`${alias}.value${binaryCollation(dialect)} ${direction}`,
        );
        break;
      }
      case 'attribute': {
        if (!RUN_ORDER_ATTRIBUTES.includes(clause.key)) {
          throw orderByError(
            clause,
            `invalid attribute key '${clause.key}'; sortable attributes: ${RUN_ORDER_ATTRIBUTES.join(', ')}`,
          );
        }
        const attribute = RUN_ATTRIBUTES[clause.key];
        const collation = attribute.type === 'string' ? binaryCollation(dialect) : rawSql('');
        // No NULL placement of our own: MLflow's query leaves it to the database.
        order.push(sql`${rawSql(attribute.column)}${collation} ${direction}`);
        break;
      }
    }
  });
  if (!seen.has('attribute\u0000start_time')) order.push(sql`r.start_time DESC`);
  order.push(sql`r.run_uuid${binaryCollation(dialect)} ASC`);
  return sql`SELECT r.run_uuid FROM runs r ${joinSql(joins, ' ')} WHERE ${joinSql(where, ' AND ')} ORDER BY ${joinSql(order, ', ')} LIMIT ${query.limit} OFFSET ${query.offset}`;
}

function compileExperimentClause(
  filter: ParsedFilter,
  clause: FilterComparison,
  dialect: SqlDialect,
): SqlFragment {
  if (clause.entity === 'tag') {
    checkComparator(filter, clause, STRING_COMPARATORS, 'tags');
    expectStringValue(filter, clause, 'tags');
    return sql`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ${clause.key} AND ${stringComparison(rawSql('t.value'), clause, dialect)})`;
  }
  const attribute =
    clause.entity === 'attribute' && Object.hasOwn(EXPERIMENT_ATTRIBUTES, clause.key)
      ? EXPERIMENT_ATTRIBUTES[clause.key]
      : undefined;
  if (attribute === undefined) {
    throw fail(
      filter,
      clause.keyPosition,
      `experiments can be searched by name, creation_time, last_update_time and tags.<key>, not '${clause.key}'`,
    );
  }
  if (attribute.type === 'number') {
    checkComparator(filter, clause, NUMERIC_COMPARATORS, `attribute '${clause.key}'`);
    return numericComparison(
      rawSql(attribute.column),
      clause.comparator,
      expectNumber(filter, clause, clause.key),
      dialect,
    );
  }
  checkComparator(filter, clause, STRING_COMPARATORS, `attribute '${clause.key}'`);
  expectStringValue(filter, clause, `attribute '${clause.key}'`);
  return stringComparison(rawSql(attribute.column), clause, dialect);
}

export interface ExperimentSearchQuery {
  filter: ParsedFilter;
  orderBy: OrderByClause[];
  viewType?: ViewType;
  limit: number;
  offset: number;
  dialect: SqlDialect;
}

/** SELECT e.experiment_id … for one page, in MLflow's order (see the tie-breaker below). */
export function compileExperimentSearch(query: ExperimentSearchQuery): SqlFragment {
  const where: SqlFragment[] = [
    sql`e.lifecycle_stage IN ${sqlList(lifecycleStagesFor(query.viewType))}`,
    ...query.filter.clauses.map((clause) => compileExperimentClause(query.filter, clause, query.dialect)),
  ];
  const order: SqlFragment[] = [];
  for (const clause of query.orderBy) {
    const attribute =
      clause.entity === 'attribute' && Object.hasOwn(EXPERIMENT_ORDER_ATTRIBUTES, clause.key)
        ? EXPERIMENT_ORDER_ATTRIBUTES[clause.key]
        : undefined;
    if (attribute === undefined) {
      throw orderByError(
        clause,
        `experiments can be ordered by name, experiment_id, creation_time or last_update_time, not '${clause.key}'`,
      );
    }
    const collation = attribute.type === 'string' ? binaryCollation(query.dialect) : rawSql('');
    order.push(sql`${rawSql(attribute.column)}${collation} ${rawSql(clause.ascending ? 'ASC' : 'DESC')}`);
  }
  // MLflow 2.x: the default is creation_time DESC, experiment_id ASC; an order_by without
  // experiment_id gets experiment_id DESC as its tie-breaker.
  if (query.orderBy.length === 0) order.push(sql`e.creation_time DESC`, sql`e.experiment_id ASC`);
  else if (!query.orderBy.some((clause) => clause.key === 'experiment_id'))
    order.push(sql`e.experiment_id DESC`);
  return sql`SELECT e.experiment_id FROM experiments e WHERE ${joinSql(where, ' AND ')} ORDER BY ${joinSql(order, ', ')} LIMIT ${query.limit} OFFSET ${query.offset}`;
}
