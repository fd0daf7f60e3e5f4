#!/usr/bin/env bash
# Regenerates test/fixtures/mlflow-file-store/mlruns with MLflow 2.12's own FileStore (see
# scripts/mlflow-file-store-fixture.py). Skipped unless MLFLOW_SRC names MLflow's source tree:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-file-store-fixture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to regenerate the fixture"
  exit 0
fi
# A fixed path, so regenerating gives the same bytes (it lands in meta.yaml).
work=/tmp/mlflow-file-store-fixture
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
PYTHONPATH="$MLFLOW_SRC${MLFLOW_PYTHONPATH:+:$MLFLOW_PYTHONPATH}" /usr/bin/python3 \
  scripts/mlflow-file-store-fixture.py "$work/mlruns"
rm -rf test/fixtures/mlflow-file-store/mlruns
mkdir -p test/fixtures/mlflow-file-store
mv "$work/mlruns" test/fixtures/mlflow-file-store/mlruns
