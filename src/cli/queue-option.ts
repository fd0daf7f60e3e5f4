/** `--queue <url>`: shared by `recipe worker`, `recipe queue status` and `recipe run --executor queue`. */
import { Option } from 'commander';
import { UsageError } from '../errors.js';

/** The queue database from --queue, else RECIPE_QUEUE_URL; a usage error with a hint otherwise. */
export function queueUrlFrom(flag: string | undefined): string {
  const url = flag ?? process.env.RECIPE_QUEUE_URL;
  if (!url) {
    throw new UsageError('no queue database given', {
      hint: 'pass --queue postgresql://user@host:5432/db (or set RECIPE_QUEUE_URL)',
    });
  }
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new UsageError(`the queue "${url}" is not a PostgreSQL URL`, {
      hint: 'the queue lives in PostgreSQL: postgresql://user@host:5432/db',
    });
  }
  return url;
}

export const queueOption = () =>
  new Option('--queue <url>', "the queue's PostgreSQL database, postgresql://… (default: $RECIPE_QUEUE_URL)");
