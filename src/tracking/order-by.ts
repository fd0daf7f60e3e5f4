/**
 * order_by clauses in MLflow's form: `<identifier> [ASC|DESC]`, e.g. `metrics.rmse ASC`,
 * `params.alpha`, `attributes.start_time DESC`, ``tags.`my tag` ``. Ascending by default.
 */
import { type FilterEntity, TokenCursor, tokenize } from './filter-parser.js';

export interface OrderByClause {
  entity: FilterEntity;
  key: string;
  ascending: boolean;
  /** The clause text, for error messages. */
  source: string;
  keyPosition: number;
}

export function parseOrderBy(source: string): OrderByClause {
  // MLflow splits order_by clauses with shlex, which does unescape quoted keys.
  const cursor = new TokenCursor(
    source,
    tokenize(source, 'order_by clause', { unescapeStrings: true }),
    'order_by clause',
  );
  const identifier = cursor.identifier();
  let ascending = true;
  const direction = cursor.next();
  if (direction.kind === 'identifier' && /^(ASC|DESC)$/i.test(direction.text)) {
    ascending = direction.text.toUpperCase() === 'ASC';
    const end = cursor.next();
    if (end.kind !== 'end') throw cursor.unexpected(end, 'the end of the clause');
  } else if (direction.kind !== 'end') {
    throw cursor.unexpected(direction, 'ASC, DESC or the end of the clause');
  }
  return {
    entity: identifier.entity,
    key: identifier.key,
    ascending,
    source,
    keyPosition: identifier.position,
  };
}
