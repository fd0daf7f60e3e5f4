"""bench/score's reference: the same model in scikit-learn, applied as a pandas user would.

Fits ColumnTransformer(median imputer + StandardScaler | most-frequent imputer + OneHotEncoder(
handle_unknown='infrequent_if_exist', max_categories=50)) + Ridge(alpha=1) on the training CSV
(not timed), then times read_csv + predict + to_csv of the scoring CSV and prints one JSON line.

    /usr/bin/python3 bench/score/sklearn_score.py train.csv score.csv out.csv
"""
import json
import sys
import time

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

train_path, score_path, out_path = sys.argv[1:4]
train = pd.read_csv(train_path)
y = train.pop("y")
numeric = [c for c in train.columns if train[c].dtype.kind == "f"]
categorical = [c for c in train.columns if c not in numeric]
transformers = [("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric)]
if categorical:
    transformers.append(
        (
            "cat",
            Pipeline(
                [
                    ("impute", SimpleImputer(strategy="most_frequent")),
                    ("onehot", OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=50)),
                ]
            ),
            categorical,
        )
    )
model = Pipeline([("transform", ColumnTransformer(transformers)), ("ridge", Ridge(alpha=1.0))])
model.fit(train, y)

cpu0 = time.process_time()
t0 = time.perf_counter()
data = pd.read_csv(score_path)
t1 = time.perf_counter()
data["prediction"] = model.predict(data)
t2 = time.perf_counter()
data.to_csv(out_path, index=False)
t3 = time.perf_counter()
print(
    json.dumps(
        {
            "read_s": t1 - t0,
            "predict_s": t2 - t1,
            "write_s": t3 - t2,
            "total_s": t3 - t0,
            "total_cpu_s": time.process_time() - cpu0,
        }
    )
)
