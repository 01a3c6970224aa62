#!/usr/bin/python3
"""Fit scikit-learn's RandomForestRegressor to the data of BenchmarkFit.

Write the data from Go first, then run this with the Debian python:

    go test ./plugins/internal/ml/forest -run TestWriteBenchCSV -args -csv=/tmp/forest
    /usr/bin/python3 plugins/internal/ml/forest/testdata/sklearn_bench.py /tmp/forest

It fits n_estimators=100, max_depth=12, min_samples_leaf=5, n_jobs=2,
random_state=0 at max_features 1.0 and 0.33 and prints fit seconds and the
held-out R² and RMSE, the same settings BenchmarkFit uses.
"""
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_squared_error, r2_score


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def main():
    prefix = sys.argv[1] if len(sys.argv) > 1 else "/tmp/forest"
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    Xtr, ytr = load(prefix + ".train.csv")
    Xte, yte = load(prefix + ".test.csv")
    print(f"sklearn {sklearn.__version__}: {Xtr.shape[0]} train rows x {Xtr.shape[1]} features, "
          f"{Xte.shape[0]} held out, n_jobs={jobs}")
    for mf in (1.0, 0.33):
        model = RandomForestRegressor(n_estimators=100, max_depth=12, min_samples_leaf=5,
                                      max_features=mf, n_jobs=jobs, random_state=0)
        start = time.perf_counter()
        model.fit(Xtr, ytr)
        fit = time.perf_counter() - start
        start = time.perf_counter()
        pred = model.predict(Xte)
        pred_s = time.perf_counter() - start
        rmse = mean_squared_error(yte, pred) ** 0.5
        nodes = sum(e.tree_.node_count for e in model.estimators_)
        print(f"max_features={mf}: fit {fit:.2f} s, R2 {r2_score(yte, pred):.4f}, RMSE {rmse:.4f}, "
              f"nodes {nodes}, batch predict {len(Xte) / pred_s:.0f} rows/s")
        imp = ", ".join(f"{v:.3f}" for v in model.feature_importances_)
        print(f"  importance: {imp}")


if __name__ == "__main__":
    main()
