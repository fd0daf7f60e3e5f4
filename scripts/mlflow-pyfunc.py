"""MLflow's side of scripts/mlflow-pyfunc.ts: loads mlrecipe models with MLflow 2.12 itself.

Usage: mlflow-pyfunc.py <jobs.json>; prints one JSON object: model name -> what each MLflow path
predicted. The paths: ``mlflow.pyfunc.load_model(dir).predict(DataFrame)``; MLflow's scoring
server app (the WSGI app ``mlflow models serve`` hands to gunicorn) answering POST /invocations
with a dataframe_split body; the ``mlflow models predict --env-manager local`` command; and
``mlflow models serve --env-manager local`` itself under gunicorn (Debian's python3-gunicorn has
the module but no ``gunicorn`` command, which MLflow runs through the shell: a two-line stand-in on
PATH runs ``python3 -m gunicorn``).
"""

import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request

import pandas as pd

import mlflow.pyfunc
from mlflow.pyfunc import scoring_server


def plain(values):
    return [v if isinstance(v, str) else float(v) for v in list(values)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served(model_dir, body, tmp):
    """Starts `mlflow models serve`, posts `body` to /invocations, stops it; the predictions."""
    shim = os.path.join(tmp, "bin")
    os.makedirs(shim, exist_ok=True)
    gunicorn = os.path.join(shim, "gunicorn")
    with open(gunicorn, "w", encoding="utf-8") as f:
        f.write(f'#!/bin/sh\nexec {sys.executable} -m gunicorn "$@"\n')
    os.chmod(gunicorn, os.stat(gunicorn).st_mode | stat.S_IXUSR)
    port = free_port()
    env = dict(os.environ, PATH=f"{shim}:{os.environ.get('PATH', '')}")
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_dir, "-h", "127.0.0.1",
         "-p", str(port), "--env-manager", "local", "-w", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{url}/ping", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None:
                    return {"error": f"mlflow models serve exited with {server.returncode}"}
                time.sleep(0.1)
        request = urllib.request.Request(
            f"{url}/invocations", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return plain(json.loads(response.read())["predictions"])
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


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
                result["models_serve"] = served(job["dir"], body, tmp)
        out[job["name"]] = result
    print(json.dumps(out))


if __name__ == "__main__":
    main()
