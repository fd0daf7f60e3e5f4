"""Writes test/fixtures/mlflow-file-store/mlruns with MLflow's own FileStore (run from MLflow's
source, MLFLOW_SRC), so `recipe runs import` is tested against a directory MLflow itself wrote.
Fixed ids and times make the output the same on every run. It is written under /tmp and then
moved, so artifact_location and artifact_uri name a path that no longer exists: the importer must
read artifacts from each run's own artifacts/ folder, as it does for a directory copied from
another machine.

Usage: scripts/mlflow-file-store-fixture.sh (which runs this with MLflow's source on PYTHONPATH)
"""
import os
import shutil
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")

from mlflow.entities import (  # noqa: E402
    Dataset,
    DatasetInput,
    ExperimentTag,
    InputTag,
    Metric,
    Param,
    RunStatus,
    RunTag,
)
import mlflow.store.tracking.file_store as file_store_module  # noqa: E402
from mlflow.store.artifact.local_artifact_repo import LocalArtifactRepository  # noqa: E402
from mlflow.store.tracking.file_store import FileStore  # noqa: E402

root = os.path.abspath(sys.argv[1])
shutil.rmtree(root, ignore_errors=True)

# Run ids are uuid4().hex in FileStore.create_run: make them predictable.
ids = iter(uuid.UUID(int=n) for n in range(0xA1, 0x200))
uuid.uuid4 = lambda: next(ids)

T = 1_700_000_000_000
# Creation, update and deletion times come from the clock: pin it too.
file_store_module.get_current_time_millis = lambda: T + 5_000

store = FileStore(root, root)

exp = store.create_experiment(
    "fixture-regression", tags=[ExperimentTag("team", "forecasting"), ExperimentTag("mlflow.note.content", "a note")]
)
parent = store.create_run(exp, "alice", T, [RunTag("origin", "fixture")], "sweep")
store.log_batch(
    parent.info.run_id,
    metrics=[
        Metric("rmse", 0.5, T + 10, 0),
        Metric("rmse", 0.25, T + 20, 1),
        Metric("rmse", 0.125, T + 30, 2),
        Metric("loss/train", float("nan"), T + 40, 0),
        Metric("loss/train", float("inf"), T + 50, 1),
        Metric("tiny", 1e-7, T + 60, -3),
    ],
    params=[Param("alpha", "0.1"), Param("layers/hidden", "64"), Param("empty", "")],
    tags=[RunTag("mlflow.source.git.commit", "0123456789abcdef"), RunTag("multi", "line one\nline two")],
)
store.log_inputs(
    parent.info.run_id,
    [
        DatasetInput(
            Dataset(
                name="cars",
                digest="d1g3st",
                source_type="local",
                source='{"uri": "/data/cars.csv"}',
                schema='{"mlflow_colspec": [{"type": "double", "name": "x"}]}',
                profile='{"num_rows": 3, "num_elements": 3}',
            ),
            [InputTag("mlflow.data.context", "training")],
        )
    ],
)
store.update_run_info(parent.info.run_id, RunStatus.FINISHED, T + 1000, "sweep")

artifacts = LocalArtifactRepository(parent.info.artifact_uri)
os.makedirs(os.path.join(root, "_src", "plots"), exist_ok=True)
with open(os.path.join(root, "_src", "plots", "residuals.csv"), "w") as f:
    f.write("x,residual\n1,0.5\n2,-0.25\n")
with open(os.path.join(root, "_src", "model.txt"), "w") as f:
    f.write("weights: [1, 2, 3]\n")
artifacts.log_artifacts(os.path.join(root, "_src"))
shutil.rmtree(os.path.join(root, "_src"))

child = store.create_run(exp, "alice", T + 100, [RunTag("mlflow.parentRunId", parent.info.run_id)], "trial-1")
store.log_batch(child.info.run_id, metrics=[Metric("rmse", 0.3, T + 110, 0)], params=[Param("alpha", "0.3")], tags=[])
store.update_run_info(child.info.run_id, RunStatus.FAILED, T + 200, "trial-1")

gone = store.create_run(exp, "bob", T + 300, [], "deleted-run")
store.log_param(gone.info.run_id, Param("kept", "yes"))
store.update_run_info(gone.info.run_id, RunStatus.KILLED, T + 400, "deleted-run")
store.delete_run(gone.info.run_id)

# A run that never ended: no end_time, status RUNNING.
store.create_run("0", "carol", T + 500, [], "still-running")

old = store.create_experiment("fixture-archived")
archived = store.create_run(old, "dave", T + 600, [], "archived-run")
store.log_metric(archived.info.run_id, Metric("acc", 0.9, T + 610, 0))
store.update_run_info(archived.info.run_id, RunStatus.FINISHED, T + 700, "archived-run")
store.delete_experiment(old)

print(root)
