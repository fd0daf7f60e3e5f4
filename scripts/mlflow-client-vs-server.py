"""MLflow's side of scripts/mlflow-client-vs-server.sh: drives MLflow 2.12's own Python client
(from its source, MLFLOW_SRC) against one tracking server and prints, as one JSON object, what
each call gave back. Ids, times and the server's own address are replaced by stable names, so the
outputs for `recipe server` and for MLflow's own server can be compared key by key.

Usage: mlflow-client-vs-server.py <tracking uri> <scratch dir>
"""
import json
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
from mlflow.entities import Metric, Param, RunTag  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

uri, scratch = sys.argv[1], sys.argv[2]
os.makedirs(scratch, exist_ok=True)
mlflow.set_tracking_uri(uri)
client = MlflowClient()
names = {}
out = {}


def name_of(value, kind):
    """A stable stand-in for a server-chosen id: run-1, experiment-1, …"""
    if value is None:
        return None
    key = (kind, value)
    if key not in names:
        names[key] = f"{kind}-{sum(1 for k in names if k[0] == kind) + 1}"
    return names[key]


def number(value):
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def scrub(text):
    """Replaces ids and the server's address inside strings (artifact URIs, sources)."""
    if not isinstance(text, str):
        return text
    for (kind, value), stand_in in names.items():
        if kind == "run" and value:
            text = text.replace(value, stand_in)
    return text.replace(uri, "<server>")


def run_json(run):
    info = run.info
    return {
        "run_id": name_of(info.run_id, "run"),
        "run_name": info.run_name,
        "experiment_id": name_of(info.experiment_id, "experiment"),
        "status": info.status,
        "has_end_time": info.end_time is not None,
        "lifecycle_stage": info.lifecycle_stage,
        "artifact_uri": scrub(info.artifact_uri),
        "user_id": info.user_id,
        "metrics": {k: number(v) for k, v in sorted(run.data.metrics.items())},
        "params": dict(sorted(run.data.params.items())),
        "tags": {k: scrub(v) for k, v in sorted(run.data.tags.items()) if k not in ("mlflow.source.name", "mlflow.user")},
    }


def version_json(mv):
    return {
        "name": mv.name,
        "version": mv.version,
        "source": scrub(mv.source),
        "run_id": name_of(mv.run_id, "run"),
        "status": mv.status,
        "current_stage": mv.current_stage,
        "aliases": sorted(mv.aliases),
        "tags": dict(sorted(mv.tags.items())),
        "description": mv.description,
    }


def error_of(call):
    try:
        call()
    except MlflowException as e:
        return e.error_code
    return None


# Experiments
exp_id = mlflow.create_experiment("interop", tags={"team": "ml"})
name_of(exp_id, "experiment")
exp = client.get_experiment(exp_id)
out["experiment"] = {
    "name": exp.name,
    "lifecycle_stage": exp.lifecycle_stage,
    "tags": dict(sorted(exp.tags.items())),
    "artifact_location": scrub(exp.artifact_location).replace(exp_id, "<experiment>"),
}
out["experiment_by_name"] = name_of(client.get_experiment_by_name("interop").experiment_id, "experiment")
out["duplicate_experiment"] = error_of(lambda: mlflow.create_experiment("interop"))

# A run with params, metrics (a history), a batch, tags, a nested child and an artifact
with mlflow.start_run(experiment_id=exp_id, run_name="parent") as parent:
    parent_id = parent.info.run_id
    name_of(parent_id, "run")
    mlflow.log_params({"alpha": "0.1", "l1_ratio": 0.5})
    mlflow.log_metrics({"rmse": 0.9, "r2": 0.1}, step=0)
    mlflow.log_metric("rmse", 0.5, step=1)
    mlflow.log_metric("rmse", float("nan"), step=2)
    client.log_batch(
        parent_id,
        metrics=[Metric("mae", 0.3 + i / 100, 1_700_000_000_000 + i, i) for i in range(5)],
        params=[Param("batch_param", "b")],
        tags=[RunTag("batch_tag", "t")],
    )
    mlflow.set_tags({"team": "ml", "mlflow.note.content": "a note"})
    path = os.path.join(scratch, "residuals.csv")
    with open(path, "w") as f:
        f.write("x,residual\n1,0.5\n")
    mlflow.log_artifact(path, artifact_path="plots")
    mlflow.log_dict({"a": 1}, "config/params.json")
    with mlflow.start_run(experiment_id=exp_id, run_name="child", nested=True) as child:
        name_of(child.info.run_id, "run")
        mlflow.log_param("alpha", "0.2")
        mlflow.log_metric("rmse", 0.7)

out["parent"] = run_json(client.get_run(parent_id))
out["child"] = run_json(client.get_run(child.info.run_id))
out["rmse_history"] = [(m.step, number(m.value)) for m in client.get_metric_history(parent_id, "rmse")]
out["mae_history"] = [(m.step, m.timestamp, number(m.value)) for m in client.get_metric_history(parent_id, "mae")]
out["changed_param"] = error_of(lambda: client.log_param(parent_id, "alpha", "0.9"))
out["missing_run"] = error_of(lambda: client.get_run("0" * 32))

# Artifacts through the proxy
out["artifacts_root"] = sorted((a.path, a.is_dir) for a in client.list_artifacts(parent_id))
out["artifacts_plots"] = sorted((a.path, a.is_dir, a.file_size) for a in client.list_artifacts(parent_id, "plots"))
dst = os.path.join(scratch, "download")
os.makedirs(dst, exist_ok=True)
local = client.download_artifacts(parent_id, "plots/residuals.csv", dst)
with open(local) as f:
    out["downloaded"] = f.read()
whole = mlflow.artifacts.download_artifacts(run_id=parent_id, dst_path=os.path.join(scratch, "all"))
out["downloaded_tree"] = sorted(
    os.path.relpath(os.path.join(root, f), whole) for root, _, files in os.walk(whole) for f in files
)

# Search
found = client.search_runs(
    [exp_id], filter_string="metrics.rmse < 1 and params.alpha = '0.1'", order_by=["metrics.rmse ASC"]
)
out["search_filter"] = [name_of(r.info.run_id, "run") for r in found]
ordered = client.search_runs([exp_id], order_by=["params.alpha DESC"])
out["search_order"] = [name_of(r.info.run_id, "run") for r in ordered]
page = client.search_runs([exp_id], max_results=1, order_by=["attributes.start_time ASC"])
out["search_page_1"] = ([name_of(r.info.run_id, "run") for r in page], page.token is not None)
page2 = client.search_runs([exp_id], max_results=1, order_by=["attributes.start_time ASC"], page_token=page.token)
out["search_page_2"] = [name_of(r.info.run_id, "run") for r in page2]
out["search_bad_filter"] = error_of(lambda: client.search_runs([exp_id], filter_string="metrics.rmse <"))
frame = mlflow.search_runs([exp_id], order_by=["metrics.rmse ASC"])
out["search_frame_columns"] = sorted(c for c in frame.columns if not c.startswith("tags.mlflow.source") and c != "tags.mlflow.user")

# Registry
model = client.create_registered_model("interop-model", tags={"owner": "ml"}, description="d")
out["registered_model"] = {"name": model.name, "tags": dict(model.tags), "description": model.description}
mv = mlflow.register_model(f"runs:/{parent_id}/plots", "interop-model")
out["registered_version"] = version_json(mv)
client.set_registered_model_alias("interop-model", "champion", mv.version)
out["by_alias"] = version_json(client.get_model_version_by_alias("interop-model", "champion"))
client.set_model_version_tag("interop-model", mv.version, "validated", "yes")
client.transition_model_version_stage("interop-model", mv.version, "Staging")
out["latest_versions"] = [version_json(v) for v in client.get_latest_versions("interop-model", stages=["Staging"])]
out["search_versions"] = [version_json(v) for v in client.search_model_versions("name='interop-model'")]
out["download_uri"] = scrub(client.get_model_version_download_uri("interop-model", mv.version))
out["missing_alias"] = error_of(lambda: client.get_model_version_by_alias("interop-model", "nobody"))
after = client.get_registered_model("interop-model")
out["model_after"] = {
    "aliases": dict(after.aliases),
    "latest": [version_json(v) for v in after.latest_versions],
    "tags": dict(after.tags),
}
out["search_models"] = [
    {"name": m.name, "aliases": dict(m.aliases), "latest": [version_json(v) for v in m.latest_versions]}
    for m in client.search_registered_models()
]
out["version"] = version_json(client.get_model_version("interop-model", mv.version))

print(json.dumps(out, sort_keys=True, default=str))
