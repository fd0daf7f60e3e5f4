"""The baseline of bench/train/forest-load.ts: scikit-learn's RandomForestRegressor (100 trees,
max_depth 10) on the same rows, pickled, then loaded back with pickle.load REPEATS times.

Usage: sklearn_forest_load.py DATA_DIR ROWS FEATURES REPEATS (DATA_DIR holds X.f64, columns one
after another, and y.f64). Prints one JSON object: nodes, pickle_bytes, load_ms.
"""
import json
import os
import pickle
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestRegressor


def main():
    data_dir, rows, features, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    X = np.ascontiguousarray(np.fromfile(os.path.join(data_dir, "X.f64"), "<f8").reshape(features, rows).T)
    y = np.fromfile(os.path.join(data_dir, "y.f64"), "<f8")
    model = RandomForestRegressor(n_estimators=100, max_depth=10, random_state=0, n_jobs=-1).fit(X, y)
    path = os.path.join(data_dir, "model.pkl")
    with open(path, "wb") as f:
        pickle.dump(model, f)
    load_ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with open(path, "rb") as f:
            pickle.load(f)
        load_ms.append(round((time.perf_counter() - t0) * 1000, 1))
    nodes = sum(t.tree_.node_count for t in model.estimators_)
    print(json.dumps({"nodes": nodes, "pickle_bytes": os.path.getsize(path), "load_ms": load_ms}))


if __name__ == "__main__":
    main()
