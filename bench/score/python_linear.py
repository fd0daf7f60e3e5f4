"""bench/python-score's Python side: a scikit-learn linear pipeline, and its predict timed inside
Python alone (the same-run baseline: what scoring costs without crossing the worker's exchange)."""

import time


def fit_linear(X, y):
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in X.columns if X[c].dtype.kind == "f"]
    strings = [c for c in X.columns if c not in numeric]
    parts = [("numbers", StandardScaler(), numeric)]
    if strings:
        parts.append(("strings", OneHotEncoder(handle_unknown="ignore"), strings))
    return Pipeline([("preprocessor", ColumnTransformer(parts)), ("estimator", LinearRegression())]).fit(X, y)


def time_predict(model, X, repeats):
    """Median seconds of model.predict(X) over `repeats` calls, X already a DataFrame in Python."""
    seconds = []
    for _ in range(int(repeats)):
        started = time.perf_counter()
        model.predict(X)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return seconds[len(seconds) // 2]
