#!/usr/bin/env bash
# MLflow 2.12's Python client against `recipe server` and against MLflow's own server, side by
# side (see scripts/mlflow-client-vs-server.ts). Skipped unless MLFLOW_SRC names MLflow's source:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-client-vs-server.sh
# Results are recorded in docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to compare MLflow's client on both servers"
  exit 0
fi
exec node --import tsx scripts/mlflow-client-vs-server.ts "$@"
