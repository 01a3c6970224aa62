#!/usr/bin/python3
"""Fit scikit-learn's GaussianMixture to the data of BenchmarkFit.

Write the data from Go first (the test also prints Go's numbers), then run
this with the Debian python:

    go test ./plugins/internal/ml/gmm -run TestWriteBenchCSV -v -args -csv=/tmp/gmm.csv
    /usr/bin/python3 plugins/internal/ml/gmm/testdata/sklearn_gmm.py /tmp/gmm.csv

It fits GaussianMixture(5, covariance_type="full", n_init=3, tol=1e-3,
reg_covar=1e-6, max_iter=100), the settings of BenchmarkFit, and the BIC
sweep over k = 2..8 of BenchmarkSelectK, printing the best of several
timings, the mean log-likelihood per point and the BIC, and the time of
one predict_proba call on a single point.
"""
import sys
import time

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture


def fit(X, k, seed=0):
    return GaussianMixture(k, covariance_type="full", n_init=3, tol=1e-3, reg_covar=1e-6,
                           max_iter=100, random_state=seed).fit(X)


def best_time(f, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - start)
    return best, out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gmm.csv"
    X = np.loadtxt(path, delimiter=",", skiprows=1)
    print(f"sklearn {sklearn.__version__}: {X.shape[0]} points x {X.shape[1]} dimensions")
    secs, m = best_time(lambda: fit(X, 5), 10)
    print(f"fit k=5 n_init=3: {secs * 1e3:.1f} ms (best of 10), mean log-likelihood {m.score(X):.6f}, "
          f"BIC {m.bic(X):.3f}, {m.n_iter_} iterations, converged {m.converged_}")
    lls = [fit(X, 5, seed).score(X) for seed in range(10)]
    print(f"  mean log-likelihood over random_state 0..9: min {min(lls):.6f} max {max(lls):.6f}")

    def sweep():
        return [fit(X, k) for k in range(2, 9)]

    secs, models = best_time(sweep, 3)
    bics = [m.bic(X) for m in models]
    best = 2 + int(np.argmin(bics))
    print(f"BIC sweep k=2..8: {secs * 1e3:.1f} ms (best of 3), best k {best}, BIC "
          + " ".join(f"{b:.1f}" for b in bics))

    x = X[:1]
    reps = 2000
    start = time.perf_counter()
    for _ in range(reps):
        m.predict_proba(x)
    print(f"predict_proba one point, k=5: {(time.perf_counter() - start) / reps * 1e6:.1f} us")
    start = time.perf_counter()
    m.predict_proba(X)
    print(f"predict_proba all {len(X)} points at once: "
          f"{(time.perf_counter() - start) / len(X) * 1e9:.0f} ns per point")


if __name__ == "__main__":
    main()
