/**
 * The shape of a resolved recipe.yaml (profile applied, schema-valid), with MLflow Recipes' field
 * names. GENERATED from schema/recipe.schema.json by scripts/recipe-config-types.mjs: edit the
 * schema, then run `npm run gen:config-types` (`npm run typecheck` fails while this file is
 * out of date).
 */

/**
 * An MLflow Recipes-compatible recipe.yaml after profile placeholders are applied. Field names follow MLflow Recipes (regression/v1, classification/v1).
 */
export interface RecipeConfig {
  /**
   * The recipe template: regression/v1 or classification/v1.
   */
  recipe: 'regression/v1' | 'classification/v1';
  /**
   * The column to predict.
   */
  target_col: string;
  /**
   * For binary classification: the label of the positive class.
   */
  positive_class?: string | number | boolean;
  /**
   * The metric that ranks models, e.g. root_mean_squared_error or f1_score.
   */
  primary_metric?: string;
  steps?: StepsConfig;
  custom_metrics?: CustomMetricConfig[];
  /**
   * The Python interpreter that runs steps/*.py functions and scikit-learn models (usually set in a profile): a path (relative to the recipe directory) or a command on PATH. Default: RECIPE_PYTHON, else python3 on PATH.
   */
  python?: string;
  experiment?: ExperimentConfig;
  model_registry?: ModelRegistryConfig;
}
export interface StepsConfig {
  ingest?: IngestConfig;
  split?: SplitConfig;
  transform?: TransformConfig;
  train?: TrainConfig;
  evaluate?: EvaluateConfig;
  register?: RegisterConfig;
  ingest_scoring?: IngestConfig;
  predict?: PredictConfig;
}
export interface IngestConfig {
  using: 'csv' | 'parquet' | 'json' | 'arrow' | 'custom' | 'project';
  location?: string | [string, ...string[]];
  loader_method?: string;
  skip_data_profiling?: boolean;
  /**
   * using: project — the MLproject directory (relative to the recipe directory), or a git URI with optional #subdirectory.
   */
  uri?: string;
  /**
   * using: project — the entry point to run (default main).
   */
  entry_point?: string;
  /**
   * using: project — the entry point's parameters.
   */
  parameters?: {
    [k: string]: string | number | boolean;
  };
  /**
   * using: project — branch, tag or commit of a git uri.
   */
  version?: string;
  /**
   * using: project — how to read the output file (default: from its extension).
   */
  format?: 'csv' | 'parquet' | 'json' | 'arrow';
  /**
   * using: project — the run output (written to $RECIPE_OUTPUTS_FILE) holding the data's path or artifact URI.
   */
  output?: string;
}
export interface SplitConfig {
  using?: 'split_ratios' | 'custom';
  /**
   * [train, validation, test] fractions that sum to 1.
   *
   * @minItems 3
   * @maxItems 3
   */
  split_ratios?: [number, number, number];
  split_method?: string;
  post_split_filter_method?: string;
  skip_data_profiling?: boolean;
}
export interface TransformConfig {
  using?: 'default' | 'custom';
  transformer_method?: string;
  /**
   * MLflow Recipes: no profile of the transformed data; mlrecipe leaves the feature statistics off the transform card.
   */
  skip_data_profiling?: boolean;
  /**
   * Default transformer: at most this many one-hot columns per string column, rarer and unseen categories grouped into one (scikit-learn's OneHotEncoder max_categories; default 50). null: one column per category.
   */
  max_categories?: number | null;
}
export interface TrainConfig {
  using?: 'estimator' | 'custom';
  estimator_method?: string;
  estimator?: EstimatorSpec;
  estimator_params?: {
    [k: string]: unknown;
  };
  /**
   * MLflow Recipes' hyperparameter search (docs/sweeps.md): one child run per trial, the best params train the model.
   */
  tuning?: {
    enabled?: boolean;
    max_trials?: number;
    algorithm?: string;
    parallelism?: number;
    sample_fraction?: number;
    early_stop_fn?: string;
    seed?: number;
    /**
     * mlrecipe's own: the TPE settings of algorithm hyperopt.tpe.suggest (docs/sweeps.md). A preset name (hyperopt, the default: hyperopt's tpe.suggest defaults; mlrecipe: mlrecipe's tuned settings) or a mapping of a preset and settings overriding it.
     */
    tpe?:
      | string
      | {
          /**
           * hyperopt (default) or mlrecipe
           */
          preset?: string;
          /**
           * random trials before the model is used (hyperopt: 20)
           */
          startup_trials?: number;
          /**
           * share of trials counted as good (hyperopt: 0.25, of sqrt(n))
           */
          gamma?: number;
          /**
           * sqrt: ceil(gamma * sqrt(n)) good trials (hyperopt); linear: ceil(gamma * n) (Optuna)
           */
          good_trials?: string;
          /**
           * candidates drawn per proposal (hyperopt: 24)
           */
          candidates?: number;
          /**
           * model the parameters jointly (hyperopt: false, one model per parameter)
           */
          multivariate?: boolean;
          /**
           * weight of the prior among the trials' kernels (hyperopt: 1.0)
           */
          prior_weight?: number;
        };
    parameters?: {
      [k: string]: unknown;
    };
  };
  predict_scores_for_all_classes?: boolean;
  /**
   * MLflow Recipes: skip the data profile on this step's card. mlrecipe's train step computes none, so there is nothing to skip.
   */
  skip_data_profiling?: boolean;
  /**
   * As MLflow Recipes (default true): in a binary classification recipe (positive_class) whose train split has more than 5,000 rows, a minority class under resampling_minority_percentage of the rows has the majority class downsampled (seeded), and a custom estimator_method gets the original distribution as class_weight (docs/migrating-from-mlflow.md).
   */
  rebalance_training_data?: boolean;
  /**
   * MLflow Recipes: the minority class's share after rebalancing, and the share under which the train split is rebalanced (default 0.3).
   */
  resampling_minority_percentage?: number;
  predict_prefix?: string;
}
export interface EstimatorSpec {
  name: string;
  params?: {
    [k: string]: unknown;
  };
}
export interface EvaluateConfig {
  validation_criteria?: ValidationCriterion[];
}
export interface ValidationCriterion {
  metric: string;
  threshold: number;
}
export interface RegisterConfig {
  model_name?: string;
  registry_uri?: string;
  baseline_alias?: string;
  validation_thresholds?: {
    [k: string]:
      | number
      | {
          threshold?: number;
          min_absolute_change?: number;
          min_relative_change?: number;
          greater_is_better?: boolean;
          higher_is_better?: boolean;
        };
  };
  allow_non_validated_model?: boolean;
  /**
   * When the alias holder cannot score the test split (a column renamed or dropped since it was trained): fail (the default) stops with exit 2; promote gates on the absolute thresholds (and evaluate's validation_criteria) alone and tags the new version mlrecipe.gate.forced.
   */
  on_baseline_error?: 'fail' | 'promote';
}
export interface PredictConfig {
  model_uri?: string;
  output?: PredictOutputConfig;
  /**
   * The type of the prediction column, as MLflow's spark_udf result_type: double (numbers as they are), float (rounded to 32-bit floats) or string (predictions written as text). Default: the model's own type.
   */
  result_type?: 'double' | 'float' | 'string';
  /**
   * MLflow Recipes: no profile of the scored data; mlrecipe leaves the summary of the predictions off the predict card.
   */
  skip_data_profiling?: boolean;
  save_mode?: 'default' | 'overwrite' | 'append' | 'ignore' | 'error' | 'errorifexists';
}
export interface PredictOutputConfig {
  using?: 'csv' | 'parquet' | 'arrow' | 'json';
  location: string;
}
export interface CustomMetricConfig {
  name: string;
  function: string;
  greater_is_better: boolean;
}
export interface ExperimentConfig {
  name?: string;
  tracking_uri?: string;
  artifact_location?: string;
  /**
   * Each recipe run is named <prefix>-<8 hex digits>, as MLflow Recipes names it.
   */
  run_name_prefix?: string;
}
export interface ModelRegistryConfig {
  model_name?: string;
  registry_uri?: string;
}
