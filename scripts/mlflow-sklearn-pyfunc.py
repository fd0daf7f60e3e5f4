"""MLflow 2.12 itself loading the scikit-learn models mlrecipe's recipes register (issue 19).

Usage (from scripts/mlflow-sklearn-pyfunc.sh): mlflow-sklearn-pyfunc.py <model dir> <rows.json>
<ours.json>. <rows.json> is a dataframe_split payload; <ours.json> is what `recipe models predict`
answered for it. Loads the model with ``mlflow.pyfunc.load_model`` (the python_function flavor,
with MLflow's signature enforcement) and ``mlflow.sklearn.load_model``, reads its environment
files with MLflow's own parsers, and compares the predictions with mlrecipe's (numbers to 1e-9,
labels exactly). Prints one JSON line; exits 1 on a difference.
"""

import json
import math
import sys

import pandas as pd

import mlflow.pyfunc
import mlflow.sklearn
from mlflow.models import Model
from mlflow.utils.environment import _PythonEnv
from mlflow.utils.requirements_utils import _parse_requirements


def plain(values):
    return [v.item() if hasattr(v, "item") else v for v in list(values)]


def same(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-9):
                return False
        elif str(x) != str(y):
            return False
    return True


def main(model_dir, rows_path, ours_path):
    with open(rows_path) as f:
        split = json.load(f)["dataframe_split"]
    frame = pd.DataFrame(split["data"], columns=split["columns"])
    with open(ours_path) as f:
        ours = json.load(f)["predictions"]
    meta = Model.load(model_dir)
    pyfunc = mlflow.pyfunc.load_model(model_dir)
    # The signature's types as MLflow enforces them: long columns must arrive as integers.
    for col in meta.signature.inputs.inputs:
        if col.type.name == "long" and col.name in frame:
            frame[col.name] = frame[col.name].astype("int64")
    theirs = plain(pyfunc.predict(frame))
    sk = mlflow.sklearn.load_model(model_dir)
    via_sklearn = plain(sk.predict(frame))
    env = _PythonEnv.from_yaml(f"{model_dir}/python_env.yaml")
    requirements = [r.req_str for r in _parse_requirements(f"{model_dir}/requirements.txt", is_constraint=False)]
    proba = None
    if hasattr(sk, "predict_proba"):
        proba = [list(map(float, p)) for p in sk.predict_proba(frame)[:2]]
    result = {
        "model": model_dir,
        "flavors": sorted(meta.flavors),
        "loader_module": meta.flavors["python_function"]["loader_module"],
        "rows": len(frame),
        "pyfunc_equal": same(theirs, ours),
        "sklearn_equal": same(via_sklearn, ours),
        "pipeline": type(sk).__name__,
        "python_env": {"python": env.python, "build_dependencies": env.build_dependencies, "dependencies": env.dependencies},
        "requirements": requirements,
        "predict_proba_first_rows": proba,
    }
    print(json.dumps(result))
    if not (result["pyfunc_equal"] and result["sklearn_equal"]):
        print(f"mlrecipe: {ours[:10]}\nMLflow:   {theirs[:10]}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(*sys.argv[1:4])
