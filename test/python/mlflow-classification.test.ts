/**
 * Acceptance for issue 19, classification: test/fixtures/mlflow-classification-recipe, a recipe
 * written for these tests in the shape of MLflow's recipes-classification-template (binary,
 * `positive_class`, Parquet input, Python steps, a scikit-learn ColumnTransformer and
 * RandomForestClassifier, a custom metric), runs with `recipe run --profile local` as it is.
 * The metrics that need probabilities (roc_auc, log_loss) are checked against scikit-learn's own
 * on the same test rows with the same pickled model, in a separate Python process; a classifier
 * without predict_proba says why those metrics are missing.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowDataset } from '../../src/data/arrow-io.js';
import { frameToCsv } from '../../src/data/csv.js';
import { runCli } from '../helpers/cli.js';
import { pythonRecipeEnv } from '../helpers/python-recipe.js';

const fixture = fileURLToPath(new URL('../fixtures/mlflow-classification-recipe', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlrecipe-mlflow-classification-'));
  cpSync(fixture, dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = pythonRecipeEnv;

async function artifact(step: string, name: string): Promise<string> {
  const found = await runCli(['get-artifact', '--step', step, '--name', name], { cwd: dir, env: env() });
  expect(found.code).toBe(0);
  return found.stdout.trim();
}

/** scikit-learn's metrics for the pickled model on a CSV of labelled rows, positive class "red". */
const SKLEARN_METRICS = `
import json, pickle, sys
import pandas as pd
from sklearn import metrics
model = pickle.load(open(sys.argv[1], "rb"))
df = pd.read_csv(sys.argv[2])
X, y = df.drop(columns=["color"]), df["color"]
proba = model.predict_proba(X)
pos = list(model.classes_).index("red")
pred = model.predict(X)
print(json.dumps({
    "classes": [str(c) for c in model.classes_],
    "roc_auc": metrics.roc_auc_score(y == "red", proba[:, pos]),
    "log_loss": metrics.log_loss(y, proba, labels=model.classes_),
    "f1_score": metrics.f1_score(y, pred, pos_label="red"),
    "precision_score": metrics.precision_score(y, pred, pos_label="red"),
    "predictions": [str(p) for p in pred],
}))
`;

describe('an MLflow-shaped binary classification recipe with scikit-learn', () => {
  it('runs with recipe run --profile local unchanged and registers the classifier', async () => {
    const run = await runCli(['run', '--profile', 'local'], { cwd: dir, env: env() });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      '[train] fitted sklearn.ensemble._forest.RandomForestClassifier (steps/train.py:estimator_fn())',
    );
    // The roc_auc criterion could be checked only because predict_proba was used.
    expect(run.stderr).toContain('validation status: VALIDATED');
    expect(run.stderr).toContain('registered wine-color version 1 as @champion');
  }, 240_000);

  it('computes roc_auc, log_loss and the positive-class metrics as scikit-learn does', async () => {
    const metrics = JSON.parse(readFileSync(await artifact('evaluate', 'metrics'), 'utf8')) as Record<
      string,
      number
    >;
    const test = readArrowDataset(await artifact('split', 'test'));
    const csv = join(dir, 'test-rows.csv');
    writeFileSync(csv, frameToCsv(test.frame, { columnTypes: test.columnTypes }));
    const model = join(await artifact('train', 'model'), 'model.pkl');
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', SKLEARN_METRICS, model, csv], { encoding: 'utf8' }),
    ) as Record<string, number> & { classes: string[] };
    // scikit-learn orders classes_ by value: the positive class "red" is index 0, not 1.
    expect(expected.classes).toEqual(['red', 'white']);
    expect(metrics.test_roc_auc).toBeCloseTo(expected.roc_auc, 10);
    expect(metrics.test_log_loss).toBeCloseTo(expected.log_loss, 10);
    expect(metrics.test_f1_score).toBeCloseTo(expected.f1_score, 10);
    expect(metrics.test_precision_score).toBeCloseTo(expected.precision_score, 10);
    expect(metrics.val_roc_auc).toBeGreaterThan(0.5);
    expect(metrics.test_red_share_predicted).toBeGreaterThan(0);
  }, 120_000);

  it('scores rows with the registered classifier as scikit-learn predicts them', async () => {
    const test = readArrowDataset(await artifact('split', 'test'));
    const csv = join(dir, 'score.csv');
    writeFileSync(csv, frameToCsv(test.frame, { columnTypes: test.columnTypes }));
    const trackingUri = `sqlite:///${join(dir, 'metadata', 'mlflow', 'mlruns.db')}`;
    const scored = await runCli(
      ['models', 'predict', '--tracking-uri', trackingUri, '-m', 'models:/wine-color@champion', '-i', csv],
      { cwd: dir, env: env() },
    );
    expect(scored.code).toBe(0);
    const model = join(await artifact('train', 'model'), 'model.pkl');
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', SKLEARN_METRICS, model, csv], { encoding: 'utf8' }),
    ) as { predictions: string[] };
    expect((JSON.parse(scored.stdout) as { predictions: string[] }).predictions).toEqual(
      expected.predictions,
    );
  }, 120_000);

  it('says why roc_auc is missing for a classifier without predict_proba (SGDClassifier, hinge loss)', async () => {
    writeFileSync(
      join(dir, 'steps', 'train.py'),
      [
        'def estimator_fn(estimator_params=None):',
        '    from sklearn.linear_model import SGDClassifier',
        '',
        '    return SGDClassifier(random_state=42)',
        '',
      ].join('\n'),
    );
    const run = await runCli(['run', '--profile', 'local', '--step', 'evaluate'], { cwd: dir, env: env() });
    expect(run.stderr).toContain(
      'SGDClassifier has no predict_proba: roc_auc, log_loss and precision_recall_auc are not computed',
    );
    expect(run.stderr).toContain(
      'test: roc_auc, log_loss and precision_recall_auc not computed: the scikit-learn model has no predict_proba',
    );
    // The recipe's roc_auc criterion cannot be checked: a config error at its line, not a crash.
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /recipe\.yaml:\d+:\d+: steps\.evaluate\.validation_criteria\[1\]\.metric: roc_auc was not computed/,
    );
  }, 240_000);
});
