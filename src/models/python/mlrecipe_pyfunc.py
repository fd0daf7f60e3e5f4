"""MLflow ``python_function`` loader for models saved by mlrecipe.

mlrecipe copies this file into every model directory it saves (``code/mlrecipe_pyfunc.py``) and
names it as the ``loader_module`` of the model's ``python_function`` flavor, so that
``mlflow.pyfunc.load_model(<model dir>)`` and ``mlflow models serve`` load the model with MLflow
alone. MLflow puts ``code/`` on ``sys.path``, imports this module and calls
``_load_pyfunc(<model dir>/pipeline.json)``.

It evaluates the pipeline document (docs/model-format.md) with numpy and pandas only: the column
transformer (imputers, scaler, one-hot encoder with its infrequent column), then the estimator.
``predict`` returns what ``recipe models predict`` returns: float64 numbers for regression, class
labels (strings) for classification. Each step does the same floating-point operations in the
same order as mlrecipe's TypeScript code, so predictions agree to the last bit or within an ulp
or two where a library function (exp, pow) rounds differently.

Written for Python 3.8+ with numpy and pandas of any recent version; no other dependency.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd

PIPELINE_FORMAT = "mlrecipe.pipeline"
PIPELINE_FORMAT_VERSION = 1

# Text that means "missing" in a numeric column: pandas' read_csv defaults, as mlrecipe's reader.
_MISSING_TOKENS = frozenset(
    [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
        "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]
)


class PipelineError(ValueError):
    """A pipeline document this module cannot evaluate, or input it cannot score."""


def _load_pyfunc(data_path):
    """MLflow's entry point: ``data_path`` is the pipeline document (or the model directory)."""
    path = data_path
    if os.path.isdir(path):
        path = os.path.join(path, "pipeline.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, object_hook=_special_float)
    return MlrecipePipelineModel(doc, where=path)


def _special_float(obj):
    # mlrecipe writes NaN and ±Infinity, which JSON lacks, as {"$float": "NaN" | "Infinity" | "-Infinity"}.
    if len(obj) == 1 and isinstance(obj.get("$float"), str):
        return float(obj["$float"])
    return obj


class MlrecipePipelineModel:
    """A loaded pipeline: ``predict(DataFrame)`` as MLflow's pyfunc interface expects."""

    def __init__(self, doc, where="pipeline.json"):
        if not isinstance(doc, dict) or doc.get("format") != PIPELINE_FORMAT:
            raise PipelineError(f'{where}: not an mlrecipe pipeline document (no "format": "{PIPELINE_FORMAT}")')
        version = doc.get("format_version")
        if not isinstance(version, int) or version > PIPELINE_FORMAT_VERSION:
            raise PipelineError(
                f"{where}: pipeline format_version {version} is newer than this loader reads "
                f"({PIPELINE_FORMAT_VERSION}); save the model again with this mlrecipe's loader"
            )
        self.problem_type = doc["problem_type"]
        self.input_columns = list(doc["input_columns"])
        self.classes = [str(c) for c in doc.get("classes") or []]
        self._transformer = _transformer_from_document(doc["transformer"], where)
        self._estimator = _estimator_from_document(doc["estimator"], where)
        if self.problem_type == "classification" and not self._estimator.is_classifier:
            raise PipelineError(f"{where}: a classification pipeline needs a classifier")

    def predict(self, model_input, params=None):
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        X = self._transformer.transform(frame)
        if len(X) == 0:
            raise PipelineError("the transformer produced no feature columns")
        if not self._estimator.is_classifier:
            return self._estimator.predict(X)
        indices = self._estimator.predict(X)
        labels = np.empty(len(indices), dtype=object)
        for i, k in enumerate(indices.tolist()):
            if k < 0 or k >= len(self.classes):
                raise PipelineError(
                    f"the estimator predicted class index {k} for row {i + 1}, "
                    f"but the model has {len(self.classes)} classes"
                )
            labels[i] = self.classes[k]
        return labels


# ---------------------------------------------------------------------------------------------
# Input columns: the same tolerance as mlrecipe's signature check and transformer.


def _column(frame, name):
    if name not in frame.columns:
        have = ", ".join(str(c) for c in frame.columns) or "none"
        raise PipelineError(f'column "{name}" is missing from the input (columns: {have})')
    return frame[name]


def _number_column(series, name):
    """float64 values; None/NaN/blank/missing tokens are NaN, numeric text is parsed."""
    if series.dtype.kind in "biuf":
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.empty(len(series), dtype=np.float64)
    for i, v in enumerate(series.tolist()):
        out[i] = _number_cell(v, name, i)
    return out


def _number_cell(v, name, row):
    if v is None or v is pd.NA:
        return math.nan
    if isinstance(v, (bool, np.bool_)):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        text = v.strip(" \t")
        if text in _MISSING_TOKENS or text.lower() == "nan":
            return math.nan
        # As mlrecipe's parseNumberCell: decimal notation only (no hex/binary/octal, no Infinity).
        ok = text[:1] in tuple("0123456789+-.") and not (
            len(text) > 1 and text[0] == "0" and text[1].lower() in "xbo"
        )
        if ok:
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if math.isfinite(value):
                return value
    raise PipelineError(
        f'column "{name}" row {row + 1}: {v!r} is not a number; the column was numeric in training '
        "(send numbers, or leave the value empty for missing)"
    )


def _string_column(series):
    """Python strings or None (missing); numbers become text as JavaScript's String() writes them."""
    out = []
    for v in series.tolist():
        if v is None or v is pd.NA:
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, (bool, np.bool_)):
            out.append("true" if v else "false")
        elif isinstance(v, (int, np.integer)):
            out.append(str(int(v)))
        elif isinstance(v, (float, np.floating)):
            out.append(_js_number_text(float(v)))
        else:
            out.append(str(v))
    return out


def _js_number_text(v):
    """JavaScript's Number#toString for a double; None for NaN (a missing value)."""
    if v != v:
        return None
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    if 1e-6 <= abs(v) < 1e21:
        return np.format_float_positional(v, unique=True, trim="-")
    mantissa, exponent = repr(v).split("e")
    return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{int(exponent.lstrip('+-'))}"


# ---------------------------------------------------------------------------------------------
# Transformers: raw frame -> list of float64 feature columns.


def _transformer_from_document(doc, where):
    kind = doc.get("kind")
    if kind == "passthrough":
        return _Passthrough(list(doc["columns"]))
    if kind == "column_transformer":
        return _ColumnTransformer(doc["state"])
    raise PipelineError(
        f"{where}: the transformer is {kind!r}; this loader evaluates mlrecipe's built-in transformers only"
    )


class _Passthrough:
    def __init__(self, columns):
        self.columns = columns

    def transform(self, frame):
        return [_number_column(_column(frame, name), name) for name in self.columns]


class _ColumnTransformer:
    """mlrecipe's default transform (src/ml/column-transformer.ts) from its saved state."""

    def __init__(self, saved):
        state = saved["state"]
        self.inputs = [(c["name"], c["type"]) for c in state["inputs"]]
        self.num_fill = [(c["name"], c["fill"]) for c in state["num_imputer"]["state"]["columns"]]
        self.cat_fill = [(c["name"], c["fill"]) for c in state["cat_imputer"]["state"]["columns"]]
        scaler = state["scaler"]
        self.with_mean = scaler["params"].get("with_mean", True)
        self.with_std = scaler["params"].get("with_std", True)
        self.mean = _floats(scaler["state"]["mean"])
        self.scale = _floats(scaler["state"]["scale"])
        encoder = state["encoder"]
        self.handle_unknown = encoder["params"].get("handle_unknown", "ignore")
        self.encoded = encoder["state"]["columns"]

    def transform(self, frame):
        numeric = {}
        categorical = {}
        for name, kind in self.inputs:
            series = _column(frame, name)
            if kind == "number":
                numeric[name] = _number_column(series, name)
            else:
                categorical[name] = _string_column(series)

        # SimpleImputer(median) drops a column that was entirely missing in training (fill null).
        kept = []
        for name, fill in self.num_fill:
            if fill is None:
                continue
            values = numeric[name].copy()
            values[np.isnan(values)] = fill
            kept.append(values)
        if len(kept) != len(self.mean):
            raise PipelineError(f"the scaler was fitted on {len(self.mean)} columns but got {len(kept)}")
        columns = []
        for j, values in enumerate(kept):
            m = self.mean[j] if self.with_mean else 0.0
            s = self.scale[j] if self.with_std else 1.0
            columns.append((values - m) / s)

        filled = {}
        for name, fill in self.cat_fill:
            if fill is not None:
                filled[name] = [fill if v is None else v for v in categorical[name]]
        for spec in self.encoded:
            columns.extend(self._one_hot(spec, filled[spec["name"]]))
        return columns

    def _one_hot(self, spec, values):
        categories = spec["categories"]
        infrequent = spec["infrequent"]
        width = len(categories) - len(infrequent) + (1 if infrequent else 0)
        index = {c: o for c, o in zip(categories, spec["outputIndex"])}
        infrequent_column = width - 1 if infrequent else -1
        block = np.zeros((width, len(values)), dtype=np.float64)
        for i, v in enumerate(values):
            o = index.get(v)
            if o is None:
                if self.handle_unknown == "error":
                    raise PipelineError(f'column "{spec["name"]}" row {i + 1}: category {v!r} was not seen in training')
                if self.handle_unknown == "infrequent_if_exist" and infrequent_column >= 0:
                    o = infrequent_column
                else:
                    continue
            block[o, i] = 1.0
        return list(block)


def _floats(values):
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Estimators: list of feature columns -> numbers (regressors) or class indices (classifiers).


def _estimator_from_document(doc, where):
    if doc.get("kind") != "builtin":
        raise PipelineError(
            f"{where}: the estimator is user code ({doc.get('kind')!r}); this loader evaluates "
            "mlrecipe's built-in estimators only"
        )
    name = doc.get("name")
    factory = _ESTIMATORS.get(name)
    if factory is None:
        raise PipelineError(f"{where}: this loader cannot evaluate the estimator {name!r}")
    return factory(doc.get("params") or {}, doc.get("state") or {})


def _linear_scores(X, coef, intercept):
    """intercept + Σ_j coef[j]·X[j], summed column by column as mlrecipe sums it."""
    if len(X) != len(coef):
        raise PipelineError(f"the model was fitted on {len(coef)} features but got {len(X)}")
    out = np.full(len(X[0]), float(intercept), dtype=np.float64)
    for w, column in zip(coef, X):
        out += float(w) * column
    bad = ~np.isfinite(out)
    if bad.any():
        row = int(np.argmax(bad))
        raise PipelineError(f"prediction for row {row + 1} is not finite ({out[row]}); check the input's scale")
    return out


def _argmax_first(scores):
    """Row-wise argmax over per-class columns; ties go to the lowest class index."""
    return np.argmax(np.vstack(scores), axis=0)


class _Linear:
    is_classifier = False

    def __init__(self, params, state):
        self.coef = state["coef"]
        self.intercept = state["intercept"]

    def predict(self, X):
        return _linear_scores(X, self.coef, self.intercept)


class _LinearClassifier:
    """logistic_regression and sgd_classifier: one score per binary model, sign or argmax."""

    is_classifier = True

    def __init__(self, params, state):
        self.coef = state["coef"]
        self.intercept = state["intercept"]

    def predict(self, X):
        scores = [_linear_scores(X, w, b) for w, b in zip(self.coef, self.intercept)]
        if len(scores) == 1:
            return (scores[0] > 0).astype(np.int64)
        return _argmax_first(scores)


def _leaves(nodes, matrix, offset):
    """The leaf each row (a column of `matrix`, features by rows) reaches in the tree whose nodes
    start at `offset` of the node arrays (child ids local to the tree), all rows at once, one
    level per step. NaN compares false both ways: it follows the side training chose for missing
    values. Shared by the single tree, the forests and boosting."""
    n = matrix.shape[1]
    node = np.full(n, offset, dtype=np.int64)
    rows = np.arange(n)
    active = nodes.left[node] != -1
    while active.any():
        r = rows[active]
        at = node[r]
        x = matrix[nodes.feature[at], r]
        th = nodes.threshold[at]
        go_left = np.where(x <= th, True, np.where(x > th, False, nodes.missing_left[at]))
        node[r] = offset + np.where(go_left, nodes.left[at], nodes.right[at])
        active = nodes.left[node] != -1
    return node


class _Tree:
    """A fitted decision tree's flat node arrays (src/ml/decision-tree.ts)."""

    def __init__(self, params, state):
        self.n_features = int(state["n_features"])
        self.n_outputs = int(state["n_outputs"])
        self.feature = np.asarray(state["feature"], dtype=np.int64)
        self.threshold = _floats(state["threshold"])
        self.left = np.asarray(state["left"], dtype=np.int64)
        self.right = np.asarray(state["right"], dtype=np.int64)
        self.missing_left = np.asarray(state["missing_left"], dtype=bool)
        self.value = _floats(state["value"])

    def leaves(self, X):
        if len(X) != self.n_features:
            raise PipelineError(f"the tree was trained on {self.n_features} features but got {len(X)}")
        return _leaves(self, np.vstack(X), 0)


class _TreeRegressor(_Tree):
    is_classifier = False

    def predict(self, X):
        return self.value[self.leaves(X)].astype(np.float64)


class _TreeClassifier(_Tree):
    is_classifier = True

    def predict(self, X):
        leaves = self.leaves(X)
        k = self.n_outputs
        per_class = self.value.reshape(-1, k)[leaves]
        return np.argmax(per_class, axis=1)


class _Forest:
    """A fitted random forest or extra-trees ensemble (src/ml/forest.ts): every tree's node arrays
    concatenated, stored as base64 of little-endian bytes, child ids local to each tree."""

    def __init__(self, params, state):
        import base64

        if state.get("encoding") != "base64-le":
            raise PipelineError(f"unknown forest state encoding {state.get('encoding')!r}")

        def array(field, dtype):
            return np.frombuffer(base64.b64decode(state[field]), dtype=dtype)

        self.n_features = int(state["n_features"])
        self.n_outputs = int(state["n_outputs"])
        self.offsets = array("offsets", "<i4").astype(np.int64)
        self.feature = array("feature", "<i4").astype(np.int64)
        self.threshold = array("threshold", "<f8")
        self.left = array("left", "<i4").astype(np.int64)
        self.right = array("right", "<i4").astype(np.int64)
        self.missing_left = array("missing_left", "u1").astype(bool)
        self.value = array("value", "<f8").reshape(-1, self.n_outputs)

    def summed(self, X):
        """Each row's outputs summed over the trees, in tree order (as mlrecipe sums them)."""
        if len(X) != self.n_features:
            raise PipelineError(f"the forest was trained on {self.n_features} features but got {len(X)}")
        matrix = np.vstack(X)
        n = matrix.shape[1]
        out = np.zeros((n, self.n_outputs), dtype=np.float64)
        for t in range(len(self.offsets) - 1):
            out += self.value[_leaves(self, matrix, self.offsets[t])]
        return out


class _ForestRegressor(_Forest):
    is_classifier = False

    def predict(self, X):
        return self.summed(X)[:, 0] / (len(self.offsets) - 1)


class _ForestClassifier(_Forest):
    is_classifier = True

    def predict(self, X):
        return np.argmax(self.summed(X) / (len(self.offsets) - 1), axis=1)


class _Boosting(_Forest):
    """Histogram gradient boosting (src/ml/boosting.ts): the forest's node arrays, tree t adding
    its leaf value to raw output t % n_trees_per_iteration, on top of the baseline."""

    def __init__(self, params, state):
        super().__init__(params, state)
        self.baseline = np.asarray(_floats(state["baseline"]), dtype=np.float64)

    def raw(self, X):
        if len(X) != self.n_features:
            raise PipelineError(f"the model was trained on {self.n_features} features but got {len(X)}")
        matrix = np.vstack(X)
        n = matrix.shape[1]
        k_per_iter = len(self.baseline)
        out = np.tile(self.baseline, (n, 1))
        for t in range(len(self.offsets) - 1):
            out[:, t % k_per_iter] += self.value[_leaves(self, matrix, self.offsets[t]), 0]
        return out


class _BoostingRegressor(_Boosting):
    is_classifier = False

    def predict(self, X):
        return self.raw(X)[:, 0]


class _BoostingClassifier(_Boosting):
    is_classifier = True

    def predict(self, X):
        raw = self.raw(X)
        if raw.shape[1] == 1:
            return (raw[:, 0] > 0).astype(np.int64)
        return np.argmax(raw, axis=1)


class _Polynomial:
    """ml-regression's PolynomialRegression of one feature: Σ_k c_k·x^p_k."""

    is_classifier = False

    def __init__(self, params, state):
        self.powers = [float(p) for p in state["powers"]]
        self.coefficients = [float(c) for c in state["coefficients"]]

    def predict(self, X):
        x = _single_feature(X, "polynomial")
        out = np.zeros(len(x), dtype=np.float64)
        for c, p in zip(self.coefficients, self.powers):
            out += c * np.power(x, p)
        return out


class _TheilSen:
    is_classifier = False

    def __init__(self, params, state):
        self.slope = float(state["slope"])
        self.intercept = float(state["intercept"])

    def predict(self, X):
        return self.slope * _single_feature(X, "theil_sen") + self.intercept


class _KernelRidge:
    """Σ_k dual[k]·kernel(x, X_fit[k]), with scikit-learn's KernelRidge kernels."""

    is_classifier = False

    def __init__(self, params, state):
        self.p = int(state["n_features"])
        self.dual = _floats(state["dual_coef"])
        self.x_fit = _floats(state["X_fit"]).reshape(len(self.dual), self.p)
        self.kernel = params.get("kernel", "linear")
        gamma = params.get("gamma")
        self.gamma = 1.0 / self.p if gamma is None else float(gamma)
        self.degree = float(params.get("degree", 3))
        self.coef0 = float(params.get("coef0", 1))

    def predict(self, X):
        if len(X) != self.p:
            raise PipelineError(f"kernel_ridge was fitted on {self.p} features but got {len(X)}")
        # Sums over features, then over training rows, in mlrecipe's order (vectorised over rows).
        acc = np.zeros((len(X[0]), len(self.dual)), dtype=np.float64)
        for j in range(self.p):
            if self.kernel == "rbf":
                d = X[j][:, None] - self.x_fit[None, :, j]
                acc += d * d
            else:
                acc += X[j][:, None] * self.x_fit[None, :, j]
        if self.kernel == "rbf":
            k = np.exp(-self.gamma * acc)
        elif self.kernel == "polynomial":
            k = np.power(self.gamma * acc + self.coef0, self.degree)
        elif self.kernel == "sigmoid":
            k = np.tanh(self.gamma * acc + self.coef0)
        else:
            k = acc
        out = np.zeros(len(X[0]), dtype=np.float64)
        for i in range(len(self.dual)):
            out += self.dual[i] * k[:, i]
        return out


def _single_feature(X, name):
    if len(X) != 1:
        raise PipelineError(f"{name} takes exactly one feature column, got {len(X)}")
    return X[0]


# Keys are the names pipeline.json's estimator entries carry (registry names and class state names).
_ESTIMATORS = {
    "linear_regression": _Linear,
    "ridge": _Linear,
    "sgd_regressor": _Linear,
    "decision_tree_regressor": _TreeRegressor,
    "random_forest_regressor": _ForestRegressor,
    "extra_trees_regressor": _ForestRegressor,
    "hist_gradient_boosting_regressor": _BoostingRegressor,
    "polynomial": _Polynomial,
    "polynomial_regression": _Polynomial,
    "theil_sen": _TheilSen,
    "theil_sen_regression": _TheilSen,
    "kernel_ridge": _KernelRidge,
    "logistic_regression": _LinearClassifier,
    "sgd_classifier": _LinearClassifier,
    "decision_tree_classifier": _TreeClassifier,
    "random_forest_classifier": _ForestClassifier,
    "extra_trees_classifier": _ForestClassifier,
    "hist_gradient_boosting_classifier": _BoostingClassifier,
}
