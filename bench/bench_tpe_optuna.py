#!/usr/bin/python3
# bench_tpe_optuna.py — Optuna's side of bench-tpe: time to suggest the 8
# parameters of SPEC §5.1's space for one new trial, with N completed trials in
# an in-memory study (TPESampler() defaults, univariate).
#
#   /usr/bin/python3 bench/bench_tpe_optuna.py [--trials N] [--repeats R]
# prints "optuna <version> <ms per suggestion>"
import argparse
import time

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

optuna.logging.set_verbosity(optuna.logging.WARNING)
ap = argparse.ArgumentParser()
ap.add_argument("--trials", type=int, default=1000)
ap.add_argument("--repeats", type=int, default=10)
args = ap.parse_args()

space = {
    "log_lstm_hidden_size": IntDistribution(5, 7),
    "lstm_act_name": CategoricalDistribution(["ReLU", "Tanh"]),
    "dropout": FloatDistribution(0.0, 0.5),
    "log_fc_hidden_size": IntDistribution(4, 8),
    "fc_act_name": CategoricalDistribution(["ReLU", "Tanh"]),
    "optimizer_name": CategoricalDistribution(["Adam", "RMSprop", "SGD"]),
    "learning_rate": FloatDistribution(1e-5, 1e-1, log=True),
    "log_batch_size": IntDistribution(5, 8),
}
rng = np.random.RandomState(0)
study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
trials = []
for i in range(args.trials):
    params = {}
    for name, d in space.items():
        if isinstance(d, CategoricalDistribution):
            params[name] = d.choices[rng.randint(len(d.choices))]
        elif isinstance(d, IntDistribution):
            params[name] = int(rng.randint(d.low, d.high + 1))
        elif d.log:
            params[name] = float(np.exp(rng.uniform(np.log(d.low), np.log(d.high))))
        else:
            params[name] = float(rng.uniform(d.low, d.high))
    value = (np.log10(params["learning_rate"]) + 3.5) ** 2 + params["dropout"] + rng.normal(0, 0.1)
    trials.append(optuna.trial.create_trial(params=params, distributions=space, value=value))
study.add_trials(trials)

times = []
for r in range(args.repeats):
    t0 = time.perf_counter()
    trial = study.ask()
    for name, d in space.items():
        trial._suggest(name, d)
    times.append(time.perf_counter() - t0)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
print("optuna %s %.3f" % (optuna.__version__, 1000 * float(np.median(times))))
