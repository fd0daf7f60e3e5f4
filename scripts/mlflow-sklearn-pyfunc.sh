#!/usr/bin/env bash
# MLflow 2.12 loading the scikit-learn models that mlrecipe's Python recipes register (issue 19):
# runs test/fixtures/mlflow-recipe (regression) and test/fixtures/mlflow-classification-recipe
# end to end with `recipe run`, scores rows with `recipe models predict`, then loads the
# registered model directory with mlflow.pyfunc.load_model and mlflow.sklearn.load_model
# (scripts/mlflow-sklearn-pyfunc.py) and compares. Skipped unless MLFLOW_SRC names an MLflow 2.12
# source tree that Debian's Python can import:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-sklearn-pyfunc.sh
# Results are recorded in docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the sklearn pyfunc checks"
  exit 0
fi
root=$(pwd)
python=${MLFLOW_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
recipe() {
  env -u RECIPE_TRACKING_URI -u MLFLOW_TRACKING_URI RECIPE_PYTHON="$python" \
    "$root/node_modules/.bin/tsx" "$root/src/cli/main.ts" "$@"
}
status=0
for fixture in mlflow-recipe mlflow-classification-recipe; do
  dir="$work/$fixture"
  cp -r "test/fixtures/$fixture" "$dir"
  if ! (cd "$dir" && recipe run --profile local >"$work/$fixture.log" 2>&1); then
    echo "FAIL  $fixture: recipe run failed"; cat "$work/$fixture.log"; exit 1
  fi
  model=$(cd "$dir" && recipe get-artifact --step train --name model 2>/dev/null)
  # The rows to score: the model's own input example, plus (regression) the whole data file.
  "$python" - "$model" "$dir" "$work/$fixture.rows.json" <<'PY'
import json, sys, os
import pandas as pd
model, recipe_dir, out = sys.argv[1:4]
example = json.load(open(os.path.join(model, "input_example.json")))
frame = pd.DataFrame(example["data"], columns=example["columns"])
trips = os.path.join(recipe_dir, "data", "trips.csv")
if os.path.exists(trips):
    frame = pd.read_csv(trips, sep=";", decimal=",")[list(frame.columns)]
json.dump({"dataframe_split": {"columns": list(frame.columns), "data": frame.values.tolist()}}, open(out, "w"))
PY
  (cd "$dir" && recipe models predict -m "$model" -i "$work/$fixture.rows.json" >"$work/$fixture.ours.json")
  if PYTHONPATH="$MLFLOW_SRC${MLFLOW_PYTHONPATH:+:$MLFLOW_PYTHONPATH}" GIT_PYTHON_REFRESH=quiet \
    "$python" scripts/mlflow-sklearn-pyfunc.py "$model" "$work/$fixture.rows.json" "$work/$fixture.ours.json" \
    >"$work/$fixture.result.json"; then
    echo "PASS  $fixture: $(cat "$work/$fixture.result.json")"
  else
    echo "FAIL  $fixture: $(cat "$work/$fixture.result.json")"; status=1
  fi
done
exit $status
