"""MLflow's side of scripts/mlflow-interop.sh: drives MLflow's own Python client (run from its
source, MLFLOW_SRC) against a tracking database and prints what it saw as JSON, so the Node side
(scripts/mlflow-interop.ts) can compare it with what mlrecipe sees in the same file.

Usage: mlflow-interop.py <command> <database file> [json argument]
"""
import json
import math
import sys
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402


def number(value):
    # JSON has no NaN/Infinity; both sides spell them as strings.
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def run_json(run):
    info = run.info
    return {
        "run_id": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "status": info.status,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "lifecycle_stage": info.lifecycle_stage,
        "artifact_uri": info.artifact_uri,
        "user_id": info.user_id,
        "metrics": {k: number(v) for k, v in sorted(run.data.metrics.items())},
        "params": dict(sorted(run.data.params.items())),
        "tags": dict(sorted(run.data.tags.items())),
        "inputs": [
            {
                "name": d.dataset.name,
                "digest": d.dataset.digest,
                "source_type": d.dataset.source_type,
                "source": d.dataset.source,
                "schema": d.dataset.schema,
                "profile": d.dataset.profile,
                "tags": {t.key: t.value for t in d.tags},
            }
            for d in (run.inputs.dataset_inputs if run.inputs else [])
        ],
    }


def client_for(path):
    uri = f"sqlite:///{path}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def history_json(client, run_id, key):
    return [
        {"value": number(m.value), "step": m.step, "timestamp": m.timestamp}
        for m in client.get_metric_history(run_id, key)
    ]


def read(path, _arg):
    """Everything MLflow's client reads from a database: experiments, runs, histories, registry."""
    client = client_for(path)
    experiments = client.search_experiments()
    out = {"experiments": sorted(e.name for e in experiments), "runs": {}, "histories": {}}
    for experiment in experiments:
        for run in client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"]):
            out["runs"][run.info.run_id] = run_json(run)
            for key in run.data.metrics:
                out["histories"][f"{run.info.run_id}/{key}"] = history_json(client, run.info.run_id, key)
    models = client.search_registered_models()
    out["registered_models"] = {}
    for model in models:
        versions = client.search_model_versions(f"name='{model.name}'")
        out["registered_models"][model.name] = {
            "aliases": {k: str(v) for k, v in sorted(model.aliases.items())},
            "tags": dict(sorted(model.tags.items())),
            "versions": sorted(
                [{"version": str(v.version), "run_id": v.run_id, "source": v.source, "status": v.status} for v in versions],
                key=lambda v: int(v["version"]),
            ),
        }
    return out


def write(path, arg):
    """Logs runs the way a training script does, in experiment `arg["experiment"]`."""
    import pandas as pd

    client = client_for(path)
    mlflow.set_experiment(arg["experiment"])
    frame = pd.DataFrame({"horsepower": [130.0, 165.0, 150.0], "mpg": [18.0, 15.0, 18.0]})
    dataset = mlflow.data.from_pandas(frame, source=arg["dataset_source"], name="cars", targets="mpg")
    ids = []
    for index, (alpha, rmse) in enumerate(arg["runs"]):
        with mlflow.start_run(run_name=f"mlflow-{index}") as run:
            mlflow.log_param("alpha", alpha)
            mlflow.log_param("index", index)
            mlflow.set_tag("origin", "mlflow")
            for step in range(3):
                mlflow.log_metric("rmse", rmse + step, step=step)
            mlflow.log_metric("up", float("inf"))
            mlflow.log_metric("gap", float("nan"))
            mlflow.log_input(dataset, context="training")
            ids.append(run.info.run_id)
    if arg.get("register"):
        client.create_registered_model("from-mlflow")
        version = client.create_model_version("from-mlflow", f"runs:/{ids[0]}/model", run_id=ids[0])
        client.set_registered_model_alias("from-mlflow", "champion", version.version)
    return {"run_ids": ids}


def search(path, arg):
    """Runs each query through MLflow's search_runs; answers run ids in order, or MLflow's error."""
    client = client_for(path)
    experiment_ids = [e.experiment_id for e in client.search_experiments(view_type=3)]
    out = []
    for query in arg["queries"]:
        try:
            page = client.search_runs(
                experiment_ids,
                filter_string=query.get("filter", ""),
                run_view_type=query.get("view", 1),
                max_results=query.get("max_results", 1000),
                order_by=query.get("order_by"),
            )
            out.append({"ids": [run.info.run_id for run in page], "token": page.token is not None})
        except Exception as error:  # MLflow's rejection is part of what is compared
            out.append({"error": getattr(error, "error_code", type(error).__name__)})
    return out


def frame(path, arg):
    """mlflow.search_runs as a pandas DataFrame, reduced to comparable records."""
    client_for(path)
    experiment = mlflow.get_experiment_by_name(arg["experiment"])
    df = mlflow.search_runs([experiment.experiment_id], order_by=["params.index ASC"])
    columns = sorted(c for c in df.columns if c.startswith(("metrics.", "params.", "tags.origin")) or c in ("run_id", "status"))
    return [{c: number(row[c]) if not isinstance(row[c], str) else row[c] for c in columns} for _, row in df.iterrows()]


COMMANDS = {"read": read, "write": write, "search": search, "frame": frame}

if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    argument = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(COMMANDS[command](path, argument)))
