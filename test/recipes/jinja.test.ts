/**
 * Jinja in recipe.yaml and profiles (src/recipes/jinja.ts, nunjucks): the same templates rendered
 * by Jinja2 itself (Debian's python3-jinja2, configured as MLflow 2.12's render_and_merge_yaml
 * configures it) give the same YAML values; undefined variables and syntax errors name the file
 * and line; config errors after an `{% if %}` block still point at the line the user wrote;
 * MLFLOW_RECIPES_PROFILE selects the profile.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { renderJinja, stripLineComments, usesJinja } from '../../src/recipes/jinja.js';
import { loadRecipe } from '../../src/recipes/load.js';

const base = mkdtempSync(join(tmpdir(), 'mlrecipe-jinja-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
writeFileSync(join(base, 'extra.json'), JSON.stringify({ ratios: [0.8, 0.1, 0.1], name: 'from json' }));

/** Jinja2 as MLflow renders recipes, then PyYAML: the value as JSON. */
function jinja2Value(template: string, values: Record<string, unknown>): unknown {
  const script = `
import json, sys, yaml, jinja2
from jinja2.sandbox import SandboxedEnvironment
env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, line_comment_prefix="#")
def from_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
env.filters["from_json"] = from_json
data = json.loads(sys.stdin.read())
print(json.dumps(yaml.safe_load(env.from_string(data["template"]).render(**data["values"]))))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', script], {
    cwd: base,
    input: JSON.stringify({ template, values }),
  });
  return JSON.parse(out.toString()) as unknown;
}

function ourValue(template: string, values: Record<string, unknown>): unknown {
  const rendered = renderJinja({
    text: template,
    values,
    file: 'recipe.yaml',
    baseDir: base,
    undefinedHint: (n) => `define ${n}`,
  });
  return parseYaml(rendered.text) as unknown;
}

const CASES: Array<{ name: string; template: string; values: Record<string, unknown> }> = [
  {
    name: 'a mapping placeholder, default() with a list, line comments',
    template: `recipe: "regression/v1"   # the template
steps:
  ingest: {{INGEST_CONFIG}}
  # ingest_scoring: {{INGEST_SCORING_CONFIG}}
  split:
    split_ratios: {{SPLIT_RATIOS|default([0.75, 0.125, 0.125])}}
    url: http://example.com/a#fragment
`,
    values: {
      INGEST_CONFIG: { using: 'parquet', location: './data/sample.parquet', nested: { a: [1, 'x'] } },
    },
  },
  {
    name: '{% if %} / {% else %} on a variable, and booleans',
    template: `target_col: "y"
{% if USE_CUSTOM %}
transform:
  using: custom
  transformer_method: transformer_fn
{% else %}
transform:
  using: default
{% endif %}
flag: {{ FLAG }}
`,
    values: { USE_CUSTOM: true, FLAG: false },
  },
  {
    name: '{% for %} over a list, string filters, arithmetic',
    template: `custom_metrics:
{% for m in METRICS %}
  - name: {{ m.name | lower }}
    function: {{ m.fn }}
    greater_is_better: {{ m.gib }}
{% endfor %}
max_trials: {{ TRIALS * 2 }}
`,
    values: {
      METRICS: [
        { name: 'WMSE', fn: 'weighted_mse', gib: false },
        { name: 'Lift', fn: 'lift', gib: true },
      ],
      TRIALS: 5,
    },
  },
  {
    name: 'from_json and == True',
    template: `split_ratios: {{ ("extra.json" | from_json).ratios }}
name: "{{ ("extra.json" | from_json).name }}"
{% if ENABLED == True %}
enabled: yes_it_is
{% endif %}
`,
    values: { ENABLED: true },
  },
];

describe('Jinja rendering', () => {
  it.each(CASES)('renders like Jinja2: $name', ({ template, values }) => {
    expect(usesJinja(template) || /\{\{\w+\}\}/.test(template)).toBe(true);
    expect(ourValue(template, values)).toEqual(jinja2Value(template, values));
  });

  it('removes line comments as Jinja2 does, keeping line breaks and tags', () => {
    expect(stripLineComments('a: 1  # x {{ Y }}\n# all\nb: "{{ X }}" # z\nc: {{ "#" }}')).toBe(
      'a: 1\n\nb: "{{ X }}"\nc: {{ "#" }}',
    );
  });

  it('names an undefined variable, its line and the profile to define it in', () => {
    const template = 'a: 1\nb: {{ A }}\nc: {{ MISSING }}\n';
    let error: unknown;
    try {
      renderJinja({
        text: template,
        values: { A: 1 },
        file: 'recipe.yaml',
        baseDir: base,
        undefinedHint: (n) => `add ${n}: <value> to profiles/local.yaml`,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue).toMatchObject({ file: 'recipe.yaml', line: 3, column: 4 });
    expect(issue?.message).toContain('"MISSING" is undefined');
    expect(issue?.hint).toContain('add MISSING: <value> to profiles/local.yaml');
    expect(issue?.hint).toContain('{{ MISSING|default(...) }}');
  });

  it('points a template syntax error at its line', () => {
    let error: unknown;
    try {
      renderJinja({
        text: 'a: 1\n{% if X %}\nb: 2\n',
        values: { X: true },
        file: 'recipe.yaml',
        baseDir: base,
        undefinedHint: (n) => n,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]?.message).toMatch(/Jinja template error/);
    expect((error as ConfigError).issues[0]?.hint).toContain('{% endif %}');
  });
});

function recipeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(base, 'recipe-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const RECIPE = `recipe: "regression/v1"
target_col: "y"
# a comment mentioning {{ NOT_DEFINED }} needs no value
steps:
  ingest: {{INGEST_CONFIG}}
{% if CUSTOM_SPLIT %}
  split:
    using: custom
    split_method: my_split
{% endif %}
  train:
    estimator:
      name: {{ ESTIMATOR | default("ridge") }}
      params:
        alpha: {{ ALPHA }}
`;

describe('Jinja in loadRecipe', () => {
  it('renders recipe.yaml with the profile and keeps error lines on the source', () => {
    const dir = recipeDir({
      'recipe.yaml': RECIPE,
      'profiles/local.yaml':
        'INGEST_CONFIG:\n  using: csv\n  location: data.csv\nCUSTOM_SPLIT: false\nALPHA: "not a number"\n',
      'data.csv': 'x,y\n1,2\n',
    });
    let error: unknown;
    try {
      loadRecipe({ recipeDir: dir, profile: 'local' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues.find((i) => i.path.includes('alpha'));
    // The {% if %} block dropped 4 lines; the error is still on recipe.yaml's own line of alpha.
    expect(issue?.line).toBe(RECIPE.split('\n').findIndex((l) => l.includes('alpha:')) + 1);
  });

  it('loads a rendered recipe, and MLFLOW_RECIPES_PROFILE selects the profile', () => {
    const dir = recipeDir({
      'recipe.yaml': RECIPE,
      'profiles/local.yaml':
        'INGEST_CONFIG:\n  using: csv\n  location: data.csv\nCUSTOM_SPLIT: false\nALPHA: 0.5\n',
      'profiles/other.yaml':
        'INGEST_CONFIG:\n  using: csv\n  location: data.csv\nCUSTOM_SPLIT: false\nALPHA: 2\nESTIMATOR: sgd_regressor\n',
      'data.csv': 'x,y\n1,2\n',
    });
    const local = loadRecipe({ recipeDir: dir });
    expect(local.profile).toBe('local');
    expect(local.config.steps?.train).toEqual({ estimator: { name: 'ridge', params: { alpha: 0.5 } } });
    process.env.MLFLOW_RECIPES_PROFILE = 'other';
    try {
      const other = loadRecipe({ recipeDir: dir });
      expect(other.profile).toBe('other');
      expect(other.config.steps?.train).toEqual({
        estimator: { name: 'sgd_regressor', params: { alpha: 2 } },
      });
    } finally {
      delete process.env.MLFLOW_RECIPES_PROFILE;
    }
  });
});
