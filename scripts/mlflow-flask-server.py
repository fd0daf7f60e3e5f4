"""Starts MLflow 2.12's own tracking server (from its source, MLFLOW_SRC) without gunicorn, which
Debian's Python lacks: the same Flask app `mlflow server` serves, configured the way `mlflow
server --backend-store-uri … --artifacts-destination … --serve-artifacts` configures it, on
werkzeug's threaded server.

Usage: mlflow-flask-server.py <port> <backend store uri> <artifacts destination>
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore")

port, backend, destination = int(sys.argv[1]), sys.argv[2], sys.argv[3]

from mlflow import server  # noqa: E402
from mlflow.server.handlers import initialize_backend_stores  # noqa: E402

os.environ[server.BACKEND_STORE_URI_ENV_VAR] = backend
os.environ[server.REGISTRY_STORE_URI_ENV_VAR] = backend
os.environ[server.ARTIFACT_ROOT_ENV_VAR] = "mlflow-artifacts:/"
os.environ[server.SERVE_ARTIFACTS_ENV_VAR] = "true"
os.environ[server.ARTIFACTS_DESTINATION_ENV_VAR] = destination
initialize_backend_stores(backend, backend, "mlflow-artifacts:/")
print(f"mlflow server at http://127.0.0.1:{port}", flush=True)
server.app.run(host="127.0.0.1", port=port, threaded=True)
