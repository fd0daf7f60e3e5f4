"""hyperopt's own TPE (fmin with tpe.suggest, default settings) driven over stdin/stdout, for
bench/sweep/quality.ts: the third column next to mlrecipe's TPE and Optuna's TPESampler.

Same protocol as optuna_ask_tell.py. First line in: {"seed": int, "trials": int, "space": [...]}
with kind uniform (low, high), loguniform (low, high: exp(U(low, high))) or choice (options).
Then, per trial: one JSON line out (the params), one JSON line in (the loss, or null for a failed
trial). fmin is seeded with rstate=numpy.random.default_rng(seed), as hyperopt 0.2.7 documents.
hyperopt is not a Debian package: point PYTHONPATH at a source checkout (quality.ts passes
HYPEROPT_SRC, default /work/hyperopt-src).
"""
import json
import math
import sys

import numpy as np
from hyperopt import STATUS_FAIL, STATUS_OK, fmin, hp, tpe


def tpe_suggest(new_ids, domain, trials, seed):
    """tpe.suggest unchanged, but its values as Python numbers: hyperopt master's TPE returns a
    choice's index as numpy.int64, which pyll's switch refuses ("switch argument was 1") under
    Debian's numpy 1.24."""
    docs = tpe.suggest(new_ids, domain, trials, seed)
    for doc in docs:
        vals = doc["misc"]["vals"]
        for name in vals:
            vals[name] = [v.item() if isinstance(v, np.generic) else v for v in vals[name]]
    return docs


def main():
    spec = json.loads(sys.stdin.readline())
    space = {}
    for p in spec["space"]:
        if p["kind"] == "uniform":
            space[p["name"]] = hp.uniform(p["name"], p["low"], p["high"])
        elif p["kind"] == "loguniform":
            space[p["name"]] = hp.loguniform(p["name"], p["low"], p["high"])
        elif p["kind"] == "choice":
            space[p["name"]] = hp.choice(p["name"], p["options"])
        else:
            raise SystemExit(f"unsupported kind {p['kind']}")

    def objective(params):
        sys.stdout.write(json.dumps({k: params[k] for k in space}) + "\n")
        sys.stdout.flush()
        loss = json.loads(sys.stdin.readline())
        if loss is None or not math.isfinite(loss):
            return {"status": STATUS_FAIL}
        return {"status": STATUS_OK, "loss": loss}

    fmin(
        objective,
        space,
        algo=tpe_suggest,
        max_evals=spec["trials"],
        rstate=np.random.default_rng(spec["seed"]),
        show_progressbar=False,
    )


if __name__ == "__main__":
    main()
