"""A user's `early_stop_fn` from steps/*.py, called as hyperopt's fmin calls it (hyperopt 0.2,
hyperopt/fmin.py): `stop, args = early_stop_fn(trials, *args)` after every trial, where `trials`
is a hyperopt `Trials` and `args` what the function returned the time before. MLflow Recipes 2.12
hands the function to fmin as it is, so functions written for hyperopt (such as
hyperopt.early_stop.no_progress_loss) read `trials.trials[-1]["result"]["loss"]`. Our sweeps do
not run hyperopt, so `TrialsView` offers the read-only part of `Trials` those functions use."""

import sys


class TrialsView:
    def __init__(self, docs):
        self.trials = docs

    @property
    def results(self):
        return [t["result"] for t in self.trials]

    @property
    def tids(self):
        return [t["tid"] for t in self.trials]

    @property
    def vals(self):
        return [t["misc"]["vals"] for t in self.trials]

    @property
    def miscs(self):
        return [t["misc"] for t in self.trials]

    @property
    def specs(self):
        return [t["spec"] for t in self.trials]

    def losses(self):
        return [t["result"].get("loss") for t in self.trials]

    def statuses(self):
        return [t["result"].get("status") for t in self.trials]

    @property
    def best_trial(self):
        ok = [t for t in self.trials if t["result"].get("status") == "ok"]
        if not ok:
            raise AllTrialsFailed("no trial finished with status ok")
        return min(ok, key=lambda t: t["result"]["loss"])

    @property
    def argmin(self):
        return {k: v[0] for k, v in self.best_trial["misc"]["vals"].items() if v}

    def __len__(self):
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    def __getitem__(self, item):
        return self.trials[item]


class AllTrialsFailed(Exception):
    """hyperopt.exceptions.AllTrialsFailed, without needing hyperopt installed."""


class EarlyStopper:
    def __init__(self, fn):
        self.fn = fn
        self.args = []
        self.docs = []


def early_stopper(module_path, recipe_dir, name):
    """The user's function wrapped with the args it returns between calls (kept here, so they
    may be any Python value)."""
    worker = sys.modules["__main__"]  # the worker's own importer: steps.<module>, as MLflow names it
    module = worker.load_module(module_path, recipe_dir)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise AttributeError(f"{module_path} defines no function {name}")
    return EarlyStopper(fn)


def early_stop_add(stopper, trial):
    """Adds a finished trial ({index, status, loss, params}) and calls the function; its answer."""
    status = "ok" if trial["status"] == "ok" else "fail"
    # A failed trial (an mlrecipe sweep records it and goes on) has no loss: None, which
    # no_progress_loss counts as progress.
    result = {"status": status, "loss": trial["loss"] if status == "ok" else None}
    stopper.docs.append(
        {
            "tid": trial["index"],
            "state": 2,  # hyperopt.base.JOB_STATE_DONE
            "spec": None,
            "result": result,
            "misc": {
                "tid": trial["index"],
                "vals": {k: [v] for k, v in trial["params"].items()},
                "idxs": {k: [trial["index"]] for k in trial["params"]},
            },
        }
    )
    answer = stopper.fn(TrialsView(stopper.docs), *stopper.args)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise TypeError(
            f"early_stop_fn must return (stop: bool, args: list) as hyperopt expects, not {answer!r}"
        )
    stop, args = answer
    stopper.args = list(args) if args is not None else []
    return bool(stop)
