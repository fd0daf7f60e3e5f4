"""scikit-learn's (and XGBoost's) ensembles on the data bench/train/ensembles.ts wrote.

Usage: /usr/bin/python3 bench/train/sklearn_ensembles.py DATA_DIR CASES_JSON
DATA_DIR holds column-major little-endian arrays as bench/train/sklearn_trees.py reads them
(train_X.f64, train_y_reg.f64, train_y_cls.i32, test_X.f64, test_y_reg.f64, test_y_cls.i32,
meta.json). CASES_JSON is a list of {estimator, rows, params}; each is fitted on the first
`rows` training rows with scikit-learn's class of that name (n_jobs=-1 for forests: both cores)
and, for gradient boosting, also with XGBoost's `hist` method at the same rounds, learning
rate, leaves and bins. Prints one JSON line per (library, estimator, rows): fit and predict
(on the test rows) wall and CPU seconds, and the test metric (R² or accuracy).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.metrics import accuracy_score, r2_score

CLASSES = {
    "random_forest_regressor": RandomForestRegressor,
    "random_forest_classifier": RandomForestClassifier,
    "extra_trees_regressor": ExtraTreesRegressor,
    "extra_trees_classifier": ExtraTreesClassifier,
    "hist_gradient_boosting_regressor": HistGradientBoostingRegressor,
    "hist_gradient_boosting_classifier": HistGradientBoostingClassifier,
}


def load(data_dir, name, dtype, shape=None):
    a = np.fromfile(os.path.join(data_dir, name), dtype=dtype)
    return a if shape is None else a.reshape(shape)


def timed(library, estimator, rows, fit, predict, yt, metric):
    c0 = time.process_time()
    t0 = time.perf_counter()
    fit()
    t1 = time.perf_counter()
    fit_cpu = time.process_time() - c0
    c1 = time.process_time()
    p = predict()
    t2 = time.perf_counter()
    predict_cpu = time.process_time() - c1
    print(json.dumps({"library": library, "estimator": estimator, "rows": rows, "fit_s": t1 - t0,
                      "fit_cpu_s": fit_cpu, "predict_s": t2 - t1, "predict_cpu_s": predict_cpu,
                      "metric": float(metric(yt, p))}), flush=True)


def main():
    data_dir, cases = sys.argv[1], json.loads(sys.argv[2])
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    f_, n_train, n_test = meta["n_features"], meta["n_train"], meta["n_test"]
    X = np.ascontiguousarray(load(data_dir, "train_X.f64", "<f8", (f_, n_train)).T)
    Xt = np.ascontiguousarray(load(data_dir, "test_X.f64", "<f8", (f_, n_test)).T)
    y_reg, y_cls = load(data_dir, "train_y_reg.f64", "<f8"), load(data_dir, "train_y_cls.i32", "<i4")
    yt_reg, yt_cls = load(data_dir, "test_y_reg.f64", "<f8"), load(data_dir, "test_y_cls.i32", "<i4")
    for case in cases:
        name, n, params = case["estimator"], case["rows"], dict(case["params"])
        regression = name.endswith("regressor")
        y, yt = (y_reg, yt_reg) if regression else (y_cls, yt_cls)
        metric = r2_score if regression else accuracy_score
        if not name.startswith("hist_"):
            params["n_jobs"] = -1
        model = CLASSES[name](**params)
        timed("sklearn", name, n, lambda: model.fit(X[:n], y[:n]), lambda: model.predict(Xt), yt, metric)
        if name.startswith("hist_"):
            import xgboost

            xgb_params = dict(
                n_estimators=params.get("max_iter", 100), learning_rate=params.get("learning_rate", 0.1),
                tree_method="hist", grow_policy="lossguide", max_leaves=params.get("max_leaf_nodes", 31),
                max_depth=0, max_bin=params.get("max_bins", 255), reg_lambda=params.get("l2_regularization", 0.0),
                n_jobs=2, random_state=0,
            )
            xgb = xgboost.XGBRegressor(**xgb_params) if regression else xgboost.XGBClassifier(**xgb_params)
            timed("xgboost", name, n, lambda: xgb.fit(X[:n], y[:n]), lambda: xgb.predict(Xt), yt, metric)


if __name__ == "__main__":
    main()
