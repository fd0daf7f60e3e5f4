#!/usr/bin/env bash
# mlrecipe models loaded by MLflow itself through their python_function flavor (see
# scripts/mlflow-pyfunc.ts). Skipped unless MLFLOW_SRC names an MLflow 2.12 source tree that
# Debian's Python can import:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-pyfunc.sh
# Results are recorded in docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the pyfunc checks"
  exit 0
fi
exec node --import tsx scripts/mlflow-pyfunc.ts "$@"
