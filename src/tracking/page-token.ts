/**
 * Page tokens are what MLflow's SQL store sends: base64 of `{"offset": n}`. Opaque to callers,
 * but compatible with tokens an MLflow client may hand back to our server.
 */
import { StoreError } from '../errors.js';

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

/** The offset a token stands for; 0 without a token. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `Invalid page token ${JSON.stringify(token)}, could not decode it.`,
      {
        hint: 'pass back the next_page_token of a previous search unchanged',
      },
    );
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new StoreError(
      'INVALID_PARAMETER_VALUE',
      `Invalid page token ${JSON.stringify(token)}: it has no non-negative integer 'offset'.`,
      { hint: 'pass back the next_page_token of a previous search unchanged' },
    );
  }
  return offset;
}
