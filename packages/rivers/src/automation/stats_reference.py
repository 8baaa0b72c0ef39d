"""Reference values for packages/rivers/src/automation/stats.ts (run by stats.reference.test.ts).

Reads a JSON list of cases on stdin: {"test": "ks" | "cvm" | "mmd", "a": [...], "b": [...],
"bandwidth": number (mmd; absent: the median heuristic)}; samples are lists of numbers (1-d) or lists of rows (mmd). Writes a JSON
list with, per case, {"statistic", "pValue"} (ks, cvm: SciPy's ks_2samp(method='asymp') and
cramervonmises_2samp(method='asymptotic')), or {"statistic", "bandwidth"} (mmd: a plain NumPy
biased RBF MMD^2 on the same at most 2,000 evenly spaced points per side, with the given bandwidth
or else the median heuristic, and that heuristic over at most 1,000 evenly spaced pooled points; permutation p-values
differ between implementations and are not compared).
"""

import json
import sys

import numpy as np
from scipy import stats

MAX_POINTS = 2000
MAX_HEURISTIC_POINTS = 1000


def spread(n, k):
    """Evenly spaced indices floor(i*n/k), i < k (all of them when n <= k)."""
    return np.arange(n) if n <= k else (np.arange(k) * n) // k


def rows(sample):
    x = np.asarray(sample, dtype=np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    return x[spread(len(x), MAX_POINTS)]


def sq_dists(x, y):
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=-1)


def median_heuristic(pooled):
    p = pooled[spread(len(pooled), MAX_HEURISTIC_POINTS)]
    d = np.sqrt(sq_dists(p, p))[np.triu_indices(len(p), k=1)]
    if d.size == 0:
        return 1.0
    m = float(np.median(d))
    if m > 0:
        return m
    nz = d[d > 0]
    return float(nz.mean()) if nz.size else 1.0


def mmd(a, b, bandwidth):
    x, y = rows(a), rows(b)
    heuristic = median_heuristic(np.concatenate([x, y]))
    bandwidth = heuristic if bandwidth is None else bandwidth
    gamma = 1.0 / (2.0 * bandwidth * bandwidth)
    kxx = np.exp(-gamma * sq_dists(x, x)).mean()
    kyy = np.exp(-gamma * sq_dists(y, y)).mean()
    kxy = np.exp(-gamma * sq_dists(x, y)).mean()
    return float(kxx + kyy - 2 * kxy), heuristic


def run(case):
    a, b = case["a"], case["b"]
    if case["test"] == "ks":
        r = stats.ks_2samp(a, b, method="asymp")
        return {"statistic": float(r.statistic), "pValue": float(r.pvalue)}
    if case["test"] == "cvm":
        r = stats.cramervonmises_2samp(a, b, method="asymptotic")
        return {"statistic": float(r.statistic), "pValue": float(r.pvalue)}
    if case["test"] == "mmd":
        statistic, heuristic = mmd(a, b, case.get("bandwidth"))
        return {"statistic": statistic, "bandwidth": heuristic}
    raise ValueError(f"unknown test {case['test']!r}")


if __name__ == "__main__":
    json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
