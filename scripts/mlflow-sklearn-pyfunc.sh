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

# The other way round: real MLflow saves a fitted scikit-learn pipeline with
# mlflow.sklearn.save_model (cloudpickle, tensor output signature, no mlrecipe metadata), and
# `recipe models predict` and `recipe models serve` score it; both must equal sklearn's predict.
made="$work/mlflow-made"
PYTHONPATH="$MLFLOW_SRC${MLFLOW_PYTHONPATH:+:$MLFLOW_PYTHONPATH}" GIT_PYTHON_REFRESH=quiet \
  "$python" - "$made" "$work/made.rows.json" "$work/made.expected.json" 2>"$work/made.log" <<'PY'
import json, sys
import numpy as np, pandas as pd
import mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
out, rows_file, expected_file = sys.argv[1:4]
rng = np.random.default_rng(3)
X = pd.DataFrame({"km": rng.uniform(0.5, 30, 300), "zone": rng.choice(["a", "b", "c"], 300)})
y = 2.5 + 1.7 * X.km + np.where(X.zone == "b", 8.0, 0.0) + rng.normal(0, 0.3, 300)
model = Pipeline([
    ("prep", ColumnTransformer([("num", StandardScaler(), ["km"]), ("cat", OneHotEncoder(), ["zone"])])),
    ("ridge", Ridge()),
]).fit(X, y)
mlflow.sklearn.save_model(model, out, signature=infer_signature(X, model.predict(X)))
rows = X.head(50)
json.dump({"dataframe_split": {"columns": list(rows.columns), "data": rows.values.tolist()}}, open(rows_file, "w"))
json.dump([float(v) for v in model.predict(rows)], open(expected_file, "w"))
PY
recipe models predict -m "$made" -i "$work/made.rows.json" >"$work/made.ours.json"
port_file="$work/made.serve.out"
recipe models serve -m "$made" --port 0 --host 127.0.0.1 >"$port_file" 2>"$work/made.serve.err" &
serve_pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$port_file" || true)
  [ -n "$url" ] && break
  sleep 1
done
served=$(curl -sf -H 'content-type: application/json' --data-binary "@$work/made.rows.json" "$url/invocations" || true)
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
if "$python" - "$work/made.expected.json" "$work/made.ours.json" "$served" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))["predictions"]
served = json.loads(sys.argv[3])["predictions"] if sys.argv[3] else []
ok = len(ours) == len(served) == len(expected) and all(
    abs(a - e) <= 1e-9 * max(1, abs(e)) and abs(b - e) <= 1e-9 * max(1, abs(e))
    for a, b, e in zip(ours, served, expected))
print(json.dumps({"rows": len(expected), "predict_equal": ours == expected, "serve_equal": served == expected, "within_1e-9": ok}))
sys.exit(0 if ok else 1)
PY
then
  echo "PASS  mlflow.sklearn.save_model -> recipe models predict/serve"
else
  echo "FAIL  mlflow.sklearn.save_model -> recipe models predict/serve"; cat "$work/made.serve.err"; status=1
fi
exit $status
