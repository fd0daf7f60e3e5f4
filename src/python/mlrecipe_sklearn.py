"""scikit-learn helpers the Node side calls through the worker's `call` op (docs/python-worker.md):
fitting a recipe's transformer and estimator, predicting, and saving a model as MLflow 2.12's
`mlflow.sklearn.save_model` lays it out (model.pkl, the flavor's fields)."""

import os
import sys


def fit_transformer(transformer, X):
    """transformer.fit(X) on the training rows; returns the number of output features."""
    transformer.fit(X)
    out = transformer.transform(X.head(1))
    return int(out.shape[1]) if hasattr(out, "shape") and len(out.shape) == 2 else 1


def align_class_weight(estimator, y):
    """A `class_weight` dict from Node (the rebalancing's "balanced" weights, as MLflow Recipes
    passes them to estimator_method) has its labels as strings, as JSON keys are; scikit-learn
    needs the labels as they are in y (1.0, not "1"). Re-keys it when every key names a label."""
    try:
        weights = estimator.get_params(deep=False).get("class_weight")
    except Exception:
        return
    if not isinstance(weights, dict) or not all(isinstance(k, str) for k in weights):
        return
    import numpy as np

    by_text = {}
    for value in np.unique(np.asarray(y)):
        value = value.item() if hasattr(value, "item") else value
        names = {str(value)}
        if isinstance(value, float) and value.is_integer():
            names.add(str(int(value)))
        if isinstance(value, bool):
            names.add(str(value).lower())
        for name in names:
            by_text[name] = value
    if all(k in by_text for k in weights):
        estimator.set_params(class_weight={by_text[k]: w for k, w in weights.items()})


def fit_model(transformer, estimator, X, y):
    """Fits the estimator on the transformed rows and returns the two as one sklearn Pipeline, as
    MLflow Recipes' train step does (the transformer arrives fitted by the transform step)."""
    from sklearn.pipeline import Pipeline

    Xt = transformer.transform(X) if transformer is not None else X
    align_class_weight(estimator, y)
    estimator.fit(Xt, y)
    steps = [("preprocessor", transformer)] if transformer is not None else []
    steps.append(("estimator", estimator))
    return Pipeline(steps)


def predict(model, X):
    import numpy as np

    out = model.predict(X)
    if getattr(out, "ndim", 1) > 1:
        out = np.asarray(out)[:, 0]
    return out


def predict_proba(model, X):
    """model.predict_proba(X), one column per class in `classes_` order; None when the model has
    no predict_proba (an SVM, SGDClassifier's default hinge loss): MLflow 2.12's evaluator then
    leaves out the metrics that need probabilities (roc_auc, log_loss, precision_recall_auc)."""
    import numpy as np

    if not hasattr(model, "predict_proba"):
        return None
    return np.ascontiguousarray(np.asarray(model.predict_proba(X), dtype="float64"))


def has_predict_proba(model):
    # A Pipeline exposes predict_proba only when its last step does (sklearn's available_if).
    return bool(hasattr(model, "predict_proba"))


def classes(model):
    found = getattr(model, "classes_", None)
    return [c.item() if hasattr(c, "item") else c for c in found] if found is not None else None


def save_model(model, path, serialization_format):
    """Pickles the model into <path>/model.pkl and returns what MLmodel's sklearn flavor records."""
    import sklearn

    if serialization_format == "cloudpickle":
        import cloudpickle as pickler
    else:
        import pickle as pickler
    os.makedirs(path, exist_ok=True)
    target = os.path.join(path, "model.pkl")
    with open(target + ".tmp", "wb") as f:
        pickler.dump(model, f)
    os.replace(target + ".tmp", target)
    versions = {"sklearn": sklearn.__version__}
    try:
        import cloudpickle

        versions["cloudpickle"] = cloudpickle.__version__
    except ImportError:
        pass
    return {
        "sklearn_version": sklearn.__version__,
        "python_version": ".".join(str(p) for p in sys.version_info[:3]),
        "versions": versions,
    }


def load_model(path):
    import pickle

    try:
        import cloudpickle  # noqa: F401  (models pickled by cloudpickle load through pickle)
    except ImportError:
        pass
    with open(path, "rb") as f:
        return pickle.load(f)


class TrialData:
    """The rows a sweep's trials share, sent to the worker once: the fitted transformer, the
    (sampled) training rows and the validation rows (train-sweep.ts)."""

    def __init__(self, transformer, X, y, X_val):
        self.transformer = transformer
        self.Xt = transformer.transform(X) if transformer is not None else X
        self.y = y
        self.X_val = X_val


def hold_trial_data(transformer, X, y, X_val):
    return TrialData(transformer, X, y, X_val)


def fit_trial(data, estimator):
    """Fits one trial's estimator on the held rows; returns the pipeline and the fit's seconds."""
    import time

    from sklearn.pipeline import Pipeline

    align_class_weight(estimator, data.y)
    started = time.perf_counter()
    estimator.fit(data.Xt, data.y)
    seconds = time.perf_counter() - started
    steps = [("preprocessor", data.transformer)] if data.transformer is not None else []
    steps.append(("estimator", estimator))
    return TrialFit(Pipeline(steps), seconds)


class TrialFit:
    def __init__(self, model, seconds):
        self.model = model
        self.seconds = seconds


def predict_trial(data, fit):
    """The trial's validation predictions and, for a classifier with predict_proba, one
    probability column per class (`proba_0`, ...) in classes_ order, plus the fit's seconds."""
    import numpy as np
    import pandas as pd

    out = pd.DataFrame({"prediction": predict(fit.model, data.X_val)})
    proba = predict_proba(fit.model, data.X_val) if hasattr(fit.model, "classes_") else None
    if proba is not None:
        for k in range(proba.shape[1]):
            out[f"proba_{k}"] = proba[:, k]
    out["fit_seconds"] = np.full(len(out), fit.seconds)
    return out
