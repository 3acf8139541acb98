#!/usr/bin/python3
# make-tpe-reference.py — reference numbers for tests/test-tpe.c from Debian's
# optuna 3.1 (python3-optuna): Parzen-estimator weights, kernel centres,
# bandwidths and log-densities, computed by optuna's own _ParzenEstimator.
#
# Optuna 3.1 uses the ≤ 4.8 bandwidth rule (the prior mean counts as a
# neighbour), so the test compares with PbTpeOptions.prior_is_neighbour = TRUE.
# Log-scale int parameters are left out: 3.1 treats them as continuous in log
# space, 4.x as a discrete grid (the test checks those against closed forms).
#
#   /usr/bin/python3 tests/tools/make-tpe-reference.py > tests/data/tpe-reference.json
import json
import sys

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

params = _ParzenEstimatorParameters(
    consider_prior=True, prior_weight=1.0, consider_magic_clip=True,
    consider_endpoints=False, weights=default_weights, multivariate=False)


def space_json(name, dist):
    if isinstance(dist, FloatDistribution):
        d = {"name": name, "type": "float", "low": dist.low, "high": dist.high, "log": dist.log}
        if dist.step is not None:
            d["step"] = dist.step
        return d
    if isinstance(dist, IntDistribution):
        return {"name": name, "type": "int", "low": dist.low, "high": dist.high,
                "step": dist.step, "log": dist.log}
    return {"name": name, "type": "categorical", "choices": list(dist.choices)}


def case(name, dist, observations, points):
    internal = np.asarray([dist.to_internal_repr(o) for o in observations], dtype=float)
    pe = _ParzenEstimator({name: internal}, {name: dist}, params)
    pts = np.asarray([dist.to_internal_repr(p) for p in points], dtype=float)
    if isinstance(dist, CategoricalDistribution):
        pts = pts.astype(int)
    out = {
        "param": space_json(name, dist),
        "observations": internal.tolist(),
        "weights": pe._weights.tolist(),
        "points": pts.tolist(),
        "log_pdf": pe.log_pdf({name: pts}).tolist(),
    }
    if pe._mus[name] is not None:
        out["mus"] = pe._mus[name].tolist()
        out["sigmas"] = pe._sigmas[name].tolist()
    else:
        out["categorical"] = pe._categorical_weights[name].tolist()
    return out


rng = np.random.RandomState(1234)
cases = [
    # engine-notes §2.5 history
    case("x", FloatDistribution(-10, 10), [1, -3, 4], [0.0, 5.0, -9.5, 9.99]),
    case("lr", FloatDistribution(1e-4, 1e-1, log=True), [1e-3, 3e-2, 2e-4],
         [1e-3, 5e-2, 1.5e-4, 0.09]),
    case("h", IntDistribution(32, 256, step=32), [64, 256, 32], [64, 128, 32, 256]),
    case("c", CategoricalDistribution(["a", "b", "c"]), ["a", "c", "a"], ["a", "b", "c"]),
    # no observations: the prior alone
    case("x0", FloatDistribution(-1, 3), [], [0.0, 2.5]),
    # one observation
    case("x1", FloatDistribution(0, 1), [0.9], [0.1, 0.5, 0.95]),
    # 40 observations: ramped weights, clipped bandwidths. (No ties here: numpy's
    # argsort is not stable, so which of two tied kernels gets which bandwidth is
    # numpy's choice; the int case below has ties and equal weights.)
    case("d", FloatDistribution(0.0, 0.5), list(rng.uniform(0, 0.5, 40)),
         [0.0, 0.1, 0.25, 0.4999]),
    case("lr40", FloatDistribution(1e-5, 1e-1, log=True),
         list(np.exp(rng.uniform(np.log(1e-5), np.log(1e-1), 30))), [1e-5, 3e-4, 0.05]),
    case("n", IntDistribution(4, 8), list(rng.randint(4, 9, 20)), [4, 5, 6, 7, 8]),
    case("q", FloatDistribution(0.0, 2.0, step=0.25), list(rng.randint(0, 9, 12) * 0.25),
         [0.0, 0.75, 2.0]),
    case("opt", CategoricalDistribution(["Adam", "RMSprop", "SGD"]),
         list(rng.choice(["Adam", "RMSprop", "SGD"], 27)), ["Adam", "RMSprop", "SGD"]),
]

json.dump({"optuna_version": optuna.__version__, "cases": cases}, sys.stdout, indent=1)
sys.stdout.write("\n")
