import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { placeholdersOf, renderCommand, shellQuote } from '../../src/projects/command.js';

/** What bash makes of a rendered command: the argv a program would receive. */
function argvOf(command: string): string[] {
  const out = execFileSync('/bin/bash', [
    '-c',
    `for a in ${command.replace(/^\S+\s*/, '')}; do printf '%s\\0' "$a"; done`,
  ]);
  return out.toString().split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it.each([
    ['0.1', '0.1'],
    ['data/x.csv', 'data/x.csv'],
    ['', "''"],
    ['hello world', "'hello world'"],
    ["it's", `'it'"'"'s'`],
    ['$HOME', "'$HOME'"],
  ])('quotes %j as %s (as shlex.quote does)', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it('keeps every value a single literal word, injection attempts included', () => {
    const nasty = [
      "'; rm -rf / #",
      '$(touch /tmp/pwned)',
      '`id`',
      'a\nb',
      '"; echo hi',
      "\\'",
      '*',
      '--flag=$x',
    ];
    for (const value of nasty) {
      const out = execFileSync('/bin/bash', ['-c', `printf '%s' ${shellQuote(value)}`]).toString();
      expect(out).toBe(value);
    }
  });
});

describe('renderCommand', () => {
  it('substitutes {name} with quoted values and keeps {{ }} as literal braces', () => {
    const command = renderCommand({
      template: 'python train.py --alpha {alpha} --name {name} --json {{"a": 1}}',
      values: { alpha: '0.5', name: "'; rm -rf / #" },
    });
    expect(command).toBe(`python train.py --alpha 0.5 --name ''"'"'; rm -rf / #' --json {"a": 1}`);
  });

  it('appends extra parameters as --key value, quoted, in the order given', () => {
    const command = renderCommand({
      template: 'run {a}',
      values: { a: '1' },
      extra: { beta: 'x y', 'n;ls': '2' },
    });
    expect(command).toBe("run 1 --beta 'x y' '--n;ls' 2");
    expect(argvOf(command)).toEqual(['1', '--beta', 'x y', '--n;ls', '2']);
  });

  it('refuses placeholders that are not parameters and unbalanced braces', () => {
    expect(() => renderCommand({ template: 'run {missing}', values: {} })).toThrow(ConfigError);
    expect(() => renderCommand({ template: 'run {a!r}', values: { a: '1' } })).toThrow(
      /not a parameter placeholder/,
    );
    expect(() => renderCommand({ template: 'run }', values: {} })).toThrow(/single "}"/);
    expect(() => renderCommand({ template: 'run {a', values: {} })).toThrow(/unclosed/);
  });

  it('lists placeholders once each', () => {
    expect(placeholdersOf('x {a} {b} {a} {{c}}')).toEqual(['a', 'b']);
  });
});
