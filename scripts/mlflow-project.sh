#!/usr/bin/env bash
# An MLproject whose script uses MLflow's own Python client (`import mlflow; mlflow.start_run()`)
# run by `recipe project run`: the script must attach to the run the runner created, and its
# params, metric history, tag and artifact must land there. Skipped unless MLFLOW_SRC names an
# MLflow 2.12 source tree that Debian's Python can import:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-project.sh
# Needs `npm run build` first. Results are recorded in docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the project check"
  exit 0
fi
recipe="node $PWD/dist/cli/main.js"
python="${MLFLOW_PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q
cat > MLproject <<YAML
name: uses-mlflow
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
    command: "$python train.py --alpha {alpha}"
YAML
cat > train.py <<'PY'
import argparse
import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=float)
args = parser.parse_args()
with mlflow.start_run() as run:
    mlflow.log_param("alpha_seen", args.alpha)
    for step in range(3):
        mlflow.log_metric("loss", 1.0 / (step + 1 + args.alpha), step=step)
    with open("note.txt", "w") as f:
        f.write("hello")
    mlflow.log_artifact("note.txt")
    mlflow.set_tag("script_run_id", run.info.run_id)
PY
git add -A
git -c user.email=check@example.com -c user.name=check commit -qm project
PYTHONPATH="$MLFLOW_SRC${MLFLOW_PYTHONPATH:+:$MLFLOW_PYTHONPATH}" GIT_PYTHON_REFRESH=quiet \
  $recipe project run . -P alpha=0.3 --env-manager local > run.log 2>&1
run_id="$(sed -n "s/^=== Run (ID '\([0-9a-f]*\)') succeeded ===$/\1/p" run.log)"
[ -n "$run_id" ] || { cat run.log; echo "FAIL: the project run did not succeed"; exit 1; }
$recipe runs show "$run_id" -o json > run.json
node -e '
const run = JSON.parse(require("fs").readFileSync("run.json", "utf8"));
const tag = (k) => run.data.tags.find((t) => t.key === k)?.value;
const param = (k) => run.data.params.find((p) => p.key === k)?.value;
const loss = run.data.metrics.find((m) => m.key === "loss");
const checks = {
  "the script attached to the runner\x27s run": tag("script_run_id") === run.info.run_id,
  "the runner\x27s param and the script\x27s param": param("alpha") === "0.3" && param("alpha_seen") === "0.3",
  "the script\x27s metric (last of 3 steps)": loss?.step === 2 && Math.abs(loss.value - 1 / 3.3) < 1e-12,
  "status FINISHED": run.info.status === "FINISHED",
};
let failed = 0;
for (const [what, ok] of Object.entries(checks)) { console.log(`${ok ? "PASS" : "FAIL"}  ${what}`); if (!ok) failed++; }
process.exit(failed ? 1 : 0);
'
artifacts="$(find mlruns -path "*/$run_id/artifacts/note.txt")"
[ -n "$artifacts" ] && echo "PASS  the script's artifact is in the run's artifacts" || { echo "FAIL  no note.txt artifact"; exit 1; }
