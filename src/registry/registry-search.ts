/**
 * Compiles registry search filters and order_by clauses (MLflow's grammar, parsed by the
 * tracking module's filter parser) into parameterised SQL over the registry tables.
 *
 * Registered models (aliased `rm`): `name` and `tags.<key>` with =, !=, LIKE, ILIKE (name also
 * IN / NOT IN). Model versions (aliased `mv`): additionally `run_id` (=, !=, IN, NOT IN),
 * `source_path` (string comparators), `version_number` (numeric comparators), `current_stage`
 * and `status` (=, !=, IN, NOT IN). Clauses are joined by AND, as in MLflow.
 */
import type { StoreError } from '../errors.js';
import {
  type Comparator,
  type FilterComparison,
  type FilterValue,
  filterSyntaxError,
  parseFilter,
} from '../tracking/filter-parser.js';
import { parseOrderBy } from '../tracking/order-by.js';
import {
  joinSql,
  rawSql,
  type SqlDialect,
  type SqlFragment,
  sql,
  sqlList,
} from '../tracking/sql-fragment.js';

export type RegistrySearchTarget = 'registered_models' | 'model_versions';

const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const EQUALITY_COMPARATORS: readonly Comparator[] = ['=', '!=', 'IN', 'NOT IN'];
const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'];

interface AttributeSpec {
  column: string;
  comparators: readonly Comparator[];
  numeric?: boolean;
}

/** Filterable attributes; the column text comes only from this fixed map, never from input. */
const ATTRIBUTES: Record<RegistrySearchTarget, Record<string, AttributeSpec>> = {
  registered_models: {
    name: { column: 'rm.name', comparators: [...STRING_COMPARATORS, 'IN', 'NOT IN'] },
  },
  model_versions: {
    name: { column: 'mv.name', comparators: [...STRING_COMPARATORS, 'IN', 'NOT IN'] },
    run_id: { column: 'mv.run_id', comparators: EQUALITY_COMPARATORS },
    source_path: { column: 'mv.source', comparators: [...STRING_COMPARATORS, 'IN', 'NOT IN'] },
    version_number: { column: 'mv.version', comparators: NUMERIC_COMPARATORS, numeric: true },
    current_stage: { column: 'mv.current_stage', comparators: EQUALITY_COMPARATORS },
    status: { column: 'mv.status', comparators: EQUALITY_COMPARATORS },
  },
};

/** Sortable columns per target; `timestamp` is MLflow's short name for last_updated_timestamp. */
const ORDER_COLUMNS: Record<RegistrySearchTarget, Record<string, string>> = {
  registered_models: {
    name: 'rm.name',
    timestamp: 'rm.last_updated_time',
    last_updated_timestamp: 'rm.last_updated_time',
    creation_timestamp: 'rm.creation_time',
  },
  model_versions: {
    name: 'mv.name',
    version_number: 'mv.version',
    timestamp: 'mv.last_updated_time',
    last_updated_timestamp: 'mv.last_updated_time',
    creation_timestamp: 'mv.creation_time',
    run_id: 'mv.run_id',
    current_stage: 'mv.current_stage',
  },
};

/** MLflow's default orders (search_registered_models / search_model_versions). */
const DEFAULT_ORDER: Record<RegistrySearchTarget, string[]> = {
  registered_models: ['name ASC'],
  model_versions: ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'],
};

/** Ties always break on the primary key, so pages never overlap or skip rows. */
const TIE_BREAK: Record<RegistrySearchTarget, string[]> = {
  registered_models: ['rm.name ASC'],
  model_versions: ['mv.name ASC', 'mv.version DESC'],
};

function comparison(
  column: SqlFragment,
  comparator: Comparator,
  value: FilterValue,
  dialect: SqlDialect,
): SqlFragment {
  if (value.kind === 'list') {
    const list = sqlList(value.values);
    return comparator === 'IN' ? sql`${column} IN ${list}` : sql`${column} NOT IN ${list}`;
  }
  const bound = value.value;
  switch (comparator) {
    case 'LIKE':
      return sql`${column} LIKE ${bound} ESCAPE '\\'`;
    case 'ILIKE':
      // SQLite's connection runs with case_sensitive_like, so ILIKE lowercases both sides.
      return dialect === 'postgres'
        ? sql`${column} ILIKE ${bound} ESCAPE '\\'`
        : sql`lower(${column}) LIKE lower(${bound}) ESCAPE '\\'`;
    default:
      // The comparator is one of the fixed operator tokens checked by the caller.
      return sql`${column} ${rawSql(comparator)} ${bound}`;
  }
}

function compileClause(
  clause: FilterComparison,
  target: RegistrySearchTarget,
  source: string,
  dialect: SqlDialect,
): SqlFragment {
  const fail = (position: number, message: string): StoreError =>
    filterSyntaxError('filter', source, position, message);
  if (clause.entity === 'tag') {
    if (!STRING_COMPARATORS.includes(clause.comparator) || clause.value.kind !== 'string') {
      throw fail(
        clause.comparatorPosition,
        `tags support ${STRING_COMPARATORS.join(', ')} against a quoted string`,
      );
    }
    const value = comparison(rawSql('t.value'), clause.comparator, clause.value, dialect);
    return target === 'registered_models'
      ? sql`EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = rm.name AND t.key = ${clause.key} AND ${value})`
      : sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = mv.name AND t.version = mv.version AND t.key = ${clause.key} AND ${value})`;
  }
  if (clause.entity !== 'attribute') {
    throw fail(
      clause.keyPosition,
      `${clause.entity}s cannot be searched in the model registry; use name, tags.<key>${
        target === 'model_versions' ? ', run_id, source_path, version_number' : ''
      }`,
    );
  }
  const spec = ATTRIBUTES[target][clause.key];
  if (spec === undefined) {
    throw fail(
      clause.keyPosition,
      `invalid attribute '${clause.key}'; searchable here: ${Object.keys(ATTRIBUTES[target]).join(', ')}, tags.<key>`,
    );
  }
  if (!spec.comparators.includes(clause.comparator)) {
    throw fail(
      clause.comparatorPosition,
      `'${clause.key}' supports ${spec.comparators.join(', ')}, not ${clause.comparator}`,
    );
  }
  const column = rawSql(spec.column);
  if (spec.numeric) {
    if (clause.value.kind === 'list') {
      const numbers = clause.value.values.map((text) => {
        if (!/^\d{1,9}$/.test(text)) throw fail(clause.valuePosition, `'${text}' is not a version number`);
        return Number(text);
      });
      const list = sqlList(numbers);
      return clause.comparator === 'IN' ? sql`${column} IN ${list}` : sql`${column} NOT IN ${list}`;
    }
    const number = clause.value.kind === 'number' ? clause.value.value : Number(clause.value.value);
    if (!Number.isInteger(number)) {
      throw fail(clause.valuePosition, `'${clause.key}' compares with an integer`);
    }
    return comparison(column, clause.comparator, { kind: 'number', value: number }, dialect);
  }
  if (clause.value.kind === 'number') {
    throw fail(
      clause.valuePosition,
      `'${clause.key}' compares with a quoted string, e.g. '${clause.value.value}'`,
    );
  }
  return comparison(column, clause.comparator, clause.value, dialect);
}

/** The WHERE conditions a filter stands for (possibly none). */
export function compileRegistryFilter(
  filter: string,
  target: RegistrySearchTarget,
  dialect: SqlDialect,
): SqlFragment[] {
  // Registry filters keep unescaping quoted strings (quoteFilterString in model-uri.ts relies on it).
  const parsed = parseFilter(filter, { unescapeStrings: true });
  return parsed.clauses.map((clause) => compileClause(clause, target, parsed.source, dialect));
}

/** ORDER BY terms for MLflow-style clauses (`name ASC`, `last_updated_timestamp DESC`). */
export function compileRegistryOrderBy(
  orderBy: readonly string[],
  target: RegistrySearchTarget,
): SqlFragment {
  const clauses = orderBy.length > 0 ? orderBy : DEFAULT_ORDER[target];
  const terms: string[] = [];
  for (const text of clauses) {
    const clause = parseOrderBy(text);
    const column = clause.entity === 'attribute' ? ORDER_COLUMNS[target][clause.key] : undefined;
    if (column === undefined) {
      throw filterSyntaxError(
        'order_by clause',
        text,
        clause.keyPosition,
        `cannot order by '${clause.key}'; use one of ${Object.keys(ORDER_COLUMNS[target]).join(', ')}`,
      );
    }
    terms.push(`${column} ${clause.ascending ? 'ASC' : 'DESC'}`);
  }
  for (const tie of TIE_BREAK[target]) {
    if (!terms.some((term) => term.split(' ')[0] === tie.split(' ')[0])) terms.push(tie);
  }
  return joinSql(terms.map(rawSql), ', ');
}
