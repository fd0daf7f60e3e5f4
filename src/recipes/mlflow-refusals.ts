/**
 * Fields and values MLflow Recipes 2.x reads that mlrecipe does not honour, each with the reason
 * and what to write instead. Without this table they would be refused too (the schema knows no
 * such field, or not that value), but as a bare "unknown field", which tells a user coming from
 * MLflow nothing. docs/migrating-from-mlflow.md lists them with everything mlrecipe does honour;
 * test/docs/migrating-from-mlflow.test.ts holds the two to each other.
 */

export interface MlflowRefusal {
  message: string;
  hint: string;
}

const SPARK_HINT =
  'write the table out as Parquet files (e.g. `df.write.parquet("data/train")` in Spark) and set `using: parquet` with `location:` pointing at them';

const FLAML_HINT =
  'use `using: custom` with an `estimator_method` in steps/train.py and a `tuning:` section for a hyperparameter search (docs/sweeps.md)';

/** Refused field names, by their parent's dotted path (`*` = ingest or ingest_scoring). */
const FIELDS: Readonly<Record<string, Readonly<Record<string, MlflowRefusal>>>> = {
  'steps.*': {
    sql: {
      message: "sql is MLflow Recipes' `using: spark_sql` query, which needs Spark; mlrecipe has no Spark",
      hint: SPARK_HINT,
    },
    timestamp: {
      message:
        "timestamp is MLflow Recipes' Delta table time travel, which needs Spark; mlrecipe has no Spark",
      hint: SPARK_HINT,
    },
  },
  'steps.split': {
    post_split_method: {
      message:
        "post_split_method (MLflow Recipes' older hook that rewrites all three splits) is not supported",
      hint: 'use `post_split_filter_method` (a bool Series filtering the training split, as in MLflow 2.x) or a custom `split_method`',
    },
  },
  'steps.train': {
    calibrate_proba: {
      message:
        "calibrate_proba (MLflow Recipes wraps the classifier in scikit-learn's CalibratedClassifierCV) is not supported",
      hint: 'return the wrapped estimator from steps/train.py instead: `return CalibratedClassifierCV(estimator, method="isotonic")` (the same model MLflow builds)',
    },
    flaml_params: {
      message:
        "flaml_params belongs to MLflow Recipes' `using: automl/flaml`, which needs FLAML; mlrecipe has no FLAML",
      hint: FLAML_HINT,
    },
    time_budget_secs: {
      message:
        "time_budget_secs belongs to MLflow Recipes' `using: automl/flaml`, which needs FLAML; mlrecipe has no FLAML",
      hint: FLAML_HINT,
    },
  },
  experiment: {
    id: {
      message: 'experiment.id (an existing experiment chosen by id) is not supported',
      hint: 'name the experiment with `experiment.name` (created when it does not exist; `recipe experiments list` shows the names)',
    },
  },
};

/** Refused values of enum fields, by the field's dotted path. */
const VALUES: Readonly<Record<string, Readonly<Record<string, MlflowRefusal>>>> = {
  'steps.*.using': {
    delta: {
      message: "using: delta is MLflow Recipes' Delta Lake reader, which needs Spark; mlrecipe has no Spark",
      hint: SPARK_HINT,
    },
    spark_sql: {
      message: 'using: spark_sql runs a Spark SQL query, which needs Spark; mlrecipe has no Spark',
      hint: SPARK_HINT,
    },
  },
  'steps.predict.output.using': {
    delta: {
      message: 'using: delta writes a Delta Lake table, which needs Spark; mlrecipe has no Spark',
      hint: 'write `using: parquet` (or csv, json, arrow) to a file `location:`',
    },
    table: {
      message: 'using: table writes a Spark metastore table, which needs Spark; mlrecipe has no Spark',
      hint: 'write `using: parquet` (or csv, json, arrow) to a file `location:`',
    },
  },
  'steps.train.using': {
    'automl/flaml': {
      message:
        'using: automl/flaml searches estimators with FLAML, which is not installed here (Debian packages no FLAML) and not ported to mlrecipe',
      hint: FLAML_HINT,
    },
  },
};

function pattern(path: readonly (string | number)[]): string {
  return path
    .map((segment, i) =>
      i === 1 && path[0] === 'steps' && (segment === 'ingest' || segment === 'ingest_scoring')
        ? '*'
        : segment,
    )
    .join('.');
}

/** The refusal for an unknown field `name` under `parent`, when MLflow Recipes reads that field. */
export function mlflowFieldRefusal(
  parent: readonly (string | number)[],
  name: string,
): MlflowRefusal | undefined {
  const entries = FIELDS[pattern(parent)];
  return entries && Object.hasOwn(entries, name) ? entries[name] : undefined;
}

/** The refusal for a value the schema does not allow at `path`, when MLflow Recipes takes it. */
export function mlflowValueRefusal(
  path: readonly (string | number)[],
  value: unknown,
): MlflowRefusal | undefined {
  const entries = VALUES[pattern(path)];
  return typeof value === 'string' && entries && Object.hasOwn(entries, value) ? entries[value] : undefined;
}

/**
 * URI schemes MLflow resolves that mlrecipe cannot: Databricks workspaces and DBFS. (Remote data
 * `location`s are refused separately: MLflow downloads them, mlrecipe reads local files.)
 */
export function isDatabricksUri(value: string): boolean {
  return /^(databricks|dbfs|databricks-uc)(:|$)/i.test(value);
}
