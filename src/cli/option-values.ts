/** Parsers for option values shared by several commands (commander's argParser form). */
import { InvalidArgumentError } from 'commander';

/** A TCP port: 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  return wholeNumberFrom(0, 65535)(value);
}

/** A parser accepting a whole number from `min` to `max`, e.g. `--workers`. */
export function wholeNumberFrom(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, not "${value}"`);
    }
    return n;
  };
}
