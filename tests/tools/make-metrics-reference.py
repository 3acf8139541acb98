#!/usr/bin/python3
"""Fixture for tests/test-metrics.c: metrics computed by Debian's scikit-learn.

Writes tests/data/metrics-reference.json: a list of cases, each with n_classes,
labels, probs (n × C, float32 values written as doubles) and what sklearn
returns for them:
  auc        roc_auc_score(one_hot(labels), probs)   (macro over columns, SPEC §4.4)
  auc_binary roc_auc_score(labels, scores) for the double 'scores' (C = 2 only)
  accuracy, precision, recall, f1 of y_pred = argmax(probs) with sklearn defaults:
             average='binary', pos_label=1 for C = 2; average='macro' for C > 2;
             zero_division='warn' (→ 0.0)
Cases include heavy ties (scores rounded to one decimal), all-equal scores,
no predicted positives, and a 3-class set.

Run from the repository root: /usr/bin/python3 tests/tools/make-metrics-reference.py
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, f1_score, precision_score,
                             recall_score, roc_auc_score)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "metrics-reference.json")


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def case(name, labels, probs, scores=None):
    labels = np.asarray(labels, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float32)
    c = probs.shape[1]
    onehot = np.eye(c)[labels]
    pred = probs.argmax(axis=1)
    avg = "binary" if c == 2 else "macro"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {
            "name": name, "n_classes": c, "labels": labels.tolist(),
            "probs": [float(v) for v in probs.astype(np.float64).flatten()],
            "auc": roc_auc_score(onehot, probs.astype(np.float64)),
            "accuracy": accuracy_score(labels, pred),
            "precision": precision_score(labels, pred, average=avg),
            "recall": recall_score(labels, pred, average=avg),
            "f1": f1_score(labels, pred, average=avg),
        }
    if scores is not None:
        out["scores"] = [float(s) for s in scores]
        out["auc_binary"] = roc_auc_score(labels, np.asarray(scores, dtype=np.float64))
    return out


def main():
    rng = np.random.default_rng(20231123)
    cases = []

    # 200 samples, scores rounded to one decimal: 11 tie groups
    y = rng.integers(0, 2, 200)
    s = np.round(np.clip(0.5 + 0.25 * (y - 0.5) + rng.normal(0, 0.25, 200), 0, 1), 1)
    p1 = s.astype(np.float32)
    cases.append(case("heavy-ties", y, np.stack([1 - p1, p1], axis=1), s))

    # continuous scores from logits, imbalanced (11 % positive, like MIMIC-III)
    y = (rng.random(300) < 0.11).astype(np.int64)
    z = rng.normal(0, 1, (300, 2)) + np.stack([np.zeros(300), 1.5 * y], axis=1)
    probs = softmax_rows(z)
    cases.append(case("imbalanced", y, probs, probs[:, 1].astype(np.float64)))

    # every score equal: AUC 0.5, argmax ties → class 0 → no predicted positives
    y = np.array([0, 1, 0, 1, 1, 0, 0])
    cases.append(case("all-tied", y, np.full((7, 2), 0.5), np.full(7, 0.5)))

    # perfect and inverted rankings
    y = np.array([0, 0, 1, 1, 0, 1])
    p1 = np.array([0.1, 0.2, 0.9, 0.8, 0.3, 0.7], dtype=np.float32)
    cases.append(case("perfect", y, np.stack([1 - p1, p1], axis=1), p1))
    cases.append(case("inverted", y, np.stack([p1, 1 - p1], axis=1), 1 - p1))

    # 3 classes with ties between classes' scores
    y = rng.integers(0, 3, 60)
    z = np.round(rng.normal(0, 1, (60, 3)) + np.eye(3)[y], 1)
    cases.append(case("three-classes", y, softmax_rows(z)))

    with open(OUT, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=0)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
