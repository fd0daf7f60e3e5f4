/**
 * The environment the Python-recipe tests run `recipe` in: Debian's Python (pandas, scikit-learn)
 * as the worker's interpreter, and no tracking URI from the developer's shell, so each run records
 * into its own repository's default store.
 */
export function pythonRecipeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RECIPE_PYTHON: '/usr/bin/python3' };
  delete env.RECIPE_TRACKING_URI;
  delete env.MLFLOW_TRACKING_URI;
  return env;
}
