"""Part of scripts/mlflow-client-vs-server.sh: what MLflow 2.12's own client sees on a tracking
server after `recipe run` logged to it (experiments, runs with params, metric keys and values,
tags, the artifact tree, dataset inputs; registered models with versions and aliases), as one JSON object with ids
and times replaced by stable names, so the same recipe logged to `recipe server` and to MLflow's
own server can be compared.

Usage: mlflow-recipe-run-summary.py <tracking uri>
"""
import json
import math
import sys
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

uri = sys.argv[1]
mlflow.set_tracking_uri(uri)
client = MlflowClient()
# Values that name the machine, the process, the clock or a random choice, not what was logged.
VOLATILE_TAGS = {
    "mlflow.user",
    "mlflow.source.name",
    "mlflow.source.git.commit",
    "mlflow.source.git.repoURL",
    "mlrecipe.pid",
    "mlrecipe.host",
    "mlrecipe.recipe_dir",
}


def metric_value(key, value):
    return "<seconds>" if key.endswith(".duration_s") else number(value)


def run_name(run):
    # recipe run names its runs adjective-noun-NNN at random.
    return "<generated>" if run.data.tags.get("mlflow.source.type") == "RECIPE" else run.info.run_name


def number(value):
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return round(value, 9) if isinstance(value, float) else value


def tree(run_id, path=None):
    out = []
    for f in client.list_artifacts(run_id, path):
        if f.is_dir:
            out.extend(tree(run_id, f.path))
        else:
            out.append(f.path)
    return out


summary = {"experiments": [], "models": []}
for exp in client.search_experiments(view_type=ViewType.ALL):
    runs = client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, order_by=["attributes.start_time ASC"])
    ids = {r.info.run_id: f"run-{i + 1}" for i, r in enumerate(runs)}
    summary["experiments"].append(
        {
            "name": exp.name,
            "runs": [
                {
                    "run_name": run_name(r),
                    "status": r.info.status,
                    "params": dict(sorted(r.data.params.items())),
                    "metrics": {k: metric_value(k, v) for k, v in sorted(r.data.metrics.items())},
                    "tags": {
                        k: run_name(r) if k == "mlflow.runName" else ids.get(v, v)
                        for k, v in sorted(r.data.tags.items())
                        if k not in VOLATILE_TAGS
                    },
                    "artifacts": sorted(tree(r.info.run_id)),
                    "inputs": sorted(
                        (
                            d.dataset.name,
                            d.dataset.digest,
                            d.dataset.source_type,
                            d.dataset.schema,
                            d.dataset.profile,
                            sorted((t.key, t.value) for t in d.tags),
                        )
                        for d in (r.inputs.dataset_inputs if r.inputs else [])
                    ),
                }
                for r in runs
            ],
        }
    )
for model in client.search_registered_models():
    summary["models"].append(
        {
            "name": model.name,
            "aliases": dict(model.aliases),
            "versions": sorted(
                (v.version, v.current_stage, v.status) for v in client.search_model_versions(f"name='{model.name}'")
            ),
        }
    )
print(json.dumps(summary, sort_keys=True))
