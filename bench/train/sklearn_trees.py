"""scikit-learn's DecisionTreeRegressor / DecisionTreeClassifier on the data bench/train/trees.ts wrote.

Usage: /usr/bin/python3 bench/train/sklearn_trees.py DATA_DIR MAX_DEPTH|none ROWS [ROWS ...]
DATA_DIR holds column-major little-endian arrays: train_X.f64 (n_features columns of n_train
values), train_y_reg.f64, train_y_cls.i32, test_X.f64, test_y_reg.f64, test_y_cls.i32, and
meta.json ({n_train, n_test, n_features}). Fits on the first ROWS training rows, predicts on them
(timed), scores on the test rows. Prints one JSON line per (estimator, rows).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def load(data_dir, name, dtype, shape=None):
    a = np.fromfile(os.path.join(data_dir, name), dtype=dtype)
    return a if shape is None else a.reshape(shape)


def main():
    data_dir, rows = sys.argv[1], [int(r) for r in sys.argv[3:]]
    max_depth = None if sys.argv[2] == "none" else int(sys.argv[2])
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    f_, n_train, n_test = meta["n_features"], meta["n_train"], meta["n_test"]
    # Row-major copies, as a scikit-learn user would hold them; not part of the timings.
    X = np.ascontiguousarray(load(data_dir, "train_X.f64", "<f8", (f_, n_train)).T)
    Xt = np.ascontiguousarray(load(data_dir, "test_X.f64", "<f8", (f_, n_test)).T)
    y_reg, y_cls = load(data_dir, "train_y_reg.f64", "<f8"), load(data_dir, "train_y_cls.i32", "<i4")
    yt_reg, yt_cls = load(data_dir, "test_y_reg.f64", "<f8"), load(data_dir, "test_y_cls.i32", "<i4")
    for n in rows:
        for estimator, model, y, yt, metric in [
            ("decision_tree_regressor", DecisionTreeRegressor(max_depth=max_depth, random_state=0), y_reg, yt_reg, r2_score),
            ("decision_tree_classifier", DecisionTreeClassifier(max_depth=max_depth, random_state=0), y_cls, yt_cls, accuracy_score),
        ]:
            c0 = time.process_time()
            t0 = time.perf_counter()
            model.fit(X[:n], y[:n])
            t1 = time.perf_counter()
            fit_cpu = time.process_time() - c0
            model.predict(X[:n])
            t2 = time.perf_counter()
            print(json.dumps({"estimator": estimator, "rows": n, "fit_s": t1 - t0, "fit_cpu_s": fit_cpu, "predict_s": t2 - t1,
                              "metric": float(metric(yt, model.predict(Xt)))}), flush=True)


if __name__ == "__main__":
    main()
