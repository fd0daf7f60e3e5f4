"""Optuna's TPESampler driven over stdin/stdout (ask/tell), for bench/sweep/quality.ts.

The objective is evaluated on the Node side, so Optuna and mlrecipe's samplers see exactly the
same function. First line in: {"seed": int, "trials": int, "space": [{"name", "kind", ...}]}
with kind uniform (low, high), loguniform (low, high: exp(U(low, high)), as hyperopt) or choice
(options). Then, per trial: one JSON line out (the params), one JSON line in (the loss, or null
for a failed trial).
"""
import json
import math
import sys

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution

optuna.logging.set_verbosity(optuna.logging.WARNING)


def main():
    spec = json.loads(sys.stdin.readline())
    distributions = {}
    for p in spec["space"]:
        if p["kind"] == "uniform":
            distributions[p["name"]] = FloatDistribution(p["low"], p["high"])
        elif p["kind"] == "loguniform":
            distributions[p["name"]] = FloatDistribution(math.exp(p["low"]), math.exp(p["high"]), log=True)
        elif p["kind"] == "choice":
            distributions[p["name"]] = CategoricalDistribution(p["options"])
        else:
            raise SystemExit(f"unsupported kind {p['kind']}")
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=spec["seed"]))
    for _ in range(spec["trials"]):
        trial = study.ask(distributions)
        sys.stdout.write(json.dumps(trial.params) + "\n")
        sys.stdout.flush()
        loss = json.loads(sys.stdin.readline())
        if loss is None or not math.isfinite(loss):
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, loss)


if __name__ == "__main__":
    main()
