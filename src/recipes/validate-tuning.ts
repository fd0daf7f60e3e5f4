/**
 * Validation of `steps.train.tuning` before any step runs: the section itself and its search space
 * (src/sweeps/tuning-config.ts), tuned parameter names the chosen estimator does not take, and an
 * `early_stop_fn` naming a function its module does not export. Each problem points at
 * file:line:column.
 */
import type { ConfigIssue } from '../errors.js';
import { ESTIMATOR_CATALOG } from '../ml/estimator-catalog.js';
// The one file of the sweeps module that validation needs, not its index: the index also brings
// the trial scheduler (worker_threads) and project sweeps (the tracking client), which every
// command that loads a recipe would otherwise load (bench/cli, test/cli/lazy-loading.test.ts).
import { parseTuningConfig } from '../sweeps/tuning-config.js';
import { locateUserFunction, scanUserModuleExports } from '../steps/user-module.js';

/** validate.ts's ConfigPath (not imported: validate.ts imports this file). */
type ConfigPath = readonly (string | number)[];

const TUNING: ConfigPath = ['steps', 'train', 'tuning'];

/** Estimators used when the recipe names none (the train step's own defaults). */
const DEFAULT_ESTIMATOR: Readonly<Record<string, string>> = {
  'regression/v1': 'linear_regression',
  'classification/v1': 'logistic_regression',
};

type IssueAt = (path: ConfigPath, message: string, hint?: string, key?: boolean) => ConfigIssue;

export function tuningIssues(options: {
  config: Record<string, unknown>;
  recipeDir: string;
  issueAt: IssueAt;
  didYouMean(name: string, allowed: readonly string[]): string | undefined;
}): ConfigIssue[] {
  const { config, recipeDir, issueAt } = options;
  const train = ((config.steps as Record<string, unknown> | undefined)?.train ?? {}) as Record<
    string,
    unknown
  >;
  const { config: tuning, issues } = parseTuningConfig(train.tuning);
  const out = issues.map((i) => issueAt([...TUNING, ...i.path], i.message, i.hint));
  if (!tuning) return out;

  if (train.using !== 'custom') {
    const estimator = train.estimator as { name?: unknown } | undefined;
    const name =
      typeof estimator?.name === 'string' ? estimator.name : DEFAULT_ESTIMATOR[String(config.recipe)];
    const known = name ? knownParams(name) : undefined;
    if (name && known) {
      for (const p of tuning.space) {
        if (known.includes(p.name)) continue;
        const suggestion = options.didYouMean(p.name, known);
        out.push(
          issueAt(
            [...TUNING, 'parameters', p.name],
            `estimator "${name}" has no parameter "${p.name}" to tune`,
            suggestion ? `did you mean \`${suggestion}\`?` : `its parameters are ${known.join(', ')}`,
            true,
          ),
        );
      }
    }
  }
  const stop = tuning.earlyStop;
  if (stop?.kind === 'user') {
    const found = locateUserFunction({ recipeDir, module: stop.module, name: stop.name });
    const file = found?.file;
    const missing =
      found === undefined ||
      (found.language === 'python'
        ? !found.defined
        : scanUserModuleExports(found.file) !== 'unknown' &&
          !(scanUserModuleExports(found.file) as Set<string>).has(stop.name));
    if (missing) {
      out.push(
        issueAt(
          [...TUNING, 'early_stop_fn'],
          file
            ? `steps/${stop.module}${file.slice(file.lastIndexOf('.'))} does not define a function "${stop.name}"`
            : `early_stop_fn "${stop.name}" needs the module steps/${stop.module}.py or steps/${stop.module}.ts, which does not exist`,
          'use no_progress_loss(N), or define the function as hyperopt calls it: fn(trials, *args) -> (stop, args)',
        ),
      );
    }
  }
  return out;
}

/**
 * The parameters an estimator takes, from the catalog (test/ml/estimator-catalog.test.ts holds it
 * equal to the classes), so validating a recipe loads no estimator code. An unknown estimator name
 * is reported where the train step resolves it.
 */
function knownParams(name: string): string[] | undefined {
  const spec = Object.hasOwn(ESTIMATOR_CATALOG, name) ? ESTIMATOR_CATALOG[name] : undefined;
  return spec ? Object.keys(spec.params) : undefined;
}
