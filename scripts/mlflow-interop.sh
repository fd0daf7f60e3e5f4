#!/usr/bin/env bash
# Checks mlrecipe against MLflow itself (see scripts/mlflow-interop.ts for what is compared).
# Skipped unless MLFLOW_SRC names an MLflow 2.12 source tree that Debian's Python can import:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-interop.sh
# Results are recorded in docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the interop checks"
  exit 0
fi
exec node --import tsx scripts/mlflow-interop.ts "$@"
