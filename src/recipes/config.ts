/**
 * The shape of a resolved recipe.yaml (profile applied, schema-valid), with MLflow Recipes' field
 * names. `schema/recipe.schema.json` is the authority; these types follow it.
 */
export type RecipeTemplate = 'regression/v1' | 'classification/v1';

export interface IngestConfig {
  using: 'csv' | 'parquet' | 'json' | 'arrow' | 'custom';
  location?: string | string[];
  loader_method?: string;
  skip_data_profiling?: boolean;
}

export interface SplitConfig {
  using?: 'split_ratios' | 'custom';
  split_ratios?: [number, number, number];
  split_method?: string;
  post_split_filter_method?: string;
  skip_data_profiling?: boolean;
}

export interface TransformConfig {
  using?: string;
  transformer_method?: string;
  max_categories?: number | null;
}

export interface TrainConfig {
  using?: string;
  estimator_method?: string;
  estimator?: { name: string; params?: Record<string, unknown> };
  estimator_params?: Record<string, unknown>;
  tuning?: Record<string, unknown>;
  predict_scores_for_all_classes?: boolean;
  predict_prefix?: string;
}

export interface ValidationCriterion {
  metric: string;
  threshold: number;
}

export interface EvaluateConfig {
  validation_criteria?: ValidationCriterion[];
}

export interface RegisterConfig {
  model_name?: string;
  registry_uri?: string;
  baseline_alias?: string;
  validation_thresholds?: Record<string, number>;
  allow_non_validated_model?: boolean;
  on_baseline_error?: 'fail' | 'promote';
}

export interface PredictConfig {
  model_uri?: string;
  output?: { using?: 'csv' | 'parquet' | 'arrow' | 'json'; location: string };
  result_type?: string;
  save_mode?: string;
}

export interface CustomMetricConfig {
  name: string;
  function: string;
  greater_is_better: boolean;
}

export interface RecipeConfig {
  recipe: RecipeTemplate;
  target_col: string;
  positive_class?: string | number | boolean;
  primary_metric?: string;
  steps?: {
    ingest?: IngestConfig;
    split?: SplitConfig;
    transform?: TransformConfig;
    train?: TrainConfig;
    evaluate?: EvaluateConfig;
    register?: RegisterConfig;
    ingest_scoring?: IngestConfig;
    predict?: PredictConfig;
  };
  custom_metrics?: CustomMetricConfig[];
  experiment?: { name?: string; tracking_uri?: string; artifact_location?: string };
  model_registry?: { model_name?: string; registry_uri?: string };
}
