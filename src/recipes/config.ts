/**
 * The shape of a resolved recipe.yaml (profile applied, schema-valid), with MLflow Recipes' field
 * names. `schema/recipe.schema.json` is the one declaration: the types are generated from it
 * into src/steps/recipe-config.ts (where the steps, which may not import recipes/, read them).
 */
import type { RecipeConfig } from '../steps/recipe-config.js';

export type {
  CustomMetricConfig,
  EstimatorSpec,
  EvaluateConfig,
  ExperimentConfig,
  IngestConfig,
  ModelRegistryConfig,
  PredictConfig,
  PredictOutputConfig,
  RecipeConfig,
  RegisterConfig,
  SplitConfig,
  StepsConfig,
  TrainConfig,
  TransformConfig,
  ValidationCriterion,
} from '../steps/recipe-config.js';

export type RecipeTemplate = RecipeConfig['recipe'];
