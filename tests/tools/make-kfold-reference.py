#!/usr/bin/python3
"""Fixture for tests/test-sampler.c: sklearn StratifiedKFold(shuffle=False) folds.

Writes tests/data/kfold-reference.json: label vectors and, for each n_splits,
the test fold of every sample as sklearn's StratifiedKFold.split assigns it
(scikit-learn 1.2, Debian's python3-sklearn).

Run from the repository root: /usr/bin/python3 tests/tools/make-kfold-reference.py
"""
import json
import os

import numpy as np
from sklearn.model_selection import StratifiedKFold

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "kfold-reference.json")


def folds(y, k):
    out = np.full(len(y), -1)
    for f, (_, test) in enumerate(StratifiedKFold(n_splits=k).split(np.zeros(len(y)), y)):
        out[test] = f
    return out.tolist()


def main():
    rng = np.random.default_rng(7)
    cases = []
    for name, y in (("three-classes", rng.permutation([0] * 33 + [1] * 12 + [2] * 5)),
                    ("binary-11pct", (rng.random(61) < 0.11).astype(int)),
                    ("labels-3-7", rng.choice([3, 7], 23)),
                    # sklearn >= 0.24 numbers classes by first appearance, not value:
                    # here 2 comes first, then 1, then 0, with counts that do not
                    # divide evenly, so the round-robin allocation shows the order
                    ("first-appearance", [2, 1, 0] + list(rng.permutation([2] * 6 + [1] * 10
                                                                         + [0] * 14)))):
        cases.append({"name": name, "labels": [int(v) for v in y],
                      "folds": {str(k): folds(y, k) for k in (2, 3, 5)}})
    with open(OUT, "w") as f:
        json.dump({"cases": cases}, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
