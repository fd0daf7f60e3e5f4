"""MLflow's side of scripts/mlflow-pyfunc.ts: loads mlrecipe models with MLflow 2.12 itself.

Usage: mlflow-pyfunc.py <jobs.json>; prints one JSON object: model name -> what each MLflow path
predicted. The paths: ``mlflow.pyfunc.load_model(dir).predict(DataFrame)``; MLflow's scoring
server app (the WSGI app ``mlflow models serve`` hands to gunicorn) answering POST /invocations
with a dataframe_split body; and the ``mlflow models predict --env-manager local`` command.
"""

import json
import os
import subprocess
import sys
import tempfile

import pandas as pd

import mlflow.pyfunc
from mlflow.pyfunc import scoring_server


def plain(values):
    return [v if isinstance(v, str) else float(v) for v in list(values)]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    out = {}
    for job in jobs:
        frame = pd.DataFrame(job["rows"], columns=job["columns"])
        model = mlflow.pyfunc.load_model(job["dir"])
        result = {"load_model": plain(model.predict(frame))}

        app = scoring_server.init(model)
        body = json.dumps({"dataframe_split": {"columns": job["columns"], "data": job["rows"]}})
        response = app.test_client().post("/invocations", data=body, content_type="application/json")
        answer = json.loads(response.get_data(as_text=True))
        result["serve_status"] = response.status_code
        result["serve"] = plain(answer["predictions"]) if response.status_code == 200 else answer

        if job.get("cli"):
            with tempfile.TemporaryDirectory() as tmp:
                source = os.path.join(tmp, "in.json")
                target = os.path.join(tmp, "out.json")
                with open(source, "w", encoding="utf-8") as f:
                    f.write(body)
                subprocess.run(
                    [sys.executable, "-m", "mlflow", "models", "predict", "-m", job["dir"], "-i", source,
                     "-o", target, "-t", "json", "--env-manager", "local"],
                    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
                with open(target, encoding="utf-8") as f:
                    result["cli"] = plain(json.load(f)["predictions"])
        out[job["name"]] = result
    print(json.dumps(out))


if __name__ == "__main__":
    main()
