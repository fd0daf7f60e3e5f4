#!/usr/bin/env bash
# `recipe db upgrade` checked against MLflow itself: MLflow builds a SQLite database with its own
# migrations stopped at MLflow 1.25's head, `recipe db upgrade` brings it to 2.12's, then MLflow
# 2.12's client opens it and its schema is compared table by table with a database MLflow 2.12
# created from nothing (scripts/mlflow-db-upgrade.py). Then the other way round: mlrecipe's own
# indexes on MLflow's tables (sql-schema.ts, own migration 2) are put into a database at 1.25's
# head and MLflow's own alembic upgrades it to 2.12's (rebuilding `params` twice on SQLite); the
# same check follows, the indexes must still be there. Skipped unless MLFLOW_SRC names an MLflow
# 2.12 source tree that Debian's Python can import:
#   MLFLOW_SRC=/work/mlflow-src MLFLOW_PYTHONPATH=/work/mlflow-shim bash scripts/mlflow-db-upgrade.sh
# Needs `npm run build` first. Results are recorded in docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MLFLOW_SRC:-}" ]; then
  echo "skipped: set MLFLOW_SRC to an MLflow 2.12 source tree to run the upgrade check"
  exit 0
fi
python="${MLFLOW_PYTHON:-/usr/bin/python3}"
export PYTHONPATH="$MLFLOW_SRC${MLFLOW_PYTHONPATH:+:$MLFLOW_PYTHONPATH}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" scripts/mlflow-db-upgrade.py create-old "$work/old.db" 2>/dev/null
node dist/cli/main.js db upgrade "sqlite:///$work/old.db"
"$python" scripts/mlflow-db-upgrade.py check "$work/old.db" "$work/fresh.db" 2>/dev/null
"$python" scripts/mlflow-db-upgrade.py create-old "$work/old-own.db" 2>/dev/null
node --input-type=module -e '
  const { OWN_MIGRATIONS } = await import(process.argv[1]);
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(process.argv[2]);
  for (const migration of OWN_MIGRATIONS) for (const statement of migration.sqlite) db.exec(statement);
  db.close();
' "$PWD/dist/tracking/sql-schema.js" "$work/old-own.db"
"$python" scripts/mlflow-db-upgrade.py mlflow-upgrade "$work/old-own.db" 2>/dev/null
"$python" scripts/mlflow-db-upgrade.py check "$work/old-own.db" "$work/fresh-own.db" 2>/dev/null
