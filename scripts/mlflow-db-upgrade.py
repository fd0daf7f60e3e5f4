"""MLflow's side of scripts/mlflow-db-upgrade.sh (run with MLflow 2.12's source on PYTHONPATH).

  create-old PATH   a SQLite database built by MLflow's own initial tables and migrations, stopped
                    at MLflow 1.25's head (bd07f7e963c5), with an experiment, a run and a param
  mlflow-upgrade PATH  MLflow's own alembic upgrades PATH to 2.12's head (used on an old database
                    that already holds mlrecipe's own indexes, to see MLflow's migrations carry them)
  check PATH FRESH  MLflow 2.12's client opens PATH (its schema check passes), reads the run back,
                    logs what the new columns and tables hold; then PATH's schema is compared table
                    by table (PRAGMA table_info, index_list, foreign_key_list) with FRESH, a database
                    MLflow 2.12 created from nothing, mlrecipe's own `mlrecipe_*` indexes left out
                    (and listed apart). Prints one JSON line.
"""
import json
import sqlite3
import sys

import sqlalchemy
from alembic import command

from mlflow.store.db.utils import _get_alembic_config
from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase

RUN = "c" * 32


def create_old(path):
    url = f"sqlite:///{path}"
    engine = sqlalchemy.create_engine(url)
    InitialBase.metadata.create_all(engine)
    with engine.begin() as connection:
        config = _get_alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "bd07f7e963c5")
    engine.dispose()
    db = sqlite3.connect(path)
    db.executescript(
        f"""
        INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage)
          VALUES (1, 'from-1.25', '/tmp/a/1', 'active');
        INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
                          start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
          VALUES ('{RUN}', 'old-run', 'LOCAL', '', '', 'ann', 'FINISHED', 100, 200, '', 'active',
                  '/tmp/a/1/{RUN}/artifacts', 1);
        INSERT INTO params (key, value, run_uuid) VALUES ('alpha', '0.5', '{RUN}');
        """
    )
    db.commit()
    db.close()


def mlflow_upgrade(path):
    url = f"sqlite:///{path}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        config = _get_alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    engine.dispose()


def own_indexes(path):
    db = sqlite3.connect(path)
    found = sorted(
        [name, table]
        for (name, table) in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
        if name.startswith("mlrecipe_")
    )
    db.close()
    return found


def describe(path):
    db = sqlite3.connect(path)
    tables = sorted(
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not name.startswith("mlrecipe_") and not name.startswith("sqlite_")
    )
    out = {}
    for table in tables:
        out[table] = {
            "columns": [list(row[1:]) for row in db.execute(f"PRAGMA table_info('{table}')")],
            "indexes": sorted(
                [row[1], row[2], [c[2] for c in db.execute(f"PRAGMA index_info('{row[1]}')")]]
                for row in db.execute(f"PRAGMA index_list('{table}')")
                if not row[1].startswith("mlrecipe_")
            ),
            "foreign_keys": sorted(list(row[2:]) for row in db.execute(f"PRAGMA foreign_key_list('{table}')")),
        }
    db.close()
    return out


def check(path, fresh):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{path}")
    run = client.get_run(RUN)
    client.log_param(RUN, "wide", "w" * 6000)
    client.create_registered_model("upgraded")
    client.create_model_version("upgraded", "/tmp/a/m", run_id=RUN)
    client.set_registered_model_alias("upgraded", "champion", "1")
    experiment = client.get_experiment("1")
    MlflowClient(tracking_uri=f"sqlite:///{fresh}").search_experiments()
    old, new = describe(path), describe(fresh)
    differing = sorted(t for t in set(old) | set(new) if old.get(t) != new.get(t))
    print(
        json.dumps(
            {
                "run_read_back": run.info.run_name == "old-run" and run.data.params == {"alpha": "0.5"},
                "experiment_name": experiment.name,
                "alias_version": client.get_model_version_by_alias("upgraded", "champion").version,
                "own_indexes": own_indexes(path),
                "tables_compared": len(new),
                "tables_differing": differing,
                "differences": {t: {"upgraded": old.get(t), "fresh": new.get(t)} for t in differing},
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "create-old":
        create_old(sys.argv[2])
    elif sys.argv[1] == "mlflow-upgrade":
        mlflow_upgrade(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
